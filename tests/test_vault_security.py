"""The vault at rest: encryption, file modes, keys, tampering."""

from __future__ import annotations

import base64
import os
import sqlite3
import stat
from pathlib import Path

import pytest

SECRET = "sk-live-PLAINTEXT-CANARY-0123456789"


def _create(cli, name: str = "openai", secret: str = SECRET, **kw):
    return cli("create-api-key-credential-provider", "--name", name, "--api-key", "-", input=secret, **kw)


def _all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())


def test_vault_files_never_hold_a_secret_in_plaintext(cli, home: Path):
    assert _create(cli).exit_code == 0
    client = "client-secret-CANARY-abcdef"
    # The WAL and the main file both count: grep everything in the folder.
    raw = _all_bytes(home)
    assert SECRET.encode() not in raw
    assert base64.b64encode(SECRET.encode()) not in raw
    assert client.encode() not in raw
    assert b"openai" in raw  # names stay readable: listing needs no key


def test_vault_folder_is_0700_and_files_0600(cli, home: Path):
    _create(cli)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for name in ("vault.db", "vault.key"):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600, name


@pytest.mark.parametrize("name", ["vault.db", "vault.key"])
def test_a_file_readable_by_others_is_refused_with_exit_253(cli, home: Path, name: str):
    _create(cli)
    os.chmod(home / name, 0o644)
    result = cli("get-api-key-credential-provider", "--name", "openai") if name == "vault.db" else _create(cli, "other")
    assert result.exit_code == 253
    assert "refusing" in result.stderr and "chmod 600" in result.stderr


def test_a_folder_writable_by_others_is_refused(cli, home: Path):
    _create(cli)
    os.chmod(home, 0o777)
    result = cli("list-api-key-credential-providers")
    assert result.exit_code == 253
    assert "chmod 700" in result.stderr


def test_wrong_vault_key_from_environment_exits_253_without_traceback(cli):
    key = base64.b64encode(os.urandom(32)).decode()
    assert _create(cli, env={"AGENTCORE_IDENTITY_VAULT_KEY": key}).exit_code == 0
    other = base64.b64encode(os.urandom(32)).decode()
    result = _create(cli, "second", env={"AGENTCORE_IDENTITY_VAULT_KEY": other})
    assert result.exit_code == 253
    assert "does not open the vault" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_vault_key_is_a_configuration_error(cli):
    result = _create(cli, env={"AGENTCORE_IDENTITY_VAULT_KEY": "not-base64!"})
    assert result.exit_code == 253
    assert "base64-encoded 32-byte key" in result.stderr


def test_vault_sealed_with_env_key_cannot_be_used_without_it(cli):
    key = base64.b64encode(os.urandom(32)).decode()
    _create(cli, env={"AGENTCORE_IDENTITY_VAULT_KEY": key})
    result = _create(cli, "second")
    assert result.exit_code == 253
    assert "AGENTCORE_IDENTITY_VAULT_KEY" in result.stderr


def test_missing_key_file_is_a_clear_configuration_error(cli, home: Path):
    _create(cli)
    (home / "vault.key").unlink()
    result = _create(cli, "second")
    assert result.exit_code == 253
    assert "key file" in result.stderr and "missing" in result.stderr


def test_tampered_ciphertext_gives_decryption_failure_254(cli, home: Path):
    _create(cli)
    db = sqlite3.connect(home / "vault.db")
    sealed = bytearray(db.execute("SELECT sealed FROM secrets").fetchone()[0])
    sealed[-1] ^= 0x01
    db.execute("UPDATE secrets SET sealed = ?", (bytes(sealed),))
    db.commit()
    db.close()
    result = cli("reset-token-vault-key-material", "--token-vault-id", "default")
    assert result.exit_code == 254
    assert "(DecryptionFailure)" in result.stderr
    assert "Traceback" not in result.stderr
    # The old key still opens every other secret: nothing was rotated.
    assert (home / "vault.key.next").exists() is False


def test_ciphertext_copied_onto_another_record_does_not_open(home: Path, cli):
    from agentcore_identity_cli.backends.local.backend import LocalBackend
    from agentcore_identity_cli.errors import ServiceError

    _create(cli, "alpha", "secret-alpha")
    _create(cli, "beta", "secret-beta")
    db = sqlite3.connect(home / "vault.db")
    alpha = db.execute("SELECT sealed FROM secrets WHERE name = 'alpha'").fetchone()[0]
    db.execute("UPDATE secrets SET sealed = ? WHERE name = 'beta'", (alpha,))
    db.commit()
    db.close()
    backend = LocalBackend(home / "vault.db")
    assert backend.open_secret("apikey", "alpha", "apiKey") == "secret-alpha"
    with pytest.raises(ServiceError) as caught:
        backend.open_secret("apikey", "beta", "apiKey")
    assert caught.value.code == "DecryptionFailure"
    assert caught.value.exit_code == 254
    backend.close()


def test_passphrase_vault_opens_only_with_the_passphrase(cli, home: Path):
    env = {"AGENTCORE_IDENTITY_PASSPHRASE": "correct horse battery staple"}
    init = cli("vault", "init", "--passphrase", env=env)
    assert init.exit_code == 0, init.stderr
    assert init.json()["keySource"] == "passphrase"
    assert not (home / "vault.key").exists()
    assert _create(cli, env=env).exit_code == 0
    wrong = _create(cli, "two", env={"AGENTCORE_IDENTITY_PASSPHRASE": "wrong"})
    assert wrong.exit_code == 253
    assert "passphrase does not open" in wrong.stderr
    none = _create(cli, "three")
    assert none.exit_code == 253
    assert "AGENTCORE_IDENTITY_PASSPHRASE" in none.stderr
    assert cli("get-token-vault").json()["kmsConfiguration"]["keyType"] == "CustomerManagedKey"


def test_listing_needs_no_key(cli, home: Path):
    _create(cli)
    (home / "vault.key").rename(home / "elsewhere.key")
    listed = cli("list-api-key-credential-providers")
    assert listed.exit_code == 0
    assert listed.json()["credentialProviders"][0]["name"] == "openai"


def test_schema_newer_than_the_tool_is_refused(cli, home: Path):
    _create(cli)
    db = sqlite3.connect(home / "vault.db")
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    result = cli("list-api-key-credential-providers")
    assert result.exit_code == 253
    assert "upgrade" in result.stderr


def test_not_a_vault_file_is_a_configuration_error(cli, home: Path):
    home.mkdir(mode=0o700)
    vault = home / "vault.db"
    vault.write_bytes(b"this is not sqlite" * 100)
    os.chmod(vault, 0o600)
    result = cli("list-api-key-credential-providers")
    assert result.exit_code == 253
    assert "cannot be opened" in result.stderr
