"""The audit trail of the local vault: hash-chained events, and a sealed chain head.

Each event stores SHA-256 over the previous event's hash and its own canonical JSON, so
an edited, deleted or re-ordered event breaks the chain at that event. The chain head
(`audit_head` in meta) also records the last sequence number, so a truncated tail shows.

Re-writing the whole chain (and the head) is caught by the seal: an HMAC-SHA256 of the
head under a key derived from the vault key (HKDF, its own label). Loading the vault key
can mean a passphrase prompt, and listing needs no key, so an event does not load the key
to seal itself. The seal is born in the transaction that creates the vault key; after that
the head is re-sealed whenever the key is already loaded, which every operation that seals
or opens a secret does. `verify` checks that the seal authenticates, that it covers a
prefix of the chain, and that every later event chains from it. Events after the seal are
as strong as the hash chain alone until the next keyed operation extends the seal over
them (docs/security.md).

Nothing here ever sees a secret: an event holds names, ARNs, the OS user, the operation
and an error code, never a value, a token or a message.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from agentcore_identity_cli.auditlog import EventFilter, normalize_operation
from agentcore_identity_cli.backends.local import arns
from agentcore_identity_cli.errors import UsageError
from agentcore_identity_cli.identity import os_user

if TYPE_CHECKING:
    from agentcore_identity_cli.backends.local.keys import KeyRing
    from agentcore_identity_cli.backends.local.vault import VaultStore

GENESIS_LABEL = "agentcore-identity/v1 audit-genesis"
SEAL_LABEL = b"agentcore-identity/v1 audit-chain-seal"
PAGE_SIZE = 100  # events per page of `audit list`

_COLUMNS = (
    "seq",
    "time",
    "os_user",
    "workload",
    "user_id",
    "operation",
    "category",
    "target",
    "outcome",
    "tool_version",
    "prev_hash",
    "hash",
    "sealed",
)


_SELECT = (
    "SELECT seq, time, os_user, workload, user_id, operation, category, target, outcome, tool_version, "
    "prev_hash, hash, sealed FROM audit_events"
)
_INSERT = (
    "INSERT INTO audit_events (seq, time, os_user, workload, user_id, operation, category, target, outcome, "
    "tool_version, prev_hash, hash, sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _now() -> str:
    # One fixed format, so that times compare as text in SQL.
    return datetime.now(UTC).isoformat(timespec="microseconds")


def event_id(seq: int | None) -> str | None:
    """An event's id as every output gives it: a string, as CloudTrail's EventId (`audit list`
    on the aws backend) is one, so that ids from either backend compare and sort the same way
    in scripts. The sequence number inside the vault stays an integer."""
    return None if seq is None else str(seq)


@dataclass
class AuditScope:
    """The event one operation will append, filled in while the operation runs."""

    operation: str
    category: str
    target: str | None = None
    workload: str | None = None
    user_id: str | None = None
    # A target named by a secret that was sealed or opened wins over one merely looked up.
    strong_target: bool = False

    def note_target(self, arn: str | None, *, strong: bool = False) -> None:
        """The resource the operation acts on: the first one named, or a secret's."""
        if not arn:
            return
        if self.target is None or (strong and not self.strong_target):
            self.target = arn
            self.strong_target = self.strong_target or strong

    def note_caller(self, workload: str | None = None, user_id: str | None = None) -> None:
        """The workload identity and user the operation acts for, when known."""
        if workload and self.workload is None:
            self.workload = workload
        if user_id and self.user_id is None:
            self.user_id = user_id


