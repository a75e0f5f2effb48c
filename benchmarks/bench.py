"""Start-up and scale, side by side with the AWS CLI: one table of the everyday commands and their goals.

    python benchmarks/bench.py [--runs 7] [--only NAME ...] [--baseline REV] [--work DIR]

Each row runs our command and its reference alternately, `--runs` times each (after one
warm-up run of each), every run a new process with its output to /dev/null, as a script runs
it. Reported: the median wall time of each, their ratio, the largest peak RSS (wait4's
ru_maxrss of that one process; see timing.py), and whether the row meets its goal.

- version: `--version` against `python -c pass`; time <= 4x.
- help: `--help` against `python -c pass`; time <= 4x.
- list-1k: local `list-api-key-credential-providers --output json` on 1,000 providers against
  the AWS CLI v1 listing 5 providers from the loopback endpoint; time <= 0.30x.
- get-100k: local `get-api-key-credential-provider` on 100,000 providers against the same on
  10; time <= 1.2x.
- list-100k: local list of all 100,000 providers as JSON against the same command of
  `--baseline` (the tool before this work); time <= 0.6x, peak RSS <= 60 MiB.
- api-key: local `api-key P` against the AWS CLI listing; time <= 0.30x.
- token: local `token P` with the token cached (M2M) against the AWS CLI listing; time <= 0.30x.
- aws-list: `--backend aws list-api-key-credential-providers` from the same endpoint against
  the AWS CLI listing; time <= 0.70x.

and for every row but list-100k, a peak RSS of at most 0.6x the AWS CLI listing's.

The vaults are filled in-process through the local backend, in batches of one transaction
(`--work DIR` keeps them for the next run). The loopback endpoint is tests/aws_wire_server.py
in a process of its own; the OAuth token endpoint of `token` is a thread here, asked once.
The baseline is checked out with `git worktree` and run with its own vault (its schema may be
older); without git, or with `--baseline ''`, that row has no reference.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench_aws import ACCESS_KEY, SECRET_KEY, find_aws_cli, item_count, start_server
from timing import Sample, runner

ROOT = Path(__file__).resolve().parent.parent
# The commit before the start-up and scale work: the "before" tool of the list-100k row.
BASELINE = "e1fa227"
AWS_ITEMS = 5  # the AWS CLI's listing: 5 providers in one page, as the issue measured it
FILL_BATCH = 5_000


@dataclass
class Row:
    """One line of the table: our command, its reference and the goals."""

    name: str
    label: str
    ours: tuple[list[str], dict[str, str]]
    reference: tuple[list[str], dict[str, str]] | None
    reference_label: str
    time_goal: float
    rss_goal: str = "aws"  # "aws": <= 0.6x the AWS CLI listing's peak; else an absolute MiB figure
    samples: dict[str, list[Sample]] = field(default_factory=dict)


# --- filling ------------------------------------------------------------------------------


FILL = r"""
import os, sys
from pathlib import Path
home, count, batch = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
os.environ["AGENTCORE_IDENTITY_HOME"] = str(home)
from agentcore_identity_cli.backends.local.backend import LocalBackend
backend = LocalBackend(home / "vault.db")
for start in range(0, count, batch):
    with backend.store.transaction():
        for i in range(start, min(count, start + batch)):
            backend.invoke("CreateApiKeyCredentialProvider", {"name": f"provider-{i:06d}", "apiKey": f"sk-{i}"})
backend.close()
"""


def fill(home: Path, count: int, env: dict[str, str]) -> None:
    """A vault of `count` API-key providers, made in a process of its own (the tool's code
    there: ours, or the baseline's through PYTHONPATH); kept when it is already there."""
    marker = home / f"filled-{count}"
    if marker.exists():
        return
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True, mode=0o700)
    # In the vault's folder, not the working one: `python -c` imports from the working folder
    # first, which at the checkout's root would be this checkout's code, not the baseline's.
    subprocess.run([sys.executable, "-c", FILL, str(home), str(count), str(FILL_BATCH)], env=env, cwd=home, check=True)
    marker.touch()


