"""SigV4 as AWS checks it: the vault's own access key, AWS's 403 codes, an audit event for each refusal."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.serve_support import Served, print_env, serve_fixture, start_serve  # noqa: F401


def _client(serve: Served, service: str = "bedrock-agentcore-control", **credentials: Any) -> Any:
    session = boto3.session.Session(
        aws_access_key_id=credentials.get("key", serve.env["AWS_ACCESS_KEY_ID"]),
        aws_secret_access_key=credentials.get("secret", serve.env["AWS_SECRET_ACCESS_KEY"]),
        region_name=credentials.get("region", "eu-west-1"),
    )
    config = Config(retries={"max_attempts": 1}, signature_version=credentials.get("signature", "v4"))
    return session.client(service, endpoint_url=serve.url, config=config)


def _refused(call: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call()
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def _audit(cli: Any) -> list[dict[str, Any]]:
    result = cli("audit", "list", "--output", "json")
    assert result.exit_code == 0, result.stderr
    body = result.json()
    events: list[dict[str, Any]] = body if isinstance(body, list) else next(iter(body.values()))
    return events


def test_any_region_signs_with_the_vaults_key(serve: Served) -> None:
    for region in ("us-east-1", "eu-west-1", "local"):
        assert _client(serve, region=region).list_workload_identities()["workloadIdentities"] == []


def test_a_wrong_secret_is_an_invalid_signature_and_audited(serve: Served, cli: Any) -> None:
    client = _client(serve, secret="not-the-secret-" + "x" * 25)
    code, status, message = _refused(lambda: client.create_workload_identity(name="agent-1"))
    assert (code, status) == ("InvalidSignatureException", 403)
    assert "signature we calculated does not match" in message
    events = _audit(cli)
    assert any(
        e["operation"] == "CreateWorkloadIdentity" and e["outcome"] == "InvalidSignatureException" for e in events
    )
    assert _client(serve).list_workload_identities()["workloadIdentities"] == []  # nothing was created


def test_another_access_key_is_unrecognized(serve: Served, cli: Any) -> None:
    client = _client(serve, key="AKIAIOSFODNN7EXAMPLE", secret="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    code, status, _ = _refused(client.list_workload_identities)
    assert (code, status) == ("UnrecognizedClientException", 403)
    assert any(e["outcome"] == "UnrecognizedClientException" for e in _audit(cli))


def test_an_unsigned_request_is_missing_authentication(serve: Served) -> None:
    code, status, message = _refused(_client(serve, signature=UNSIGNED).get_token_vault)
    assert (code, status, message) == ("MissingAuthenticationTokenException", 403, "Missing Authentication Token")


def test_a_signature_older_than_15_minutes_has_expired(serve: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    late = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=20)
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda: late)  # a client whose clock is behind
    code, status, message = _refused(_client(serve).list_workload_identities)
    assert (code, status) == ("InvalidSignatureException", 403)
    assert message.startswith("Signature expired:")


def test_minting_workload_tokens_needs_a_signature(serve: Served) -> None:
    _client(serve).create_workload_identity(name="agent-1")
    unsigned = _client(serve, "bedrock-agentcore", signature=UNSIGNED)
    code, status, _ = _refused(lambda: unsigned.get_workload_access_token(workloadName="agent-1"))
    assert (code, status) == ("MissingAuthenticationTokenException", 403)


def test_resource_calls_are_authorised_by_the_workload_token_alone(serve: Served) -> None:
    cp = _client(serve)
    cp.create_workload_identity(name="agent-1")
    cp.create_api_key_credential_provider(name="openai", apiKey="sk-live-1")
    token = _client(serve, "bedrock-agentcore").get_workload_access_token(workloadName="agent-1")["workloadAccessToken"]
    unsigned = _client(serve, "bedrock-agentcore", signature=UNSIGNED)
    key = unsigned.get_resource_api_key(workloadIdentityToken=token, resourceCredentialProviderName="openai")
    assert key["apiKey"] == "sk-live-1"
    code, _, _ = _refused(
        lambda: unsigned.get_resource_api_key(
            workloadIdentityToken=token[:-4] + "AAAA", resourceCredentialProviderName="openai"
        )
    )
    assert code != "MissingAuthenticationTokenException"
    log = serve.wait_for_log("GetResourceApiKey 200")  # the lines of these calls are in
    assert "sk-live-1" not in log and token not in log


def test_the_key_is_one_per_vault_sealed_and_survives_key_rotation(serve: Served, cli: Any, vault_file: Path) -> None:
    secret = serve.env["AWS_SECRET_ACCESS_KEY"]
    with sqlite3.connect(vault_file) as db:
        dump = "\n".join(db.iterdump())
    assert serve.env["AWS_ACCESS_KEY_ID"] in dump
    assert secret not in dump
    assert secret not in serve.log()
    rotated = cli("reset-token-vault-key-material")
    assert rotated.exit_code == 0, rotated.stderr
    assert print_env(serve.port) == serve.env  # the same pair, re-sealed under the new key
    assert _client(serve).get_token_vault()["tokenVaultId"] == "default"
    assert any(e["operation"] == "CreateServeAccessKey" for e in _audit(cli))


def test_allow_any_credentials_serves_any_signer_with_a_warning(home: Path) -> None:
    served = start_serve(home, "--allow-any-credentials")
    try:
        assert "Warning: --allow-any-credentials" in served.log()
        stranger = boto3.session.Session(
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x" * 40, region_name="us-west-2"
        ).client("bedrock-agentcore-control", endpoint_url=served.url)
        assert stranger.get_token_vault()["tokenVaultId"] == "default"
    finally:
        assert served.stop() == 0


def test_a_key_rotation_by_the_cli_is_picked_up_by_serve(serve: Served, cli: Any) -> None:
    cp = serve.client("bedrock-agentcore-control")
    dp = serve.client("bedrock-agentcore")
    cp.create_workload_identity(name="agent-1")
    cp.create_api_key_credential_provider(name="before", apiKey="sk-before")
    assert cli("reset-token-vault-key-material").exit_code == 0
    cp.create_api_key_credential_provider(name="after", apiKey="sk-after")  # sealed under the new key
    token = dp.get_workload_access_token(workloadName="agent-1")["workloadAccessToken"]
    for name, secret in (("before", "sk-before"), ("after", "sk-after")):
        got = dp.get_resource_api_key(workloadIdentityToken=token, resourceCredentialProviderName=name)
        assert got["apiKey"] == secret
        local = cli("api-key", name)
        assert local.exit_code == 0, local.stderr
        assert local.stdout.strip() == secret


def test_a_body_swapped_under_a_signed_content_hash_is_refused(serve: Served) -> None:
    """A signature that covers x-amz-content-sha256 covers the body only through that header:
    a request whose body does not match it is refused, and nothing is created."""
    import hashlib
    import json

    import httpx
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = serve.url + "/identities/CreateWorkloadIdentity"
    signed_body = json.dumps({"name": "agent-signed"}).encode()
    request = AWSRequest(
        method="POST",
        url=url,
        data=signed_body,
        headers={
            "Content-Type": "application/json",
            "X-Amz-Content-SHA256": hashlib.sha256(signed_body).hexdigest(),
        },
    )
    credentials = Credentials(serve.env["AWS_ACCESS_KEY_ID"], serve.env["AWS_SECRET_ACCESS_KEY"])
    SigV4Auth(credentials, "bedrock-agentcore", "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    accepted = httpx.post(url, content=signed_body, headers=headers, timeout=10)
    assert accepted.status_code == 201, accepted.text  # the signed request as signed (the model says 201)
    swapped = httpx.post(url, content=json.dumps({"name": "agent-swapped"}).encode(), headers=headers, timeout=10)
    assert swapped.status_code == 403
    assert swapped.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    names = [w["name"] for w in _client(serve).list_workload_identities()["workloadIdentities"]]
    assert names == ["agent-signed"]
