"""The local vault: one SQLite file, schema-versioned, with secrets sealed per field.

Names, ARNs and timestamps stay readable so that listing needs no key; only the values
in the `secrets` table are encrypted. Every command runs in one transaction; WAL mode and a
busy timeout let several processes share one vault without losing writes.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentcore_identity_cli.errors import ConfigError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000

# Forward migrations: MIGRATIONS[n] takes a vault from version n to n + 1. Append only:
# a released migration never changes, and the schema version is their count.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE resources (
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        arn TEXT NOT NULL UNIQUE,
        created REAL NOT NULL,
        updated REAL NOT NULL,
        attrs TEXT NOT NULL,
        PRIMARY KEY (kind, name)
    );
    CREATE TABLE secrets (
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        field TEXT NOT NULL,
        sealed BLOB NOT NULL,
        PRIMARY KEY (kind, name, field),
        FOREIGN KEY (kind, name) REFERENCES resources (kind, name) ON DELETE CASCADE
    );
    CREATE TABLE tags (
        arn TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (arn, key)
    );
    """,
    # OAuth 2.0 tokens (backends/local/oauth_tokens.py): one row per (workload identity,
    # provider, user, scopes, flow), readable metadata only; the token values are sealed in
    # `secrets` under the provider's record (field `oauth2Token:<id>`), so key rotation
    # re-seals them and deleting the provider removes them. Deleting the workload identity
    # removes its rows (their sealed values are purged by the next token operation).
    # `oauth2_metadata` caches discovery documents by URL.
    """
    CREATE TABLE oauth2_tokens (
        id TEXT PRIMARY KEY,
        provider_kind TEXT NOT NULL DEFAULT 'oauth2' CHECK (provider_kind = 'oauth2'),
        provider TEXT NOT NULL,
        workload_kind TEXT NOT NULL DEFAULT 'workload' CHECK (workload_kind = 'workload'),
        workload TEXT NOT NULL,
        user_id TEXT NOT NULL,
        scopes TEXT NOT NULL,
        flow TEXT NOT NULL,
        obtained REAL NOT NULL,
        expires REAL,
        attrs TEXT NOT NULL,
        FOREIGN KEY (provider_kind, provider) REFERENCES resources (kind, name) ON DELETE CASCADE,
        FOREIGN KEY (workload_kind, workload) REFERENCES resources (kind, name) ON DELETE CASCADE
    );
    CREATE INDEX oauth2_tokens_owner ON oauth2_tokens (provider, workload, user_id, flow);
    CREATE TABLE oauth2_metadata (
        url TEXT PRIMARY KEY,
        fetched REAL NOT NULL,
        document TEXT NOT NULL
    );
    """,
    # The audit trail (backends/local/audit.py): one hash-chained event per change or
    # secret read. `time` is ISO 8601 UTC in one fixed format, so it compares as text.
    """
    CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        os_user TEXT NOT NULL,
        workload TEXT,
        user_id TEXT,
        operation TEXT NOT NULL,
        category TEXT NOT NULL,
        target TEXT,
        outcome TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX audit_events_time ON audit_events (time);
    CREATE INDEX audit_events_target ON audit_events (target, category);
    """,
    # Credential providers and the token vault take the ARN form the service hands out
    # (backends/local/arns.py): arn:aws:acps:... becomes arn:aws:bedrock-agentcore:...
    # Audit events keep the ARN they were recorded with, since the hash chain covers it.
    """
    UPDATE resources SET arn = 'arn:aws:bedrock-agentcore:' || substr(arn, 14) WHERE arn LIKE 'arn:aws:acps:%';
    UPDATE tags SET arn = 'arn:aws:bedrock-agentcore:' || substr(arn, 14) WHERE arn LIKE 'arn:aws:acps:%';
    """,
    # Rollback of one secret (docs/security.md). Each sealed value gets a version from a
    # vault-wide counter (meta `secret_version`), bound into its associated data, so an older
    # ciphertext written back into its row fails to open. Triggers note every change of a
    # sealed value's version, and every removal, in `sealed_changes`; the next audit event
    # takes them into the hash chain (its `sealed` member), so that `audit verify` catches a
    # value rolled back together with its version, or one brought back after its deletion.
    # Rows sealed before this migration keep version 0 until the key next opens the vault.
    """
    ALTER TABLE secrets ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE audit_events ADD COLUMN sealed TEXT;
    CREATE TABLE sealed_changes (
        id INTEGER PRIMARY KEY,
        change TEXT NOT NULL CHECK (change IN ('written', 'deleted')),
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        field TEXT NOT NULL,
        version INTEGER NOT NULL
    );
    CREATE TRIGGER secrets_inserted AFTER INSERT ON secrets BEGIN
        INSERT INTO sealed_changes (change, kind, name, field, version)
        VALUES ('written', NEW.kind, NEW.name, NEW.field, NEW.version);
    END;
    CREATE TRIGGER secrets_versioned AFTER UPDATE OF version ON secrets WHEN NEW.version IS NOT OLD.version BEGIN
        INSERT INTO sealed_changes (change, kind, name, field, version)
        VALUES ('written', NEW.kind, NEW.name, NEW.field, NEW.version);
    END;
    CREATE TRIGGER secrets_deleted AFTER DELETE ON secrets BEGIN
        INSERT INTO sealed_changes (change, kind, name, field, version)
        VALUES ('deleted', OLD.kind, OLD.name, OLD.field,
                COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'secret_version'), 0));
    END;
    INSERT INTO meta (key, value) SELECT 'legacy_secrets', '1' WHERE EXISTS (SELECT 1 FROM secrets);
    """,
    # Consent portals (backends/local/consent_portals.py) are rows of `resources` (kind
    # `consentportal`). Their connections, which only the local vault has (the service
    # resolves them from the portal's gateway), are OAuth2 credential providers in the
    # order they are shown; deleting the portal or the provider removes the connection.
    """
    CREATE TABLE consent_portal_connections (
        portal_kind TEXT NOT NULL DEFAULT 'consentportal' CHECK (portal_kind = 'consentportal'),
        portal TEXT NOT NULL,
        provider_kind TEXT NOT NULL DEFAULT 'oauth2' CHECK (provider_kind = 'oauth2'),
        provider TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (portal, provider),
        FOREIGN KEY (portal_kind, portal) REFERENCES resources (kind, name) ON DELETE CASCADE,
        FOREIGN KEY (provider_kind, provider) REFERENCES resources (kind, name) ON DELETE CASCADE
    );
    """,
]

