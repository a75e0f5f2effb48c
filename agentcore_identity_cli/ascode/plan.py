"""The difference between a definition and a backend: what `apply` would do, resource by resource.

Readable members are compared value by value (a field-level diff); secrets cannot be read
back from the service, so they are compared only where the backend can tell (the local
vault, when the reference can be resolved without asking anyone): "changed", "unchanged",
otherwise "unknown", which is not a change (a second apply must do nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentcore_identity_cli.ascode import kinds
from agentcore_identity_cli.ascode.document import Definition
from agentcore_identity_cli.ascode.state import State

CREATE, UPDATE, DELETE, NOOP = "create", "update", "delete", "no-op"
CHANGED, UNCHANGED, UNKNOWN, SET = "changed", "unchanged", "unknown", "set"
# (kind, name, API member, reference) -> CHANGED / UNCHANGED / UNKNOWN
SecretCheck = Callable[[kinds.Kind, str, str, str], str]
_ENDPOINTS = ("issuer", "authorizationEndpoint", "tokenEndpoint")


@dataclass
class FieldChange:
    """One readable member that differs."""

    field: str
    before: Any
    after: Any


@dataclass
class Change:
    """What apply does to one resource."""

    action: str
    kind: kinds.Kind
    name: str
    fields: list[FieldChange] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)  # path -> status

    def to_json(self) -> dict[str, Any]:
        """The change as plan's JSON shows it."""
        return {
            "action": self.action,
            "kind": self.kind.section,
            "name": self.name,
            "fields": [{"field": c.field, "before": c.before, "after": c.after} for c in self.fields],
            "secrets": dict(self.secrets),
        }


@dataclass
class Plan:
    """Every change, in the order apply makes them, and what was left alone and why."""

    backend: str
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def pending(self) -> list[Change]:
        """The changes that do something."""
        return [c for c in self.changes if c.action != NOOP]

    def to_json(self) -> dict[str, Any]:
        """plan's JSON document."""
        summary = {action: 0 for action in (CREATE, UPDATE, DELETE, NOOP)}
        for change in self.changes:
            summary[change.action] += 1
        return {
            "backend": self.backend,
            "changes": [c.to_json() for c in self.changes],
            "summary": summary,
            "notes": list(self.notes),
        }


def secret_paths(kind: kinds.Kind, spec: dict[str, Any]) -> dict[str, str]:
    """The secret fields of a resource: path in the file -> API member."""
    if kind is kinds.API_KEY:
        return {"api_key": kinds.API_KEY_SECRET}
    if kind in (kinds.OAUTH2, kinds.PAYMENT):
        try:
            member = kinds.config_member(kind, spec["vendor"])
        except KeyError:
            return {}
        return {f"config.{s}": s for s in kinds.secret_members(kind.key, member) if s in spec["config"]}
    return {}


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths to leaf values (lists are leaves: order matters to the API)."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, sub in value.items():
            out.update(flatten(sub, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def _readable(kind: kinds.Kind, spec: dict[str, Any], secret: dict[str, str]) -> dict[str, Any]:
    flat = flatten(spec)
    for path in secret:
        flat.pop(path, None)
    # Empty tables and unset members are one thing: absent.
    return {path: value for path, value in flat.items() if value not in (None, {}, [])}


def compare(
    kind: kinds.Kind, name: str, desired: dict[str, Any], current: dict[str, Any], check: SecretCheck
) -> Change:
    """The update (or no-op) that takes `current` to `desired`."""
    current = dict(current)
    if kind is kinds.OAUTH2 and desired["config"] is not None:
        member = kinds.config_member(kind, desired["vendor"])
        if member == "includedOauth2ProviderConfig" and desired["vendor"] == current.get("vendor"):
            # Endpoints the file leaves to the vendor's defaults are not drift.
            config = dict(current["config"])
            for key in _ENDPOINTS:
                if key not in desired["config"]:
                    config.pop(key, None)
            current["config"] = config
    secret = secret_paths(kind, desired)
    before = _readable(kind, current, secret_paths(kind, current))
    after = _readable(kind, desired, secret)
    fields = [
        FieldChange(path, before.get(path), after.get(path))
        for path in sorted(set(before) | set(after))
        if before.get(path) != after.get(path)
    ]
    secrets = {path: check(kind, name, member, value_at(desired, path)) for path, member in secret.items()}
    changed = fields or CHANGED in secrets.values()
    return Change(UPDATE if changed else NOOP, kind, name, fields, secrets)


def value_at(spec: dict[str, Any], path: str) -> str:
    """The value at a dotted path of a resource (a secret field's reference)."""
    value: Any = spec
    for part in path.split("."):
        value = value[part]
    return str(value)


def make_plan(desired: Definition, state: State, backend: str, check: SecretCheck, *, prune: bool) -> Plan:
    """Every create, update, no-op and (with prune) delete, in dependency order (deletes last, reversed)."""
    plan = Plan(backend)
    current = state.definition
    for kind in kinds.KINDS:
        wanted = desired.of(kind)
        if kind.local_only and backend != "local":
            if wanted:
                plan.notes.append(f"{len(wanted)} {kind.label}(s) skipped: they are local-only.")
            continue
        have = current.of(kind)
        for name, spec in wanted.items():
            if name not in have:
                secrets = {path: SET for path in secret_paths(kind, spec)}
                after = _readable(kind, spec, secret_paths(kind, spec))
                fields = [FieldChange(path, None, value) for path, value in sorted(after.items())]
                plan.changes.append(Change(CREATE, kind, name, fields, secrets))
            else:
                plan.changes.append(compare(kind, name, spec, have[name], check))
    deletes: list[Change] = []
    for kind in kinds.KINDS:
        extra = [name for name in current.of(kind) if (kind.key, name) not in desired.resources]
        if not extra:
            continue
        if not prune:
            plan.notes.append(
                f"{len(extra)} {kind.label}(s) not in the file left alone (--prune deletes them): {', '.join(extra)}."
            )
            continue
        deletes.extend(Change(DELETE, kind, name) for name in extra)
    plan.changes.extend(reversed(deletes))
    return plan
