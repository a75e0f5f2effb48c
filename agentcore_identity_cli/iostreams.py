"""All terminal I/O of a command goes through one object.

It knows whether stdout is a terminal (table or JSON by default), whether colour is on,
and whether the user can be prompted. Data goes to stdout; messages to stderr.

Colour is `on`, `off` or `auto` (--color, as in the AWS CLI): auto colours only a terminal,
and NO_COLOR (set and not empty, no-color.org) turns auto off; --no-color is --color off.
"""

from __future__ import annotations

import os
import sys
from typing import IO, TextIO, cast


class IOStreams:
    """The streams of one invocation and what they are attached to."""

    def __init__(
        self,
        stdin: IO[str] | None = None,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
        *,
        no_color: bool = False,
        color: str = "auto",
    ) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        if no_color or (color == "auto" and os.environ.get("NO_COLOR")):
            color = "off"
        self.color_mode = color

    @staticmethod
    def _isatty(stream: IO[str]) -> bool:
        try:
            return stream.isatty()
        except (AttributeError, ValueError):
            return False

    @property
    def stdout_is_tty(self) -> bool:
        """True when a person reads stdout."""
        return self._isatty(self.stdout)

    @property
    def stderr_is_tty(self) -> bool:
        """True when a person reads stderr (spinners, prompts)."""
        return self._isatty(self.stderr)

    @property
    def can_prompt(self) -> bool:
        """Prompts need a terminal on both ends, and never in CI."""
        return self._isatty(self.stdin) and self.stderr_is_tty

    @property
    def no_color(self) -> bool:
        """True when nothing may be coloured (--color off, --no-color, NO_COLOR)."""
        return self.color_mode == "off"

    @property
    def color(self) -> bool:
        """Whether stdout is coloured: always with --color on; with auto, only on a terminal."""
        if self.color_mode == "on":
            return True
        return self.color_mode == "auto" and self.stdout_is_tty

    def warn(self, message: str) -> None:
        """One line on stderr."""
        self.stderr.write(message.rstrip("\n") + "\n")
        self.stderr.flush()

    def prompt_secret(self, label: str) -> str:
        """Read a secret from the terminal without echoing it."""
        import getpass

        return getpass.getpass(f"{label}: ", stream=cast(TextIO, self.stderr))
