"""The aws backend over the wire: the CLI against a loopback endpoint that speaks rest-json.

Nothing of ours or of botocore is patched: requests are serialized and SigV4-signed by
botocore, checked by tests/aws_wire_server.py against the service model (method, path,
body, signature), and the responses and errors it sends are parsed by botocore and mapped
by the backend, as they would be against AWS.
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest

from agentcore_identity_cli.backends.base import operations
from agentcore_identity_cli.cli.context import AppContext
from agentcore_identity_cli.config import Settings
from agentcore_identity_cli.iostreams import IOStreams
from agentcore_identity_cli.output import jsonable
from tests.aws_wire_server import ACCESS_KEY, SECRET_KEY, WireServer, example, item_name
from tests.conftest import run_process
from tests.test_aws_backend import CASES, Case

SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"
WI_ARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity-directory/default/workload-identity/"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials, as a CI job would have them; one attempt per call."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")


@pytest.fixture
def wire() -> Iterator[WireServer]:
    """The endpoint, 25 items in every list, 10 to a page unless asked otherwise."""
    with WireServer(items=25, page_size=10, slow_seconds=1.5) as server:
        yield server
        assert server.failures == [], server.failures


@pytest.fixture
def aws(cli: Any, wire: WireServer) -> Any:
    """Run the CLI on the aws backend against the endpoint."""

    def run(*args: str, input: str = "", env: dict[str, str] | None = None) -> Any:
        return cli("--backend", "aws", "--endpoint-url", wire.url, "--region", "us-east-1", *args, input=input, env=env)

    return run


def _expected_output(case: Case) -> dict[str, Any]:
    service = operations()[case.operation]["service"]
    model = botocore.session.get_session().get_service_model(service).operation_model(case.operation)
    if model.output_shape is None or int(model.http.get("responseCode", 200)) == 204:
        return {}
    subject = next((str(v) for k, v in case.params.items() if k in ("name", "workloadName")), "")
    subject = subject or str(case.params.get("resourceCredentialProviderName", "")) or "example"
    if "resourceArn" in case.params:
        subject = case.params["resourceArn"].rsplit("/", 1)[-1]
    if "tokenVaultId" in case.params:
        subject = case.params["tokenVaultId"]
    return dict(jsonable(example(model.output_shape, name=subject, wire=False)))


SINGLE_CALLS = [case for case in CASES if not operations()[case.operation].get("paginated")]


@pytest.mark.parametrize("case", SINGLE_CALLS, ids=[case.operation for case in SINGLE_CALLS])
def test_each_operation_goes_over_the_wire_as_the_model_says_and_parses_back(
    case: Case, aws: Any, wire: WireServer
) -> None:
    if case.argv is not None:
        result = aws("--output", "json", *case.argv, input=case.input)
        assert result.exit_code == 0, result.stderr
        output = result.json() if result.stdout else {}
    else:
        ctx = AppContext(settings=Settings(backend="aws", region="us-east-1", endpoint_url=wire.url), io=IOStreams())
        try:
            output = jsonable(ctx.call(case.operation, case.params))
        finally:
            ctx.close()
    assert wire.operations() == [case.operation]
    assert wire.requests[0].params == case.params  # what arrived, decoded from path, query and body
    assert output == _expected_output(case)
    assert "ResponseMetadata" not in output


def test_timestamps_come_back_as_iso_8601_in_utc(aws: Any) -> None:
    result = aws("get-workload-identity", "--name", "agent-1", "--output", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["createdTime"] == "2023-11-14T22:13:20+00:00"


# --- pagination ---------------------------------------------------------------------------


def _names(body: dict[str, Any], key: str = "credentialProviders") -> list[str]:
    return [item["name"] for item in body[key]]


def test_a_list_follows_next_token_through_every_page(aws: Any, wire: WireServer) -> None:
    result = aws("list-api-key-credential-providers")
    assert result.exit_code == 0, result.stderr
    assert _names(result.json()) == [item_name(i) for i in range(25)]
    assert "nextToken" not in result.json()
    assert wire.operations() == ["ListApiKeyCredentialProviders"] * 3
    assert [seen.params.get("nextToken") is None for seen in wire.requests] == [True, False, False]


def test_page_size_sets_max_results_of_each_call(aws: Any, wire: WireServer) -> None:
    result = aws("list-workload-identities", "--page-size", "7")
    assert result.exit_code == 0, result.stderr
    assert _names(result.json(), "workloadIdentities") == [item_name(i) for i in range(25)]
    assert [seen.params["maxResults"] for seen in wire.requests] == [7, 7, 7, 7]


def test_max_items_then_starting_token_resume_where_it_stopped(aws: Any) -> None:
    first = aws("list-oauth2-credential-providers", "--max-items", "12")
    assert first.exit_code == 0, first.stderr
    assert _names(first.json()) == [item_name(i) for i in range(12)]
    token = first.json()["NextToken"]
    rest = aws("list-oauth2-credential-providers", "--starting-token", token, "--page-size", "5")
    assert rest.exit_code == 0, rest.stderr
    assert _names(rest.json()) == [item_name(i) for i in range(12, 25)]
    assert "NextToken" not in rest.json()


def test_no_paginate_makes_one_call_and_prints_the_service_token(aws: Any, wire: WireServer) -> None:
    result = aws("list-api-key-credential-providers", "--no-paginate")
    assert result.exit_code == 0, result.stderr
    assert len(result.json()["credentialProviders"]) == 10 and result.json()["nextToken"]
    assert len(wire.requests) == 1


# --- errors -------------------------------------------------------------------------------


def test_404_resource_not_found_exits_254_with_the_aws_cli_message(aws: Any) -> None:
    result = aws("get-api-key-credential-provider", "--name", "missing-openai")
    assert result.exit_code == 254
    assert result.stdout == ""
    assert (
        "An error occurred (ResourceNotFoundException) when calling the GetApiKeyCredentialProvider operation: "
        "Resource 'missing-openai' does not exist.\n"
    ) in result.stderr
    assert "Traceback" not in result.stderr


def test_400_validation_exception_in_the_body_exits_254(aws: Any) -> None:
    result = aws("get-workload-identity", "--name", "invalid-agent")
    assert result.exit_code == 254
    assert "An error occurred (ValidationException) when calling the GetWorkloadIdentity operation:" in result.stderr


def test_403_access_denied_exits_254_with_the_iam_action(aws: Any) -> None:
    result = aws("delete-oauth2-credential-provider", "--name", "denied-github")
    assert result.exit_code == 254
    assert "(AccessDeniedException)" in result.stderr
    assert "bedrock-agentcore:DeleteOauth2CredentialProvider" in result.stderr


def test_expired_token_exits_253_naming_the_fix(aws: Any) -> None:
    result = aws("get-workload-identity", "--name", "expired-agent")
    assert result.exit_code == 253
    assert "ExpiredTokenException" in result.stderr and "aws sso login" in result.stderr


def test_connection_refused_exits_255_naming_the_endpoint(cli: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    result = cli("--backend", "aws", "--endpoint-url", url, "--region", "us-east-1", "get-token-vault")
    assert result.exit_code == 255
    assert f'Could not connect to the endpoint URL: "{url}/identities/get-token-vault"' in result.stderr
    assert "Traceback" not in result.stderr


def test_no_credentials_exits_253_before_any_request(aws: Any, wire: WireServer, monkeypatch: Any) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = aws("list-workload-identities")
    assert result.exit_code == 253
    assert "Unable to locate credentials" in result.stderr and "aws configure" in result.stderr
    assert wire.requests == []


def test_read_timeout_exits_255_naming_the_endpoint_and_the_option(aws: Any, wire: WireServer) -> None:
    result = aws("--cli-read-timeout", "0.3", "get-workload-identity", "--name", "slow-agent")
    assert result.exit_code == 255
    assert f'Read timeout on endpoint URL: "{wire.url}/identities/GetWorkloadIdentity"' in result.stderr
    assert "--cli-read-timeout" in result.stderr


def test_a_wrong_secret_key_fails_the_signature_check(aws: Any, wire: WireServer) -> None:
    result = aws("get-token-vault", env={"AWS_SECRET_ACCESS_KEY": "not-the-key"})
    assert result.exit_code == 254
    assert "InvalidSignatureException" in result.stderr
    assert wire.failures == ["GetTokenVault: the signature does not match the request"]
    wire.failures.clear()


def test_a_session_token_is_sent_and_signed(aws: Any, wire: WireServer) -> None:
    result = aws("get-token-vault", env={"AWS_SESSION_TOKEN": SESSION_TOKEN})
    assert result.exit_code == 0, result.stderr
    headers = wire.requests[0].headers
    assert headers["x-amz-security-token"] == SESSION_TOKEN
    assert "x-amz-security-token" in headers["authorization"]


def test_the_real_entry_point_in_a_separate_process(wire: WireServer, home: Any) -> None:
    env = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_EC2_METADATA_DISABLED": "true"}
    base = ("--backend", "aws", "--endpoint-url", wire.url, "--region", "us-east-1")
    listed = run_process(*base, "list-api-key-credential-providers", "--max-items", "3", env=env)
    assert listed.exit_code == 0, listed.stderr
    assert _names(listed.json()) == [item_name(i) for i in range(3)]
    missing = run_process(*base, "get-workload-identity", "--name", "missing-agent", env=env)
    assert missing.exit_code == 254 and "Traceback" not in missing.stderr


# --- --debug never prints a secret ----------------------------------------------------------


def _signatures(wire: WireServer) -> list[str]:
    return [re.search(r"Signature=([0-9a-f]+)", seen.headers["authorization"])[1] for seen in wire.requests]  # type: ignore[index]


def _assert_clean(stderr: str, wire: WireServer, *secrets: str) -> None:
    assert "Making request for OperationModel" in stderr  # botocore's debug log is there
    assert "<redacted>" in stderr
    for secret in (SECRET_KEY, SESSION_TOKEN, *secrets, *_signatures(wire)):
        assert secret not in stderr
    for seen in wire.requests:
        assert seen.headers["authorization"] not in stderr


def test_debug_logs_botocore_but_no_key_token_signature_or_secret_body(aws: Any, wire: WireServer) -> None:
    result = aws(
        "--debug",
        "create-api-key-credential-provider",
        "--name",
        "openai",
        "--api-key",
        "-",
        input="sk-debug-never-shown\n",
        env={"AWS_SESSION_TOKEN": SESSION_TOKEN},
    )
    assert result.exit_code == 0, result.stderr
    assert wire.requests[0].params["apiKey"] == "sk-debug-never-shown"  # it did travel
    _assert_clean(result.stderr, wire, "sk-debug-never-shown")
    assert "CreateApiKeyCredentialProvider carries secrets" in result.stderr


def test_debug_withholds_the_client_secret_of_an_oauth2_provider(aws: Any, wire: WireServer) -> None:
    result = aws(
        "--debug",
        "create-oauth2-credential-provider",
        "--name",
        "github",
        "--credential-provider-vendor",
        "GithubOauth2",
        "--client-id",
        "cid",
        "--client-secret",
        "-",
        input="gh-debug-secret\n",
    )
    assert result.exit_code == 0, result.stderr
    _assert_clean(result.stderr, wire, "gh-debug-secret")


def test_debug_withholds_data_plane_tokens_and_keys_both_ways(aws: Any, wire: WireServer) -> None:
    result = aws(
        "--debug",
        "get-resource-api-key",
        "--resource-credential-provider-name",
        "openai",
        "--workload-identity-token",
        "-",
        input="wit-debug-token\n",
        env={"AWS_SESSION_TOKEN": SESSION_TOKEN},
    )
    assert result.exit_code == 0, result.stderr
    assert result.json()["apiKey"] == "apiKey-value"  # the command prints it: that is its job
    _assert_clean(result.stderr, wire, "wit-debug-token", "apiKey-value")


def test_debug_keeps_the_bodies_of_operations_without_secrets(aws: Any, wire: WireServer) -> None:
    result = aws("--debug", "get-workload-identity", "--name", "agent-1")
    assert result.exit_code == 0, result.stderr
    assert '"name": "agent-1"' in result.stderr  # request and response bodies are useful and harmless here
    assert "workloadIdentityArn" in result.stderr
    _assert_clean(result.stderr, wire)


def test_debug_logging_is_undone_when_the_command_ends(aws: Any) -> None:
    assert aws("--debug", "get-token-vault").exit_code == 0
    botocore_logger = logging.getLogger("botocore")
    assert botocore_logger.propagate
    assert all(isinstance(handler, logging.NullHandler) for handler in botocore_logger.handlers)
    assert aws("get-token-vault").stderr == ""


def test_errors_under_debug_show_a_traceback_but_no_secret(aws: Any, wire: WireServer) -> None:
    result = aws(
        "--debug",
        "create-api-key-credential-provider",
        "--name",
        "invalid-name",
        "--api-key",
        "-",
        input="sk-debug-on-error\n",
    )
    assert result.exit_code == 254
    assert "Traceback" in result.stderr
    _assert_clean(result.stderr, wire, "sk-debug-on-error")
