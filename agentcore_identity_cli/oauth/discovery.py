"""Authorization server metadata from a discovery URL (OpenID Connect Discovery or RFC 8414).

The document is validated before any endpoint in it is used: it must be a JSON object from
an https URL (or loopback), its ``issuer`` must match the URL it was fetched from (the
issuer is the part before ``/.well-known/openid-configuration``; for RFC 8414 the path after
``/.well-known/oauth-authorization-server`` is appended to the origin), and every endpoint
it names must be https (or loopback). Caching is the caller's business (the local backend
keeps the document in the vault and fetches it again when using it fails).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from agentcore_identity_cli.oauth.http import (
    OAuthNetworkError,
    client_options,
    log,
    require_secure,
    translated_errors,
)

OIDC_SUFFIX = "/.well-known/openid-configuration"
RFC8414_SEGMENT = "/.well-known/oauth-authorization-server"

ENDPOINT_KEYS = (
    "authorization_endpoint",
    "token_endpoint",
    "device_authorization_endpoint",
    "revocation_endpoint",
    "userinfo_endpoint",
    "introspection_endpoint",
    "jwks_uri",
)


def expected_issuer(url: str) -> str | None:
    """The issuer a discovery URL promises, or None when the URL follows no well-known pattern."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if parts.path.endswith(OIDC_SUFFIX):
        return origin + parts.path[: -len(OIDC_SUFFIX)]
    if parts.path.startswith(RFC8414_SEGMENT):
        return origin + parts.path[len(RFC8414_SEGMENT) :]
    return None


def _issuer_matches(issuer: str, expected: str) -> bool:
    if issuer.rstrip("/") == expected.rstrip("/"):
        return True
    # Microsoft's multi-tenant documents name a templated issuer (.../{tenantid}/v2.0).
    if "{tenantid}" in issuer:
        pattern = re.escape(issuer.rstrip("/")).replace(re.escape("{tenantid}"), "[^/]+")
        return re.fullmatch(pattern, expected.rstrip("/")) is not None
    return False


def validate(document: Any, url: str) -> dict[str, Any]:
    """The metadata when it is safe to use; OAuthNetworkError or ValidationException otherwise."""
    if not isinstance(document, dict):
        raise OAuthNetworkError(f"The discovery document at {url} is not a JSON object.")
    issuer = document.get("issuer")
    if not isinstance(issuer, str) or not issuer:
        raise OAuthNetworkError(f"The discovery document at {url} has no issuer.")
    require_secure(issuer, "issuer in the discovery document")
    expected = expected_issuer(url)
    if expected is not None and not _issuer_matches(issuer, expected):
        raise OAuthNetworkError(
            f"The discovery document at {url} names the issuer {issuer}, not {expected}: refusing to use it.",
            hint="the discovery URL must belong to the issuer it describes",
        )
    if expected is None and urlsplit(issuer).netloc != urlsplit(url).netloc:
        raise OAuthNetworkError(f"The discovery document at {url} names an issuer on another host ({issuer}).")
    for key in ENDPOINT_KEYS:
        value = document.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise OAuthNetworkError(f"The discovery document at {url} has a malformed {key}.")
        require_secure(value, f"{key} in the discovery document")
    if not isinstance(document.get("token_endpoint"), str):
        raise OAuthNetworkError(f"The discovery document at {url} has no token_endpoint.")
    return document


def fetch(url: str, *, timeout: float | None = None) -> dict[str, Any]:
    """Fetch and validate the metadata at a discovery URL."""
    import httpx

    require_secure(url, "discoveryUrl")
    log.debug("fetching authorization server metadata from %s", url)
    with (
        httpx.Client(**client_options(timeout, {"Accept": "application/json"})) as client,
        translated_errors("discovery request", url),
    ):
        response = client.get(url)
    if response.status_code != 200:
        raise OAuthNetworkError(f"The discovery URL {url} answered HTTP {response.status_code}.")
    try:
        document = response.json()
    except ValueError:
        raise OAuthNetworkError(f"The discovery URL {url} did not answer with JSON.") from None
    return validate(document, url)