# The triggers of the last migration: `audit verify` reports a vault that lost one.
SEALED_CHANGE_TRIGGERS = ("secrets_inserted", "secrets_versioned", "secrets_deleted")

SCHEMA_VERSION = len(MIGRATIONS)


def _owner_name(uid: int) -> str:
    try:
        import pwd

        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except (ImportError, KeyError):
        return f"uid {uid}"


def _check_owner(path: Path, st: os.stat_result, what: str) -> None:
    """Refuse a file or folder that belongs to another user: its owner could read or swap it."""
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    if uid is not None and st.st_uid != uid:
        raise ConfigError(
            f"The {what} {path} is owned by {_owner_name(st.st_uid)}, not by you "
            f"({_owner_name(uid)}); refusing to use it.",
            hint="use a vault of your own (AGENTCORE_IDENTITY_HOME or --profile), or have its owner hand it over",
        )


def _check_private(path: Path, what: str) -> None:
    """Refuse a file or folder that is another user's, or that other users can read or change.

    The check follows symlinks: what counts is the file that will be opened.
    """
    st = path.stat()
    _check_owner(path, st, what)
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        if mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise ConfigError(
                f"The {what} {path} is writable by other users; refusing to use it.",
                hint=f"run: chmod 700 {path}",
            )
    elif mode & 0o077:
        raise ConfigError(
            f"The {what} {path} is accessible by other users (mode {stat.S_IMODE(mode):04o}); refusing to use it.",
            hint=f"run: chmod 600 {path}",
        )


def check_private_if_present(path: Path, what: str) -> None:
    """_check_private for a file that may not exist (SQLite's -wal and -shm, a rotated key)."""
    try:
        _check_private(path, what)
    except FileNotFoundError:
        pass


