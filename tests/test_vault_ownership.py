"""A vault, its key and the folders above them must be the user's own, not only private."""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SECRET = "sk-live-OWNERSHIP-CANARY-0123456789"


def _create(cli, name: str = "openai"):
    return cli("create-api-key-credential-provider", "--name", name, "--api-key", "-", input=SECRET)


def _admin_tool(name: str) -> str:
    """useradd and userdel live in the sbin folders, which a minimal PATH may leave out."""
    found = shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
    if found is None:
        pytest.fail(f"{name} is not installed: the ownership tests need it to make a second OS user")
    return found


@pytest.fixture
def other_user() -> Iterator[tuple[str, int]]:
    """A second OS user (created for the test when running as root), as (name, uid)."""
    if os.geteuid() != 0:
        reason = "needs root to create a second OS user and hand it files"
        if os.environ.get("CI"):
            pytest.fail(reason)
        print(f"skipped: {reason}")
        pytest.skip(reason)
    name = f"acitest{secrets.token_hex(3)}"
    # useradd takes a lock on /etc/passwd and gives up at once when another process (another
    # test run on this machine) holds it: try again for a few seconds.
    for attempt in range(50):
        made = subprocess.run(
            [_admin_tool("useradd"), "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            capture_output=True,
            text=True,
        )
        if made.returncode == 0:
            break
        if attempt == 49 or "lock" not in made.stderr:
            pytest.fail(f"useradd {name} failed ({made.returncode}): {made.stderr.strip()}")
        time.sleep(0.2)
    try:
        import pwd

        yield name, pwd.getpwnam(name).pw_uid
    finally:
        subprocess.run([_admin_tool("userdel"), name], check=False)


def _hand_over(path: Path, uid: int) -> None:
    os.chown(path, uid, -1)


def test_a_vault_folder_of_another_user_is_refused_naming_the_owner(cli, home: Path, other_user):
    name, uid = other_user
    home.mkdir(mode=0o700)
    key = home / "vault.key"
    key.write_text("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
    os.chmod(key, 0o600)
    for path in (home, key):
        _hand_over(path, uid)
    result = _create(cli)
    assert result.exit_code == 253, result.stderr
    assert name in result.stderr and str(home) in result.stderr
    assert "owned by" in result.stderr
    assert not (home / "vault.db").exists()


def test_a_home_reached_through_a_symlink_is_checked_where_it_points(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, other_user
):
    name, uid = other_user
    real = tmp_path / "theirs"
    real.mkdir(mode=0o700)
    _hand_over(real, uid)
    link = tmp_path / "link"
    link.symlink_to(real)
    monkeypatch.setenv("AGENTCORE_IDENTITY_HOME", str(link))
    result = _create(cli)
    assert result.exit_code == 253
    assert name in result.stderr


@pytest.mark.parametrize("file", ["vault.db", "vault.key", "vault.db-wal", "vault.db-shm"])
def test_a_vault_file_of_another_user_is_refused(cli, home: Path, other_user, file: str):
    name, uid = other_user
    assert _create(cli).exit_code == 0
    path = home / file
    if not path.exists():
        path.touch(mode=0o600)
    _hand_over(path, uid)
    result = _create(cli, "b")
    assert result.exit_code == 253, result.stderr
    assert name in result.stderr and file in result.stderr


def test_a_parent_folder_writable_by_others_is_refused(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    monkeypatch.setenv("AGENTCORE_IDENTITY_HOME", str(shared / "mine"))
    result = _create(cli)
    assert result.exit_code == 253
    assert str(shared) in result.stderr and "writable by other users" in result.stderr
    assert not (shared / "mine").exists()  # refused before anything was made in the shared folder


@pytest.mark.parametrize("file", ["vault.key", "vault.key.next"])
def test_a_key_file_of_another_user_is_refused_by_commands_that_need_no_key(cli, home: Path, other_user, file: str):
    name, uid = other_user
    assert _create(cli).exit_code == 0
    path = home / file
    if not path.exists():
        path.write_bytes((home / "vault.key").read_bytes())
        os.chmod(path, 0o600)
    _hand_over(path, uid)
    listed = cli("list-workload-identities")
    assert listed.exit_code == 253, listed.stderr
    assert name in listed.stderr and file in listed.stderr


def test_a_sticky_shared_parent_folder_is_accepted(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    monkeypatch.setenv("AGENTCORE_IDENTITY_HOME", str(shared / "mine"))
    assert _create(cli).exit_code == 0


def test_missing_parent_folders_are_made_0700_whatever_the_umask(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path / "a" / "b" / "c"
    monkeypatch.setenv("AGENTCORE_IDENTITY_HOME", str(home))
    old = os.umask(0)
    try:
        assert _create(cli).exit_code == 0
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b", home):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
