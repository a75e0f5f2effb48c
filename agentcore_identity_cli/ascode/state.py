"""What a backend holds now, as a Definition: what `export` writes and `plan` compares against.

Read through the AWS operations only (List*, Get*, ListTagsForResource), plus the local
backend's trust list and access policies, so the aws and local backends are read the same way. No secret is
read here: each secret becomes the env: reference `export` names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentcore_identity_cli.ascode import kinds
from agentcore_identity_cli.ascode.document import Definition
from agentcore_identity_cli.ascode.secretrefs import env_name

Call = Callable[[str, dict[str, Any]], dict[str, Any]]

_MICROSOFT_TENANT = re.compile(r"https://login\.microsoftonline\.com/([^/]+)/")
# Client authentication methods that use no client secret.
_NO_SECRET_METHODS = ("PRIVATE_KEY_JWT", "AWS_IAM_ID_TOKEN_JWT")


@dataclass
class State:
    """A backend's resources, and each one's ARN (what tagging needs)."""

    definition: Definition = field(default_factory=Definition)
    arns: dict[tuple[str, str], str] = field(default_factory=dict)


def names(call: Call, kind: kinds.Kind) -> list[str]:
    """Every name of a kind, following nextToken."""
    found: list[str] = []
    token: str | None = None
    while True:
        page = call(kind.list_operation, {"nextToken": token} if token else {})
        found.extend(str(item["name"]) for item in page.get(kind.list_member, []))
        token = page.get("nextToken")
        if not token:
            return found


def read_state(call: Call, backend: Any) -> State:
    """Everything the backend holds, in the file's canonical form."""
    state = State()
    for kind in kinds.KINDS:
        if kind is kinds.ACCESS_POLICY:
            if getattr(backend, "name", "") == "local":
                for workload, document in backend.workload_access_policies().items():
                    state.definition.resources[(kind.key, workload)] = {"policy": document}
            continue
        if kind.local_only:
            if getattr(backend, "name", "") == "local":
                for entry in backend.list_trusted_issuers():
                    state.definition.resources[(kind.key, entry["issuer"])] = {
                        "jwks_url": entry.get("jwksUri"),
                        "discovery_url": entry.get("discoveryUrl"),
                        "audiences": list(entry.get("audiences") or []),
                        "allowed_clients": list(entry.get("allowedClients") or []),
                    }
            continue
        for name in names(call, kind):
            shown = call(f"Get{kind.noun}", {"name": name})
            arn = str(shown.get("credentialProviderArn") or shown.get("workloadIdentityArn"))
            tags = dict(call("ListTagsForResource", {"resourceArn": arn}).get("tags") or {})
            state.arns[(kind.key, name)] = arn
            state.definition.resources[(kind.key, name)] = _spec(kind, name, shown, tags)
    return state


def _spec(kind: kinds.Kind, name: str, shown: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    if kind is kinds.WORKLOAD:
        return {"allowed_return_urls": list(shown.get("allowedResourceOauth2ReturnUrls") or []), "tags": tags}
    version = tags.pop(kinds.SECRET_VERSION_TAG, None)
    if kind is kinds.API_KEY:
        return {"api_key": "env:" + env_name(name, kinds.API_KEY_SECRET), "secret_version": version, "tags": tags}
    vendor = str(shown["credentialProviderVendor"])
    member = kinds.config_member(kind, vendor)
    output_key = "oauth2ProviderConfigOutput" if kind is kinds.OAUTH2 else "providerConfigurationOutput"
    output = (shown.get(output_key) or {}).get(member) or {}
    config = input_config(kind, member, output)
    # Where the service says each secret is: the OAuth2 client secret's at the top of the
    # response, a payment provider's inside its configuration.
    where = shown if kind is kinds.OAUTH2 else output
    for secret in kinds.secret_members(kind.key, member):
        if kind is kinds.OAUTH2 and config.get("clientAuthenticationMethod") in _NO_SECRET_METHODS:
            continue
        if where.get(f"{secret}Source") == "EXTERNAL":
            # Kept in the account's Secrets Manager: the file names it as the API does.
            config[f"{secret}Source"] = "EXTERNAL"
            reference = {"secretId": (where.get(f"{secret}Arn") or {}).get("secretArn")}
            if where.get(f"{secret}JsonKey"):
                reference["jsonKey"] = where[f"{secret}JsonKey"]
            config[f"{secret}Config"] = reference
            continue
        config[secret] = "env:" + env_name(name, secret)
    if kind is kinds.PAYMENT:
        return {"vendor": vendor, "config": config, "secret_version": version, "tags": tags}
    scopes = tags.pop(kinds.SCOPES_TAG, "").split()
    return {"vendor": vendor, "config": config, "scopes": scopes, "secret_version": version, "tags": tags}


def input_config(kind: kinds.Kind, member: str, output: dict[str, Any]) -> dict[str, Any]:
    """A vendor's config output read back as its input: output-only members dropped."""
    shape = kinds.config_shape(kind, member)
    config: dict[str, Any] = kinds.project(shape, output)
    if member == "includedOauth2ProviderConfig":
        # The input takes the endpoints flat; the output nests them in the discovery metadata.
        metadata = (output.get("oauthDiscovery") or {}).get("authorizationServerMetadata") or {}
        for key in ("issuer", "authorizationEndpoint", "tokenEndpoint"):
            if metadata.get(key):
                config[key] = metadata[key]
    if member == "microsoftOauth2ProviderConfig":
        # The output has no tenantId; the tenant is in the endpoints the service derived from it.
        metadata = (output.get("oauthDiscovery") or {}).get("authorizationServerMetadata") or {}
        found = _MICROSOFT_TENANT.match(str(metadata.get("authorizationEndpoint") or ""))
        if found and found.group(1) != "common":
            config["tenantId"] = found.group(1)
    # MANAGED is what a secret given in the request gets: the default, not a choice.
    return {key: value for key, value in config.items() if not (key.endswith("Source") and value == "MANAGED")}
