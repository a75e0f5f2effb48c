"""A vault written by schema 1 (before the audit trail) migrates forward and keeps working."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from agentcore_identity_cli.backends.local.backend import LocalBackend
from agentcore_identity_cli.backends.local.vault import SCHEMA_VERSION
from tests.audit_support import APIKEY_ARN, build_v1_vault, ops

SECRETS = {"openai": "sk-v1-openai", "anthropic": "sk-v1-anthropic"}


def test_a_schema_1_vault_migrates_and_keeps_its_secrets(cli, home: Path, vault_file: Path):
    build_v1_vault(home, SECRETS)
    listed = cli("list-api-key-credential-providers")
    assert listed.exit_code == 0, listed.stderr
    assert sorted(p["name"] for p in listed.json()["credentialProviders"]) == ["anthropic", "openai"]
    db = sqlite3.connect(vault_file)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("SELECT COUNT(*) FROM audit_events").fetchone()[0] == 0
    db.close()
    backend = LocalBackend(vault_file)
    try:
        assert {name: backend.open_secret("apikey", name, "apiKey") for name in SECRETS} == SECRETS
    finally:
        backend.close()
    assert cli("delete-api-key-credential-provider", "--name", "anthropic").exit_code == 0
    assert ops(vault_file) == [
        ("OpenSecret", APIKEY_ARN + "openai", "success"),
        ("OpenSecret", APIKEY_ARN + "anthropic", "success"),
        ("DeleteApiKeyCredentialProvider", APIKEY_ARN + "anthropic", "success"),
    ]


def test_an_upgraded_vault_is_unsealed_until_verify_seal(cli, home: Path):
    build_v1_vault(home, SECRETS)
    assert cli("update-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-2").exit_code == 0
    unsealed = cli("audit", "verify")
    assert unsealed.exit_code == 254
    assert "AuditTrailUnsealed" in unsealed.stderr and "audit verify --seal" in unsealed.stderr
    assert unsealed.json()["chain"] == "unsealed"
    sealed = cli("audit", "verify", "--seal")
    assert sealed.exit_code == 0, sealed.stderr
    assert sealed.json()["sealedThrough"] == sealed.json()["headEvent"] == "2"
    # From now on keyed commands extend the seal.
    assert cli("update-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-3").exit_code == 0
    assert cli("audit", "verify").json()["sealedThrough"] == "3"


def test_verify_seal_refuses_a_broken_chain(cli, home: Path, vault_file: Path):
    build_v1_vault(home, SECRETS)
    assert cli("create-workload-identity", "--name", "agent-one").exit_code == 0
    assert cli("create-workload-identity", "--name", "agent-two").exit_code == 0
    db = sqlite3.connect(vault_file)
    db.execute("DELETE FROM audit_events WHERE seq = 1")
    db.commit()
    db.close()
    result = cli("audit", "verify", "--seal")
    assert result.exit_code == 254
    assert "event #1 is missing" in result.stderr
    assert result.json()["sealedThrough"] is None
