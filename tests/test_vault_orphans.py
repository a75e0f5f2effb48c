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
