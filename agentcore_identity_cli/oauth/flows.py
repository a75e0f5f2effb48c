"""The OAuth 2.0 grants, on Authlib's httpx client: client credentials, authorization code with
PKCE (S256, always), refresh, device authorization (RFC 8628), revocation (RFC 7009), token
exchange (RFC 8693) and the JWT authorization grant (RFC 7523 section 2.1).

Every request to the token, device authorization and revocation endpoints authenticates the
client with the one method of :class:`OAuthClient`: ``client_secret_basic``,
``client_secret_post``, ``private_key_jwt`` (a signed assertion, oauth/client_assertion.py) or
``none`` (the client id alone, for a token exchange configured with NO_CLIENT).

These functions know nothing of the vault: they take an :class:`OAuthClient` (who we are,
where the server is, what the vendor needs) and return :class:`TokenSet` values. Storage,
caching and locking are the backend's (``backends/local/oauth_tokens.py``).
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentcore_identity_cli.errors import ServiceError
from agentcore_identity_cli.oauth.client_assertion import ClientAssertion, PrivateKeyJwtAuth
from agentcore_identity_cli.oauth.http import (
    OAuthNetworkError,
    OAuthProviderError,
    OAuthTimeoutError,
    authlib_module,
    client_options,
    log,
    oauth_httpx,
    translated_errors,
)
from agentcore_identity_cli.oauth.quirks import Quirks, parse_body
from agentcore_identity_cli.oauth.tokens import TokenSet

if TYPE_CHECKING:
    from authlib.integrations.httpx_client import OAuth2Client

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_TYPE_JWT = "urn:ietf:params:oauth:token-type:jwt"
TOKEN_TYPE_ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"
SLOW_DOWN_STEP = 5.0  # RFC 8628 section 3.5: add 5 seconds on slow_down
DEFAULT_DEVICE_INTERVAL = 5.0


@dataclass(frozen=True)
class Endpoints:
    """Where the authorization server is."""

    token: str
    authorization: str | None = None
    device_authorization: str | None = None
    revocation: str | None = None
    issuer: str | None = None


@dataclass(frozen=True)
class OAuthClient:
    """This tool as an OAuth client of one provider. The secret is kept out of repr()."""

    client_id: str
    client_secret: str = field(repr=False)
    endpoints: Endpoints
    auth_method: str = "client_secret_basic"
    quirks: Quirks = field(default_factory=Quirks)
    timeout: float | None = None
    # How to sign client assertions when auth_method is private_key_jwt.
    assertion: ClientAssertion | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PendingAuthorization:
    """A started authorization-code request: what the callback must match."""

    url: str = field(repr=False)
    state: str = field(repr=False)
    code_verifier: str = field(repr=False)
    redirect_uri: str
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class DeviceAuthorization:
    """A device authorization response (RFC 8628 section 3.2)."""

    device_code: str = field(repr=False)
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_at: float
    interval: float
    scopes: tuple[str, ...]


def _client_class() -> type[OAuth2Client]:
    cls: type[OAuth2Client] = authlib_module("authlib.integrations.httpx_client").OAuth2Client
    return cls


@contextmanager
def _session(cfg: OAuthClient) -> Iterator[OAuth2Client]:
    client = _new_client(cfg)
    try:
        yield client
    finally:
        client.close()


def _new_client(cfg: OAuthClient) -> OAuth2Client:
    """Authlib's client for one provider: its client authentication, PKCE S256 and the vendor's quirks."""
    library = oauth_httpx()
    client = _client_class()(
        client_id=cfg.client_id,
        client_secret=cfg.client_secret,
        token_endpoint_auth_method=cfg.auth_method,
        revocation_endpoint_auth_method=cfg.auth_method,
        code_challenge_method="S256",
        **client_options(cfg.timeout, dict(cfg.quirks.headers), cfg.quirks.transport(library), library),
    )
    # Without an assertion signer (a client built without credentials, for the authorization
    # URL) no request that authenticates is made.
    if cfg.auth_method == PrivateKeyJwtAuth.name and cfg.assertion is not None:
        client.register_client_auth_method(PrivateKeyJwtAuth(cfg.assertion, cfg.endpoints.token))
    client.register_compliance_hook("access_token_response", cfg.quirks.response_hook)
    client.register_compliance_hook("refresh_token_response", cfg.quirks.response_hook)
    return client


def _token(data: Mapping[str, Any]) -> TokenSet:
    return TokenSet.from_response(dict(data))


# --- client credentials -------------------------------------------------------------------


def client_credentials(
    cfg: OAuthClient, scopes: list[str], *, resources: list[str] | None = None, audiences: list[str] | None = None
) -> TokenSet:
    """A token for the client itself (2LO, M2M), for the RFC 8707 resources and audiences asked."""
    url = cfg.endpoints.token
    log.debug("client credentials grant at %s (auth %s)", url, cfg.auth_method)
    if resources or audiences:
        # Authlib's fetch_token keeps one value per parameter; `resource` and `audience` repeat.
        form = _form(cfg, "client_credentials", scopes, resources, audiences)
        return _grant(cfg, "client credentials request", form)
    extra: dict[str, str] = {"scope": cfg.quirks.join_scopes(scopes)} if scopes else {}
    with _session(cfg) as client, translated_errors("client credentials request", url):
        data = client.fetch_token(url, grant_type="client_credentials", **extra)
    return _token(data)


# --- token exchange (RFC 8693) and JWT authorization grant (RFC 7523) ----------------------


def _form(
    cfg: OAuthClient, grant_type: str, scopes: list[str], resources: list[str] | None, audiences: list[str] | None
) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {"grant_type": grant_type}
    if scopes:
        form["scope"] = cfg.quirks.join_scopes(scopes)
    if resources:
        form["resource"] = list(resources)
    if audiences:
        form["audience"] = list(audiences)
    return form


def _grant(cfg: OAuthClient, action: str, form: Mapping[str, str | list[str]]) -> TokenSet:
    """POST one token request (repeated parameters kept) with the client's authentication."""
    url = cfg.endpoints.token
    with _session(cfg) as client, translated_errors(action, url):
        response = client.request(
            "POST", url, data=dict(form), auth=client.client_auth(cfg.auth_method), withhold_token=True
        )
    return _token(_answer(response, action, cfg.quirks))


