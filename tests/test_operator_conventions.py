"""Conventions an operator's fingers and scripts already know: no surprises in $(...), on stderr,
or from options that do nothing here."""
# ruff: noqa: F811 - the server fixture is imported from tests/oauth_server.py

from __future__ import annotations

import pytest

from tests.oauth_server import AuthServer, create_provider, oauth_server  # noqa: F401


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
