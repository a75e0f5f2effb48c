"""Conventions an operator's fingers and scripts already know: no surprises in $(...), on stderr,
or from options that do nothing here."""
# ruff: noqa: F811 - the server fixture is imported from tests/oauth_server.py

from __future__ import annotations

import pytest

from tests.oauth_server import AuthServer, Browser, browser, create_provider, oauth_server  # noqa: F401


@pytest.fixture
def openai(cli) -> None:
    created = cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-openai-1")
    assert created.exit_code == 0, created.stderr


# --- api-key and token print the bare credential -----------------------------------------


@pytest.mark.parametrize("where", ["profile", "environment"])
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_api_key_prints_the_bare_key_whatever_the_profile_or_environment_output(cli, openai, where, fmt):
    env = {}
    if where == "profile":
        assert cli("configure", "set", "output", fmt).exit_code == 0
    else:
        env = {"AGENTCORE_IDENTITY_OUTPUT": fmt}
    for tty in (False, True):
        result = cli("api-key", "openai", tty=tty, env=env)
        assert (result.exit_code, result.stdout) == (0, "sk-openai-1\n"), result.stderr


def test_on_a_real_terminal_a_table_profile_still_gets_the_bare_key(cli, openai):
    from tests.terminal_support import run_on_terminal

    cli("configure", "set", "output", "table")
    cli("configure", "set", "cli_pager", "less")  # and no pager either: this output is for $(...)
    result = run_on_terminal("api-key", "openai")
    assert (result.exit_code, result.stdout) == (0, "sk-openai-1\n"), result.stderr
    table = run_on_terminal("api-key", "openai", "--output", "table", "--no-cli-pager")
    assert "apiKey" in table.stdout and "sk-openai-1" in table.stdout


def test_api_key_prints_a_document_when_output_or_query_is_typed(cli, openai):
    assert cli("api-key", "openai", "--output", "json").json() == {"apiKey": "sk-openai-1"}
    assert cli("api-key", "openai", "--query", "apiKey", "--output", "json").stdout == '"sk-openai-1"\n'
    assert cli("api-key", "openai", "--output", "text").stdout == "sk-openai-1\n"
    table = cli("api-key", "openai", "--output", "table").stdout
    assert "apiKey" in table and "sk-openai-1" in table


def test_token_prints_the_bare_token_whatever_the_profile_output(cli, oauth_server: AuthServer):
    create_provider(cli, oauth_server)
    cli("configure", "set", "output", "table")
    result = cli("token", "corp", "--oauth2-flow", "M2M", tty=True)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("at-") and result.stdout.count("\n") == 1
    typed = cli("token", "corp", "--oauth2-flow", "M2M", "--output", "json")
    assert typed.json()["accessToken"] == result.stdout.strip()


# --- options of the aws backend typed for the local one -----------------------------------

IGNORED = "ignored by the local backend; use --backend aws."


def test_region_typed_for_the_local_backend_earns_one_warning(cli):
    result = cli("list-workload-identities", "--region", "us-west-2")
    assert result.exit_code == 0
    assert result.json() == {"workloadIdentities": []}
    assert result.stderr == f"Warning: --region is {IGNORED}\n"