def token_exchange(
    cfg: OAuthClient,
    subject_token: str,
    scopes: list[str],
    *,
    resources: list[str] | None = None,
    audiences: list[str] | None = None,
    actor_token: str | None = None,
) -> TokenSet:
    """RFC 8693: an access token for the user whose JWT is the subject token (and the actor's, if any)."""
    log.debug("token exchange at %s (auth %s, actor %s)", cfg.endpoints.token, cfg.auth_method, bool(actor_token))
    form = _form(cfg, TOKEN_EXCHANGE_GRANT, scopes, resources, audiences)
    form.update(
        subject_token=subject_token,
        subject_token_type=TOKEN_TYPE_JWT,
        requested_token_type=TOKEN_TYPE_ACCESS_TOKEN,
    )
    if actor_token:
        form.update(actor_token=actor_token, actor_token_type=TOKEN_TYPE_ACCESS_TOKEN)
    return _grant(cfg, "token exchange", form)


def jwt_authorization(
    cfg: OAuthClient,
    assertion: str,
    scopes: list[str],
    *,
    resources: list[str] | None = None,
    audiences: list[str] | None = None,
) -> TokenSet:
    """RFC 7523 section 2.1: an access token for the user whose JWT is the authorization grant."""
    log.debug("JWT authorization grant at %s (auth %s)", cfg.endpoints.token, cfg.auth_method)
    form = _form(cfg, JWT_BEARER_GRANT, scopes, resources, audiences)
    form["assertion"] = assertion
    return _grant(cfg, "JWT authorization grant", form)