def _check_parents(folder: Path) -> None:
    """Refuse when a folder above the vault lets another user rename or replace what is in it.

    Walks up from the real folder (symlinks resolved) to the user's home folder, or to /
    for a folder outside it. A sticky folder (/tmp) is fine: others cannot rename what is
    not theirs there.
    """
    real = folder.resolve()
    try:
        stop: Path | None = Path.home().resolve()
    except (KeyError, RuntimeError):
        stop = None
    if stop is not None and real != stop and stop not in real.parents:
        stop = None
    for parent in real.parents:
        mode = parent.stat().st_mode
        if mode & (stat.S_IWGRP | stat.S_IWOTH) and not mode & stat.S_ISVTX:
            raise ConfigError(
                f"The folder {parent}, above {folder}, is writable by other users "
                f"(mode {stat.S_IMODE(mode):04o}); they could replace the vault. Refusing to use it.",
                hint=f"run: chmod go-w {parent}  (or chmod +t {parent} for a shared folder)",
            )
        if parent == stop:
            break


def _make_private_dirs(path: Path) -> None:
    """Create a folder and any missing parents, each 0700 whatever the umask."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue  # another process made it first; it is checked below like any folder
        # mkdir's mode is filtered by the umask, which may also have left bits we do not want.
        os.chmod(folder, 0o700)


def ensure_private_dir(path: Path) -> None:
    """Create a folder 0700 (and its parents) if missing, and check it and the folders above it.

    The folders above are checked before anything is created in them.
    """
    if not path.exists():
        existing = next((parent for parent in path.parents if parent.exists()), None)
        if existing is not None:
            _check_parents(existing / path.name)  # `existing` and every folder above it
        _make_private_dirs(path)
    _check_private(path, "folder")
    _check_parents(path)


STALE_TEMP_SECONDS = 60.0


def remove_stale_temp_files(vault_path: Path) -> None:
    """Remove the temporary files of key and id file writes that a killed process left behind.

    A write makes `NAME.<hex>.tmp` (0600), fsyncs it and renames it into place within
    milliseconds; one older than a minute belongs to a process that died before its rename.
    It may hold a key that was never put in use, or the vault key itself: not worth keeping.
    """
    folder = vault_path.parent
    names = (key_file_path(vault_path).name, identity_file_path(vault_path).name)
    now = time.time()
    try:
        candidates = list(folder.iterdir())
    except OSError:
        return
    for path in candidates:
        if not path.name.endswith(".tmp") or not path.name.startswith(names):
            continue
        try:
            st = path.lstat()
            mine = not hasattr(os, "geteuid") or st.st_uid == os.geteuid()
            if stat.S_ISREG(st.st_mode) and mine and now - st.st_mtime > STALE_TEMP_SECONDS:
                path.unlink()
        except OSError:
            continue


def key_file_path(vault_path: Path) -> Path:
    """The key file that belongs to a vault file."""
    return vault_path.with_name(vault_path.stem + ".key")


def identity_file_path(vault_path: Path) -> Path:
    """The file beside a vault that records the id of the vault its key was made for.

    It outlives an emptied or replaced vault file, and so tells such a vault from a new one.
    """
    return vault_path.with_name(vault_path.stem + ".id")


def read_identity_file(path: Path) -> str | None:
    """The vault id recorded in an identity file, or None when there is none."""
    check_private_if_present(path, "vault id file")
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


def write_identity_file(path: Path, vault_id: str) -> None:
    """Record a vault id, 0600, replacing the file in one step."""
    import secrets

    tmp = path.with_name(path.name + f".{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(vault_id + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


_START_OVER_HINT = (
    "restore the vault from a backup with 'vault restore FILE', or start over with 'vault init --force' "
    "(it keeps the old files aside)"
)


_REPLACING = contextvars.ContextVar("replacing_vault", default=False)


@contextmanager
def replacing_vault() -> Iterator[None]:
    """Open vaults without the identity check: for `vault restore`, which replaces the vault."""
    token = _REPLACING.set(True)
    try:
        yield
    finally:
        _REPLACING.reset(token)


def _check_identity(store: VaultStore) -> None:
    """Refuse a vault that was emptied or replaced while its key stayed.

    Opened as it is, such a vault would be taken for a new one: the old key would seal new
    secrets, and `audit verify` would call an empty trail intact.
    """
    if _REPLACING.get():
        return
    vault_id = store.meta("vault_id")
    id_file = identity_file_path(store.path)
    # The key file is looked at before the id file: first use writes the id file first.
    key_file = key_file_path(store.path)
    orphan_key = next((p for p in (key_file, key_file.with_name(key_file.name + ".next")) if p.exists()), None)
    recorded = read_identity_file(id_file)
    if recorded is not None and recorded != vault_id:
        raise ConfigError(
            f"The vault {store.path} is not the one its key belongs to: {id_file} records vault id "
            f"{recorded}, the vault file holds {vault_id}. The vault file was emptied, deleted or replaced; "
            "refusing to use it.",
            hint=_START_OVER_HINT,
        )
    if recorded is None and orphan_key is not None and store.meta("key_check") is None:
        raise ConfigError(
            f"The key file {orphan_key} exists without its vault: {store.path} holds no vault that this key "
            "opened. The vault file was emptied, deleted or replaced; refusing to start a new vault beside "
            "the old key.",
            hint=_START_OVER_HINT,
        )


_WRITER_LOCKS: dict[str, threading.RLock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()


def _writer_lock(path: Path) -> threading.RLock:
    """The lock that threads of this process take before writing to one vault file.

    SQLite lets one writer in at a time and makes the others poll with growing sleeps (up
    to 100 ms each), which turns contention between the threads of `serve` into long tail
    latencies; queueing them here first leaves SQLite's wait for other processes only.
    """
    key = str(path.resolve())
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(key, threading.RLock())


@dataclass
class _Frame:
    """What to do when one level of transaction() ends."""

    after_commit: list[Callable[[], None]] = field(default_factory=list)
    on_rollback: list[Callable[[], None]] = field(default_factory=list)


def _vault_text(raw: bytes) -> str:
    """TEXT read back from the vault: bytes that are not UTF-8 mean damaged pages, not a bug here."""
    try:
        return raw.decode()
    except UnicodeDecodeError:
        raise sqlite3.DataError("a text value is not UTF-8") from None


def vault_int(value: Any) -> int:
    """An INTEGER read back from the vault: anything else was written there by hand (damage)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise sqlite3.DataError("a number in the vault is not an integer")


