"""Median wall time and peak memory of local commands, with a fixed workload.

    python benchmarks/bench_local.py [--runs 21]

Workload: `--version`, `--help`, `list-api-key-credential-providers` on a vault of 1,000
providers, `get-api-key-credential-provider` on a vault of 10,000. Each command runs as a
new process, as a user or script runs it; the figures are the median wall time and the
largest peak RSS over the runs. Where the AWS CLI is installed, `aws --version` is timed
too, as a reference for Python start-up.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from timing import measure  # benchmarks/timing.py, beside this script

from agentcore_identity_cli.backends.local.backend import LocalBackend


def populate(home: Path, count: int) -> None:
    """A vault of `count` API-key providers, written in one transaction."""
    os.environ["AGENTCORE_IDENTITY_HOME"] = str(home)
    backend = LocalBackend(home / "vault.db")
    with backend.store.transaction():
        for i in range(count):
            backend.invoke("CreateApiKeyCredentialProvider", {"name": f"provider-{i:05d}", "apiKey": f"sk-{i}"})
    backend.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    exe = shutil.which("agentcore-identity") or ""
    tool = [exe] if exe else [sys.executable, "-m", "agentcore_identity_cli"]
    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp) / "h1000", Path(tmp) / "h10000"
        populate(small, 1_000)
        populate(large, 10_000)
        # As on an installed tool: byte-code is cached (some shells set PYTHONDONTWRITEBYTECODE,
        # which would time the compiler instead); the first, warm-up run writes it.
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("AGENTCORE_IDENTITY_") and k != "PYTHONDONTWRITEBYTECODE"
        }
        env_small = {**base, "AGENTCORE_IDENTITY_HOME": str(small)}
        env_large = {**base, "AGENTCORE_IDENTITY_HOME": str(large)}
        cases = [
            ("--version", [*tool, "--version"], env_small),
            ("--help", [*tool, "--help"], env_small),
            ("list-api-key-credential-providers (1,000)", [*tool, "list-api-key-credential-providers"], env_small),
            (
                "get-api-key-credential-provider (10,000)",
                [*tool, "get-api-key-credential-provider", "--name", "provider-05000"],
                env_large,
            ),
        ]
        if shutil.which("aws"):
            cases.append(("reference: aws --version", ["aws", "--version"], env_small))
        for label, argv, env in cases:
            median, peak = measure(argv, env, args.runs)
            rows.append((label, median, peak))
    width = max(len(label) for label, _, _ in rows)
    print(f"{'command':<{width}}  {'median ms':>9}  {'peak MiB':>8}   ({args.runs} runs each)")
    for label, median, peak in rows:
        print(f"{label:<{width}}  {median * 1000:>9.1f}  {peak:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