class TokenEndpoint(ThreadingHTTPServer):
    """A client-credentials token endpoint on loopback: the first `token` fetches, the rest read the cache."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _TokenHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _TokenHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"access_token": "at-bench", "token_type": "Bearer", "expires_in": 86_400}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def add_oauth_provider(tool: list[str], env: dict[str, str], token_url: str) -> None:
    """A CustomOauth2 provider whose M2M token comes from `token_url`, fetched once into the cache."""
    config = {
        "customOauth2ProviderConfig": {
            "oauthDiscovery": {
                "authorizationServerMetadata": {
                    "issuer": token_url,
                    "authorizationEndpoint": f"{token_url}/authorize",
                    "tokenEndpoint": f"{token_url}/token",
                }
            },
            "clientId": "bench",
            "clientSecret": "bench-secret",
        }
    }
    for argv in (
        [
            *tool,
            "create-oauth2-credential-provider",
            "--name",
            "bench-oauth",
            "--credential-provider-vendor",
            "CustomOauth2",
            "--oauth2-provider-config-input",
            json.dumps(config),
        ],
        [*tool, "token", "bench-oauth"],
    ):
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# --- running ------------------------------------------------------------------------------


def run_row(row: Row, runs: int) -> None:
    """Warm-up runs, then `runs` pairs, ours and the reference alternately (which goes first alternates too)."""
    run = runner().run
    cases = {"ours": row.ours, **({"reference": row.reference} if row.reference else {})}
    for argv, env in cases.values():
        run(argv, env)
    row.samples = {name: [] for name in cases}
    for index in range(runs):
        order = list(cases) if index % 2 == 0 else list(reversed(cases))
        for name in order:
            argv, env = cases[name]
            row.samples[name].append(run(argv, env))


def median_ms(samples: list[Sample]) -> float:
    """The median wall time in milliseconds."""
    return statistics.median(s.seconds for s in samples) * 1000


def peak_mib(samples: list[Sample]) -> float:
    """The largest peak RSS."""
    return max(s.rss_mib for s in samples)


def baseline_tree(rev: str, work: Path) -> Path | None:
    """A checkout of `rev` (git worktree), or None when git or the revision is not there."""
    if not rev or shutil.which("git") is None:
        return None
    tree = work / f"baseline-{rev}"
    if not (tree / "agentcore_identity_cli").is_dir():
        proc = subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            print(f"(no baseline: git worktree add {rev} failed: {proc.stderr.strip()})", file=sys.stderr)
            return None
    return tree


def discard(work: Path) -> None:
    """Remove a temporary work folder, and the baseline checkout in it from git's list of worktrees."""
    for tree in work.glob("baseline-*"):
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    shutil.rmtree(work, ignore_errors=True)


def report(rows: list[Row], runs: int, aws_peak: float | None) -> bool:
    """Print the table; True when every row meets its goals."""
    header = (
        f"{'row':<10} {'ours ms':>8} {'ref ms':>8} {'ratio':>6} {'goal':>6}  "
        f"{'ours MiB':>8} {'ref MiB':>8} {'goal MiB':>8}  met  reference"
    )
    print(header)
    print("-" * len(header))
    every = True
    for row in rows:
        ours = row.samples["ours"]
        ours_ms, ours_mib = median_ms(ours), peak_mib(ours)
        ref = row.samples.get("reference")
        ref_ms = median_ms(ref) if ref else None
        ref_mib = peak_mib(ref) if ref else None
        ratio = ours_ms / ref_ms if ref_ms else None
        if row.rss_goal == "aws":
            mib_goal = 0.6 * aws_peak if aws_peak else None
        else:
            mib_goal = float(row.rss_goal)
        time_met = ratio is not None and ratio <= row.time_goal
        rss_met = mib_goal is not None and ours_mib <= mib_goal
        met = time_met and rss_met
        every = every and met
        verdict = "yes" if met else ("time" if not time_met and rss_met else "rss" if time_met else "no")
        print(
            f"{row.name:<10} {ours_ms:>8.1f} {_num(ref_ms, '8.1f')} {_num(ratio, '5.2f')}x {row.time_goal:>5.2f}x  "
            f"{ours_mib:>8.1f} {_num(ref_mib, '8.1f')} {_num(mib_goal, '8.1f')}  {verdict:<4} {row.reference_label}"
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"\nmedians of {runs} paired runs; peak RSS the largest of them; goal MiB: 0.6x the AWS CLI listing's "
        f"peak, or the row's own figure. Load average at the end: {load:.2f} on {os.cpu_count()} CPUs."
    )
    return every


