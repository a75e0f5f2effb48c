"""plan on a terminal is a table; nothing of a secret reaches --debug; agentcore:// references
read another profile's vault."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.ascode_support import ok
from tests.terminal_support import run_on_terminal

KEY = "sk-terminal-test-key-7"


def test_plan_on_a_terminal_is_a_table_with_the_field_diff(cli: Any, tmp_path: Path) -> None:
    ok(cli("create-workload-identity", "--name", "agent", "--tags", "env=dev"))
    path = tmp_path / "identity.toml"
    path.write_text('[workload_identities.agent]\ntags = { env = "prod" }\n[workload_identities.new-one]\n')
    result = run_on_terminal("plan", "-f", str(path), columns=120, env={"NO_COLOR": "1", **dict(os.environ)})
    assert result.exit_code == 2
    assert "Plan (local backend)" in result.stdout
    assert "workload_identities.agent" in result.stdout and "tags.env: dev -> prod" in result.stdout
    assert "workload_identities.new-one" in result.stdout
    assert "1 create, 1 update, 0 delete, 0 no-op" in result.stdout


def test_debug_output_never_holds_a_secret(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "identity.toml"
    path.write_text('[api_key_providers.openai]\napi_key = "env:KEY"\n')
    applied = cli("--debug", "apply", "-f", str(path), "--yes", env={"KEY": KEY})
    assert applied.exit_code == 0, applied.stderr
    planned = cli("--debug", "plan", "-f", str(path), env={"KEY": KEY + "-new"})
    assert planned.exit_code == 2
    for result in (applied, planned):
        assert KEY not in result.stdout + result.stderr


def test_an_agentcore_reference_reads_another_profiles_vault(cli: Any, home: Path, tmp_path: Path) -> None:
    ok(cli("--profile", "dev", "configure", "set", "vault_path", str(home / "dev.db")))
    ok(cli("--profile", "dev", "create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input=KEY))
    path = tmp_path / "identity.toml"
    path.write_text('[api_key_providers.openai]\napi_key = "agentcore://api-key/openai?profile=dev"\n')
    ok(cli("apply", "-f", str(path), "--yes"))
    planned = cli("plan", "-f", str(path))
    assert planned.exit_code == 0 and planned.json()["changes"][0]["secrets"] == {"api_key": "unchanged"}
    path.write_text('[api_key_providers.openai]\napi_key = "agentcore://oauth2/corp"\n')
    refused = cli("plan", "-f", str(path))
    assert refused.exit_code == 252 and "only agentcore://api-key/PROVIDER names a stored secret" in refused.stderr
