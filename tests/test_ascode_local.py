"""Identities as code on the local vault: the file's checks, plan's diff and exit codes,
apply's confirmation, prune, and one transaction for the whole apply."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.ascode_support import ok
from tests.conftest import run_process
from tests.terminal_support import answer_prompts

KEY = "sk-local-test-key-1"
FILE = """
version = 1

[api_key_providers.openai]
api_key = "env:OPENAI_KEY"
tags = {{ team = "ai" }}

[workload_identities.agent]
allowed_return_urls = ["https://app.example.com/cb"]
tags = {{ env = "dev" }}
{extra}
"""


def _write(tmp_path: Path, extra: str = "", name: str = "identity.toml", text: str | None = None) -> Path:
    path = tmp_path / name
    path.write_text(FILE.format(extra=extra) if text is None else text)
    return path


def test_a_literal_secret_is_refused_without_repeating_it(cli: Any, tmp_path: Path) -> None:
    path = _write(tmp_path, text='[api_key_providers.openai]\napi_key = "sk-live-abcdef123456"\n')
    for command in ("plan", "apply"):
        result = cli(command, "-f", str(path), "--yes") if command == "apply" else cli(command, "-f", str(path))
        assert result.exit_code == 252
        assert "literal value" in result.stderr and "sk-live-abcdef123456" not in result.stderr + result.stdout
    nested = _write(
        tmp_path,
        text='[oauth2_providers.gh]\nvendor = "GithubOauth2"\nconfig = { clientId = "x", clientSecret = "hunter2" }\n',
    )
    result = cli("plan", "-f", str(nested))
    assert result.exit_code == 252 and "config.clientSecret holds a literal value" in result.stderr
    assert "hunter2" not in result.stderr
    assert cli("list-api-key-credential-providers").json()["credentialProviders"] == []


def test_unknown_keys_and_vendors_are_usage_errors_naming_the_place(cli: Any, tmp_path: Path) -> None:
    bad_key = _write(tmp_path, text='[workload_identities.agent]\nreturn_urls = ["https://a.example.com"]\n')
    result = cli("plan", "-f", str(bad_key))
    assert result.exit_code == 252 and "workload_identities.agent: unknown key 'return_urls'" in result.stderr
    bad_vendor = _write(tmp_path, text='[oauth2_providers.x]\nvendor = "Nope"\nconfig = {}\n')
    assert "unknown vendor 'Nope'" in cli("plan", "-f", str(bad_vendor)).stderr


def test_plan_exit_codes_and_apply_is_idempotent(cli: Any, tmp_path: Path) -> None:
    path = _write(tmp_path)
    env = {"OPENAI_KEY": KEY}
    planned = cli("plan", "-f", str(path), env=env)
    assert planned.exit_code == 2
    assert [c["action"] for c in planned.json()["changes"]] == ["create", "create"]
    assert ok(cli("apply", "-f", str(path), "--yes", env=env)).json()["notApplied"] == []
    assert cli("plan", "-f", str(path), env=env).exit_code == 0
    second = ok(cli("apply", "-f", str(path), "--yes", env=env))
    assert second.json() == {"applied": [], "notApplied": []}
    assert "No changes" in second.stderr


def test_a_missing_secret_stops_apply_before_any_change(cli: Any, tmp_path: Path) -> None:
    path = _write(tmp_path)
    result = cli("apply", "-f", str(path), "--yes")
    assert result.exit_code == 252 and "$OPENAI_KEY, which is not set" in result.stderr
    assert cli("list-workload-identities").json()["workloadIdentities"] == []


def test_plan_shows_a_field_level_diff_and_apply_makes_it(cli: Any, tmp_path: Path) -> None:
    env = {"OPENAI_KEY": KEY}
    ok(cli("apply", "-f", str(_write(tmp_path)), "--yes", env=env))
    changed = FILE.replace("https://app.example.com/cb", "https://app.example.com/new").replace(
        'env = "dev"', 'owner = "me"'
    )
    path = _write(tmp_path, text=changed.format(extra=""))
    planned = cli("plan", "-f", str(path), env={"OPENAI_KEY": "sk-rotated"})
    assert planned.exit_code == 2
    changes = {c["name"]: c for c in planned.json()["changes"]}
    assert changes["openai"]["action"] == "update" and changes["openai"]["secrets"] == {"api_key": "changed"}
    assert changes["openai"]["fields"] == []
    assert changes["agent"]["fields"] == [
        {
            "field": "allowed_return_urls",
            "before": ["https://app.example.com/cb"],
            "after": ["https://app.example.com/new"],
        },
        {"field": "tags.env", "before": "dev", "after": None},
        {"field": "tags.owner", "before": None, "after": "me"},
    ]
    ok(cli("apply", "-f", str(path), "--yes", env={"OPENAI_KEY": "sk-rotated"}))
    agent = cli("get-workload-identity", "--name", "agent").json()
    assert agent["allowedResourceOauth2ReturnUrls"] == ["https://app.example.com/new"]
    tags = cli("list-tags-for-resource", "--resource-arn", agent["workloadIdentityArn"]).json()["tags"]
    assert tags == {"owner": "me"}
    assert cli("plan", "-f", str(path), env={"OPENAI_KEY": "sk-rotated"}).exit_code == 0


def test_delete_only_with_prune(cli: Any, tmp_path: Path) -> None:
    env = {"OPENAI_KEY": KEY}
    ok(cli("apply", "-f", str(_write(tmp_path)), "--yes", env=env))
    ok(cli("create-workload-identity", "--name", "stray"))
    path = _write(tmp_path)
    kept = cli("plan", "-f", str(path), env=env)
    assert kept.exit_code == 0 and "--prune deletes them): stray" in kept.stderr
    pruned = cli("plan", "-f", str(path), "--prune", env=env)
    assert pruned.exit_code == 2
    assert [(c["action"], c["name"]) for c in pruned.json()["changes"] if c["action"] != "no-op"] == [
        ("delete", "stray")
    ]
    ok(cli("apply", "-f", str(path), "--prune", "--yes", env=env))
    names = [w["name"] for w in cli("list-workload-identities").json()["workloadIdentities"]]
    assert names == ["agent"]


def test_local_apply_is_all_or_nothing(cli: Any, tmp_path: Path) -> None:
    # The second provider is refused by the service (plain http off loopback): the first,
    # already created in the same run, is rolled back with it.
    extra = """
