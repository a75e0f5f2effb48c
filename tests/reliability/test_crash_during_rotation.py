"""`reset-token-vault-key-material` killed (SIGKILL) at any moment leaves a vault that opens.

The vault holds many sealed values (15,000 API keys, an OAuth2 client secret and private key
on one record, the token-signing key), so a rotation takes a while, and the test kills the
CLI's process at random moments of it, one rotation after another on the same vault. After
each kill, before any command runs, it reads the files as they are:

- the key check in the vault opens with the key in `vault.key`, or (a rotation that committed
  but did not rename its key file yet) with the one in `vault.key.next`; that key is the one
  before the rotation or a new one, and it is new exactly when the trail gained a
  `ResetTokenVaultKeyMaterial` event;
- every sealed value, and the signing key, opens with that key to the value it held;
- SQLite's integrity check is ok.

Then the next command (`audit verify`, which loads the key) exits 0 with the seal checked, and
leaves `vault.key` holding the vault's key and no `vault.key.next`; secrets read back through
the library and `api-key` (a workload token signed with the new signing key).

A second test kills the rotation at each of its steps in turn, by making the process SIGKILL
itself at the rename that puts a key file in place (tests/reliability/workers.py, kill-at):
before and after the new key is written aside, and before and after it replaces `vault.key`.

Defaults: 12 random kills. AGENTCORE_RELIABILITY_SCALE multiplies them;
AGENTCORE_RELIABILITY_SEED repeats a run's choices (tests/reliability/support.py):

    export AGENTCORE_RELIABILITY_SCALE=5
    python -m pytest -q -p no:cacheprovider tests/reliability/test_crash_during_rotation.py
"""

from __future__ import annotations

import base64
import signal
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from agentcore_identity_cli.backends.local import crypto
from agentcore_identity_cli.backends.local.backend import LocalBackend
from agentcore_identity_cli.backends.local.keys import KEY_CHECK_PLAINTEXT
from tests.audit_support import VAULT_ARN
from tests.conftest import run_process
from tests.reliability.support import (
    Expected,
    assert_sound,
    event_rows,
    integrity,
    kill_after,
    last_seq,
    populate_vault,
    spawn,
    spawn_cli,
)

ROTATION_KILLS = 12
BULK_SECRETS = 15_000
ROTATE = ("reset-token-vault-key-material", "--token-vault-id", "default")


def _key_in(path: Path) -> bytes | None:
    try:
        return base64.b64decode(path.read_text().strip())
    except FileNotFoundError:
        return None


def _meta(vault: Path) -> dict[str, str]:
    db = sqlite3.connect(vault)
    try:
        return dict(db.execute("SELECT key, value FROM meta"))
    finally:
        db.close()


def _opens_check(key: bytes | None, meta: dict[str, str]) -> bool:
    if key is None:
        return False
    try:
        return crypto.open_sealed(key, bytes.fromhex(meta["key_check"]), b"key-check") == KEY_CHECK_PLAINTEXT
    except crypto.SealError:
        return False


def vault_key_on_disk(home: Path) -> tuple[bytes, str]:
    """The key that opens the vault, read from the files as a kill left them, and which file holds it."""
    meta = _meta(home / "vault.db")
    current, aside = _key_in(home / "vault.key"), _key_in(home / "vault.key.next")
    if _opens_check(current, meta):
        assert current is not None
        assert not _opens_check(aside, meta)
        return current, "vault.key"
    assert _opens_check(aside, meta), "neither vault.key nor vault.key.next opens the vault"
    assert aside is not None
    return aside, "vault.key.next"


def _aad(vault_id: str, kind: str, name: str, field: str, version: int) -> bytes:
    """The associated data a sealed value is bound to (docs/security.md): vault, record, field,
    and the row's version where the schema gives values one (0: none)."""
    if version == 0:
        return crypto.associated_data(vault_id, kind, name, field)
    return crypto.associated_data(vault_id, kind, name, field, f"version={version}")


def assert_every_secret_opens(vault: Path, key: bytes, expected: Expected) -> None:
    """Every sealed value, and the signing key, opens with `key` to what it held.

    Read with plain SQLite and opened with the cipher directly: no command runs first, and
    15,000 reads through the library would each append an audit event.
    """
    meta = _meta(vault)
    vault_id = meta["vault_id"]
    db = sqlite3.connect(vault)
    db.row_factory = sqlite3.Row
    try:
        rows = db.execute("SELECT * FROM secrets").fetchall()
    finally:
        db.close()
    assert {(row["kind"], row["name"], row["field"]) for row in rows} == set(expected)
    wrong = []
    for row in rows:
        where = (row["kind"], row["name"], row["field"])
        version = row["version"] if "version" in row.keys() else 0
        try:
            if (
                crypto.open_sealed(key, bytes(row["sealed"]), _aad(vault_id, *where, version)).decode()
                != expected[where]
            ):
                wrong.append(f"{'/'.join(where)}: a wrong value")
        except crypto.SealError:
            wrong.append(f"{'/'.join(where)}: does not open")
    assert not wrong, f"{len(wrong)} sealed values fail with the vault's key: {wrong[:5]}"
    signing_aad = crypto.associated_data(vault_id, "vault", "signing-key", "privateKey")
    assert crypto.open_sealed(key, bytes.fromhex(meta["signing_key"]), signing_aad).startswith(b"-----BEGIN")


