"""OAuth 2.0 tokens in the local vault, and the backend-level API that produces them.

The API, for the CLI (`login`, `token`, `logout`) and for the data plane
(`get-resource-oauth2-token` builds on the same calls)::

    backend.oauth2_token(provider, *, flow=None, scopes=None, workload=None, user_id=None,
                         force=False, resources=None, audiences=None, subject_token=None,
                         min_ttl=REFRESH_MARGIN) -> TokenResult
        A fresh token. flow "M2M": client credentials, cached until REFRESH_MARGIN (60 s)
        before expiry. flow "USER_FEDERATION": the token of an earlier login, refreshed
        when it expires within 60 s. flow "ON_BEHALF_OF_TOKEN_EXCHANGE": the user's JWT
        (subject_token) exchanged as the provider's onBehalfOfTokenExchangeConfig says
        (RFC 8693 token exchange, or the RFC 7523 JWT authorization grant), cached like M2M.
        flow None: ON_BEHALF_OF_TOKEN_EXCHANGE when a subject token is given, else
        USER_FEDERATION once a login exists for (workload, provider, user), else M2M.
        scopes None: the provider's default scopes (M2M, exchange), or the most recent
        login whatever its scopes (USER_FEDERATION). resources and audiences (RFC 8707
        `resource`, `audience`) go with M2M and exchange requests and are part of the cache key.
        min_ttl: a stored token with fewer seconds left is refreshed (or fetched again) first;
        `run` asks for 300, since the program it starts cannot be handed a new one.
    backend.begin_user_authorization(provider, *, redirect_uri, scopes=None, workload=None,
                                     user_id=None) -> UserAuthorization
        The authorization URL (code + PKCE S256, random state) for a redirect URI.
    backend.complete_user_authorization(authorization, params) -> TokenResult
        Check the redirect's state, exchange the code, store the tokens.
    backend.begin_device_authorization(provider, *, scopes=None, workload=None,
                                       user_id=None) -> DeviceLogin
    backend.complete_device_authorization(login) -> TokenResult
        RFC 8628: the user and verification codes, then poll until approved.
    backend.oauth2_logout(provider, *, workload=None, user_id=None) -> LogoutResult
        Delete the stored user tokens and revoke them where the provider can.
    backend.set_oauth2_endpoint_overrides(name, overrides)
        Local-only extension: point a built-in vendor (GithubOauth2, ...) at other endpoints.

Tokens are kept per (workload identity, provider, user id, scopes, flow, and for M2M and
exchanged tokens the resources and audiences asked): the readable
metadata in `oauth2_tokens`, the token values sealed in `secrets` under the provider's
record (field ``oauth2Token:<id>``), so key rotation re-seals them and deleting the provider
deletes them. The default workload identity is ``local-<OS user>``, created on first use; the
default user id is the OS user name (identity.py, shared with `api-key` and the Python API).

One refresh at a time: check, refresh and store run under an exclusive lock file per token
(``<vault>.locks/<id>.lock``, fcntl), and the token is read again once the lock is held, so
processes that raced to refresh find the token another one just stored and a rotating
refresh token is never spent twice.

Modules: this one (the API and the flows' bookkeeping), oauth_clients.py (provider rows as
OAuth clients: endpoints, discovery cache, scopes), oauth_store.py (rows, sealed values,
locks); the protocol itself is in agentcore_identity_cli/oauth/.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from agentcore_identity_cli.auditlog import CHANGE, SECRET_READ
from agentcore_identity_cli.backends.local.oauth_clients import OAuth2ClientsMixin
from agentcore_identity_cli.backends.local.oauth_store import (
    M2M,
    OAUTH2,
    USER_FEDERATION,
    StoredToken,
    TokenStoreMixin,
    scopes_key,
    token_id,
)
from agentcore_identity_cli.errors import ServiceError, not_found, validation
from agentcore_identity_cli.identity import default_workload_name
from agentcore_identity_cli.identity import os_user as default_user_id
from agentcore_identity_cli.oauth.http import OAuthNetworkError, OAuthProviderError, log, require_secure
from agentcore_identity_cli.oauth.tokens import REFRESH_MARGIN

if TYPE_CHECKING:
    from agentcore_identity_cli.oauth.flows import DeviceAuthorization, OAuthClient, PendingAuthorization
    from agentcore_identity_cli.oauth.tokens import TokenSet

__all__ = [
    "ON_BEHALF_OF",
    "DeviceLogin",
    "LogoutResult",
    "OAuth2TokensMixin",
    "TokenResult",
    "UserAuthorization",
    "scopes_key",
    "token_id",
]

WORKLOAD = "workload"
ON_BEHALF_OF = "ON_BEHALF_OF_TOKEN_EXCHANGE"
FLOWS = (USER_FEDERATION, M2M, ON_BEHALF_OF)
OVERRIDABLE_ENDPOINTS = ("issuer", "authorizationEndpoint", "tokenEndpoint")
_API_ENDPOINT_MEMBERS = ("customOauth2ProviderConfig", "includedOauth2ProviderConfig")


@dataclass(frozen=True)
class Targets:
    """The RFC 8707 resources and the audiences a token is asked for."""

    resources: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()

    def cache_key(self, scopes: str) -> str:
        """The scopes key, extended with the targets when there are any (ids of plain tokens unchanged)."""
        if not self.resources and not self.audiences:
            return scopes
        return "\x1e".join((scopes, " ".join(sorted(set(self.resources))), " ".join(sorted(set(self.audiences)))))


@dataclass
class TokenResult:
    """A token handed out, with whose it is and where it came from."""

    token: TokenSet
    provider: str
    workload: str
    user_id: str | None
    flow: str
    scopes: tuple[str, ...]
    source: str  # "cache", "refreshed" or "new"

    @property
    def access_token(self) -> str:
        """The access token itself."""
        return self.token.access_token

    def describe(self) -> dict[str, Any]:
        """The safe fields plus accessToken (TokenSet.describe)."""
        return self.token.describe()


@dataclass(frozen=True)
class UserAuthorization:
    """A browser login in progress: the URL to open and what the redirect must match."""

    provider: str
    workload: str
    user_id: str
    scopes: tuple[str, ...]
    pending: PendingAuthorization = field(repr=False)

    @property
    def url(self) -> str:
        """The authorization URL for the user's browser."""
        return self.pending.url


