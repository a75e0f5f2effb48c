"""The Condition block of a local access policy: the operators and keys that mean something locally.

Keys: `aws:ResourceTag/KEY` (the tags of the provider or workload identity the call is
about), `aws:PrincipalTag/KEY` (the tags of the calling workload identity), `aws:CurrentTime`
and `aws:EpochTime`. The local vault has no IAM principals, networks or MFA, so keys such as
aws:SourceIp or aws:MultiFactorAuthPresent are refused when the policy is put, rather than
silently never matching.

Semantics as IAM documents them: values of one key are ORed, keys and operators are ANDed;
a missing key makes an operator false, except the negated operators (true) and `...IfExists`
(true); `Null` tests presence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from agentcore_identity_cli.errors import ServiceError
from agentcore_identity_cli.policy.match import wildcard_match

_STRING = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
)
_NUMERIC = (
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
)
_DATE = (
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
)
OPERATORS = (*_STRING, *_NUMERIC, *_DATE, "Bool", "Null")
_TAG_KEY = re.compile(r"aws:(ResourceTag|PrincipalTag)/[\w.:/=+\-@ ]{1,128}", re.IGNORECASE)
_PLAIN_KEYS = {"aws:currenttime": "aws:CurrentTime", "aws:epochtime": "aws:EpochTime"}


@dataclass(frozen=True)
class Condition:
    """One operator applied to one key with its values."""

    operator: str  # without IfExists
    if_exists: bool
    key: str
    values: tuple[str, ...]

    def holds(self, context: Mapping[str, str]) -> bool:
        """Whether the condition is met by the request context (keys compared case-insensitively)."""
        actual = context.get(self.key.lower())
        if self.operator == "Null":
            wanted = self.values[0].lower() == "true"
            return (actual is None) == wanted
        negated = "Not" in self.operator
        if actual is None:
            return self.if_exists or negated
        hit = any(_compare(self.operator, actual, value) for value in self.values)
        return not hit if negated else hit


def _compare(operator: str, actual: str, value: str) -> bool:
    base = operator.replace("Not", "")
    if base.startswith("String"):
        if base == "StringLike":
            return wildcard_match(value, actual)
        if base == "StringEqualsIgnoreCase":
            return actual.lower() == value.lower()
        return actual == value
    if base == "Bool":
        return actual.lower() == value.lower()
    if base.startswith("Numeric"):
        left, right = float(actual), float(value)
    else:
        left, right = _date(actual), _date(value)
    test = base.removeprefix("Numeric").removeprefix("Date")
    return {
        "Equals": left == right,
        "LessThan": left < right,
        "LessThanEquals": left <= right,
        "GreaterThan": left > right,
        "GreaterThanEquals": left >= right,
    }[test]


def _date(text: str) -> float:
    """A time as IAM takes it: ISO 8601, or epoch seconds."""
    try:
        return float(text)
    except ValueError:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def _key(key: str, where: str, fail: Callable[[str], ServiceError]) -> str:
    if _TAG_KEY.fullmatch(key):
        return key
    if key.lower() in _PLAIN_KEYS:
        return _PLAIN_KEYS[key.lower()]
    raise fail(
        f"{where} uses the condition key '{key}', which has no meaning on the local vault; use "
        "aws:ResourceTag/KEY, aws:PrincipalTag/KEY, aws:CurrentTime or aws:EpochTime."
    )


def _check_value(operator: str, value: str, where: str, fail: Callable[[str], ServiceError]) -> None:
    try:
        if operator.startswith("Numeric"):
            float(value)
        elif operator.startswith("Date"):
            _date(value)
        elif operator in ("Bool", "Null") and value.lower() not in ("true", "false"):
            raise ValueError
    except ValueError:
        raise fail(f"{where}: '{value}' is not a valid value for {operator}.") from None


def parse_conditions(raw: Any, where: str, fail: Callable[[str], ServiceError]) -> tuple[Condition, ...]:
    """The conditions of a statement's Condition block, validated."""
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw:
        raise fail(
            f'{where} must be an object of operators, e.g. {{"StringEquals": {{"aws:ResourceTag/team": "support"}}}}.'
        )
    out: list[Condition] = []
    for operator, block in raw.items():
        base = operator.removesuffix("IfExists")
        if base not in OPERATORS or (base == "Null" and operator != base):
            supported = ", ".join(OPERATORS)
            raise fail(f"{where}: unknown condition operator '{operator}'; supported: {supported} (and ...IfExists).")
        if not isinstance(block, dict) or not block:
            raise fail(f"{where}.{operator} must be an object of condition keys to values.")
        for key, values in block.items():
            here = f"{where}.{operator}.{key}"
            items = values if isinstance(values, list) else [values]
            if not items or not all(isinstance(v, (str, bool, int, float)) for v in items):
                raise fail(f"{here} must be a string or a list of strings.")
            texts = tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in items)
            for value in texts:
                _check_value(base, value, here, fail)
            out.append(Condition(base, operator != base, _key(key, here, fail), texts))
    return tuple(out)
