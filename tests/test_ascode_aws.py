"""Identities as code on the aws backend: plan, apply and prune over the wire (every request
checked against the service model by tests/aws_wire_server.py), an apply that fails half-way
and is resumed (serve: the local vault behind the wire protocol, which keeps state), and
throttling retried with backoff."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.aws_wire_server import ACCESS_KEY, SECRET_KEY, Reply, Route, WireServer, error_reply, example
from tests.serve_support import Served, serve_fixture  # noqa: F401

KEY = "sk-wire-test-key"
FILE = """
[workload_identities.agent-new]
allowed_return_urls = ["https://app.example.com/cb"]

[api_key_providers.openai]
api_key = "env:OPENAI_KEY"
tags = { team = "ai" }
"""


class ThrottlingWireServer(WireServer):
    """Answers ThrottlingException to the first `throttles` requests about a `throttled*` name."""

    def __init__(self, throttles: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.throttles = throttles

    def _answer(self, route: Route, params: dict[str, Any]) -> Reply:
        if str(params.get("name", "")).startswith("throttled") and self.throttles > 0:
            self.throttles -= 1
            return error_reply(400, "ThrottlingException", "Rate exceeded")
        return super()._answer(route, params)


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials; one attempt per call, so that only apply's own backoff retries."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")


@pytest.fixture
def wire() -> Iterator[ThrottlingWireServer]:
    """One item in every list; nothing throttled unless a test says so."""
    server = ThrottlingWireServer(0, items=1, page_size=10)
    with server:
        yield server
        assert server.failures == [], server.failures


def _on(url: str) -> list[str]:
    return ["--backend", "aws", "--endpoint-url", url, "--region", "us-east-1"]


def _file(tmp_path: Path, text: str = FILE) -> str:
    path = tmp_path / "identity.toml"
    path.write_text(text)
    return str(path)


def test_plan_and_prune_over_the_wire_with_every_request_checked(
    cli: Any, tmp_path: Path, wire: ThrottlingWireServer
) -> None:
    path = _file(tmp_path)
    planned = cli(*_on(wire.url), "plan", "-f", path)
    assert planned.exit_code == 2
    actions = {(c["action"], c["kind"], c["name"]) for c in planned.json()["changes"]}
    assert ("create", "workload_identities", "agent-new") in actions
    assert ("create", "api_key_providers", "openai") in actions
    assert not any(action == "delete" for action, _, _ in actions)  # not without --prune
    assert "--prune deletes them" in planned.stderr

    pruned = cli(*_on(wire.url), "plan", "-f", path, "--prune")
    deletes = [(c["kind"], c["name"]) for c in pruned.json()["changes"] if c["action"] == "delete"]
    assert sorted(deletes) == [
        ("api_key_providers", "item-000"),
        ("oauth2_providers", "item-000"),
        ("payment_providers", "item-000"),
        ("workload_identities", "item-000"),
    ]

    wire.requests.clear()
    applied = cli(*_on(wire.url), "apply", "-f", path, "--prune", "--yes", env={"OPENAI_KEY": KEY})
    assert applied.exit_code == 0, applied.stderr
    sent = {(seen.operation, seen.params.get("name")) for seen in wire.requests}
    assert ("CreateWorkloadIdentity", "agent-new") in sent
    assert ("CreateApiKeyCredentialProvider", "openai") in sent
    for noun in (
        "WorkloadIdentity",
        "ApiKeyCredentialProvider",
        "Oauth2CredentialProvider",
        "PaymentCredentialProvider",
    ):
        assert (f"Delete{noun}", "item-000") in sent
    create = next(s for s in wire.requests if s.operation == "CreateApiKeyCredentialProvider")
    assert create.params["apiKey"] == KEY and create.params["tags"] == {"team": "ai"}
    # Deletions come last, in the reverse of the creation order.
    operations = [s.operation for s in wire.requests if s.operation.startswith(("Create", "Delete"))]
    assert operations.index("DeleteWorkloadIdentity") == len(operations) - 1
    assert KEY not in applied.stdout + applied.stderr


def test_throttling_is_retried_with_backoff(cli: Any, tmp_path: Path) -> None:
    wire = ThrottlingWireServer(2, items=0)
    with wire:
        path = _file(
            tmp_path, '[workload_identities.throttled-agent]\nallowed_return_urls = ["https://a.example.com/cb"]\n'
        )
        result = cli(*_on(wire.url), "apply", "-f", path, "--yes")
        assert result.exit_code == 0, result.stderr
        assert [s.operation for s in wire.requests].count("CreateWorkloadIdentity") == 3
        assert wire.failures == []


def test_an_apply_that_fails_half_way_reports_and_a_rerun_continues(
    cli: Any, tmp_path: Path, serve: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", serve.env["AWS_ACCESS_KEY_ID"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", serve.env["AWS_SECRET_ACCESS_KEY"])
    provider = """
