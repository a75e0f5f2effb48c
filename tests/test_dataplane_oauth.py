"""GetResourceOauth2Token and CompleteResourceTokenAuth on the local vault: M2M, the user-federation
session sequence from a terminal, isolation between workloads and users, and deletion."""
# ruff: noqa: F811 - the fixtures are imported from tests/oauth_server.py

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.oauth_server import AuthServer, Browser, browser, create_provider, oauth_server  # noqa: F401

RETURN_URL = "http://localhost:8080/cb"


def _setup(cli, server: AuthServer) -> None:
    create_provider(cli, server)
    for name in ("support-agent", "other-agent"):
        assert cli("create-workload-identity", "--name", name, "--allowed-resource-oauth2-return-urls", RETURN_URL)


def _wat(cli, workload: str, user: str | None = None) -> str:
    if user is None:
        args = ("get-workload-access-token", "--workload-name", workload)
    else:
        args = ("get-workload-access-token-for-user-id", "--workload-name", workload, "--user-id", user)
    result = cli(*args, "--query", "workloadAccessToken", "--output", "text")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def _get_token(cli, wat: str, *extra: str, flow: str = "USER_FEDERATION"):
    return cli(
        "get-resource-oauth2-token",
        "--resource-credential-provider-name",
        "corp",
        "--scopes",
        "read",
        "--oauth2-flow",
        flow,
        "--workload-identity-token",
        "-",
        *extra,
        input=wat,
    )


def _session(cli, workload: str = "support-agent", user: str = "alice", *extra: str) -> str:
    started = _get_token(cli, _wat(cli, workload, user), "--resource-oauth2-return-url", RETURN_URL, *extra)
    assert started.exit_code == 0, started.stderr
    body = started.json()
    assert body["sessionStatus"] == "IN_PROGRESS"
    assert body["sessionUri"].startswith("urn:ietf:params:oauth:request_uri:")
    assert "code_challenge=" in body["authorizationUrl"]
    return str(body["sessionUri"])


def _consent(cli, session_uri: str) -> None:
    result = cli("login", "corp", "--session-uri", session_uri)
    assert result.exit_code == 0, result.stderr
    assert "complete-resource-token-auth" in result.stderr


def test_m2m_returns_a_client_credentials_token(cli, oauth_server: AuthServer):
    _setup(cli, oauth_server)
    result = _get_token(cli, _wat(cli, "support-agent"), flow="M2M")
    assert result.exit_code == 0, result.stderr
    assert set(result.json()) == {"accessToken"}
    assert oauth_server.stats["token:client_credentials"] == 1
    again = _get_token(cli, _wat(cli, "support-agent"), flow="M2M")
    assert again.json() == result.json()  # cached until shortly before expiry
    assert oauth_server.stats["token:client_credentials"] == 1


def test_user_federation_session_sequence_from_a_terminal(cli, oauth_server: AuthServer, browser: Browser):
    _setup(cli, oauth_server)
    session_uri = _session(cli)
    _consent(cli, session_uri)
    wat = _wat(cli, "support-agent", "alice")
    pending = _get_token(cli, wat, "--session-uri", session_uri)
    assert pending.json()["sessionStatus"] == "IN_PROGRESS"  # consent given, not yet bound to the user

    wrong_user = cli("complete-resource-token-auth", "--session-uri", session_uri, "--user-identifier", "userId=bob")
    assert wrong_user.exit_code == 254
    assert "AccessDeniedException" in wrong_user.stderr
    done = cli("complete-resource-token-auth", "--session-uri", session_uri, "--user-identifier", "userId=alice")
    assert (done.exit_code, done.stdout) == (0, "")

    token = _get_token(cli, wat, "--session-uri", session_uri)
    assert token.exit_code == 0, token.stderr
    (issued,) = [t for t in oauth_server.tokens if t.user]
    assert token.json() == {"accessToken": issued.access_token}
    # Later calls need no session: the user's token is stored.
    assert _get_token(cli, _wat(cli, "support-agent", "alice")).json() == {"accessToken": issued.access_token}


