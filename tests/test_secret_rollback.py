"""Rolling back one secret: writing an older sealed value back into its row.

Someone who can write the vault file but has no key (a passphrase vault, a copied backup)
cannot make a secret up, but could put back an older one they saw: a revoked API key, an
older client secret. Each sealed value carries a version bound into its associated data and
recorded in the audit chain, so:
- the older ciphertext alone fails to open (DecryptionFailure, 254);
- the older ciphertext with its older version opens (nothing in the row can tell), but the
  audit chain has the newer version and `audit verify` fails, naming the secret;
- the same with the vault's triggers removed, or a deleted secret brought back, also fails
  `audit verify`.
Rolling back the whole vault file, chain included, stays undetectable (docs/security.md).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.audit_support import build_v1_vault, execute

FIRST, SECOND = "sk-first-6a1f", "sk-second-93cd"


def _row(vault: Path, name: str = "openai") -> tuple[bytes, int]:
    db = sqlite3.connect(vault)
    try:
        sealed, version = db.execute(
            "SELECT sealed, version FROM secrets WHERE kind = 'apikey' AND name = ? AND field = 'apiKey'", (name,)
        ).fetchone()
    finally:
        db.close()
    return bytes(sealed), int(version)


@pytest.fixture
def rotated_secret(cli: Any, vault_file: Path) -> tuple[bytes, int]:
    """A provider whose key was replaced; returns the first key's sealed row."""
    created = cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input=FIRST)
    assert created.exit_code == 0, created.stderr
    old = _row(vault_file)
    updated = cli("update-api-key-credential-provider", "--name", "openai", "--api-key", "-", input=SECOND)
    assert updated.exit_code == 0, updated.stderr
    assert _row(vault_file)[1] > old[1]
    return old


def _verify(cli: Any) -> Any:
    return cli("audit", "verify")


def test_an_older_ciphertext_written_back_fails_to_open(cli: Any, vault_file: Path, rotated_secret: Any) -> None:
    old_sealed, _ = rotated_secret
    execute(vault_file, ("UPDATE secrets SET sealed = ? WHERE kind = 'apikey' AND name = 'openai'", (old_sealed,)))
    read = cli("api-key", "openai")
    assert read.exit_code == 254
    assert "DecryptionFailure" in read.stderr and "rolled back" in read.stderr
    assert FIRST not in read.stdout + read.stderr
    assert SECOND not in read.stdout + read.stderr


def test_a_ciphertext_rolled_back_with_its_version_fails_audit_verify(
    cli: Any, vault_file: Path, rotated_secret: Any
) -> None:
    assert _verify(cli).exit_code == 0
    old_sealed, old_version = rotated_secret
    execute(
        vault_file,
        (
            "UPDATE secrets SET sealed = ?, version = ? WHERE kind = 'apikey' AND name = 'openai'",
            (old_sealed, old_version),
        ),
    )
    # Nothing in the row tells: the older value opens...
    assert cli("api-key", "openai").stdout.strip() == FIRST
    # ...but the chain recorded the newer version, and the triggers noted the version going back.
    verdict = _verify(cli)
    assert verdict.exit_code == 254
    assert "rolled back" in verdict.stderr and "apiKey of apikey 'openai'" in verdict.stderr
    assert FIRST not in verdict.stdout + verdict.stderr


def test_a_rollback_with_the_triggers_out_of_the_way_fails_audit_verify(
    cli: Any, vault_file: Path, rotated_secret: Any
) -> None:
    from agentcore_identity_cli.backends.local.vault import MIGRATIONS, _statements

    old_sealed, old_version = rotated_secret
    triggers = [s for s in _statements(MIGRATIONS[4]) if "CREATE TRIGGER" in s]
    assert len(triggers) == 3
    execute(
        vault_file,
        "DROP TRIGGER secrets_versioned",
        (
            "UPDATE secrets SET sealed = ?, version = ? WHERE kind = 'apikey' AND name = 'openai'",
            (old_sealed, old_version),
        ),
    )
    removed = _verify(cli)
    assert removed.exit_code == 254
    assert "triggers" in removed.stderr and "secrets_versioned" in removed.stderr
    # Put back, the triggers do not hide the rollback: the chain's last version is not the row's.
    execute(vault_file, *[t for t in triggers if "secrets_versioned" in t])
    verdict = _verify(cli)
    assert verdict.exit_code == 254
    assert f"holds version {old_version}" in verdict.stderr and "rolled back" in verdict.stderr


