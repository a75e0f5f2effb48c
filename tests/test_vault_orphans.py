"""What a killed command or a replaced file leaves beside the vault, and what the next command does."""

from __future__ import annotations

import base64
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from agentcore_identity_cli.backends.local.backend import LocalBackend

SECRET = "sk-live-ORPHAN-CANARY-0123456789"


def _create(cli, name: str = "openai"):
    return cli("create-api-key-credential-provider", "--name", name, "--api-key", "-", input=SECRET)


def _secrets(vault: Path) -> dict[str, str]:
    backend = LocalBackend(vault)
    try:
        return {name: backend.open_secret("apikey", name, "apiKey") for name in backend.store.names("apikey")}
    finally:
        backend.close()


def _write_key(path: Path) -> None:
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(os.urandom(32)).decode() + "\n")


def test_the_new_key_of_a_rotation_killed_before_its_commit_is_removed_by_the_next_command(cli, home: Path):
    assert _create(cli).exit_code == 0
    key = (home / "vault.key").read_text()
    _write_key(home / "vault.key.next")  # what a rotation killed before its commit leaves
    assert _create(cli, "second").exit_code == 0
    assert not (home / "vault.key.next").exists()
    assert (home / "vault.key").read_text() == key
    assert _secrets(home / "vault.db") == {"openai": SECRET, "second": SECRET}


def test_the_new_key_of_a_rotation_in_progress_in_another_process_is_left_alone(cli, home: Path):
    assert _create(cli).exit_code == 0
    # Play a rotation in progress: hold the vault's write lock and write the new key aside.
    db = sqlite3.connect(home / "vault.db", isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    _write_key(home / "vault.key.next")
    # Loading the key on its own, outside any command's transaction.
    load = (
        "import pathlib, sys; from agentcore_identity_cli.backends.local.backend import LocalBackend;"
        " LocalBackend(pathlib.Path(sys.argv[1])).keys.key()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", load, str(home / "vault.db")], stderr=subprocess.PIPE, env={**os.environ}
    )
    try:
        time.sleep(1.5)
        assert (home / "vault.key.next").exists(), "removed while its rotation held the lock"
        assert proc.poll() is None
    finally:
        # The rotation dies without committing (and without cleaning up after itself).
        db.execute("ROLLBACK")
        db.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    assert not (home / "vault.key.next").exists()


def test_a_real_rotation_still_leaves_no_key_aside(cli, home: Path):
    assert _create(cli).exit_code == 0
    assert cli("reset-token-vault-key-material", "--token-vault-id", "default").exit_code == 0
    assert not (home / "vault.key.next").exists()
    assert _create(cli, "after").exit_code == 0


def _empty(home: Path) -> None:
    """What `truncate -s 0 vault.db` does once no process has the vault open."""
    for suffix in ("-wal", "-shm"):
        (home / f"vault.db{suffix}").unlink(missing_ok=True)
    os.truncate(home / "vault.db", 0)


def test_an_emptied_vault_next_to_its_key_is_refused_with_253(cli, home: Path):
    assert _create(cli).exit_code == 0
    key = (home / "vault.key").read_text()
    _empty(home)
    for args in (("audit", "verify"), ("list-api-key-credential-providers",)):
        result = cli(*args)
        assert result.exit_code == 253, (args, result.stderr)
        assert "emptied, deleted or replaced" in result.stderr and "vault init --force" in result.stderr
    assert (home / "vault.key").read_text() == key


def test_a_deleted_vault_next_to_its_key_is_refused_with_253(cli, home: Path):
    assert _create(cli).exit_code == 0
    (home / "vault.db").unlink()
    result = _create(cli, "new")
    assert result.exit_code == 253
    assert "vault.id" in result.stderr


def test_a_key_file_from_before_the_id_file_without_its_vault_is_refused(cli, home: Path):
    assert _create(cli).exit_code == 0
    (home / "vault.id").unlink()  # as a vault made by an older version has it
    _empty(home)
    result = _create(cli, "new")
    assert result.exit_code == 253
    assert "exists without its vault" in result.stderr and str(home / "vault.key") in result.stderr