# --- authorization code + PKCE ------------------------------------------------------------


# Parameters of the authorization request that the flow itself sets: custom parameters may not replace them.
_PROTECTED_AUTHORIZE_PARAMS = frozenset(
    {"response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method", "scope"}
)


def authorization_request(
    cfg: OAuthClient,
    scopes: list[str],
    redirect_uri: str,
    extra: Sequence[tuple[str, str]] = (),
) -> PendingAuthorization:
    """The authorization URL, with a fresh random state and PKCE S256 verifier.

    `extra` adds parameters (RFC 8707 `resource`, `audience`, the API's customParameters),
    repeated names allowed; one that the flow sets itself is refused.
    """
    clash = sorted({name for name, _ in extra} & _PROTECTED_AUTHORIZE_PARAMS)
    if clash:
        raise ServiceError(
            "ValidationException",
            f"customParameters cannot set {', '.join(clash)}: the authorization request sets it itself.",
        )
    if not cfg.endpoints.authorization:
        raise ServiceError(
            "ValidationException", "This provider has no authorization endpoint, so it cannot run a browser login."
        )
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters: within RFC 7636's 43..128
    with _session(cfg) as client:
        url, _ = client.create_authorization_url(
            cfg.endpoints.authorization,
            state=state,
            code_verifier=verifier,
            redirect_uri=redirect_uri,
            **cfg.quirks.authorize_params(scopes),
        )
    if extra:
        from urllib.parse import urlencode

        url += ("&" if "?" in url else "?") + urlencode(list(extra))
    return PendingAuthorization(
        url=url, state=state, code_verifier=verifier, redirect_uri=redirect_uri, scopes=tuple(scopes)
    )


def code_from_callback(pending: PendingAuthorization, params: Mapping[str, str]) -> str:
    """The authorization code of a redirect, after the state check; the provider's error otherwise."""
    state = params.get("state") or ""
    if not hmac.compare_digest(state.encode(), pending.state.encode()):
        raise ServiceError(
            "AccessDeniedException",
            "The redirect's state does not match the login that was started: refusing it "
            "(a stale browser tab, or a forged redirect).",
            hint="run the login again",
        )
    if params.get("error"):
        raise OAuthProviderError("authorization request", params["error"], params.get("error_description"))
    code = params.get("code")
    if not code:
        raise ServiceError("ValidationException", "The redirect carries neither a code nor an error.")
    return code


def exchange_code(cfg: OAuthClient, pending: PendingAuthorization, code: str) -> TokenSet:
    """Trade an authorization code (with the PKCE verifier) for tokens."""
    url = cfg.endpoints.token
    log.debug("authorization code grant at %s (auth %s)", url, cfg.auth_method)
    with _session(cfg) as client, translated_errors("authorization code exchange", url):
        data = client.fetch_token(
            url,
            grant_type="authorization_code",
            code=code,
            code_verifier=pending.code_verifier,
            redirect_uri=pending.redirect_uri,
        )
    return _token(data)


# --- refresh ------------------------------------------------------------------------------


def refresh(cfg: OAuthClient, refresh_token: str) -> TokenSet:
    """New tokens from a refresh token; the old refresh token is kept when none is returned."""
    url = cfg.endpoints.token
    log.debug("refresh token grant at %s", url)
    with _session(cfg) as client, translated_errors("token refresh", url):
        data = client.refresh_token(url, refresh_token=refresh_token)
    token = _token(data)
    if token.refresh_token is None:
        token.refresh_token = refresh_token
    return token


# --- device authorization (RFC 8628) ------------------------------------------------------


