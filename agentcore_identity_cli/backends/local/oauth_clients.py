"""How an OAuth2 credential provider of the vault becomes an OAuth client of the engine.

Endpoints come from, in order: the discovery document (custom providers with a
`discoveryUrl`; cached in the vault's `oauth2_metadata` for a day and fetched again when a
request on the cached endpoints cannot reach them), the provider's
authorizationServerMetadata with any local endpoint overrides on top, and for built-in
vendors the catalogue's device and revocation endpoints (with placeholders such as
Microsoft's tenant filled from the provider's configuration). The client authentication
method is the provider's `clientAuthenticationMethod` when set (client_auth.py), else the
first of client_secret_basic / client_secret_post that the metadata lists.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from agentcore_identity_cli.backends.local import client_auth
from agentcore_identity_cli.backends.local.core import LocalCore
from agentcore_identity_cli.errors import validation
from agentcore_identity_cli.oauth.http import OAuthNetworkError, log, require_secure

if TYPE_CHECKING:
    from agentcore_identity_cli.oauth.catalogue import Vendor
    from agentcore_identity_cli.oauth.flows import Endpoints, OAuthClient

T = TypeVar("T")

OAUTH2 = "oauth2"
# The tag under which `create-oauth2-credential-provider --scopes` keeps default scopes
# (the same constant as cli/oauth2.py SCOPES_TAG; the backend does not import the CLI).
SCOPES_TAG = "agentcore-identity:default-scopes"
METADATA_TTL = 24 * 3600.0
_SECRET_METHODS = ("client_secret_basic", "client_secret_post")


class OAuth2ClientsMixin(LocalCore):
    """Provider rows as OAuth clients: endpoints, discovery cache, scopes, client secret."""

    # Seconds for each HTTP request to the authorization server (None: the engine's default).
    http_timeout: float | None = None

    def _default_scopes(self, row: dict[str, Any]) -> list[str]:
        value = self.store.tags(row["arn"]).get(SCOPES_TAG, "")
        return value.split()

    def _login_scopes(self, row: dict[str, Any], scopes: list[str] | None) -> list[str]:
        if scopes is not None:
            return list(scopes)
        tagged = self._default_scopes(row)
        if tagged:
            return tagged
        from agentcore_identity_cli.oauth.catalogue import vendor

        return list(vendor(row["attrs"]["vendor"]).default_scopes)

    def _with_client(self, row: dict[str, Any], action: Callable[[OAuthClient], T]) -> T:
        """Run a request; when it cannot reach endpoints taken from cached discovery
        metadata, fetch the metadata again and retry once if the endpoints changed."""
        cfg, cached = self._client(row)
        try:
            return action(cfg)
        except OAuthNetworkError:
            if not cached:
                raise
            log.debug("request failed with cached metadata; fetching the discovery document again")
            fresh, _ = self._client(row, refetch=True)
            if fresh.endpoints == cfg.endpoints and fresh.auth_method == cfg.auth_method:
                raise
            return action(fresh)

    def _client(
        self, row: dict[str, Any], *, refetch: bool = False, with_secret: bool = True
    ) -> tuple[OAuthClient, bool]:
        """The provider as an OAuth client, and whether its endpoints came from cached metadata."""
        from agentcore_identity_cli.oauth.catalogue import vendor
        from agentcore_identity_cli.oauth.flows import OAuthClient
        from agentcore_identity_cli.oauth.quirks import Quirks

        attrs = row["attrs"]
        entry = vendor(attrs["vendor"])
        config = attrs.get("config") or {}
        client_id = config.get("clientId")
        if not client_id:
            raise validation(f"OAuth2 credential provider '{row['name']}' has no clientId.")
        endpoints, methods, cached = self._endpoints(row, entry, refetch=refetch)
        # An explicit clientAuthenticationMethod wins over the metadata's and the catalogue's.
        chosen = client_auth.explicit_method(config) or next(
            (m for m in methods if m in _SECRET_METHODS), "client_secret_basic"
        )
        secret = assertion = None
        if with_secret and chosen == "private_key_jwt":
            assertion = client_auth.client_assertion(self, row["name"], config)
        elif with_secret:
            secret = self.open_secret(OAUTH2, row["name"], "clientSecret")
        cfg = OAuthClient(
            client_id=client_id,
            client_secret=secret or "",
            endpoints=endpoints,
            auth_method=chosen,
            quirks=Quirks.for_vendor(entry),
            timeout=self.http_timeout,
            assertion=assertion,
        )
        return cfg, cached

    def _endpoints(self, row: dict[str, Any], entry: Vendor, *, refetch: bool) -> tuple[Endpoints, list[str], bool]:
        from agentcore_identity_cli.oauth.flows import Endpoints
        from agentcore_identity_cli.oauth.quirks import vendor_endpoints

        attrs = row["attrs"]
        member = attrs["configMember"]
        inner = (attrs.get("output") or {}).get(member) or {}
        discovery = inner.get("oauthDiscovery") or {}
        url = discovery.get("discoveryUrl")
        if url:
            document, cached = self._metadata(url, refetch=refetch)
            methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
            return (
                Endpoints(
                    token=document["token_endpoint"],
                    authorization=document.get("authorization_endpoint"),
                    device_authorization=document.get("device_authorization_endpoint"),
                    revocation=document.get("revocation_endpoint"),
                    issuer=document.get("issuer"),
                ),
                [m for m in methods if isinstance(m, str)],
                cached,
            )
        metadata = dict(discovery.get("authorizationServerMetadata") or {})
        overrides = attrs.get("endpointOverrides") or {}
        metadata.update(overrides)
        token = metadata.get("tokenEndpoint")
        if not token:
            raise validation(f"OAuth2 credential provider '{row['name']}' has no token endpoint.")
        device = revocation = None
        catalogue = vendor_endpoints(entry, attrs.get("config") or {})
        # The vendor's device and revocation endpoints apply only where its token endpoint is used.
        if not overrides and catalogue.get("tokenEndpoint") == token:
            device, revocation = catalogue.get("deviceAuthorizationEndpoint"), catalogue.get("revocationEndpoint")
        endpoints = Endpoints(
            token=require_secure(token, "tokenEndpoint"),
            authorization=metadata.get("authorizationEndpoint"),
            device_authorization=device,
            revocation=revocation,
            issuer=metadata.get("issuer"),
        )
        if endpoints.authorization:
            require_secure(endpoints.authorization, "authorizationEndpoint")
        return endpoints, list(metadata.get("tokenEndpointAuthMethods") or ["client_secret_basic"]), False

    def _metadata(self, url: str, *, refetch: bool) -> tuple[dict[str, Any], bool]:
        """The discovery document of a URL: from the vault when fetched within a day, else fetched."""
        from agentcore_identity_cli.oauth import discovery

        if not refetch:
            hit = self.store.db.execute(
                "SELECT fetched, document FROM oauth2_metadata WHERE url = ?", (url,)
            ).fetchone()
            if hit is not None and time.time() - float(hit[0]) < METADATA_TTL:
                return discovery.validate(json.loads(hit[1]), url), True
        document = discovery.fetch(url, timeout=self.http_timeout)
        with self.store.transaction():
            self.store.db.execute(
                "INSERT INTO oauth2_metadata (url, fetched, document) VALUES (?, ?, ?) "
                "ON CONFLICT (url) DO UPDATE SET fetched = excluded.fetched, document = excluded.document",
                (url, time.time(), json.dumps(document, sort_keys=True)),
            )
        return document, False
