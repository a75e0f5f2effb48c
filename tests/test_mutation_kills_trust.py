"""Trusted issuers and user JWTs: what each check of trust.py and the exchange's kept JWT decide.

tests/test_user_jwt_signature_checks.py forges; tests/test_dataplane.py covers the common
refusals. These pin the rest: how the trust list is built from discovery, how the unverified
header is read, which audience or client makes a token meant for this vault, the JWKS cache,
and the user's JWT kept for an exchange (found by its token's jti, purged once expired).
"""

from __future__ import annotations

import base64
import json
import sqlite3
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt

from agentcore_identity_cli.errors import ServiceError
from tests.jwks_server import Issuer, serve_issuer

DENIED = "An error occurred (AccessDeniedException) when calling the GetWorkloadAccessTokenForJWT operation: "


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with serve_issuer() as running:
        yield running


@pytest.fixture
def workload(cli) -> None:
    assert cli("create-workload-identity", "--name", "support-agent").exit_code == 0


@pytest.fixture
def backend(home: Path) -> Iterator[Any]:
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    opened = LocalBackend(home / "vault.db")
    try:
        yield opened
    finally:
        opened.close()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _for_jwt(cli, token: str) -> Any:
    return cli(
        "get-workload-access-token-for-jwt", "--workload-name", "support-agent", "--user-token", "-", input=token
    )


def _trust(cli, issuer: Issuer, *options: str) -> dict[str, Any]:
    added = cli("trusted-issuer", "add", "--issuer", issuer.url, *(options or ("--audiences", "agent-api")))
    assert added.exit_code == 0, added.stderr
    result: dict[str, Any] = added.json()
    return result


def _signed(issuer: Issuer, header: dict[str, Any], **claims: Any) -> str:
    """A token the issuer really signed (RS256, its first key), with these header members and claims."""
    now = int(time.time())
    body = {"iss": issuer.url, "sub": "alice", "aud": "agent-api", "iat": now, "exp": now + 300, **claims}
    key = issuer.keys[0]
    fields = {"alg": "RS256", "kid": key.kid, **header}
    return str(jwt.encode({k: v for k, v in fields.items() if v is not None}, body, key, algorithms=["RS256"]))


def _user_of(cli, token: str) -> str:
    result = _for_jwt(cli, token)
    assert result.exit_code == 0, result.stderr
    payload = result.json()["workloadAccessToken"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["user_id"])


# --- the trust list ---------------------------------------------------------------------


def test_an_issuer_is_trusted_through_its_discovery_document(cli, issuer: Issuer):
    added = _trust(cli, issuer, "--audiences", "agent-api", "--allowed-clients", "web-app")
    created = added.pop("createdTime")
    assert added == {
        "issuer": issuer.url,
        "discoveryUrl": issuer.url + "/.well-known/openid-configuration",
        "jwksUri": issuer.url + "/jwks",
        "audiences": ["agent-api"],
        "allowedClients": ["web-app"],
    }
    assert created
    assert cli("trusted-issuer", "list").json()["trustedIssuers"][0]["jwksUri"] == issuer.url + "/jwks"
    again = cli("trusted-issuer", "add", "--issuer", issuer.url, "--audiences", "agent-api")
    assert again.exit_code == 254 and "ConflictException" in again.stderr


def test_a_discovery_url_alone_names_the_issuer(cli, issuer: Issuer, workload: None):
    discovery = issuer.url + "/.well-known/openid-configuration"
    added = cli("trusted-issuer", "add", "--discovery-url", discovery, "--audiences", "agent-api")
    assert added.exit_code == 0, added.stderr
    assert (added.json()["issuer"], added.json()["discoveryUrl"]) == (issuer.url, discovery)
    assert _user_of(cli, issuer.token()) == "alice"


