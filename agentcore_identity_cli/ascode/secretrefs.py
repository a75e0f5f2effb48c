"""Secret references in a definition file: `env:NAME`, `file:PATH`, `prompt`, `agentcore://...`.

A file names where each secret comes from and never holds one, so it can be reviewed and
committed. Anything else in a secret field is refused before anything is called.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from agentcore_identity_cli.errors import UsageError
from agentcore_identity_cli.references import is_reference, parse_reference

PREFIX = "AGENTCORE_SECRET_"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FORMS = "env:NAME, file:PATH, prompt, or agentcore://api-key/PROVIDER[?profile=P]"


def env_name(provider: str, member: str) -> str:
    """AGENTCORE_SECRET_<PROVIDER>_<FIELD>: upper case, non-alphanumerics as `_` (clientSecret -> CLIENT_SECRET)."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", member)
    return PREFIX + re.sub(r"[^A-Za-z0-9]", "_", f"{provider}_{words}").upper()


def check_reference(value: object, where: str) -> str:
    """The reference text, or UsageError (252) for a literal secret or a malformed reference."""
    if not isinstance(value, str):
        raise UsageError(f"{where} must be a secret reference ({FORMS}), not a {type(value).__name__}.")
    if value == "prompt":
        return value
    if value.startswith("env:"):
        if not _ENV_NAME.fullmatch(value[4:]):
            raise UsageError(f"{where}: '{value}' does not name an environment variable.")
        return value
    if value.startswith("file:"):
        if not value[5:]:
            raise UsageError(f"{where}: 'file:' needs a path.")
        return value
    if is_reference(value):
        _split_profile(value, where)
        return value
    # Never repeat the value: it is most likely the secret itself.
    raise UsageError(
        f"{where} holds a literal value; a definition file takes secrets only as references ({FORMS}).",
        hint="export the secret in an environment variable and write env:NAME",
    )


def _split_profile(text: str, where: str) -> tuple[str, str | None]:
    """(the reference without `profile=`, the profile it names): the vault it is read from."""
    base, _, query = text.partition("?")
    profile = None
    kept = []
    for pair in query.split("&") if query else []:
        key, _, value = pair.partition("=")
        if key == "profile":
            profile = value or None
        else:
            kept.append(pair)
    plain = base + ("?" + "&".join(kept) if kept else "")
    reference = parse_reference(plain, where)
    if reference.kind != "api-key":
        raise UsageError(
            f"{where}: only agentcore://api-key/PROVIDER names a stored secret; {reference.kind} references "
            "resolve to tokens."
        )
    return plain, profile


@dataclass
class SecretSource:
    """Resolves references to values, once each; `prompt` asks only where a terminal can answer."""

    prompt: Callable[[str], str] | None = None
    base_dir: Path = field(default_factory=Path.cwd)
    # agentcore:// references: (reference text, profile) -> value, supplied by the CLI.
    read_stored: Callable[[str, str | None], str] | None = None
    # Values read on demand in place of a reference (migrate --secrets copy): reference -> reader.
    copied: dict[str, Callable[[], str]] = field(default_factory=dict)
    _cache: dict[str, str] = field(default_factory=dict)

    def available(self, reference: str) -> bool:
        """Whether resolving it would not need a person (plan resolves only these)."""
        if reference in self.copied:
            return True
        if reference.startswith("env:"):
            return reference[4:] in os.environ
        if reference.startswith("file:"):
            return self._path(reference).is_file()
        if reference == "prompt":
            return reference in self._cache
        return self.read_stored is not None

    def resolve(self, reference: str, label: str) -> str:
        """The secret a reference names; UsageError (252, as for a secret flag that cannot be read) saying which."""
        key = f"{reference}\0{label}" if reference == "prompt" else reference
        if key in self._cache:
            return self._cache[key]
        value = self._read(reference, label)
        if not value:
            raise UsageError(f"The secret for {label} ({reference}) is empty.")
        self._cache[key] = value
        return value

    def _path(self, reference: str) -> Path:
        path = Path(reference[5:].removeprefix("//")).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def _read(self, reference: str, label: str) -> str:
        if reference in self.copied:
            return self.copied[reference]()
        if reference.startswith("env:"):
            name = reference[4:]
            if name not in os.environ:
                raise UsageError(f"The secret for {label} is read from ${name}, which is not set.")
            return os.environ[name]
        if reference.startswith("file:"):
            path = self._path(reference)
            try:
                return path.read_text().rstrip("\r\n")
            except OSError as exc:
                raise UsageError(f"The secret for {label} could not be read from {path}: {exc.strerror}.") from None
        if reference == "prompt":
            if self.prompt is None:
                raise UsageError(
                    f"The secret for {label} is to be typed ('prompt'), but there is no terminal to ask on.",
                    hint="use env:NAME or file:PATH in CI",
                )
            return self.prompt(f"Secret for {label}")
        if self.read_stored is None:
            raise UsageError(f"agentcore:// references cannot be resolved here ({label}).")
        plain, profile = _split_profile(reference, label)
        return self.read_stored(plain, profile)