def test_a_vault_from_before_the_id_file_keeps_working_and_gets_one(cli, home: Path):
    assert _create(cli).exit_code == 0
    vault_id = (home / "vault.id").read_text().strip()
    (home / "vault.id").unlink()
    assert _create(cli, "second").exit_code == 0
    assert (home / "vault.id").read_text().strip() == vault_id
    assert (home / "vault.id").stat().st_mode & 0o777 == 0o600


def test_another_vault_copied_over_this_one_is_refused_even_when_the_key_fits(cli, home: Path, tmp_path: Path):
    env = {"AGENTCORE_IDENTITY_VAULT_KEY": base64.b64encode(os.urandom(32)).decode()}
    assert cli("create-api-key-credential-provider", "--name", "a", "--api-key", "-", input="s", env=env).exit_code == 0
    other = tmp_path / "other"
    env_other = {**env, "AGENTCORE_IDENTITY_HOME": str(other)}
    assert (
        cli("create-api-key-credential-provider", "--name", "b", "--api-key", "-", input="s", env=env_other).exit_code
        == 0
    )
    for suffix in ("-wal", "-shm"):
        (home / f"vault.db{suffix}").unlink(missing_ok=True)
    (home / "vault.db").write_bytes((other / "vault.db").read_bytes())
    result = cli("list-api-key-credential-providers", env=env)
    assert result.exit_code == 253
    assert "not the one its key belongs to" in result.stderr


def test_an_emptied_passphrase_vault_is_refused(cli, home: Path):
    env = {"AGENTCORE_IDENTITY_PASSPHRASE": "correct horse battery staple"}
    assert cli("vault", "init", "--passphrase", env=env).exit_code == 0
    assert not (home / "vault.key").exists()
    _empty(home)
    result = cli("vault", "status", env=env)
    assert result.exit_code == 253
    assert "emptied, deleted or replaced" in result.stderr


def test_vault_init_force_starts_over_and_keeps_the_old_files_aside(cli, home: Path):
    assert _create(cli).exit_code == 0
    old_key = (home / "vault.key").read_text()
    _empty(home)
    result = cli("vault", "init", "--force")
    assert result.exit_code == 0, result.stderr
    assert "aside" in result.stderr
    kept = sorted(p.name.split(".replaced-")[0] for p in home.iterdir() if ".replaced-" in p.name)
    assert kept == ["vault.db", "vault.id", "vault.key"]
    assert [p.read_text() for p in home.glob("vault.key.replaced-*")] == [old_key]
    assert (home / "vault.key").read_text() != old_key
    assert _create(cli, "fresh").exit_code == 0
    assert cli("audit", "verify").exit_code == 0


def test_vault_restore_recovers_an_emptied_vault_next_to_its_key(cli, home: Path, tmp_path: Path):
    assert _create(cli).exit_code == 0
    backup = tmp_path / "backup.db"
    assert cli("vault", "backup", str(backup)).exit_code == 0
    _empty(home)
    result = cli("vault", "restore", str(backup))
    assert result.exit_code == 0, result.stderr
    assert _secrets(home / "vault.db") == {"openai": SECRET}
    assert cli("audit", "verify").exit_code == 0


def test_temporary_key_files_left_by_a_killed_write_are_removed(cli, home: Path):
    """A key or id file is written as NAME.<hex>.tmp and renamed; a process killed in between
    leaves the temporary file, which may hold a key. The next command that loads the key removes
    those older than a minute, and leaves a younger one (another process may be writing it)."""
    import time

    assert cli("create-api-key-credential-provider", "--name", "p", "--api-key", "-", input="k").exit_code == 0
    stale = [home / "vault.key.0a1b2c3d.tmp", home / "vault.key.next.0a1b2c3d.tmp", home / "vault.id.0a1b2c3d.tmp"]
    young = home / "vault.key.9f8e7d6c.tmp"
    other = home / "notes.0a1b2c3d.tmp"
    for path in [*stale, young, other]:
        path.write_text("leftover\n")
        path.chmod(0o600)
    hour_ago = time.time() - 3600
    for path in [*stale, other]:
        os.utime(path, (hour_ago, hour_ago))
    assert cli("list-api-key-credential-providers").exit_code == 0  # no key loaded: nothing removed
    assert all(path.exists() for path in stale)
    assert cli("api-key", "p").stdout.strip() == "k"
    assert not any(path.exists() for path in stale)
    assert young.exists() and other.exists()
