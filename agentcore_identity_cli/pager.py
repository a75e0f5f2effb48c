"""Output to a terminal through the configured pager, as the AWS CLI v2 sends it.

Follows AWS CLI v2's awscli/utils.py (OutputStreamFactory, LazyPager) and awscli/compat.py
(get_popen_kwargs_for_pager_cmd): the pager is used only when stdout is a terminal and a
pager is configured; its command line is split as a shell would (shlex); it is started on
the first write, so a command that prints nothing starts none; `LESS=FRX` is set when LESS
is unset (quit if one screen, raw colour codes, no screen clearing); a pager closed before
the end of the output (`q`) is no error. Unlike v2 there is no default pager: AWS_PAGER or a
profile's cli_pager must name one.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from agentcore_identity_cli.errors import ConfigError
from agentcore_identity_cli.iostreams import IOStreams

DEFAULT_LESS_FLAGS = "FRX"


class LazyPager:
    """A text stream that starts the pager on the first write and feeds it what is written."""

    def __init__(self, command: str, encoding: str, errors: str) -> None:
        self.command = command
        self.encoding = encoding
        self._errors = errors
        self._process: subprocess.Popen[str] | None = None

    @property
    def started(self) -> bool:
        """Whether anything was written, and so the pager runs."""
        return self._process is not None

    def _stdin(self) -> IO[str]:
        if self._process is None:
            env = dict(os.environ)
            env.setdefault("LESS", DEFAULT_LESS_FLAGS)
            try:
                self._process = subprocess.Popen(
                    shlex.split(self.command),
                    stdin=subprocess.PIPE,
                    env=env,
                    text=True,
                    encoding=self.encoding,
                    errors=self._errors,
                )
            except (OSError, ValueError) as exc:
                raise ConfigError(
                    f"Unable to redirect output to pager. Received the following error when opening pager:\n{exc}",
                    hint="set AWS_PAGER or the profile's cli_pager to a command on PATH "
                    "(an empty value turns the pager off), or pass --no-cli-pager",
                ) from None
        assert self._process.stdin is not None
        return self._process.stdin

    def write(self, text: str) -> int:
        """Send text to the pager (starting it first)."""
        return self._stdin().write(text)

    def flush(self) -> None:
        """Flush what was written to the pager, if it was started."""
        if self._process is not None and self._process.stdin is not None:
            self._process.stdin.flush()

    def isatty(self) -> bool:
        """A pager reads what it is given from a pipe."""
        return False

    def close(self) -> None:
        """End the pager's input and wait until the user leaves it."""
        if self._process is None:
            return
        try:
            if self._process.stdin is not None:
                self._process.stdin.close()
        except OSError:
            pass  # the pager ended before reading everything
        with _sigint_ignored():
            # The pager has the terminal: Ctrl-C there is the pager's (less stops a search);
            # leaving before it ends would hand the terminal back to the shell under it.
            self._process.wait()


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def output_stream(io: IOStreams, pager: str | None) -> Iterator[Any]:
    """stdout, or the pager when one is configured and stdout is a terminal."""
    if not pager or not pager.strip() or not io.stdout_is_tty:
        yield io.stdout
        return
    stream = LazyPager(
        pager,
        encoding=getattr(io.stdout, "encoding", None) or "utf-8",
        errors=getattr(io.stdout, "errors", None) or "strict",
    )
    try:
        yield stream
    except BrokenPipeError:
        pass  # the user left the pager before the end of the output
    finally:
        stream.close()
