"""Consent portals on the local vault: CreateConsentPortal and its siblings, and the local connections.

A consent portal is a page where an end user signs in with the organisation's OpenID Connect
provider (`idpConfig`: an OAuth2 credential provider of this vault and the scopes to ask) and
connects the downstream accounts an agent may use on their behalf. On AWS the accounts to
connect come from the portal's source, an AgentCore gateway and its targets; a gateway cannot
be resolved locally, so the `sources` are kept and shown as given, and the portal's
connections are named by a local-only setting instead (`--local-connections`): OAuth2
credential providers of this vault, in the `consent_portal_connections` table, with the
workload identity whose tokens they are (`--local-workload-name`; by default the default
workload identity, `local-<OS user>`). `executionRoleArn` is kept and shown, and not used:
there is no IAM here.

A portal is a row of `resources` (kind `consentportal`) named by the portal's name; its id is
the name, '-' and ten random letters and digits, so a portal deleted and created again under
the same name gets another id and ARN, as on AWS. Its `portalUrl` is its page on `serve`
(server/portal.py), at serve's own address while the vault is served, else at serve's default
one. Nothing has to be provisioned, so a portal is ACTIVE once made: the create and update
responses report CREATING and UPDATING, as the service does, and every read afterwards ACTIVE.
"""

from __future__ import annotations

import json
import secrets
import string
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentcore_identity_cli.auditlog import CHANGE
from agentcore_identity_cli.backends.local import arns
from agentcore_identity_cli.backends.local.core import LocalCore, timestamp
from agentcore_identity_cli.errors import ServiceError, not_found, validation

if TYPE_CHECKING:
    from agentcore_identity_cli.backends.local.oauth_tokens import LogoutResult
    from agentcore_identity_cli.oauth.flows import PendingAuthorization

KIND = "consentportal"
OAUTH2 = "oauth2"
WORKLOAD = "workload"
PAGE_LIMIT = 100  # ListConsentPortals' maxResults ceiling
ID_SUFFIX_LENGTH = 10
_ID_ALPHABET = string.ascii_letters + string.digits
CREATING, ACTIVE, UPDATING = "CREATING", "ACTIVE", "UPDATING"
# The vendors AWS documents as OAuth2-only: they can back a connection, not a portal's sign-in.
OAUTH2_ONLY_VENDORS = ("GithubOauth2", "SlackOauth2", "SalesforceOauth2", "AtlassianOauth2", "LinkedinOauth2")
# The members of a portal kept as the request gave them (and returned as they were given).
_KEPT = ("executionRoleArn", "idpConfig", "sources", "description")


@dataclass(frozen=True)
class LocalConnections:
    """What a portal connects locally: OAuth2 credential providers, for one workload identity."""

    providers: tuple[str, ...]
    workload: str | None  # None: the default workload identity (local-<OS user>)


@dataclass(frozen=True)
class SignIn:
    """A sign-in to a portal in progress: where to send the browser, and what its return must match."""

    portal_id: str
    nonce: str = field(repr=False)
    pending: PendingAuthorization = field(repr=False)

    @property
    def url(self) -> str:
        """The identity provider's authorization URL (state, nonce and PKCE S256 in it)."""
        return self.pending.url


@dataclass(frozen=True)
class Connection:
    """One connection of a portal as one user sees it."""

    provider: str
    label: str  # what the page calls it (the vendor's name and the provider's)
    connected: bool
    expires_at: float | None = None  # of the access token; None: no expiry, or not connected
    renewable: bool = False  # a refresh token is kept: the agent gets a new access token by itself


def _new_id(name: str) -> str:
    suffix = "".join(secrets.choice(_ID_ALPHABET) for _ in range(ID_SUFFIX_LENGTH))
    return f"{name}-{suffix}"


def _identifier_id(identifier: str) -> str | None:
    """The portal id an identifier (an id, or a portal ARN of this vault) names; None for another ARN."""
    if not identifier.startswith("arn:"):
        return identifier
    parsed = arns.parse(identifier)
    return parsed[1] if parsed is not None and parsed[0] == KIND else None