def test_completing_before_consent_says_what_is_missing(cli, oauth_server: AuthServer):
    _setup(cli, oauth_server)
    session_uri = _session(cli)
    result = cli("complete-resource-token-auth", "--session-uri", session_uri, "--user-identifier", "userId=alice")
    assert result.exit_code == 254
    assert f"login corp --session-uri {session_uri}" in result.stderr


def test_return_url_must_be_allowed_for_the_workload(cli, oauth_server: AuthServer):
    _setup(cli, oauth_server)
    result = _get_token(
        cli, _wat(cli, "support-agent", "alice"), "--resource-oauth2-return-url", "https://evil.example/cb"
    )
    assert result.exit_code == 254
    assert "ValidationException" in result.stderr and "allowedResourceOauth2ReturnUrls" in result.stderr


def test_user_federation_needs_a_token_for_a_user(cli, oauth_server: AuthServer):
    _setup(cli, oauth_server)
    result = _get_token(cli, _wat(cli, "support-agent"))
    assert result.exit_code == 254
    assert "for a user" in result.stderr


def test_tokens_are_never_handed_to_another_workload_or_user(cli, oauth_server: AuthServer, browser: Browser):
    _setup(cli, oauth_server)
    session_uri = _session(cli)
    _consent(cli, session_uri)
    cli("complete-resource-token-auth", "--session-uri", session_uri, "--user-identifier", "userId=alice")
    alice_token = _get_token(cli, _wat(cli, "support-agent", "alice")).json()["accessToken"]

    for workload, user in (("other-agent", "alice"), ("support-agent", "bob")):
        other = _get_token(cli, _wat(cli, workload, user))
        assert other.exit_code == 0, other.stderr
        assert "accessToken" not in other.json()  # a new session, not alice's token
        assert other.json()["sessionStatus"] == "IN_PROGRESS"
        assert alice_token not in other.stdout
        # alice's session cannot be used with another workload's or user's token.
        stolen = _get_token(cli, _wat(cli, workload, user), "--session-uri", session_uri)
        assert stolen.exit_code == 254
        assert "AccessDeniedException" in stolen.stderr


def test_m2m_tokens_are_kept_per_workload(cli, oauth_server: AuthServer):
    _setup(cli, oauth_server)
    one = _get_token(cli, _wat(cli, "support-agent"), flow="M2M").json()["accessToken"]
    two = _get_token(cli, _wat(cli, "other-agent"), flow="M2M").json()["accessToken"]
    assert one != two
    assert oauth_server.stats["token:client_credentials"] == 2


def test_force_authentication_starts_a_new_session(cli, oauth_server: AuthServer, browser: Browser):
    _setup(cli, oauth_server)
    session_uri = _session(cli)
    _consent(cli, session_uri)
    cli("complete-resource-token-auth", "--session-uri", session_uri, "--user-identifier", "userId=alice")
    forced = _get_token(cli, _wat(cli, "support-agent", "alice"), "--force-authentication")
    assert forced.json()["sessionStatus"] == "IN_PROGRESS"
    assert forced.json()["sessionUri"] != session_uri


def test_denied_consent_fails_the_session(cli, oauth_server: AuthServer, browser: Browser):
    _setup(cli, oauth_server)
    session_uri = _session(cli)
    browser.mode("deny")
    result = cli("login", "corp", "--session-uri", session_uri)
    assert result.exit_code == 254
    status = _get_token(cli, _wat(cli, "support-agent", "alice"), "--session-uri", session_uri).json()
    assert status["sessionStatus"] == "FAILED"


def _leftovers(vault: Path, name: str) -> dict[str, int]:
    db = sqlite3.connect(vault)
    counts = {
        "tokens": db.execute(
            "SELECT COUNT(*) FROM oauth2_tokens WHERE workload = ? OR provider = ?", (name, name)
        ).fetchone()[0],
        "sealed tokens": db.execute("SELECT COUNT(*) FROM secrets WHERE field LIKE 'oauth2Token:%'").fetchone()[0],
        "sessions": db.execute("SELECT COUNT(*) FROM resources WHERE kind = 'session'").fetchone()[0],
        "session secrets": db.execute("SELECT COUNT(*) FROM secrets WHERE kind = 'session'").fetchone()[0],
    }
    db.close()
    return counts


