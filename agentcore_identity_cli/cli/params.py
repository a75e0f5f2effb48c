"""Reading parameter values the AWS CLI way: file://, JSON, shorthand, and secrets.

Secrets come from `-` (stdin), `file://path`, or a hidden prompt on a terminal. A secret
typed on the command line still works, with a warning: other users can see it in `ps`
and it lands in shell history.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentcore_identity_cli.errors import UsageError
from agentcore_identity_cli.iostreams import IOStreams

FILE_PREFIX = "file://"

# Structured parameters whose value can hold a secret (a client secret, a payment provider's
# keys, a Privy request body): a parse error
# names the position but never repeats the value.
SECRET_BEARING = frozenset(
    {"--oauth2-provider-config-input", "--provider-configuration-input", "--payment-token-request"}
)


def read_file(value: str, flag: str) -> str:
    """The content of a file:// parameter."""
    path = Path(value[len(FILE_PREFIX) :]).expanduser()
    try:
        return path.read_text()
    except FileNotFoundError:
        raise UsageError(f"Error parsing parameter '{flag}': Unable to load paramfile {value}: no such file") from None
    except OSError as exc:
        raise UsageError(
            f"Error parsing parameter '{flag}': Unable to load paramfile {value}: {exc.strerror}"
        ) from None
    except UnicodeDecodeError:
        raise UsageError(f"Error parsing parameter '{flag}': {value} is not UTF-8 text") from None


def expand(value: str | None, flag: str) -> str | None:
    """A plain string parameter: file:// is replaced by the file's content (final newline dropped)."""
    if value is None or not value.startswith(FILE_PREFIX):
        return value
    return _chomp(read_file(value, flag))


def _chomp(text: str) -> str:
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text


def structure(value: str | None, flag: str) -> Any:
    """A structured parameter: JSON, shorthand, or file:// holding either."""
    if value is None:
        return None
    text = read_file(value, flag) if value.startswith(FILE_PREFIX) else value
    stripped = text.strip()
    echo = flag not in SECRET_BEARING
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(stripped)
        except json.JSONDecodeError as exc:
            received = f"\nJSON received: {_preview(stripped)}" if echo else ""
            raise UsageError(f"Error parsing parameter '{flag}': Invalid JSON: {exc}{received}") from None
    from agentcore_identity_cli.cli.shorthand import parse_shorthand

    return parse_shorthand(stripped, flag, echo=echo)


def _preview(text: str) -> str:
    return text if len(text) <= 200 else text[:200] + "..."


class SecretReader:
    """Reads secrets for one command; stdin can be used by one secret only."""

    def __init__(self, io: IOStreams) -> None:
        self.io = io
        self.stdin_used_by: str | None = None

    def read(self, value: str | None, flag: str, label: str, *, required: bool = True) -> str | None:
        """The secret given as `-`, file://, a literal (warned), or prompted for."""
        if value is None:
            if not required:
                return None
            if self.io.can_prompt:
                secret = self.io.prompt_secret(label)
                if not secret:
                    raise UsageError(f"No {label.lower()} was entered.")
                return secret
            raise UsageError(
                f"{flag} is required and there is no terminal to ask on.",
                hint=f"pass it on stdin with '{flag} -', or from a file with '{flag} file://PATH'",
            )
        if value == "-":
            if self.stdin_used_by is not None:
                raise UsageError(f"{flag} and {self.stdin_used_by} cannot both read standard input.")
            self.stdin_used_by = flag
            secret = _chomp(self.io.stdin.read())
        elif value.startswith(FILE_PREFIX):
            secret = _chomp(read_file(value, flag))
        else:
            self.io.warn(
                f"Warning: {flag} given on the command line can be seen by other users and is kept "
                f"in shell history; use '{flag} -' (stdin) or '{flag} file://PATH' instead."
            )
            secret = value
        if not secret:
            raise UsageError(f"The value of {flag} is empty.")
        return secret
