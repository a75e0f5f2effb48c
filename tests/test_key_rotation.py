"""reset-token-vault-key-material and set-token-vault-cmk on the local vault."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from agentcore_identity_cli.backends.local.backend import LocalBackend


def _secrets(vault: Path) -> dict[str, str]:
    backend = LocalBackend(vault)
    try:
        return {name: backend.open_secret("apikey", name, "apiKey") for name in backend.store.names("apikey")}
    finally:
        backend.close()


def test_rotation_reseals_every_secret_under_a_new_key(cli, home: Path):
    for i in range(5):
        cli("create-api-key-credential-provider", "--name", f"p{i}", "--api-key", "-", input=f"secret-{i}")
    old_key = (home / "vault.key").read_text()
    before = cli("get-token-vault").json()["lastModifiedDate"]
    result = cli("reset-token-vault-key-material", "--token-vault-id", "default")
    assert result.exit_code == 0, result.stderr
    assert result.json()["tokenVaultId"] == "default"
    assert result.json()["lastModifiedDate"] > before
    assert (home / "vault.key").read_text() != old_key
    assert not (home / "vault.key.next").exists()
    assert _secrets(home / "vault.db") == {f"p{i}": f"secret-{i}" for i in range(5)}


def test_rotation_with_key_from_environment_is_refused_clearly(cli):
    import base64

    env = {"AGENTCORE_IDENTITY_VAULT_KEY": base64.b64encode(os.urandom(32)).decode()}
    cli("create-api-key-credential-provider", "--name", "p", "--api-key", "-", input="s", env=env)
    result = cli("reset-token-vault-key-material", "--token-vault-id", "default", env=env)
    assert result.exit_code == 253
    assert "cannot be rotated in place" in result.stderr


def test_unknown_token_vault_is_not_found(cli):
    result = cli("get-token-vault", "--token-vault-id", "other")
    assert result.exit_code == 254
    assert "ResourceNotFoundException" in result.stderr


_ROTATE = """
import sys
from pathlib import Path
from agentcore_identity_cli.backends.local.backend import LocalBackend
backend = LocalBackend(Path(sys.argv[1]))
print("ready", flush=True)
backend.invoke("ResetTokenVaultKeyMaterial", {"tokenVaultId": "default"})
print("done", flush=True)
"""


def test_rotation_killed_half_way_leaves_every_secret_readable(home: Path, cli):
    cli("vault", "init")
    backend = LocalBackend(home / "vault.db")
    expected = {}
    with backend.store.transaction():
        for i in range(3000):
            name = f"p{i:04d}"
            backend.invoke("CreateApiKeyCredentialProvider", {"name": name, "apiKey": f"secret-{i}"})
            expected[name] = f"secret-{i}"
    backend.close()
    outcomes = set()
    for delay in (0.0, 0.02, 0.05, 0.1, 0.2, 0.4):
        proc = subprocess.Popen(
            [sys.executable, "-c", _ROTATE, str(home / "vault.db")],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ},
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        outcomes.add("killed" if proc.returncode < 0 else "finished")
        # Whatever moment it died at, the vault opens and every secret is intact.
        assert _secrets(home / "vault.db") == expected
        assert cli("list-api-key-credential-providers", "--max-items", "1").exit_code == 0
    assert "killed" in outcomes


def test_set_cmk_moves_the_key_under_a_passphrase_and_back(cli, home: Path):
    cli("create-api-key-credential-provider", "--name", "p", "--api-key", "-", input="s3cret")
    env = {"AGENTCORE_IDENTITY_PASSPHRASE": "a long passphrase"}
    to_customer = cli("set-token-vault-cmk", "--kms-configuration", "keyType=CustomerManagedKey", env=env)
    assert to_customer.exit_code == 0, to_customer.stderr
    assert to_customer.json()["kmsConfiguration"] == {"keyType": "CustomerManagedKey"}
    assert not (home / "vault.key").exists()
    assert cli("get-token-vault").json()["kmsConfiguration"]["keyType"] == "CustomerManagedKey"
    os.environ["AGENTCORE_IDENTITY_PASSPHRASE"] = env["AGENTCORE_IDENTITY_PASSPHRASE"]
    try:
        assert _secrets(home / "vault.db") == {"p": "s3cret"}
    finally:
        del os.environ["AGENTCORE_IDENTITY_PASSPHRASE"]
    back = cli("set-token-vault-cmk", "--kms-configuration", '{"keyType": "ServiceManagedKey"}', env=env)
    assert back.exit_code == 0, back.stderr
    assert (home / "vault.key").exists()
    assert _secrets(home / "vault.db") == {"p": "s3cret"}


def test_set_cmk_with_a_kms_key_arn_is_refused_locally(cli):
    arn = "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012"
    result = cli("set-token-vault-cmk", "--kms-configuration", f"keyType=CustomerManagedKey,kmsKeyArn={arn}")
    assert result.exit_code == 254
    assert "no KMS" in result.stderr