@pytest.mark.parametrize("triggers", ["kept", "dropped and put back"])
def test_a_deleted_secret_brought_back_fails_audit_verify(
    cli: Any, vault_file: Path, rotated_secret: Any, triggers: str
) -> None:
    from agentcore_identity_cli.backends.local.vault import MIGRATIONS, _statements

    db = sqlite3.connect(vault_file)
    resource = db.execute(
        "SELECT kind, name, arn, created, updated, attrs FROM resources WHERE name = 'openai'"
    ).fetchone()
    secret = db.execute("SELECT kind, name, field, sealed, version FROM secrets WHERE name = 'openai'").fetchone()
    db.close()
    assert cli("delete-api-key-credential-provider", "--name", "openai").exit_code == 0
    assert _verify(cli).exit_code == 0
    inserted = "secrets_inserted"
    put_back = [t for t in _statements(MIGRATIONS[4]) if f"TRIGGER {inserted}" in t]
    around = (["DROP TRIGGER " + inserted], put_back) if triggers != "kept" else ([], [])
    execute(
        vault_file,
        *around[0],
        ("INSERT INTO resources (kind, name, arn, created, updated, attrs) VALUES (?, ?, ?, ?, ?, ?)", resource),
        ("INSERT INTO secrets (kind, name, field, sealed, version) VALUES (?, ?, ?, ?, ?)", secret),
        *around[1],
    )
    assert cli("api-key", "openai").stdout.strip() == SECOND  # it opens: it is the genuine last value
    verdict = _verify(cli)
    assert verdict.exit_code == 254
    if triggers == "kept":  # the trigger noted it: a version older than the newest one
        assert "written back with version" in verdict.stderr
    else:  # nothing noted it: the chain says the value was removed
        assert "was removed (event #" in verdict.stderr and "is back" in verdict.stderr


def test_every_change_the_tool_makes_keeps_the_record_consistent(cli: Any, vault_file: Path) -> None:
    """Writes, re-writes, deletion and re-creation under the same name, rotation: verify stays intact."""
    steps = [
        ("create-api-key-credential-provider", "--name", "a", "--api-key", "-"),
        ("create-api-key-credential-provider", "--name", "b", "--api-key", "-"),
        ("update-api-key-credential-provider", "--name", "a", "--api-key", "-"),
        ("delete-api-key-credential-provider", "--name", "b"),
        ("create-api-key-credential-provider", "--name", "b", "--api-key", "-"),
        ("reset-token-vault-key-material",),
        ("update-api-key-credential-provider", "--name", "b", "--api-key", "-"),
    ]
    for number, step in enumerate(steps):
        result = cli(*step, input=f"sk-step-{number}")
        assert result.exit_code == 0, (step, result.stderr)
        verdict = _verify(cli)
        assert verdict.exit_code == 0, (step, verdict.stderr)
    versions = [_row(vault_file, "a")[1], _row(vault_file, "b")[1]]
    assert versions[0] < versions[1]
    assert cli("api-key", "b").stdout.strip() == "sk-step-6"