[oauth2_providers.corp]
vendor = "CustomOauth2"
[oauth2_providers.corp.config]
clientId = "app"
clientSecret = "env:OPENAI_KEY"
oauthDiscovery = { discoveryUrl = "http://idp.example.com/.well-known/openid-configuration" }
"""
    result = cli("apply", "-f", str(_write(tmp_path, extra)), "--yes", env={"OPENAI_KEY": KEY})
    assert result.exit_code == 254, result.stderr
    assert "nothing was applied (the local vault rolled back)" in result.stderr
    document = result.json()
    assert document["rolledBack"] is True and document["failed"]["name"] == "corp"
    assert cli("list-workload-identities").json()["workloadIdentities"] == []
    assert cli("list-api-key-credential-providers").json()["credentialProviders"] == []
    # The refused operation stays in the audit trail; what was rolled back does not.
    events = cli("audit", "list", "--output", "json").json()["events"]
    assert [(e["operation"], e["outcome"]) for e in events] == [
        ("CreateOauth2CredentialProvider", "ValidationException")
    ]
    assert events[0]["target"].endswith("/oauth2credentialprovider/corp")


def test_yaml_is_read_like_toml(cli: Any, tmp_path: Path) -> None:
    text = """
version: 1
api_key_providers:
  openai:
    api_key: env:OPENAI_KEY
    tags: {team: ai}
