"""Credential providers: API keys, and OAuth 2.0 clients of built-in or custom vendors.

The secret of a provider (the API key, the client secret) is sealed in the `secrets`
table; everything the API returns about a provider is kept readable in its row.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from agentcore_identity_cli.backends.local import arns, client_auth
from agentcore_identity_cli.backends.local.core import LocalCore, timestamp
from agentcore_identity_cli.errors import validation

APIKEY = "apikey"
OAUTH2 = "oauth2"
APIKEY_PAGE_LIMIT = 100  # ListApiKeyCredentialProviders' maxResults ceiling
OAUTH2_PAGE_LIMIT = 20  # ListOauth2CredentialProviders' maxResults ceiling

# Members of a vendor config that never leave the vault or are folded into the metadata.
_SECRET_MEMBERS = ("clientSecret", "clientSecretConfig", "clientSecretSource")
_SECRET_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
_ENDPOINT_MEMBERS = ("issuer", "authorizationEndpoint", "tokenEndpoint", "tenantId")


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(url: str) -> tuple[str, str]:
    """(scheme, host) of a URL a request can be sent to; ValueError otherwise.

    The standard library only, so control-plane commands do not load the HTTP client: an
    unclosed `[::1`, a bad port, an IP literal out of range (256.256.256.256) or a host IDNA
    cannot encode is refused here rather than at the first request.
    """
    parts = urlsplit(url)  # refuses an unclosed IPv6 bracket
    host = parts.hostname or ""
    _ = parts.port  # refuses a port that is not a number in range
    if ":" in host or re.fullmatch(r"[0-9.]+", host):
        ipaddress.ip_address(host)
    elif host:
        host.encode("idna")
    return parts.scheme, host


def check_endpoint(field: str, url: str) -> None:
    """Endpoints must be https, except on loopback (RFC 8252 native-app redirects and tests)."""
    try:
        scheme, host = _check_url(url)
    except (ValueError, UnicodeError) as exc:
        raise validation(f"{field} is not a valid URL ({exc}): {url}") from None
    if scheme == "https" and host:
        return
    if scheme == "http" and host and is_loopback(host):
        return
    raise validation(f"{field} must be an https URL (plain http is allowed only on loopback): {url}")


# --- API keys ---------------------------------------------------------------------------


def _apikey_out(row: dict[str, Any], vault_id: str, *, full: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "apiKeySecretArn": {"secretArn": arns.secret_arn(vault_id, APIKEY, row["name"], row["created"])},
        "apiKeySecretSource": "MANAGED",
        "name": row["name"],
        "credentialProviderArn": row["arn"],
    }
    if full:
        out["createdTime"] = timestamp(row["created"])
        out["lastUpdatedTime"] = timestamp(row["updated"])
    return out


# --- OAuth2 -----------------------------------------------------------------------------


def _oauth2_output_config(vendor_name: str, member: str, config: dict[str, Any]) -> dict[str, Any]:
    """The oauth2ProviderConfigOutput the service returns for this input."""
    from agentcore_identity_cli.oauth.catalogue import vendor

    entry = vendor(vendor_name)
    inner: dict[str, Any] = {
        key: value for key, value in config.items() if key not in _SECRET_MEMBERS and key not in _ENDPOINT_MEMBERS
    }
    if member == "customOauth2ProviderConfig":
        discovery = config["oauthDiscovery"]
        if discovery.get("discoveryUrl"):
            check_endpoint("discoveryUrl", discovery["discoveryUrl"])
        metadata = discovery.get("authorizationServerMetadata") or {}
        for field in ("authorizationEndpoint", "tokenEndpoint"):
            if field in metadata:
                check_endpoint(field, metadata[field])
        return {member: inner}
    given = {k: config[k] for k in ("issuer", "authorizationEndpoint", "tokenEndpoint") if config.get(k)}
    try:
        endpoints = entry.endpoints({k: v for k, v in config.items() if isinstance(v, str)})
    except ValueError as exc:
        if not {"authorizationEndpoint", "tokenEndpoint"} <= given.keys():
            raise validation(
                f"{vendor_name} needs its endpoints: {exc}; or give issuer, authorizationEndpoint "
                "and tokenEndpoint (--issuer, --authorization-endpoint, --token-endpoint)."
            ) from None
        endpoints = {}
    metadata = {
        "issuer": given.get("issuer") or endpoints.get("issuer") or "",
        "authorizationEndpoint": given.get("authorizationEndpoint") or endpoints.get("authorizationEndpoint"),
        "tokenEndpoint": given.get("tokenEndpoint") or endpoints.get("tokenEndpoint"),
        "responseTypes": list(entry.response_types),
        # The API knows only the two client-secret methods.
        "tokenEndpointAuthMethods": [m for m in entry.token_endpoint_auth_methods if m in _SECRET_AUTH_METHODS][:2]
        or ["client_secret_basic"],
    }
    for field in ("issuer", "authorizationEndpoint", "tokenEndpoint"):
        if not metadata[field]:
            raise validation(f"{vendor_name} needs {field}: pass --{_flag(field)}.")
        check_endpoint(field, metadata[field])
    inner.pop("oauthDiscovery", None)
    return {member: {"oauthDiscovery": {"authorizationServerMetadata": metadata}, **inner}}


def _flag(member: str) -> str:
    return "".join("-" + c.lower() if c.isupper() else c for c in member)


def _oauth2_config(params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The one config member set in oauth2ProviderConfigInput, checked against the vendor."""
    from agentcore_identity_cli.oauth.catalogue import vendor

    vendor_name = params["credentialProviderVendor"]
    expected = vendor(vendor_name).config_member
    ((member, config),) = params["oauth2ProviderConfigInput"].items()
    if member != expected:
        raise validation(
            f"credentialProviderVendor {vendor_name} takes oauth2ProviderConfigInput.{expected}, not {member}."
        )
    if member == "customOauth2ProviderConfig":
        client_auth.check_config(config)
    return member, config


