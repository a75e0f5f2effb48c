"""`vault backup` and `vault restore`."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agentcore_identity_cli.backends.local.audit import AuditTrail
from agentcore_identity_cli.backends.local.backend import LocalBackend
from agentcore_identity_cli.backends.local.keys import KeyRing
from agentcore_identity_cli.backends.local.vault import VaultStore
from tests.audit_support import VAULT_ARN, build_v1_vault, events, execute, ops, random_key

SECRETS = {"openai": "sk-live-BACKUP-CANARY-openai-0001", "anthropic": "sk-live-BACKUP-CANARY-anthropic-02"}


@pytest.fixture
def vault(cli, vault_file: Path) -> Path:
    for name, secret in SECRETS.items():
        assert cli("create-api-key-credential-provider", "--name", name, "--api-key", "-", input=secret).exit_code == 0
    assert cli("create-workload-identity", "--name", "support-agent").exit_code == 0
    return vault_file


@pytest.fixture
def backups(tmp_path: Path) -> Path:
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o700)
    return folder


def _state(vault: Path) -> tuple:
    """Everything but the audit trail, to show that a refused restore changed nothing."""
    db = sqlite3.connect(vault)
    try:
        return (
            db.execute("SELECT kind, name, arn, created, updated, attrs FROM resources ORDER BY kind, name").fetchall(),
            db.execute("SELECT kind, name, field, sealed FROM secrets ORDER BY kind, name, field").fetchall(),
            db.execute("SELECT key, value FROM meta WHERE key NOT LIKE 'audit%' ORDER BY key").fetchall(),
        )
    finally:
        db.close()


def _open_secrets(vault: Path, key_file: Path | None = None) -> dict[str, str]:
    """Every API key of a vault; a backup is first put in a folder of its own beside a copy of the key."""
    if key_file is not None:
        folder = vault.with_name(vault.stem + "-opened")
        folder.mkdir(mode=0o700)
        shutil.copy(vault, folder / "vault.db")
        shutil.copy(key_file, folder / "vault.key")
        vault = folder / "vault.db"
    backend = LocalBackend(vault)
    try:
        return {name: backend.open_secret("apikey", name, "apiKey") for name in backend.store.names("apikey")}
    finally:
        backend.close()


def test_backup_is_a_private_encrypted_snapshot(cli, vault: Path, home: Path, backups: Path):
    target = backups / "vault-backup.db"
    result = cli("vault", "backup", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.json()["backupFile"] == str(target)
    assert result.json()["auditEvents"] == 3
    assert "not the key" in result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    raw = target.read_bytes()
    for secret in SECRETS.values():
        assert secret.encode() not in raw
    assert b"openai" in raw  # names stay readable, as in the vault
    assert not Path(f"{target}-wal").exists() and not Path(f"{target}-journal").exists()
    assert _open_secrets(target, home / "vault.key") == SECRETS
    assert ops(vault)[-1][0] == "BackupVault"


def test_backup_refuses_to_overwrite_a_file(cli, vault: Path, backups: Path):
    target = backups / "taken.db"
    target.write_text("keep me")
    result = cli("vault", "backup", str(target))
    assert result.exit_code == 252
    assert "exists already" in result.stderr
    assert target.read_text() == "keep me"
    assert cli("vault", "backup", str(backups / "missing" / "b.db")).exit_code == 252


_WRITER = """
import sys
from pathlib import Path
from agentcore_identity_cli.backends.local.backend import LocalBackend
backend = LocalBackend(Path(sys.argv[1]))
stop = Path(sys.argv[2])
print("ready", flush=True)
i = 0
while not stop.exists() and i < 20000:
    backend.invoke("CreateApiKeyCredentialProvider", {"name": f"busy-{i:05d}", "apiKey": f"busy-secret-{i}"})
    if i % 3 == 0:
        backend.invoke("CreateWorkloadIdentity", {"name": f"busy-agent-{i:05d}"})
    i += 1