def _num(value: float | None, spec: str) -> str:
    width = int(spec.split(".")[0])
    return f"{value:{spec}}" if value is not None else f"{'-':>{width}}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="paired runs per row (default 7)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these rows (version, help, list-1k, ...)")
    parser.add_argument("--baseline", default=BASELINE, help=f"the revision of list-100k's reference ({BASELINE})")
    parser.add_argument("--work", type=Path, help="keep the vaults (and the baseline checkout) here for next time")
    args = parser.parse_args()

    python = sys.executable
    exe = shutil.which("agentcore-identity", path=str(Path(python).parent))
    tool = [exe] if exe else [python, "-m", "agentcore_identity_cli"]
    aws = find_aws_cli()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-"))
    work.mkdir(parents=True, exist_ok=True)
    # Byte-code cached as on an installed tool (the warm-up run writes it); nothing of the
    # caller's configuration.
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "AGENTCORE_IDENTITY_", "PYTHON")) and k != "NO_COLOR"
    }
    wanted = set(args.only or [])

    def want(name: str) -> bool:
        return not wanted or name in wanted

    def home(name: str) -> dict[str, str]:
        return {**base, "AGENTCORE_IDENTITY_HOME": str(work / name)}

    server, url = start_server(AWS_ITEMS, 10)
    token_endpoint = TokenEndpoint()
    try:
        empty = work / "empty-aws-config"
        empty.write_text("")
        aws_env = {
            **base,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_CONFIG_FILE": str(empty),
            "AWS_SHARED_CREDENTIALS_FILE": str(empty),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_PAGER": "",
            "AGENTCORE_IDENTITY_HOME": str(work / "aws-home"),
        }
        common = ["--endpoint-url", url, "--region", "us-east-1", "--output", "json"]
        aws_list = (
            ([aws, "bedrock-agentcore-control", "list-api-key-credential-providers", *common], aws_env) if aws else None
        )
        if aws_list is not None and item_count(*aws_list) != AWS_ITEMS:
            raise SystemExit("the AWS CLI did not list the endpoint's providers")
        aws_label = f"AWS CLI list of {AWS_ITEMS} (loopback)" if aws else "(no AWS CLI: pip install awscli)"
        pass_ref = ([python, "-c", "pass"], base)

        rows: list[Row] = []
        if want("version"):
            rows.append(Row("version", "--version", ([*tool, "--version"], base), pass_ref, "python -c pass", 4.0))
        if want("help"):
            rows.append(Row("help", "--help", ([*tool, "--help"], base), pass_ref, "python -c pass", 4.0))
        if want("list-1k") or want("api-key") or want("token"):
            fill(work / "h1000", 1_000, home("h1000"))
        if want("list-1k"):
            argv = [*tool, "list-api-key-credential-providers", "--output", "json"]
            rows.append(Row("list-1k", "list 1,000", (argv, home("h1000")), aws_list, aws_label, 0.30))
        if want("get-100k"):
            fill(work / "h10", 10, home("h10"))
            fill(work / "h100000", 100_000, home("h100000"))
            argv = [*tool, "get-api-key-credential-provider", "--name", "provider-000005"]
            rows.append(
                Row("get-100k", "get at 100,000", (argv, home("h100000")), (argv, home("h10")), "the same at 10", 1.2)
            )
        if want("list-100k"):
            fill(work / "h100000", 100_000, home("h100000"))
            argv = ["-m", "agentcore_identity_cli", "list-api-key-credential-providers", "--output", "json"]
            reference = None
            tree = baseline_tree(args.baseline, work)
            if tree is not None:
                old = {**home("h100000-baseline"), "PYTHONPATH": str(tree)}
                fill(work / "h100000-baseline", 100_000, old)
                reference = ([python, *argv], old)
            rows.append(
                Row(
                    "list-100k",
                    "list 100,000",
                    ([python, *argv], home("h100000")),
                    reference,
                    f"the same, {args.baseline}",
                    0.6,
                    rss_goal="60",
                )
            )
        if want("api-key"):
            rows.append(
                Row(
                    "api-key",
                    "api-key P",
                    ([*tool, "api-key", "provider-000005"], home("h1000")),
                    aws_list,
                    aws_label,
                    0.30,
                )
            )
        if want("token"):
            marker = work / "h1000" / "oauth-provider"
            if not marker.exists():
                add_oauth_provider(tool, home("h1000"), token_endpoint.url)
                marker.touch()
            rows.append(
                Row(
                    "token",
                    "token P (cached)",
                    ([*tool, "token", "bench-oauth"], home("h1000")),
                    aws_list,
                    aws_label,
                    0.30,
                )
            )
        if want("aws-list"):
            argv = [*tool, "--backend", "aws", *common, "list-api-key-credential-providers"]
            if item_count(argv, aws_env) != AWS_ITEMS:
                raise SystemExit("the aws backend did not list the endpoint's providers")
            rows.append(Row("aws-list", "aws backend list", (argv, aws_env), aws_list, aws_label, 0.70))

        aws_peak: float | None = None
        for row in rows:
            run_row(row, args.runs)
            if row.reference is aws_list and aws_list is not None:
                aws_peak = max(aws_peak or 0.0, peak_mib(row.samples["reference"]))
        if aws_peak is None and aws_list is not None:
            aws_peak = max(runner().run(*aws_list).rss_mib for _ in range(3))
    finally:
        server.terminate()
        server.wait(10)
        token_endpoint.shutdown()
        runner().close()
        if args.work is None:
            discard(work)
    print(f"agentcore-identity: {' '.join(tool)}; AWS CLI: {aws or '-'}\n")
    return 0 if report(rows, args.runs, aws_peak) else 1


if __name__ == "__main__":
    sys.exit(main())
