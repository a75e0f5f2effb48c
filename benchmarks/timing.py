"""How the benchmarks time a command: new processes, median wall time, peak RSS.

Each command is started by a small runner process of its own (`python -S`, the standard
library only), not by the benchmark: a child's peak RSS (wait4's ru_maxrss) starts at the
resident size of the process that spawned it, so a benchmark that filled a vault of 100,000
providers in-process would otherwise lend its own memory to every command it times.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass

# The runner: one JSON request a line ({"argv", "env"}), one JSON answer a line. Each command
# runs with stdin, stdout and stderr on /dev/null, as `cmd >/dev/null 2>&1 </dev/null`.
_RUNNER = r"""
import json, os, sys, time
for line in sys.stdin:
    job = json.loads(line)
    null = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
    start = time.perf_counter()
    pid = os.posix_spawnp(job["argv"][0], job["argv"], job["env"], file_actions=null)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    answer = {"seconds": seconds, "rss_kib": usage.ru_maxrss, "code": os.waitstatus_to_exitcode(status)}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
"""


@dataclass(frozen=True)
class Sample:
    """One run of a command: wall time in seconds and peak RSS in MiB."""

    seconds: float
    rss_mib: float


class Runner:
    """A small process that starts commands and reports their wall time and peak RSS."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-S", "-c", _RUNNER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={"PATH": os.environ.get("PATH", "")},
            # Not the checkout's root: `python -m agentcore_identity_cli` would import the package
            # from the working folder there, ahead of PYTHONPATH (the baseline) and the installed one.
            cwd="/",
        )

    def run(self, argv: list[str], env: dict[str, str]) -> Sample:
        """Run a command once; SystemExit when it fails."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps({"argv": argv, "env": env}) + "\n")
        self._proc.stdin.flush()
        answer = json.loads(self._proc.stdout.readline())
        if answer["code"] != 0:
            raise SystemExit(f"{' '.join(argv)} exited {answer['code']}")
        return Sample(answer["seconds"], answer["rss_kib"] / 1024)

    def close(self) -> None:
        """End the runner."""
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait(10)


_RUNNER_PROCESS: Runner | None = None


def runner() -> Runner:
    """The runner of this benchmark process, started on first use."""
    global _RUNNER_PROCESS
    if _RUNNER_PROCESS is None:
        _RUNNER_PROCESS = Runner()
    return _RUNNER_PROCESS


def measure(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """(median seconds, peak RSS in MiB) of a command run `runs` times, after one warm-up run.

    Each run is a new process, as a user or script runs it; the peak RSS comes from wait4's
    rusage of that one child.
    """
    run = runner().run
    run(argv, env)
    samples = [run(argv, env) for _ in range(runs)]
    return statistics.median(s.seconds for s in samples), max(s.rss_mib for s in samples)
