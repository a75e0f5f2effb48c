"""Decide a request against a workload identity's policy, as IAM evaluates an identity policy.

An explicit Deny in any matching statement wins; otherwise a matching Allow allows;
otherwise the request is implicitly denied. A vault that enforces nothing (no policy in
it, and not created with --default-deny) allows everything, as before policies existed.
The decision says which statement decided, for error messages and `simulate-access`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agentcore_identity_cli.policy.actions import qualified
from agentcore_identity_cli.policy.document import Policy, Statement
from agentcore_identity_cli.policy.match import wildcard_match

ALLOWED = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"


@dataclass(frozen=True)
class Decision:
    """The outcome of one (workload, action, resource) request, and why."""

    decision: str
    action: str
    resource: str
    statement: Statement | None = None
    reason: str = ""

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED

    def output(self) -> dict[str, Any]:
        """The decision as simulate-access prints it (IAM's simulator's names, camelCase)."""
        matched = []
        if self.statement is not None:
            matched.append(
                {"sid": self.statement.sid, "statementIndex": self.statement.index, "effect": self.statement.effect}
            )
        return {
            "evalActionName": self.action,
            "evalResourceName": self.resource,
            "evalDecision": self.decision,
            "matchedStatements": matched,
            "reason": self.reason,
        }


def _matches_action(statement: Statement, action: str) -> bool:
    if statement.not_actions:
        return not any(wildcard_match(p, action, ignore_case=True) for p in statement.not_actions)
    return any(wildcard_match(p, action, ignore_case=True) for p in statement.actions)


def _matches_resource(statement: Statement, resource: str) -> bool:
    if statement.not_resources:
        return not any(wildcard_match(p, resource) for p in statement.not_resources)
    return any(wildcard_match(p, resource) for p in statement.resources)


def applies(statement: Statement, action: str, resource: str, context: Mapping[str, str]) -> bool:
    """Whether a statement covers the request: its action, its resource and all its conditions."""
    return (
        _matches_action(statement, action)
        and _matches_resource(statement, resource)
        and all(c.holds(context) for c in statement.conditions)
    )


def evaluate(
    policy: Policy | None,
    action: str,
    resource: str,
    context: Mapping[str, str] | None = None,
    *,
    enforcing: bool = True,
    workload: str = "",
) -> Decision:
    """The decision for `workload` calling `action` on `resource` (context keys in lower case)."""
    action = qualified(action)
    if not enforcing:
        return Decision(ALLOWED, action, resource, reason="the vault has no access policies (default allow)")
    if policy is None:
        return Decision(
            IMPLICIT_DENY,
            action,
            resource,
            reason=f"workload identity '{workload}' has no access policy and this vault enforces access policies",
        )
    ctx = context or {}
    matching = [s for s in policy.statements if applies(s, action, resource, ctx)]
    deny = next((s for s in matching if s.effect == "Deny"), None)
    if deny is not None:
        return Decision(EXPLICIT_DENY, action, resource, deny, f"explicitly denied by {deny.label()}")
    allow = next((s for s in matching if s.effect == "Allow"), None)
    if allow is not None:
        return Decision(ALLOWED, action, resource, allow, f"allowed by {allow.label()}")
    return Decision(
        IMPLICIT_DENY, action, resource, reason=f"no statement of the access policy of '{workload}' allows it"
    )
