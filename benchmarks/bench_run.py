"""What `run` costs: median wall time and peak memory of `run -- true` against `sh -c true`.

    python benchmarks/bench_run.py [--runs 21]

Workload, each command a new process as a script runs it: `sh -c true` (the floor),
`agentcore-identity --version` (Python start-up), `run -- true` (no reference: nothing
resolved, the output still goes through the masking pipes), `run --env K=REF -- true` (one
API key resolved from a local vault: a workload access token, then GetResourceApiKey), and
`run` with the key printed 20,000 times (masking 600 KB of output). The overhead line is
`run -- true` minus `sh -c true`. Peak RSS is the largest of `run` and what it waited for.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import measure  # benchmarks/timing.py, beside this script

KEY = "sk-bench-4f1c9a7e2d5b8c30"


def populate(tool: list[str], env: dict[str, str]) -> None:
    """A vault with one API-key provider, made by the CLI in a process of its own: this one stays
    small, since a child's peak RSS counts the parent's pages it started with."""
    subprocess.run(
        [*tool, "create-api-key-credential-provider", "--name", "openai", "--api-key", "-"],
        input=KEY.encode(),
        env=env,
        stdout=subprocess.DEVNULL,
        check=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    exe = shutil.which("agentcore-identity") or ""
    tool = [exe] if exe else [sys.executable, "-m", "agentcore_identity_cli"]
    true = shutil.which("true") or "/bin/true"
    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        # As on an installed tool: byte-code cached, written by the warm-up run of each case.
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("AGENTCORE_IDENTITY_") and k != "PYTHONDONTWRITEBYTECODE"
        }
        env["AGENTCORE_IDENTITY_HOME"] = str(home)
        populate(tool, env)
        reference = ["--env", "K=agentcore://api-key/openai"]
        chatty = "for i in range(20000): print(__import__('os').environ['K'])"
        cases = [
            ("sh -c true", ["sh", "-c", "true"]),
            ("agentcore-identity --version", [*tool, "--version"]),
            ("run -- true", [*tool, "run", "--", true]),
            ("run --env K=agentcore://api-key/openai -- true", [*tool, "run", *reference, "--", true]),
            ("the same, printing the key 20,000 times", [*tool, "run", *reference, "--", sys.executable, "-c", chatty]),
        ]
        for label, argv in cases:
            median, peak = measure(argv, env, args.runs)
            rows.append((label, median, peak))
    width = max(len(label) for label, _, _ in rows)
    print(f"{'command':<{width}}  {'median ms':>9}  {'peak MiB':>8}   ({args.runs} runs each)")
    for label, median, peak in rows:
        print(f"{label:<{width}}  {median * 1000:>9.1f}  {peak:>8.1f}")
    overhead = (rows[2][1] - rows[0][1]) * 1000
    print(f"\noverhead of run -- true over sh -c true: {overhead:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