"""


def test_backups_taken_while_another_process_writes_are_consistent(
    cli, vault: Path, home: Path, backups: Path, tmp_path: Path
):
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(vault), str(stop)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "ready"
    taken: list[Path] = []
    try:
        for n in range(5):
            time.sleep(0.15)
            target = backups / f"b{n}.db"
            result = cli("vault", "backup", str(target))
            assert result.exit_code == 0, result.stderr
            taken.append(target)
    finally:
        stop.touch()
        writer.wait(timeout=300)
    assert writer.returncode == 0
    counts = set()
    for target in taken:
        db = sqlite3.connect(target)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        providers = db.execute("SELECT COUNT(*) FROM resources WHERE kind = 'apikey'").fetchone()[0]
        assert db.execute("SELECT COUNT(*) FROM secrets").fetchone()[0] == providers
        # Each change commits with its event: the snapshot has exactly one event per creation.
        created = db.execute(
            "SELECT COUNT(*) FROM audit_events WHERE operation = 'CreateApiKeyCredentialProvider'"
        ).fetchone()[0]
        assert created == providers
        db.close()
        counts.add(providers)
        store = VaultStore(target)
        try:
            ring = KeyRing(store, key_path=home / "vault.key")
            verdict = AuditTrail(store, ring).verify(ring.key())
        finally:
            store.close()
        assert verdict.intact, verdict.problem
    assert len(counts) == len(taken), "each backup should catch the writer at a different moment"


def test_restore_brings_a_backup_back_and_keeps_the_replaced_vault(cli, vault: Path, home: Path, backups: Path):
    target = backups / "before.db"
    assert cli("vault", "backup", str(target)).exit_code == 0
    assert cli("delete-api-key-credential-provider", "--name", "openai").exit_code == 0
    assert cli("create-workload-identity", "--name", "added-later").exit_code == 0
    result = cli("vault", "restore", str(target))
    assert result.exit_code == 0, result.stderr
    aside = Path(result.json()["replacedVaultSavedAs"])
    assert aside.name.startswith("vault.db.replaced-")
    assert stat.S_IMODE(aside.stat().st_mode) == 0o600
    assert result.json()["auditChain"] == "intact"
    names = {p["name"] for p in cli("list-api-key-credential-providers").json()["credentialProviders"]}
    assert names == set(SECRETS)
    assert {w["name"] for w in cli("list-workload-identities").json()["workloadIdentities"]} == {"support-agent"}
    assert _open_secrets(vault) == SECRETS
    db = sqlite3.connect(aside)
    assert {r[0] for r in db.execute("SELECT name FROM resources")} == {"anthropic", "support-agent", "added-later"}
    db.close()
    assert ops(vault)[-1][0] == "OpenSecret" and ops(vault)[-3][0] == "RestoreVault"
    verified = cli("audit", "verify")
    assert verified.exit_code == 0, verified.stderr


def test_restore_with_another_key_is_refused_and_changes_nothing(cli, vault: Path, home: Path, backups: Path):
    target = backups / "old-key.db"
    assert cli("vault", "backup", str(target)).exit_code == 0
    assert cli("reset-token-vault-key-material", "--token-vault-id", "default").exit_code == 0
    before, files = _state(vault), sorted(p.name for p in home.iterdir())
    result = cli("vault", "restore", str(target))
    assert result.exit_code == 253
    assert "does not open with the current vault key; nothing was changed" in result.stderr
    assert _state(vault) == before
    assert sorted(p.name for p in home.iterdir()) == files
    assert ops(vault)[-1] == ("RestoreVault", VAULT_ARN, "ConfigError")
    assert cli("audit", "verify").exit_code == 0


def test_restore_with_a_wrong_key_in_the_environment_is_refused(cli, vault: Path, home: Path, backups: Path):
    target = backups / "b.db"
    assert cli("vault", "backup", str(target)).exit_code == 0
    before = _state(vault)
    result = cli("vault", "restore", str(target), env={"AGENTCORE_IDENTITY_VAULT_KEY": random_key()})
    assert result.exit_code == 253
    assert _state(vault) == before
    assert not any(p.name.startswith("vault.db.replaced-") for p in home.iterdir())


@pytest.mark.parametrize("content", [b"this is not sqlite at all" * 100, b""])
def test_restore_refuses_a_file_that_is_not_a_vault(cli, vault: Path, home: Path, backups: Path, content: bytes):
    target = backups / "not-a-vault.db"
    target.write_bytes(content)
    before = _state(vault)
    result = cli("vault", "restore", str(target))
    assert result.exit_code == 252
    assert "is not an agentcore-identity vault" in result.stderr
    assert _state(vault) == before
    assert not any(p.name.startswith("vault.db.") for p in home.iterdir())


def test_restore_refuses_another_sqlite_database(cli, vault: Path, backups: Path):
    target = backups / "other.db"
    db = sqlite3.connect(target)
    db.execute("CREATE TABLE notes (body TEXT)")
    db.commit()
    db.close()
    assert cli("vault", "restore", str(target)).exit_code == 252
    assert cli("vault", "restore", str(backups / "absent.db")).exit_code == 252


def test_restore_refuses_a_backup_whose_trail_was_tampered(cli, vault: Path, backups: Path):
    target = backups / "tampered.db"
    assert cli("vault", "backup", str(target)).exit_code == 0
    execute(target, "DELETE FROM audit_events WHERE seq = 2")
    before = _state(vault)
    result = cli("vault", "restore", str(target))
    assert result.exit_code == 254
    assert "AuditTrailTampered" in result.stderr and "event #2 is missing" in result.stderr
    assert _state(vault) == before


def test_a_schema_1_backup_is_migrated_on_restore(cli, home: Path, tmp_path: Path):
    old = tmp_path / "old-machine"
    build_v1_vault(old, {"openai": "sk-from-v1"})
    # The new machine has the old machine's key file, and an empty vault of its own.
    assert cli("create-workload-identity", "--name", "fresh-agent").exit_code == 0
    os.replace(old / "vault.key", home / "vault.key")
    result = cli("vault", "restore", str(old / "vault.db"))
    assert result.exit_code == 0, result.stderr
    assert result.json()["auditChain"] == "intact"
    names = [p["name"] for p in cli("list-api-key-credential-providers").json()["credentialProviders"]]
    assert names == ["openai"]
    assert _open_secrets(home / "vault.db") == {"openai": "sk-from-v1"}
    assert events(home / "vault.db")[0]["operation"] == "RestoreVault"
