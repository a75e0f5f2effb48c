"""Making a backend match a plan: each change as the AWS operations that make it.

The caller decides the transaction: on the local backend the whole run is one (all or
nothing); on the aws backend, which has none, the run stops at the first failure and says
what was done and what was not, and a new plan continues from there (what was done is then
a no-op). Throttling is retried with exponential backoff.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentcore_identity_cli.ascode import kinds
from agentcore_identity_cli.ascode.document import Definition
from agentcore_identity_cli.ascode.plan import CHANGED, CREATE, DELETE, NOOP, Change, Plan, secret_paths, value_at
from agentcore_identity_cli.ascode.secretrefs import SecretSource
from agentcore_identity_cli.ascode.state import State
from agentcore_identity_cli.errors import AgentCoreIdentityError, ServiceError

Call = Callable[[str, dict[str, Any]], dict[str, Any]]
# Transient refusals only: a quota (ServiceQuotaExceededException) does not pass by waiting.
THROTTLED = ("ThrottlingException", "TooManyRequestsException")
MAX_ATTEMPTS = 6
BASE_DELAY_SECONDS = 0.5


def with_backoff(call: Call, sleep: Callable[[float], None] = time.sleep) -> Call:
    """`call`, retried on throttling with exponential backoff and jitter (up to MAX_ATTEMPTS)."""

    def retrying(operation: str, params: dict[str, Any]) -> dict[str, Any]:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return call(operation, params)
            except ServiceError as exc:
                if exc.code not in THROTTLED or attempt == MAX_ATTEMPTS:
                    raise
                sleep(BASE_DELAY_SECONDS * 2 ** (attempt - 1) * (0.5 + random.random() / 2))  # noqa: S311 - jitter, not a secret
        raise AssertionError("unreachable")

    return retrying


@dataclass
class Outcome:
    """What an apply did: the changes made, the one that failed (and why), those not reached."""

    done: list[Change] = field(default_factory=list)
    failed: Change | None = None
    error: AgentCoreIdentityError | None = None
    not_done: list[Change] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """apply's JSON document (no secret: errors carry codes and messages the service wrote)."""
        out: dict[str, Any] = {
            "applied": [c.to_json() for c in self.done],
            "notApplied": [c.to_json() for c in self.not_done],
        }
        if self.failed is not None and self.error is not None:
            out["failed"] = {**self.failed.to_json(), "error": self.error.render()}
        return out