def _oauth2_out(row: dict[str, Any], vault_id: str, *, full: bool, base: str | None) -> dict[str, Any]:
    attrs = row["attrs"]
    out: dict[str, Any] = {
        "clientSecretArn": {"secretArn": arns.secret_arn(vault_id, OAUTH2, row["name"], row["created"])},
        "clientSecretSource": "MANAGED",
        "name": row["name"],
        "credentialProviderArn": row["arn"],
        "credentialProviderVendor": attrs["vendor"],
        "callbackUrl": arns.callback_url(arns.callback_id(row["arn"], row["created"]), base),
        "oauth2ProviderConfigOutput": attrs["output"],
        "status": "READY",
    }
    if full:
        out["createdTime"] = timestamp(row["created"])
        out["lastUpdatedTime"] = timestamp(row["updated"])
    return out


def provider_summary(row: dict[str, Any]) -> dict[str, Any]:
    """A credential provider as the List* operations show it."""
    return {
        "name": row["name"],
        "credentialProviderArn": row["arn"],
        "createdTime": timestamp(row["created"]),
        "lastUpdatedTime": timestamp(row["updated"]),
    }


def vendor_provider_summary(row: dict[str, Any]) -> dict[str, Any]:
    """A credential provider with a vendor (OAuth2, payment) as the List* operations show it."""
    return {"name": row["name"], "credentialProviderVendor": row["attrs"]["vendor"], **provider_summary(row)}


