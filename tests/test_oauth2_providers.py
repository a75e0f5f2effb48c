"""OAuth2 credential providers: built-in vendors, custom servers, the structured input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def _create(cli, *args: str, secret: str = "client-secret-XYZ"):
    return cli("create-oauth2-credential-provider", *args, "--client-secret", "-", input=secret)


def test_builtin_vendor_needs_only_client_id_and_secret(cli):
    result = _create(cli, "--name", "github", "--credential-provider-vendor", "GithubOauth2", "--client-id", "Iv1.abc")
    assert result.exit_code == 0, result.stderr
    body = result.json()
    config = body["oauth2ProviderConfigOutput"]["githubOauth2ProviderConfig"]
    assert config["clientId"] == "Iv1.abc"
    metadata = config["oauthDiscovery"]["authorizationServerMetadata"]
    assert metadata["tokenEndpoint"] == "https://github.com/login/oauth/access_token"
    assert "client-secret-XYZ" not in result.stdout + result.stderr
    got = cli("get-oauth2-credential-provider", "--name", "github").json()
    assert got["credentialProviderVendor"] == "GithubOauth2"
    assert got["status"] == "READY"


@pytest.mark.parametrize(
    "vendor",
    [
        "GoogleOauth2",
        "GithubOauth2",
        "SlackOauth2",
        "SalesforceOauth2",
        "MicrosoftOauth2",
        "AtlassianOauth2",
        "LinkedinOauth2",
        "XOauth2",
        "FacebookOauth2",
        "YandexOauth2",
        "RedditOauth2",
        "ZoomOauth2",
        "TwitchOauth2",
        "SpotifyOauth2",
        "DropboxOauth2",
        "NotionOauth2",
        "HubspotOauth2",
    ],
)
def test_every_vendor_with_fixed_endpoints_is_created_from_client_id_and_secret(cli, vendor: str):
    result = _create(cli, "--name", "p", "--credential-provider-vendor", vendor, "--client-id", "cid")
    assert result.exit_code == 0, result.stderr
    (config,) = result.json()["oauth2ProviderConfigOutput"].values()
    assert config["oauthDiscovery"]["authorizationServerMetadata"]["authorizationEndpoint"].startswith("https://")


def test_microsoft_tenant_fills_the_endpoints(cli):
    result = _create(
        cli,
        "--name",
        "entra",
        "--credential-provider-vendor",
        "MicrosoftOauth2",
        "--client-id",
        "c",
        "--tenant-id",
        "contoso",
    )
    metadata = result.json()["oauth2ProviderConfigOutput"]["microsoftOauth2ProviderConfig"]["oauthDiscovery"][
        "authorizationServerMetadata"
    ]
    assert "/contoso/" in metadata["tokenEndpoint"]


def test_tenant_vendor_without_domain_says_what_to_pass(cli):
    result = _create(cli, "--name", "okta", "--credential-provider-vendor", "OktaOauth2", "--client-id", "c")
    assert result.exit_code == 254
    assert "--issuer" in result.stderr and "domain" in result.stderr


def test_tenant_vendor_with_endpoints_is_created(cli):
    result = _create(
        cli,
        "--name",
        "okta",
        "--credential-provider-vendor",
        "OktaOauth2",
        "--client-id",
        "c",
        "--issuer",
        "https://dev-1.okta.com",
        "--authorization-url",
        "https://dev-1.okta.com/oauth2/v1/authorize",
        "--token-url",
        "https://dev-1.okta.com/oauth2/v1/token",
    )
    assert result.exit_code == 0, result.stderr
    metadata = result.json()["oauth2ProviderConfigOutput"]["includedOauth2ProviderConfig"]["oauthDiscovery"][
        "authorizationServerMetadata"
    ]
    assert metadata["issuer"] == "https://dev-1.okta.com"


def test_custom_provider_from_discovery_url(cli):
    url = "https://idp.example.com/.well-known/openid-configuration"
    result = _create(
        cli,
        "--name",
        "corp",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--client-id",
        "app",
        "--discovery-url",
        url,
    )
    assert result.exit_code == 0, result.stderr
    config = result.json()["oauth2ProviderConfigOutput"]["customOauth2ProviderConfig"]
    assert config == {"clientId": "app", "oauthDiscovery": {"discoveryUrl": url}}


def test_custom_provider_from_endpoints(cli):
    result = _create(
        cli,
        "--name",
        "corp",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--client-id",
        "app",
        "--issuer",
        "https://idp.example.com",
        "--authorization-endpoint",
        "https://idp.example.com/authorize",
        "--token-endpoint",
        "https://idp.example.com/token",
    )
    assert result.exit_code == 0, result.stderr


def test_custom_provider_needs_discovery_or_endpoints(cli):
    result = _create(cli, "--name", "corp", "--credential-provider-vendor", "CustomOauth2", "--client-id", "app")
    assert result.exit_code == 252
    assert "--discovery-url" in result.stderr


def test_plain_http_endpoints_are_refused_except_on_loopback(cli):
    bad = _create(
        cli,
        "--name",
        "corp",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--client-id",
        "app",
        "--discovery-url",
        "http://idp.example.com/.well-known/openid-configuration",
    )
    assert bad.exit_code == 254
    assert "https" in bad.stderr
    loopback = _create(
        cli,
        "--name",
        "corp",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--client-id",
        "app",
        "--discovery-url",
        "http://127.0.0.1:8080/.well-known/openid-configuration",
    )
    assert loopback.exit_code == 0, loopback.stderr


def test_config_input_as_json_file_with_secret_from_stdin(cli, tmp_path: Path):
    config = {"googleOauth2ProviderConfig": {"clientId": "g-123"}}
    path = tmp_path / "google.json"
    path.write_text(json.dumps(config))
    result = _create(
        cli,
        "--name",
        "google",
        "--credential-provider-vendor",
        "GoogleOauth2",
        "--oauth2-provider-config-input",
        f"file://{path}",
    )
    assert result.exit_code == 0, result.stderr
    assert result.json()["oauth2ProviderConfigOutput"]["googleOauth2ProviderConfig"]["clientId"] == "g-123"


def test_config_input_as_shorthand(cli):
    result = cli(
        "create-oauth2-credential-provider",
        "--name",
        "slack",
        "--credential-provider-vendor",
        "SlackOauth2",
        "--oauth2-provider-config-input",
        "slackOauth2ProviderConfig={clientId=s-1,clientSecret=inline}",
    )
    # The secret sits in the structure: it works, as in the AWS CLI, with a warning.
    assert result.exit_code == 0, result.stderr
    assert "inline" not in result.stdout + result.stderr
    assert "Warning: the clientSecret given on the command line" in result.stderr


def test_config_member_must_match_the_vendor(cli):
    result = _create(
        cli,
        "--name",
        "x",
        "--credential-provider-vendor",
        "GithubOauth2",
        "--oauth2-provider-config-input",
        '{"googleOauth2ProviderConfig": {"clientId": "g"}}',
    )
    assert result.exit_code == 254
    assert "githubOauth2ProviderConfig" in result.stderr


def test_two_config_members_fail_validation_before_any_call(cli):
    result = _create(
        cli,
        "--name",
        "x",
        "--credential-provider-vendor",
        "GithubOauth2",
        "--oauth2-provider-config-input",
        '{"googleOauth2ProviderConfig": {"clientId": "g"}, "githubOauth2ProviderConfig": {"clientId": "h"}}',
    )
    assert result.exit_code == 252


def test_unknown_vendor_lists_the_choices(cli):
    result = _create(cli, "--name", "x", "--credential-provider-vendor", "GitHub", "--client-id", "c")
    assert result.exit_code == 252
    assert "GithubOauth2" in result.stderr


def test_endpoint_flags_for_a_fixed_vendor_are_refused_on_the_aws_backend(cli):
    # Locally they override the vendor's endpoints (tests/test_oauth_quirks.py); the API has no such members.
    result = _create(
        cli,
        "--backend",
        "aws",
        "--name",
        "x",
        "--credential-provider-vendor",
        "GithubOauth2",
        "--client-id",
        "c",
        "--token-endpoint",
        "https://example.com/token",
    )
    assert result.exit_code == 252
    assert "CustomOauth2" in result.stderr


def test_update_without_secret_keeps_the_stored_one(cli, home: Path):
    _create(cli, "--name", "github", "--credential-provider-vendor", "GithubOauth2", "--client-id", "old", secret="s1")
    updated = cli(
        "update-oauth2-credential-provider",
        "--name",
        "github",
        "--credential-provider-vendor",
        "GithubOauth2",
        "--client-id",
        "new",
    )
    assert updated.exit_code == 0, updated.stderr
    assert updated.json()["oauth2ProviderConfigOutput"]["githubOauth2ProviderConfig"]["clientId"] == "new"
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    backend = LocalBackend(home / "vault.db")
    assert backend.open_secret("oauth2", "github", "clientSecret") == "s1"
    backend.close()


def test_scopes_are_kept_as_a_tag(cli, home: Path):
    import sqlite3

    _create(
        cli,
        "--name",
        "github",
        "--credential-provider-vendor",
        "GithubOauth2",
        "--client-id",
        "c",
        "--scopes",
        "repo",
        "read:user",
    )
    rows = sqlite3.connect(home / "vault.db").execute("SELECT key, value FROM tags").fetchall()
    assert rows == [("agentcore-identity:default-scopes", "repo read:user")]


def test_list_and_delete(cli):
    for name in ("b-provider", "a-provider"):
        _create(cli, "--name", name, "--credential-provider-vendor", "GoogleOauth2", "--client-id", "c")
    listed = cli("list-oauth2-credential-providers").json()["credentialProviders"]
    assert [p["name"] for p in listed] == ["a-provider", "b-provider"]
    assert listed[0]["credentialProviderVendor"] == "GoogleOauth2"
    assert cli("delete-oauth2-credential-provider", "--name", "a-provider").exit_code == 0
    assert cli("get-oauth2-credential-provider", "--name", "a-provider").exit_code == 254