def test_deleting_a_workload_deletes_its_tokens_and_sessions(
    cli, oauth_server: AuthServer, browser: Browser, home: Path
):
    _setup(cli, oauth_server)
    session_uri = _session(cli)
    _consent(cli, session_uri)
    cli("complete-resource-token-auth", "--session-uri", session_uri, "--user-identifier", "userId=alice")
    _get_token(cli, _wat(cli, "support-agent"), flow="M2M")
    _session(cli, "support-agent", "bob")  # a pending session too
    assert cli("delete-workload-identity", "--name", "support-agent").exit_code == 0
    assert _leftovers(home / "vault.db", "support-agent") == {
        "tokens": 0,
        "sealed tokens": 0,
        "sessions": 0,
        "session secrets": 0,
    }


def test_deleting_a_provider_deletes_its_tokens_sessions_and_metadata(
    cli, oauth_server: AuthServer, browser: Browser, home: Path
):
    _setup(cli, oauth_server)
    _get_token(cli, _wat(cli, "support-agent"), flow="M2M")
    _session(cli)
    assert cli("delete-oauth2-credential-provider", "--name", "corp").exit_code == 0
    assert _leftovers(home / "vault.db", "corp") == {
        "tokens": 0,
        "sealed tokens": 0,
        "sessions": 0,
        "session secrets": 0,
    }
    db = sqlite3.connect(home / "vault.db")
    assert db.execute("SELECT COUNT(*) FROM oauth2_metadata").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM secrets WHERE kind = 'oauth2'").fetchone()[0] == 0


def test_python_api_gets_an_m2m_token(cli, oauth_server: AuthServer):
    from agentcore_identity_cli import CredentialProvider, requires_access_token

    _setup(cli, oauth_server)
    provider = CredentialProvider("corp", workload_name="support-agent")
    try:
        token = provider.get_access_token(["read"], "M2M")
    finally:
        provider.close()
    assert token == oauth_server.tokens[-1].access_token

    @requires_access_token(provider_name="corp", scopes=["read"], auth_flow="M2M")
    def call(*, access_token: str = "") -> str:
        return access_token

    assert call()


def test_user_federation_sends_resources_audiences_and_custom_parameters_to_the_authorization_server(
    cli, oauth_server: AuthServer, browser: Browser
):
    from urllib.parse import parse_qs, urlsplit

    _setup(cli, oauth_server)
    started = _get_token(
        cli,
        _wat(cli, "support-agent", "alice"),
        "--resource-oauth2-return-url", RETURN_URL,
        "--resources", "https://api.example.com/", "https://files.example.com/",
        "--audiences", "orders-api",
        "--custom-parameters", "prompt=login,login_hint=alice",
    )  # fmt: skip
    assert started.exit_code == 0, started.stderr
    query = parse_qs(urlsplit(started.json()["authorizationUrl"]).query)
    assert query["resource"] == ["https://api.example.com/", "https://files.example.com/"]
    assert query["audience"] == ["orders-api"]
    assert query["prompt"] == ["login"] and query["login_hint"] == ["alice"]
    assert len(query["state"]) == 1 and query["code_challenge_method"] == ["S256"]
    # The authorization server takes the request as it is and the login completes.
    _consent(cli, started.json()["sessionUri"])


def test_custom_parameters_cannot_replace_what_the_flow_sets(cli, oauth_server: AuthServer):
    _setup(cli, oauth_server)
    result = _get_token(
        cli, _wat(cli, "support-agent", "alice"), "--resource-oauth2-return-url", RETURN_URL,
        "--custom-parameters", "state=forged",
    )  # fmt: skip
    assert result.exit_code == 254
    assert "customParameters cannot set state" in result.stderr
