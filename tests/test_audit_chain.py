"""`audit verify` detects every way of editing the trail directly in SQLite."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.audit_support import canonical, events, execute


@pytest.fixture
def trail(cli, vault_file: Path) -> Path:
    """A vault with eight sealed events (each creation loads the key, so each extends the seal)."""
    for i in range(8):
        created = cli("create-api-key-credential-provider", "--name", f"provider-{i}", "--api-key", "-", input=f"s{i}")
        assert created.exit_code == 0, created.stderr
    return vault_file


def _verify(cli):
    return cli("audit", "verify")


def _fails_at(result, seq: int, words: str) -> None:
    assert result.exit_code == 254, result.stdout + result.stderr
    assert f"event #{seq}" in result.stderr
    assert words in result.stderr
    assert result.json()["firstBadEvent"] == str(seq)
    assert result.json()["intact"] is False


def test_an_intact_chain_verifies_with_exit_0(cli, trail: Path):
    result = _verify(cli)
    assert result.exit_code == 0, result.stderr
    assert result.json() == {
        "intact": True,
        "chain": "intact",
        "events": 8,
        "headEvent": "8",
        "headHash": events(trail)[-1]["hash"],
        "sealedThrough": "8",
        "sealChecked": True,
    }


def test_an_edited_event_is_named(cli, trail: Path):
    execute(trail, "UPDATE audit_events SET os_user = 'somebody-else' WHERE seq = 4")
    _fails_at(_verify(cli), 4, "was altered")


def test_an_edited_outcome_is_named(cli, trail: Path):
    execute(trail, "UPDATE audit_events SET outcome = 'AccessDeniedException' WHERE seq = 6")
    _fails_at(_verify(cli), 6, "was altered")


def test_a_deleted_event_is_named(cli, trail: Path):
    execute(trail, "DELETE FROM audit_events WHERE seq = 3")
    _fails_at(_verify(cli), 3, "is missing")


def test_reordered_events_are_named(cli, trail: Path):
    execute(
        trail,
        "UPDATE audit_events SET seq = 100 WHERE seq = 3",
        "UPDATE audit_events SET seq = 3 WHERE seq = 5",
        "UPDATE audit_events SET seq = 5 WHERE seq = 100",
    )
    _fails_at(_verify(cli), 3, "does not follow event #2")


def test_reordered_times_are_named(cli, trail: Path):
    rows = {e["seq"]: e["time"] for e in events(trail)}
    execute(
        trail,
        ("UPDATE audit_events SET time = ? WHERE seq = 2", (rows[7],)),
        ("UPDATE audit_events SET time = ? WHERE seq = 7", (rows[2],)),
    )
    _fails_at(_verify(cli), 2, "was altered")


def test_a_truncated_tail_is_named(cli, trail: Path):
    execute(trail, "DELETE FROM audit_events WHERE seq > 6")
    _fails_at(_verify(cli), 7, "truncated")


def test_a_truncated_tail_with_a_rewritten_head_is_caught_by_the_seal(cli, trail: Path):
    last = events(trail)[5]
    execute(
        trail,
        "DELETE FROM audit_events WHERE seq > 6",
        ("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"6:{last['hash']}",)),
    )
    _fails_at(_verify(cli), 7, "sealed chain was truncated")


def _rewrite_chain(vault: Path, edit) -> None:
    """Re-compute every hash after an edit, as an attacker without the key can."""
    rows = events(vault)
    genesis = rows[0]["prev_hash"]
    prev = genesis
    statements: list = []
    for row in rows:
        edit(row)
        digest = hashlib.sha256(prev.encode() + b"\n" + canonical(row, prev)).hexdigest()
        statements.append(
            (
                "UPDATE audit_events SET os_user = ?, outcome = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                (row["os_user"], row["outcome"], prev, digest, row["seq"]),
            )
        )
        prev = digest
    statements.append(("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"{rows[-1]['seq']}:{prev}",)))
    execute(vault, *statements)


def _hide_event_3(row: dict) -> None:
    if row["seq"] == 3:
        row["os_user"] = "nobody"


def test_a_rewritten_chain_is_caught_by_the_seal(cli, trail: Path):
    _rewrite_chain(trail, _hide_event_3)
    _fails_at(_verify(cli), 8, "does not match the sealed chain head")


def test_a_forged_seal_does_not_authenticate(cli, trail: Path):
    _rewrite_chain(trail, _hide_event_3)
    head = events(trail)[-1]
    forged = {"seq": 8, "hash": head["hash"], "mac": hashlib.sha256(b"guess").hexdigest()}
    execute(trail, ("UPDATE meta SET value = ? WHERE key = 'audit_seal'", (json.dumps(forged),)))
    _fails_at(_verify(cli), 8, "does not authenticate")


def test_a_removed_seal_is_reported_and_not_re_established_by_the_next_command(cli, trail: Path):
    _rewrite_chain(trail, _hide_event_3)
    execute(trail, "DELETE FROM meta WHERE key = 'audit_seal'")
    result = _verify(cli)
    assert result.exit_code == 254
    assert "AuditTrailUnsealed" in result.stderr
    assert result.json()["chain"] == "unsealed"
    # A later command that loads the key must not bless the re-written chain.
    created = cli("create-api-key-credential-provider", "--name", "provider-x", "--api-key", "-", input="s")
    assert created.exit_code == 0
    assert _verify(cli).exit_code == 254


def test_events_after_the_seal_verify_through_the_chain_alone(cli, trail: Path):
    assert cli("create-workload-identity", "--name", "keyless-one").exit_code == 0
    assert cli("create-workload-identity", "--name", "keyless-two").exit_code == 0
    result = _verify(cli)
    assert result.exit_code == 0, result.stderr
    assert (result.json()["sealedThrough"], result.json()["headEvent"]) == ("8", "10")
    execute(trail, "UPDATE audit_events SET target = 'elsewhere' WHERE seq = 9")
    _fails_at(_verify(cli), 9, "was altered")


def test_the_next_keyed_command_does_not_seal_over_an_altered_event(cli, trail: Path):
    assert cli("create-workload-identity", "--name", "keyless-one").exit_code == 0
    execute(trail, "UPDATE audit_events SET os_user = 'nobody' WHERE seq = 9")
    assert cli("create-api-key-credential-provider", "--name", "provider-x", "--api-key", "-", input="s").exit_code == 0
    _fails_at(_verify(cli), 9, "was altered")


def test_vault_status_shows_a_broken_chain_without_the_key(cli, trail: Path, home: Path):
    execute(trail, "DELETE FROM audit_events WHERE seq = 5")
    status = cli("vault", "status", env={"AGENTCORE_IDENTITY_VAULT_KEY": "not even a key"})
    assert status.exit_code == 0, status.stderr
    assert status.json()["audit"]["chain"] == "broken"
    assert status.json()["audit"]["firstBadEvent"] == "5"


def test_rotation_moves_the_seal_to_the_new_key(cli, trail: Path, home: Path):
    old_seal = json.loads(_meta(trail, "audit_seal"))
    assert cli("reset-token-vault-key-material", "--token-vault-id", "default").exit_code == 0
    new_seal = json.loads(_meta(trail, "audit_seal"))
    assert new_seal["seq"] == 9
    assert new_seal["mac"] != old_seal["mac"]
    result = _verify(cli)
    assert result.exit_code == 0, result.stderr
    assert result.json()["sealedThrough"] == "9"


def _meta(vault: Path, key: str) -> str:
    import sqlite3

    db = sqlite3.connect(vault)
    try:
        return str(db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])
    finally:
        db.close()


_ROTATE = """
import sys
from pathlib import Path
from agentcore_identity_cli.backends.local.backend import LocalBackend
backend = LocalBackend(Path(sys.argv[1]))
print("ready", flush=True)
backend.invoke("ResetTokenVaultKeyMaterial", {"tokenVaultId": "default"})
print("done", flush=True)
"""


def test_a_rotation_killed_at_any_moment_leaves_a_chain_that_verifies(cli, home: Path, trail: Path):
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    backend = LocalBackend(trail)
    with backend.store.transaction():
        for i in range(600):
            backend.invoke("CreateApiKeyCredentialProvider", {"name": f"bulk-{i:04d}", "apiKey": f"secret-{i}"})
    backend.close()
    outcomes = set()
    for delay in (0.0, 0.03, 0.08, 0.15, 0.3, 0.6):
        proc = subprocess.Popen([sys.executable, "-c", _ROTATE, str(trail)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        outcomes.add("killed" if proc.returncode < 0 else "finished")
        result = _verify(cli)
        assert result.exit_code == 0, result.stderr
        assert result.json()["sealedThrough"] == result.json()["headEvent"]
        assert cli("get-resource-api-key", "--help").exit_code == 0
    assert "killed" in outcomes
    reader = LocalBackend(trail)
    try:
        assert reader.open_secret("apikey", "bulk-0599", "apiKey") == "secret-599"
    finally:
        reader.close()
