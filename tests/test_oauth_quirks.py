"""Vendor quirks (oauth/quirks.py) and the local endpoint overrides of built-in vendors."""
# ruff: noqa: F811 - the fixtures are imported from tests/oauth_server.py

from __future__ import annotations

import json

import httpx
import pytest

from agentcore_identity_cli.oauth.catalogue import vendor
from agentcore_identity_cli.oauth.quirks import Quirks, parse_body, vendor_endpoints
from agentcore_identity_cli.oauth.tokens import TokenSet
from tests.oauth_server import AuthServer, Browser, browser, oauth_server  # noqa: F401


def _builtin(cli, server: AuthServer, vendor_name: str, token_path: str, *extra: str, secret: str = "s3cret-client"):
    return cli(
        "create-oauth2-credential-provider",
        "--name",
        "p",
        "--credential-provider-vendor",
        vendor_name,
        "--client-id",
        "app",
        "--client-secret",
        "-",
        "--authorization-endpoint",
        server.url + "/authorize",
        "--token-endpoint",
        server.url + token_path,
        *extra,
        input=secret,
    )


def test_builtin_vendor_endpoints_can_be_overridden_locally(cli, oauth_server: AuthServer):
    result = _builtin(cli, oauth_server, "GithubOauth2", "/github/access_token")
    assert result.exit_code == 0, result.stderr
    metadata = result.json()["oauth2ProviderConfigOutput"]["githubOauth2ProviderConfig"]["oauthDiscovery"][
        "authorizationServerMetadata"
    ]
    assert metadata["tokenEndpoint"] == oauth_server.url + "/github/access_token"
    got = cli("get-oauth2-credential-provider", "--name", "p").json()
    assert got["oauth2ProviderConfigOutput"] == result.json()["oauth2ProviderConfigOutput"]


def test_github_is_asked_for_json(cli, oauth_server: AuthServer, browser: Browser):
    assert _builtin(cli, oauth_server, "GithubOauth2", "/github/access_token").exit_code == 0
    result = cli("login", "p")
    assert result.exit_code == 0, result.stderr
    assert oauth_server.github_accept and all("application/json" in a for a in oauth_server.github_accept)
    # GitHub's catalogue entry says client_secret_post.
    assert oauth_server.auth_methods_seen == ["client_secret_post:app"]
    assert cli("token", "p").stdout.startswith("at-")