def test_a_jwks_url_with_its_issuer_needs_no_discovery(cli, issuer: Issuer, workload: None):
    added = cli(
        "trusted-issuer", "add", "--issuer", issuer.url, "--jwks-url", issuer.url + "/jwks", "--audiences", "agent-api"
    )
    assert added.exit_code == 0, added.stderr
    assert "discoveryUrl" not in added.json()
    assert _user_of(cli, issuer.token()) == "alice"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--jwks-url", "http://127.0.0.1:9/jwks"], "--issuer is required with --jwks-url."),
        ([], "Give --issuer, --discovery-url or both."),
    ],
    ids=["jwks-url-without-issuer", "nothing-to-find-it-by"],
)
def test_an_issuer_that_cannot_be_found_is_refused(cli, options: list[str], message: str):
    added = cli("trusted-issuer", "add", *options, "--audiences", "agent-api")
    assert added.exit_code == 254
    assert message in added.stderr


def test_an_issuer_url_that_differs_from_the_published_one_is_refused(cli, issuer: Issuer):
    added = cli("trusted-issuer", "add", "--issuer", issuer.url + "/", "--audiences", "agent-api")
    assert added.exit_code == 254
    assert f"The discovery document names issuer '{issuer.url}', not '{issuer.url}/'." in added.stderr


