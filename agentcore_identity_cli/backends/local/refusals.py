"""Request members the local backend cannot honour: refused, never silently dropped.

Some members of the API point at things only AWS has (Secrets Manager secrets, KMS keys,
VPC Lattice endpoints, S3 certificates, IAM identity tokens). A request that sets one gets a
ValidationException naming the member, the reason and `--backend aws`, before any change is
made. The rules are data (data/local_refusals.json), so the list is read in one place.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

from agentcore_identity_cli.errors import ServiceError, validation


@cache
def rules() -> tuple[dict[str, str], ...]:
    """The refusal rules, in the order they are tried."""
    from agentcore_identity_cli.data import read_text

    text = read_text("local_refusals.json")
    return tuple(json.loads(text)["rules"])


def _members(value: Any, path: str) -> Iterator[tuple[str, str, Any]]:
    """(path, member name, value) of every member set anywhere in a request."""
    if isinstance(value, dict):
        for name, item in value.items():
            here = f"{path}.{name}" if path else name
            yield here, name, item
            yield from _members(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _members(item, f"{path}[{index}]")


def _matches(rule: dict[str, str], name: str, value: Any) -> bool:
    if "member" in rule and name != rule["member"]:
        return False
    if "memberSuffix" in rule and not name.endswith(rule["memberSuffix"]):
        return False
    return "value" not in rule or value == rule["value"]


def refusal(params: dict[str, Any]) -> ServiceError | None:
    """The ValidationException for the first member the local backend cannot honour, if any."""
    for path, name, value in _members(params, ""):
        for rule in rules():
            if _matches(rule, name, value):
                shown = f"{path}={value}" if "value" in rule else path
                return validation(f"{shown} cannot be used on the local backend: {rule['reason']}. Use --backend aws.")
    return None
