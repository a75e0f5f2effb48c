"""Every file of a vault, and the folders above it, must be the user's own: more commands, more files.

tests/test_vault_ownership.py proves each refusal once, with one command. Here every file the
tool opens is handed to another OS user in turn (the vault folder, `vault.db`, its `-wal`
and `-shm`, `vault.key`, a `vault.key.next` left by a rotation, `vault.id`) and every kind of
command runs against it: a listing, a write, a secret read, `audit verify`, a key rotation.
Each must exit 253 naming the owner and the full path, leave the other user's file where
and as it was (a leftover key file is not removed, a key file not replaced), and leave the
vault unchanged (no new provider; on the audit trail, at most the refused call, as a
ConfigError). Listings need no key, so they do not look
at the key files.

A folder above the vault that other users can write to without the sticky bit (world- or
group-writable, one or three levels up) is refused the same way, before the vault file is
created; a sticky one is accepted.

The second OS user is created for the test, which therefore runs as root (as on CI; see the
`other_user` fixture of tests/test_vault_ownership.py).
"""

# ruff: noqa: F811 - the other_user fixture is imported from tests/test_vault_ownership.py

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from agentcore_identity_cli.backends.local import crypto
from tests.reliability.support import event_rows, last_seq
from tests.test_vault_ownership import other_user  # noqa: F401

SECRET = "sk-ownership-reliability-5c1d"
COMMANDS: dict[str, tuple[str, ...]] = {
    "list": ("list-api-key-credential-providers",),
    "create": ("create-api-key-credential-provider", "--name", "intruder", "--api-key", "-"),
    "secret-read": ("api-key", "mine", "--workload-name", "agent"),
    "audit-verify": ("audit", "verify"),
    "rotate": ("reset-token-vault-key-material", "--token-vault-id", "default"),
}
FILES = {
    "folder": "",
    "vault.db": "vault.db",
    "vault.db-wal": "vault.db-wal",
    "vault.db-shm": "vault.db-shm",
    "vault.key": "vault.key",
    "vault.key.next": "vault.key.next",
    "vault.id": "vault.id",
}


def _vault_with_a_secret(cli: Any, home: Path) -> None:
    made = cli("create-api-key-credential-provider", "--name", "mine", "--api-key", "-", input=SECRET)
    assert made.exit_code == 0, made.stderr
    assert cli("create-workload-identity", "--name", "agent").exit_code == 0


def _the_file(home: Path, file: str) -> Path:
    path = home / FILES[file]
    if file == "vault.key.next":
        # What a rotation killed before its commit leaves: a new key, aside.
        path.write_text(base64.b64encode(crypto.new_key()).decode() + "\n")
        os.chmod(path, 0o600)
    elif not path.exists():
        path.touch(mode=0o600)  # -wal and -shm exist whenever another process has the vault open
    return path


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("file", list(FILES))
def test_a_vault_file_of_another_user_is_refused_by_every_command(
    cli, home: Path, other_user: tuple[str, int], file: str, command: str
):
    name, uid = other_user
    _vault_with_a_secret(cli, home)
    events = last_seq(home / "vault.db")  # before the -wal and -shm are made: closing SQLite removes them
    path = _the_file(home, file)
    content = path.read_bytes() if path.is_file() else None
    os.chown(path, uid, -1)
    try:
        result = cli(*COMMANDS[command], input="intruder-secret")
    finally:
        os.chown(path, 0, -1)  # hand it back, so the checks below can open the vault
    # Commands that need no key refuse another user's key file too: it is checked on opening.
    assert result.exit_code == 253, (result.exit_code, result.stderr)
    assert f"{path} is owned by {name} (uid {uid})" in result.stderr
    assert "Traceback" not in result.stderr and SECRET not in result.stdout + result.stderr
    assert path.exists()
    if content is not None and file not in ("vault.db", "vault.db-wal", "vault.db-shm"):
        assert path.read_bytes() == content, "a file of another user was rewritten"
    # Nothing happened but, when the vault was open by then, the refusal itself on the trail.
    assert {outcome for _, _, _, outcome in event_rows(home / "vault.db", events)} <= {"ConfigError"}
    listed = cli("list-api-key-credential-providers").json()["credentialProviders"]
    assert [p["name"] for p in listed] == ["mine"]


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757], ids=["world-writable", "group-writable", "other-writable"])
@pytest.mark.parametrize("levels_up", [1, 3])
def test_a_folder_above_the_vault_that_others_can_write_is_refused(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int, levels_up: int
):
    shared = tmp_path / "shared"
    home = shared / "/".join(["sub"] * (levels_up - 1)) / "vault-home" if levels_up > 1 else shared / "vault-home"
    home.parent.mkdir(parents=True, mode=0o700)
    os.chmod(shared, mode)
    monkeypatch.setenv("AGENTCORE_IDENTITY_HOME", str(home))
    for command in ("list", "create", "audit-verify"):
        result = cli(*COMMANDS[command], input="s3cret")
        assert result.exit_code == 253, (command, result.stderr)
        assert f"The folder {shared}, above {home}, is writable by other users" in result.stderr
        assert f"chmod go-w {shared}" in result.stderr
    assert not (home / "vault.db").exists()


@pytest.mark.parametrize("levels_up", [1, 3])
def test_a_sticky_folder_above_the_vault_is_accepted(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, levels_up: int
):
    shared = tmp_path / "shared"
    home = shared / "/".join(["sub"] * (levels_up - 1)) / "vault-home" if levels_up > 1 else shared / "vault-home"
    home.parent.mkdir(parents=True, mode=0o700)
    os.chmod(shared, 0o1777)
    monkeypatch.setenv("AGENTCORE_IDENTITY_HOME", str(home))
    made = cli("create-api-key-credential-provider", "--name", "mine", "--api-key", "-", input=SECRET)
    assert made.exit_code == 0, made.stderr
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