@contextmanager
def _loopback(
    answer: Callable[[BaseHTTPRequestHandler], tuple[bytes, str] | None], tls: ssl.SSLContext | None = None
) -> Iterator[str]:
    """A server on loopback whose GET answers `answer(request)` (body, content type), or 404 for None;
    its base URL (https with `tls`)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answered = answer(self)
            if answered is None:
                self.send_error(404)
                return
            body, content_type = answered
            try:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first (a read timeout under test)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def _serving(body: bytes, content_type: str = "application/json") -> Iterator[tuple[str, list[dict[str, str]]]]:
    """One document on loopback, whatever the path; the request headers it saw."""
    seen: list[dict[str, str]] = []

    def answer(request: BaseHTTPRequestHandler) -> tuple[bytes, str]:
        seen.append({k.lower(): v for k, v in request.headers.items()})
        return body, content_type

    with _loopback(answer) as url:
        yield url, seen


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"<html>not json</html>", "is not JSON."),
        (b"[1, 2]", "is not a JSON object."),
        ({"jwks_uri": "http://127.0.0.1:9/jwks"}, "The discovery document names issuer None"),
        ({"issuer": 42, "jwks_uri": "http://127.0.0.1:9/jwks"}, "names issuer 42"),
        ({"issuer": "https://idp.example"}, "The discovery document has no jwks_uri."),
        ({"issuer": "https://idp.example", "jwks_uri": ["http://127.0.0.1:9/jwks"]}, "has no jwks_uri"),
    ],
    ids=["not-json", "not-an-object", "no-issuer", "issuer-not-a-string", "no-jwks-uri", "jwks-uri-not-a-string"],
)
def test_a_discovery_document_that_says_too_little_is_refused(cli, document: Any, message: str):
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    with _serving(body) as (url, headers):
        discovery = url + "/.well-known/openid-configuration"
        added = cli("trusted-issuer", "add", "--discovery-url", discovery, "--audiences", "agent-api")
    assert added.exit_code == 254, added.stderr
    assert message in added.stderr, added.stderr
    assert headers and headers[0]["accept"] == "application/json"


def test_an_unreachable_discovery_document_is_named(cli):
    with _serving(b"{}") as (url, _):
        pass
    added = cli("trusted-issuer", "add", "--discovery-url", url + "/.well-known/x", "--audiences", "agent-api")
    assert added.exit_code == 254
    assert f"Could not fetch the discovery document {url}/.well-known/x" in added.stderr


def test_a_jwks_that_is_not_a_key_set_is_refused_when_a_token_needs_it(cli, workload: None, issuer: Issuer):
    with _serving(json.dumps({"keys": [{"kty": "nonsense"}]}).encode()) as (url, _):
        added = cli("trusted-issuer", "add", "--issuer", issuer.url, "--jwks-url", url, "--audiences", "agent-api")
        assert added.exit_code == 0, added.stderr
        result = _for_jwt(cli, issuer.token())
    assert result.exit_code == 254
    assert f"The JWKS of {issuer.url} could not be read." in result.stderr


def test_the_jwks_is_fetched_once_and_cached_beside_the_trust_entry(cli, workload: None, issuer: Issuer, home: Path):
    _trust(cli, issuer)
    assert issuer.jwks_fetches == 0  # trusting reads the discovery document only
    assert _user_of(cli, issuer.token()) == "alice"
    assert _user_of(cli, issuer.token(sub="bob")) == "bob"
    assert issuer.jwks_fetches == 1
    db = sqlite3.connect(home / "vault.db")
    try:
        attrs = json.loads(db.execute("SELECT attrs FROM resources WHERE kind = 'issuer'").fetchone()[0])
    finally:
        db.close()
    assert attrs["jwks"] == issuer.jwks()
    assert time.time() - 60 < attrs["jwksFetched"] <= time.time()
    assert (attrs["issuer"], attrs["audiences"]) == (issuer.url, ["agent-api"])  # the entry itself unchanged


def test_a_token_without_a_key_id_is_checked_against_the_cached_keys_without_a_refetch(
    cli, workload: None, issuer: Issuer
):
    """Only an unknown key id triggers a refetch; without one, the cached keys decide (and a key
    set of several keys does not say which one: refused)."""
    _trust(cli, issuer)
    assert _user_of(cli, issuer.token()) == "alice"
    result = _for_jwt(cli, _signed(issuer, {"kid": None}, sub="carol"))
    assert DENIED + "The user token's signature does not verify with the issuer's keys." in result.stderr
    assert issuer.jwks_fetches == 1


# --- reading the token --------------------------------------------------------------------


@pytest.mark.parametrize("padding", range(4))
def test_header_and_claims_of_every_length_are_read(cli, workload: None, issuer: Issuer, padding: int):
    """base64url without padding: whatever the lengths of the two parts modulo 4."""
    _trust(cli, issuer)
    token = _signed(issuer, {"typ": "J" * padding}, sub="u" * (padding + 1))
    header, payload, _ = token.split(".")
    assert {len(header) % 4, len(payload) % 4} <= {0, 2, 3}
    assert _user_of(cli, token) == "u" * (padding + 1)


@pytest.mark.parametrize(
    "token",
    ["only.two", "%%%.e30.c2ln", _b64(b"[1]") + ".e30.c2ln", "e30." + _b64(b'"claims"') + ".c2ln"],
    ids=["two-parts", "not-base64", "header-not-an-object", "claims-not-an-object"],
)
def test_a_token_that_is_not_a_jwt_is_a_validation_error(backend: Any, token: str):
    with pytest.raises(ServiceError) as refused:
        backend.verify_user_token(token)
    assert (refused.value.code, refused.value.message) == (
        "ValidationException",
        "The user token is not a well-formed JWT.",
    )


@pytest.mark.parametrize("alg", [5, None], ids=["a-number", "absent"])
def test_a_header_whose_alg_is_not_a_name_is_unsigned(cli, workload: None, issuer: Issuer, alg: Any):
    _trust(cli, issuer)
    header = {"alg": alg, "kid": issuer.keys[0].kid} if alg is not None else {"kid": issuer.keys[0].kid}
    now = int(time.time())
    claims = {"iss": issuer.url, "sub": "mallory", "aud": "agent-api", "exp": now + 300}
    token = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}.c2lnbmF0dXJl"
    result = _for_jwt(cli, token)
    assert result.exit_code == 254
    assert DENIED + "The user token is unsigned (alg 'none'); it is refused." in result.stderr


def test_an_issuer_that_is_not_a_string_is_not_trusted(cli, workload: None, issuer: Issuer):
    _trust(cli, issuer)
    result = _for_jwt(cli, _signed(issuer, {}, iss=["not", "a", "string"]))
    assert result.exit_code == 254
    assert DENIED + "The user token's issuer ['not', 'a', 'string'] is not trusted." in result.stderr


def test_an_algorithm_outside_the_asymmetric_list_is_named(cli, workload: None, issuer: Issuer):
    _trust(cli, issuer)
    now = int(time.time())
    header = {"alg": "HS512", "kid": issuer.keys[0].kid}
    claims = {"iss": issuer.url, "sub": "mallory", "aud": "agent-api", "exp": now + 300}
    token = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}.c2lnbmF0dXJl"
    result = _for_jwt(cli, token)
    assert DENIED + "The user token's algorithm HS512 is not accepted." in result.stderr


@pytest.mark.parametrize("alg", ["RS384", "PS256"])
def test_every_asymmetric_algorithm_of_the_issuers_key_is_accepted(cli, workload: None, issuer: Issuer, alg: str):
    _trust(cli, issuer)
    now = int(time.time())
    body = {"iss": issuer.url, "sub": "dave", "aud": "agent-api", "iat": now, "exp": now + 300}
    key = issuer.keys[0]
    token = str(jwt.encode({"alg": alg, "kid": key.kid}, body, key, algorithms=[alg]))
    assert _user_of(cli, token) == "dave"


def test_a_user_token_expired_beyond_the_minute_of_leeway_is_refused_and_within_it_accepted(
    cli, workload: None, issuer: Issuer
):
    _trust(cli, issuer)
    now = int(time.time())
    assert _user_of(cli, issuer.token(exp=now - 30, iat=now - 600)) == "alice"
    late = _for_jwt(cli, issuer.token(exp=now - 90, iat=now - 600))
    assert DENIED + "The user token has expired." in late.stderr


def test_the_issuers_claim_must_match_the_trusted_issuer_it_names(cli, workload: None, issuer: Issuer):
    """The token's iss picks the entry; a token signed by that issuer with another iss is not its."""
    _trust(cli, issuer)
    with serve_issuer() as other:
        _trust(cli, other)
        relabelled = _signed(issuer, {}, iss=other.url)
        result = _for_jwt(cli, relabelled)
    assert result.exit_code == 254
    assert DENIED + "The user token's key id" in result.stderr or "signature does not verify" in result.stderr


