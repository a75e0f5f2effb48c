"""The JSON Schema of the definition file, built from the pinned service model.

`config` of each vendor is the API's own input structure, so its schema is derived from
the model (a new member or vendor needs no change here); every sensitive member takes a
secret reference instead of a value.
"""

from __future__ import annotations

from typing import Any

from agentcore_identity_cli.ascode import kinds
from agentcore_identity_cli.ascode.document import VERSION

SCHEMA_ID = "https://agentcore-identity.dev/schemas/identity-v1.json"
REFERENCE = {"$ref": "#/$defs/secretReference"}
_STRINGS = {"type": "array", "items": {"type": "string"}}
_TAGS = {"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 50}
_VERSION = {"type": "string", "description": "Change it to send the provider's secrets again (a rotation)."}


def _shape(shape: Any) -> dict[str, Any]:
    kind = shape.type_name
    if kind == "structure":
        out: dict[str, Any] = {
            "type": "object",
            "properties": {name: _shape(sub) for name, sub in shape.members.items()},
            "additionalProperties": False,
        }
        if shape.required_members:
            out["required"] = list(shape.required_members)
        return out
    if kind == "list":
        return {"type": "array", "items": _shape(shape.member)}
    if kind == "map":
        return {"type": "object", "additionalProperties": _shape(shape.value)}
    if kind == "string":
        if shape.metadata.get("sensitive"):
            return dict(REFERENCE)
        return {"type": "string", "enum": list(shape.enum)} if shape.enum else {"type": "string"}
    if kind in ("integer", "long"):
        return {"type": "integer"}
    if kind == "boolean":
        return {"type": "boolean"}
    return {}


def _provider(kind: kinds.Kind, extra: dict[str, Any]) -> dict[str, Any]:
    choices = []
    for vendor in kinds.vendors(kind):
        member = kinds.config_member(kind, vendor)
        config = _shape(kinds.config_shape(kind, member))
        config.pop("required", None)  # the secrets may come from the API's *Config members instead
        choices.append(
            {"if": {"properties": {"vendor": {"const": vendor}}}, "then": {"properties": {"config": config}}}
        )
    return {
        "type": "object",
        "properties": {
            "vendor": {"enum": kinds.vendors(kind)},
            "config": {"type": "object"},
            **extra,
            "secret_version": _VERSION,
            "tags": _TAGS,
        },
        "required": ["vendor", "config"],
        "additionalProperties": False,
        "allOf": choices,
    }


def _section(description: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "description": description, "additionalProperties": item}


def build_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of identity.toml / identity.yaml."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "agentcore-identity definition file",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "version": {"const": VERSION},
            "api_key_providers": _section(
                "API key credential providers by name.",
                {
                    "type": "object",
                    "properties": {"api_key": REFERENCE, "secret_version": _VERSION, "tags": _TAGS},
                    "required": ["api_key"],
                    "additionalProperties": False,
                },
            ),
            "oauth2_providers": _section(
                "OAuth2 credential providers by name; config is the vendor's member of oauth2ProviderConfigInput.",
                _provider(kinds.OAUTH2, {"scopes": _STRINGS}),
            ),
            "payment_providers": _section(
                "Payment credential providers by name; config is the vendor's member of providerConfigurationInput.",
                _provider(kinds.PAYMENT, {}),
            ),
            "workload_identities": _section(
                "Workload identities by name.",
                {
                    "type": "object",
                    "properties": {"allowed_return_urls": _STRINGS, "tags": _TAGS},
                    "additionalProperties": False,
                },
            ),
            "workload_access_policies": _section(
                "Access policies of workload identities by workload name (local backend only): "
                "policy is an IAM policy document (Version, Statement with Effect, Action, Resource, Condition).",
                {
                    "type": "object",
                    "properties": {
                        "policy": {
                            "type": "object",
                            "properties": {
                                "Version": {"enum": ["2012-10-17", "2008-10-17"]},
                                "Id": {"type": "string"},
                                "Statement": {"type": ["object", "array"]},
                            },
                            "required": ["Statement"],
                            "additionalProperties": False,
                        }
                    },
                    "required": ["policy"],
                    "additionalProperties": False,
                },
            ),
            "trusted_issuers": _section(
                "Issuers of user tokens by issuer URL (local backend only).",
                {
                    "type": "object",
                    "properties": {
                        "jwks_url": {"type": "string"},
                        "discovery_url": {"type": "string"},
                        "audiences": _STRINGS,
                        "allowed_clients": _STRINGS,
                    },
                    "required": ["jwks_url"],
                    "additionalProperties": False,
                },
            ),
        },
        "$defs": {
            "secretReference": {
                "description": "Where a secret comes from; a literal secret is refused.",
                "type": "string",
                "pattern": "^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|prompt|agentcore://api-key/.+)$",
            }
        },
    }
