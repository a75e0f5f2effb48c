"""A real OAuth 2.0 authorization server for the tests, on 127.0.0.1 in a thread.

Built on Authlib's server side (Flask integration, Werkzeug's server): authorization code
with PKCE (required), client credentials, refresh tokens with rotation, device
authorization (RFC 8628), revocation (RFC 7009), and discovery metadata (OpenID and
RFC 8414). A consent page and a device verification page stand in for the user; the
`BROWSER` script (tests/browser_follow.py) clicks through the consent page.

Two vendor imitations sit beside the standard token endpoint, for the quirks:
`/github/access_token` answers form-encoded unless asked for JSON (and records whether it
was), `/slack/oauth.v2.access` nests the user token under `authed_user` and reports errors
as `ok: false` with HTTP 200.

Token exchange (RFC 8693) and the JWT authorization grant (RFC 7523 section 2.1) verify the
user's JWT with `subject_keys` (the user issuer's JWKS) and issue a token for its `sub`.
Clients may authenticate with private_key_jwt: the assertion's signature is checked with
the client's registered `jwks`, its `aud` (the token endpoint), `iss` = `sub`, a `jti` never
seen before and its expiry, against the server's clock (`clock_offset` moves it). Every
request to the token, device and revocation endpoints is kept in `requests` (path, form with
repeated values, client authentication method, headers with lower-case names); verified
assertions in `assertions`. `/json/token` is the token endpoint of the vendors that send JSON
token requests (Atlassian, Notion): it refuses a form body, and keeps each JSON body in
`json_bodies`.

The fixture `oauth_server` yields an :class:`AuthServer`: its `url`, `stats` (how many
requests of each grant, refreshes, revocations, client authentication methods seen),
knobs (`expires_in`, `device_interval`, `slow_down_once`, ...) and helpers for the user's
side (`approve_device`, `expire_refresh_tokens`).

`hold(grant_type, count, seconds)` makes the token endpoint a deliberately slow one for races:
each request of that grant is held until `count` of them have arrived, or `seconds` after it
arrived, so that clients that do not wait for each other are all caught in the act.
"""

from __future__ import annotations

import base64
import hmac
import html
import json
import logging
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import InvalidClientError, InvalidGrantError, InvalidRequestError, grants
from authlib.oauth2.rfc6749.models import AuthorizationCodeMixin, ClientMixin, TokenMixin
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc8628 import DeviceAuthorizationEndpoint, DeviceCodeGrant, DeviceCredentialMixin
from flask import Flask, Response, request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from werkzeug.serving import make_server

USER = "alice"
SECRET_METHODS = ["client_secret_basic", "client_secret_post"]
ALL_METHODS = [*SECRET_METHODS, "private_key_jwt", "none"]
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_ALGORITHMS = ["RS256", "PS256", "ES256"]


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    auth_methods: list[str] = field(default_factory=lambda: list(SECRET_METHODS))
    grant_types: tuple[str, ...] = (
        "authorization_code",
        "client_credentials",
        "refresh_token",
        DeviceCodeGrant.GRANT_TYPE,
        TOKEN_EXCHANGE,
        JWT_BEARER,
    )
    jwks: dict[str, Any] | None = None  # the public keys registered for private_key_jwt

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        return scope or ""

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # RFC 8252 section 7.3: any port on the loopback address; the listener's own path or
        # a provider's callback URL (login, and serve's hosted callback).
        parts = urlsplit(redirect_uri)
        path_ok = (
            parts.path == "/callback"
            or parts.path.startswith("/identities/oauth2/callback/")
            or (parts.path.startswith("/consent-portals/") and parts.path.endswith("/callback"))
        )
        return parts.scheme == "http" and parts.hostname == "127.0.0.1" and path_ok

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in self.auth_methods

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


@dataclass
class AuthCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: str
    code_challenge: str | None
    code_challenge_method: str | None
    nonce: str | None = None

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass
class Token(TokenMixin):
    client: Client
    client_id: str
    access_token: str
    token_type: str
    scope: str
    user: str | None
    issued_at: float
    expires_in: int
    refresh_token: str | None = None
    revoked: bool = False
    refresh_expired: bool = False

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() > self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> str | None:
        return self.user

    def get_client(self) -> Client:
        return self.client


@dataclass
class DeviceCredential(DeviceCredentialMixin):
    client_id: str
    scope: str
    device_code: str
    user_code: str
    expires_at: float
    slowed: bool = False

    def get_client_id(self) -> str:
        return self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_user_code(self) -> str:
        return self.user_code

    def is_expired(self) -> bool:
        return time.time() > self.expires_at


