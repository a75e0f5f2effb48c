"""The constraints of one member of the API, and who judges them: the client or the service.

botocore checks a request before sending it (its ParamValidator): required members,
types, minimum lengths and minimum values. Patterns, enums and maximums are the service's
to judge, and it answers a `ValidationException`. The generated request models state each
member's constraints once, as a `Constraint` in the member's annotation; validating a
model checks the client's part always, and the service's part only when the validation
context asks for it (`SERVICE_CONTEXT`), which the local backend does, as the service would.

A failed service check reads in plain words derived from the constraint: the member, what
its pattern allows (data/patterns.json, one description per pattern of the models), its
enum with a did-you-mean, its length or range. Never the value: it may be a secret.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pydantic is imported where a model uses a constraint, not by the plain checks
    from pydantic import GetCoreSchemaHandler, ValidationInfo
    from pydantic_core import core_schema

# Validation context under which the service's checks run too.
SERVICE_CONTEXT: dict[str, bool] = {"service": True}

CLIENT_MIN = "client_min"  # botocore's own minimum check failed
SERVICE_CONSTRAINT = "service_constraint"  # a check the service makes failed

_UNITS = {"string": "characters", "list": "items", "map": "entries"}


@dataclass(frozen=True)
class Constraint:
    """What the service model says of one member: its minimum and maximum (length, or
    value for a number), its pattern, its enum."""

    kind: str  # "string", "list", "map" or "integer"
    min: int | None = None
    max: int | None = None
    pattern: str | None = None
    enum: tuple[str, ...] | None = None

    @property
    def max_length(self) -> int | None:
        """The longest string the member takes (read by the bounded readers of cli/params.py)."""
        return self.max if self.kind == "string" else None

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        from pydantic_core import core_schema

        return core_schema.with_info_after_validator_function(self._check, handler(source))

    def _check(self, value: Any, info: ValidationInfo) -> Any:
        from pydantic_core import PydanticCustomError

        measure = _measure(self.kind, value)
        if self.kind != "map" and self.min is not None and measure < self.min:
            # botocore checks minimums of strings, lists and numbers, not of maps.
            raise PydanticCustomError(
                CLIENT_MIN, "below the minimum", {"kind": self.kind, "minimum": self.min, "actual": measure}
            )
        context = info.context
        if isinstance(context, dict) and context.get("service") and not self.accepts(value):
            raise PydanticCustomError(SERVICE_CONSTRAINT, "{rule}", {"rule": self.rule(value)})
        return value

    def accepts(self, value: Any) -> bool:
        """Whether the service takes the value: every constraint, minimum included."""
        measure = _measure(self.kind, value)
        if self.min is not None and measure < self.min:
            return False
        if self.max is not None and measure > self.max:
            return False
        text = _revealed(value)
        if self.enum is not None and text not in self.enum:
            return False
        return self.pattern is None or _compiled(self.pattern).fullmatch(text) is not None

    def rule(self, value: Any = None) -> str:
        """The constraint in plain words, after the member's name: "may contain only ...".

        `value` serves only the did-you-mean of an enum, whose members are never secrets.
        """
        if self.enum is not None:
            text = "must be one of: " + ", ".join(self.enum)
            close = did_you_mean(value, self.enum) if isinstance(value, str) else None
            return text + (f" (did you mean '{close}'?)" if close else "")
        limits = self._limits()
        if self.pattern is not None:
            described = describe_pattern(self.pattern)
            return f"{described} ({limits})" if limits else described
        if self.kind == "integer":
            return f"must be {limits}"
        return f"must have {limits}" if self.kind != "string" else f"must be {limits} long"

    def _limits(self) -> str:
        low = self.min if self.min else None
        if self.kind == "integer":
            if self.min is not None and self.max is not None:
                return f"between {self.min} and {self.max}"
            return f"at least {self.min}" if self.max is None else f"at most {self.max}"
        unit = _UNITS[self.kind]
        if low is not None and self.max is not None:
            return f"{low} to {self.max} {unit}"
        if self.max is not None:
            return f"at most {self.max} {unit}"
        return f"at least {low} {unit}" if low is not None else ""


def _measure(kind: str, value: Any) -> int:
    if kind == "integer":
        return int(value)
    return len(_revealed(value))


def _revealed(value: Any) -> Any:
    """The value inside a pydantic SecretStr; any other value as it is."""
    reveal = getattr(value, "get_secret_value", None)
    return reveal() if reveal is not None else value


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    # The service matches the whole value (fullmatch): a final newline is not let through.
    return re.compile(f"(?:{pattern})")


@cache
def pattern_descriptions() -> dict[str, str]:
    """Pattern -> what it allows, in words (data/patterns.json)."""
    from agentcore_identity_cli.data import read_text

    text = read_text("patterns.json")
    table: dict[str, str] = json.loads(text)["patterns"]
    return table


def describe_pattern(pattern: str) -> str:
    """What a pattern of the models allows, in words; a test keeps every pattern described."""
    return pattern_descriptions().get(pattern, "is not in the form the service expects")


def did_you_mean(value: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """The choice the value was most likely meant to be: same letters in another case first."""
    folded = {choice.casefold(): choice for choice in choices}
    if value.casefold() in folded:
        return folded[value.casefold()]
    close = difflib.get_close_matches(value.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None
