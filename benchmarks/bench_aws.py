"""The aws backend beside the AWS CLI: the same list call against the same loopback endpoint.

    python benchmarks/bench_aws.py [--runs 15] [--items 50] [--page-size 10]

Workload: `list-api-key-credential-providers` following nextToken through every page of
`--items` providers served `--page-size` to a page by tests/aws_wire_server.py, run as a
separate process on 127.0.0.1 (it checks each request's SigV4 signature, as AWS would).
Both tools sign with the same dummy credentials, print JSON to /dev/null and run as new
processes, as a script runs them. Reported: the median wall time over the runs and the
largest peak RSS (from wait4's rusage of each child), and their ratios, ours over the AWS
CLI's. Needs the AWS CLI (`pip install awscli`); without it only our tool is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import measure  # benchmarks/timing.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "tests" / "aws_wire_server.py"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"  # the key the server checks signatures with


def item_count(argv: list[str], env: dict[str, str]) -> int:
    """How many providers the command lists: both tools must do the same work."""
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stderr}")
    return len(json.loads(proc.stdout)["credentialProviders"])


def start_server(items: int, page_size: int) -> tuple[subprocess.Popen[str], str]:
    """The loopback endpoint as its own process, and its URL."""
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), "--items", str(items), "--page-size", str(page_size)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    port = proc.stdout.readline().strip()
    if not port.isdigit():
        proc.kill()
        raise SystemExit("the wire server did not start")
    return proc, f"http://127.0.0.1:{port}"


def find_aws_cli() -> str | None:
    """The AWS CLI that AGENTCORE_TEST_AWS_CLI names (as the tests find it), else the one beside
    this Python (the venv's), else on PATH.

    A version manager's shim on PATH (pyenv's is a shell script) adds its own start-up to every
    run: name the real executable instead.
    """
    named = os.environ.get("AGENTCORE_TEST_AWS_CLI")
    if named:
        return named
    beside = Path(sys.executable).parent / "aws"
    return str(beside) if beside.exists() else shutil.which("aws")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--page-size", type=int, default=10)
    args = parser.parse_args()
    exe = shutil.which("agentcore-identity", path=str(Path(sys.executable).parent)) or shutil.which(
        "agentcore-identity"
    )
    tool = [exe] if exe else [sys.executable, "-m", "agentcore_identity_cli"]
    server, url = start_server(args.items, args.page_size)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            empty = Path(tmp) / "empty"
            empty.write_text("")
            # Same credentials, region and (empty) AWS config for both; byte-code cached as on
            # an installed tool (the warm-up run writes it).
            env = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("AWS_", "AGENTCORE_IDENTITY_")) and k != "PYTHONDONTWRITEBYTECODE"
            }
            env.update(
                {
                    "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                    "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                    "AWS_CONFIG_FILE": str(empty),
                    "AWS_SHARED_CREDENTIALS_FILE": str(empty),
                    "AWS_EC2_METADATA_DISABLED": "true",
                    "AWS_PAGER": "",
                    "AGENTCORE_IDENTITY_HOME": str(Path(tmp) / "home"),
                }
            )
            common = ["--endpoint-url", url, "--region", "us-east-1", "--output", "json"]
            cases = [
                (
                    "agentcore-identity --backend aws",
                    [*tool, "--backend", "aws", *common, "list-api-key-credential-providers"],
                )
            ]
            aws = find_aws_cli()
            if aws:
                cases.append(
                    (
                        "aws bedrock-agentcore-control",
                        [aws, "bedrock-agentcore-control", "list-api-key-credential-providers", *common],
                    )
                )
            rows: list[tuple[str, float, float]] = []
            for label, argv in cases:
                count = item_count(argv, env)
                if count != args.items:
                    raise SystemExit(f"{label} listed {count} providers, not {args.items}")
                median, peak = measure(argv, env, args.runs)
                rows.append((label, median, peak))
    finally:
        server.terminate()
        server.wait(10)
    pages = -(-args.items // args.page_size)
    print(
        f"list-api-key-credential-providers: {args.items} providers in {pages} pages, "
        f"{args.runs} runs each, loopback endpoint"
    )
    width = max(len(label) for label, _, _ in rows)
    print(f"{'command':<{width}}  {'median ms':>9}  {'peak MiB':>8}")
    for label, median, peak in rows:
        print(f"{label:<{width}}  {median * 1000:>9.1f}  {peak:>8.1f}")
    if len(rows) == 2:
        (_, ours, our_rss), (_, theirs, their_rss) = rows
        print(
            f"ratio ours / AWS CLI: time {ours / theirs:.2f}x, peak RSS {our_rss / their_rss:.2f}x "
            f"(speed {theirs / ours:.2f}x the AWS CLI's)"
        )
    else:
        print("(the AWS CLI was not found: pip install awscli to compare)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