@dataclass(frozen=True)
class Event:
    """One row of the audit_events table."""

    seq: int
    time: str
    os_user: str
    workload: str | None
    user_id: str | None
    operation: str
    category: str
    target: str | None
    outcome: str
    tool_version: str
    prev_hash: str
    hash: str = ""
    # The changes to sealed values this event brings into the chain, as JSON:
    # [["written" | "deleted", kind, name, field, version], ...] (see vault.py, migration 5).
    sealed: str | None = None

    def canonical(self) -> bytes:
        """The bytes the hash covers: every member but the hash, as sorted compact JSON.

        `sealed` is there only when the event has changes, so events from before it existed
        keep their hashes.
        """
        body: dict[str, Any] = {
            "seq": self.seq,
            "time": self.time,
            "osUser": self.os_user,
            "workload": self.workload,
            "userId": self.user_id,
            "operation": self.operation,
            "category": self.category,
            "target": self.target,
            "outcome": self.outcome,
            "toolVersion": self.tool_version,
            "prevHash": self.prev_hash,
        }
        if self.sealed is not None:
            body["sealed"] = self.sealed
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def computed_hash(self) -> str:
        """SHA-256 over the previous hash and this event's canonical form."""
        import hashlib

        return hashlib.sha256(self.prev_hash.encode() + b"\n" + self.canonical()).hexdigest()

    def output(self) -> dict[str, Any]:
        """The event as `audit list` prints it (auditlog.EVENT_COLUMNS)."""
        return {
            "eventId": event_id(self.seq),
            "eventTime": datetime.fromisoformat(self.time),
            "user": self.os_user,
            "workload": self.workload,
            "userId": self.user_id,
            "operation": self.operation,
            "category": self.category,
            "target": self.target,
            "outcome": self.outcome,
            "toolVersion": self.tool_version,
        }


@dataclass
class Verdict:
    """What `audit verify` found."""

    events: int = 0
    head_seq: int = 0
    head_hash: str = ""
    sealed_through: int | None = None
    seal_checked: bool = False
    has_key: bool = False
    bad_event: int | None = None
    problem: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """No event was altered, removed, re-ordered or added outside the tool."""
        return self.problem is None

    @property
    def unsealed(self) -> bool:
        """Intact, but the vault has a key and no seal covers the chain."""
        return self.intact and self.has_key and self.events > 0 and self.sealed_through is None

    @property
    def state(self) -> str:
        """One word for `vault status`: intact, unsealed or broken."""
        if not self.intact:
            return "broken"
        return "unsealed" if self.unsealed else "intact"

    def output(self) -> dict[str, Any]:
        """The verdict as `audit verify` prints it."""
        out: dict[str, Any] = {
            "intact": self.intact and not self.unsealed,
            "chain": self.state,
            "events": self.events,
            "headEvent": event_id(self.head_seq or None),
            "headHash": self.head_hash or None,
            "sealedThrough": event_id(self.sealed_through),
            "sealChecked": self.seal_checked,
        }
        if self.bad_event is not None:
            out["firstBadEvent"] = event_id(self.bad_event)
        if self.problem:
            out["problem"] = self.problem
        if self.notes:
            out["notes"] = list(self.notes)
        return out


Change = tuple[str, str, str, str, int]  # ("written" | "deleted", kind, name, field, version)