# --- meant for this vault -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "accepted"),
    [
        ({"aud": ["another-api", "agent-api"]}, True),
        ({"aud": ["another-api"]}, False),
        ({"aud": None, "client_id": "web-app"}, True),
        ({"aud": "another-api", "azp": "web-app"}, True),
        ({"aud": None, "azp": "other-app", "client_id": "other-app"}, False),
        ({"aud": None, "client_id": ["web-app"]}, False),
        ({"aud": None}, False),
    ],
    ids=[
        "audience-in-a-list",
        "no-allowed-audience-in-a-list",
        "allowed-client-id",
        "allowed-azp",
        "no-allowed-client",
        "client-id-not-a-string",
        "neither",
    ],
)
def test_a_token_is_meant_for_this_vault_by_an_allowed_audience_or_client(
    cli, workload: None, issuer: Issuer, claims: dict[str, Any], accepted: bool
):
    _trust(cli, issuer, "--audiences", "agent-api", "--allowed-clients", "web-app")
    result = _for_jwt(cli, issuer.token(**claims))
    if accepted:
        assert result.exit_code == 0, result.stderr
    else:
        assert result.exit_code == 254
        assert (
            DENIED + "The user token is not meant for this vault: its audience and client are not allowed."
            in result.stderr
        )


def test_an_issuer_trusted_for_clients_only_accepts_no_audience(cli, workload: None, issuer: Issuer):
    _trust(cli, issuer, "--allowed-clients", "web-app")
    assert _for_jwt(cli, issuer.token(aud="agent-api")).exit_code == 254
    assert _for_jwt(cli, issuer.token(aud="agent-api", azp="web-app")).exit_code == 0


# --- the JWT kept for an exchange -------------------------------------------------------------


def _kept(home: Path) -> list[str]:
    db = sqlite3.connect(home / "vault.db")
    try:
        rows = db.execute("SELECT field FROM secrets WHERE field LIKE 'subjectToken:%' ORDER BY field").fetchall()
    finally:
        db.close()
    return [row[0] for row in rows]


def _claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return value