def test_every_ignored_option_is_named_in_one_line(cli):
    result = cli(
        "--endpoint-url", "https://example.com", "list-workload-identities", "--region", "us-west-2",
        "--cli-connect-timeout", "5",
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.stderr == f"Warning: --region, --endpoint-url, --cli-connect-timeout are {IGNORED}\n"


def test_no_warning_for_a_region_from_the_profile_or_the_environment(cli):
    cli("configure", "set", "region", "us-east-1")
    assert cli("list-workload-identities").stderr == ""
    assert cli("list-workload-identities", env={"AWS_REGION": "eu-west-1"}).stderr == ""


def test_no_warning_for_options_the_local_backend_uses(cli):
    cli("configure", "set", "output", "json")
    result = cli("list-workload-identities", "--cli-read-timeout", "5", "--profile", "default")
    assert (result.exit_code, result.stderr) == (0, "")


def test_no_warning_on_the_aws_backend(cli):
    result = cli("--backend", "aws", "--region", "us-west-2", "configure", "list", "--output", "json")
    assert IGNORED not in result.stderr
    result = cli("--region", "us-west-2", "configure", "list", "--output", "json")
    assert IGNORED not in result.stderr


# --- update-workload-identity replaces the list --------------------------------------------


def test_update_without_return_urls_empties_the_list_and_says_so(cli):
    urls = ["http://localhost:8080/cb", "https://agent.example.com/cb"]
    created = cli("create-workload-identity", "--name", "support-agent", "--allowed-resource-oauth2-return-urls", *urls)
    assert created.exit_code == 0, created.stderr
    updated = cli("update-workload-identity", "--name", "support-agent")
    assert updated.exit_code == 0
    assert "allowedResourceOauth2ReturnUrls" not in updated.json()
    assert updated.stderr == (
        "Note: workload identity 'support-agent' no longer has allowed OAuth2 return URLs (it had 2): the update "
        "replaces the list, and --allowed-resource-oauth2-return-urls was not given.\n"
    )
    shown = cli("get-workload-identity", "--name", "support-agent").json()
    assert "allowedResourceOauth2ReturnUrls" not in shown


def test_update_with_return_urls_or_of_an_empty_list_says_nothing(cli):
    cli("create-workload-identity", "--name", "support-agent", "--allowed-resource-oauth2-return-urls", "http://a/cb")
    replaced = cli(
        "update-workload-identity", "--name", "support-agent", "--allowed-resource-oauth2-return-urls", "http://b/cb"
    )
    assert (replaced.exit_code, replaced.stderr) == (0, "")
    assert replaced.json()["allowedResourceOauth2ReturnUrls"] == ["http://b/cb"]
    cli("create-workload-identity", "--name", "bare-agent")
    assert cli("update-workload-identity", "--name", "bare-agent").stderr == ""


def test_update_of_a_missing_workload_identity_is_the_services_error_alone(cli):
    result = cli("update-workload-identity", "--name", "ghost-agent")
    assert result.exit_code == 254
    assert "ResourceNotFoundException" in result.stderr and "Note:" not in result.stderr


# --- token without a login -----------------------------------------------------------------

LOGIN_FIRST = "Hint: run `agentcore-identity login corp` first"


def _no_client_credentials(server: AuthServer) -> None:
    """The test server's client `app`, allowed every grant but client credentials (as GitHub's apps)."""
    server.add_client("app", grant_types=("authorization_code", "refresh_token"))


def test_token_without_a_login_whose_client_credentials_are_refused_says_to_log_in(cli, oauth_server: AuthServer):
    _no_client_credentials(oauth_server)
    create_provider(cli, oauth_server)
    result = cli("token", "corp")
    assert result.exit_code == 254
    assert result.stdout == ""
    assert "No login is stored for provider 'corp'" in result.stderr
    assert "unauthorized_client" in result.stderr  # the server's own answer stays visible
    assert LOGIN_FIRST in result.stderr
    assert "s3cret-client" not in result.stderr


def test_after_logout_the_refused_fallback_says_to_log_in_again(cli, oauth_server: AuthServer, browser: Browser):
    _no_client_credentials(oauth_server)
    create_provider(cli, oauth_server)
    assert cli("login", "corp").exit_code == 0
    assert cli("token", "corp").exit_code == 0
    assert cli("logout", "corp").exit_code == 0
    result = cli("token", "corp")
    assert result.exit_code == 254
    assert LOGIN_FIRST in result.stderr


def test_an_explicit_m2m_refusal_is_the_providers_error_alone(cli, oauth_server: AuthServer):
    _no_client_credentials(oauth_server)
    create_provider(cli, oauth_server)
    result = cli("token", "corp", "--oauth2-flow", "M2M")
    assert result.exit_code == 254
    assert "unauthorized_client" in result.stderr
    assert "login" not in result.stderr


# --- the create-oauth2-credential-provider command as AgentCore's docs write it -----------

DOCUMENTED = (
    "create-oauth2-credential-provider", "--name", "MyOAuthProvider", "--client-id", "ID", "--client-secret", "S",
    "--authorization-url", "https://provider.com/oauth/authorize", "--token-url", "https://provider.com/oauth/token",
    "--scopes", '["read", "write"]', "--region", "us-west-2",
)  # fmt: skip


def test_the_documented_command_creates_a_custom_provider_and_says_what_it_chose(cli):
    result = cli(*DOCUMENTED)
    assert result.exit_code == 0, result.stderr
    config = result.json()["oauth2ProviderConfigOutput"]["customOauth2ProviderConfig"]
    assert config["oauthDiscovery"]["authorizationServerMetadata"] == {
        "issuer": "https://provider.com",
        "authorizationEndpoint": "https://provider.com/oauth/authorize",
        "tokenEndpoint": "https://provider.com/oauth/token",
        "responseTypes": ["code"],
    }
    lines = result.stderr.splitlines()
    assert lines[0] == f"Warning: --region is {IGNORED}"
    assert lines[1] == (
        "Note: no --credential-provider-vendor given: using CustomOauth2, issuer https://provider.com "
        "(the endpoints' origin; --issuer sets another)"
    )
    assert lines[2].startswith("Warning: --client-secret given on the command line")
    assert len(lines) == 3
    shown = cli("get-oauth2-credential-provider", "--name", "MyOAuthProvider").json()
    assert shown["credentialProviderVendor"] == "CustomOauth2"
    tags = cli("list-tags-for-resource", "--resource-arn", shown["credentialProviderArn"]).json()["tags"]
    assert tags["agentcore-identity:default-scopes"] == "read write"


@pytest.mark.parametrize(
    "scopes", [("read", "write"), ("read write",), ('["read", "write"]',), ('[ "read","write" ]',)]
)
def test_scopes_are_words_or_a_json_list(cli, scopes):
    created = cli(
        "create-oauth2-credential-provider", "--name", "corp", "--credential-provider-vendor", "CustomOauth2",
        "--issuer", "https://idp.example.com", "--authorization-endpoint", "https://idp.example.com/authorize",
        "--token-endpoint", "https://idp.example.com/token", "--client-id", "app", "--client-secret", "-",
        "--scopes", *scopes, input="cs",
    )  # fmt: skip
    assert (created.exit_code, created.stderr) == (0, "")
    arn = created.json()["credentialProviderArn"]
    tags = cli("list-tags-for-resource", "--resource-arn", arn).json()["tags"]
    assert tags["agentcore-identity:default-scopes"] == "read write"


@pytest.mark.parametrize("bad", ['["read", 2]', '["read"', '[{"a": 1}]'])
def test_a_broken_json_list_of_scopes_is_a_usage_error(cli, bad):
    result = cli(*DOCUMENTED[:-4], "--scopes", bad)
    assert result.exit_code == 252
    assert "Error parsing parameter '--scopes'" in result.stderr
    assert cli("list-oauth2-credential-providers").json()["credentialProviders"] == []


def test_a_named_custom_vendor_without_issuer_takes_the_endpoints_origin(cli):
    result = cli(
        "create-oauth2-credential-provider", "--name", "corp", "--credential-provider-vendor", "CustomOauth2",
        "--authorization-url", "https://provider.com/oauth/authorize", "--token-url", "https://provider.com/oauth/token",
        "--client-id", "app", "--client-secret", "-", input="cs",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "Note: using issuer https://provider.com (the endpoints' origin; --issuer sets another)\n"


def test_without_vendor_or_endpoints_the_vendor_is_still_required(cli):
    result = cli("create-oauth2-credential-provider", "--name", "corp", "--client-id", "app", "--client-secret", "-")
    assert result.exit_code == 252
    assert "Missing option '--credential-provider-vendor'." in result.stderr
    assert "--authorization-url and --token-url" in result.stderr


def test_token_takes_scopes_as_a_json_list(cli, oauth_server: AuthServer):
    create_provider(cli, oauth_server)
    result = cli("token", "corp", "--oauth2-flow", "M2M", "--scopes", '["read", "write"]')
    assert result.exit_code == 0, result.stderr
    (issued,) = oauth_server.tokens
    assert issued.scope == "read write"