class Applier:
    """Runs a plan's changes against one backend."""

    def __init__(self, call: Call, backend: Any, desired: Definition, state: State, secrets: SecretSource) -> None:
        self.call = call
        self.backend = backend
        self.desired = desired
        self.state = state
        self.secrets = secrets

    def check_secrets(self, plan: Plan) -> None:
        """Resolve every secret the plan needs before anything changes (a missing one stops it all)."""
        for change in plan.pending:
            self._secret_values(change)

    def run(self, plan: Plan, progress: Callable[[Change], None] | None = None) -> Outcome:
        """Every pending change in order; stops at the first failure."""
        outcome = Outcome()
        pending = plan.pending
        for index, change in enumerate(pending):
            try:
                self._apply(change)
            except AgentCoreIdentityError as exc:
                outcome.failed, outcome.error = change, exc
                outcome.not_done = pending[index + 1 :]
                return outcome
            outcome.done.append(change)
            if progress is not None:
                progress(change)
        return outcome

    # --- one change ---------------------------------------------------------------------

    def _secret_values(self, change: Change) -> dict[str, str]:
        """API member -> value, for the secrets this change sends."""
        if change.action in (DELETE, NOOP):
            return {}
        spec = self.desired.resources[(change.kind.key, change.name)]
        values: dict[str, str] = {}
        for path, member in secret_paths(change.kind, spec).items():
            reference = value_at(spec, path)
            needed = change.action == CREATE or change.secrets.get(path) == CHANGED or _rotated(change)
            if needed or self.secrets.available(reference):
                values[member] = self.secrets.resolve(reference, f"{change.kind.section}.{change.name}.{path}")
        return values

    def _apply(self, change: Change) -> None:
        kind, name = change.kind, change.name
        if change.action == DELETE:
            self._delete(kind, name)
            return
        spec = self.desired.resources[(kind.key, name)]
        secrets = self._secret_values(change)
        if kind is kinds.ACCESS_POLICY:
            self.backend.put_workload_access_policy(name, spec["policy"])  # create and replace alike
            return
        if kind is kinds.ISSUER:
            if change.action != CREATE:
                self.backend.remove_trusted_issuer(name)
            self.backend.add_trusted_issuer(
                issuer=name,
                discovery_url=spec["discovery_url"],
                jwks_url=spec["jwks_url"],
                audiences=list(spec["audiences"]),
                allowed_clients=list(spec["allowed_clients"]),
            )
            return
        tags = _tags(kind, spec)
        if change.action == CREATE:
            request = self._request(kind, name, spec, secrets)
            self.call(f"Create{kind.noun}", {**request, "tags": tags or None})
            return
        changed = {c.field.split(".")[0] for c in change.fields}
        secret_changed = CHANGED in change.secrets.values() or _rotated(change)
        resend = {
            kinds.API_KEY: bool(secrets) and secret_changed,
            kinds.WORKLOAD: "allowed_return_urls" in changed,
        }.get(kind, bool(changed & {"vendor", "config"}) or secret_changed)
        if resend:
            self.call(f"Update{kind.noun}", self._request(kind, name, spec, secrets))
        self._retag(kind, name, tags)

    def _request(self, kind: kinds.Kind, name: str, spec: dict[str, Any], secrets: dict[str, str]) -> dict[str, Any]:
        if kind is kinds.WORKLOAD:
            return {"name": name, "allowedResourceOauth2ReturnUrls": list(spec["allowed_return_urls"])}
        if kind is kinds.API_KEY:
            return {"name": name, "apiKey": secrets.get(kinds.API_KEY_SECRET)}
        member = kinds.config_member(kind, spec["vendor"])
        config = {**{k: v for k, v in spec["config"].items() if k not in secret_paths_members(kind, spec)}, **secrets}
        key = "oauth2ProviderConfigInput" if kind is kinds.OAUTH2 else "providerConfigurationInput"
        return {"name": name, "credentialProviderVendor": spec["vendor"], key: {member: config}}

    def _retag(self, kind: kinds.Kind, name: str, tags: dict[str, str]) -> None:
        current = _tags(kind, self.state.definition.resources[(kind.key, name)])
        arn = self.state.arns[(kind.key, name)]
        added = {k: v for k, v in tags.items() if current.get(k) != v}
        removed = sorted(set(current) - set(tags))
        if added:
            self.call("TagResource", {"resourceArn": arn, "tags": added})
        if removed:
            self.call("UntagResource", {"resourceArn": arn, "tagKeys": removed})

    def _delete(self, kind: kinds.Kind, name: str) -> None:
        if kind is kinds.ACCESS_POLICY:
            self.backend.delete_workload_access_policy(name)
        elif kind is kinds.ISSUER:
            self.backend.remove_trusted_issuer(name)
        else:
            self.call(f"Delete{kind.noun}", {"name": name})


def secret_paths_members(kind: kinds.Kind, spec: dict[str, Any]) -> set[str]:
    """The API members of a resource's secret fields."""
    return set(secret_paths(kind, spec).values())


def _rotated(change: Change) -> bool:
    """Whether the file gives the provider a new secret_version: its secrets are sent again."""
    return any(c.field == "secret_version" for c in change.fields)


def _tags(kind: kinds.Kind, spec: dict[str, Any]) -> dict[str, str]:
    """The tags a resource has on the backend: default scopes and the secret version are two of them."""
    tags = dict(spec.get("tags") or {})
    if kind is kinds.OAUTH2 and spec.get("scopes"):
        tags[kinds.SCOPES_TAG] = " ".join(spec["scopes"])
    if spec.get("secret_version"):
        tags[kinds.SECRET_VERSION_TAG] = str(spec["secret_version"])
    return tags
