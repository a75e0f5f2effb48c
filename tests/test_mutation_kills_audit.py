"""`audit verify`: the exact verdict for every way the trail can be edited, and the formats of
the chain and its seal written out by hand.

tests/test_audit_chain.py checks that each edit is caught and named; here the whole verdict
(the event named first, the problem as printed) is pinned, including where two problems meet
and the first found must win, and the genesis hash and the seal's MAC are recomputed from the
documented formats (docs/security.md) with the standard library and `cryptography` alone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.audit_support import canonical, events, execute


@pytest.fixture
def trail(cli, vault_file: Path) -> Path:
    """A vault with eight sealed events."""
    for i in range(8):
        created = cli("create-api-key-credential-provider", "--name", f"provider-{i}", "--api-key", "-", input=f"s{i}")
        assert created.exit_code == 0, created.stderr
    return vault_file


@pytest.fixture
def backend(trail: Path) -> Iterator[Any]:
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    opened = LocalBackend(trail)
    try:
        yield opened
    finally:
        opened.close()


def _meta(vault: Path, key: str) -> str | None:
    db = sqlite3.connect(vault)
    try:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    finally:
        db.close()
    return None if row is None else str(row[0])


def _verdict(cli) -> tuple[int, dict[str, Any]]:
    result = cli("audit", "verify")
    body: dict[str, Any] = result.json()
    return result.exit_code, body


def _broken(cli, first_bad: int, problem: str) -> dict[str, Any]:
    code, body = _verdict(cli)
    assert code == 254, body
    assert (body["firstBadEvent"], body["problem"]) == (str(first_bad), problem)  # ids are strings
    assert (body["intact"], body["chain"]) == (False, "broken")
    return body


def _rehash(vault: Path, edit: Any) -> None:
    """Edit events and compute every hash again, and the head, as a writer without the key can."""
    rows = events(vault)
    prev = rows[0]["prev_hash"]
    statements: list[Any] = []
    for row in rows:
        edit(row)
        digest = hashlib.sha256(prev.encode() + b"\n" + canonical(row, prev)).hexdigest()
        statements.append(
            (
                "UPDATE audit_events SET os_user = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                (row["os_user"], prev, digest, row["seq"]),
            )
        )
        prev = digest
    statements.append(("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"{rows[-1]['seq']}:{prev}",)))
    execute(vault, *statements)


def test_an_intact_trail_has_no_problem_member(cli, trail: Path):
    code, body = _verdict(cli)
    assert code == 0
    assert not {"firstBadEvent", "problem", "notes"} & set(body)


def test_the_first_event_chains_from_a_hash_of_the_vault_id(trail: Path):
    vault_id = _meta(trail, "vault_id")
    genesis = hashlib.sha256(f"agentcore-identity/v1 audit-genesis\x1f{vault_id}".encode()).hexdigest()
    assert events(trail)[0]["prev_hash"] == genesis


def test_the_seal_is_an_hmac_of_the_head_under_a_key_derived_from_the_vault_key(trail: Path, backend: Any):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    seal = json.loads(_meta(trail, "audit_seal") or "")
    head = events(trail)[-1]
    assert (seal["seq"], seal["hash"]) == (head["seq"], head["hash"])
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"agentcore-identity/v1 audit-chain-seal").derive(
        backend.keys.key()
    )
    message = f"{_meta(trail, 'vault_id')}\x1f{head['seq']}\x1f{head['hash']}".encode()
    assert seal["mac"] == hmac.new(key, message, hashlib.sha256).hexdigest()
    assert _meta(trail, "audit_head") == f"{head['seq']}:{head['hash']}"


def test_an_edited_event(cli, trail: Path):
    execute(trail, "UPDATE audit_events SET os_user = 'somebody-else' WHERE seq = 4")
    _broken(cli, 4, "event #4 was altered: its contents do not match its hash")


def test_a_deleted_event(cli, trail: Path):
    execute(trail, "DELETE FROM audit_events WHERE seq = 3")
    _broken(cli, 3, "event #3 is missing: the chain goes from #2 to #4")


def test_re_ordered_events(cli, trail: Path):
    execute(
        trail,
        "UPDATE audit_events SET seq = 100 WHERE seq = 3",
        "UPDATE audit_events SET seq = 3 WHERE seq = 5",
        "UPDATE audit_events SET seq = 5 WHERE seq = 100",
    )
    _broken(cli, 3, "event #3 does not follow event #2: events were re-ordered, or an earlier one was replaced")


def test_a_truncated_tail(cli, trail: Path):
    execute(trail, "DELETE FROM audit_events WHERE seq > 6")
    _broken(cli, 7, "events #7 to #8 are missing: the chain was truncated")


def test_a_truncated_tail_with_its_head_moved_back(cli, trail: Path):
    sixth = events(trail)[5]
    execute(
        trail,
        "DELETE FROM audit_events WHERE seq > 6",
        ("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"6:{sixth['hash']}",)),
    )
    _broken(cli, 7, "events #7 to #8 are missing: the sealed chain was truncated")


def test_a_removed_head_record(cli, trail: Path):
    execute(trail, "DELETE FROM meta WHERE key = 'audit_head'")
    _broken(cli, 1, "the record of the chain head is missing: the audit trail was edited")


def test_a_head_record_behind_the_last_event(cli, trail: Path):
    sixth = events(trail)[5]
    execute(trail, ("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"6:{sixth['hash']}",)))
    body = _broken(cli, 7, "event #7 does not match the recorded chain head: events were added or replaced")
    assert (body["headEvent"], body["headHash"]) == ("8", sixth["hash"])


def test_a_head_record_naming_another_hash(cli, trail: Path):
    execute(trail, ("UPDATE meta SET value = ? WHERE key = 'audit_head'", ("8:" + "0" * 64,)))
    _broken(cli, 8, "event #8 does not match the recorded chain head: events were added or replaced")


def test_a_rewritten_chain(cli, trail: Path):
    _rehash(trail, lambda row: row.update(os_user="nobody") if row["seq"] == 3 else None)
    _broken(cli, 8, "event #8 does not match the sealed chain head: the chain was re-written")


def test_a_forged_seal(cli, trail: Path):
    head = events(trail)[-1]
    forged = {"seq": 8, "hash": head["hash"], "mac": hashlib.sha256(b"guess").hexdigest()}
    execute(trail, ("UPDATE meta SET value = ? WHERE key = 'audit_seal'", (json.dumps(forged),)))
    body = _broken(cli, 8, "the seal of the chain head does not authenticate with the vault key: it was forged")
    assert body["sealChecked"] is True


@pytest.mark.parametrize(
    "seal",
    [
        "not json",
        "[8]",
        json.dumps({"seq": "8", "hash": "h", "mac": "m"}),
        json.dumps({"seq": 8, "hash": 8, "mac": "m"}),
        json.dumps({"seq": 8, "hash": "h"}),
    ],
    ids=["not-json", "not-an-object", "seq-not-a-number", "hash-not-text", "no-mac"],
)
def test_a_malformed_seal(cli, trail: Path, seal: str):
    execute(trail, ("UPDATE meta SET value = ? WHERE key = 'audit_seal'", (seal,)))
    _broken(cli, 1, "the seal of the chain head is malformed")


def test_the_first_problem_found_is_the_one_named(cli, trail: Path):
    """An altered event and a forged seal: the event, found first, is named."""
    head = events(trail)[-1]
    forged = {"seq": 8, "hash": head["hash"], "mac": "0" * 64}
    execute(
        trail,
        "UPDATE audit_events SET os_user = 'somebody-else' WHERE seq = 4",
        ("UPDATE meta SET value = ? WHERE key = 'audit_seal'", (json.dumps(forged),)),
    )
    _broken(cli, 4, "event #4 was altered: its contents do not match its hash")


def test_a_truncated_tail_and_a_malformed_seal_name_the_truncation(cli, trail: Path):
    execute(
        trail,
        "DELETE FROM audit_events WHERE seq > 6",
        ("UPDATE meta SET value = ? WHERE key = 'audit_seal'", ("{}",)),
    )
    _broken(cli, 7, "events #7 to #8 are missing: the chain was truncated")


def test_without_the_key_the_seal_is_read_but_not_authenticated(cli, trail: Path, backend: Any):
    head = events(trail)[-1]
    forged = {"seq": 8, "hash": head["hash"], "mac": "0" * 64}
    execute(trail, ("UPDATE meta SET value = ? WHERE key = 'audit_seal'", (json.dumps(forged),)))
    verdict = backend.audit.verify(None)
    assert (verdict.intact, verdict.seal_checked, verdict.sealed_through) == (True, False, 8)
    assert backend.audit.verify(backend.keys.key()).problem == (
        "the seal of the chain head does not authenticate with the vault key: it was forged"
    )


def test_a_seal_over_an_event_that_is_not_there_names_the_truncation_of_the_sealed_chain(
    cli, trail: Path, backend: Any
):
    """A seal that authenticates but covers events the chain no longer has."""
    head = events(trail)[-1]
    ghost = {"seq": 9, "hash": head["hash"]}
    ghost["mac"] = backend.audit._mac(backend.keys.key(), 9, head["hash"])
    execute(trail, ("UPDATE meta SET value = ? WHERE key = 'audit_seal'", (json.dumps(ghost),)))
    _broken(cli, 9, "events #9 to #9 are missing: the sealed chain was truncated")


def test_a_removed_seal_leaves_a_note_and_an_unsealed_chain(cli, trail: Path):
    execute(trail, "DELETE FROM meta WHERE key = 'audit_seal'")
    code, body = _verdict(cli)
    assert code == 254
    assert (body["intact"], body["chain"], body["sealedThrough"]) == (False, "unsealed", None)
    assert body["notes"] == [
        "no seal covers the chain: the vault was upgraded from schema 1 and no command has sealed it "
        "yet, or the seal was removed"
    ]
    assert "problem" not in body


def test_a_keyless_command_leaves_the_seal_where_it_was_and_the_next_keyed_one_extends_it(cli, trail: Path):
    assert cli("create-workload-identity", "--name", "keyless").exit_code == 0
    assert json.loads(_meta(trail, "audit_seal") or "")["seq"] == 8
    assert cli("create-api-key-credential-provider", "--name", "keyed", "--api-key", "-", input="k").exit_code == 0
    assert json.loads(_meta(trail, "audit_seal") or "")["seq"] == 10
    code, body = _verdict(cli)
    assert (code, body["sealedThrough"], body["headEvent"]) == (0, "10", "10")


def test_a_seal_that_does_not_authenticate_is_not_extended(cli, trail: Path):
    head = events(trail)[-1]
    forged = {"seq": 8, "hash": head["hash"], "mac": "0" * 64}
    execute(trail, ("UPDATE meta SET value = ? WHERE key = 'audit_seal'", (json.dumps(forged),)))
    assert cli("create-api-key-credential-provider", "--name", "keyed", "--api-key", "-", input="k").exit_code == 0
    assert json.loads(_meta(trail, "audit_seal") or "") == forged


def test_a_seal_ahead_of_the_new_event_is_not_moved_back(cli, trail: Path, backend: Any):
    """A seal naming a later event than the one being appended (rows were deleted) stays."""
    head = events(trail)[-1]
    ahead = {"seq": 20, "hash": head["hash"], "mac": backend.audit._mac(backend.keys.key(), 20, head["hash"])}
    execute(trail, ("UPDATE meta SET value = ? WHERE key = 'audit_seal'", (json.dumps(ahead),)))
    assert cli("create-api-key-credential-provider", "--name", "keyed", "--api-key", "-", input="k").exit_code == 0
    assert json.loads(_meta(trail, "audit_seal") or "") == ahead


def test_a_rotation_does_not_re_make_a_seal_that_does_not_authenticate(cli, trail: Path):
    head = events(trail)[-1]
    forged = {"seq": 8, "hash": head["hash"], "mac": "0" * 64}
    execute(trail, ("UPDATE meta SET value = ? WHERE key = 'audit_seal'", (json.dumps(forged),)))
    rotated = cli("reset-token-vault-key-material", "--token-vault-id", "default")
    assert rotated.exit_code == 0, rotated.stderr
    assert json.loads(_meta(trail, "audit_seal") or "") == forged


# --- what commands do after an edit: the next event keeps the edit visible -------------------


def _create(cli, name: str) -> None:
    created = cli("create-api-key-credential-provider", "--name", name, "--api-key", "-", input="k")
    assert created.exit_code == 0, created.stderr


def test_a_command_after_a_truncated_tail_continues_from_the_recorded_head(cli, trail: Path):
    """Events #7 and #8 deleted, the head record left at #8: the next event is #9, so the gap shows."""
    execute(trail, "DELETE FROM audit_events WHERE seq > 6")
    _create(cli, "after")
    assert [row["seq"] for row in events(trail)][-1] == 9
    _broken(cli, 7, "event #7 is missing: the chain goes from #6 to #9")