def _answer(response: Any, action: str, quirks: Quirks) -> dict[str, Any]:
    data = parse_body(response)
    if data is None:
        raise OAuthNetworkError(f"The {action} failed: HTTP {response.status_code} without a JSON object.")
    data = quirks.normalize(data)
    if isinstance(data.get("error"), str):
        description = data.get("error_description")
        raise OAuthProviderError(action, data["error"], description if isinstance(description, str) else None)
    if response.status_code >= 400:
        raise OAuthNetworkError(f"The {action} failed with HTTP {response.status_code}.")
    return data


def device_authorization(cfg: OAuthClient, scopes: list[str]) -> DeviceAuthorization:
    """Ask for a device code and user code."""
    url = cfg.endpoints.device_authorization
    if not url:
        raise ServiceError(
            "ValidationException",
            "This provider has no device authorization endpoint, so `login --device` cannot be used.",
            hint="use `login --no-browser` on a host without a browser",
        )
    # client_id travels with the client authentication (Basic header, or the body for
    # client_secret_post), as RFC 8628 section 3.1 allows.
    form: dict[str, str] = {}
    if scopes:
        form["scope"] = cfg.quirks.join_scopes(scopes)
    log.debug("device authorization request at %s", url)
    with _session(cfg) as client, translated_errors("device authorization request", url):
        response = client.request("POST", url, data=form, auth=client.client_auth(cfg.auth_method), withhold_token=True)
    data = _answer(response, "device authorization request", cfg.quirks)
    try:
        device_code, user_code = str(data["device_code"]), str(data["user_code"])
        verification_uri = str(data.get("verification_uri") or data["verification_url"])
    except KeyError as exc:
        raise OAuthNetworkError(f"The device authorization response has no {exc.args[0]}.") from None
    complete = data.get("verification_uri_complete")
    return DeviceAuthorization(
        device_code=device_code,
        user_code=user_code,
        verification_uri=verification_uri,
        verification_uri_complete=complete if isinstance(complete, str) else None,
        expires_at=time.monotonic() + float(data.get("expires_in") or 900),
        interval=float(data.get("interval") or DEFAULT_DEVICE_INTERVAL),
        scopes=tuple(scopes),
    )


def device_poll(
    cfg: OAuthClient,
    device: DeviceAuthorization,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> TokenSet:
    """Poll the token endpoint at the interval asked until the user approves, denies or the code expires."""
    url = cfg.endpoints.token
    interval = device.interval
    with _session(cfg) as client:
        while True:
            if clock() + interval > device.expires_at:
                raise OAuthTimeoutError(
                    "The device code expired before the request was approved.", hint="run `login --device` again"
                )
            sleep(interval)
            try:
                with translated_errors("device code poll", url):
                    data = client.fetch_token(url, grant_type=DEVICE_CODE_GRANT, device_code=device.device_code)
            except OAuthProviderError as exc:
                if exc.error == "authorization_pending":
                    continue
                if exc.error == "slow_down":
                    interval += SLOW_DOWN_STEP
                    log.debug("slow_down: polling every %.1f s", interval)
                    continue
                if exc.error == "access_denied":
                    raise OAuthProviderError(
                        "device login", "access_denied", "the request was denied at the verification page"
                    ) from None
                if exc.error == "expired_token":
                    raise OAuthProviderError(
                        "device login",
                        "expired_token",
                        "the device code expired before it was approved",
                        hint="run `login --device` again",
                    ) from None
                raise
            return _token(data)


# --- revocation (RFC 7009) ----------------------------------------------------------------


def revoke(cfg: OAuthClient, token: str, hint: str) -> None:
    """Revoke one token at the provider's revocation endpoint."""
    url = cfg.endpoints.revocation
    if not url:
        return
    log.debug("revoking a %s at %s", hint, url)
    with _session(cfg) as client, translated_errors("revocation request", url):
        response = client.revoke_token(url, token=token, token_type_hint=hint)
    if response.status_code >= 400:
        _answer(response, "revocation request", cfg.quirks)
