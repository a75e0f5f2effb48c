"""Discovery: endpoints from OpenID / RFC 8414 metadata, validated, cached in the vault and
fetched again when using the cached copy fails."""
# ruff: noqa: F811 - the server fixture is imported from tests/oauth_server.py

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from agentcore_identity_cli.errors import ServiceError
from agentcore_identity_cli.oauth import discovery
from agentcore_identity_cli.oauth.http import OAuthNetworkError
from tests.oauth_server import AuthServer, create_provider, oauth_server  # noqa: F401


def test_metadata_is_fetched_once_and_cached_in_the_vault(cli, oauth_server: AuthServer, vault_file: Path):
    create_provider(cli, oauth_server)
    assert oauth_server.stats["discovery"] == 0  # creating the provider fetches nothing
    assert cli("token", "corp", "--oauth2-flow", "M2M", "--scopes", "a").exit_code == 0
    assert cli("token", "corp", "--oauth2-flow", "M2M", "--scopes", "b").exit_code == 0
    assert oauth_server.stats["discovery"] == 1
    (url,) = sqlite3.connect(vault_file).execute("SELECT url FROM oauth2_metadata").fetchone()
    assert url == oauth_server.discovery_url


def test_stale_cached_metadata_is_fetched_again_when_it_fails(cli, oauth_server: AuthServer, vault_file: Path):
    create_provider(cli, oauth_server)
    assert cli("token", "corp", "--oauth2-flow", "M2M").exit_code == 0
    # The server moved its token endpoint since the document was cached.
    db = sqlite3.connect(vault_file)
    (document,) = db.execute("SELECT document FROM oauth2_metadata").fetchone()
    moved = {**json.loads(document), "token_endpoint": "http://127.0.0.1:9/token"}
    db.execute("UPDATE oauth2_metadata SET document = ?", (json.dumps(moved),))
    db.commit()
    result = cli("token", "corp", "--oauth2-flow", "M2M", "--force-refresh")
    assert result.exit_code == 0, result.stderr
    assert oauth_server.stats["discovery"] == 2
    (document,) = db.execute("SELECT document FROM oauth2_metadata").fetchone()
    assert json.loads(document)["token_endpoint"] == oauth_server.url + "/token"


def test_issuer_that_does_not_match_the_discovery_url_is_refused(cli, oauth_server: AuthServer):
    oauth_server.metadata_overrides["issuer"] = "https://evil.example.com"
    create_provider(cli, oauth_server)
    result = cli("token", "corp", "--oauth2-flow", "M2M")
    assert result.exit_code == 255
    assert "names the issuer https://evil.example.com" in result.stderr
    assert oauth_server.stats["token:client_credentials"] == 0


def test_plain_http_endpoint_in_the_metadata_is_refused(cli, oauth_server: AuthServer):
    oauth_server.metadata_overrides["token_endpoint"] = "http://idp.example.com/token"
    create_provider(cli, oauth_server)
    result = cli("token", "corp", "--oauth2-flow", "M2M")
    assert result.exit_code == 254
    assert "must be an https URL" in result.stderr


def test_plain_http_discovery_url_is_refused_at_creation(cli):
    result = cli(
        "create-oauth2-credential-provider",
        "--name",
        "corp",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--discovery-url",
        "http://idp.example.com/.well-known/openid-configuration",
        "--client-id",
        "app",
        "--client-secret",
        "-",
        input="x",
    )
    assert result.exit_code == 254
    assert "https" in result.stderr


def test_rfc8414_discovery_url_is_accepted(cli, oauth_server: AuthServer):
    cli(
        "create-oauth2-credential-provider",
        "--name",
        "as",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--discovery-url",
        oauth_server.url + "/.well-known/oauth-authorization-server",
        "--client-id",
        "app",
        "--client-secret",
        "-",
        input="s3cret-client",
    )
    result = cli("token", "as", "--oauth2-flow", "M2M")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("url", "issuer"),
    [
        ("https://idp.example.com/.well-known/openid-configuration", "https://idp.example.com"),
        ("https://idp.example.com/.well-known/openid-configuration", "https://idp.example.com/"),
        ("https://idp.example.com/tenant/.well-known/openid-configuration", "https://idp.example.com/tenant"),
        ("https://idp.example.com/.well-known/oauth-authorization-server/tenant", "https://idp.example.com/tenant"),
        (
            "https://login.microsoftonline.com/contoso/v2.0/.well-known/openid-configuration",
            "https://login.microsoftonline.com/{tenantid}/v2.0",
        ),
    ],
)
def test_issuer_matching_rules(url: str, issuer: str):
    document = {"issuer": issuer, "token_endpoint": "https://idp.example.com/token"}
    assert discovery.validate(document, url) == document


@pytest.mark.parametrize(
    ("url", "document", "error"),
    [
        ("https://a.example/.well-known/openid-configuration", {"issuer": "https://b.example"}, OAuthNetworkError),
        (
            "https://a.example/.well-known/openid-configuration",
            {"token_endpoint": "https://a.example/t"},
            OAuthNetworkError,
        ),
        ("https://a.example/.well-known/openid-configuration", ["not", "an", "object"], OAuthNetworkError),
        ("https://a.example/.well-known/openid-configuration", {"issuer": "https://a.example"}, OAuthNetworkError),
        (
            "https://a.example/.well-known/openid-configuration",
            {"issuer": "https://a.example", "token_endpoint": "http://a.example/token"},
            ServiceError,
        ),
    ],
)
def test_bad_documents_are_refused(url: str, document: object, error: type[Exception]):
    with pytest.raises(error):
        discovery.validate(document, url)