class ConsentPortalsMixin(LocalCore):
    """The consent portal operations, and the local connections of a portal."""

    # --- the operations ---------------------------------------------------------------

    def create_consent_portal(self, params: dict[str, Any]) -> dict[str, Any]:
        """CreateConsentPortal: the portal, ACTIVE at once; the response says CREATING, as the service's."""
        name = params["name"]
        portal_id = _new_id(name)
        arn = arns.consent_portal_arn(portal_id)
        self.audit_target(arn)
        with self.store.transaction():
            self._idp_provider(params["idpConfig"])
            self.refuse_existing(KIND, name)
            attrs = {"id": portal_id, **{key: params[key] for key in _KEPT if key in params}}
            row = self.store.insert(KIND, name, arn, attrs)
            if params.get("tags"):
                self.store.set_tags(row["arn"], params["tags"])
        return self._full(row, CREATING)

    def get_consent_portal(self, params: dict[str, Any]) -> dict[str, Any]:
        """GetConsentPortal."""
        return self._full(self.consent_portal(params["consentPortalIdentifier"]), ACTIVE)

    def update_consent_portal(self, params: dict[str, Any]) -> dict[str, Any]:
        """UpdateConsentPortal: the members given replace the stored ones; the others stay."""
        with self.store.transaction():
            row = self.consent_portal(params["consentPortalIdentifier"])
            if "idpConfig" in params:
                self._idp_provider(params["idpConfig"])
            attrs = {**row["attrs"], **{key: params[key] for key in _KEPT if key in params}}
            self.store.update(KIND, row["name"], attrs)
            row = self.require(KIND, row["name"])
        return self._full(row, UPDATING)

    def delete_consent_portal(self, params: dict[str, Any]) -> dict[str, Any]:
        """DeleteConsentPortal: the portal, its local connections and its tags. The tokens users
        connected stay: they belong to the workload identity, whose agent uses them."""
        with self.store.transaction():
            row = self.consent_portal(params["consentPortalIdentifier"])
            return self.delete_resource(KIND, row["name"])

    def list_consent_portals(self, params: dict[str, Any]) -> dict[str, Any]:
        """ListConsentPortals."""
        return self.list_resources(KIND, params, PAGE_LIMIT, "consentPortals", self._summary)

    # --- the local connections (a local-only extension) --------------------------------

    def set_consent_portal_connections(
        self, identifier: str, providers: list[str] | None, workload: str | None, *, set_workload: bool
    ) -> LocalConnections:
        """Name the OAuth2 credential providers a portal connects (None: keep them), and the workload
        identity their tokens are kept for (when `set_workload`; None: the default one)."""
        with self.audited("SetConsentPortalConnections", category=CHANGE):
            row = self.consent_portal(identifier)
            if providers is not None:
                repeated = sorted({name for name in providers if providers.count(name) > 1})
                if repeated:
                    raise validation(f"A connection is named more than once: {', '.join(repeated)}.")
                for provider in providers:
                    self.require(OAUTH2, provider)
                self.store.db.execute("DELETE FROM consent_portal_connections WHERE portal = ?", (row["name"],))
                self.store.db.executemany(
                    "INSERT INTO consent_portal_connections (portal, provider, position) VALUES (?, ?, ?)",
                    [(row["name"], provider, index) for index, provider in enumerate(providers)],
                )
            if set_workload:
                if workload is not None:
                    self.require(WORKLOAD, workload)
                attrs = {key: value for key, value in row["attrs"].items() if key != "localWorkloadName"}
                if workload is not None:
                    attrs["localWorkloadName"] = workload
                self.store.update(KIND, row["name"], attrs)
            return self.consent_portal_connections(self.require(KIND, row["name"]))

    def consent_portal_connections(self, row: dict[str, Any]) -> LocalConnections:
        """The local connections of a portal row."""
        providers = self.store.db.execute(
            "SELECT provider FROM consent_portal_connections WHERE portal = ? ORDER BY position", (row["name"],)
        ).fetchall()
        workload = row["attrs"].get("localWorkloadName")
        return LocalConnections(tuple(str(name) for (name,) in providers), workload if workload else None)

    # --- rows -------------------------------------------------------------------------

    def consent_portal(self, identifier: str) -> dict[str, Any]:
        """The row of the portal an id or ARN names; ResourceNotFoundException otherwise."""
        portal_id = _identifier_id(identifier)
        if portal_id:
            self.audit_target(arns.consent_portal_arn(portal_id))
        name = portal_id[: -(ID_SUFFIX_LENGTH + 1)] if portal_id else None
        row = self.store.get(KIND, name) if name else None
        if row is None or row["attrs"].get("id") != portal_id:
            raise not_found(
                "Consent portal", identifier, hint="run 'agentcore-identity list-consent-portals' to see the ids"
            )
        return row

    def _idp_provider(self, idp: dict[str, Any]) -> dict[str, Any]:
        """The OAuth2 credential provider of idpConfig: one of this vault's, able to sign users in."""
        arn = idp["credentialProviderArn"]
        parsed = arns.parse(arn)
        if parsed is None or parsed[0] != OAUTH2:
            raise ServiceError(
                "ValidationException",
                f"idpConfig.credentialProviderArn {arn} is not the ARN of an OAuth2 credential provider "
                "of the local vault.",
                hint="use the credentialProviderArn that get-oauth2-credential-provider prints",
            )
        row = self.require(OAUTH2, parsed[1])
        vendor = row["attrs"].get("vendor")
        if vendor in OAUTH2_ONLY_VENDORS:
            raise validation(
                f"OAuth2 credential provider '{row['name']}' ({vendor}) cannot sign users in to a consent portal: "
                "it is not an OpenID Connect provider. It can be one of the portal's connections instead."
            )
        return row

    def _summary(self, row: dict[str, Any]) -> dict[str, Any]:
        return self._out(row, ACTIVE, full=False)

    def _full(self, row: dict[str, Any], status: str) -> dict[str, Any]:
        return self._out(row, status, full=True)

    def _out(self, row: dict[str, Any], status: str, *, full: bool) -> dict[str, Any]:
        """A portal in the members' order of the API's shapes (ConsentPortalSummary without the
        execution role and idpConfig)."""
        attrs = row["attrs"]
        out: dict[str, Any] = {
            "sources": attrs["sources"],
            "consentPortalArn": row["arn"],
            "consentPortalId": attrs["id"],
            "createdAt": timestamp(row["created"]),
        }
        if "description" in attrs:
            out["description"] = attrs["description"]
        if full:
            out["executionRoleArn"] = attrs["executionRoleArn"]
            out["idpConfig"] = attrs["idpConfig"]
        out["name"] = row["name"]
        out["portalUrl"] = arns.portal_url(attrs["id"], self.callback_base)
        out["status"] = status
        out["updatedAt"] = timestamp(row["updated"])
        return out

    # --- what the portal's page does (server/portal.py) ----------------------------------

    resolve_workload: Any  # OAuth2TokensMixin
    oauth2_logout: Any
    complete_resource_token_auth: Any  # SessionsMixin
    _start_session: Any
    _client: Any  # OAuth2ClientsMixin
    _with_client: Any
    _metadata: Any
    http_timeout: float | None

    def portal_sign_in(self, portal_id: str, redirect_uri: str) -> SignIn:
        """Start a user's sign-in: the authorization request to the portal's identity provider
        (code + PKCE S256, a random state and nonce, `openid` always asked, idpConfig's audience)."""
        from agentcore_identity_cli.oauth import flows

        row = self.consent_portal(portal_id)
        idp = row["attrs"]["idpConfig"]
        provider = self._idp_provider(idp)
        scopes = list(idp["scopes"])
        if "openid" not in scopes:
            scopes.insert(0, "openid")  # no ID token, no user id: OpenID Connect needs it
        nonce = secrets.token_urlsafe(24)
        extra = [("nonce", nonce)] + ([("audience", idp["audience"])] if idp.get("audience") else [])
        cfg, _ = self._client(provider, with_secret=False)  # the authorization URL carries no secret
        pending = flows.authorization_request(cfg, scopes, redirect_uri, extra)
        return SignIn(row["attrs"]["id"], nonce, pending)

    def portal_sign_in_complete(self, sign_in: SignIn, params: dict[str, str]) -> str:
        """Finish a sign-in from the identity provider's redirect: state checked, code exchanged
        with the PKCE verifier, ID token verified (signature when the provider publishes its keys,
        issuer, audience, expiry, nonce). Returns the user id: the ID token's `sub`."""
        from agentcore_identity_cli.oauth import flows

        row = self.consent_portal(sign_in.portal_id)
        provider = self._idp_provider(row["attrs"]["idpConfig"])
        code = flows.code_from_callback(sign_in.pending, params)
        token = self._with_client(provider, lambda cfg: flows.exchange_code(cfg, sign_in.pending, code))
        if not token.id_token:
            raise ServiceError(
                "AccessDeniedException",
                "The identity provider answered without an ID token: it is not an OpenID Connect provider, "
                "or it refused the openid scope.",
            )
        claims = self._id_token_claims(provider, token.id_token)
        import hmac

        if not hmac.compare_digest(str(claims.get("nonce") or "").encode(), sign_in.nonce.encode()):
            raise ServiceError("AccessDeniedException", "The ID token was not issued for this sign-in (nonce).")
        return str(claims["sub"])

    def _id_token_claims(self, provider: dict[str, Any], id_token: str) -> dict[str, Any]:
        """The claims of an ID token from the provider's token endpoint (OpenID Connect Core 3.1.3.7)."""
        from joserfc import jwt
        from joserfc.errors import JoseError
        from joserfc.jwk import KeySet

        from agentcore_identity_cli.backends.local.signing import checked_claims
        from agentcore_identity_cli.backends.local.trust import ALLOWED_ALGORITHMS, _unverified, fetch_json

        cfg, _ = self._client(provider, with_secret=False)
        header, unverified = _unverified(id_token)
        discovery = (provider["attrs"].get("config") or {}).get("oauthDiscovery", {}).get("discoveryUrl")
        jwks_uri = self._metadata(discovery, refetch=False)[0].get("jwks_uri") if discovery else None
        if jwks_uri:
            if header.get("alg") not in ALLOWED_ALGORITHMS:
                raise ServiceError(
                    "AccessDeniedException", f"The ID token's algorithm {header.get('alg')!r} is refused."
                )
            document: Any = fetch_json(jwks_uri, "JWKS", timeout=self.http_timeout)
            try:
                keys = KeySet.import_key_set(document)
                claims = dict(jwt.decode(id_token, keys, algorithms=list(ALLOWED_ALGORITHMS)).claims)
            except (JoseError, ValueError, TypeError):
                raise ServiceError(
                    "AccessDeniedException", "The ID token's signature does not verify with the provider's keys."
                ) from None
        else:
            # No published keys to check it with: the token came straight from the token endpoint,
            # which OpenID Connect Core 3.1.3.7 (6) accepts in place of the signature.
            claims = unverified
        issuer = cfg.endpoints.issuer or str(unverified.get("iss") or "")
        return checked_claims(claims, "The ID token", 60, issuer=issuer, audience=cfg.client_id)

    def portal_connections(self, portal_id: str, user: str) -> list[Connection]:
        """Each connection of a portal and its state for one user (no secret is opened)."""
        from agentcore_identity_cli.identity import default_workload_name
        from agentcore_identity_cli.oauth.catalogue import vendor

        row = self.consent_portal(portal_id)
        local = self.consent_portal_connections(row)
        workload = local.workload or default_workload_name()
        out = []
        for name in local.providers:
            provider = self.require(OAUTH2, name)
            label = vendor(provider["attrs"]["vendor"]).display_name
            hit = self.store.db.execute(
                "SELECT expires, attrs FROM oauth2_tokens WHERE provider = ? AND workload = ? AND user_id = ? "
                "AND flow = 'USER_FEDERATION' ORDER BY obtained DESC LIMIT 1",
                (name, workload, user),
            ).fetchone()
            if hit is None:
                out.append(Connection(name, label, connected=False))
                continue
            renewable = bool(json.loads(hit[1]).get("hasRefreshToken"))
            expires = float(hit[0]) if hit[0] is not None else None
            gone = expires is not None and expires <= time.time() and not renewable
            out.append(Connection(name, label, connected=not gone, expires_at=expires, renewable=renewable))
        return out

    def portal_connect(self, portal_id: str, provider: str, user: str, return_url: str, state: str) -> tuple[str, str]:
        """Start connecting a provider for a user: a user-federation session of the portal's workload
        identity, which sends the browser back to `return_url` (with `state`); returns the
        authorization URL and the session's URI."""
        row = self.consent_portal(portal_id)
        local = self.consent_portal_connections(row)
        if provider not in local.providers:
            raise not_found("Connection", provider, hint="the portal's connections are named by --local-connections")
        workload = self.resolve_workload(local.workload)
        params = {"resourceOauth2ReturnUrl": return_url, "customState": state}
        started = self._start_session(provider, workload, user, [], params)
        return str(started["authorizationUrl"]), str(started["sessionUri"])

    def portal_connect_complete(self, session_uri: str, user: str) -> None:
        """The provider's consent came back: the session's tokens become this user's."""
        self.complete_resource_token_auth({"sessionUri": session_uri, "userIdentifier": {"userId": user}})

    def portal_disconnect(self, portal_id: str, provider: str, user: str) -> LogoutResult:
        """Delete a user's tokens of one connection, revoked where the provider can."""
        local = self.consent_portal_connections(self.consent_portal(portal_id))
        if provider not in local.providers:
            raise not_found("Connection", provider, hint="the portal's connections are named by --local-connections")
        result: LogoutResult = self.oauth2_logout(provider, workload=local.workload, user_id=user)
        return result
