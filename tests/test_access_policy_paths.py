"""Issue 17's "done when": a workload without an Allow for a provider cannot obtain its credential
by any path: the Python API and its decorators, `run`, `token`, and `serve` (boto3, HTTP 403).
"""

# ruff: noqa: F811 - the fixtures are imported from their support modules
from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from agentcore_identity_cli.errors import ServiceError
from agentcore_identity_cli.sdk import CredentialProvider, requires_access_token, requires_api_key
from tests.access_support import allow, apikey_arn, events, oauth2_arn, own_tokens, policy, put
from tests.oauth_server import AuthServer, create_provider, oauth_server  # noqa: F401
from tests.run_support import run_cli
from tests.serve_support import Served, serve_fixture  # noqa: F401

PRINT = "import os; print('child ran', len(os.environ.get('KEY', '')))"


@pytest.fixture
def vault(cli: Any, tmp_path: Path) -> None:
    """support may use zendesk only; openai is someone else's."""
    assert cli("create-workload-identity", "--name", "support").exit_code == 0
    for name, key in (("zendesk", "sk-zendesk"), ("openai", "sk-openai")):
        assert cli("create-api-key-credential-provider", "--name", name, "--api-key", "-", input=key).exit_code == 0
    document = policy(own_tokens("support"), allow("bedrock-agentcore:GetResource*", apikey_arn("zendesk")))
    assert put(cli, tmp_path, "support", document).exit_code == 0


def test_the_python_api_is_refused_the_same_way(vault: None) -> None:
    assert CredentialProvider("zendesk", workload_name="support").get_api_key() == "sk-zendesk"
    with pytest.raises(ServiceError) as refused:
        CredentialProvider("openai", workload_name="support").get_api_key()
    assert refused.value.code == "AccessDeniedException"
    assert apikey_arn("openai") in refused.value.message and "sk-openai" not in str(refused.value)


def test_the_sdk_decorators_are_refused_sync_and_async(vault: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTCORE_IDENTITY_WORKLOAD_NAME", "support")

    @requires_api_key(provider_name="zendesk")
    def allowed(*, api_key: str) -> str:
        return api_key

    @requires_api_key(provider_name="openai")
    def denied(*, api_key: str) -> str:
        raise AssertionError("the function must not run without its credential")

    @requires_api_key(provider_name="openai", into="key")
    async def denied_async(*, key: str) -> str:
        raise AssertionError("the function must not run without its credential")

    assert allowed() == "sk-zendesk"
    with pytest.raises(ServiceError, match="not authorized"):
        denied()
    with pytest.raises(ServiceError, match="not authorized"):
        asyncio.run(denied_async())


def test_run_does_not_start_the_child_without_an_allow(vault: None) -> None:
    ok = run_cli("run", "--env", "KEY=agentcore://api-key/zendesk?workload=support", "--", sys.executable, "-c", PRINT)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.decode().strip() == "child ran 10"
    refused = run_cli(
        "run", "--env", "KEY=agentcore://api-key/openai?workload=support", "--", sys.executable, "-c", PRINT
    )
    assert refused.returncode == 254
    assert b"child ran" not in refused.stdout
    assert b"AccessDeniedException" in refused.stderr and apikey_arn("openai").encode() in refused.stderr
    injected = run_cli("inject", input="key={{ agentcore://api-key/openai?workload=support }}\n")
    assert injected.returncode == 254 and b"sk-openai" not in injected.stdout


def test_oauth2_tokens_through_token_run_and_the_sdk_need_an_allow(
    cli: Any, vault: None, tmp_path: Path, oauth_server: AuthServer
) -> None:
    create_provider(cli, oauth_server)  # corp: not in support's policy
    refused = cli("token", "corp", "--oauth2-flow", "M2M", "--workload-name", "support")
    assert refused.exit_code == 254 and oauth2_arn("corp") in refused.stderr
    ref = "KEY=agentcore://oauth2/corp?flow=M2M&workload=support"
    assert run_cli("run", "--env", ref, "--", sys.executable, "-c", PRINT).returncode == 254

    @requires_access_token(provider_name="corp", scopes=[], auth_flow="M2M")
    def tool(*, access_token: str) -> str:
        return access_token

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AGENTCORE_IDENTITY_WORKLOAD_NAME", "support")
        with pytest.raises(ServiceError, match="not authorized"):
            tool()
    # login is refused before any browser or device code: the token it stores could never be used.
    for flag in ("--no-browser", "--device"):
        login = cli("login", "corp", "--workload-name", "support", "--user-id", "alice", flag, "--timeout", "5")
        assert login.exit_code == 254 and "AccessDeniedException" in login.stderr
        assert "http" not in login.stderr.split("AccessDeniedException")[0]  # no URL was offered first
    assert oauth_server.stats.get("token:client_credentials", 0) == 0  # nothing was even fetched
    refusals = [e for e in events(cli) if e["outcome"] == "AccessDeniedException"]
    assert {e["target"] for e in refusals} == {oauth2_arn("corp")}
    assert {"OAuth2Token", "OAuth2Login"} <= {e["operation"] for e in refusals}
    # Allowed: the same paths work.
    document = policy(own_tokens("support"), allow("bedrock-agentcore:GetResourceOauth2Token", oauth2_arn("corp")))
    assert put(cli, tmp_path, "support", document).exit_code == 0
    assert cli("token", "corp", "--oauth2-flow", "M2M", "--workload-name", "support").exit_code == 0
    assert run_cli("run", "--env", ref, "--", sys.executable, "-c", PRINT).returncode == 0


def test_serve_answers_boto3_with_access_denied_and_http_403(cli: Any, vault: None, serve: Served) -> None:
    dp = serve.client("bedrock-agentcore")
    token = dp.get_workload_access_token(workloadName="support")["workloadAccessToken"]
    assert dp.get_resource_api_key(workloadIdentityToken=token, resourceCredentialProviderName="zendesk")["apiKey"]
    with pytest.raises(ClientError) as refused:
        dp.get_resource_api_key(workloadIdentityToken=token, resourceCredentialProviderName="openai")
    error = refused.value.response
    assert error["Error"]["Code"] == "AccessDeniedException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert apikey_arn("openai") in error["Error"]["Message"]
    assert "sk-openai" not in json.dumps(error, default=str)
    assert cli("create-workload-identity", "--name", "intruder").exit_code == 0
    with pytest.raises(ClientError) as no_token:
        dp.get_workload_access_token(workloadName="intruder")
    assert no_token.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