def vault_hex(value: str | None) -> bytes:
    """A sealed value the vault keeps as hex text (the key check, the signing key): anything else is
    damage, not a bug here."""
    try:
        return bytes.fromhex(value or "")
    except ValueError:
        raise sqlite3.DataError("a sealed value in the vault is not hex text") from None


def vault_blob(value: Any) -> bytes:
    """A BLOB read back from the vault (a sealed value): anything else is damage, not a bug here."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise sqlite3.DataError("a sealed value in the vault is not binary")


class VaultStore:
    """Rows of the vault file. Knows nothing of AWS shapes; see backend.py for those."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._frames: list[_Frame] = []
        self._writer = _writer_lock(path)  # resolved once: transaction() is on every write
        ensure_private_dir(path.parent)
        if not path.exists():
            # Create the file 0600 before SQLite opens it, so it is never readable by others.
            fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
            os.close(fd)
        _check_private(path, "vault file")
        for suffix in ("-wal", "-shm"):
            check_private_if_present(path.with_name(path.name + suffix), "vault file")
        # Checked by every command, those that need no key included: a key file that another
        # user owns or can read is refused before anything is written next to it.
        key_file = key_file_path(path)
        for key_path in (key_file, key_file.with_name(key_file.name + ".next")):
            check_private_if_present(key_path, "key file")
        started = time.perf_counter()
        try:
            self.db = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
            self.db.text_factory = _vault_text
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate_when_free()
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"The vault file {path} cannot be opened: {exc}") from None
        _check_identity(self)
        log.debug(
            "vault %s opened: schema version %s, in %.1f ms",
            path,
            self.db.execute("PRAGMA user_version").fetchone()[0],
            (time.perf_counter() - started) * 1000,
        )

    def _migrate_when_free(self) -> None:
        """Migrate, retrying while another process holds the file in a way SQLite will not wait for.

        Processes that open a brand-new vault at once race to switch it to WAL and create the
        schema; SQLite answers some of those races with "database is locked" at once, without
        its busy handler (to avoid a deadlock), so the wait is ours, up to the busy timeout.
        """
        import random

        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self._migrate()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0.005, 0.05))  # noqa: S311 - jitter, not a secret

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise ConfigError(
                f"The vault {self.path} has schema version {version}, newer than this tool knows ({SCHEMA_VERSION}).",
                hint="upgrade agentcore-identity",
            )
        if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while this one waited for the lock.
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            for step in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[step]):
                    self.db.execute(statement)
                if step == 0:
                    self._init_meta()
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _init_meta(self) -> None:
        import secrets

        now = repr(time.time())
        for key, value in (
            ("vault_id", secrets.token_hex(16)),
            ("created", now),
            ("key_updated", now),
        ):
            self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; a nested call is a savepoint inside the outer one.

        A nested block that fails rolls back its own changes only (so a failed operation
        run inside a caller's transaction leaves nothing half-done), then re-raises.
        """
        depth = len(self._frames)
        if depth == 0:
            with self._writer:
                with self._transaction(depth):
                    yield
        else:
            with self._transaction(depth):
                yield

    @contextmanager
    def _transaction(self, depth: int) -> Iterator[None]:
        savepoint = f"nested_{depth}"
        self.db.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT {savepoint}")
        frame = _Frame()
        self._frames.append(frame)
        try:
            yield
            if depth == 0:
                self.db.execute("COMMIT")
            else:
                self.db.execute(f"RELEASE {savepoint}")
        except BaseException:
            self._frames.pop()
            if depth == 0:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
            else:
                self.db.execute(f"ROLLBACK TO {savepoint}")
                self.db.execute(f"RELEASE {savepoint}")
            for undo in reversed(frame.on_rollback):
                undo()
            raise
        self._frames.pop()
        if depth == 0:
            for action in frame.after_commit:
                action()
        else:
            self._frames[-1].after_commit.extend(frame.after_commit)
            self._frames[-1].on_rollback.extend(frame.on_rollback)

    @property
    def in_transaction(self) -> bool:
        """True inside transaction()."""
        return bool(self._frames)

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run `action` once the outermost transaction commits (now, outside one).

        For what must not happen before the commit, such as putting a rotated key file in
        place: if the transaction rolls back instead, the action is dropped.
        """
        if self._frames:
            self._frames[-1].after_commit.append(action)
        else:
            action()

    def on_rollback(self, undo: Callable[[], None]) -> None:
        """Run `undo` if the current transaction (or savepoint) rolls back."""
        if self._frames:
            self._frames[-1].on_rollback.append(undo)

    # --- meta -----------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        """A value of the meta table."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the meta table."""
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --- resources ------------------------------------------------------------------

    def get(self, kind: str, name: str) -> dict[str, Any] | None:
        """One resource row as a dict, or None."""
        row = self.db.execute(
            "SELECT name, arn, created, updated, attrs FROM resources WHERE kind = ? AND name = ?",
            (kind, name),
        ).fetchone()
        return _row(row) if row else None

    def names(self, kind: str) -> list[str]:
        """Every name of one kind (for "did you mean" hints)."""
        rows = self.db.execute("SELECT name FROM resources WHERE kind = ?", (kind,))
        return [r[0] for r in rows]

    def page(self, kind: str, after: str | None, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` resources of one kind, by name, after the given name."""
        rows = self.db.execute(
            "SELECT name, arn, created, updated, attrs FROM resources "
            "WHERE kind = ? AND name > ? ORDER BY name LIMIT ?",
            (kind, after or "", limit),
        )
        return [_row(r) for r in rows]

    def insert(self, kind: str, name: str, arn: str, attrs: dict[str, Any]) -> dict[str, Any]:
        """Add a resource; returns the row. The caller checks for conflicts first."""
        now = time.time()
        self.db.execute(
            "INSERT INTO resources (kind, name, arn, created, updated, attrs) VALUES (?, ?, ?, ?, ?, ?)",
            (kind, name, arn, now, now, json.dumps(attrs, sort_keys=True)),
        )
        return {"name": name, "arn": arn, "created": now, "updated": now, "attrs": attrs}

    def update(self, kind: str, name: str, attrs: dict[str, Any]) -> None:
        """Replace a resource's attributes and touch its update time."""
        self.db.execute(
            "UPDATE resources SET attrs = ?, updated = ? WHERE kind = ? AND name = ?",
            (json.dumps(attrs, sort_keys=True), time.time(), kind, name),
        )

    def delete(self, kind: str, name: str, arn: str) -> None:
        """Remove a resource with its secrets and tags."""
        self.db.execute("DELETE FROM resources WHERE kind = ? AND name = ?", (kind, name))
        self.db.execute("DELETE FROM tags WHERE arn = ?", (arn,))

    def find_arn(self, arn: str) -> dict[str, Any] | None:
        """A resource by ARN."""
        row = self.db.execute(
            "SELECT name, arn, created, updated, attrs FROM resources WHERE arn = ?", (arn,)
        ).fetchone()
        return _row(row) if row else None

    # --- secrets --------------------------------------------------------------------

    def next_secret_version(self) -> int:
        """The version of the next sealed value: the vault-wide counter, advanced (in a transaction)."""
        version = int(self.meta("secret_version") or 0) + 1
        self.set_meta("secret_version", str(version))
        return version

    def put_secret(self, kind: str, name: str, field: str, sealed: bytes, version: int) -> None:
        """Store a sealed value made for `version` (see next_secret_version)."""
        self.db.execute(
            "INSERT INTO secrets (kind, name, field, sealed, version) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (kind, name, field) DO UPDATE SET sealed = excluded.sealed, version = excluded.version",
            (kind, name, field, sealed, version),
        )

    def get_secret(self, kind: str, name: str, field: str) -> bytes | None:
        """A sealed value, or None."""
        found = self.get_sealed(kind, name, field)
        return found[0] if found else None

    def get_sealed(self, kind: str, name: str, field: str) -> tuple[bytes, int] | None:
        """A sealed value with its version, or None."""
        row = self.db.execute(
            "SELECT sealed, version FROM secrets WHERE kind = ? AND name = ? AND field = ?",
            (kind, name, field),
        ).fetchone()
        return (vault_blob(row[0]), vault_int(row[1])) if row else None

    def secret_fields(self, kind: str, name: str, prefix: str) -> list[str]:
        """The fields of a record's sealed values that start with `prefix`."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.db.execute(
            "SELECT field FROM secrets WHERE kind = ? AND name = ? AND field LIKE ? ESCAPE '\\'",
            (kind, name, escaped + "%"),
        )
        return [str(field) for (field,) in rows]

    def delete_secret(self, kind: str, name: str, field: str) -> None:
        """Forget one sealed value."""
        self.db.execute("DELETE FROM secrets WHERE kind = ? AND name = ? AND field = ?", (kind, name, field))

    def all_secrets(self) -> list[tuple[str, str, str, bytes, int]]:
        """Every sealed value with its record, field and version (for key rotation)."""
        rows = self.db.execute("SELECT kind, name, field, sealed, version FROM secrets")
        return [(k, n, f, vault_blob(s), vault_int(v)) for k, n, f, s, v in rows]

    def take_sealed_changes(self) -> list[list[Any]]:
        """The changes to sealed values not yet in the audit chain, oldest first; they are removed.

        Call inside the transaction that appends the event recording them.
        """
        rows = self.db.execute(
            "SELECT id, change, kind, name, field, version FROM sealed_changes ORDER BY id"
        ).fetchall()
        if rows:
            self.db.execute("DELETE FROM sealed_changes WHERE id <= ?", (rows[-1][0],))
        return [[change, kind, name, field, vault_int(version)] for _, change, kind, name, field, version in rows]

    # --- tags -----------------------------------------------------------------------

    def tags(self, arn: str) -> dict[str, str]:
        """The tags of a resource."""
        rows = self.db.execute("SELECT key, value FROM tags WHERE arn = ? ORDER BY key", (arn,))
        return dict(rows.fetchall())

    def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        """Add or overwrite tags."""
        self.db.executemany(
            "INSERT INTO tags (arn, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value",
            [(arn, k, v) for k, v in tags.items()],
        )

    def remove_tags(self, arn: str, keys: list[str]) -> None:
        """Remove tags by key; absent keys are ignored, as the service does."""
        self.db.executemany("DELETE FROM tags WHERE arn = ? AND key = ?", [(arn, k) for k in keys])

    def count(self, kind: str) -> int:
        """How many resources of one kind."""
        return int(self.db.execute("SELECT COUNT(*) FROM resources WHERE kind = ?", (kind,)).fetchone()[0])


def _statements(script: str) -> Iterator[str]:
    """The statements of a migration, one at a time; a trigger's body holds semicolons of its own."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""
    if pending.strip(" \n;"):
        raise ValueError(f"incomplete statement in a migration: {pending!r}")


def _row(row: tuple[Any, ...]) -> dict[str, Any]:
    name, arn, created, updated, attrs = row
    try:
        parsed = {} if attrs == "{}" else json.loads(attrs)  # most rows of a listing hold no attributes
    except (TypeError, ValueError):
        raise sqlite3.DataError("a record's attributes are not JSON") from None
    return {"name": name, "arn": arn, "created": created, "updated": updated, "attrs": parsed}
