"""The CLI as a separate process whose stdin and stdout are a pseudo-terminal of a given size.

stderr stays a pipe of its own, so that a test can tell what was shown in the terminal (the
data, through a pager when there is one) from the messages. The terminal's `\\r\\n` line
ends are turned back into `\\n`.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time

from tests.conftest import Result

COLOR_TERM = {"TERM": "xterm-256color"}


def _take_terminal() -> None:
    # The terminal on stdin becomes the child's controlling terminal, as a login shell's is:
    # a pager such as less reads its keys from /dev/tty.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run_on_terminal(
    *args: str, env: dict[str, str] | None = None, columns: int = 80, rows: int = 24, timeout: float = 60
) -> Result:
    """Run `agentcore-identity ARGS` on a `columns` x `rows` terminal; its screen is Result.stdout."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    full_env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    full_env.update({**COLOR_TERM, **(env or {})})
    proc = subprocess.Popen(
        [sys.executable, "-m", "agentcore_identity_cli", *args],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=full_env,
        start_new_session=True,
        preexec_fn=_take_terminal,
    )
    os.close(slave)
    assert proc.stderr is not None
    err_fd = proc.stderr.fileno()
    screen, errors = b"", b""
    open_fds = {master, err_fd}
    deadline = time.monotonic() + timeout
    while open_fds and time.monotonic() < deadline:
        ready, _, _ = select.select(list(open_fds), [], [], 0.1)
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: every writer of the terminal is gone
                chunk = b""
            if not chunk:
                open_fds.discard(fd)
            elif fd == master:
                screen += chunk
            else:
                errors += chunk
        if proc.poll() is not None and master in open_fds and not select.select([master], [], [], 0.2)[0]:
            break  # the terminal is drained and nothing is left to write to it
    if proc.poll() is None:
        proc.kill()
    code = proc.wait(timeout=10)
    os.close(master)
    proc.stderr.close()
    return Result(code, screen.decode(errors="replace").replace("\r\n", "\n"), errors.decode(errors="replace"))


def answer_prompts(args: list[str], answers: list[str], env: dict[str, str], timeout: float = 60) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as stdin, stdout, stderr and controlling terminal,
    typing each answer once a prompt (a line ending in ':') has been printed.

    An answer is typed only after a new prompt appears: the echo of an empty answer is a bare
    newline, after which the screen still ends with the previous prompt's colon, and an answer
    typed ahead of a hidden prompt is lost (getpass flushes pending input before it asks).
    Returns (exit code, screen); a CLI still running after `timeout` is killed.
    """
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child: the CLI on the terminal
        os.execve(sys.executable, [sys.executable, "-m", "agentcore_identity_cli", *args], env)
    seen, pending, asked_at = b"", list(answers), 0
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not select.select([fd], [], [], 0.2)[0]:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child is gone
                break
            if not chunk:
                break
            seen += chunk
            if pending and seen[asked_at:].rstrip().endswith(b":"):
                os.write(fd, pending.pop(0).encode() + b"\r")
                asked_at = len(seen)
        else:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace").replace("\r\n", "\n")
