"""A sealed value altered in the vault file never opens: DecryptionFailure (exit 254), never a wrong value.

The test edits the `secrets` table (and the sealed token-signing key in `meta`) with plain
SQLite, as anyone who can write the file could, then reads through the CLI (`api-key`,
exit 254 naming `DecryptionFailure`, the value in neither stdout nor stderr) or the library
(`open_secret` raises the DecryptionFailure ServiceError):

- one random bit flipped in a sealed value, every sealed value of the vault in turn: the
  read refuses, and once the bit is put back the value opens again, unchanged;
- two records' values of the same field swapped, two fields of one record swapped, and the
  values of a provider and of a provider of another kind with the same name swapped: both
  refuse;
- a sealed value copied from another vault, under that vault's key or under the same key:
  it refuses, since the vault id is in the associated data.

Each refusal leaves one DecryptionFailure event in the audit trail, and `audit verify`
still passes afterwards.

Default: 60 bit flips. AGENTCORE_RELIABILITY_SCALE multiplies them; AGENTCORE_RELIABILITY_SEED
repeats a run's choices (tests/reliability/support.py):

    export AGENTCORE_RELIABILITY_SCALE=5
    python -m pytest -q -p no:cacheprovider tests/reliability/test_sealed_value_tampering.py
"""

from __future__ import annotations

import base64
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from agentcore_identity_cli.backends.local.backend import LocalBackend
from agentcore_identity_cli.client import validated_call
from agentcore_identity_cli.errors import ServiceError
from tests.reliability.support import Expected, assert_sound, event_rows, last_seq, populate_vault

BIT_FLIPS = 60
SIGNING_KEY = ("meta", "signing_key", "")  # the token-signing key, sealed in meta rather than `secrets`
TWIN_SECRETS = {"apikey": "twin-api-key", "oauth2": "twin-client-secret"}


def _seed(vault: Path) -> Expected:
    expected = populate_vault(vault, 3)
    backend = LocalBackend(vault)
    try:
        validated_call(backend, "CreateApiKeyCredentialProvider", {"name": "twin", "apiKey": TWIN_SECRETS["apikey"]})
        issuer = "https://twin.example.com"
        config = {
            "oauthDiscovery": {
                "authorizationServerMetadata": {
                    "issuer": issuer,
                    "authorizationEndpoint": f"{issuer}/authorize",
                    "tokenEndpoint": f"{issuer}/token",
                }
            },
            "clientId": "twin",
            "clientSecret": TWIN_SECRETS["oauth2"],
        }
        validated_call(
            backend,
            "CreateOauth2CredentialProvider",
            {
                "name": "twin",
                "credentialProviderVendor": "CustomOauth2",
                "oauth2ProviderConfigInput": {"customOauth2ProviderConfig": config},
            },
        )
    finally:
        backend.close()
    expected[("apikey", "twin", "apiKey")] = TWIN_SECRETS["apikey"]
    expected[("oauth2", "twin", "clientSecret")] = TWIN_SECRETS["oauth2"]
    return expected


# --- editing the file, as anyone with write access could ---------------------------------


def _read_sealed(vault: Path, kind: str, name: str, field: str) -> bytes:
    db = sqlite3.connect(vault)
    try:
        row = db.execute(
            "SELECT sealed FROM secrets WHERE kind = ? AND name = ? AND field = ?", (kind, name, field)
        ).fetchone()
    finally:
        db.close()
    assert row is not None, (kind, name, field)
    return bytes(row[0])


def _write_sealed(vault: Path, kind: str, name: str, field: str, sealed: bytes) -> None:
    """Overwrite the sealed bytes of a row, leaving the rest of it as it is."""
    db = sqlite3.connect(vault)
    try:
        db.execute(
            "UPDATE secrets SET sealed = ? WHERE kind = ? AND name = ? AND field = ?", (sealed, kind, name, field)
        )
        db.commit()
    finally:
        db.close()


def _sealed(vault: Path, target: tuple[str, str, str]) -> bytes:
    if target == SIGNING_KEY:
        db = sqlite3.connect(vault)
        try:
            return bytes.fromhex(db.execute("SELECT value FROM meta WHERE key = 'signing_key'").fetchone()[0])
        finally:
            db.close()
    return _read_sealed(vault, *target)


def _set_sealed(vault: Path, target: tuple[str, str, str], sealed: bytes) -> None:
    if target == SIGNING_KEY:
        db = sqlite3.connect(vault)
        try:
            db.execute("UPDATE meta SET value = ? WHERE key = 'signing_key'", (sealed.hex(),))
            db.commit()
        finally:
            db.close()
    else:
        _write_sealed(vault, *target, sealed)


# --- reading, as a user or agent code would -----------------------------------------------


def _refused_by_cli(cli: Any, name: str, secret: str | None) -> None:
    """`api-key NAME` exits 254 with DecryptionFailure and shows no secret."""
    result = cli("api-key", name, "--workload-name", "agent")
    assert result.exit_code == 254, (result.exit_code, result.stderr)
    assert "(DecryptionFailure)" in result.stderr
    assert "Traceback" not in result.stderr
    if secret is not None:
        assert secret not in result.stdout + result.stderr


