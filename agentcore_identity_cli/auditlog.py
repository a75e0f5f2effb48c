"""What both backends share about audit events: their classes, columns, filters and times.

An event, as `audit list` prints it on either backend (local vault or CloudTrail), has the
members of EVENT_COLUMNS. The local backend writes them (backends/local/audit.py); the aws
backend reads them from CloudTrail (backends/cloudtrail.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from agentcore_identity_cli.errors import UsageError

CHANGE = "change"
SECRET_READ = "secret-read"
READ = "read"
SUCCESS = "success"

# The members of an event, in the order tables and CSV show them.
EVENT_COLUMNS = (
    "eventId",
    "eventTime",
    "user",
    "workload",
    "userId",
    "operation",
    "category",
    "target",
    "outcome",
    "toolVersion",
)


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    from agentcore_identity_cli.data import read_text

    text = read_text("audit.json")
    table: dict[str, Any] = json.loads(text)
    return table


def classify(operation: str) -> str:
    """change, secret-read or read: what the audit trail does with an operation (data/audit.json)."""
    table = _table()
    known = table["operations"].get(operation)
    if known is not None:
        return str(known)
    from agentcore_identity_cli.backends.base import operations

    if operations().get(operation, {}).get("secret_output"):
        return SECRET_READ
    if any(operation.startswith(verb) for verb in table["readVerbs"]):
        return READ
    return CHANGE


def normalize_operation(name: str) -> str:
    """`create-api-key-credential-provider` and `CreateApiKeyCredentialProvider` compare equal."""
    return name.replace("-", "").replace("_", "").lower()


# --- times ------------------------------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str, flag: str) -> timedelta:
    """`90d`, `12h`, `30m`, `2w`, `45s` as a timedelta; a usage error (252) otherwise."""
    match = _DURATION.match(text)
    if not match:
        raise UsageError(f"Bad value for {flag}: '{text}' is not a duration such as 90d, 12h, 30m or 2w.")
    try:
        return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    except OverflowError:
        raise UsageError(f"Bad value for {flag}: '{text}' is longer than {timedelta.max.days} days.") from None


def parse_time(text: str, flag: str, now: datetime | None = None) -> datetime:
    """An ISO 8601 time (UTC when it names no offset) or a duration back from now (`7d`)."""
    now = now or datetime.now(UTC)
    if _DURATION.match(text):
        try:
            return now - parse_duration(text, flag)
        except OverflowError:
            raise UsageError(f"Bad value for {flag}: '{text}' reaches back before the year 1.") from None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"Bad value for {flag}: '{text}' is neither an ISO 8601 time (2025-01-31T12:00:00Z) nor a duration (7d)."
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_SPANS = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))


def format_duration(delta: timedelta) -> str:
    """A limit the way people write policies: the largest unit that counts it exactly.

    90d, 36h, 90m, 45s: what parse_duration reads back (weeks are written as days).
    """
    seconds = max(int(delta.total_seconds()), 0)
    for unit, size in _SPANS:
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return "0s"


def format_age(delta: timedelta) -> str:
    """How long something has been, rounded down to its two largest units: 120d, 3d4h, 1h5m, 1m30s, 45s."""
    seconds = max(int(delta.total_seconds()), 0)
    for index, (unit, size) in enumerate(_SPANS):
        if seconds >= size or size == 1:
            text = f"{seconds // size}{unit}"
            if index + 1 < len(_SPANS):
                smaller, smaller_size = _SPANS[index + 1]
                rest = (seconds % size) // smaller_size
                text += f"{rest}{smaller}" if rest else ""
            return text
    return "0s"  # not reached: the last span is one second


# --- filters ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilter:
    """What `audit list` and the reports select. Every member set must match."""

    since: datetime | None = None
    until: datetime | None = None
    operation: str | None = None
    target: str | None = None
    outcome: str | None = None
    user: str | None = None
    workload: str | None = None
    category: str | None = None

    def matches(self, event: dict[str, Any]) -> bool:
        """True when an event (in EVENT_COLUMNS form) passes every filter."""
        time = event.get("eventTime")
        if self.since is not None and (time is None or time < self.since):
            return False
        if self.until is not None and (time is None or time >= self.until):
            return False
        if self.operation is not None and normalize_operation(str(event.get("operation") or "")) != (
            normalize_operation(self.operation)
        ):
            return False
        if self.target is not None and not target_matches(event.get("target"), self.target):
            return False
        if self.outcome is not None and not outcome_matches(str(event.get("outcome") or ""), self.outcome):
            return False
        if self.user is not None and event.get("user") != self.user:
            return False
        if self.workload is not None and event.get("workload") != self.workload:
            return False
        return self.category is None or event.get("category") == self.category


def target_matches(target: str | None, wanted: str) -> bool:
    """An exact ARN, or the name at its end (`openai` matches `.../apikeycredentialprovider/openai`)."""
    if not target:
        return False
    return target == wanted or target.endswith("/" + wanted)


def outcome_matches(outcome: str, wanted: str) -> bool:
    """`success`, `failure` (anything but success), or one error code."""
    if wanted == "failure":
        return outcome != SUCCESS
    return outcome == wanted


# --- pages ------------------------------------------------------------------------------

Fetch = Callable[[str | None, int | None], tuple[list[dict[str, Any]], str | None]]


def collect(fetch: Fetch, max_items: int | None, starting_token: str | None, page_size: int | None) -> dict[str, Any]:
    """Walk pages of events the way AppContext.call_paginated walks an AWS list.

    `fetch(token, size)` returns one page (already filtered) and the token of the next.
    The result holds `events` and, when --max-items stopped the walk early, `NextToken`.
    """
    from agentcore_identity_cli.cli.context import decode_cli_token, encode_cli_token

    token, skip = decode_cli_token(starting_token)
    items: list[dict[str, Any]] = []
    result: dict[str, Any] = {}
    while True:
        whole, next_token = fetch(token, page_size)
        page = whole[skip:]
        if max_items is not None and len(items) + len(page) >= max_items:
            need = max_items - len(items)
            items.extend(page[:need])
            if need < len(page):
                result["NextToken"] = encode_cli_token(token, skip + need)
            elif next_token:
                result["NextToken"] = encode_cli_token(next_token, 0)
            break
        items.extend(page)
        skip = max(0, skip - len(whole))
        token = next_token
        if not token:
            break
    return {"events": items, **result}
