"""Sealed values: the format every version must read, and what binds a ciphertext to its place.

Each value is opened here with the `cryptography` primitives directly and associated data
written out by hand, so a change to the format, the associated data or the key derivation is
caught even where the code that seals and the code that opens would still agree with each other
(and so with every existing vault, backups included, disagree).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from agentcore_identity_cli.backends.local import crypto

API_KEY = "sk-sealed-under-the-vault-key"


@pytest.fixture
def vault(cli, home: Path) -> Path:
    created = cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input=API_KEY)
    assert created.exit_code == 0, created.stderr
    return home / "vault.db"


@pytest.fixture
def backend(vault: Path) -> Iterator[Any]:
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    opened = LocalBackend(vault)
    try:
        yield opened
    finally:
        opened.close()


def _row(vault: Path, kind: str, name: str, field: str) -> tuple[bytes, int]:
    db = sqlite3.connect(vault)
    try:
        sealed, version = db.execute(
            "SELECT sealed, version FROM secrets WHERE kind = ? AND name = ? AND field = ?", (kind, name, field)
        ).fetchone()
    finally:
        db.close()
    return bytes(sealed), int(version)


def _vault_id(vault: Path) -> str:
    db = sqlite3.connect(vault)
    try:
        return str(db.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()[0])
    finally:
        db.close()


def _aad(vault: Path, *parts: str) -> bytes:
    return "\x1f".join(("agentcore-identity/v1", _vault_id(vault), *parts)).encode()


def test_a_secret_is_aes_gcm_under_the_vault_key_bound_to_its_vault_record_field_and_version(vault: Path, backend: Any):
    sealed, version = _row(vault, "apikey", "openai", "apiKey")
    assert version > 0
    assert sealed[:1] == b"\x01"  # the format byte
    assert len(sealed) == 1 + 12 + len(API_KEY) + 16  # nonce, ciphertext, tag
    aad = _aad(vault, "apikey", "openai", "apiKey", f"version={version}")
    assert AESGCM(backend.keys.key()).decrypt(sealed[1:13], sealed[13:], aad) == API_KEY.encode()


def test_every_seal_draws_a_fresh_nonce_and_a_higher_version(cli, vault: Path):
    before, first = _row(vault, "apikey", "openai", "apiKey")
    again = cli("update-api-key-credential-provider", "--name", "openai", "--api-key", "-", input=API_KEY)
    assert again.exit_code == 0, again.stderr
    after, second = _row(vault, "apikey", "openai", "apiKey")
    assert second > first
    assert after[1:13] != before[1:13] and after != before


def test_a_value_sealed_with_another_versions_associated_data_does_not_open(cli, vault: Path, backend: Any):
    sealed, version = _row(vault, "apikey", "openai", "apiKey")
    key = backend.keys.key()
    for parts in (
        ("apikey", "openai", "apiKey"),  # no version
        ("apikey", "openai", "apiKey", f"version={version + 1}"),
        ("apikey", "other", "apiKey", f"version={version}"),
        ("oauth2", "openai", "apiKey", f"version={version}"),
        ("apikey", "openai", "clientSecret", f"version={version}"),
    ):
        with pytest.raises(crypto.SealError):
            crypto.open_sealed(key, sealed, _aad(vault, *parts))
    assert crypto.open_sealed(key, sealed, _aad(vault, "apikey", "openai", "apiKey", f"version={version}")) == (
        API_KEY.encode()
    )


def test_the_associated_data_names_the_format_the_vault_and_each_part():
    assert crypto.associated_data("v-1", "apikey", "openai", "apiKey") == (
        b"agentcore-identity/v1\x1fv-1\x1fapikey\x1fopenai\x1fapiKey"
    )


def test_a_new_key_is_32_random_bytes():
    first, second = crypto.new_key(), crypto.new_key()
    assert len(first) == len(second) == 32 and first != second


def test_the_shortest_sealed_value_opens_and_anything_shorter_or_of_another_format_does_not():
    key, aad = crypto.new_key(), b"context"
    empty = crypto.seal(key, b"", aad)
    assert len(empty) == 1 + 12 + 16
    assert crypto.open_sealed(key, empty, aad) == b""
    with pytest.raises(crypto.SealError, match="not a sealed value of a known format"):
        crypto.open_sealed(key, empty[:-1], aad)
    with pytest.raises(crypto.SealError, match="not a sealed value of a known format"):
        crypto.open_sealed(key, b"\x02" + empty[1:], aad)
    with pytest.raises(crypto.SealError, match="authentication failed"):
        crypto.open_sealed(crypto.new_key(), empty, aad)
    with pytest.raises(crypto.SealError, match="authentication failed"):
        crypto.open_sealed(key, empty, b"another context")


def test_the_passphrase_key_is_argon2id_with_the_stored_parameters():
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    params = crypto.KdfParams(salt=b"sixteen byte salt", memory_kib=8 * 1024, iterations=3, lanes=2)
    expected = Argon2id(salt=b"sixteen byte salt", length=32, iterations=3, lanes=2, memory_cost=8 * 1024).derive(
        b"correct horse battery staple"
    )
    assert params.derive("correct horse battery staple") == expected
    assert crypto.KdfParams(salt=b"s" * 16).derive("pw") != crypto.KdfParams(salt=b"t" * 16).derive("pw")


def test_a_missing_sealed_value_is_a_decryption_failure_naming_it(backend: Any):
    from agentcore_identity_cli.errors import ServiceError

    with pytest.raises(ServiceError) as missing:
        backend.open_secret("apikey", "openai", "noSuchField")
    assert (missing.value.code, missing.value.message) == (
        "DecryptionFailure",
        "No noSuchField is stored for API key credential provider 'openai'.",
    )


def test_a_rotation_reseals_every_value_under_the_new_key_keeping_its_version(cli, vault: Path, backend: Any):
    before, version = _row(vault, "apikey", "openai", "apiKey")
    rotated = cli("reset-token-vault-key-material", "--token-vault-id", "default")
    assert rotated.exit_code == 0, rotated.stderr
    after, kept = _row(vault, "apikey", "openai", "apiKey")
    assert kept == version and after != before
    backend.keys.forget()
    aad = _aad(vault, "apikey", "openai", "apiKey", f"version={version}")
    assert AESGCM(backend.keys.key()).decrypt(after[1:13], after[13:], aad) == API_KEY.encode()


def _damage(vault: Path, sealed: bytes) -> bytes:
    """The stored apiKey of 'openai' with its last byte flipped, written over it; returned."""
    damaged = sealed[:-1] + bytes([sealed[-1] ^ 1])
    db = sqlite3.connect(vault, isolation_level=None)
    try:
        db.execute("UPDATE secrets SET sealed = ? WHERE kind = 'apikey' AND name = 'openai'", (damaged,))
    finally:
        db.close()
    return damaged


def test_a_rotation_over_a_damaged_value_is_refused_and_changes_nothing(cli, vault: Path, home: Path):
    sealed, _ = _row(vault, "apikey", "openai", "apiKey")
    key_file = (home / "vault.key").read_bytes()
    damaged = _damage(vault, sealed)
    rotated = cli("reset-token-vault-key-material", "--token-vault-id", "default")
    assert rotated.exit_code == 254
    assert "(DecryptionFailure)" in rotated.stderr
    assert "The stored apiKey of 'openai' failed authentication; nothing was rotated." in rotated.stderr
    assert (home / "vault.key").read_bytes() == key_file
    assert _row(vault, "apikey", "openai", "apiKey")[0] == damaged


# --- the record of changes to sealed values: how it is read, and the verdicts it gives ---------


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"written": 1}',
        '["written"]',
        '[["written", "apikey", "openai", "apiKey"]]',
        '[["written", "apikey", "openai", "apiKey", 1, 2]]',
        '[["rewritten", "apikey", "openai", "apiKey", 1]]',
        '[["written", 5, "openai", "apiKey", 1]]',
        '[["written", "apikey", null, "apiKey", 1]]',
        '[["written", "apikey", "openai", ["apiKey"], 1]]',
        '[["written", "apikey", "openai", "apiKey", "1"]]',
        '[["written", "apikey", "openai", "apiKey", true]]',
        '[["written", "apikey", "openai", "apiKey", 1.0]]',
    ],
)
def test_a_malformed_record_of_changes_reads_as_none(text: str):
    from agentcore_identity_cli.backends.local.audit import _changes

    assert _changes(text) is None


def test_a_record_of_changes_reads_as_tuples():
    from agentcore_identity_cli.backends.local.audit import _changes

    assert _changes('[["written","apikey","openai","apiKey",3],["deleted","oauth2","g","clientSecret",2]]') == [
        ("written", "apikey", "openai", "apiKey", 3),
        ("deleted", "oauth2", "g", "clientSecret", 2),
    ]
    assert _changes("[]") == []


def _verify_problem(cli) -> str:
    verified = cli("audit", "verify")
    assert verified.exit_code == 254, verified.stdout
    problem: str = verified.json()["problem"]
    return problem


def _roll_back(cli, vault: Path) -> tuple[int, int]:
    """Replace the API key, then write the first sealed value back with its version, through SQL
    (the triggers note it); returns (the version written back, the version it replaced)."""
    old_sealed, old_version = _row(vault, "apikey", "openai", "apiKey")
    updated = cli("update-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-newer")
    assert updated.exit_code == 0, updated.stderr
    _, new_version = _row(vault, "apikey", "openai", "apiKey")
    db = sqlite3.connect(vault, isolation_level=None)
    try:
        db.execute(
            "UPDATE secrets SET sealed = ?, version = ? WHERE kind = 'apikey' AND name = 'openai'",
            (old_sealed, old_version),
        )
    finally:
        db.close()
    return old_version, new_version


def test_a_rollback_noted_by_the_triggers_but_not_yet_in_the_chain_is_named_as_such(cli, vault: Path):
    old_version, new_version = _roll_back(cli, vault)
    assert _verify_problem(cli) == (
        f"a change not yet in the chain records the apiKey of apikey 'openai' written back with version "
        f"{old_version}, after version {new_version} existed: a sealed value was rolled back"
    )


def test_removed_triggers_are_named_each(cli, vault: Path):
    db = sqlite3.connect(vault, isolation_level=None)
    try:
        db.execute("DROP TRIGGER secrets_inserted")
        db.execute("DROP TRIGGER secrets_deleted")
    finally:
        db.close()
    assert _verify_problem(cli) == (
        "the vault's triggers that record changes to sealed values were removed (secrets_inserted, secrets_deleted)"
    )


@pytest.mark.parametrize("version", [1, 7])
def test_a_value_no_change_recorded_is_named_with_its_version(cli, vault: Path, version: int):
    """Added behind the triggers, with a version the counter has given (1) or not (7)."""
    sealed, _ = _row(vault, "apikey", "openai", "apiKey")
    db = sqlite3.connect(vault, isolation_level=None)
    try:
        db.execute("DROP TRIGGER secrets_inserted")
        db.execute(
            "INSERT INTO secrets (kind, name, field, sealed, version) VALUES ('apikey', 'openai', 'extra', ?, ?)",
            (sealed, version),
        )
    finally:
        db.close()
    from agentcore_identity_cli.backends.local.vault import MIGRATIONS, _statements

    db = sqlite3.connect(vault, isolation_level=None)
    try:
        for statement in _statements(MIGRATIONS[4]):
            if "TRIGGER secrets_inserted" in statement:
                db.execute(statement)
    finally:
        db.close()
    assert _verify_problem(cli) == (
        f"the extra of apikey 'openai' has version {version}, but no change to it was ever recorded"
    )


def test_a_damaged_value_sealed_before_versions_does_not_stop_the_others_getting_one(cli, home: Path):
    """The upgrade skips a value that does not open (reading it reports the damage) and goes on."""
    from tests.audit_support import build_v1_vault

    build_v1_vault(home, {"damaged": "sk-one", "sound": "sk-two"})
    vault = home / "vault.db"
    db = sqlite3.connect(vault, isolation_level=None)
    try:
        db.execute("UPDATE secrets SET sealed = zeroblob(40) WHERE name = 'damaged'")
    finally:
        db.close()
    assert cli("api-key", "sound").stdout.strip() == "sk-two"
    assert _row(vault, "apikey", "sound", "apiKey")[1] > 0
    assert _row(vault, "apikey", "damaged", "apiKey")[1] == 0
    assert cli("api-key", "damaged").exit_code == 254


def test_the_event_of_a_sealed_secret_names_its_resource_over_one_looked_up_before(vault: Path, backend: Any):
    """A target noted first by a lookup gives way to the resource whose secret was sealed."""
    from tests.audit_support import APIKEY_ARN, WORKLOAD_ARN, events

    with backend.audited("UpdateApiKeyCredentialProvider"):
        backend.audit_target(WORKLOAD_ARN + "looked-up")
        backend.seal_secret("apikey", "openai", "apiKey", "sk-sealed-again")
    assert events(vault)[-1]["target"] == APIKEY_ARN + "openai"
    assert backend.open_secret("apikey", "openai", "apiKey") == "sk-sealed-again"


def test_a_value_that_has_a_version_already_is_skipped_and_the_others_still_get_one(cli, home: Path):
    """A rotation finished by recovery loads the key without the upgrade, so a value can be
    written, with a version, before the upgrade runs; the upgrade leaves it and goes on."""
    from tests.audit_support import build_v1_vault

    build_v1_vault(home, {"written-since": "sk-one", "sound": "sk-two", "other": "sk-three"})
    vault = home / "vault.db"
    assert cli("list-api-key-credential-providers").exit_code == 0  # migrated, not yet upgraded
    db = sqlite3.connect(vault, isolation_level=None)
    try:
        db.execute("UPDATE secrets SET version = 100 WHERE name = 'written-since'")
    finally:
        db.close()
    assert cli("api-key", "sound").stdout.strip() == "sk-two"
    assert _row(vault, "apikey", "sound", "apiKey")[1] > 0
    assert _row(vault, "apikey", "other", "apiKey")[1] > 0
    assert _row(vault, "apikey", "written-since", "apiKey")[1] == 100


# --- KeyRing.open: one more read only when the key was rotated meanwhile ------------------------


def _sealed_read(backend: Any, vault: Path, calls: list[int], then: Any = None) -> Any:
    """A read of the API key's sealed value as open_sealed_value does it, counting its calls; `then`
    runs after each read, before the value is opened."""

    def read() -> tuple[bytes, bytes]:
        sealed, version = _row(vault, "apikey", "openai", "apiKey")
        calls.append(version)
        if then is not None:
            then(sealed)
        return sealed, backend._aad("apikey", "openai", "apiKey", version)

    return read


def test_a_value_that_fails_to_open_with_the_key_unchanged_is_read_once(vault: Path, backend: Any):
    """No rotation happened: the failure is the value's, reported at once."""
    backend.keys.key()
    sealed, _ = _row(vault, "apikey", "openai", "apiKey")
    _damage(vault, sealed)
    calls: list[int] = []
    with pytest.raises(crypto.SealError):
        backend.keys.open(_sealed_read(backend, vault, calls))
    assert len(calls) == 1