[oauth2_providers.{name}]
vendor = "CustomOauth2"
[oauth2_providers.{name}.config]
clientId = "app"
clientSecret = "env:OPENAI_KEY"
oauthDiscovery = {{ discoveryUrl = "{scheme}://idp.example.com/.well-known/openid-configuration" }}
"""
    broken = FILE + provider.format(name="corp", scheme="http") + provider.format(name="zeta", scheme="https")
    path = _file(tmp_path, broken)
    env = {"OPENAI_KEY": KEY}
    first = cli(*_on(serve.url), "apply", "-f", path, "--yes", env=env)
    assert first.exit_code == 254, first.stderr
    assert "ValidationException" in first.stderr
    assert "Failed at create oauth2_providers.corp after 2 change(s); 1 not attempted" in first.stderr
    report = first.json()
    assert [c["name"] for c in report["applied"]] == ["agent-new", "openai"]
    assert report["failed"]["name"] == "corp" and [c["name"] for c in report["notApplied"]] == ["zeta"]

    fixed = _file(tmp_path, broken.replace("http://idp", "https://idp"))
    second = cli(*_on(serve.url), "apply", "-f", fixed, "--yes", env=env)
    assert second.exit_code == 0, second.stderr
    assert [c["name"] for c in second.json()["applied"]] == ["corp", "zeta"]  # the rest was done already
    assert cli(*_on(serve.url), "plan", "-f", fixed).exit_code == 0
    names = json.loads(cli("list-oauth2-credential-providers").stdout)["credentialProviders"]
    assert sorted(p["name"] for p in names) == ["corp", "zeta"]


def test_a_new_secret_version_resends_the_secret_on_aws(
    cli: Any, tmp_path: Path, serve: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", serve.env["AWS_ACCESS_KEY_ID"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", serve.env["AWS_SECRET_ACCESS_KEY"])
    path = _file(tmp_path, '[api_key_providers.openai]\napi_key = "env:OPENAI_KEY"\nsecret_version = "1"\n')
    assert cli(*_on(serve.url), "apply", "-f", path, "--yes", env={"OPENAI_KEY": KEY}).exit_code == 0
    # AWS cannot say the secret changed: a rotated value alone is no change...
    rotated = {"OPENAI_KEY": KEY + "-2"}
    assert cli(*_on(serve.url), "plan", "-f", path, env=rotated).exit_code == 0
    # ...a new secret_version is, and apply sends the secret again.
    bumped = _file(tmp_path, '[api_key_providers.openai]\napi_key = "env:OPENAI_KEY"\nsecret_version = "2"\n')
    planned = cli(*_on(serve.url), "plan", "-f", bumped, env=rotated)
    assert planned.exit_code == 2
    assert planned.json()["changes"][0]["fields"] == [{"field": "secret_version", "before": "1", "after": "2"}]
    assert cli(*_on(serve.url), "apply", "-f", bumped, "--yes", env=rotated).exit_code == 0
    assert cli(*_on(serve.url), "plan", "-f", bumped, env=rotated).exit_code == 0
    stored = cli("plan", "-f", bumped, env=rotated)  # serve's vault, read locally, compares the value
    assert stored.json()["changes"][0]["secrets"] == {"api_key": "unchanged"}


GITHUB = {"discoveryUrl": "https://github.com/.well-known/oauth-authorization-server"}


class ExternalSecretServer(WireServer):
    """One GitHub provider whose client secret is in the account's Secrets Manager (EXTERNAL)."""

    def _answer(self, route: Route, params: dict[str, Any]) -> Reply:
        operation = route.operation
        shape: Any = operation.output_shape
        if operation.name == "ListOauth2CredentialProviders":
            return Reply(
                200, {"credentialProviders": [example(shape.members["credentialProviders"].member, name="gh")]}
            )
        if operation.name == "GetOauth2CredentialProvider" and params["name"] == "gh":
            body = example(shape, name="gh")
            body.update(
                credentialProviderVendor="GithubOauth2",
                clientSecretSource="EXTERNAL",
                clientSecretJsonKey="client_secret",
                oauth2ProviderConfigOutput={
                    "githubOauth2ProviderConfig": {"clientId": "Iv1.x", "oauthDiscovery": GITHUB}
                },
            )
            return Reply(200, body)
        return super()._answer(route, params)


def test_a_secret_in_secrets_manager_is_exported_as_the_api_names_it(cli: Any, tmp_path: Path) -> None:
    server = ExternalSecretServer(items=0)
    with server:
        exported = cli(*_on(server.url), "export")
        assert exported.exit_code == 0, exported.stderr
        config = tomllib.loads(exported.stdout)["oauth2_providers"]["gh"]["config"]
        assert config["clientSecretSource"] == "EXTERNAL" and "clientSecret" not in config
        assert config["clientSecretConfig"]["jsonKey"] == "client_secret"
        assert config["clientSecretConfig"]["secretId"].startswith("arn:aws:secretsmanager:")
        assert "AGENTCORE_SECRET_" not in exported.stderr  # nothing to supply
        path = _file(tmp_path, exported.stdout)
        assert cli(*_on(server.url), "plan", "-f", path).exit_code == 0
        copy = _file(tmp_path, exported.stdout.replace("[oauth2_providers.gh", "[oauth2_providers.gh2"))
        assert cli(*_on(server.url), "apply", "-f", copy, "--yes").exit_code == 0
        created = next(s for s in server.requests if s.operation == "CreateOauth2CredentialProvider")
        sent = created.params["oauth2ProviderConfigInput"]["githubOauth2ProviderConfig"]
        assert sent["clientSecretConfig"] == config["clientSecretConfig"] and "clientSecret" not in sent
        assert server.failures == []