def check_after_rotation(home: Path, expected: Expected, key_before: bytes, seq: int) -> tuple[bytes, str]:
    """Every invariant after a rotation that finished or was killed; returns (key, where it was found)."""
    vault = home / "vault.db"
    key, where = vault_key_on_disk(home)
    rotated = key != key_before
    events = [(op, target, outcome) for _, op, target, outcome in event_rows(vault, seq)]
    assert events == ([("ResetTokenVaultKeyMaterial", VAULT_ARN, "success")] if rotated else []), (
        "a rotation's event must commit with it, and only with it"
    )
    assert_every_secret_opens(vault, key, expected)
    assert integrity(vault) == "ok"

    # The next command that loads the key finishes the rotation or clears what it left.
    verdict = assert_sound(vault)
    assert verdict["sealChecked"] is True
    assert not (home / "vault.key.next").exists()
    assert _key_in(home / "vault.key") == key
    backend = LocalBackend(vault)
    try:
        assert (
            backend.open_secret("oauth2", "jwt-client", "privateKey")
            == expected[("oauth2", "jwt-client", "privateKey")]
        )
    finally:
        backend.close()
    name = max(name for kind, name, _ in expected if kind == "apikey")
    read = run_process("api-key", name, "--workload-name", "agent")
    assert (read.exit_code, read.stdout) == (0, expected[("apikey", name, "apiKey")] + "\n"), read.stderr
    return key, where


def test_a_rotation_killed_at_random_moments_leaves_every_secret_readable(home: Path, trials):
    vault = home / "vault.db"
    assert run_process("vault", "init").exit_code == 0
    expected = populate_vault(vault, BULK_SECRETS)
    key = _key_in(home / "vault.key")
    assert key is not None
    run = trials(ROTATION_KILLS)

    # One rotation left to finish: how long one takes, and that a finished one passes the checks.
    with run.attempt():
        seq = last_seq(vault)
        started = time.monotonic()
        finished = run_process(*ROTATE)
        span = time.monotonic() - started
        assert finished.exit_code == 0, finished.stderr
        new_key, _ = check_after_rotation(home, expected, key, seq)
        assert new_key != key
        seen, key = {key, new_key}, new_key

    outcomes: Counter[str] = Counter()
    for trial in run:
        with run.attempt(trial):
            rng = run.rng(trial)
            seq = last_seq(vault)
            killed = kill_after(spawn_cli(*ROTATE), rng.uniform(0.0, span * 1.2))
            assert killed.killed or killed.returncode == 0, killed.stderr
            after, where = check_after_rotation(home, expected, key, seq)
            if after != key:
                assert after not in seen, "a rotation went back to an earlier key"
                seen.add(after)
            if not killed.killed:
                assert after != key, "the rotation exited 0 but the vault kept its key"
            outcomes["rotated" if after != key else "kept the key"] += 1
            outcomes[f"found in {where}"] += 1
            key = after
    if run.count >= 5:  # with so few kills, all may land after the commits
        with run.attempt():
            assert outcomes["kept the key"] > 0, f"no kill landed before a rotation committed: {outcomes}"


@pytest.mark.parametrize(
    ("name", "when", "rotated", "left_aside"),
    [
        ("vault.key.next", "before", False, False),  # before the new key is written aside
        ("vault.key.next", "after", False, True),  # written aside, nothing re-sealed or committed yet
        ("vault.key", "before", True, True),  # committed, the new key still aside
        ("vault.key", "after", True, False),  # committed and renamed, the process not yet done
    ],
)
def test_a_rotation_killed_at_each_step_leaves_a_vault_that_opens(
    home: Path, name: str, when: str, rotated: bool, left_aside: bool
):
    vault = home / "vault.db"
    assert run_process("vault", "init").exit_code == 0
    expected = populate_vault(vault, 50)
    key = _key_in(home / "vault.key")
    assert key is not None
    seq = last_seq(vault)
    proc = spawn("kill-at", name, when, "--", *ROTATE)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, err
    assert (home / "vault.key.next").exists() is left_aside
    after, where = check_after_rotation(home, expected, key, seq)
    assert (after != key) is rotated
    assert where == ("vault.key.next" if rotated and left_aside else "vault.key")