def test_a_read_raced_by_one_rotation_is_read_again_and_opens(vault: Path, backend: Any):
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    backend.keys.key()
    other = LocalBackend(vault)
    rotations: list[int] = []

    def rotate_once(_: bytes) -> None:
        if not rotations:
            other.reset_token_vault_key_material({"tokenVaultId": "default"})
            rotations.append(1)

    calls: list[int] = []
    try:
        assert backend.keys.open(_sealed_read(backend, vault, calls, rotate_once)) == API_KEY.encode()
    finally:
        other.close()
    assert len(calls) == 2


def test_a_read_raced_by_a_rotation_each_time_fails_after_one_retry(vault: Path, backend: Any):
    """Two rotations, each between a read and its opening: the value is read twice, and the
    second failure is reported as the value's (a SealError), not as an internal error."""
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    backend.keys.key()
    other = LocalBackend(vault)
    calls: list[int] = []
    try:
        with pytest.raises(crypto.SealError):
            backend.keys.open(
                _sealed_read(
                    backend, vault, calls, lambda _: other.reset_token_vault_key_material({"tokenVaultId": "default"})
                )
            )
    finally:
        other.close()
    assert len(calls) == 2


def test_a_rollback_taken_into_the_chain_names_its_event(cli, vault: Path):
    """The triggers' record of a rollback goes into the next command's event, which verify names."""
    old_version, new_version = _roll_back(cli, vault)
    assert cli("create-workload-identity", "--name", "after").exit_code == 0
    from tests.audit_support import events

    last = events(vault)[-1]
    assert last["operation"] == "CreateWorkloadIdentity" and last["sealed"] is not None
    assert _verify_problem(cli) == (
        f"event #{last['seq']} records the apiKey of apikey 'openai' written back with version "
        f"{old_version}, after version {new_version} existed: a sealed value was rolled back"
    )
