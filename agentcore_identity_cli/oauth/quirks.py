"""Every vendor quirk of the OAuth engine, in one place, driven by the catalogue's `quirks` data.

The flows speak plain RFC 6749; what a vendor does differently is applied here, on the way
out (headers, authorization parameters, request body encoding) and on the way back (the
token response normalised to RFC 6749 fields):

- GitHub answers form-encoded unless asked for JSON: every request sends
  ``Accept: application/json``, and a form-encoded answer is parsed all the same.
- Slack nests the user token under ``authed_user`` and reports errors as ``ok: false``; its
  user scopes go in ``user_scope`` and are comma-separated.
- Microsoft needs a tenant: its endpoints are templates filled from the provider's
  ``tenantId`` (see :func:`vendor_endpoints`).
- Salesforce returns ``instance_url`` (kept as a safe field of the token) and no ``expires_in``.
- Atlassian and Notion take JSON token requests; Notion needs a ``Notion-Version`` header;
  Reddit needs a descriptive User-Agent (always sent); scope lists that come back comma-separated
  or as a JSON array are normalised to a space-separated string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from agentcore_identity_cli.oauth.catalogue import Vendor
from agentcore_identity_cli.oauth.http import new_transport

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class Quirks:
    """What one vendor needs beyond RFC 6749 (the default instance needs nothing)."""

    vendor: str = "CustomOauth2"
    headers: Mapping[str, str] = field(default_factory=dict)
    extra_authorize_params: Mapping[str, str] = field(default_factory=dict)
    scope_separator: str = " "
    user_scope_param: str | None = None
    token_path: str | None = None
    ok_field: str | None = None
    instance_url_field: str | None = None
    json_token_request: bool = False

    @classmethod
    def for_vendor(cls, entry: Vendor) -> Quirks:
        """The quirks the catalogue records for a vendor."""
        raw = entry.quirks
        headers = {"Accept": "application/json"}
        required = raw.get("requiredHeaders")
        if isinstance(required, Mapping):
            headers.update({str(k): str(v) for k, v in required.items()})
        extra = raw.get("extraAuthorizeParams")
        return cls(
            vendor=entry.name,
            headers=headers,
            extra_authorize_params={str(k): str(v) for k, v in extra.items()} if isinstance(extra, Mapping) else {},
            scope_separator=entry.scope_separator,
            user_scope_param=_opt_str(raw.get("userScopeParam")),
            token_path=_opt_str(raw.get("tokenPath")),
            ok_field=_opt_str(raw.get("okField")),
            instance_url_field=_opt_str(raw.get("instanceUrl")),
            json_token_request=raw.get("jsonTokenRequest") is True,
        )

    # --- on the way out -----------------------------------------------------------

    def join_scopes(self, scopes: list[str]) -> str:
        """A scope list as this vendor wants it in a request."""
        return self.scope_separator.join(scopes)

    def authorize_params(self, scopes: list[str]) -> dict[str, str]:
        """Parameters of the authorization request besides client_id, redirect_uri, state and PKCE."""
        params = dict(self.extra_authorize_params)
        if scopes:
            # Slack: user-delegated scopes go in user_scope; `scope` is for the bot.
            params[self.user_scope_param or "scope"] = self.join_scopes(scopes)
        if "offline_access" in scopes and "prompt" not in params:
            # OpenID Connect Core 11: a refresh token for offline_access is issued only after
            # the user is asked to consent (certified servers drop the scope otherwise).
            params["prompt"] = "consent"
        return params

    def transport(self, library: ModuleType) -> Any:
        """A transport that re-encodes form bodies as JSON, for vendors that want JSON requests.

        `library` is httpx or httpx2, whichever the OAuth client is built on.
        """
        return _JsonBodyTransport(library) if self.json_token_request else None

    # --- on the way back ----------------------------------------------------------

    def normalize(self, data: dict[str, Any]) -> dict[str, Any]:
        """A token (or device) response as RFC 6749 fields: errors surfaced, nesting lifted, scope a string."""
        if self.ok_field and data.get(self.ok_field) is False:
            return {"error": str(data.get("error") or "error"), "error_description": data.get("error_description")}
        if self.token_path:
            nested = data.get(self.token_path)
            if isinstance(nested, dict) and nested.get("access_token"):
                lifted = {k: v for k, v in data.items() if k not in ("access_token", "refresh_token", "id_token")}
                lifted.pop(self.token_path, None)
                data = {**lifted, **nested}
        scope = data.get("scope")
        if isinstance(scope, list):
            data = {**data, "scope": " ".join(str(s) for s in scope)}
        elif isinstance(scope, str) and "," in scope and " " not in scope:
            data = {**data, "scope": " ".join(s for s in scope.split(",") if s)}
        return data

    def response_hook(self, response: httpx.Response) -> httpx.Response:
        """Authlib compliance hook: the token response, parsed leniently and normalised."""
        data = parse_body(response)
        if data is None:
            return response
        normalized = self.normalize(data)
        status = response.status_code
        if "error" in normalized and status < 400:
            status = 400  # an error in a 200 answer (Slack, GitHub) is still an error
        # The response's own class: httpx's or httpx2's, whichever the client is built on.
        return type(response)(status, json=normalized, request=response.request)


def parse_body(response: httpx.Response) -> dict[str, Any] | None:
    """A JSON object, or a form-encoded body (GitHub without Accept: application/json), or None."""
    response.read()
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        return data
    content_type = response.headers.get("content-type", "")
    if "application/x-www-form-urlencoded" in content_type or "text/plain" in content_type:
        pairs = parse_qsl(response.text, keep_blank_values=True)
        if pairs:
            return dict(pairs)
    return None


def vendor_endpoints(entry: Vendor, config: Mapping[str, Any]) -> dict[str, str | None]:
    """A vendor's catalogue endpoints with placeholders (Microsoft tenant, Okta domain, ...) filled
    from the provider's configuration; empty when a placeholder has no value."""
    values = {key: value for key, value in config.items() if isinstance(value, str)}
    try:
        return entry.endpoints(values)
    except ValueError:
        return {}


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class _JsonBodyTransport:
    """Sends form-encoded POST bodies as JSON (Atlassian, Notion); a repeated field becomes a list.

    A transport of the library the client is built on (httpx or httpx2: both call
    handle_request and close on it).
    """

    def __init__(self, library: ModuleType) -> None:
        self.library = library
        self.inner = new_transport(library)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content_type = request.headers.get("content-type", "")
        if request.method == "POST" and content_type.startswith("application/x-www-form-urlencoded"):
            fields: dict[str, Any] = {}
            for key, value in parse_qsl(request.read().decode(), keep_blank_values=True):
                if key in fields:
                    fields[key] = [*fields[key], value] if isinstance(fields[key], list) else [fields[key], value]
                else:
                    fields[key] = value
            headers = [
                (k, v) for k, v in request.headers.items() if k.lower() not in ("content-type", "content-length")
            ]
            request = self.library.Request(
                request.method,
                request.url,
                headers=[*headers, ("Content-Type", "application/json")],
                content=json.dumps(fields).encode(),
                extensions=request.extensions,
            )
        response: httpx.Response = self.inner.handle_request(request)
        return response

    def __enter__(self) -> _JsonBodyTransport:
        self.inner.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.inner.__exit__(*exc_info)

    def close(self) -> None:
        self.inner.close()