def test_the_users_jwt_is_kept_until_its_token_expires_and_found_by_the_tokens_jti(
    cli, workload: None, issuer: Issuer, home: Path, backend: Any, monkeypatch: pytest.MonkeyPatch
):
    _trust(cli, issuer)
    user_jwt = issuer.token()
    now = int(time.time())
    monkeypatch.setattr(time, "time", lambda: float(now))
    result = _for_jwt(cli, user_jwt)
    assert result.exit_code == 0, result.stderr
    claims = _claims_of(result.json()["workloadAccessToken"])
    assert (claims["user_iss"], claims["user_id"]) == (issuer.url, "alice")
    assert _kept(home) == [f"subjectToken:{now + 15 * 60 + 5}:{claims['jti']}"]
    assert backend.subject_token(claims) == user_jwt
    with pytest.raises(ServiceError) as unknown:
        backend.subject_token({**claims, "jti": claims["jti"][:-1]})
    assert unknown.value.message == (
        "The user's JWT behind this workload access token is no longer kept; get a new token."
    )


def test_kept_jwts_whose_tokens_expired_are_purged_when_the_next_one_is_kept(
    cli, workload: None, issuer: Issuer, home: Path, monkeypatch: pytest.MonkeyPatch
):
    _trust(cli, issuer)
    start = int(time.time())
    monkeypatch.setattr(time, "time", lambda: float(start))
    assert _for_jwt(cli, issuer.token()).exit_code == 0
    (first,) = _kept(home)
    expiry = int(first.split(":")[1])
    monkeypatch.setattr(time, "time", lambda: float(expiry))  # not yet past it
    assert _for_jwt(cli, issuer.token(sub="bob", exp=expiry + 300, iat=expiry)).exit_code == 0
    assert first in _kept(home) and len(_kept(home)) == 2
    monkeypatch.setattr(time, "time", lambda: float(expiry + 1))
    assert _for_jwt(cli, issuer.token(sub="carol", exp=expiry + 300, iat=expiry)).exit_code == 0
    assert first not in _kept(home) and len(_kept(home)) == 2


@pytest.mark.parametrize(
    ("how", "args"),
    [
        ("for a user id", ("get-workload-access-token-for-user-id", "--user-id", "bob")),
        ("for no user", ("get-workload-access-token",)),
    ],
)
def test_an_exchange_needs_a_token_obtained_for_a_jwt(cli, workload: None, backend: Any, how: str, args: tuple):
    result = cli(args[0], "--workload-name", "support-agent", *args[1:])
    assert result.exit_code == 0, result.stderr
    claims = _claims_of(result.json()["workloadAccessToken"])
    with pytest.raises(ServiceError) as refused:
        backend.subject_token(claims)
    assert refused.value.code == "AccessDeniedException"
    assert refused.value.message == (
        "ON_BEHALF_OF_TOKEN_EXCHANGE exchanges the user's JWT, so it needs a workload access token "
        f"obtained with GetWorkloadAccessTokenForJWT; this one was obtained {how}."
    )


def test_a_jwks_that_cannot_be_fetched_is_named_when_a_token_needs_it(cli, workload: None, issuer: Issuer):
    with _serving(b"{}") as (url, _):
        pass  # a loopback port where nothing listens any more
    added = cli(
        "trusted-issuer", "add", "--issuer", issuer.url, "--jwks-url", url + "/jwks", "--audiences", "agent-api"
    )
    assert added.exit_code == 0, added.stderr
    result = _for_jwt(cli, issuer.token())
    assert result.exit_code == 254
    operation = "(ValidationException) when calling the GetWorkloadAccessTokenForJWT operation: "
    assert operation + f"Could not fetch the JWKS {url}/jwks" in result.stderr


# --- what the trust list's errors and events say ----------------------------------------


def test_adding_an_issuer_is_one_change_event_naming_it_and_a_second_add_says_what_exists(
    cli, issuer: Issuer, home: Path
):
    from tests.audit_support import events

    _trust(cli, issuer)
    (added,) = [e for e in events(home / "vault.db") if e["operation"] == "AddTrustedIssuer"]
    assert (added["category"], added["target"], added["outcome"]) == (
        "change",
        f"urn:agentcore-identity:trusted-issuer:{issuer.url}",
        "success",
    )
    again = cli("trusted-issuer", "add", "--issuer", issuer.url, "--audiences", "agent-api")
    assert again.exit_code == 254
    assert f"(ConflictException): Trusted issuer '{issuer.url}' already exists." in again.stderr