@dataclass(frozen=True)
class DeviceLogin:
    """A device login in progress (RFC 8628)."""

    provider: str
    workload: str
    user_id: str
    scopes: tuple[str, ...]
    device: DeviceAuthorization

    @property
    def user_code(self) -> str:
        """The code the user types at the verification page."""
        return self.device.user_code


@dataclass
class LogoutResult:
    """What logout did."""

    deleted: int = 0
    revoked: int = 0
    warnings: list[str] = field(default_factory=list)


@contextmanager
def _login_needed_when_refused(provider: str, workload: str, user: str, implied: bool) -> Iterator[None]:
    """Without a login, `token` tries client credentials; a refusal then means: log in first."""
    try:
        yield
    except OAuthProviderError as exc:
        if not implied:
            raise
        error = OAuthProviderError("client credentials grant", exc.error, exc.description)
        error.message = (
            f"No login is stored for provider '{provider}', user '{user}' and workload identity '{workload}', "
            f"so a client-credentials token was asked for instead. {exc.message}."
        )
        error.args = (error.message,)
        error.hint = f"run `agentcore-identity login {provider}` first"
        raise error from None


class OAuth2TokensMixin(OAuth2ClientsMixin, TokenStoreMixin):
    """The OAuth 2.0 engine on the local vault: tokens stored, refreshed and handed out."""

    # --- the public API ---------------------------------------------------------------

    def oauth2_token(
        self,
        provider: str,
        *,
        flow: str | None = None,
        scopes: list[str] | None = None,
        workload: str | None = None,
        user_id: str | None = None,
        force: bool = False,
        resources: list[str] | None = None,
        audiences: list[str] | None = None,
        subject_token: str | None = None,
        min_ttl: float = REFRESH_MARGIN,
    ) -> TokenResult:
        """A fresh access token of a provider (see the module docstring)."""
        if flow is not None and flow not in FLOWS:
            raise validation(f"oauth2Flow must be one of {', '.join(FLOWS)}, not {flow}.")
        workload_name = self.resolve_workload(workload)
        user = user_id or default_user_id()
        targets = Targets(tuple(resources or ()), tuple(audiences or ()))
        # One audit event for the token handed out (the secrets opened on the way join it).
        with self.audited("OAuth2Token", workload=workload_name, user_id=user, category=SECRET_READ):
            return self._oauth2_token(
                provider, flow, scopes, workload_name, user, force, targets, subject_token, max(min_ttl, REFRESH_MARGIN)
            )

    def _oauth2_token(
        self,
        provider: str,
        flow: str | None,
        scopes: list[str] | None,
        workload_name: str,
        user: str,
        force: bool,
        targets: Targets,
        subject_token: str | None,
        min_ttl: float = REFRESH_MARGIN,
    ) -> TokenResult:
        row = self.require(OAUTH2, provider)
        if flow is None and subject_token:
            flow = ON_BEHALF_OF
        if flow == ON_BEHALF_OF:
            if not subject_token:
                raise validation("ON_BEHALF_OF_TOKEN_EXCHANGE needs the user's JWT to exchange.")
            return self._exchanged_token(row, workload_name, user, subject_token, scopes, targets, force, min_ttl)
        user_token = self._find_user_token(provider, workload_name, user, scopes)
        implied = flow is None
        if flow is None:
            flow = USER_FEDERATION if user_token is not None else M2M
        if flow == M2M:
            with _login_needed_when_refused(provider, workload_name, user, implied):
                return self._m2m_token(row, workload_name, scopes, force, targets, min_ttl)
        if user_token is None:
            wanted = f" with scopes '{scopes_key(scopes)}'" if scopes else ""
            raise ServiceError(
                "ResourceNotFoundException",
                f"No user token is stored for provider '{provider}', user '{user}' and workload "
                f"identity '{workload_name}'{wanted}.",
                hint=f"run `agentcore-identity login {provider}` first",
            )
        return self._user_token(row, user_token, force, min_ttl)

    def begin_user_authorization(
        self,
        provider: str,
        *,
        redirect_uri: str,
        scopes: list[str] | None = None,
        workload: str | None = None,
        user_id: str | None = None,
        extra: Sequence[tuple[str, str]] = (),
    ) -> UserAuthorization:
        """Start a browser login: the authorization URL with state and PKCE S256 (and `extra` parameters)."""
        from agentcore_identity_cli.oauth import flows

        row = self.require(OAUTH2, provider)
        workload_name = self.resolve_workload(workload)
        wanted = self._login_scopes(row, scopes)
        cfg, _ = self._client(row, with_secret=False)  # the authorization URL carries no secret
        pending = flows.authorization_request(cfg, wanted, redirect_uri, extra)
        log.debug("authorization request for provider %s (scopes %s)", provider, " ".join(wanted) or "-")
        return UserAuthorization(provider, workload_name, user_id or default_user_id(), tuple(wanted), pending)

    def complete_user_authorization(self, authorization: UserAuthorization, params: Mapping[str, str]) -> TokenResult:
        """Check the redirect (state first), exchange the code with the PKCE verifier, store the tokens."""
        from agentcore_identity_cli.oauth import flows

        with self._audited_login(authorization.workload, authorization.user_id):
            code = flows.code_from_callback(authorization.pending, params)
            row = self.require(OAUTH2, authorization.provider)
            token = self._with_client(row, lambda cfg: flows.exchange_code(cfg, authorization.pending, code))
            return self._store_user_token(
                row, authorization.workload, authorization.user_id, authorization.scopes, token
            )

    def begin_device_authorization(
        self,
        provider: str,
        *,
        scopes: list[str] | None = None,
        workload: str | None = None,
        user_id: str | None = None,
    ) -> DeviceLogin:
        """Start a device login: the user code and the verification URL."""
        from agentcore_identity_cli.oauth import flows

        row = self.require(OAUTH2, provider)
        workload_name = self.resolve_workload(workload)
        wanted = self._login_scopes(row, scopes)
        device = self._with_client(row, lambda cfg: flows.device_authorization(cfg, wanted))
        return DeviceLogin(provider, workload_name, user_id or default_user_id(), tuple(wanted), device)

    def complete_device_authorization(
        self, login: DeviceLogin, *, sleep: Callable[[float], None] = time.sleep
    ) -> TokenResult:
        """Poll until the user approves (or denies, or the code expires); store the tokens."""
        from agentcore_identity_cli.oauth import flows

        with self._audited_login(login.workload, login.user_id):
            row = self.require(OAUTH2, login.provider)
            cfg, _ = self._client(row)
            token = flows.device_poll(cfg, login.device, sleep=sleep)
            return self._store_user_token(row, login.workload, login.user_id, login.scopes, token)

    def oauth2_logout(self, provider: str, *, workload: str | None = None, user_id: str | None = None) -> LogoutResult:
        """Delete the user's stored tokens of a provider, and revoke them where it has a revocation endpoint."""
        workload_name = workload or default_workload_name()
        user = user_id or default_user_id()
        # A change, recorded after the block: revocation is network I/O, kept out of a write lock.
        with self.audited("OAuth2Logout", workload=workload_name, user_id=user, category=CHANGE, transaction=False):
            return self._oauth2_logout(provider, workload, workload_name, user)

    def _oauth2_logout(self, provider: str, workload: str | None, workload_name: str, user: str) -> LogoutResult:
        from agentcore_identity_cli.oauth import flows

        row = self.require(OAUTH2, provider)
        if workload:
            self.require(WORKLOAD, workload)
        stored = [
            self._load(tid)
            for (tid,) in self.store.db.execute(
                "SELECT id FROM oauth2_tokens WHERE provider = ? AND workload = ? AND user_id = ? AND flow = ?",
                (provider, workload_name, user, USER_FEDERATION),
            ).fetchall()
        ]
        tokens = [s for s in stored if s is not None]
        result = LogoutResult()
        with self.store.transaction():
            for item in tokens:
                self._delete(item.provider, item.id)
            result.deleted = len(tokens)
        if not tokens:
            return result
        try:
            cfg, _ = self._client(row)
        except (OAuthNetworkError, OAuthProviderError, ServiceError) as exc:
            result.warnings.append(f"The tokens were deleted here but not revoked: {exc.message}")
            return result
        if not cfg.endpoints.revocation:
            result.warnings.append(
                f"Provider '{provider}' has no revocation endpoint: the tokens were deleted here, not revoked."
            )
            return result
        for item in tokens:
            pairs = [(item.token.refresh_token, "refresh_token"), (item.token.access_token, "access_token")]
            for value, hint in pairs:
                if not value:
                    continue
                try:
                    flows.revoke(cfg, value, hint)
                    result.revoked += 1
                except (OAuthNetworkError, OAuthProviderError) as exc:
                    result.warnings.append(f"Revoking a {hint.replace('_', ' ')} failed: {exc.message}")
        return result

    def set_oauth2_endpoint_overrides(self, name: str, overrides: Mapping[str, str]) -> None:
        """Local-only: point a built-in vendor's provider at other endpoints (tests, private mirrors).

        The AWS API has no endpoint members for the dedicated vendors (githubOauth2ProviderConfig,
        ...); the overrides are kept in the provider row and shown in its
        authorizationServerMetadata. An update of the provider replaces them.
        """
        unknown = set(overrides) - set(OVERRIDABLE_ENDPOINTS)
        if unknown:
            raise validation(f"Only {', '.join(OVERRIDABLE_ENDPOINTS)} can be overridden, not {', '.join(unknown)}.")
        for key, url in overrides.items():
            require_secure(url, key)
        with self.audited("SetOauth2EndpointOverrides", category=CHANGE):
            row = self.require(OAUTH2, name)
            attrs = json.loads(json.dumps(row["attrs"]))
            member = attrs["configMember"]
            if member in _API_ENDPOINT_MEMBERS:
                raise validation(f"{attrs['vendor']} takes its endpoints as API members; no override is needed.")
            attrs["endpointOverrides"] = dict(overrides)
            metadata = attrs["output"][member]["oauthDiscovery"]["authorizationServerMetadata"]
            metadata.update(overrides)
            self.store.update(OAUTH2, name, attrs)

    def resolve_workload(self, workload: str | None) -> str:
        """The named workload identity (which must exist), or the default one, created on first use."""
        if workload:
            self.require(WORKLOAD, workload)
            return workload
        name = default_workload_name()
        if self.store.get(WORKLOAD, name) is None:
            try:
                self.invoke("CreateWorkloadIdentity", {"name": name})
            except ServiceError as exc:
                if exc.code != "ConflictException":  # another process created it first
                    raise
        return name

    # --- flows ------------------------------------------------------------------------

    def _audited_login(self, workload: str, user_id: str) -> AbstractContextManager[Any]:
        """One audit event for a login: a change (tokens stored), recorded after the block,
        since the block talks to the authorization server."""
        return self.audited("OAuth2Login", workload=workload, user_id=user_id, category=CHANGE, transaction=False)

    def _m2m_token(
        self,
        row: dict[str, Any],
        workload: str,
        scopes: list[str] | None,
        force: bool,
        targets: Targets | None = None,
        min_ttl: float = REFRESH_MARGIN,
    ) -> TokenResult:
        wanted = scopes if scopes is not None else self._default_scopes(row)
        key = scopes_key(wanted)
        targets = targets or Targets()
        tid = token_id(workload, row["name"], "", targets.cache_key(key), M2M)
        resources, audiences = list(targets.resources), list(targets.audiences)

        def fetch() -> TokenSet:
            # Imported only to fetch: a cached token (the common case in a script's loop) needs
            # none of the OAuth client code.
            from agentcore_identity_cli.oauth import flows

            return self._with_client(
                row, lambda cfg: flows.client_credentials(cfg, wanted, resources=resources, audiences=audiences)
            )

        return self._cached(row, tid, workload, "", key, M2M, fetch, force, min_ttl)

    def _exchanged_token(
        self,
        row: dict[str, Any],
        workload: str,
        user: str,
        subject_token: str,
        scopes: list[str] | None,
        targets: Targets,
        force: bool,
        min_ttl: float = REFRESH_MARGIN,
    ) -> TokenResult:
        """ON_BEHALF_OF_TOKEN_EXCHANGE: the user's JWT exchanged at the provider's token endpoint."""
        from agentcore_identity_cli.backends.local.client_auth import AWS_IAM, aws_only
        from agentcore_identity_cli.oauth import flows

        provider = row["name"]
        exchange = (row["attrs"].get("config") or {}).get("onBehalfOfTokenExchangeConfig")
        if not exchange:
            raise ServiceError(
                "ValidationException",
                f"OAuth2 credential provider '{provider}' has no onBehalfOfTokenExchangeConfig, so it cannot run "
                "ON_BEHALF_OF_TOKEN_EXCHANGE.",
                hint="update the provider with onBehalfOfTokenExchangeConfig={grantType=TOKEN_EXCHANGE,...} "
                "in --oauth2-provider-config-input",
            )
        wanted = scopes if scopes is not None else self._default_scopes(row)
        key = scopes_key(wanted)
        tid = token_id(workload, provider, user, targets.cache_key(key), ON_BEHALF_OF)
        resources, audiences = list(targets.resources), list(targets.audiences)
        no_client = (exchange.get("onBehalfOfAuthenticationConfig") or {}).get("clientAuthenticationMethod") == (
            "NO_CLIENT"
        )
        actor_config = exchange.get("tokenExchangeGrantTypeConfig") or {}

        def fetch() -> TokenSet:
            if exchange["grantType"] == "JWT_AUTHORIZATION_GRANT":
                actor = None
            elif actor_config.get("actorTokenContent") == M2M:
                actor_scopes = list(actor_config.get("actorTokenScopes") or [])
                actor = self._m2m_token(row, workload, actor_scopes, False).access_token
            elif actor_config.get("actorTokenContent") == AWS_IAM:
                raise aws_only("actorTokenContent AWS_IAM_ID_TOKEN_JWT")
            else:
                actor = None

            def run(cfg: OAuthClient) -> TokenSet:
                if no_client:  # the client id only, in the body ("none", RFC 6749 section 2.1 public client)
                    cfg = replace(cfg, auth_method="none", client_secret="", assertion=None)
                if exchange["grantType"] == "JWT_AUTHORIZATION_GRANT":
                    return flows.jwt_authorization(cfg, subject_token, wanted, resources=resources, audiences=audiences)
                return flows.token_exchange(
                    cfg, subject_token, wanted, resources=resources, audiences=audiences, actor_token=actor
                )

            return self._with_client(row, run)

        return self._cached(row, tid, workload, user, key, ON_BEHALF_OF, fetch, force, min_ttl)

    def _cached(
        self,
        row: dict[str, Any],
        tid: str,
        workload: str,
        user: str,
        key: str,
        flow: str,
        fetch: Callable[[], TokenSet],
        force: bool,
        min_ttl: float = REFRESH_MARGIN,
    ) -> TokenResult:
        """A token the client obtains itself (M2M, exchange): the stored one while fresh and
        the provider unchanged, else a new one fetched under the token's lock."""
        provider = row["name"]

        def usable(item: StoredToken | None) -> bool:
            return (
                item is not None
                and not item.token.expires_within(min_ttl)
                and item.attrs.get("providerUpdated") == row["updated"]
            )

        seen = self._load(tid)
        if usable(seen) and not force:
            assert seen is not None
            return self._result(seen, "cache")
        with self._lock(tid):
            current = self._load(tid)
            raced = current is not None and (seen is None or current.token.obtained_at != seen.token.obtained_at)
            if usable(current) and (not force or raced):
                assert current is not None
                return self._result(current, "cache")
            token = fetch()
            self._save(tid, row, workload, user, key, flow, token)
        return TokenResult(token, provider, workload, user or None, flow, tuple(key.split()), "new")

    def _user_token(self, row: dict[str, Any], tid: str, force: bool, min_ttl: float = REFRESH_MARGIN) -> TokenResult:
        from agentcore_identity_cli.oauth import flows

        provider = row["name"]
        seen = self._load(tid)
        if seen is None:
            raise not_found("OAuth2 token", provider)
        if not seen.token.expires_within(min_ttl) and not force:
            return self._result(seen, "cache")
        with self._lock(tid):
            current = self._load(tid)
            if current is None:
                raise ServiceError(
                    "ResourceNotFoundException",
                    f"The stored token of provider '{provider}' was removed while waiting.",
                    hint=f"run `agentcore-identity login {provider}`",
                )
            refreshed_meanwhile = current.token.obtained_at != seen.token.obtained_at
            if not current.token.expires_within(min_ttl) and (not force or refreshed_meanwhile):
                return self._result(current, "cache")
            refresh_token = current.token.refresh_token
            if not refresh_token:
                raise ServiceError(
                    "UnauthorizedException",
                    f"The token of provider '{provider}' has expired and came without a refresh token.",
                    hint=f"run `agentcore-identity login {provider}` again",
                )
            try:
                token = self._with_client(row, lambda cfg: flows.refresh(cfg, refresh_token))
            except OAuthProviderError as exc:
                if exc.error in ("invalid_grant", "invalid_token", "unauthorized_client"):
                    with self.store.transaction():
                        self._delete(provider, tid)
                    raise OAuthProviderError(
                        "token refresh",
                        exc.error,
                        exc.description,
                        hint=f"run `agentcore-identity login {provider}` again",
                    ) from None
                raise
            if token.scope is None:
                token.scope = current.token.scope
            token.extras = {**current.token.extras, **token.extras}
            self._save(tid, row, current.workload, current.user_id, current.scopes, USER_FEDERATION, token)
        return TokenResult(
            token,
            provider,
            current.workload,
            current.user_id,
            USER_FEDERATION,
            tuple(current.scopes.split()),
            "refreshed",
        )

    def _store_user_token(
        self, row: dict[str, Any], workload: str, user_id: str, scopes: tuple[str, ...], token: TokenSet
    ) -> TokenResult:
        key = scopes_key(scopes)
        tid = token_id(workload, row["name"], user_id, key, USER_FEDERATION)
        with self._lock(tid):
            self._save(tid, row, workload, user_id, key, USER_FEDERATION, token)
        return TokenResult(token, row["name"], workload, user_id, USER_FEDERATION, tuple(key.split()), "new")

    def _result(self, item: StoredToken, source: str) -> TokenResult:
        user = item.user_id or None
        return TokenResult(
            item.token, item.provider, item.workload, user, item.flow, tuple(item.scopes.split()), source
        )