def _refused_by_library(vault: Path, kind: str, name: str, field: str) -> None:
    backend = LocalBackend(vault)
    try:
        with pytest.raises(ServiceError) as refused:
            value = backend.open_secret(kind, name, field)
            pytest.fail(f"{kind}/{name}/{field} opened to a value ({len(value)} characters) after tampering")
    finally:
        backend.close()
    assert (refused.value.code, refused.value.exit_code) == ("DecryptionFailure", 254)


def _refused(cli: Any, vault: Path, target: tuple[str, str, str], expected: Expected) -> None:
    """Reading `target` refuses; through the CLI for an API key and the signing key, else the library."""
    kind, name, field = target
    if target == SIGNING_KEY:
        _refused_by_cli(cli, "bulk-00000", None)  # a workload access token cannot be signed
    elif kind == "apikey":
        _refused_by_cli(cli, name, expected[target])
    else:
        _refused_by_library(vault, kind, name, field)


def _opens(vault: Path, expected: Expected) -> None:
    """Every sealed value opens to what it held."""
    backend = LocalBackend(vault)
    try:
        for (kind, name, field), value in expected.items():
            assert backend.open_secret(kind, name, field) == value, f"{kind}/{name}/{field}"
        validated_call(backend, "GetWorkloadAccessToken", {"workloadName": "agent"})  # the signing key opens
    finally:
        backend.close()


def _failures_since(vault: Path, seq: int) -> int:
    return sum(1 for _, _, _, outcome in event_rows(vault, seq) if outcome == "DecryptionFailure")


def test_a_flipped_bit_in_any_sealed_value_is_refused_never_read(cli, home: Path, trials):
    vault = home / "vault.db"
    expected = _seed(vault)
    targets = [*sorted(expected), SIGNING_KEY]
    run = trials(BIT_FLIPS)
    seq = last_seq(vault)
    for trial in run:
        with run.attempt(trial):
            rng = run.rng(trial)
            target = targets[trial % len(targets)]  # each sealed value in turn, a random bit each time
            original = _sealed(vault, target)
            bit = rng.randrange(len(original) * 8)
            flipped = bytearray(original)
            flipped[bit // 8] ^= 1 << (bit % 8)
            _set_sealed(vault, target, bytes(flipped))
            try:
                _refused(cli, vault, target, expected)
            finally:
                _set_sealed(vault, target, original)
    with run.attempt():
        assert _failures_since(vault, seq) == run.count, "each refused read leaves one DecryptionFailure event"
        _opens(vault, expected)
        assert_sound(vault)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("apikey", "bulk-00000", "apiKey"), ("apikey", "bulk-00001", "apiKey")),
        (("oauth2", "jwt-client", "clientSecret"), ("oauth2", "jwt-client", "privateKey")),
        (("apikey", "twin", "apiKey"), ("oauth2", "twin", "clientSecret")),
    ],
    ids=["same-field-two-records", "two-fields-one-record", "same-name-two-kinds"],
)
def test_swapped_sealed_values_are_both_refused(
    cli, home: Path, first: tuple[str, str, str], second: tuple[str, str, str]
):
    vault = home / "vault.db"
    expected = _seed(vault)
    seq = last_seq(vault)
    one, other = _read_sealed(vault, *first), _read_sealed(vault, *second)
    _write_sealed(vault, *first, other)
    _write_sealed(vault, *second, one)
    _refused(cli, vault, first, expected)
    _refused(cli, vault, second, expected)
    assert _failures_since(vault, seq) == 2
    _write_sealed(vault, *first, one)
    _write_sealed(vault, *second, other)
    _opens(vault, expected)
    assert_sound(vault)


@pytest.mark.parametrize("same_key", [False, True], ids=["its-own-key", "the-same-key"])
def test_a_sealed_value_copied_from_another_vault_is_refused(cli, home: Path, tmp_path: Path, same_key: bool):
    vault = home / "vault.db"
    _seed(vault)
    other_home = tmp_path / "other"
    env = {"AGENTCORE_IDENTITY_HOME": str(other_home)}
    if same_key:
        # The other vault is sealed with this vault's very key: only the vault id tells them apart.
        env["AGENTCORE_IDENTITY_VAULT_KEY"] = base64.b64encode(
            base64.b64decode((home / "vault.key").read_text())
        ).decode()
    made = cli(
        "create-api-key-credential-provider", "--name", "bulk-00000", "--api-key", "-", input="other-vault", env=env
    )
    assert made.exit_code == 0, made.stderr
    seq = last_seq(vault)
    copied = _read_sealed(other_home / "vault.db", "apikey", "bulk-00000", "apiKey")
    _write_sealed(vault, "apikey", "bulk-00000", "apiKey", copied)
    result = cli("api-key", "bulk-00000", "--workload-name", "agent")
    assert result.exit_code == 254 and "(DecryptionFailure)" in result.stderr, result.stderr
    assert "other-vault" not in result.stdout + result.stderr
    _refused_by_library(vault, "apikey", "bulk-00000", "apiKey")
    assert _failures_since(vault, seq) == 2
    assert_sound(vault)
