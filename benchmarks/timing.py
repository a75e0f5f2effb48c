"""How the benchmarks time a command: new processes, median wall time, peak RSS."""

from __future__ import annotations

import os
import statistics
import subprocess
import time


def measure(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """(median seconds, peak RSS in MiB) of a command run `runs` times, after one warm-up run.

    Each run is a new process, as a user or script runs it; the peak RSS comes from wait4's
    rusage of that one child.
    """
    times: list[float] = []
    peak = 0
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise SystemExit(f"{' '.join(argv)} exited {code}")
        peak = max(peak, usage.ru_maxrss)
    return statistics.median(times), peak / 1024