class SealedValues:
    """Checks the sealed values against what the audit chain recorded of their changes.

    Every change of a value's version, and every removal, is noted by a trigger and taken into
    the next event (vault.py, migration 5). Versions come from one counter that only grows, so:
    - a value written with a version not above every one recorded before it was written back
      (rolled back) through SQL, which the triggers noted;
    - a value whose version is not the last one recorded for it, or that is there after its
      removal was recorded, was rolled back or brought back with the triggers out of the way.
    """

    def __init__(self, store: VaultStore) -> None:
        self.store = store

    def check(self, events: list[Event]) -> tuple[int | None, str | None]:
        """(event, problem) for the first inconsistency, else (None, None). Needs no key."""
        from agentcore_identity_cli.backends.local.vault import SEALED_CHANGE_TRIGGERS, vault_int

        present = {row[0] for row in self.store.db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        lost = [name for name in SEALED_CHANGE_TRIGGERS if name not in present]
        if lost:
            return None, f"the vault's triggers that record changes to sealed values were removed ({', '.join(lost)})"
        last: dict[tuple[str, str, str], tuple[str, int, int | None]] = {}
        highest = 0
        for seq, changes in self._recorded(events):
            if changes is None:
                return seq, f"event #{seq} holds a malformed record of changes to sealed values"
            for change, kind, name, member, version in changes:
                if change == "written":
                    if version <= highest:
                        where = f"event #{seq}" if seq is not None else "a change not yet in the chain"
                        return seq, (
                            f"{where} records the {member} of {kind} '{name}' written back with version {version}, "
                            f"after version {highest} existed: a sealed value was rolled back"
                        )
                    highest = version
                last[(kind, name, member)] = (change, version, seq)
        stored = {
            (kind, name, member): vault_int(version)
            for kind, name, member, version in self.store.db.execute("SELECT kind, name, field, version FROM secrets")
        }
        for (kind, name, member), version in sorted(stored.items()):
            recorded = last.get((kind, name, member))
            what = f"the {member} of {kind} '{name}'"
            if recorded is None:
                if version != 0:  # 0: sealed before versions existed, and not yet upgraded
                    return None, f"{what} has version {version}, but no change to it was ever recorded"
            elif recorded[0] == "deleted":
                return recorded[2], f"{what} was removed (event #{recorded[2]}) and is back: it was restored by hand"
            elif recorded[1] != version:
                return recorded[2], (
                    f"{what} holds version {version}, but event #{recorded[2]} recorded version {recorded[1]}: "
                    "the sealed value was rolled back"
                )
        for (kind, name, member), (change, _, seq) in sorted(last.items()):
            if change == "written" and (kind, name, member) not in stored:
                return seq, f"the {member} of {kind} '{name}' was removed without its removal being recorded"
        return None, None

    def _recorded(self, events: list[Event]) -> Iterator[tuple[int | None, list[Change] | None]]:
        """Each event's changes in chain order, then those not yet in the chain (seq None)."""
        from agentcore_identity_cli.backends.local.vault import vault_int

        for event in events:
            if event.sealed is not None:
                yield event.seq, _changes(event.sealed)
        pending = self.store.db.execute(
            "SELECT change, kind, name, field, version FROM sealed_changes ORDER BY id"
        ).fetchall()
        if pending:
            yield None, [(str(c), str(k), str(n), str(f), vault_int(v)) for c, k, n, f, v in pending]


def _changes(text: str) -> list[Change] | None:
    """An event's `sealed` member, or None when it is not what append() writes."""
    try:
        raw = json.loads(text)
    except ValueError:
        return None
    if not isinstance(raw, list):
        return None
    changes: list[Change] = []
    for item in raw:
        if not (isinstance(item, list) and len(item) == 5 and item[0] in ("written", "deleted")):
            return None
        change, kind, name, member, version = item
        if not all(isinstance(v, str) for v in (kind, name, member)) or type(version) is not int:
            return None
        changes.append((change, kind, name, member, version))
    return changes


class AuditTrail:
    """Appends, seals, verifies and reads the events of one vault."""

    def __init__(self, store: VaultStore, keys: KeyRing) -> None:
        self.store = store
        self.keys = keys
        self._derived: tuple[bytes, bytes] | None = None
        keys.on_new_key = self._key_created

    # --- the chain --------------------------------------------------------------------

    def genesis(self) -> str:
        """The `prev_hash` of the first event: bound to this vault's id."""
        vault_id = self.store.meta("vault_id") or ""
        import hashlib

        return hashlib.sha256(f"{GENESIS_LABEL}\x1f{vault_id}".encode()).hexdigest()

    def head(self) -> tuple[int, str]:
        """The last sequence number and hash the chain has reached."""
        seq, digest = 0, self.genesis()
        recorded = self.store.meta("audit_head")
        if recorded:
            text_seq, _, text_hash = recorded.partition(":")
            if text_seq.isdigit():
                seq, digest = int(text_seq), text_hash
        row = self.store.db.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()
        if row is not None and row[0] > seq:
            # Rows beyond the recorded head: continue after them; verify reports the gap.
            seq, digest = int(row[0]), str(row[1])
        return seq, digest

    def append(self, scope: AuditScope, outcome: str) -> Event:
        """Add one event; the caller holds the write transaction."""
        from agentcore_identity_cli import __version__

        seq, prev = self.head()
        event = Event(
            seq=seq + 1,
            time=_now(),
            os_user=os_user(),
            workload=scope.workload,
            user_id=scope.user_id,
            operation=scope.operation,
            category=scope.category,
            target=scope.target,
            outcome=outcome,
            tool_version=__version__,
            prev_hash=prev,
        )
        changes = self.store.take_sealed_changes()
        if changes:
            event = replace(event, sealed=json.dumps(changes, separators=(",", ":"), ensure_ascii=False))
        event = replace(event, hash=event.computed_hash())
        self.store.db.execute(_INSERT, tuple(getattr(event, column) for column in _COLUMNS))
        self.store.set_meta("audit_head", f"{event.seq}:{event.hash}")
        key = self.keys.loaded_key
        if key is not None:
            self._advance_seal(key, event.seq, event.hash)
        return event

    def count(self) -> int:
        """How many events the vault holds."""
        return int(self.store.db.execute("SELECT COUNT(*) FROM audit_events").fetchone()[0])

    def _rows(self, after: int, through: int | None = None) -> list[Event]:
        sql = _SELECT + " WHERE seq > ?"
        args: list[Any] = [after]
        if through is not None:
            sql += " AND seq <= ?"
            args.append(through)
        return [Event(*row) for row in self.store.db.execute(sql + " ORDER BY seq", args)]

    def _walk(self, after: int, after_hash: str, events: list[Event]) -> tuple[int | None, str | None]:
        """(first bad seq, why) for events that should follow (after, after_hash), else (None, None)."""
        expected, prev = after + 1, after_hash
        for event in events:
            if event.seq != expected:
                return expected, f"event #{expected} is missing: the chain goes from #{expected - 1} to #{event.seq}"
            if event.prev_hash != prev:
                return event.seq, (
                    f"event #{event.seq} does not follow event #{event.seq - 1}: "
                    "events were re-ordered, or an earlier one was replaced"
                )
            if event.computed_hash() != event.hash:
                return event.seq, f"event #{event.seq} was altered: its contents do not match its hash"
            expected, prev = expected + 1, event.hash
        return None, None

    def _links(self, after: int, after_hash: str, through: int) -> bool:
        if after > 0:
            row = self.store.db.execute("SELECT hash FROM audit_events WHERE seq = ?", (after,)).fetchone()
            if row is None or row[0] != after_hash:
                return False
        events = self._rows(after, through)
        bad, _ = self._walk(after, after_hash, events)
        return bad is None and (events[-1].seq if events else after) == through

    # --- the seal ---------------------------------------------------------------------

    def _seal_key(self, vault_key: bytes) -> bytes:
        if self._derived is not None and self._derived[0] == vault_key:
            return self._derived[1]
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=SEAL_LABEL).derive(vault_key)
        self._derived = (vault_key, derived)
        return derived

    def _mac(self, vault_key: bytes, seq: int, digest: str) -> str:
        message = f"{self.store.meta('vault_id') or ''}\x1f{seq}\x1f{digest}".encode()
        import hashlib
        import hmac

        return hmac.new(self._seal_key(vault_key), message, hashlib.sha256).hexdigest()

    def read_seal(self) -> dict[str, Any] | None:
        """The stored seal {seq, hash, mac}, or None; a malformed one reads as {}."""
        raw = self.store.meta("audit_seal")
        if raw is None:
            return None
        try:
            seal = json.loads(raw)
        except ValueError:
            return {}
        if not isinstance(seal, dict) or not isinstance(seal.get("seq"), int):
            return {}
        if not all(isinstance(seal.get(k), str) for k in ("hash", "mac")):
            return {}
        return seal

    def _authentic(self, vault_key: bytes, seal: dict[str, Any]) -> bool:
        if not seal:
            return False
        import hmac

        return hmac.compare_digest(self._mac(vault_key, seal["seq"], seal["hash"]), seal["mac"])

    def _write_seal(self, vault_key: bytes, seq: int, digest: str) -> None:
        seal = {"seq": seq, "hash": digest, "mac": self._mac(vault_key, seq, digest)}
        self.store.set_meta("audit_seal", json.dumps(seal, sort_keys=True))

    def _key_created(self, vault_key: bytes) -> None:
        """The seal is born with the vault key, in the same transaction.

        Only for a vault that holds no secret yet: one that has secrets but lost its key
        check value, or has a key but no seal (upgraded from schema 1, or its seal removed),
        is not sealed behind anyone's back; that takes `audit verify --seal`.
        """
        if self.read_seal() is None and self.store.db.execute("SELECT 1 FROM secrets LIMIT 1").fetchone() is None:
            self.seal_now(vault_key)

    def _advance_seal(self, vault_key: bytes, seq: int, digest: str) -> None:
        """Extend the seal to the new head, but never over a seal or events that fail to check.

        A missing seal is not created here, and a bad seal or a broken stretch is left as it
        is, so that `verify` still finds them.
        """
        current = self.read_seal()
        if current is None:
            return
        if not self._authentic(vault_key, current) or current["seq"] > seq:
            return
        if self._links(current["seq"], current["hash"], seq):
            self._write_seal(vault_key, seq, digest)

    def reseal(self, old_key: bytes, new_key: bytes) -> None:
        """Re-make the seal under a rotated vault key (inside the rotation's transaction)."""
        current = self.read_seal()
        if current and self._authentic(old_key, current):
            self._write_seal(new_key, current["seq"], current["hash"])

    def seal_now(self, vault_key: bytes) -> None:
        """Seal the current head (seq 0, the genesis, for an empty chain) if the chain links."""
        seq, digest = self.head()
        if self._links(0, self.genesis(), seq):
            self._write_seal(vault_key, seq, digest)

    # --- verification -----------------------------------------------------------------

    def verify(self, vault_key: bytes | None) -> Verdict:
        """Walk the whole chain; with the key, also check the seal's MAC."""
        verdict = Verdict(has_key=self.store.meta("key_check") is not None)
        events = self._rows(0)
        verdict.events = len(events)
        bad, problem = self._walk(0, self.genesis(), events)
        last_seq = events[-1].seq if events else 0
        by_seq = {event.seq: event.hash for event in events}
        recorded = self.store.meta("audit_head")
        head_seq, head_hash, readable = 0, "", True
        if recorded:
            text_seq, _, text_hash = recorded.partition(":")
            readable = text_seq.isdigit()
            if readable:
                head_seq, head_hash = int(text_seq), text_hash
        verdict.head_seq, verdict.head_hash = max(head_seq, last_seq), head_hash or (events[-1].hash if events else "")
        if bad is None:
            if events and not recorded:
                bad, problem = 1, "the record of the chain head is missing: the audit trail was edited"
            elif not readable:
                bad = 1 if events else None
                problem = "the record of the chain head is malformed: the audit trail was edited"
            elif head_seq > last_seq:
                bad = last_seq + 1
                problem = f"events #{last_seq + 1} to #{head_seq} are missing: the chain was truncated"
            elif head_seq < last_seq or (recorded and by_seq.get(head_seq) != head_hash):
                bad = head_seq + 1 if head_seq < last_seq else max(head_seq, 1)
                problem = f"event #{bad} does not match the recorded chain head: events were added or replaced"
        seal = self.read_seal()
        if seal is not None:
            bad, problem = self._check_seal(verdict, seal, by_seq, last_seq, vault_key, bad, problem)
        elif vault_key is not None and verdict.has_key and events:
            verdict.notes.append(
                "no seal covers the chain: the vault was upgraded from schema 1 and no command has sealed it "
                "yet, or the seal was removed"
            )
        if problem is None:
            # Only on an intact chain: a chain broken elsewhere explains the values it no longer covers.
            bad, problem = SealedValues(self.store).check(events)
        verdict.bad_event, verdict.problem = bad, problem
        return verdict

    def _check_seal(
        self,
        verdict: Verdict,
        seal: dict[str, Any],
        by_seq: dict[int, str],
        last_seq: int,
        vault_key: bytes | None,
        bad: int | None,
        problem: str | None,
    ) -> tuple[int | None, str | None]:
        if not seal:
            return bad if bad is not None else 1, problem or "the seal of the chain head is malformed"
        if vault_key is not None:
            verdict.seal_checked = True
            if not self._authentic(vault_key, seal):
                return (
                    bad if bad is not None else seal["seq"],
                    problem or "the seal of the chain head does not authenticate with the vault key: it was forged",
                )
        if seal["seq"] > last_seq:
            return (
                bad if bad is not None else last_seq + 1,
                problem or f"events #{last_seq + 1} to #{seal['seq']} are missing: the sealed chain was truncated",
            )
        if (by_seq.get(seal["seq"]) if seal["seq"] else self.genesis()) != seal["hash"]:
            return (
                bad if bad is not None else seal["seq"],
                problem or f"event #{seal['seq']} does not match the sealed chain head: the chain was re-written",
            )
        verdict.sealed_through = seal["seq"]
        return bad, problem

    # --- reading ----------------------------------------------------------------------

    def page(self, where: EventFilter, before: int | None, limit: int) -> list[Event]:
        """Up to `limit` events that pass the filter, newest first, older than `before`."""
        sql = [_SELECT, "WHERE 1 = 1"]
        args: list[Any] = []
        if before is not None:
            sql.append("AND seq < ?")
            args.append(before)
        if where.since is not None:
            sql.append("AND time >= ?")
            args.append(where.since.astimezone(UTC).isoformat(timespec="microseconds"))
        if where.until is not None:
            sql.append("AND time < ?")
            args.append(where.until.astimezone(UTC).isoformat(timespec="microseconds"))
        if where.operation is not None:
            sql.append("AND lower(operation) = ?")
            args.append(normalize_operation(where.operation))
        if where.target is not None:
            # Events recorded before the ARN migration name the legacy form of the same ARN.
            sql.append("AND (target IN (?, ?) OR target LIKE ? ESCAPE '\\')")
            escaped = where.target.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            args.extend([where.target, arns.legacy(where.target) or where.target, "%/" + escaped])
        if where.outcome is not None:
            sql.append("AND outcome != 'success'" if where.outcome == "failure" else "AND outcome = ?")
            if where.outcome != "failure":
                args.append(where.outcome)
        for column, value in (("os_user", where.user), ("workload", where.workload), ("category", where.category)):
            if value is not None:
                sql.append(f"AND {column} = ?")
                args.append(value)
        sql.append("ORDER BY seq DESC LIMIT ?")
        args.append(limit)
        return [Event(*row) for row in self.store.db.execute(" ".join(sql), args)]

    def page_events(
        self, where: EventFilter, token: str | None, size: int | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of `audit list` (newest first) and the token of the next, if any."""
        before: int | None = None
        if token:
            if not token.startswith("before-") or not token[len("before-") :].isdigit():
                raise UsageError("Bad value for --starting-token: pass the NextToken that an earlier call printed.")
            before = int(token[len("before-") :])
        limit = size or PAGE_SIZE
        events = self.page(where, before, limit + 1)
        more = len(events) > limit
        events = events[:limit]
        next_token = f"before-{events[-1].seq}" if more and events else None
        return [event.output() for event in events], next_token

    def last_used(self) -> tuple[dict[str, str], dict[str, str]]:
        """When each target, and each workload, last read a secret successfully (ISO times)."""
        by_target: dict[str, str] = {}
        for target, time in self.store.db.execute(
            "SELECT target, MAX(time) FROM audit_events WHERE category = 'secret-read' "
            "AND outcome = 'success' AND target IS NOT NULL GROUP BY target"
        ):
            # Events recorded before the ARN migration name the legacy form of the same ARN.
            arn = arns.canonical(target)
            by_target[arn] = max(time, by_target.get(arn, time))
        by_workload = dict(
            self.store.db.execute(
                "SELECT workload, MAX(time) FROM audit_events WHERE category = 'secret-read' "
                "AND outcome = 'success' AND workload IS NOT NULL GROUP BY workload"
            ).fetchall()
        )
        return by_target, by_workload