class AuthServer:
    """The server's state and knobs; the Flask app is built in `start`."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, AuthCode] = {}
        self.tokens: list[Token] = []
        self.devices: dict[str, DeviceCredential] = {}
        self.device_grants: dict[str, tuple[str, bool]] = {}
        self.stats: Counter[str] = Counter()
        self.auth_methods_seen: list[str] = []
        self.authorize_requests: list[dict[str, str]] = []
        self.github_accept: list[str] = []
        self.json_bodies: list[dict[str, Any]] = []  # what /json/token received
        # Knobs the tests turn.
        self.expires_in: dict[str, int] = {}
        self.default_expires_in = 3600
        self.device_interval = 0.05
        self.device_expires_in = 60
        self.slow_down_once = False
        self.metadata_overrides: dict[str, Any] = {}
        self.auth_methods_supported = list(SECRET_METHODS)
        self.requests: list[dict[str, Any]] = []
        self.assertions: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.seen_jtis: set[str] = set()
        self.clock_offset = 0
        self.subject_keys: dict[str, Any] | None = None
        self.holds: dict[str, tuple[int, float]] = {}  # grant type -> (count, seconds); see `hold`
        self.arrived: Counter[str] = Counter()
        self.arrivals = threading.Condition()
        self.url = ""
        self._id_token_key: Any = None
        # Knobs for bad ID tokens: claims to replace, and another key to sign with.
        self.id_token_overrides: dict[str, Any] = {}
        self.id_token_signer: Any = None
        self._server: Any = None
        self._thread: threading.Thread | None = None

    # --- setup ---------------------------------------------------------------------------

    def add_client(self, client_id: str = "app", client_secret: str = "s3cret-client", **kwargs: Any) -> Client:
        client = Client(client_id, client_secret, **kwargs)
        self.clients[client_id] = client
        return client

    @property
    def discovery_url(self) -> str:
        return self.url + "/.well-known/openid-configuration"

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": self.url + "/authorize",
            "token_endpoint": self.url + "/token",
            "device_authorization_endpoint": self.url + "/device_authorization",
            "revocation_endpoint": self.url + "/revoke",
            "token_endpoint_auth_methods_supported": self.auth_methods_supported,
            "revocation_endpoint_auth_methods_supported": self.auth_methods_supported,
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": list(Client("x", "y").grant_types),
            "response_types_supported": ["code"],
            "jwks_uri": self.url + "/jwks",
            "id_token_signing_alg_values_supported": ["ES256"],
            **self.metadata_overrides,
        }

    # --- OpenID Connect: ID tokens --------------------------------------------------------

    @property
    def id_token_key(self) -> Any:
        """The key ID tokens are signed with (ES256), made on first use."""
        if self._id_token_key is None:
            from joserfc.jwk import ECKey

            self._id_token_key = ECKey.generate_key("P-256", parameters={"kid": "idp-1", "alg": "ES256"})
        return self._id_token_key

    def id_token(self, user: str, client_id: str, nonce: str | None) -> str:
        """An ID token for `user` (OpenID Connect Core 2): sub, aud, nonce, a 5-minute life."""
        now = int(time.time())
        claims: dict[str, Any] = {"iss": self.url, "sub": user, "aud": client_id, "iat": now, "exp": now + 300}
        if nonce is not None:
            claims["nonce"] = nonce
        claims.update(self.id_token_overrides)
        key = self.id_token_key if self.id_token_signer is None else self.id_token_signer
        return jwt.encode({"alg": "ES256", "kid": "idp-1"}, claims, key)

    # --- the user's side -----------------------------------------------------------------

    def approve_device(self, approved: bool = True, timeout: float = 10) -> str:
        """Wait for a device code to be issued, then approve (or deny) it as the user."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                pending = [d.user_code for d in self.devices.values() if d.user_code not in self.device_grants]
            if pending:
                with self.lock:
                    self.device_grants[pending[-1]] = (USER, approved)
                return pending[-1]
            time.sleep(0.02)
        raise AssertionError("no device code was requested")

    def expire_refresh_tokens(self) -> None:
        with self.lock:
            for token in self.tokens:
                token.refresh_expired = True

    def hold(self, grant_type: str, count: int, seconds: float) -> None:
        """Hold each token request of `grant_type` until `count` have arrived, or for `seconds`."""
        self.holds[grant_type] = (count, seconds)

    def _wait_for_others(self, grant_type: str) -> None:
        if grant_type not in self.holds:
            return
        count, seconds = self.holds[grant_type]
        with self.arrivals:
            self.arrived[grant_type] += 1
            self.arrivals.notify_all()
            self.arrivals.wait_for(lambda: self.arrived[grant_type] >= count, timeout=seconds)

    def token_requests(self, grant_type: str | None = None) -> list[dict[str, Any]]:
        """The recorded requests to the token endpoint (of one grant type)."""
        return [
            r
            for r in self.requests
            if r["path"] == "/token" and (grant_type is None or r["form"].get("grant_type") == [grant_type])
        ]

    def live_refresh_tokens(self) -> list[str]:
        with self.lock:
            return [t.refresh_token for t in self.tokens if t.refresh_token and not t.revoked]

    # --- the HTTP server -----------------------------------------------------------------

    def start(self, ssl_context: Any = None) -> AuthServer:
        """Serve on 127.0.0.1; over HTTPS with `ssl_context` (tests/tls_support.py makes one)."""
        app = build_app(self)
        self._server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=ssl_context)
        scheme = "https" if ssl_context is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="oauth-test-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def build_app(state: AuthServer) -> Flask:
    app = Flask("oauth-test-server")

    def query_client(client_id: str) -> Client | None:
        return state.clients.get(client_id)

    def save_token(token: dict[str, Any], req: Any) -> None:
        with state.lock:
            state.tokens.append(
                Token(
                    client=req.client,
                    client_id=req.client.client_id,
                    access_token=token["access_token"],
                    token_type=token["token_type"],
                    scope=token.get("scope", ""),
                    user=req.user,
                    issued_at=time.time(),
                    expires_in=int(token["expires_in"]),
                    refresh_token=token.get("refresh_token"),
                )
            )

    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.register_token_generator(
        "default",
        BearerTokenGenerator(
            lambda client, grant_type, user, scope: "at-" + secrets.token_urlsafe(24),
            lambda client, grant_type, user, scope: "rt-" + secrets.token_urlsafe(24),
            lambda client, grant_type: state.expires_in.get(grant_type, state.default_expires_in),
        ),
    )

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ALL_METHODS

        def save_authorization_code(self, code: str, req: Any) -> None:
            data = req.payload.data
            state.codes[code] = AuthCode(
                code=code,
                client_id=req.client.client_id,
                redirect_uri=req.payload.redirect_uri,
                scope=req.payload.scope or "",
                user=req.user,
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                nonce=data.get("nonce"),
            )

        def query_authorization_code(self, code: str, client: Client) -> AuthCode | None:
            item = state.codes.get(code)
            return item if item and item.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code: AuthCode) -> None:
            state.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: AuthCode) -> str:
            return authorization_code.user

    class Challenge(CodeChallenge):
        def get_authorization_code_challenge(self, authorization_code: AuthCode) -> str | None:
            return authorization_code.code_challenge

        def get_authorization_code_challenge_method(self, authorization_code: AuthCode) -> str | None:
            return authorization_code.code_challenge_method

    class ClientCredentials(grants.ClientCredentialsGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ALL_METHODS

    class Refresh(grants.RefreshTokenGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ALL_METHODS
        INCLUDE_NEW_REFRESH_TOKEN = True  # rotation: every refresh spends the old token

        def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
            with state.lock:
                for token in state.tokens:
                    if token.refresh_token == refresh_token and not token.revoked and not token.refresh_expired:
                        return token
            return None

        def authenticate_user(self, refresh_token: Token) -> str | None:
            return refresh_token.user

        def revoke_old_credential(self, refresh_token: Token) -> None:
            with state.lock:
                refresh_token.revoked = True
                state.stats["refresh"] += 1

    class Device(DeviceCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ALL_METHODS

        def query_device_credential(self, device_code: str) -> DeviceCredential | None:
            return state.devices.get(device_code)

        def query_user_grant(self, user_code: str) -> tuple[str, bool] | None:
            with state.lock:
                return state.device_grants.get(user_code)

        def should_slow_down(self, credential: DeviceCredential) -> bool:
            if state.slow_down_once and not credential.slowed:
                credential.slowed = True
                state.stats["slow_down"] += 1
                return True
            return False

    class DeviceEndpoint(DeviceAuthorizationEndpoint):
        CLIENT_AUTH_METHODS = ALL_METHODS

        def get_verification_uri(self) -> str:
            return state.url + "/device"

        def save_device_credential(self, client_id: str, scope: str, data: dict[str, Any]) -> None:
            state.devices[data["device_code"]] = DeviceCredential(
                client_id=client_id,
                scope=scope or "",
                device_code=data["device_code"],
                user_code=data["user_code"],
                expires_at=time.time() + state.device_expires_in,
            )

        def create_endpoint_response(self, req: Any) -> Any:
            status, body, headers = super().create_endpoint_response(req)
            body["interval"] = state.device_interval
            return status, body, headers

    class Revocation(RevocationEndpoint):
        CLIENT_AUTH_METHODS = ALL_METHODS

        def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
            with state.lock:
                for token in state.tokens:
                    if token_string in (token.access_token, token.refresh_token):
                        return token
            return None

        def revoke_token(self, token: Token, req: Any) -> None:
            with state.lock:
                token.revoked = True
                state.stats["revoked"] += 1

    class SubjectGrant(grants.BaseGrant, grants.TokenEndpointMixin):
        """A token for the user whose JWT the request carries (token exchange, JWT bearer)."""

        TOKEN_ENDPOINT_AUTH_METHODS = ALL_METHODS
        FIELD = ""

        def validate_token_request(self) -> None:
            client = self.authenticate_token_endpoint_client()
            data = self.request.payload.data
            subject = data.get(self.FIELD)
            if not subject:
                raise InvalidRequestError(f"missing {self.FIELD}")
            if self.GRANT_TYPE == TOKEN_EXCHANGE and data.get("subject_token_type") != (
                "urn:ietf:params:oauth:token-type:jwt"
            ):
                raise InvalidRequestError("subject_token_type must be jwt")
            if state.subject_keys is None:
                raise InvalidGrantError("no issuer is trusted for subject tokens")
            try:
                claims = jwt.decode(subject, KeySet.import_key_set(state.subject_keys)).claims
                jwt.JWTClaimsRegistry(exp={"essential": True}).validate(claims)
            except JoseError as exc:
                raise InvalidGrantError(f"the JWT is not valid: {exc.error}") from None
            self.request.client = client
            self.request.user = claims["sub"]

        def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
            token = self.generate_token(
                user=self.request.user, scope=self.request.payload.scope, include_refresh_token=False
            )
            if self.GRANT_TYPE == TOKEN_EXCHANGE:
                token["issued_token_type"] = "urn:ietf:params:oauth:token-type:access_token"
            self.save_token(token)
            return 200, token, self.TOKEN_RESPONSE_HEADER

    class TokenExchange(SubjectGrant):
        GRANT_TYPE = TOKEN_EXCHANGE
        FIELD = "subject_token"

    class JwtBearer(SubjectGrant):
        GRANT_TYPE = JWT_BEARER
        FIELD = "assertion"

    class ClientAssertion(JWTBearerClientAssertion):
        """private_key_jwt: signature with the client's registered keys, aud, iss = sub, jti, expiry."""

        CLIENT_AUTH_METHOD = "private_key_jwt"

        def get_audiences(self) -> list[str]:
            return [state.url + "/token"]

        def validate_jti(self, claims: Any, jti: str) -> bool:
            with state.lock:
                if jti in state.seen_jtis:
                    return False
                state.seen_jtis.add(jti)
                return True

        def resolve_client_public_key(self, client: Client) -> Any:
            if not client.jwks:
                raise InvalidClientError(description="no public key is registered for this client")
            return KeySet.import_key_set(client.jwks)

        def process_assertion_claims(self, assertion: str, resolve_key: Any) -> Any:
            try:
                registry = JWSRegistry(algorithms=ASSERTION_ALGORITHMS, strict_check_header=False)
                token = jwt.decode(assertion, resolve_key, registry=registry)
            except JoseError as exc:
                raise InvalidClientError(description=f"bad assertion signature: {exc.error}") from None
            state.assertions.append((dict(token.header), dict(token.claims)))
            self.verify_claims(token.claims)
            return token.claims

        def verify_claims(self, claims: Any) -> None:
            registry = jwt.JWTClaimsRegistry(
                now=lambda: int(time.time()) + state.clock_offset,
                iss={"essential": True},
                sub={"essential": True},
                aud={"essential": True, "values": self.get_audiences()},
                exp={"essential": True},
                jti={"essential": True},
            )
            try:
                registry.validate(claims)
            except JoseError as exc:
                raise InvalidClientError(description=f"bad assertion: {exc.error}") from None
            if claims["sub"] != claims["iss"]:
                raise InvalidClientError(description="iss and sub must both be the client id")
            if not self.validate_jti(claims, claims["jti"]):
                raise InvalidClientError(description="jti already used")

    server.register_client_auth_method("private_key_jwt", ClientAssertion())
    server.register_grant(TokenExchange)
    server.register_grant(JwtBearer)
    server.register_grant(CodeGrant, [Challenge(required=True)])
    server.register_grant(ClientCredentials)
    server.register_grant(Refresh)
    server.register_grant(Device)
    server.register_endpoint(DeviceEndpoint)
    server.register_endpoint(Revocation)

    def note_client_auth() -> None:
        header = request.headers.get("Authorization", "")
        method = "none"
        if header.startswith("Basic "):
            client_id = base64.b64decode(header[6:]).decode().split(":", 1)[0]
            method = "client_secret_basic"
            state.auth_methods_seen.append(f"client_secret_basic:{client_id}")
        elif "client_secret" in request.form:
            method = "client_secret_post"
            state.auth_methods_seen.append(f"client_secret_post:{request.form.get('client_id')}")
        elif "client_assertion" in request.form:
            method = "private_key_jwt"
            state.auth_methods_seen.append(f"private_key_jwt:{request.form.get('client_id')}")
        form = {key: request.form.getlist(key) for key in request.form}
        headers = {key.lower(): value for key, value in request.headers.items()}
        state.requests.append({"path": request.path, "form": form, "auth": method, "headers": headers})

    @app.get("/.well-known/openid-configuration")
    @app.get("/.well-known/oauth-authorization-server")
    def metadata() -> Response:
        state.stats["discovery"] += 1
        return Response(json.dumps(state.metadata()), content_type="application/json")

    @app.get("/authorize")
    def authorize_page() -> Any:
        state.authorize_requests.append(dict(request.args))
        if not request.args.get("code_challenge"):
            return Response("PKCE is required here", status=400)
        grant = server.get_consent_grant(end_user=USER)
        query = urlencode(list(request.args.items(multi=True)))
        scope = grant.request.payload.scope or ""
        return (
            f"<html><body><p>Allow {grant.client.client_id} to use {scope}?</p>"
            f'<form method="post" action="/authorize?{query}">'
            f'<label>Sign in as <input name="user" value="{USER}"></label>'
            '<button name="confirm" value="yes">Allow</button>'
            '<button name="confirm" value="no">Deny</button></form></body></html>'
        )

    @app.post("/authorize")
    def authorize_decision() -> Any:
        approved = request.form.get("confirm") == "yes"
        user = request.form.get("user") or USER
        grant = server.get_consent_grant(end_user=user)
        return server.create_authorization_response(grant_user=user if approved else None, grant=grant)

    @app.get("/jwks")
    def jwks() -> Response:
        from joserfc.jwk import KeySet

        keys = KeySet([state.id_token_key]).as_dict(private=False)
        return Response(json.dumps(keys), content_type="application/json")

    @app.post("/token")
    def token() -> Any:
        note_client_auth()
        state.stats["token:" + request.form.get("grant_type", "?")] += 1
        state._wait_for_others(request.form.get("grant_type", "?"))
        exchanged = request.form.get("grant_type") == "authorization_code"
        code = state.codes.get(request.form.get("code", "")) if exchanged else None
        response = server.create_token_response()
        if code is not None and "openid" in code.scope.split() and response.status_code == 200:
            body = json.loads(response.get_data(as_text=True))
            body["id_token"] = state.id_token(code.user, code.client_id, code.nonce)
            response.set_data(json.dumps(body))
        return response

    @app.post("/json/token")
    def json_token() -> Any:
        """The token endpoint of a vendor that takes JSON bodies only (Atlassian, Notion): a form
        body is refused; a JSON one is answered as /token answers its form."""
        body = request.get_json(silent=True) if request.mimetype == "application/json" else None
        if not isinstance(body, dict):
            refusal = {"error": "invalid_request", "error_description": "this endpoint takes a JSON body"}
            return Response(json.dumps(refusal), status=400, content_type="application/json")
        state.json_bodies.append(body)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-type", "content-length")}
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        with app.test_request_context("/token", method="POST", data=urlencode(body, doseq=True), headers=headers):
            return token()

    @app.post("/device_authorization")
    def device_authorization() -> Any:
        note_client_auth()
        return server.create_endpoint_response("device_authorization")

    @app.route("/device", methods=["GET", "POST"])
    def device_page() -> Any:
        code = request.values.get("user_code", "")
        if request.method == "POST":
            with state.lock:
                state.device_grants[code] = (USER, request.form.get("confirm") == "yes")
            return "done"
        return (
            f"<form method='post'><input name='user_code' value='{html.escape(code)}'>"
            "<button name='confirm' value='yes'>Allow</button></form>"
        )

    @app.post("/revoke")
    def revoke() -> Any:
        note_client_auth()
        return server.create_endpoint_response("revocation")

    @app.post("/github/access_token")
    def github_token() -> Any:
        note_client_auth()
        accept = request.headers.get("Accept", "")
        state.github_accept.append(accept)
        state.stats["token:" + request.form.get("grant_type", "?")] += 1
        response = server.create_token_response()
        if "application/json" in accept:
            return response
        # GitHub's default: the same fields, form-encoded, HTTP 200 even for errors.
        body = json.loads(response.get_data(as_text=True))
        return Response(urlencode(body), content_type="application/x-www-form-urlencoded")

    @app.post("/slack/oauth.v2.access")
    def slack_token() -> Any:
        note_client_auth()
        state.stats["token:" + request.form.get("grant_type", "?")] += 1
        response = server.create_token_response()
        body = json.loads(response.get_data(as_text=True))
        if "error" in body:
            return Response(json.dumps({"ok": False, "error": body["error"]}), content_type="application/json")
        if request.form.get("grant_type") == "authorization_code":
            body = {
                "ok": True,
                "access_token": "xoxb-bot-token-not-for-users",
                "token_type": "bot",
                "scope": "commands",
                "team": {"id": "T1", "name": "Team"},
                "authed_user": {"id": "U1", **body, "scope": body.get("scope", "").replace(" ", ",")},
            }
        else:
            body = {"ok": True, **body}
        return Response(json.dumps(body), content_type="application/json")

    return app


@pytest.fixture
def oauth_server() -> Iterator[AuthServer]:
    """A running authorization server with one confidential client `app` / `s3cret-client`."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request lines in the CLI's stderr
    state = AuthServer().start()
    state.add_client()
    try:
        yield state
    finally:
        state.stop()


# --- helpers for the tests ----------------------------------------------------------------


@dataclass
class Browser:
    """The BROWSER command the CLI runs: tests/browser_follow.py, and what it logged."""

    log_path: Any
    monkeypatch: pytest.MonkeyPatch

    def mode(self, value: str) -> None:
        self.monkeypatch.setenv("BROWSER_FOLLOW_MODE", value)

    def entries(self, wait_for: str | None = None, timeout: float = 10) -> list[dict[str, Any]]:
        """The log; with wait_for, wait until an entry has that key (the script may still run)."""
        deadline = time.time() + timeout
        while True:
            lines = self.log_path.read_text().splitlines() if self.log_path.exists() else []
            entries = [json.loads(line) for line in lines]
            if wait_for is None or any(wait_for in e for e in entries) or time.time() > deadline:
                return entries
            time.sleep(0.05)


@pytest.fixture
def browser(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Browser:
    """BROWSER pointing at tests/browser_follow.py (through a one-line wrapper: webbrowser
    runs $BROWSER as a single program), and webbrowser's cached choice of browser reset."""
    import sys
    import webbrowser
    from pathlib import Path

    script = Path(__file__).with_name("browser_follow.py")
    wrapper = tmp_path / "browser"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}" "$@"\n')
    wrapper.chmod(0o755)
    log_path = tmp_path / "browser.log"
    monkeypatch.setenv("BROWSER", str(wrapper))
    monkeypatch.setenv("BROWSER_FOLLOW_LOG", str(log_path))
    monkeypatch.setenv("BROWSER_FOLLOW_MODE", "approve")
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    return Browser(log_path, monkeypatch)


def create_provider(
    cli: Any, server: AuthServer, name: str = "corp", *extra: str, secret: str = "s3cret-client"
) -> Any:
    """A CustomOauth2 provider on the test server's discovery URL."""
    result = cli(
        "create-oauth2-credential-provider",
        "--name",
        name,
        "--credential-provider-vendor",
        "CustomOauth2",
        "--discovery-url",
        server.discovery_url,
        "--client-id",
        "app",
        "--client-secret",
        "-",
        *extra,
        input=secret,
    )
    assert result.exit_code == 0, result.stderr
    return result
