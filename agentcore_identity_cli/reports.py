"""Compliance reports: inventory, policy checks for CI, and access review.

Each report is a function that returns a document (rendered like any response: json,
table, text, or CSV of its rows). Inventory and policy read the local vault; the access
review reads audit events, so it works on CloudTrail too.

Exit codes: a policy report with violations exits 1 (EXIT_POLICY_VIOLATIONS), distinct
from the 25x codes of errors, so a CI job can tell "the policy failed" from "the check
could not run".
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

from agentcore_identity_cli.auditlog import SECRET_READ, SUCCESS, EventFilter, format_age, format_duration

if TYPE_CHECKING:
    from agentcore_identity_cli.backends.local.core import LocalCore
    from agentcore_identity_cli.backends.local.vault import VaultStore

EXIT_POLICY_VIOLATIONS = 1

# resource kind in the vault -> what the report calls it
RESOURCE_KINDS = {
    "apikey": "apiKeyCredentialProvider",
    "oauth2": "oauth2CredentialProvider",
    "workload": "workloadIdentity",
}
INVENTORY_COLUMNS = (
    "kind",
    "name",
    "arn",
    "vendor",
    "createdTime",
    "lastUpdatedTime",
    "lastUsedTime",
    "tokensHeld",
)
TOKEN_COLUMNS = ("workload", "userId", "provider", "tokens", "expired", "nextExpiry", "lastExpiry")
VIOLATION_COLUMNS = ("rule", "kind", "name", "arn", "since", "age", "limit", "message")
ACCESS_COLUMNS = ("user", "workload", "userId", "target", "reads", "failedReads", "operations", "firstRead", "lastRead")

# The seam for held tokens: the table that keeps OAuth tokens, and its columns
# (workload identity name, user id, provider name, expiry in epoch seconds or NULL).
# A vault without the table reports no tokens.
TOKEN_TABLE = "oauth2_tokens"
TOKEN_TABLE_COLUMNS = ("workload", "user_id", "provider", "expires")


def _time(seconds: float | str | None) -> datetime | None:
    if seconds is None:
        return None
    if isinstance(seconds, str):
        return datetime.fromisoformat(seconds)
    return datetime.fromtimestamp(seconds, tz=UTC)


def token_holdings(store: VaultStore, now: datetime) -> list[dict[str, Any]]:
    """Tokens held per workload, user and provider: counts and expiry, never a value."""
    exists = store.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TOKEN_TABLE,))
    if exists.fetchone() is None:
        return []
    workload, user_id, provider, expires = TOKEN_TABLE_COLUMNS
    cutoff = now.timestamp()
    try:
        rows = store.db.execute(
            f"SELECT {workload}, {user_id}, {provider}, COUNT(*), "  # noqa: S608 - names are constants
            f"SUM(CASE WHEN {expires} IS NOT NULL AND {expires} < ? THEN 1 ELSE 0 END), "
            f"MIN(CASE WHEN {expires} >= ? THEN {expires} END), MAX({expires}) "
            f"FROM {TOKEN_TABLE} GROUP BY {workload}, {user_id}, {provider} ORDER BY {workload}, {user_id}, {provider}",
            (cutoff, cutoff),
        ).fetchall()
    except sqlite3.OperationalError:
        return []  # the table's columns changed: report none rather than fail the report
    return [
        {
            "workload": w,
            "userId": u,
            "provider": p,
            "tokens": int(count),
            "expired": int(expired or 0),
            "nextExpiry": _time(next_expiry),
            "lastExpiry": _time(last_expiry),
        }
        for w, u, p, count, expired, next_expiry, last_expiry in rows
    ]


def inventory(backend: LocalCore, now: datetime | None = None) -> dict[str, Any]:
    """Every credential provider and workload identity, with its times and the tokens it holds.

    lastUpdatedTime is when the record last changed; for a credential provider that is
    when its secret was last set (rotated). lastUsedTime is the last successful secret
    read naming it (as target, or as the workload that asked) in the audit trail.
    """
    now = now or datetime.now(UTC)
    store = backend.store
    by_target, by_workload = backend.audit.last_used()
    tokens = token_holdings(store, now)
    resources: list[dict[str, Any]] = []
    for kind, label in RESOURCE_KINDS.items():
        for row in _all_rows(store, kind):
            used = [
                t
                for t in (by_target.get(row["arn"]), by_workload.get(row["name"]) if kind == "workload" else None)
                if t
            ]
            if kind == "workload":
                held = sum(t["tokens"] for t in tokens if t["workload"] == row["name"])
            elif kind == "oauth2":
                held = sum(t["tokens"] for t in tokens if t["provider"] == row["name"])
            else:
                held = 0
            resources.append(
                {
                    "kind": label,
                    "name": row["name"],
                    "arn": row["arn"],
                    "vendor": row["attrs"].get("vendor"),
                    "createdTime": _time(row["created"]),
                    "lastUpdatedTime": _time(row["updated"]),
                    "lastUsedTime": _time(max(used)) if used else None,
                    "tokensHeld": held,
                }
            )
    key_updated = store.meta("key_updated")
    vault: dict[str, Any] = {
        "hasKey": store.meta("key_check") is not None,
        "keyLastRotatedTime": _time(float(key_updated)) if key_updated else None,
    }
    return {"generatedTime": now, "tokenVault": vault, "resources": resources, "tokens": tokens}


def _all_rows(store: VaultStore, kind: str) -> Iterator[dict[str, Any]]:
    after: str | None = None
    while True:
        rows = store.page(kind, after, 500)
        yield from rows
        if len(rows) < 500:
            return
        after = rows[-1]["name"]


def policy(
    backend: LocalCore,
    *,
    max_age: timedelta | None,
    unused_for: timedelta | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Violations of a credential policy; an empty list means the vault complies.

    max-age: a credential provider whose secret was set longer ago than max_age, and the
    vault key when it was last rotated longer ago. unused: a provider or workload identity
    that has not read a secret for unused_for (counted from its creation when never used).
    """
    now = now or datetime.now(UTC)
    report = inventory(backend, now)
    violations: list[dict[str, Any]] = []

    def add(
        rule: str, kind: str, name: str | None, arn: str | None, since: datetime, limit: timedelta, what: str
    ) -> None:
        age = now - since
        violations.append(
            {
                "rule": rule,
                "kind": kind,
                "name": name,
                "arn": arn,
                "since": since,
                "age": format_age(age),
                "limit": format_duration(limit),
                "message": what.format(age=format_age(age), limit=format_duration(limit)),
            }
        )

    for item in report["resources"]:
        secret = item["kind"] != RESOURCE_KINDS["workload"]
        if max_age is not None and secret and now - item["lastUpdatedTime"] > max_age:
            add(
                "max-age",
                item["kind"],
                item["name"],
                item["arn"],
                item["lastUpdatedTime"],
                max_age,
                "secret set {age} ago, more than {limit}: rotate it",
            )
        if unused_for is not None:
            since = item["lastUsedTime"] or item["createdTime"]
            if now - since > unused_for:
                add(
                    "unused",
                    item["kind"],
                    item["name"],
                    item["arn"],
                    since,
                    unused_for,
                    "no secret read for {age}, more than {limit}: delete it if it is not needed"
                    if item["lastUsedTime"]
                    else "never used in {age}, more than {limit}: delete it if it is not needed",
                )
    vault = report["tokenVault"]
    if max_age is not None and vault["hasKey"] and vault["keyLastRotatedTime"] is not None:
        if now - vault["keyLastRotatedTime"] > max_age:
            from agentcore_identity_cli.backends.local import arns

            add(
                "max-age",
                "tokenVault",
                arns.TOKEN_VAULT,
                arns.token_vault_arn(),
                vault["keyLastRotatedTime"],
                max_age,
                "vault key rotated {age} ago, more than {limit}: run reset-token-vault-key-material",
            )
    return {
        "generatedTime": now,
        "policy": {
            "maxAge": format_duration(max_age) if max_age is not None else None,
            "unusedFor": format_duration(unused_for) if unused_for is not None else None,
        },
        "checked": len(report["resources"]) + (1 if vault["hasKey"] else 0),
        "compliant": not violations,
        "violations": violations,
    }


