"""Bad input to serve answers AWS-shaped errors and the server keeps serving; many clients at once;
the CLI on the same vault meanwhile; logs without secrets."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.serve_support import Served, serve_fixture, start_serve  # noqa: F401


def _signed(serve: Served, method: str, path: str, body: bytes = b"", content_type: str = "application/json") -> Any:
    """A raw request signed with botocore's signer, sent with httpx: what no SDK would send."""
    request = AWSRequest(method=method, url=serve.url + path, data=body, headers={"Content-Type": content_type})
    credentials = Credentials(serve.env["AWS_ACCESS_KEY_ID"], serve.env["AWS_SECRET_ACCESS_KEY"])
    SigV4Auth(credentials, "bedrock-agentcore", "us-east-1").add_auth(request)
    return httpx.request(method, serve.url + path, content=body, headers=dict(request.headers.items()), timeout=30)


def _assert_aws_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["x-amzn-ErrorType"] == code
    assert response.headers["content-type"] == "application/json"
    assert set(response.json()) == {"message"}
    assert "Traceback" not in response.text


def _still_serving(serve: Served) -> None:
    assert serve.client("bedrock-agentcore-control").get_token_vault()["tokenVaultId"] == "default"
    assert "Traceback" not in serve.wait_for_log("GetTokenVault 200")


def test_malformed_json_is_a_serialization_exception(serve: Served) -> None:
    response = _signed(serve, "POST", "/identities/CreateWorkloadIdentity", b'{"name": "agent-1"')
    _assert_aws_error(response, 400, "SerializationException")
    response = _signed(serve, "POST", "/identities/CreateWorkloadIdentity", b'["agent-1"]')
    _assert_aws_error(response, 400, "SerializationException")
    _still_serving(serve)


def test_a_wrong_content_type_is_refused(serve: Served) -> None:
    response = _signed(serve, "POST", "/identities/CreateWorkloadIdentity", b"name=agent-1", "text/plain")
    _assert_aws_error(response, 415, "UnsupportedMediaTypeException")
    _still_serving(serve)


def test_wrong_member_types_are_validation_errors(serve: Served) -> None:
    response = _signed(serve, "POST", "/identities/CreateWorkloadIdentity", json.dumps({"name": 5}).encode())
    _assert_aws_error(response, 400, "ValidationException")
    response = _signed(serve, "POST", "/identities/CreateWorkloadIdentity", b"{}")
    _assert_aws_error(response, 400, "ValidationException")
    _still_serving(serve)


def test_an_unknown_path_or_method_is_an_unknown_operation(serve: Served) -> None:
    _assert_aws_error(_signed(serve, "POST", "/identities/NoSuchThing", b"{}"), 404, "UnknownOperationException")
    _assert_aws_error(_signed(serve, "GET", "/"), 404, "UnknownOperationException")
    _assert_aws_error(_signed(serve, "PUT", "/tags/arn%3Aaws%3Ax"), 405, "UnknownOperationException")
    _still_serving(serve)


def test_a_body_over_1_mib_is_413(serve: Served) -> None:
    huge = json.dumps({"name": "agent-1", "pad": "x" * (2 * 1024 * 1024)}).encode()
    response = httpx.post(serve.url + "/identities/CreateWorkloadIdentity", content=huge, timeout=30)
    _assert_aws_error(response, 413, "RequestEntityTooLargeException")
    _still_serving(serve)


def test_concurrent_clients_from_many_threads(serve: Served) -> None:
    errors: list[Exception] = []

    def work(n: int) -> None:
        try:
            cp = serve.client("bedrock-agentcore-control")
            dp = serve.client("bedrock-agentcore")
            for i in range(5):
                name = f"agent-{n}-{i}"
                cp.create_workload_identity(name=name)
                assert cp.get_workload_identity(name=name)["name"] == name
                assert dp.get_workload_access_token(workloadName=name)["workloadAccessToken"]
        except Exception as exc:  # noqa: BLE001 - reported below, on the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    walked = serve.client("bedrock-agentcore-control").get_paginator("list_workload_identities").paginate()
    assert len(walked.build_full_result()["workloadIdentities"]) == 40


def test_the_cli_and_serve_share_the_vault(serve: Served, cli: Any) -> None:
    cp = serve.client("bedrock-agentcore-control")
    cp.create_api_key_credential_provider(name="from-boto3", apiKey="sk-boto3")
    made = cli("create-api-key-credential-provider", "--name", "from-cli", "--api-key", "-", input="sk-cli")
    assert made.exit_code == 0, made.stderr
    names = [p["name"] for p in cp.list_api_key_credential_providers()["credentialProviders"]]
    assert names == ["from-boto3", "from-cli"]
    listed = cli("list-api-key-credential-providers", "--query", "credentialProviders[].name", "--output", "json")
    assert listed.json() == ["from-boto3", "from-cli"]


def test_one_log_line_per_request_without_secrets(serve: Served) -> None:
    cp = serve.client("bedrock-agentcore-control")
    cp.create_api_key_credential_provider(name="openai", apiKey="sk-very-secret")
    cp.create_workload_identity(name="agent-1")
    token = serve.client("bedrock-agentcore").get_workload_access_token(workloadName="agent-1")["workloadAccessToken"]
    log = serve.wait_for_log("GetWorkloadAccessToken 200")
    assert "CreateApiKeyCredentialProvider 201" in log
    assert "ms" in log.splitlines()[-1]
    for secret in ("sk-very-secret", token, serve.env["AWS_SECRET_ACCESS_KEY"]):
        assert secret not in log


def test_debug_shows_headers_with_credentials_redacted(home: Path) -> None:
    served = start_serve(home, "--debug")
    try:
        served.client("bedrock-agentcore-control").get_token_vault()
        log = served.wait_for_log("GetTokenVault 200")
        assert "x-amz-date:" in log
        assert "authorization: <redacted>" in log
        assert "Signature=" not in log
        assert served.env["AWS_SECRET_ACCESS_KEY"] not in log
    finally:
        assert served.stop() == 0


def test_a_remote_host_needs_allow_remote(cli: Any) -> None:
    refused = cli("serve", "--host", "0.0.0.0", "--port", "0")
    assert refused.exit_code == 252
    assert "--allow-remote" in refused.stderr
    assert cli("serve", "--print-env", "--port", "0").exit_code == 252


def test_a_client_that_never_finishes_its_headers_is_cut_off(serve: Served) -> None:
    import socket
    import time

    with socket.create_connection(("127.0.0.1", serve.port), timeout=60) as slow:
        slow.sendall(b"POST /identities/GetTokenVault HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        assert slow.recv(100) == b""  # closed by serve, not by our timeout
        assert time.monotonic() - started < 30
    _still_serving(serve)
