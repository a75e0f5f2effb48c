"""Reading parameter values the AWS CLI way: file://, JSON, shorthand, and secrets.

Secrets come from `-` (stdin), `file://path`, or a hidden prompt on a terminal. A secret
typed on the command line still works, with a warning: other users can see it in `ps`
and it lands in shell history.

Every read is bounded: a value is read up to its member's maximum length in the request
models (or UNTYPED_MAX_CHARS when no member names it) plus a little to notice overflow, so
`file:///dev/zero` or `< /dev/zero` is refused at once instead of filling memory; file://
accepts regular files only, since a FIFO or a device could block or never end.
"""

from __future__ import annotations

import functools
import json
import os
import stat
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agentcore_identity_cli.errors import UsageError
from agentcore_identity_cli.iostreams import IOStreams

FILE_PREFIX = "file://"
UNTYPED_MAX_CHARS = 128 * 1024
# A final newline (\r\n) is dropped from values, so it does not count against the maximum.
_NEWLINE_ALLOWANCE = 2
_UTF8_MAX_BYTES = 4

# Structured parameters whose value can hold a secret (a client secret, a payment provider's
# keys, a Privy request body): a parse error
# names the position but never repeats the value.
SECRET_BEARING = frozenset(
    {"--oauth2-provider-config-input", "--provider-configuration-input", "--payment-token-request"}
)


def flag_max_chars(flag: str) -> int:
    """The largest value a flag may carry: its request member's max_length, else UNTYPED_MAX_CHARS."""
    head, *rest = flag.lstrip("-").split("-")
    return _member_max_lengths().get(head + "".join(word.capitalize() for word in rest), UNTYPED_MAX_CHARS)


@functools.cache
def _member_max_lengths() -> dict[str, int]:
    """max_length of every string member of the request models, by member name (the largest wins)."""
    import importlib
    import pkgutil

    from pydantic import BaseModel

    from agentcore_identity_cli.models import generated

    found: dict[str, int] = {}
    for module_info in pkgutil.iter_modules(generated.__path__):
        module = importlib.import_module(f"{generated.__name__}.{module_info.name}")
        for model in vars(module).values():
            if not (isinstance(model, type) and issubclass(model, BaseModel)):
                continue
            for name, info in model.model_fields.items():
                stated = info.metadata if _is_text(info.annotation) else []
                limit = _max_length([*stated, info.annotation])
                if limit is not None:
                    found[name] = max(found.get(name, 0), limit)
    return found


def _is_text(annotation: Any) -> bool:
    return annotation is str or getattr(annotation, "__name__", "") == "SecretStr"


def _max_length(candidates: list[Any]) -> int | None:
    """The max_length stated for a string member, looking through Optional and Annotated."""
    for item in candidates:
        value = getattr(item, "max_length", None)
        if isinstance(value, int):
            return value
        for constraint in getattr(item, "metadata", None) or ():
            value = getattr(constraint, "max_length", None)
            if isinstance(value, int):
                return value
        if typing.get_origin(item) is typing.Union or type(item).__name__ == "UnionType":
            nested = _max_length([arg for arg in typing.get_args(item) if arg is not type(None)])
            if nested is not None:
                return nested
        elif typing.get_origin(item) is typing.Annotated:
            base, *extra = typing.get_args(item)
            if _is_text(base):
                nested = _max_length(extra)
                if nested is not None:
                    return nested
    return None


def _too_long(flag: str, limit: int) -> UsageError:
    return UsageError(f"The value of {flag} is longer than its maximum of {limit} characters; it was not read in full.")


def _bounded(text: str, flag: str, limit: int) -> str:
    text = _chomp(text)
    if len(text) > limit:
        raise _too_long(flag, limit)
    return text


def read_file(value: str, flag: str, limit: int | None = None) -> str:
    """The content of a file:// parameter: a regular file, read up to `limit` characters.

    The final newline is kept (structured values ignore it, plain ones drop it).
    """
    limit = flag_max_chars(flag) if limit is None else limit
    path = Path(value[len(FILE_PREFIX) :]).expanduser()
    prefix = f"Error parsing parameter '{flag}': Unable to load paramfile {value}"
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UsageError(f"{prefix}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{prefix}: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UsageError(f"{prefix}: not a regular file (a FIFO, device or folder cannot be read)")
    os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as handle:
        budget = (limit + _NEWLINE_ALLOWANCE) * _UTF8_MAX_BYTES
        try:
            data = handle.read(budget + 1)
        except OSError as exc:
            raise UsageError(f"{prefix}: {exc.strerror}") from None
    if len(data) > budget:
        raise _too_long(flag, limit)
    try:
        text = data.decode()
    except UnicodeDecodeError:
        raise UsageError(f"Error parsing parameter '{flag}': {value} is not UTF-8 text") from None
    if len(_chomp(text)) > limit:
        raise _too_long(flag, limit)
    return text


def read_stream(stream: typing.IO[str], flag: str, limit: int | None = None) -> str:
    """At most `limit` characters of a text stream (stdin), final newline dropped."""
    limit = flag_max_chars(flag) if limit is None else limit
    return _bounded(_text(lambda: stream.read(limit + _NEWLINE_ALLOWANCE + 1), flag, "standard input"), flag, limit)


def _text(read: Callable[[], str], flag: str, source: str) -> str:
    """What `read` returns, refused (252) unless it is UTF-8 text.

    Python decodes stdin and the terminal strictly under most locales, and with
    surrogateescape under C and POSIX ones: bytes that are not UTF-8 then arrive as lone
    surrogates, which nothing downstream (the vault, the output) can encode.
    """
    try:
        text = read()
        text.encode()
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise UsageError(f"Error parsing parameter '{flag}': {source} is not UTF-8 text") from None
    return text


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
        except RecursionError:
            raise UsageError(f"Error parsing parameter '{flag}': Invalid JSON: nested too deeply") from None
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
                secret = _text(lambda: self.io.prompt_secret(label), flag, "the value typed")
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
            secret = read_stream(self.io.stdin, flag)
        elif value.startswith(FILE_PREFIX):
            secret = _chomp(read_file(value, flag))
        else:
            warn_secret_on_command_line(self.io, flag, f"use '{flag} -' (stdin) or '{flag} file://PATH' instead")
            secret = value
        if not secret:
            raise UsageError(f"The value of {flag} is empty.")
        return secret


def warn_secret_on_command_line(io: IOStreams, subject: str, advice: str) -> None:
    """The one warning for a secret typed as a command-line argument: `ps` shows it to other
    users and the shell keeps it in its history. It still works, for compatibility."""
    io.warn(
        f"Warning: {subject} given on the command line can be seen by other users and is kept in shell history; "
        f"{advice}."
    )


def scope_list(values: list[str] | None, flag: str = "--scopes") -> list[str] | None:
    """Scopes typed by hand: words after one flag, words in one quoted value, or a JSON list.

    `--scopes read write`, `--scopes 'read write'` and `--scopes '["read", "write"]'` (the form
    AgentCore's own examples use) give the same list.
    """
    if values is None:
        return None
    scopes: list[str] = []
    for value in values:
        text = value.strip()
        if not text.startswith("["):
            scopes.extend(text.split())
            continue
        try:
            parsed = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            parsed = None
        if not isinstance(parsed, list) or not all(isinstance(item, str) for item in parsed):
            raise UsageError(
                f"Error parsing parameter '{flag}': expected scopes as words (read write) or a JSON list of "
                f'strings (["read", "write"]), received: {_preview(text)}'
            )
        scopes.extend(item.strip() for item in parsed if item.strip())
    return scopes
