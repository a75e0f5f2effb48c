"""The least-privilege half of `report access-review`: per workload identity, what its access
policy allows against what it used in the period, and the allowed credentials it never used.

"Allowed" is what the vault would decide now (backends/local/access.py `decide`) for the
action that hands out each provider's credential; "used" is a successful secret read of the
provider by the workload in the audit trail. An allowed-but-unused credential is a grant to
narrow; refused attempts are counted, since they show a workload reaching for more.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from agentcore_identity_cli.auditlog import SECRET_READ, SUCCESS
from agentcore_identity_cli.backends.local import arns
from agentcore_identity_cli.policy.actions import PROVIDER_ACTIONS

if TYPE_CHECKING:
    from agentcore_identity_cli.backends.local.access import AccessMixin

# provider kind -> what the report calls it (as `report inventory` does)
_KIND_NAMES = {
    "apikey": "apiKeyCredentialProvider",
    "oauth2": "oauth2CredentialProvider",
    "payment": "paymentCredentialProvider",
}


def _names(backend: AccessMixin, kind: str) -> Iterator[str]:
    after: str | None = None
    while True:
        rows = backend.store.page(kind, after, 500)
        yield from (row["name"] for row in rows)
        if len(rows) < 500:
            return
        after = rows[-1]["name"]


def _usage(events: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(workload, target ARN) -> reads, refusals and the last read, from secret-read events."""
    usage: dict[tuple[str, str], dict[str, Any]] = {}
    for event in events:
        workload, target = event.get("workload"), event.get("target")
        if event.get("category") != SECRET_READ or not workload or not target:
            continue
        row = usage.setdefault((workload, arns.canonical(target)), {"reads": 0, "denied": 0, "lastRead": None})
        if event.get("outcome") == SUCCESS:
            row["reads"] += 1
            when = event.get("eventTime")
            if when is not None and (row["lastRead"] is None or when > row["lastRead"]):
                row["lastRead"] = when
        elif event.get("outcome") == "AccessDeniedException":
            row["denied"] += 1
    return usage


def workload_review(backend: AccessMixin, events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One flat row per (workload identity, credential) granted or reached for, so that it reads as a
    table: allowed or not (and what decided), reads and refusals in the period, and the flag
    `allowedButUnused`. A workload with nothing granted nor attempted gets one row with no credential."""
    usage = _usage(events)
    providers = [(kind, name) for kind in PROVIDER_ACTIONS for name in _names(backend, kind)]
    rows: list[dict[str, Any]] = []
    for workload in _names(backend, "workload"):
        has_policy = backend.workload_policy(workload) is not None
        before = len(rows)
        for kind, name in providers:
            arn = arns.provider_arn(kind, name)
            decision = backend.decide(workload, PROVIDER_ACTIONS[kind], arn)
            used = usage.get((workload, arn), {"reads": 0, "denied": 0, "lastRead": None})
            if not decision.allowed and not used["reads"] and not used["denied"]:
                continue  # neither granted nor reached for: nothing to review
            rows.append(
                {
                    "workload": workload,
                    "hasAccessPolicy": has_policy,
                    "kind": _KIND_NAMES[kind],
                    "credential": name,
                    "allowed": decision.allowed,
                    "reads": used["reads"],
                    "deniedReads": used["denied"],
                    "lastRead": used["lastRead"],
                    "allowedButUnused": decision.allowed and not used["reads"],
                    "decidedBy": decision.reason,
                }
            )
        if len(rows) == before:
            rows.append(
                {
                    "workload": workload,
                    "hasAccessPolicy": has_policy,
                    "kind": None,
                    "credential": None,
                    "allowed": False,
                    "reads": 0,
                    # its refusals anywhere (its own workload token included)
                    "deniedReads": sum(u["denied"] for (who, _), u in usage.items() if who == workload),
                    "lastRead": None,
                    "allowedButUnused": False,
                    "decidedBy": "no credential is allowed",
                }
            )
    return rows