def test_a_command_after_rows_beyond_the_head_record_chains_from_the_last_row(cli, trail: Path):
    """The head record moved back to #6 while #7 and #8 are there: the next event follows #8."""
    sixth, eighth = events(trail)[5], events(trail)[7]
    execute(trail, ("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"6:{sixth['hash']}",)))
    _create(cli, "after")
    ninth = events(trail)[8]
    assert (ninth["seq"], ninth["prev_hash"]) == (9, eighth["hash"])
    code, body = _verdict(cli)
    assert (code, body["headEvent"], body["sealedThrough"]) == (0, "9", "9")


@pytest.mark.parametrize("named", ["0" * 64, "{last}:8"], ids=["another-hash", "a-colon-in-the-hash"])
def test_a_command_after_a_head_record_naming_another_hash_chains_from_that_hash(cli, trail: Path, named: str):
    """The next event links to the hash the head record names, so the bad record stays visible."""
    named = named.format(last=events(trail)[-1]["hash"])
    execute(trail, ("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"8:{named}",)))
    _create(cli, "after")
    assert events(trail)[8]["prev_hash"] == named
    _broken(cli, 9, "event #9 does not follow event #8: events were re-ordered, or an earlier one was replaced")


@pytest.mark.parametrize("count", [1, 8])
def test_a_seal_is_not_moved_over_an_event_that_replaced_the_sealed_one(cli, vault_file: Path, count: int):
    """The sealed last event deleted and the head moved back: the new event takes its number, and
    the seal, naming the old event's hash, stays where it was."""
    for i in range(count):
        _create(cli, f"provider-{i}")
    rows = events(vault_file)
    before = rows[-2]["hash"] if count > 1 else None
    head = f"{count - 1}:{before}" if before else None
    execute(
        vault_file,
        f"DELETE FROM audit_events WHERE seq = {count}",
        ("UPDATE meta SET value = ? WHERE key = 'audit_head'", (head,))
        if head
        else "DELETE FROM meta WHERE key = 'audit_head'",
    )
    _create(cli, "replacement")
    assert json.loads(_meta(vault_file, "audit_seal") or "")["hash"] == rows[-1]["hash"]
    _broken(cli, count, f"event #{count} does not match the sealed chain head: the chain was re-written")


def test_a_seal_is_not_moved_over_an_altered_event_after_it(cli, trail: Path):
    """A keyless command adds #9, which is then altered: the next keyed command leaves the seal at #8."""
    assert cli("create-workload-identity", "--name", "keyless").exit_code == 0
    execute(trail, "UPDATE audit_events SET os_user = 'somebody-else' WHERE seq = 9")
    _create(cli, "keyed")
    assert json.loads(_meta(trail, "audit_seal") or "")["seq"] == 8
    body = _broken(cli, 9, "event #9 was altered: its contents do not match its hash")
    assert body["sealedThrough"] == "8"


def test_a_malformed_seal_does_not_stop_the_next_command(cli, trail: Path):
    execute(trail, ("UPDATE meta SET value = ? WHERE key = 'audit_seal'", ("[8]",)))
    _create(cli, "after")
    assert _meta(trail, "audit_seal") == "[8]"
    _broken(cli, 1, "the seal of the chain head is malformed")


def test_a_vault_that_lost_its_key_check_and_seal_is_not_sealed_behind_anyones_back(cli, trail: Path):
    """The key is checked in again by the next command, but the chain stays unsealed until
    `audit verify --seal` says so."""
    execute(trail, "DELETE FROM meta WHERE key IN ('key_check', 'audit_seal')")
    _create(cli, "after")
    assert _meta(trail, "audit_seal") is None
    code, body = _verdict(cli)
    assert (code, body["chain"], body["sealedThrough"]) == (254, "unsealed", None)


# --- where two problems meet, the first found is named ---------------------------------------


def test_an_altered_event_and_a_truncated_sealed_tail_name_the_altered_event(cli, trail: Path):
    execute(
        trail,
        "UPDATE audit_events SET os_user = 'somebody-else' WHERE seq = 4",
        "DELETE FROM audit_events WHERE seq > 6",
    )
    _broken(cli, 4, "event #4 was altered: its contents do not match its hash")


def test_an_altered_event_and_a_sealed_head_with_another_hash_name_the_altered_event(cli, trail: Path):
    execute(
        trail,
        "UPDATE audit_events SET os_user = 'somebody-else' WHERE seq = 4",
        ("UPDATE audit_events SET hash = ? WHERE seq = 8", ("0" * 64,)),
    )
    _broken(cli, 4, "event #4 was altered: its contents do not match its hash")


# --- the head record ---------------------------------------------------------------------------


def test_a_removed_head_record_reports_the_last_events_hash(cli, trail: Path):
    execute(trail, "DELETE FROM meta WHERE key = 'audit_head'")
    body = _broken(cli, 1, "the record of the chain head is missing: the audit trail was edited")
    assert (body["headEvent"], body["headHash"]) == ("8", events(trail)[-1]["hash"])


@pytest.mark.parametrize("record", ["eight:{hash}", "-8:{hash}", ":{hash}", "x8:{hash}"])
def test_a_malformed_head_record(cli, trail: Path, record: str):
    last = events(trail)[-1]["hash"]
    execute(trail, ("UPDATE meta SET value = ? WHERE key = 'audit_head'", (record.format(hash=last),)))
    body = _broken(cli, 1, "the record of the chain head is malformed: the audit trail was edited")
    assert (body["headEvent"], body["headHash"]) == ("8", last)


def test_a_head_record_with_a_colon_in_its_hash(cli, trail: Path):
    last = events(trail)[-1]["hash"]
    execute(trail, ("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"8:{last}:8",)))
    _broken(cli, 8, "event #8 does not match the recorded chain head: events were added or replaced")


def test_a_one_event_chain_whose_head_record_names_another_hash(cli, vault_file: Path):
    _create(cli, "only")
    execute(vault_file, ("UPDATE meta SET value = ? WHERE key = 'audit_head'", ("1:" + "0" * 64,)))
    _broken(cli, 1, "event #1 does not match the recorded chain head: events were added or replaced")


# --- verdicts read in the backend: an empty chain, a chain without its key ---------------------


def test_an_empty_chain_is_intact(vault_file: Path):
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    opened = LocalBackend(vault_file)
    try:
        assert opened.audit.count() == 0
        for key in (None, b"\x00" * 32):
            assert opened.audit.verify(key).output() == {
                "intact": True,
                "chain": "intact",
                "events": 0,
                "headEvent": None,
                "headHash": None,
                "sealedThrough": None,
                "sealChecked": False,
            }
    finally:
        opened.close()


def test_the_note_on_a_missing_seal_needs_the_key(trail: Path, backend: Any):
    """Without the key the verdict cannot tell an unsealed chain from one checked elsewhere."""
    execute(trail, "DELETE FROM meta WHERE key = 'audit_seal'")
    assert backend.audit.verify(None).notes == []
    assert len(backend.audit.verify(backend.keys.key()).notes) == 1


# --- the stored formats, as docs/security.md states them ---------------------------------------


def test_the_seal_is_stored_as_sorted_json(trail: Path):
    seal = json.loads(_meta(trail, "audit_seal") or "")
    assert _meta(trail, "audit_seal") == json.dumps(seal, sort_keys=True)


def test_an_event_records_the_changes_to_sealed_values_as_compact_json(cli, trail: Path):
    rows = events(trail)
    assert rows[0]["sealed"] == '[["written","apikey","provider-0","apiKey",1]]'
    db = sqlite3.connect(trail)
    try:
        assert db.execute("SELECT COUNT(*) FROM sealed_changes").fetchone()[0] == 0
    finally:
        db.close()


def test_an_events_hash_covers_its_canonical_utf8_json(cli, trail: Path):
    """SHA-256 over the previous hash, a newline and the event as sorted, compact JSON in UTF-8
    (not ASCII escapes), recomputed here with the standard library."""
    created = cli("create-workload-identity", "--name", "agent")
    assert created.exit_code == 0, created.stderr
    token = cli("get-workload-access-token-for-user-id", "--workload-name", "agent", "--user-id", "zoë")
    assert token.exit_code == 0, token.stderr
    row = next(row for row in events(trail) if row["user_id"] == "zoë")
    text = canonical(row, row["prev_hash"])
    assert '"zoë"' in text.decode()
    assert row["hash"] == hashlib.sha256(row["prev_hash"].encode() + b"\n" + text).hexdigest()


def test_a_seal_at_the_genesis_covers_no_event_and_the_next_keyed_command_extends_it(cli, trail: Path, backend: Any):
    """A seal at event #0 (a vault keyed before its first event) names the genesis hash: the
    chain is intact, sealed through #0, and the next keyed command seals it through its event."""
    key = backend.keys.key()
    backend.audit._write_seal(key, 0, backend.audit.genesis())
    verdict = backend.audit.verify(key)
    assert (verdict.problem, verdict.sealed_through, verdict.seal_checked) == (None, 0, True)
    _create(cli, "after")
    code, body = _verdict(cli)
    assert (code, body["sealedThrough"]) == (0, "9")


def test_a_malformed_head_record_on_an_empty_chain_names_no_event(vault_file: Path):
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    opened = LocalBackend(vault_file)
    try:
        opened.store.db.execute("INSERT INTO meta (key, value) VALUES ('audit_head', 'garbage')")
        verdict = opened.audit.verify(None)
    finally:
        opened.close()
    assert (verdict.problem, verdict.bad_event) == (
        "the record of the chain head is malformed: the audit trail was edited",
        None,
    )