def test_a_change_committed_before_its_event_is_recorded_by_the_next_one(cli: Any, vault_file: Path) -> None:
    """A process killed between storing a value and appending its event leaves the change noted
    in the vault; it is not mistaken for tampering, and the next event takes it into the chain."""
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    assert cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input=FIRST).exit_code == 0
    backend = LocalBackend(vault_file)
    try:
        with backend.store.transaction():  # stored as a token refresh does, with no event (yet)
            backend.store_sealed("apikey", "openai", "apiKey", SECOND.encode(), backend.keys.key())
    finally:
        backend.close()
    assert _verify(cli).exit_code == 0
    assert cli("create-workload-identity", "--name", "agent").exit_code == 0
    db = sqlite3.connect(vault_file)
    try:
        assert db.execute("SELECT COUNT(*) FROM sealed_changes").fetchone()[0] == 0
        last = db.execute("SELECT sealed FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()[0]
    finally:
        db.close()
    assert '"apiKey"' in last and SECOND not in last
    assert _verify(cli).exit_code == 0


def test_values_sealed_before_versions_existed_get_one_when_the_key_first_opens_the_vault(
    cli: Any, home: Path, vault_file: Path
) -> None:
    build_v1_vault(home, {"openai": FIRST, "anthropic": SECOND})
    assert cli("list-api-key-credential-providers").exit_code == 0  # migrated; no key needed, none loaded
    assert _row(vault_file)[1] == 0
    assert cli("api-key", "openai").stdout.strip() == FIRST  # the key opens the vault: versions are given
    assert _row(vault_file)[1] > 0 and _row(vault_file, "anthropic")[1] > 0
    assert cli("api-key", "anthropic").stdout.strip() == SECOND
    assert cli("audit", "verify", "--seal").exit_code == 0
    db = sqlite3.connect(vault_file)
    try:
        assert db.execute("SELECT value FROM meta WHERE key = 'legacy_secrets'").fetchone() is None
    finally:
        db.close()


def test_a_value_removed_or_added_behind_the_triggers_fails_audit_verify(
    cli: Any, vault_file: Path, rotated_secret: Any
) -> None:
    sealed, version = _row(vault_file)
    execute(
        vault_file,
        "DROP TRIGGER secrets_deleted",
        "DELETE FROM secrets WHERE kind = 'apikey' AND name = 'openai'",
    )
    removed = _verify(cli)
    assert removed.exit_code == 254
    assert "triggers" in removed.stderr
    from agentcore_identity_cli.backends.local.vault import MIGRATIONS, _statements

    execute(vault_file, *[t for t in _statements(MIGRATIONS[4]) if "TRIGGER secrets_deleted" in t])
    assert "was removed without its removal being recorded" in _verify(cli).stderr
    execute(
        vault_file,
        "DROP TRIGGER secrets_inserted",
        (
            "INSERT INTO secrets (kind, name, field, sealed, version) VALUES ('apikey', 'openai', 'extra', ?, ?)",
            (sealed, version + 100),
        ),
    )
    execute(vault_file, *[t for t in _statements(MIGRATIONS[4]) if "TRIGGER secrets_inserted" in t])
    assert "but no change to it was ever recorded" in _verify(cli).stderr


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE secrets SET version = 'seven'",
        "UPDATE secrets SET sealed = 'not binary'",
        "INSERT INTO sealed_changes (change, kind, name, field, version) VALUES ('written', 'apikey', 'x', 'f', 'v')",
        "UPDATE meta SET value = 'not hex' WHERE key = 'key_check'",
    ],
)
def test_values_of_the_wrong_type_written_by_hand_are_damage_not_a_crash(
    cli: Any, vault_file: Path, rotated_secret: Any, edit: str
) -> None:
    execute(vault_file, edit)
    for args in (("api-key", "openai"), ("audit", "verify"), ("create-workload-identity", "--name", "worker")):
        result = cli(*args)
        assert "unexpected error" not in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)
        # The damage shows where it is read (253 damaged vault, 254 DecryptionFailure); a command
        # that does not read the damaged value may succeed.
        assert result.exit_code in (0, 253, 254), (args, result.exit_code, result.stderr)
    assert cli("api-key", "openai").exit_code in (253, 254)


def test_a_signing_key_that_is_not_hex_text_is_damage_not_a_crash(cli: Any, vault_file: Path) -> None:
    assert cli("create-workload-identity", "--name", "worker").exit_code == 0
    assert cli("get-workload-access-token", "--workload-name", "worker").exit_code == 0
    execute(vault_file, "UPDATE meta SET value = 'not hex' WHERE key = 'signing_key'")
    result = cli("get-workload-access-token", "--workload-name", "worker")
    assert result.exit_code == 253, result.stderr
    assert "damaged" in result.stderr and "unexpected error" not in result.stderr