def access_review(events: Iterable[dict[str, Any]], since: datetime, until: datetime | None) -> dict[str, Any]:
    """Who (OS user, workload, user id) read which credential, how often, and when."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for event in events:
        if event.get("category") != SECRET_READ:
            continue
        key = (event.get("user"), event.get("workload"), event.get("userId"), event.get("target"))
        row = groups.setdefault(
            key,
            {
                "user": key[0],
                "workload": key[1],
                "userId": key[2],
                "target": key[3],
                "reads": 0,
                "failedReads": 0,
                "operations": set(),
                "firstRead": None,
                "lastRead": None,
            },
        )
        row["operations"].add(event.get("operation"))
        if event.get("outcome") != SUCCESS:
            row["failedReads"] += 1
            continue
        row["reads"] += 1
        time = event.get("eventTime")
        if time is not None:
            row["firstRead"] = time if row["firstRead"] is None else min(row["firstRead"], time)
            row["lastRead"] = time if row["lastRead"] is None else max(row["lastRead"], time)
    rows = sorted(
        groups.values(), key=lambda r: (str(r["target"]), str(r["user"]), str(r["workload"]), str(r["userId"]))
    )
    for row in rows:
        row["operations"] = sorted(str(op) for op in row["operations"])
    return {"since": since, "until": until, "accesses": rows}


def secret_reads(since: datetime, until: datetime | None) -> EventFilter:
    """The events an access review reads."""
    return EventFilter(since=since, until=until, category=SECRET_READ)


def write_csv(rows: list[dict[str, Any]], columns: tuple[str, ...], stream: IO[str]) -> None:
    """Rows as CSV with a header line: times in ISO 8601, lists joined with ';', None empty."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(column)) for column in columns])


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return ";".join(str(v) for v in value)
    return str(value)