class ProvidersMixin(LocalCore):
    """The API-key and OAuth2 credential provider operations."""

    # --- API keys -----------------------------------------------------------------

    def create_api_key_credential_provider(self, params: dict[str, Any]) -> dict[str, Any]:
        """CreateApiKeyCredentialProvider."""
        if params.get("apiKey") in (None, ""):
            raise validation("apiKey is required by the local backend.")
        name = params["name"]
        with self.store.transaction():
            self.refuse_existing(APIKEY, name)
            row = self.store.insert(APIKEY, name, arns.provider_arn(APIKEY, name), {})
            self.seal_secret(APIKEY, name, "apiKey", params["apiKey"])
            if params.get("tags"):
                self.store.set_tags(row["arn"], params["tags"])
        out = _apikey_out(row, self.vault_id, full=False)
        return out

    def get_api_key_credential_provider(self, params: dict[str, Any]) -> dict[str, Any]:
        """GetApiKeyCredentialProvider."""
        return _apikey_out(self.require(APIKEY, params["name"]), self.vault_id, full=True)

    def update_api_key_credential_provider(self, params: dict[str, Any]) -> dict[str, Any]:
        """UpdateApiKeyCredentialProvider: replaces the stored key."""
        if params.get("apiKey") in (None, ""):
            raise validation("apiKey is required by the local backend.")
        name = params["name"]
        with self.store.transaction():
            row = self.require(APIKEY, name)
            self.seal_secret(APIKEY, name, "apiKey", params["apiKey"])
            self.store.update(APIKEY, name, row["attrs"])
            row = self.require(APIKEY, name)
        return _apikey_out(row, self.vault_id, full=True)

    def delete_api_key_credential_provider(self, params: dict[str, Any]) -> dict[str, Any]:
        """DeleteApiKeyCredentialProvider."""
        return self.delete_resource(APIKEY, params["name"])

    def list_api_key_credential_providers(self, params: dict[str, Any]) -> dict[str, Any]:
        """ListApiKeyCredentialProviders."""
        return self.list_resources(APIKEY, params, APIKEY_PAGE_LIMIT, "credentialProviders", provider_summary)

    # --- OAuth2 -------------------------------------------------------------------

    def create_oauth2_credential_provider(self, params: dict[str, Any]) -> dict[str, Any]:
        """CreateOauth2CredentialProvider."""
        name = params["name"]
        member, config = _oauth2_config(params)
        if not config.get("clientSecret") and not client_auth.uses_private_key(config):
            raise validation("clientSecret is required by the local backend (unless the client uses PRIVATE_KEY_JWT).")
        attrs = {
            "vendor": params["credentialProviderVendor"],
            "configMember": member,
            "config": {k: v for k, v in config.items() if k not in _SECRET_MEMBERS},
            "output": _oauth2_output_config(params["credentialProviderVendor"], member, config),
        }
        with self.store.transaction():
            self.refuse_existing(OAUTH2, name)
            row = self.store.insert(OAUTH2, name, arns.provider_arn(OAUTH2, name), attrs)
            if config.get("clientSecret"):
                self.seal_secret(OAUTH2, name, "clientSecret", config["clientSecret"])
            client_auth.ensure_private_key(self, name, config)
            if params.get("tags"):
                self.store.set_tags(row["arn"], params["tags"])
        out = _oauth2_out(row, self.vault_id, full=False, base=self.callback_base)
        del out["credentialProviderVendor"]  # CreateOauth2CredentialProvider does not return it
        return out

    def get_oauth2_credential_provider(self, params: dict[str, Any]) -> dict[str, Any]:
        """GetOauth2CredentialProvider."""
        return _oauth2_out(self.require(OAUTH2, params["name"]), self.vault_id, full=True, base=self.callback_base)

    def update_oauth2_credential_provider(self, params: dict[str, Any]) -> dict[str, Any]:
        """UpdateOauth2CredentialProvider: the configuration is replaced; an omitted client
        secret keeps the stored one."""
        name = params["name"]
        member, config = _oauth2_config(params)
        attrs = {
            "vendor": params["credentialProviderVendor"],
            "configMember": member,
            "config": {k: v for k, v in config.items() if k not in _SECRET_MEMBERS},
            "output": _oauth2_output_config(params["credentialProviderVendor"], member, config),
        }
        with self.store.transaction():
            self.require(OAUTH2, name)
            if config.get("clientSecret"):
                self.seal_secret(OAUTH2, name, "clientSecret", config["clientSecret"])
            elif not client_auth.uses_private_key(config) and not self.store.get_secret(OAUTH2, name, "clientSecret"):
                raise validation("clientSecret is required: this provider has none stored (it used PRIVATE_KEY_JWT).")
            self.store.update(OAUTH2, name, attrs)
            client_auth.ensure_private_key(self, name, config)
            row = self.require(OAUTH2, name)
        return _oauth2_out(row, self.vault_id, full=True, base=self.callback_base)

    def delete_oauth2_credential_provider(self, params: dict[str, Any]) -> dict[str, Any]:
        """DeleteOauth2CredentialProvider."""
        return self.delete_resource(OAUTH2, params["name"])

    def list_oauth2_credential_providers(self, params: dict[str, Any]) -> dict[str, Any]:
        """ListOauth2CredentialProviders."""
        return self.list_resources(OAUTH2, params, OAUTH2_PAGE_LIMIT, "credentialProviders", vendor_provider_summary)