def test_github_form_encoded_answer_is_understood():
    response = httpx.Response(
        200,
        content=b"access_token=gho_abc&scope=repo%2Cgist&token_type=bearer",
        headers={"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
        request=httpx.Request("POST", "https://github.com/login/oauth/access_token"),
    )
    quirks = Quirks.for_vendor(vendor("GithubOauth2"))
    data = quirks.normalize(parse_body(response) or {})
    token = TokenSet.from_response(data)
    assert (token.access_token, token.scope) == ("gho_abc", "repo gist")


def test_slack_user_token_is_taken_from_authed_user(cli, oauth_server: AuthServer, browser: Browser):
    assert _builtin(cli, oauth_server, "SlackOauth2", "/slack/oauth.v2.access").exit_code == 0
    result = cli("login", "p", "--scopes", "chat:write", "channels:read")
    assert result.exit_code == 0, result.stderr
    (authorize,) = oauth_server.authorize_requests
    assert authorize["user_scope"] == "chat:write,channels:read"
    assert "scope" not in authorize
    body = cli("token", "p", "--output", "json").json()
    assert body["accessToken"].startswith("at-")  # the user's token, not the bot's xoxb-
    assert body["id"] == "U1"


def test_slack_errors_in_a_200_answer_are_errors(cli, oauth_server: AuthServer, browser: Browser):
    assert _builtin(cli, oauth_server, "SlackOauth2", "/slack/oauth.v2.access", secret="wrong").exit_code == 0
    result = cli("login", "p")
    assert result.exit_code == 254
    assert "invalid_client" in result.stderr


def test_overrides_are_refused_on_the_aws_backend(cli, oauth_server: AuthServer):
    result = _builtin(cli, oauth_server, "GithubOauth2", "/github/access_token", "--backend", "aws")
    assert result.exit_code == 252
    assert "local-backend extension" in result.stderr


def test_plain_http_override_is_refused_and_nothing_is_created(cli):
    result = cli(
        "create-oauth2-credential-provider",
        "--name",
        "p",
        "--credential-provider-vendor",
        "GithubOauth2",
        "--client-id",
        "app",
        "--client-secret",
        "-",
        "--token-endpoint",
        "http://mirror.example.com/token",
        input="x",
    )
    assert result.exit_code == 254
    assert "https" in result.stderr
    assert cli("get-oauth2-credential-provider", "--name", "p").exit_code == 254


def test_update_without_overrides_goes_back_to_the_vendor(cli, oauth_server: AuthServer):
    assert _builtin(cli, oauth_server, "GithubOauth2", "/github/access_token").exit_code == 0
    updated = cli(
        "update-oauth2-credential-provider",
        "--name",
        "p",
        "--credential-provider-vendor",
        "GithubOauth2",
        "--client-id",
        "app",
    )
    assert updated.exit_code == 0, updated.stderr
    metadata = updated.json()["oauth2ProviderConfigOutput"]["githubOauth2ProviderConfig"]["oauthDiscovery"][
        "authorizationServerMetadata"
    ]
    assert metadata["tokenEndpoint"] == "https://github.com/login/oauth/access_token"


def test_microsoft_tenant_fills_the_device_endpoint():
    endpoints = vendor_endpoints(vendor("MicrosoftOauth2"), {"tenantId": "contoso", "clientId": "c"})
    assert endpoints["deviceAuthorizationEndpoint"] == (
        "https://login.microsoftonline.com/contoso/oauth2/v2.0/devicecode"
    )


def test_salesforce_instance_url_is_kept_as_a_safe_field():
    quirks = Quirks.for_vendor(vendor("SalesforceOauth2"))
    data = quirks.normalize(
        {
            "access_token": "00D-secret",
            "refresh_token": "5Aep-secret",
            "instance_url": "https://acme.my.salesforce.com",
            "signature": "sig",
            "token_type": "Bearer",
            "issued_at": "1700000000000",
        }
    )
    described = TokenSet.from_response(data).describe()
    assert described["instanceUrl"] == "https://acme.my.salesforce.com"
    assert "expiresAt" not in described  # Salesforce sends no expires_in
    assert "signature" not in described and "refreshToken" not in json.dumps(described)


@pytest.mark.parametrize(
    ("scope", "expected"),
    [(["a", "b"], "a b"), ("a,b", "a b"), ("a b", "a b")],
)
def test_scope_lists_are_normalised(scope: object, expected: str):
    assert Quirks().normalize({"access_token": "x", "scope": scope})["scope"] == expected


def test_atlassian_token_requests_are_sent_as_json():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"access_token": "x"})

    quirks = Quirks.for_vendor(vendor("AtlassianOauth2"))
    transport = quirks.transport(httpx)
    assert transport is not None
    transport.inner = httpx.MockTransport(handler)
    with httpx.Client(transport=transport) as client:
        client.post("https://auth.atlassian.com/oauth/token", data={"grant_type": "authorization_code", "code": "c"})
        client.post("https://auth.atlassian.com/oauth/token", data={"resource": ["https://a", "https://b"]})
    assert seen[0].headers["content-type"] == "application/json"
    assert json.loads(seen[0].content) == {"grant_type": "authorization_code", "code": "c"}
    # A repeated form field (RFC 8707 resource, RFC 8693 audience) stays every value.
    assert json.loads(seen[1].content) == {"resource": ["https://a", "https://b"]}
