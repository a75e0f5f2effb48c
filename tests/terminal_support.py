"""The CLI as a separate process whose stdin and stdout are a pseudo-terminal of a given size.

stderr stays a pipe of its own, so that a test can tell what was shown in the terminal (the
data, through a pager when there is one) from the messages. The terminal's `\\r\\n` line
ends are turned back into `\\n`.
"""

from __future__ import annotations

import fcntl
import os
import select
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