workload_identities:
  agent:
    allowed_return_urls: [https://app.example.com/cb]
    tags: {env: dev}
"""
    path = _write(tmp_path, name="identity.yaml", text=text)
    ok(cli("apply", "-f", str(path), "--yes", env={"OPENAI_KEY": KEY}))
    assert cli("plan", "-f", str(_write(tmp_path)), env={"OPENAI_KEY": KEY}).exit_code == 0
    exported = tmp_path / "out.yaml"
    ok(cli("export", "-o", str(exported)))
    assert "api_key: env:AGENTCORE_SECRET_OPENAI_API_KEY" in exported.read_text()


def test_secrets_from_files_are_compared_with_the_vault(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "key.txt").write_text(KEY + "\n")
    text = '[api_key_providers.openai]\napi_key = "file:key.txt"\n'  # relative to the file
    path = _write(tmp_path, text=text)
    ok(cli("apply", "-f", str(path), "--yes"))
    planned = cli("plan", "-f", str(path))
    assert planned.exit_code == 0 and planned.json()["changes"][0]["secrets"] == {"api_key": "unchanged"}


def test_schema_describes_the_file_and_secret_references(cli: Any) -> None:
    schema = ok(cli("schema")).json()
    assert schema["$schema"].endswith("2020-12/schema")
    assert set(schema["properties"]) >= {"api_key_providers", "oauth2_providers", "workload_identities"}
    oauth = schema["properties"]["oauth2_providers"]["additionalProperties"]
    github = next(c for c in oauth["allOf"] if c["if"]["properties"]["vendor"]["const"] == "GithubOauth2")
    assert github["then"]["properties"]["config"]["properties"]["clientSecret"] == {"$ref": "#/$defs/secretReference"}


def test_apply_asks_on_a_terminal_and_prompts_for_prompt_references(tmp_path: Path) -> None:
    path = _write(tmp_path, text='[api_key_providers.openai]\napi_key = "prompt"\n')
    env = dict(os.environ)
    code, screen = answer_prompts(["apply", "-f", str(path)], [KEY, "no"], env)
    assert code == 1 and "Nothing applied." in screen and KEY not in screen
    code, screen = answer_prompts(["apply", "-f", str(path)], [KEY, "yes"], env)
    assert code == 0, screen
    assert "create api_key_providers.openai: done" in screen and KEY not in screen
    listed = run_process("list-api-key-credential-providers").json()
    assert [p["name"] for p in listed["credentialProviders"]] == ["openai"]


def test_every_oauth2_vendor_round_trips_to_another_vault(cli: Any, home: Path, tmp_path: Path) -> None:
    from agentcore_identity_cli.oauth.catalogue import vendors

    ok(cli("--profile", "dst", "configure", "set", "vault_path", str(home / "dst.db")))
    endpoints = [
        "--issuer",
        "https://idp.example.com",
        "--authorization-endpoint",
        "https://idp.example.com/authorize",
        "--token-endpoint",
        "https://idp.example.com/token",
    ]
    env = {}
    for vendor in sorted(set(vendors()) - {"CustomOauth2"}):
        name = vendor.lower()
        base = ["create-oauth2-credential-provider", "--name", name, "--credential-provider-vendor", vendor]
        base += ["--client-id", f"{name}-id", "--client-secret", "-"]
        if vendor == "MicrosoftOauth2":
            base += ["--tenant-id", "contoso"]
        if cli(*base, input="s3cret").exit_code != 0:  # a vendor whose endpoints depend on the customer
            ok(cli(*base, *endpoints, input="s3cret"))
        env[f"AGENTCORE_SECRET_{name.upper()}_CLIENT_SECRET"] = "s3cret"
    target = tmp_path / "vendors.toml"
    ok(cli("export", "-o", str(target)))
    assert 'tenantId = "contoso"' in target.read_text()
    ok(cli("--profile", "dst", "apply", "-f", str(target), "--yes", env=env))
    assert cli("--profile", "dst", "plan", "-f", str(target), env=env).exit_code == 0
    assert cli("--profile", "dst", "export").stdout == cli("export").stdout


def test_the_example_in_the_docs_is_a_valid_definition(cli: Any, tmp_path: Path) -> None:
    import re

    from tests.conftest import ROOT

    text = (ROOT / "docs" / "as-code.md").read_text()
    example = re.search(r"```toml\n(.*?)```", text, re.S)
    assert example is not None
    path = _write(tmp_path, text=example.group(1))
    env = {
        name: "x"
        for name in (
            "AGENTCORE_SECRET_OPENAI_API_KEY",
            "AGENTCORE_SECRET_GITHUB_CLIENT_SECRET",
            "AGENTCORE_SECRET_CDP_API_KEY_SECRET",
            "AGENTCORE_SECRET_CDP_WALLET_SECRET",
        )
    }
    planned = cli("plan", "-f", str(path), env=env)
    assert planned.exit_code == 2, planned.stderr
    assert {(c["kind"], c["name"]) for c in planned.json()["changes"]} == {
        ("api_key_providers", "openai"),
        ("oauth2_providers", "github"),
        ("oauth2_providers", "corp"),
        ("payment_providers", "cdp"),
        ("workload_identities", "support-agent"),
        ("trusted_issuers", "https://login.example.com"),
        ("workload_access_policies", "support-agent"),
    }


def test_export_to_a_file_it_cannot_write_is_a_usage_error_that_keeps_the_old_file(cli: Any, tmp_path: Path) -> None:
    ok(cli("create-workload-identity", "--name", "agent"))
    missing = cli("export", "-o", str(tmp_path / "no-such-folder" / "identity.toml"))
    assert missing.exit_code == 252
    assert "Cannot write" in missing.stderr and "no-such-folder" in missing.stderr
    assert "unexpected" not in missing.stderr
    folder = tmp_path / "a-folder"
    folder.mkdir()
    assert cli("export", "-o", str(folder)).exit_code == 252
    kept = tmp_path / "identity.toml"
    ok(cli("export", "-o", str(kept)))
    before = kept.read_text()
    assert "agent" in before and kept.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
