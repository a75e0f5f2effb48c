"""`token` after a login: refresh shortly before expiry, rotation, refused refresh, and tokens
that survive a key rotation (one refresh across processes: tests/test_refresh_lock.py)."""
# ruff: noqa: F811 - the fixtures are imported from tests/oauth_server.py

from __future__ import annotations

from tests.oauth_server import AuthServer, Browser, browser, create_provider, oauth_server  # noqa: F401


def _login(cli, server: AuthServer, expires_in: int) -> None:
    server.expires_in["authorization_code"] = expires_in
    create_provider(cli, server)
    result = cli("login", "corp", "--scopes", "openid", "offline_access")
    assert result.exit_code == 0, result.stderr


def test_token_expiring_within_a_minute_is_refreshed_and_the_rotated_refresh_token_kept(
    cli, oauth_server: AuthServer, browser: Browser
):
    _login(cli, oauth_server, expires_in=30)
    (first_refresh,) = oauth_server.live_refresh_tokens()
    token = cli("token", "corp")
    assert token.exit_code == 0, token.stderr
    assert oauth_server.stats["refresh"] == 1
    (rotated,) = oauth_server.live_refresh_tokens()
    assert rotated != first_refresh  # the server spent the old one; the vault holds the new one
    assert token.stdout.strip() == oauth_server.tokens[-1].access_token
    # The refreshed token lasts an hour: the next call is served from the vault.
    assert cli("token", "corp").stdout == token.stdout
    assert oauth_server.stats["refresh"] == 1
    # And the rotated refresh token works.
    forced = cli("token", "corp", "--force-refresh")
    assert forced.exit_code == 0, forced.stderr
    assert oauth_server.stats["refresh"] == 2


def test_json_output_keeps_the_logins_scope_after_refresh(cli, oauth_server: AuthServer, browser: Browser):
    _login(cli, oauth_server, expires_in=30)
    body = cli("token", "corp", "--output", "json").json()
    assert body["scope"] == "openid offline_access"
    assert "refreshToken" not in body


def test_refused_refresh_asks_for_a_new_login(cli, oauth_server: AuthServer, browser: Browser):
    _login(cli, oauth_server, expires_in=30)
    oauth_server.expire_refresh_tokens()
    result = cli("token", "corp")
    assert result.exit_code == 254
    assert "invalid_grant" in result.stderr
    assert "run `agentcore-identity login corp` again" in result.stderr
    assert "rt-" not in result.stderr and "at-" not in result.stderr
    # The dead token is gone: the user flow now says to log in.
    again = cli("token", "corp", "--oauth2-flow", "USER_FEDERATION")
    assert again.exit_code == 254 and "login corp" in again.stderr


def test_tokens_survive_a_vault_key_rotation(cli, oauth_server: AuthServer, browser: Browser):
    _login(cli, oauth_server, expires_in=3600)
    before = cli("token", "corp").stdout
    rotated = cli("reset-token-vault-key-material", "--token-vault-id", "default")
    assert rotated.exit_code == 0, rotated.stderr
    after = cli("token", "corp")
    assert after.exit_code == 0, after.stderr
    assert after.stdout == before


def test_deleting_the_workload_identity_deletes_its_tokens(cli, oauth_server: AuthServer, browser: Browser, vault_file):
    import sqlite3

    create_provider(cli, oauth_server)
    assert cli("create-workload-identity", "--name", "agent-1").exit_code == 0
    assert cli("login", "corp", "--workload-name", "agent-1").exit_code == 0
    assert cli("delete-workload-identity", "--name", "agent-1").exit_code == 0
    db = sqlite3.connect(vault_file)
    assert db.execute("SELECT COUNT(*) FROM oauth2_tokens WHERE workload = 'agent-1'").fetchone()[0] == 0
    # The sealed values go with the next token operation.
    assert cli("token", "corp", "--oauth2-flow", "M2M").exit_code == 0
    assert db.execute("SELECT COUNT(*) FROM secrets WHERE field LIKE 'oauth2Token:%'").fetchone()[0] == 1
