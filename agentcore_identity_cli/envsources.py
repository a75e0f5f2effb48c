"""The variables `run` and `env` set, and where each comes from.

Three sources, later ones winning: the inherited environment (only its variables whose value
is a reference, for `run`), the dotenv files of `--env-file` in the order given, and the
`--env NAME=REF` flags. A value that starts with `agentcore:` is a reference and must parse
as one; other values from a file pass through unchanged. Files are parsed by python-dotenv
(`export`, quotes, comments, `${VAR}` expansion); a line it cannot parse is refused with its
number, never its text, since the text may hold a value.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from agentcore_identity_cli.errors import UsageError
from agentcore_identity_cli.references import Reference, is_reference, parse_reference
from agentcore_identity_cli.secretfiles import read_text_file

MAX_ENV_FILE_BYTES = 1024 * 1024
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class EnvPlan:
    """Variables to set: plain values, and references to resolve first."""

    plain: dict[str, str] = field(default_factory=dict)
    references: dict[str, Reference] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)  # name -> where it was set, for messages

    def set(self, name: str, value: str, origin: str) -> None:
        """Set one variable from `origin`, replacing what an earlier source set."""
        self.plain.pop(name, None)
        self.references.pop(name, None)
        self.origins[name] = origin
        if is_reference(value):
            self.references[name] = parse_reference(value, f"{name} ({origin})")
        else:
            self.plain[name] = value

    @property
    def names(self) -> list[str]:
        """Every variable, in the order first set."""
        return list(self.origins)


def plan(
    flags: Iterable[str],
    files: Iterable[Path],
    *,
    environment: Mapping[str, str] | None = None,
) -> EnvPlan:
    """The variables of the inherited environment (references only), the files and the flags."""
    result = EnvPlan()
    for name, value in (environment or {}).items():
        if is_reference(value):
            result.set(name, value, "environment")
    for path in files:
        for name, value in read_env_file(path).items():
            result.set(name, value, str(path))
    for flag in flags:
        name, value = parse_env_flag(flag)
        result.set(name, value, "--env")
    return result


def parse_env_flag(flag: str) -> tuple[str, str]:
    """NAME=REF of --env; the value must be a reference (a literal secret does not belong in argv)."""
    name, sep, value = flag.partition("=")
    if not sep:
        raise UsageError(
            "Bad value for --env: it is not NAME=REF (the value is not shown).", hint="--env NAME=agentcore://..."
        )
    check_name(name, "--env")
    if not is_reference(value):
        raise UsageError(
            f"Bad value for --env {name}: the value is not an agentcore:// reference (it is not shown).",
            hint="--env takes NAME=agentcore://KIND/NAME; set plain values in the environment or an --env-file",
        )
    return name, value


def check_name(name: str, where: str) -> None:
    """An environment variable name: letters, digits and '_', not starting with a digit."""
    if not _NAME.fullmatch(name):
        raise UsageError(
            f"Bad variable name in {where}: '{_shown(name)}' (letters, digits and '_', not starting with a digit)."
        )


def read_env_file(path: Path) -> dict[str, str]:
    """A dotenv file's variables, in order; 252 when it cannot be read or parsed."""
    from dotenv import dotenv_values
    from dotenv.parser import parse_stream

    text = read_text_file(path, f"--env-file {path}", MAX_ENV_FILE_BYTES)
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            raise UsageError(f"Error parsing --env-file {path}: line {binding.original.line} is not NAME=VALUE.")
    values: dict[str, str] = {}
    for name, value in dotenv_values(stream=io.StringIO(text), interpolate=True).items():
        check_name(name, f"--env-file {path}")
        if value is None:
            raise UsageError(f"Error parsing --env-file {path}: {name} has no '=' and no value.")
        if "\0" in value:
            raise UsageError(f"Error parsing --env-file {path}: the value of {name} holds a NUL character.")
        values[name] = value
    return values


def _shown(text: str) -> str:
    return text if len(text) <= 80 else text[:80] + "..."