def test_plain_http_away_from_loopback_is_refused_naming_the_document_or_the_jwks(cli):
    discovery = cli(
        "trusted-issuer", "add", "--discovery-url", "http://idp.example.com/.well-known/openid-configuration",
        "--audiences", "agent-api",
    )  # fmt: skip
    assert discovery.exit_code == 254
    assert "discovery document must be an https URL" in discovery.stderr
    jwks = cli(
        "trusted-issuer", "add", "--issuer", "https://idp.example.com", "--jwks-url", "http://idp.example.com/jwks",
        "--audiences", "agent-api",
    )  # fmt: skip
    assert jwks.exit_code == 254
    assert "jwks_uri must be an https URL (plain http is allowed only on loopback): http://idp.example.com/jwks" in (
        jwks.stderr
    )


@contextmanager
def _discovery_under(path: str) -> Iterator[str]:
    """An issuer whose discovery document is served only under `path`; the issuer's URL."""
    base: list[str] = []

    def answer(request: BaseHTTPRequestHandler) -> tuple[bytes, str] | None:
        if request.path != path + "/.well-known/openid-configuration":
            return None
        return json.dumps({"issuer": base[0] + path, "jwks_uri": base[0] + "/jwks"}).encode(), "application/json"

    with _loopback(answer) as url:
        base.append(url)
        yield url + path


@pytest.mark.parametrize("typed", ["slash", "tenant-ending-in-X"])
def test_the_discovery_document_is_found_under_the_issuer_with_or_without_a_final_slash(cli, typed: str):
    path = "/tenantX" if typed == "tenant-ending-in-X" else "/tenant"
    with _discovery_under(path) as url:
        given = url + "/" if typed == "slash" else url
        added = cli("trusted-issuer", "add", "--issuer", given, "--audiences", "agent-api")
        if typed == "slash":  # the discovery document names the issuer without the slash
            assert added.exit_code == 254 and f"names issuer '{url}', not '{given}'" in added.stderr
        else:
            assert added.exit_code == 0, added.stderr
            assert added.json()["discoveryUrl"] == url + "/.well-known/openid-configuration"


def test_a_discovery_document_behind_an_untrusted_certificate_is_a_validation_error_saying_so(cli, tmp_path: Path):
    from tests.tls_support import TestCA

    ca = TestCA.create(tmp_path / "ca")
    with _loopback(lambda request: None, tls=ca.server_context()) as base:
        url = base + "/.well-known/openid-configuration"
        refused = cli("trusted-issuer", "add", "--discovery-url", url, "--audiences", "agent-api")
    assert refused.exit_code == 254
    assert (
        "An error occurred (ValidationException): "
        f"Could not fetch the discovery document {url}: the TLS certificate could not be verified "
        "(unable to get local issuer certificate)."
    ) in refused.stderr
    assert "Hint: trust the server's CA with --ca-bundle FILE" in refused.stderr


def test_the_jwks_is_fetched_within_the_read_timeout(cli, issuer: Issuer, workload: None):
    slow_seconds = 3.0

    def slow_jwks(request: BaseHTTPRequestHandler) -> tuple[bytes, str]:
        time.sleep(slow_seconds)
        return json.dumps(issuer.jwks()).encode(), "application/json"

    with _loopback(slow_jwks) as base:
        jwks_url = base + "/jwks"
        added = cli("trusted-issuer", "add", "--issuer", issuer.url, "--jwks-url", jwks_url, "--audiences", "agent-api")
        assert added.exit_code == 0, added.stderr
        started = time.monotonic()
        result = cli(
            "get-workload-access-token-for-jwt", "--workload-name", "support-agent", "--user-token", "-",
            "--cli-read-timeout", "1", input=issuer.token(),
        )  # fmt: skip
        took = time.monotonic() - started
    assert result.exit_code != 0, "the JWKS came after the read timeout, so the token cannot be checked"
    assert jwks_url in result.stderr
    assert took < slow_seconds, took
