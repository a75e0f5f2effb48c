"""OAuth state and PKCE through serve's hosted callback, run inside the test process.

tests/test_serve_clients_callback.py drives the same pages through a real `serve` and a real
browser; here the callback routes run on Starlette's test client and the user's consent is two
plain HTTP requests to the test authorization server, so that every decision of the callback
(which session a state finds, at which URL, what the browser is told, what is kept) is checked
where it is made.
"""
# ruff: noqa: F811 - the fixtures are imported from tests/oauth_server.py

from __future__ import annotations

import base64
import hashlib
import html
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from agentcore_identity_cli.errors import ServiceError
from tests.oauth_server import AuthServer, create_provider, oauth_server  # noqa: F401

BASE = "http://127.0.0.1:8765"  # the test client connects nowhere; the test server wants loopback
RETURN_URL = "http://127.0.0.1:9/app/done"
RETURN_URL_WITH_QUERY = "http://127.0.0.1:9/app/done?tenant=t1"
SESSION_PREFIX = "urn:ietf:params:oauth:request_uri:"
NO_STORE = {"cache-control": "no-store", "referrer-policy": "no-referrer"}
pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")


@dataclass
class Served:
    client: Any
    pool: Any
    server: AuthServer
    vault: Path
    state: Any  # what the callback routes were built with (debug, the pool)

    def invoke(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        with self.pool.backend() as backend:
            result: dict[str, Any] = backend.invoke(operation, params)
            return result

    def wat(self, user: str = "alice", workload: str = "agent") -> str:
        params = {"workloadName": workload, "userId": user}
        return str(self.invoke("GetWorkloadAccessTokenForUserId", params)["workloadAccessToken"])

    def start(self, provider: str = "corp", user: str = "alice", **extra: Any) -> dict[str, Any]:
        params = {
            "workloadIdentityToken": self.wat(user),
            "resourceCredentialProviderName": provider,
            "scopes": ["read"],
            "oauth2Flow": "USER_FEDERATION",
            **extra,
        }
        return self.invoke("GetResourceOauth2Token", params)

    def session(self, session_uri: str) -> dict[str, Any]:
        db = sqlite3.connect(self.vault)
        try:
            row = db.execute(
                "SELECT attrs FROM resources WHERE kind = 'session' AND name = ?", (session_uri[len(SESSION_PREFIX) :],)
            ).fetchone()
        finally:
            db.close()
        attrs: dict[str, Any] = json.loads(row[0])
        return attrs

    def sealed_fields(self, session_uri: str) -> list[str]:
        db = sqlite3.connect(self.vault)
        try:
            rows = db.execute(
                "SELECT field FROM secrets WHERE kind = 'session' AND name = ? ORDER BY field",
                (session_uri[len(SESSION_PREFIX) :],),
            ).fetchall()
        finally:
            db.close()
        return [row[0] for row in rows]

    def code_exchanges(self) -> list[dict[str, Any]]:
        return self.server.token_requests("authorization_code")


@pytest.fixture
def served(cli, home: Path, oauth_server: AuthServer) -> Iterator[Served]:
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from agentcore_identity_cli.server import callback
    from agentcore_identity_cli.server.app import BackendPool

    create_provider(cli, oauth_server)
    create_provider(cli, oauth_server, "other")
    for url in (RETURN_URL, RETURN_URL_WITH_QUERY):
        assert url.startswith("http://127.0.0.1")
    created = cli(
        "create-workload-identity",
        "--name",
        "agent",
        "--allowed-resource-oauth2-return-urls",
        RETURN_URL,
        RETURN_URL_WITH_QUERY,
    )
    assert created.exit_code == 0, created.stderr
    pool = BackendPool(SimpleNamespace(vault_path=home / "vault.db"), BASE)  # type: ignore[arg-type]
    state = SimpleNamespace(pool=pool, debug=False, limiter=None)
    app = Starlette(routes=callback.routes(state))  # type: ignore[arg-type]
    try:
        with TestClient(app, base_url=BASE, follow_redirects=False) as client:
            yield Served(client, pool, oauth_server, home / "vault.db", state)
    finally:
        pool.close()


def _consent(server: AuthServer, authorization_url: str) -> str:
    """The user approves at the authorization server: where it sends the browser back."""
    query = urlsplit(authorization_url).query
    with httpx.Client(timeout=10) as browser:
        assert browser.get(authorization_url).status_code == 200
        answer = browser.post(f"{server.url}/authorize?{query}", data={"confirm": "yes"})
    assert answer.status_code == 302, answer.text
    return str(answer.headers["location"])


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def _callback_url(served: Served, provider: str) -> str:
    with served.pool.backend() as backend:
        row = backend.store.get("oauth2", provider)
        from agentcore_identity_cli.backends.local import arns

        return str(arns.callback_url(arns.callback_id(row["arn"], row["created"]), BASE))


def _no_store(response: Any) -> None:
    assert {k: response.headers.get(k) for k in NO_STORE} == NO_STORE


def test_the_authorization_request_carries_a_fresh_state_and_an_s256_challenge(served: Served):
    first, second = served.start(), served.start(forceAuthentication=True)
    one, two = _query(first["authorizationUrl"]), _query(second["authorizationUrl"])
    assert one["redirect_uri"] == _callback_url(served, "corp")
    assert (one["response_type"], one["client_id"], one["code_challenge_method"]) == ("code", "app", "S256")
    assert len(one["state"]) >= 43 and one["state"] != two["state"]
    assert one["code_challenge"] != two["code_challenge"]
    # The vault keeps the state only as a digest in the clear; the state, and the URL that
    # carries it, are sealed.
    attrs = served.session(first["sessionUri"])
    assert attrs["stateDigest"] == hashlib.sha256(one["state"].encode()).hexdigest()
    assert one["state"] not in json.dumps(attrs)
    assert served.sealed_fields(first["sessionUri"]) == ["authorizationUrl", "codeVerifier", "state"]
    # Asked again with its sessionUri, the session answers with the same URL.
    again = served.start(sessionUri=first["sessionUri"])
    assert again == {
        "authorizationUrl": first["authorizationUrl"],
        "sessionUri": first["sessionUri"],
        "sessionStatus": "IN_PROGRESS",
    }


def test_the_code_is_exchanged_with_the_verifier_of_the_challenge_and_the_browser_sent_on(served: Served):
    started = served.start(resourceOauth2ReturnUrl=RETURN_URL, customState="opaque-app-state")
    challenge = _query(started["authorizationUrl"])["code_challenge"]
    page = served.client.get(_consent(served.server, started["authorizationUrl"]))
    assert page.status_code == 302
    assert (
        page.headers["location"]
        == RETURN_URL
        + "?"
        + httpx.QueryParams({"session_id": started["sessionUri"], "state": "opaque-app-state"}).__str__()
    )
    _no_store(page)
    (exchange,) = served.code_exchanges()
    verifier = exchange["form"]["code_verifier"][0]
    assert 43 <= len(verifier) <= 128
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert digest == challenge
    assert exchange["form"]["redirect_uri"] == [_callback_url(served, "corp")]
    attrs = served.session(started["sessionUri"])
    assert attrs["status"] == "AUTHORIZED"
    assert served.sealed_fields(started["sessionUri"]) == [
        "authorizationUrl",
        "codeVerifier",
        "customState",
        "state",
        "tokens",
    ]
    # Bound to the user only when the application says who consented; then nothing stays sealed.
    served.invoke(
        "CompleteResourceTokenAuth", {"sessionUri": started["sessionUri"], "userIdentifier": {"userId": "alice"}}
    )
    assert served.session(started["sessionUri"])["status"] == "COMPLETED"
    assert served.sealed_fields(started["sessionUri"]) == []
    token = served.start(sessionUri=started["sessionUri"])
    (issued,) = [t for t in served.server.tokens if t.user]
    assert token == {"accessToken": issued.access_token}
    # Completing again changes nothing and says nothing.
    again = {"sessionUri": started["sessionUri"], "userIdentifier": {"userId": "alice"}}
    assert served.invoke("CompleteResourceTokenAuth", again) == {}


def test_a_return_url_with_a_query_keeps_it_and_no_custom_state_adds_no_state(served: Served):
    started = served.start(resourceOauth2ReturnUrl=RETURN_URL_WITH_QUERY)
    page = served.client.get(_consent(served.server, started["authorizationUrl"]))
    assert page.status_code == 302
    session_id = httpx.QueryParams({"session_id": started["sessionUri"]}).__str__()
    assert page.headers["location"] == RETURN_URL_WITH_QUERY + "&" + session_id


def test_without_a_return_url_the_page_names_the_session_to_complete(served: Served):
    started = served.start()
    page = served.client.get(_consent(served.server, started["authorizationUrl"]))
    assert page.status_code == 200
    _no_store(page)
    assert "<h1>Authorization received</h1>" in page.text
    assert f"for session {started['sessionUri']}. You can close this tab." in page.text


def test_an_unknown_state_is_refused_without_echoing_the_code(served: Served):
    page = served.client.get(_callback_url(served, "corp"), params={"code": "stolen-code", "state": "forged"})
    assert page.status_code == 400
    _no_store(page)
    assert "<h1>Authorization failed</h1>" in page.text
    assert "No authorization session is waiting for this callback (unknown or used state)." in page.text
    assert "stolen-code" not in page.text
    no_state = served.client.get(_callback_url(served, "corp"), params={"code": "stolen-code"})
    assert no_state.status_code == 400 and "No authorization session is waiting" in no_state.text
    assert served.code_exchanges() == []


def test_a_state_presented_at_another_providers_callback_url_is_refused_and_the_session_waits(served: Served):
    started = served.start()
    redirect = _consent(served.server, started["authorizationUrl"])
    elsewhere = _callback_url(served, "other") + "?" + urlsplit(redirect).query
    page = served.client.get(elsewhere)
    assert page.status_code == 400
    assert "This callback URL belongs to another credential provider than the session." in page.text
    assert served.code_exchanges() == []
    assert served.session(started["sessionUri"])["status"] == "IN_PROGRESS"
    assert served.client.get(redirect).status_code == 200  # the right URL still works


def test_a_replayed_redirect_finds_no_session_and_spends_no_code(served: Served):
    started = served.start()
    redirect = _consent(served.server, started["authorizationUrl"])
    assert served.client.get(redirect).status_code == 200
    replay = served.client.get(redirect)
    assert replay.status_code == 400
    assert "unknown or used state" in replay.text
    assert len(served.code_exchanges()) == 1


def test_a_session_of_another_provider_is_not_found_by_its_state_at_this_url(served: Served):
    """Each session is found by its own state only: two sessions, each redirect finds its own."""
    first, second = served.start(), served.start("other")
    redirect_first = _consent(served.server, first["authorizationUrl"])
    redirect_second = _consent(served.server, second["authorizationUrl"])
    assert served.client.get(redirect_second).status_code == 200
    assert served.session(second["sessionUri"])["status"] == "AUTHORIZED"
    assert served.session(first["sessionUri"])["status"] == "IN_PROGRESS"
    assert served.client.get(redirect_first).status_code == 200
    assert served.session(first["sessionUri"])["status"] == "AUTHORIZED"


def test_the_providers_error_fails_the_session_escaped_and_drops_its_secrets(served: Served):
    started = served.start()
    state = _query(started["authorizationUrl"])["state"]
    page = served.client.get(
        _callback_url(served, "corp"),
        params={"error": "access_denied", "error_description": "<script>alert(1)</script>", "state": state},
    )
    assert page.status_code == 400
    assert "access_denied" in page.text
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text
    assert served.session(started["sessionUri"])["status"] == "FAILED"
    assert served.sealed_fields(started["sessionUri"]) == []
    assert served.start(sessionUri=started["sessionUri"]) == {
        "sessionUri": started["sessionUri"],
        "sessionStatus": "FAILED",
    }


def test_a_token_endpoint_that_cannot_be_reached_is_a_502(served: Served):
    started = served.start()
    redirect = _consent(served.server, started["authorizationUrl"])
    served.server.stop()
    page = served.client.get(redirect)
    assert page.status_code == 502
    assert "<h1>Authorization failed</h1>" in page.text
    assert _query(redirect)["code"] not in page.text


def test_an_unexpected_failure_is_a_500_that_says_nothing_more(served: Served, monkeypatch: pytest.MonkeyPatch):
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    def broken(self: Any, callback_id: str, params: dict[str, str]) -> Any:
        raise RuntimeError("a detail that must not reach the browser")

    monkeypatch.setattr(LocalBackend, "receive_oauth2_callback", broken)
    page = served.client.get(_callback_url(served, "corp"), params={"code": "c", "state": "s"})
    assert page.status_code == 500
    assert "An internal error occurred." in page.text
    assert "a detail" not in page.text


def test_only_the_user_the_session_was_started_for_can_complete_it(served: Served):
    started = served.start(user="alice")
    assert served.client.get(_consent(served.server, started["authorizationUrl"])).status_code == 200
    uri = started["sessionUri"]
    with pytest.raises(ServiceError) as refused:
        served.invoke("CompleteResourceTokenAuth", {"sessionUri": uri, "userIdentifier": {"userId": "mallory"}})
    assert (refused.value.code, refused.value.message) == (
        "AccessDeniedException",
        "This session was not started for that user.",
    )
    assert served.session(uri)["status"] == "AUTHORIZED"


@pytest.mark.parametrize(
    ("who", "provider"), [("bob", "corp"), ("alice", "other")], ids=["another-user", "another-provider"]
)
def test_a_session_answers_only_its_own_workload_user_and_provider(served: Served, who: str, provider: str):
    started = served.start()
    with pytest.raises(ServiceError) as refused:
        served.start(provider, user=who, sessionUri=started["sessionUri"])
    assert (refused.value.code, refused.value.message) == (
        "AccessDeniedException",
        "This session belongs to another workload, user or provider.",
    )
    assert served.start(sessionUri=started["sessionUri"])["sessionStatus"] == "IN_PROGRESS"


def test_an_expired_session_refuses_its_redirect_and_reads_as_failed(served: Served):
    started = served.start()
    redirect = _consent(served.server, started["authorizationUrl"])
    db = sqlite3.connect(served.vault, isolation_level=None)
    try:
        name = started["sessionUri"][len(SESSION_PREFIX) :]
        attrs = json.loads(
            db.execute("SELECT attrs FROM resources WHERE kind = 'session' AND name = ?", (name,)).fetchone()[0]
        )
        attrs["expiresAt"] -= 601
        db.execute("UPDATE resources SET attrs = ? WHERE kind = 'session' AND name = ?", (json.dumps(attrs), name))
    finally:
        db.close()
    page = served.client.get(redirect)
    assert page.status_code == 400
    assert "This session is FAILED; start a new one." in page.text
    assert served.code_exchanges() == []
    assert served.start(sessionUri=started["sessionUri"])["sessionStatus"] == "FAILED"


def test_a_session_lives_ten_minutes(served: Served):
    import time

    before = time.time()
    started = served.start()
    expires = served.session(started["sessionUri"])["expiresAt"]
    assert before + 600 <= expires <= time.time() + 600


def test_a_session_uri_of_another_form_is_refused(served: Served):
    with pytest.raises(ServiceError) as refused:
        served.start(sessionUri="urn:example:not-a-session")
    assert refused.value.code == "ValidationException"
    with served.pool.backend() as backend, pytest.raises(ServiceError) as by_login:  # login --session-uri
        backend.session_for_login("urn:example:not-a-session")
    assert by_login.value.message == "sessionUri must start with urn:ietf:params:oauth:request_uri:."
    with pytest.raises(ServiceError) as missing:
        served.start(sessionUri=SESSION_PREFIX + "no-such-session")
    assert missing.value.code == "ResourceNotFoundException"


def test_a_session_started_by_an_earlier_version_keeps_its_authorization_url_in_the_clear(served: Served):
    started = served.start()
    name = started["sessionUri"][len(SESSION_PREFIX) :]
    db = sqlite3.connect(served.vault, isolation_level=None)
    try:
        attrs = json.loads(
            db.execute("SELECT attrs FROM resources WHERE kind = 'session' AND name = ?", (name,)).fetchone()[0]
        )
        attrs["authorizationUrl"] = started["authorizationUrl"]
        db.execute("UPDATE resources SET attrs = ? WHERE kind = 'session' AND name = ?", (json.dumps(attrs), name))
        db.execute("DELETE FROM secrets WHERE kind = 'session' AND name = ? AND field = 'authorizationUrl'", (name,))
    finally:
        db.close()
    assert served.start(sessionUri=started["sessionUri"])["authorizationUrl"] == started["authorizationUrl"]
    assert served.client.get(_consent(served.server, started["authorizationUrl"])).status_code == 200
    assert served.session(started["sessionUri"])["status"] == "AUTHORIZED"


def test_an_unknown_session_is_named_in_its_not_found_error(served: Served):
    uri = SESSION_PREFIX + "no-such-session"
    with pytest.raises(ServiceError) as missing:
        served.start(sessionUri=uri)
    assert (missing.value.code, missing.value.message) == (
        "ResourceNotFoundException",
        f"Session '{uri}' does not exist.",
    )


def test_a_session_is_in_progress_up_to_its_expiry_and_failed_after_it(served: Served, monkeypatch: pytest.MonkeyPatch):
    import time

    started = served.start()
    expires = served.session(started["sessionUri"])["expiresAt"]
    wat = served.wat()  # obtained now: valid for 15 minutes, past the session's 10
    ask = {
        "workloadIdentityToken": wat,
        "resourceCredentialProviderName": "corp",
        "scopes": ["read"],
        "oauth2Flow": "USER_FEDERATION",
        "sessionUri": started["sessionUri"],
    }
    monkeypatch.setattr(time, "time", lambda: expires)
    assert served.invoke("GetResourceOauth2Token", ask)["sessionStatus"] == "IN_PROGRESS"
    monkeypatch.setattr(time, "time", lambda: expires + 0.001)
    assert served.invoke("GetResourceOauth2Token", ask)["sessionStatus"] == "FAILED"


def _complete(served: Served, started: dict[str, Any], user: str = "alice") -> None:
    assert served.client.get(_consent(served.server, started["authorizationUrl"])).status_code == 200
    served.invoke(
        "CompleteResourceTokenAuth", {"sessionUri": started["sessionUri"], "userIdentifier": {"userId": user}}
    )


def test_a_completed_session_answers_with_the_users_token_for_its_own_scopes(served: Served):
    read = served.start()
    _complete(served, read)
    read_token = served.server.tokens[-1].access_token
    write = served.start(scopes=["write"])
    _complete(served, write)
    write_token = served.server.tokens[-1].access_token
    assert read_token != write_token
    assert served.start(sessionUri=read["sessionUri"]) == {"accessToken": read_token}
    assert served.start(scopes=["write"], sessionUri=write["sessionUri"]) == {"accessToken": write_token}


def test_a_completed_session_whose_user_logged_out_gives_no_token_at_all(served: Served):
    """Never a client-credentials token in place of the user's."""
    started = served.start()
    _complete(served, started)
    with served.pool.backend() as backend:
        assert backend.oauth2_logout("corp", workload="agent", user_id="alice").deleted == 1
    with pytest.raises(ServiceError) as gone:
        served.start(sessionUri=started["sessionUri"])
    assert gone.value.code == "ResourceNotFoundException"
    assert served.server.stats["token:client_credentials"] == 0


def test_a_session_started_before_state_digests_finds_no_callback_and_breaks_nothing(served: Served):
    started = served.start()
    name = started["sessionUri"][len(SESSION_PREFIX) :]
    db = sqlite3.connect(served.vault, isolation_level=None)
    try:
        attrs = json.loads(
            db.execute("SELECT attrs FROM resources WHERE kind = 'session' AND name = ?", (name,)).fetchone()[0]
        )
        del attrs["stateDigest"]
        db.execute("UPDATE resources SET attrs = ? WHERE kind = 'session' AND name = ?", (json.dumps(attrs), name))
    finally:
        db.close()
    page = served.client.get(_consent(served.server, started["authorizationUrl"]))
    assert page.status_code == 400
    assert "No authorization session is waiting for this callback" in page.text


def test_starting_a_session_creates_no_other_workload_identity(served: Served):
    served.start()
    listed = served.invoke("ListWorkloadIdentities", {})
    assert [w["name"] for w in listed["workloadIdentities"]] == ["agent"]


def test_the_internal_error_page_says_exactly_that(served: Served, monkeypatch: pytest.MonkeyPatch, capsys):
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    def broken(self: Any, callback_id: str, params: dict[str, str]) -> Any:
        raise KeyError("detail")

    monkeypatch.setattr(LocalBackend, "receive_oauth2_callback", broken)
    page = served.client.get(_callback_url(served, "corp"), params={"code": "c", "state": "s"})
    assert "<h1>Authorization failed</h1><p>An internal error occurred.</p>" in page.text
    assert "serve: OAuth2Callback failed unexpectedly: KeyError\n" in capsys.readouterr().err


def test_each_callback_is_logged_in_one_line_without_its_query(served: Served, capsys):
    import re

    capsys.readouterr()
    served.client.get(_callback_url(served, "corp"), params={"code": "stolen-code", "state": "forged"})
    err = capsys.readouterr().err
    path = urlsplit(_callback_url(served, "corp")).path
    found = re.search(rf"^serve: GET {re.escape(path)} OAuth2Callback 400 (\d+\.\d)ms$", err, re.MULTILINE)
    assert found, err
    assert 0 < float(found.group(1)) < 60_000
    assert "stolen-code" not in err and "forged" not in err


def test_with_debug_the_callbacks_headers_are_logged_with_credentials_redacted(served: Served, capsys):
    served.state.debug = True
    capsys.readouterr()
    served.client.get(
        _callback_url(served, "corp"),
        params={"state": "forged"},
        headers={"Authorization": "Bearer sekrit-1", "Cookie": "session=sekrit-2", "X-Trace": "visible"},
    )
    err = capsys.readouterr().err
    assert "serve:   authorization: <redacted>\n" in err
    assert "serve:   cookie: <redacted>\n" in err
    assert "serve:   x-trace: visible\n" in err
    assert "sekrit" not in err


def test_a_pasted_redirect_is_accepted_only_with_a_code_or_an_error():
    from agentcore_identity_cli.oauth.listener import LoopbackListener

    listener = LoopbackListener()
    assert listener.submit("  http://127.0.0.1:1/callback?code=c&state=s  ") is True
    assert listener.submit("http://127.0.0.1:1/callback?error=access_denied&state=s") is True
    assert listener.submit("http://127.0.0.1:1/callback?state=s") is False
    assert listener.submit("not a url at all") is False
    assert listener.wait(1) == {"code": "c", "state": "s"}
    assert listener.wait(1) == {"error": "access_denied", "state": "s"}
    device = LoopbackListener(expect=("session_id",))
    assert device.submit("http://127.0.0.1:1/done?code=c") is False
    assert device.submit("http://127.0.0.1:1/done?session_id=") is True  # blank values are kept
    assert device.wait(1) == {"session_id": ""}


def test_a_session_is_completed_for_the_user_a_trusted_issuers_token_names(cli, served: Served):
    from tests.jwks_server import serve_issuer

    with serve_issuer() as issuer:
        trusted = cli("trusted-issuer", "add", "--issuer", issuer.url, "--audiences", "agent-api")
        assert trusted.exit_code == 0, trusted.stderr
        started = served.start(user="alice")
        assert served.client.get(_consent(served.server, started["authorizationUrl"])).status_code == 200
        uri = started["sessionUri"]
        with pytest.raises(ServiceError) as refused:
            served.invoke(
                "CompleteResourceTokenAuth",
                {"sessionUri": uri, "userIdentifier": {"userToken": issuer.token(sub="mallory")}},
            )
        assert refused.value.message == "This session was not started for that user."
        assert (
            served.invoke(
                "CompleteResourceTokenAuth",
                {"sessionUri": uri, "userIdentifier": {"userToken": issuer.token(sub="alice")}},
            )
            == {}
        )
    assert served.session(uri)["status"] == "COMPLETED"


@pytest.mark.parametrize(
    ("error", "shown"),
    [("access_denied", "access_denied"), ("<b>bad</b>", "server_error"), ("x" * 65, "server_error")],
)
def test_the_providers_error_sends_the_browser_to_the_return_url_with_it(served: Served, error: str, shown: str):
    started = served.start(resourceOauth2ReturnUrl=RETURN_URL_WITH_QUERY, customState="app-state")
    state = _query(started["authorizationUrl"])["state"]
    page = served.client.get(_callback_url(served, "corp"), params={"error": error, "state": state})
    assert page.status_code == 302
    assert page.headers["location"] == RETURN_URL_WITH_QUERY + "&" + urlencode(
        {"session_id": started["sessionUri"], "state": "app-state", "error": shown}
    )
    assert served.session(started["sessionUri"])["status"] == "FAILED"
    assert served.sealed_fields(started["sessionUri"]) == []
    assert served.code_exchanges() == []


def test_a_code_for_a_session_with_a_return_url_is_not_an_error_redirect(served: Served):
    """Without the provider's `error`, a failed exchange stays serve's own page, not a redirect."""
    started = served.start(resourceOauth2ReturnUrl=RETURN_URL)
    state = _query(started["authorizationUrl"])["state"]
    page = served.client.get(_callback_url(served, "corp"), params={"code": "forged", "state": state})
    assert page.status_code == 400 and "location" not in page.headers
    assert served.session(started["sessionUri"])["status"] == "FAILED"


def _callback_id(served: Served, provider: str = "corp") -> str:
    return _callback_url(served, provider).rsplit("/", 1)[1]


@pytest.mark.parametrize("error", ["ACCESS_DENIED", "Consent.Denied-2"])
def test_a_refusal_answers_with_the_session_and_the_return_url_keeping_an_upper_case_code(served: Served, error: str):
    """What the callback route reads: the session's URI and where the browser goes, with the
    provider's error code as it was sent when it is a safe token (letters of either case)."""
    started = served.start(resourceOauth2ReturnUrl=RETURN_URL)
    state = _query(started["authorizationUrl"])["state"]
    with served.pool.backend() as backend:
        outcome = backend.receive_oauth2_callback(_callback_id(served), {"error": error, "state": state})
    assert outcome == {
        "sessionUri": started["sessionUri"],
        "returnUrl": RETURN_URL + "?" + urlencode({"session_id": started["sessionUri"], "error": error}),
    }
    assert served.session(started["sessionUri"])["status"] == "FAILED"


def test_a_forged_code_fails_the_session_naming_the_code_exchange(served: Served):
    started = served.start()
    state = _query(started["authorizationUrl"])["state"]
    page = served.client.get(_callback_url(served, "corp"), params={"code": "forged", "state": state})
    assert page.status_code == 400
    assert "<p>The authorization server refused the authorization code exchange: invalid_grant" in page.text
    assert served.session(started["sessionUri"])["status"] == "FAILED"


# --- login's loopback listener and the code_from_callback / exchange_code steps ------------


def _pending(state: str = "s" * 43) -> Any:
    from agentcore_identity_cli.oauth.flows import PendingAuthorization

    return PendingAuthorization(
        url="http://127.0.0.1:1/authorize",
        state=state,
        code_verifier="v" * 43,
        redirect_uri="http://127.0.0.1:1/callback",
        scopes=(),
    )


@pytest.mark.parametrize("params", [{"state": "t" * 43, "code": "c"}, {"code": "c"}, {"state": "", "code": "c"}])
def test_a_redirect_with_another_state_is_refused_as_access_denied(params: dict[str, str]):
    from agentcore_identity_cli.oauth.flows import code_from_callback

    with pytest.raises(ServiceError) as refused:
        code_from_callback(_pending(), params)
    assert refused.value.code == "AccessDeniedException"
    assert refused.value.message.startswith("The redirect's state does not match the login that was started")


@pytest.mark.parametrize("params", [{}, {"code": ""}, {"code": "", "error": ""}])
def test_a_redirect_with_neither_code_nor_error_is_a_validation_error(params: dict[str, str]):
    from agentcore_identity_cli.oauth.flows import code_from_callback

    pending = _pending()
    with pytest.raises(ServiceError) as refused:
        code_from_callback(pending, {"state": pending.state, **params})
    assert (refused.value.code, refused.value.message) == (
        "ValidationException",
        "The redirect carries neither a code nor an error.",
    )
    assert refused.value.render() == (
        "An error occurred (ValidationException): The redirect carries neither a code nor an error."
    )


def test_a_denied_consent_is_the_providers_error():
    from agentcore_identity_cli.oauth.flows import code_from_callback
    from agentcore_identity_cli.oauth.http import OAuthProviderError

    pending = _pending()
    with pytest.raises(OAuthProviderError) as refused:
        code_from_callback(pending, {"state": pending.state, "error": "access_denied", "error_description": "no"})
    assert refused.value.code == "OAuth2Error"
    assert refused.value.message == "The authorization server refused the authorization request: access_denied (no)"


def _browser_get(url: str) -> Any:
    """The browser's request to the listener, in its own thread: the page is held until the login ends."""
    import concurrent.futures

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(lambda: httpx.get(url, timeout=10))
    pool.shutdown(wait=False)
    return future


def _page_of_listener(response: httpx.Response, status: int, title: str, body: str) -> None:
    """The listener's page, exactly: what a browser shows, may cache, and may send on."""
    from agentcore_identity_cli.oauth.listener import _PAGE

    page = _PAGE.format(title=title, body=body).encode()
    assert response.status_code == status
    assert response.content == page
    assert f"<h1>{title}</h1><p>{body}</p>" in response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-length"] == str(len(page))
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_a_loopback_login_stores_the_token_audits_who_and_tells_the_browser(served: Served):
    from agentcore_identity_cli.oauth.listener import LoopbackListener
    from tests.audit_support import events

    with LoopbackListener() as listener, served.pool.backend() as backend:
        authorization = backend.begin_user_authorization(
            "corp", redirect_uri=listener.redirect_uri, workload="agent", user_id="bob"
        )
        redirect = _consent(served.server, authorization.url)
        assert redirect.startswith(listener.redirect_uri + "?")
        browser = _browser_get(redirect)
        params = listener.wait(10)
        result = backend.complete_user_authorization(authorization, params)
        listener.finish(True, "Tokens for <corp> & bob are stored.")
        _page_of_listener(browser.result(), 200, "Logged in", "Tokens for &lt;corp&gt; &amp; bob are stored.")
    (issued,) = [t for t in served.server.tokens if t.user]
    assert result.access_token == issued.access_token
    (exchange,) = served.code_exchanges()
    assert exchange["form"]["grant_type"] == ["authorization_code"]
    (login,) = [e for e in events(served.vault) if e["operation"] == "OAuth2Login"]
    assert (login["workload"], login["user_id"], login["outcome"]) == ("agent", "bob", "success")


def test_a_failed_loopback_login_names_the_code_exchange_and_the_failure_page_says_why(served: Served):
    from agentcore_identity_cli.oauth.http import OAuthProviderError
    from agentcore_identity_cli.oauth.listener import LoopbackListener
    from tests.audit_support import events

    with LoopbackListener() as listener, served.pool.backend() as backend:
        authorization = backend.begin_user_authorization(
            "corp", redirect_uri=listener.redirect_uri, workload="agent", user_id="bob"
        )
        forged = f"{listener.redirect_uri}?{urlencode({'code': 'forged', 'state': authorization.pending.state})}"
        browser = _browser_get(forged)
        params = listener.wait(10)
        with pytest.raises(OAuthProviderError) as refused:
            backend.complete_user_authorization(authorization, params)
        listener.finish(False, refused.value.message)
        assert refused.value.message.startswith(
            "The authorization server refused the authorization code exchange: invalid_grant"
        )
        _page_of_listener(browser.result(), 400, "Login failed", html.escape(refused.value.message))
    (login,) = [e for e in events(served.vault) if e["operation"] == "OAuth2Login"]
    assert (login["workload"], login["user_id"], login["outcome"]) == ("agent", "bob", "OAuth2Error")


def test_the_listener_keeps_blank_query_values():
    """A redirect's `code=` or `error=` with no value is still seen as such, not as missing."""
    from agentcore_identity_cli.oauth.listener import LoopbackListener

    with LoopbackListener() as listener:
        browser = _browser_get(listener.redirect_uri + "?code=&state=s&error=")
        assert listener.wait(10) == {"code": "", "state": "s", "error": ""}
        listener.finish(False, "The redirect carries neither a code nor an error.")
        _page_of_listener(browser.result(), 400, "Login failed", "The redirect carries neither a code nor an error.")


def test_a_listener_closed_before_the_login_finished_says_so():
    from agentcore_identity_cli.oauth.listener import LoopbackListener

    listener = LoopbackListener().start()
    try:
        browser = _browser_get(listener.redirect_uri + "?code=c&state=s")
        assert listener.wait(10) == {"code": "c", "state": "s"}
    finally:
        listener.close()
    _page_of_listener(browser.result(), 400, "Login failed", "The login did not finish.")


def test_the_browsers_page_is_not_held_past_its_wait(monkeypatch: pytest.MonkeyPatch):
    """A login that never ends (the command killed, a debugger) does not leave the tab loading forever."""
    from agentcore_identity_cli.oauth import listener as module

    monkeypatch.setattr(module, "PAGE_WAIT", 0.5)
    with module.LoopbackListener() as listener:
        response = httpx.get(listener.redirect_uri + "?code=c&state=s", timeout=5)
        _page_of_listener(response, 400, "Login failed", "The login did not finish.")


def test_listeners_on_the_default_port_each_get_a_free_port_from_the_system():
    from agentcore_identity_cli.oauth.listener import LoopbackListener

    with LoopbackListener() as first, LoopbackListener() as second:
        ports = {urlsplit(first.redirect_uri).port, urlsplit(second.redirect_uri).port}
    assert len(ports) == 2
    assert all(port is not None and port >= 1024 for port in ports), ports


# --- a browser login's OAuth client: the authorization URL, the client authentication of the
# code exchange and of revocation, the vendor's headers and JSON bodies, the request timeout ---

LOOPBACK_REDIRECT = "http://127.0.0.1:9/callback"  # the test server takes any loopback port; nothing listens here
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _login(served: Served, provider: str, user_id: str = "bob") -> tuple[Any, Any]:
    """A browser login run through the backend: start, the user's consent, the redirect, the code exchange."""
    with served.pool.backend() as backend:
        authorization = backend.begin_user_authorization(
            provider, redirect_uri=LOOPBACK_REDIRECT, workload="agent", user_id=user_id
        )
        redirect = _consent(served.server, authorization.url)
        result = backend.complete_user_authorization(authorization, _query(redirect))
    return authorization, result


def _custom_provider(cli: Any, server: AuthServer, name: str, client_id: str, method: str, secret: str = "") -> None:
    """A CustomOauth2 provider on the test server's discovery URL with an explicit client authentication."""
    inner = {
        "oauthDiscovery": {"discoveryUrl": server.discovery_url},
        "clientId": client_id,
        "clientAuthenticationMethod": method,
    }
    created = cli(
        "create-oauth2-credential-provider",
        "--name",
        name,
        "--credential-provider-vendor",
        "CustomOauth2",
        "--oauth2-provider-config-input",
        json.dumps({"customOauth2ProviderConfig": inner}),
        *(["--client-secret", "-"] if secret else []),
        input=secret,
    )
    assert created.exit_code == 0, created.stderr


def _secret_reads(vault: Path) -> list[dict[str, Any]]:
    from tests.audit_support import events

    return [e for e in events(vault) if e["category"] == "secret-read"]


def test_the_authorization_url_is_built_without_opening_the_secret_and_for_the_os_user_by_default(
    cli: Any, served: Served
):
    """The authorization URL goes to a browser: it carries no client secret, and building it
    decrypts none (nor a private key). Without a user id the login is the OS user's."""
    from agentcore_identity_cli.identity import os_user

    _custom_provider(cli, served.server, "jwt", "jwt-app", "PRIVATE_KEY_JWT")
    before = _secret_reads(served.vault)
    with served.pool.backend() as backend:
        basic = backend.begin_user_authorization("corp", redirect_uri=LOOPBACK_REDIRECT, scopes=["read"])
        signed = backend.begin_user_authorization("jwt", redirect_uri=LOOPBACK_REDIRECT, scopes=["read"])
    assert _secret_reads(served.vault) == before
    for authorization in (basic, signed):
        assert "client_secret" not in authorization.url and "s3cret-client" not in authorization.url
        assert "client_assertion" not in authorization.url
        assert authorization.user_id == os_user()
        assert authorization.scopes == authorization.pending.scopes == ("read",)
    # A login for another user is started for that user.
    with served.pool.backend() as backend:
        assert backend.begin_user_authorization("corp", redirect_uri=LOOPBACK_REDIRECT, user_id="bob").user_id == "bob"


def test_the_state_and_the_pkce_verifier_are_fresh_random_values_of_their_full_length(served: Served):
    """32 random bytes of state (43 URL-safe characters) and 64 of verifier (86 characters,
    within RFC 7636's 43..128), the challenge being the verifier's S256 digest."""
    import re

    with served.pool.backend() as backend:
        first, second = (
            backend.begin_user_authorization("corp", redirect_uri=LOOPBACK_REDIRECT).pending for _ in range(2)
        )
    for pending in (first, second):
        query = _query(pending.url)
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", pending.state) and query["state"] == pending.state
        assert re.fullmatch(r"[A-Za-z0-9_-]{86}", pending.code_verifier)
        digest = hashlib.sha256(pending.code_verifier.encode()).digest()
        assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        assert query["code_challenge_method"] == "S256"
    assert first.state != second.state and first.code_verifier != second.code_verifier


def test_custom_parameters_may_not_set_what_the_authorization_request_sets_itself(served: Served):
    with served.pool.backend() as backend, pytest.raises(ServiceError) as refused:
        backend.begin_user_authorization(
            "corp", redirect_uri=LOOPBACK_REDIRECT, extra=[("state", "mine"), ("client_id", "x"), ("prompt", "login")]
        )
    assert (refused.value.code, refused.value.message) == (
        "ValidationException",
        "customParameters cannot set client_id, state: the authorization request sets it itself.",
    )


def test_a_provider_without_an_authorization_endpoint_cannot_start_a_browser_login(cli: Any, served: Served):
    """A machine-to-machine provider (no authorization_endpoint in its metadata)."""
    served.server.metadata_overrides["authorization_endpoint"] = None
    created = cli(
        "create-oauth2-credential-provider",
        "--name",
        "m2m",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--discovery-url",
        served.server.url + "/.well-known/oauth-authorization-server",  # not the cached document of corp
        "--client-id",
        "app",
        "--client-secret",
        "-",
        input="s3cret-client",
    )
    assert created.exit_code == 0, created.stderr
    with served.pool.backend() as backend, pytest.raises(ServiceError) as refused:
        backend.begin_user_authorization("m2m", redirect_uri=LOOPBACK_REDIRECT)
    assert (refused.value.code, refused.value.message) == (
        "ValidationException",
        "This provider has no authorization endpoint, so it cannot run a browser login.",
    )
    assert served.server.authorize_requests == []


def test_a_client_secret_basic_login_authenticates_with_the_basic_header_and_the_engines_headers(served: Served):
    from agentcore_identity_cli.oauth.http import USER_AGENT

    _login(served, "corp")
    (exchange,) = served.code_exchanges()
    assert exchange["auth"] == "client_secret_basic"
    assert exchange["headers"]["authorization"] == "Basic " + base64.b64encode(b"app:s3cret-client").decode()
    assert "client_secret" not in exchange["form"]
    # The engine's headers: its User-Agent (Reddit refuses a generic one) and JSON answers asked for (GitHub).
    assert exchange["headers"]["user-agent"] == USER_AGENT
    assert exchange["headers"]["accept"] == "application/json"


def test_a_client_secret_post_provider_authenticates_its_code_exchange_and_revocation_in_the_body(
    cli: Any, served: Served
):
    served.server.add_client("post-app", "p0st-secret", auth_methods=["client_secret_post"])
    _custom_provider(cli, served.server, "post", "post-app", "CLIENT_SECRET_POST", secret="p0st-secret")
    _login(served, "post")
    (exchange,) = served.code_exchanges()
    assert exchange["auth"] == "client_secret_post"
    assert (exchange["form"]["client_id"], exchange["form"]["client_secret"]) == (["post-app"], ["p0st-secret"])
    assert "authorization" not in exchange["headers"]
    logout = cli("logout", "post", "--workload-name", "agent", "--user-id", "bob")
    assert logout.exit_code == 0, logout.stderr
    revocations = [r for r in served.server.requests if r["path"] == "/revoke"]
    assert len(revocations) == 2  # the refresh token and the access token
    for revocation in revocations:
        assert revocation["auth"] == "client_secret_post"
        assert revocation["form"]["client_secret"] == ["p0st-secret"]
        assert "authorization" not in revocation["headers"]
    assert served.server.stats["revoked"] == 2


def test_a_private_key_jwt_login_sends_an_assertion_for_the_token_endpoint(cli: Any, served: Served):
    _custom_provider(cli, served.server, "jwt", "jwt-app", "PRIVATE_KEY_JWT")
    shown = cli("oauth2-public-key", "--name", "jwt", "--output", "json")
    assert shown.exit_code == 0, shown.stderr
    served.server.add_client("jwt-app", "", auth_methods=["private_key_jwt"], jwks=shown.json())
    _, result = _login(served, "jwt")
    (issued,) = [t for t in served.server.tokens if t.user]
    assert (result.access_token, issued.client_id) == (issued.access_token, "jwt-app")
    (exchange,) = served.code_exchanges()
    assert exchange["auth"] == "private_key_jwt"
    assert exchange["form"]["client_assertion_type"] == [ASSERTION_TYPE]
    assert "client_secret" not in exchange["form"] and "authorization" not in exchange["headers"]
    ((_, claims),) = served.server.assertions
    assert claims["aud"] == served.server.url + "/token"
    assert claims["iss"] == claims["sub"] == "jwt-app"


def test_a_json_vendors_login_sends_its_headers_and_a_json_body(cli: Any, served: Served):
    """Notion: a JSON token request (its token endpoint refuses a form) and its Notion-Version header."""
    created = cli(
        "create-oauth2-credential-provider",
        "--name",
        "notion",
        "--credential-provider-vendor",
        "NotionOauth2",
        "--client-id",
        "app",
        "--client-secret",
        "-",
        "--authorization-endpoint",
        served.server.url + "/authorize",
        "--token-endpoint",
        served.server.url + "/json/token",
        input="s3cret-client",
    )
    assert created.exit_code == 0, created.stderr
    authorization, result = _login(served, "notion")
    (issued,) = [t for t in served.server.tokens if t.user]
    assert result.access_token == issued.access_token
    (body,) = served.server.json_bodies
    assert body["grant_type"] == "authorization_code"
    assert body["code_verifier"] == authorization.pending.code_verifier
    (exchange,) = served.code_exchanges()
    assert exchange["headers"]["notion-version"] == "2025-09-03"
    assert exchange["headers"]["accept"] == "application/json"
    assert exchange["auth"] == "client_secret_basic"  # Notion's catalogue method


def test_a_code_exchange_gives_up_after_the_backends_timeout(served: Served):
    """The request timeout set on the backend (the CLI's --cli-read-timeout) bounds the code
    exchange: a token endpoint that does not answer fails the login after it, not after the
    engine's default of 30 seconds."""
    import time

    from agentcore_identity_cli.oauth.http import OAuthNetworkError

    served.server.hold("authorization_code", 2, 8.0)  # the one exchange is held 8 seconds
    with served.pool.backend() as backend:
        backend.http_timeout = 0.5
        authorization = backend.begin_user_authorization("corp", redirect_uri=LOOPBACK_REDIRECT, user_id="bob")
        redirect = _consent(served.server, authorization.url)
        started = time.monotonic()
        with pytest.raises(OAuthNetworkError) as failed:
            backend.complete_user_authorization(authorization, _query(redirect))
        elapsed = time.monotonic() - started
    assert elapsed < 5, elapsed
    # The read timeout or the request's deadline, whichever fires first: both are the 0.5 seconds.
    assert failed.value.message in (
        f"The authorization code exchange timed out: no answer from {served.server.url}/token.",
        f"{served.server.url}/token did not answer in full within 0.5 seconds: the request was abandoned.",
    )


def test_a_listener_that_never_started_can_be_closed():
    """A listener whose port is taken fails to start (login on the aws backend says so); closing
    it, as a `finally` does, releases nothing and raises nothing."""
    import socket

    from agentcore_identity_cli.oauth.listener import LoopbackListener

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        listener = LoopbackListener(port=taken.getsockname()[1])
        with pytest.raises(OSError):
            listener.start()
        listener.close()
    LoopbackListener().close()
