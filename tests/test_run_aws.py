"""`run`, `env` and `inject` on the aws backend: references resolved through the data plane.

The service is `serve` (the local vault behind AgentCore Identity's own wire protocol) in a
process of its own; the CLI talks to it with boto3, SigV4-signed, exactly as it talks to AWS:
GetWorkloadAccessToken[ForUserId], then GetResourceApiKey / GetResourceOauth2Token.
"""
# ruff: noqa: F811 - the fixtures are imported from their support modules

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from tests.oauth_server import AuthServer, create_provider, oauth_server  # noqa: F401
from tests.run_support import API_KEY, MASK, add_api_key, run_cli, sha256
from tests.serve_support import Served, serve_fixture  # noqa: F401

HASH = "import hashlib, os; print(hashlib.sha256(os.environ['{name}'].encode()).hexdigest())"


@pytest.fixture
def aws(serve: Served, cli: Any) -> Any:
    """Run the CLI on the aws backend against serve, acting as workload identity `agent`."""
    assert cli("create-workload-identity", "--name", "agent").exit_code == 0
    env = {
        "AWS_ACCESS_KEY_ID": serve.env["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": serve.env["AWS_SECRET_ACCESS_KEY"],
        "AWS_EC2_METADATA_DISABLED": "true",
        "AGENTCORE_IDENTITY_WORKLOAD_NAME": "agent",
    }

    def run(*args: str, **kwargs: Any) -> Any:
        extra = {**env, **kwargs.pop("env", {})}
        return run_cli(
            "--backend", "aws", "--endpoint-url", serve.url, "--region", "us-east-1", *args, env=extra, **kwargs
        )

    return run


def _operations(serve: Served) -> list[str]:
    """The operations serve answered, from the vault's audit trail (newest last)."""
    events = json.loads(run_cli("audit", "list", "--output", "json").stdout)["events"]
    return [event["operation"] for event in reversed(events)]


def test_an_api_key_reference_goes_through_the_data_plane(aws: Any, cli: Any, serve: Served) -> None:
    add_api_key(cli)
    result = aws(
        "run", "--env", "KEY=agentcore://api-key/openai?user=alice", "--", sys.executable, "-c", HASH.format(name="KEY")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().strip() == sha256(API_KEY)
    operations = _operations(serve)
    assert operations[-2:] == ["GetWorkloadAccessTokenForUserId", "GetResourceApiKey"]
    printed = aws(
        "run",
        "--env",
        "KEY=agentcore://api-key/openai",
        "--",
        sys.executable,
        "-c",
        "import os; print(os.environ['KEY'])",
    )
    assert printed.stdout.decode() == MASK + "\n"
    assert _operations(serve)[-2:] == ["GetWorkloadAccessToken", "GetResourceApiKey"]  # no user: the workload's own


def test_an_oauth2_reference_is_an_m2m_token_from_the_service(aws: Any, cli: Any, oauth_server: AuthServer) -> None:
    create_provider(cli, oauth_server)
    result = aws(
        "run",
        "--env",
        "TOKEN=agentcore://oauth2/corp?scopes=read",
        "--",
        sys.executable,
        "-c",
        HASH.format(name="TOKEN"),
    )
    assert result.returncode == 0, result.stderr
    (issued,) = oauth_server.tokens
    assert result.stdout.decode().strip() == sha256(issued.access_token)
    assert issued.scope == "read"


def test_a_user_who_has_not_consented_is_told_to_log_in(aws: Any, cli: Any, oauth_server: AuthServer) -> None:
    create_provider(cli, oauth_server)
    result = aws(
        "run", "--env", "TOKEN=agentcore://oauth2/corp?user=alice&scopes=openid", "--", sys.executable, "-c", "print(1)"
    )
    assert result.returncode == 253
    assert result.stdout == b""
    stderr = result.stderr.decode()
    assert "User 'alice' has not authorized the workload identity 'agent' for 'corp' yet" in stderr
    assert "agentcore-identity --backend aws login corp --user-id alice --workload-name agent" in stderr


def test_a_workload_token_reference_on_aws(aws: Any) -> None:
    result = aws("env", "--format", "json", "--env", "WAT=agentcore://workload-token/agent?user=alice")
    assert result.returncode == 0, result.stderr
    token = json.loads(result.stdout)["WAT"]
    assert token.count(".") == 2  # the JWT the service issued


def test_a_missing_provider_on_aws_gets_a_suggestion_from_the_service_list(aws: Any, cli: Any) -> None:
    add_api_key(cli)
    result = aws("run", "--env", "KEY=agentcore://api-key/opneai", "--", sys.executable, "-c", "print('ran')")
    assert result.returncode == 254
    assert result.stdout == b""
    stderr = result.stderr.decode()
    assert "(ResourceNotFoundException) when calling the GetResourceApiKey operation" in stderr
    assert "(resolving agentcore://api-key/opneai)" in stderr
    assert "Hint: did you mean 'openai'?" in stderr


def test_aws_needs_a_workload_identity(aws: Any, cli: Any) -> None:
    add_api_key(cli)
    result = aws(
        "run",
        "--env",
        "KEY=agentcore://api-key/openai",
        "--",
        sys.executable,
        "-c",
        "print(1)",
        env={"AGENTCORE_IDENTITY_WORKLOAD_NAME": ""},
    )
    assert result.returncode == 253
    assert "No workload identity is configured for the aws backend" in result.stderr.decode()


def test_inject_on_aws(aws: Any, cli: Any) -> None:
    add_api_key(cli)
    result = aws("inject", input="key: {{ agentcore://api-key/openai?workload=agent }}\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == f"key: {API_KEY}\n"
