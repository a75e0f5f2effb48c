"""`token --oauth2-flow M2M`: client credentials against a real authorization server."""
# ruff: noqa: F811 - the server fixture is imported from tests/oauth_server.py

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.oauth_server import AuthServer, create_provider, oauth_server  # noqa: F401


def test_m2m_token_prints_only_the_access_token(cli, oauth_server: AuthServer):
    create_provider(cli, oauth_server)
    result = cli("token", "corp", "--oauth2-flow", "M2M", "--scopes", "read", "write")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("at-") and result.stdout.endswith("\n")
    assert result.stdout.count("\n") == 1
    assert result.stderr == ""
    assert oauth_server.stats["token:client_credentials"] == 1
    (issued,) = oauth_server.tokens
    assert issued.access_token == result.stdout.strip()
    assert issued.scope == "read write"


def test_m2m_token_is_cached_in_the_vault_until_shortly_before_expiry(cli, oauth_server: AuthServer):
    create_provider(cli, oauth_server)
    first = cli("token", "corp", "--oauth2-flow", "M2M").stdout
    second = cli("token", "corp", "--oauth2-flow", "M2M").stdout
    assert first == second
    assert oauth_server.stats["token:client_credentials"] == 1
    forced = cli("token", "corp", "--oauth2-flow", "M2M", "--force-refresh").stdout
    assert forced != first
    assert oauth_server.stats["token:client_credentials"] == 2


def test_m2m_token_expiring_within_a_minute_is_fetched_again(cli, oauth_server: AuthServer):
    oauth_server.expires_in["client_credentials"] = 30
    create_provider(cli, oauth_server)
    first = cli("token", "corp", "--oauth2-flow", "M2M").stdout
    second = cli("token", "corp", "--oauth2-flow", "M2M").stdout
    assert first != second
    assert oauth_server.stats["token:client_credentials"] == 2


def test_without_a_login_token_defaults_to_client_credentials(cli, oauth_server: AuthServer):
    create_provider(cli, oauth_server)
    result = cli("token", "corp")
    assert result.exit_code == 0, result.stderr
    assert oauth_server.stats["token:client_credentials"] == 1


def test_json_output_has_the_safe_fields_and_the_token_under_access_token(cli, oauth_server: AuthServer):
    create_provider(cli, oauth_server)
    body = cli("token", "corp", "--oauth2-flow", "M2M", "--scopes", "read", "--output", "json").json()
    assert body["accessToken"].startswith("at-")
    assert body["tokenType"] == "Bearer"
    assert body["scope"] == "read"
    assert body["expiresAt"].endswith("+00:00")
    assert 3500 < body["expiresIn"] <= 3600
    assert not {"refreshToken", "refresh_token", "clientSecret"} & set(body)


def test_the_token_is_sealed_in_the_vault(cli, oauth_server: AuthServer, vault_file: Path):
    create_provider(cli, oauth_server)
    token = cli("token", "corp", "--oauth2-flow", "M2M").stdout.strip()
    raw = b"".join(path.read_bytes() for path in vault_file.parent.glob("vault.db*") if path.is_file())
    assert token.encode() not in raw
    assert b"s3cret-client" not in raw


def test_wrong_client_secret_shows_the_providers_error_and_never_the_secret(cli, oauth_server: AuthServer):
    create_provider(cli, oauth_server, secret="wrong-secret-value")
    result = cli("token", "corp", "--oauth2-flow", "M2M")
    assert result.exit_code == 254
    assert "invalid_client" in result.stderr
    assert result.stdout == ""
    assert "wrong-secret-value" not in result.stderr


def test_client_secret_post_is_used_when_the_metadata_says_so(cli, oauth_server: AuthServer):
    oauth_server.auth_methods_supported = ["client_secret_post"]
    oauth_server.clients["app"].auth_methods = ["client_secret_post"]
    create_provider(cli, oauth_server)
    assert cli("token", "corp", "--oauth2-flow", "M2M").exit_code == 0
    assert oauth_server.auth_methods_seen == ["client_secret_post:app"]


def test_client_secret_basic_is_the_default(cli, oauth_server: AuthServer):
    create_provider(cli, oauth_server)
    assert cli("token", "corp", "--oauth2-flow", "M2M").exit_code == 0
    assert oauth_server.auth_methods_seen == ["client_secret_basic:app"]


def test_deleting_the_provider_deletes_its_tokens(cli, oauth_server: AuthServer, vault_file: Path):
    create_provider(cli, oauth_server)
    assert cli("token", "corp", "--oauth2-flow", "M2M").exit_code == 0
    assert cli("delete-oauth2-credential-provider", "--name", "corp").exit_code == 0
    db = sqlite3.connect(vault_file)
    assert db.execute("SELECT COUNT(*) FROM oauth2_tokens").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM secrets WHERE field LIKE 'oauth2Token:%'").fetchone()[0] == 0


def test_unknown_provider_exits_254_with_a_hint(cli, oauth_server: AuthServer):
    create_provider(cli, oauth_server)
    result = cli("token", "copr")
    assert result.exit_code == 254
    assert "did you mean 'corp'" in result.stderr


def test_bad_flow_is_a_usage_error(cli, oauth_server: AuthServer):
    create_provider(cli, oauth_server)
    result = cli("token", "corp", "--oauth2-flow", "IMPLICIT")
    assert result.exit_code == 252
    assert "USER_FEDERATION | M2M" in result.stderr


def test_token_on_the_aws_backend_points_to_the_data_plane(cli):
    result = cli("--backend", "aws", "token", "corp")
    assert result.exit_code == 252
    assert "get-resource-oauth2-token" in result.stderr


def test_unreachable_token_endpoint_is_a_clear_error(cli):
    result = cli(
        "create-oauth2-credential-provider",
        "--name",
        "dead",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--issuer",
        "http://127.0.0.1:9",
        "--authorization-endpoint",
        "http://127.0.0.1:9/authorize",
        "--token-endpoint",
        "http://127.0.0.1:9/token",
        "--client-id",
        "app",
        "--client-secret",
        "-",
        input="x-secret",
    )
    assert result.exit_code == 0, result.stderr
    result = cli("token", "dead", "--oauth2-flow", "M2M")
    assert result.exit_code == 255
    assert "cannot reach http://127.0.0.1:9/token" in result.stderr
    assert "Traceback" not in result.stderr
