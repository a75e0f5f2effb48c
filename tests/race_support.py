"""Run the CLI in several processes that start one command at the same instant.

Each process is spawned (a fresh interpreter, as a second terminal or CI job would be),
imports what the command needs, then waits at a shared barrier: the race starts when the
last one is ready, not when the operating system got round to starting each. This module
imports only the standard library, so the children start fast.
"""

from __future__ import annotations

import multiprocessing
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Outcome:
    """What one process printed, and how it exited."""

    exit_code: int | None
    stdout: str
    stderr: str


def _run_at_barrier(barrier: Any, args: list[str], out: str) -> None:
    from agentcore_identity_cli.cli.app import load_commands, main

    load_commands(args[0])
    import httpx  # noqa: F401 - imported before the barrier, so the race starts at it

    with open(out + ".out", "w") as stdout, open(out + ".err", "w") as stderr:
        sys.stdout, sys.stderr = stdout, stderr
        barrier.wait(timeout=60)
        code = main(args)
        stdout.flush()
        stderr.flush()
    sys.exit(code)


def run_together(args: list[str], count: int, folder: Path, timeout: float = 60) -> list[Outcome]:
    """`agentcore-identity ARGS` in `count` processes released together; their outcomes."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(count)
    outs = [str(folder / f"process-{n}") for n in range(count)]
    processes = [context.Process(target=_run_at_barrier, args=(barrier, args, out)) for out in outs]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout)
        if process.is_alive():
            process.kill()
            process.join()
    return [
        Outcome(process.exitcode, _read(out + ".out"), _read(out + ".err"))
        for process, out in zip(processes, outs, strict=True)
    ]


def _read(path: str) -> str:
    """A child's output; empty when it died before writing any (its exit code says so)."""
    try:
        return Path(path).read_text()
    except FileNotFoundError:
        return ""
