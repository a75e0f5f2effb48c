"""Identities as code carry the access policies of workload identities (local vault): export
writes them, plan diffs them, apply puts and (with --prune) deletes them, the schema knows them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.access_support import apikey_arn, workload_arn

FILE = """
version = 1

[api_key_providers.zendesk]
api_key = "env:ZENDESK_KEY"

[api_key_providers.openai]
api_key = "env:OPENAI_KEY"

[workload_identities.support]

[workload_access_policies.support.policy]
Version = "2012-10-17"

[[workload_access_policies.support.policy.Statement]]
Sid = "OwnToken"
Effect = "Allow"
Action = "bedrock-agentcore:GetWorkloadAccessToken*"
Resource = "{workload}"

[[workload_access_policies.support.policy.Statement]]
Sid = "Keys"
Effect = "Allow"
Action = "bedrock-agentcore:GetResourceApiKey"
Resource = "{provider}"
"""
ENV = {"ZENDESK_KEY": "sk-zendesk", "OPENAI_KEY": "sk-openai"}


def _write(tmp_path: Path, provider: str = "zendesk") -> Path:
    path = tmp_path / "identity.toml"
    path.write_text(FILE.format(workload=workload_arn("support"), provider=apikey_arn(provider)))
    return path


def _key(cli: Any, provider: str) -> int:
    token = cli("get-workload-access-token", "--workload-name", "support", "--query", "workloadAccessToken")
    assert token.exit_code == 0, token.stderr
    got = cli(
        "get-resource-api-key",
        "--resource-credential-provider-name",
        provider,
        "--workload-identity-token",
        "-",
        input=json.loads(token.stdout),
    )
    code: int = got.exit_code
    return code


def test_apply_puts_the_policy_with_its_workload_and_a_second_apply_does_nothing(cli: Any, tmp_path: Path) -> None:
    path = _write(tmp_path)
    applied = cli("apply", "-f", str(path), "--yes", env=ENV)
    assert applied.exit_code == 0, applied.stderr
    shown = cli("get-workload-access-policy", "--workload-name", "support").json()["policyDocument"]
    assert [s["Sid"] for s in shown["Statement"]] == ["OwnToken", "Keys"]
    assert (_key(cli, "zendesk"), _key(cli, "openai")) == (0, 254)
    again = cli("plan", "-f", str(path), "--output", "json", env=ENV)
    assert again.json()["summary"]["no-op"] == 4 and not [c for c in again.json()["changes"] if c["action"] != "no-op"]


def test_plan_shows_a_changed_policy_and_apply_replaces_it(cli: Any, tmp_path: Path) -> None:
    assert cli("apply", "-f", str(_write(tmp_path)), "--yes", env=ENV).exit_code == 0
    path = _write(tmp_path, provider="openai")
    planned = cli("plan", "-f", str(path), "--output", "json", env=ENV).json()
    (change,) = [c for c in planned["changes"] if c["action"] != "no-op"]
    assert (change["action"], change["kind"], change["name"]) == ("update", "workload_access_policies", "support")
    assert [f["field"] for f in change["fields"]] == ["policy.Statement"]
    assert cli("apply", "-f", str(path), "--yes", env=ENV).exit_code == 0
    assert (_key(cli, "zendesk"), _key(cli, "openai")) == (254, 0)


def test_export_writes_the_policy_and_the_exported_file_applies_to_a_new_vault(
    cli: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    assert cli("apply", "-f", str(_write(tmp_path)), "--yes", env=ENV).exit_code == 0
    exported = tmp_path / "exported.toml"
    assert cli("export", "-o", str(exported)).exit_code == 0
    assert "[workload_access_policies.support.policy]" in exported.read_text()
    monkeypatch.setenv("AGENTCORE_IDENTITY_HOME", str(tmp_path / "other-home"))
    env = {"AGENTCORE_SECRET_ZENDESK_API_KEY": "sk-z", "AGENTCORE_SECRET_OPENAI_API_KEY": "sk-o"}
    assert cli("apply", "-f", str(exported), "--yes", env=env).exit_code == 0
    assert cli("vault", "status", "--query", "accessMode", "--output", "text").stdout.strip() == "enforcing"
    assert (_key(cli, "zendesk"), _key(cli, "openai")) == (0, 254)


def test_prune_deletes_a_policy_the_file_no_longer_has(cli: Any, tmp_path: Path) -> None:
    assert cli("apply", "-f", str(_write(tmp_path)), "--yes", env=ENV).exit_code == 0
    path = tmp_path / "without.toml"
    text = _write(tmp_path).read_text()
    path.write_text(text[: text.index("[workload_access_policies.support.policy]")])
    kept = cli("plan", "-f", str(path), "--output", "json", env=ENV).json()
    assert any("workload access policy" in note for note in kept["notes"])
    assert cli("apply", "-f", str(path), "--yes", "--prune", env=ENV).exit_code == 0
    assert cli("vault", "status", "--query", "accessMode", "--output", "text").stdout.strip() == "default-allow"


def test_a_malformed_policy_in_the_file_is_a_usage_error_naming_the_place(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        "[workload_identities.support]\n[workload_access_policies.support.policy]\n"
        'Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]\n'
    )
    result = cli("plan", "-f", str(path))
    assert result.exit_code == 252
    assert "workload_access_policies.support.policy: Statement[0].Action[0]" in result.stderr


def test_the_schema_describes_the_section(cli: Any) -> None:
    schema = cli("schema").json()
    section = schema["properties"]["workload_access_policies"]
    assert "local backend only" in section["description"]
