"""Parse and validate an access policy document (the IAM policy grammar, a subset).

Accepted: `Version` (2012-10-17 or 2008-10-17), `Id`, and `Statement` (one object or a
list) whose statements have `Sid`, `Effect` (Allow or Deny), `Action` or `NotAction`,
`Resource` or `NotResource`, and `Condition`. A policy attached to a workload identity is
an identity policy, so `Principal` is refused, as IAM refuses it. Every error names the
place in the document (`Statement[1].Action[0]`) and what would be accepted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from agentcore_identity_cli.errors import ServiceError
from agentcore_identity_cli.policy.conditions import Condition, parse_conditions

SERVICE_PREFIX = "bedrock-agentcore"
VERSIONS = ("2012-10-17", "2008-10-17")
MAX_DOCUMENT_CHARS = 10240  # IAM's limit for an inline role policy
_ACTION = re.compile(r"[A-Za-z0-9*?]+")
_STATEMENT_KEYS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}


def malformed(message: str) -> ServiceError:
    """The error IAM answers for a policy it cannot accept (exit 254)."""
    return ServiceError("MalformedPolicyDocumentException", message)


@dataclass(frozen=True)
class Statement:
    """One statement, normalised: lists everywhere, the negated forms kept apart."""

    index: int
    sid: str | None
    effect: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = field(default=())

    def label(self) -> str:
        """How messages name the statement: its Sid, else its position."""
        return f"Statement[{self.index}]" + (f" (Sid {self.sid})" if self.sid else "")


@dataclass(frozen=True)
class Policy:
    """A parsed policy: its statements, and the document as given (for get-… and export)."""

    statements: tuple[Statement, ...]
    document: dict[str, Any]


def _strings(value: Any, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise malformed(f"{where} is empty: give at least one value.")
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item:
            raise malformed(f"{where}[{i}] must be a non-empty string.")
    return tuple(items)


def _check_action(action: str, where: str) -> None:
    if action == "*":
        return
    prefix, sep, name = action.partition(":")
    if not sep or prefix.lower() != SERVICE_PREFIX or not _ACTION.fullmatch(name):
        raise malformed(
            f"{where} '{action}' is not an action of the local vault: write 'bedrock-agentcore:NAME' "
            "(wildcards * and ? allowed), for example 'bedrock-agentcore:GetResourceApiKey'."
        )
    if "*" in name or "?" in name:
        return
    from agentcore_identity_cli.policy.actions import known_actions

    known = {a.lower(): a for a in known_actions()}
    if name.lower() not in known:
        import difflib

        close = difflib.get_close_matches(name, list(known.values()), n=1)
        hint = f" Did you mean 'bedrock-agentcore:{close[0]}'?" if close else ""
        raise malformed(f"{where} '{action}' is not an action of bedrock-agentcore.{hint}")


def _check_resource(resource: str, where: str) -> None:
    if resource == "*":
        return
    if "${" in resource:
        raise malformed(f"{where} '{resource}': policy variables are not supported on the local vault.")
    parts = resource.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise malformed(
            f"{where} '{resource}' is not an ARN: write arn:aws:bedrock-agentcore:REGION:ACCOUNT:RESOURCE "
            "(wildcards * and ? allowed), or '*'."
        )


def _statement(raw: Any, index: int) -> Statement:
    where = f"Statement[{index}]"
    if not isinstance(raw, dict):
        raise malformed(f"{where} must be an object.")
    if "Principal" in raw or "NotPrincipal" in raw:
        raise malformed(
            f"{where} has a Principal: a policy attached to a workload identity is an identity policy, "
            "and its principal is the workload identity itself."
        )
    unknown = sorted(set(raw) - _STATEMENT_KEYS)
    if unknown:
        raise malformed(
            f"{where} has unknown member(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_STATEMENT_KEYS))}."
        )
    sid = raw.get("Sid")
    if sid is not None and (not isinstance(sid, str) or not re.fullmatch(r"[A-Za-z0-9]*", sid)):
        raise malformed(f"{where}.Sid must be letters and digits only.")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise malformed(f"{where}.Effect must be 'Allow' or 'Deny', not {json.dumps(effect)}.")
    lists: dict[str, tuple[str, ...]] = {}
    for positive, negative, check in (
        ("Action", "NotAction", _check_action),
        ("Resource", "NotResource", _check_resource),
    ):
        present = [key for key in (positive, negative) if key in raw]
        if len(present) != 1:
            raise malformed(f"{where} needs exactly one of {positive} or {negative}.")
        key = present[0]
        values = _strings(raw[key], f"{where}.{key}")
        for i, value in enumerate(values):
            check(value, f"{where}.{key}[{i}]")
        lists[key] = values
    return Statement(
        index=index,
        sid=sid or None,
        effect=effect,
        actions=lists.get("Action", ()),
        not_actions=lists.get("NotAction", ()),
        resources=lists.get("Resource", ()),
        not_resources=lists.get("NotResource", ()),
        conditions=parse_conditions(raw.get("Condition"), f"{where}.Condition", malformed),
    )


def parse_policy(source: str | dict[str, Any]) -> Policy:
    """A validated policy from its JSON text (or the decoded object)."""
    if isinstance(source, str):
        if len(source) > MAX_DOCUMENT_CHARS:
            raise malformed(f"The policy document is {len(source)} characters; the limit is {MAX_DOCUMENT_CHARS}.")
        try:
            document = json.loads(source)
        except ValueError as exc:
            raise malformed(f"The policy document is not JSON: {exc}.") from None
    else:
        document = source
    if not isinstance(document, dict):
        raise malformed("The policy document must be a JSON object with Version and Statement.")
    unknown = sorted(set(document) - {"Version", "Id", "Statement"})
    if unknown:
        raise malformed(
            f"The policy document has unknown member(s) {', '.join(unknown)}; allowed: Version, Id, Statement."
        )
    version = document.get("Version", "2008-10-17")
    if version not in VERSIONS:
        raise malformed(f"Version must be '2012-10-17' (or the older '2008-10-17'), not {json.dumps(version)}.")
    raw = document.get("Statement")
    if raw is None:
        raise malformed("The policy document has no Statement.")
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise malformed("Statement is empty: give at least one statement.")
    statements = tuple(_statement(item, i) for i, item in enumerate(items))
    sids = [s.sid for s in statements if s.sid]
    duplicate = next((sid for sid in sids if sids.count(sid) > 1), None)
    if duplicate:
        raise malformed(f"The Sid '{duplicate}' is used by more than one statement; each Sid must be unique.")
    return Policy(statements, document)
