"""`vault backup` and `vault restore`: consistent, still-encrypted copies of the vault file.

A backup is SQLite's online backup of the live vault, taken in one step inside one read
transaction: a consistent snapshot even while other processes write (WAL readers never
block writers). It holds the sealed secrets and the audit trail, never the key: keep the
key file or passphrase apart, because a backup cannot be restored without it.

A restore first copies the file aside and checks it: a vault schema this tool knows, a key
check value that opens with the current vault key, an audit chain that verifies. Only then
is the live vault copied to `vault.db.replaced-<time>` and overwritten, again through
SQLite's backup, so processes that have the vault open see the old or the new state,
never a torn file.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentcore_identity_cli.errors import ConfigError, ServiceError, UsageError

if TYPE_CHECKING:
    from agentcore_identity_cli.backends.local.core import LocalCore

_REQUIRED_TABLES = {"meta", "resources", "secrets", "tags"}


def _create_private(path: Path) -> None:
    """A new empty file, 0600 from the first moment; refuse to overwrite anything."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise UsageError(f"{path} exists already; choose a new file name for the backup.") from None
    except FileNotFoundError:
        raise UsageError(f"Cannot create {path}: its folder does not exist.") from None
    except PermissionError:
        raise UsageError(f"Cannot create {path}: permission denied.") from None
    os.close(fd)


def _copy(source: sqlite3.Connection, dest_path: Path) -> None:
    """Copy a database into a new private file, leaving it one self-contained file."""
    dest = sqlite3.connect(dest_path, isolation_level=None)
    try:
        source.backup(dest)  # one step: a single, consistent read transaction on the source
        dest.execute("PRAGMA journal_mode = DELETE")
        check = dest.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise ConfigError(f"The copy {dest_path} failed SQLite's integrity check: {check}")
    finally:
        dest.close()
    os.chmod(dest_path, 0o600)


def backup(core: LocalCore, dest: Path) -> dict[str, Any]:
    """Write a snapshot of the vault to `dest` (0600); recorded as BackupVault."""
    from agentcore_identity_cli.backends.local import arns

    dest = dest.expanduser().absolute()
    if dest.resolve() == core.store.path.resolve():
        raise UsageError("The backup file cannot be the vault itself.")
    with core.audited("BackupVault", target=arns.token_vault_arn()):
        _create_private(dest)
        try:
            _copy(core.store.db, dest)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise
    probe = sqlite3.connect(f"file:{dest}?mode=ro", uri=True)
    try:
        events = int(probe.execute("SELECT COUNT(*) FROM audit_events").fetchone()[0])
        version = int(probe.execute("PRAGMA user_version").fetchone()[0])
    finally:
        probe.close()
    return {
        "backupFile": str(dest),
        "bytes": dest.stat().st_size,
        "schemaVersion": version,
        "auditEvents": events,
    }


def _describe(path: Path) -> tuple[int, set[str]]:
    """Schema version and tables of a file, or UsageError when it is not a vault at all."""
    if not path.is_file():
        raise UsageError(f"{path} is not a file.")
    try:
        probe = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            version = int(probe.execute("PRAGMA user_version").fetchone()[0])
            tables = {row[0] for row in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            vault_id = (
                probe.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone() if "meta" in tables else None
            )
        finally:
            probe.close()
    except sqlite3.DatabaseError:
        raise UsageError(f"{path} is not an agentcore-identity vault (not an SQLite database).") from None
    if not _REQUIRED_TABLES <= tables or vault_id is None or version < 1:
        raise UsageError(f"{path} is not an agentcore-identity vault (no vault tables in it).")
    return version, tables


def restore(core: LocalCore, source: Path) -> dict[str, Any]:
    """Replace the vault by a backup that opens with the current key; keep the old one aside."""
    from agentcore_identity_cli.backends.local import arns
    from agentcore_identity_cli.backends.local.vault import SCHEMA_VERSION

    source = source.expanduser().absolute()
    live = core.store
    with core.audited("RestoreVault", target=arns.token_vault_arn(), transaction=False):
        version, _ = _describe(source)
        if version > SCHEMA_VERSION:
            raise UsageError(
                f"{source} has schema version {version}, newer than this tool knows ({SCHEMA_VERSION}).",
                hint="upgrade agentcore-identity",
            )
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        staging = live.path.with_name(f"{live.path.name}.restoring-{stamp}")
        try:
            _create_private(staging)
            reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            try:
                _copy(reader, staging)
            finally:
                reader.close()
            chain = _check_backup(core, staging, source)
            aside = live.path.with_name(f"{live.path.name}.replaced-{stamp}")
            _create_private(aside)
            _copy(live.db, aside)
            _replace(live.db, staging)
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{staging}{suffix}").unlink(missing_ok=True)
        core.keys.forget()  # the restored vault is checked afresh on the next use of the key
        if live.meta("key_check") is not None:
            core.keys.key()  # so that the RestoreVault event seals the restored chain's head
    return {
        "restoredFrom": str(source),
        "vaultPath": str(live.path),
        "replacedVaultSavedAs": str(aside),
        "schemaVersion": SCHEMA_VERSION,
        "auditChain": chain,
    }


def _check_backup(core: LocalCore, staging: Path, source: Path) -> str:
    """Open the staged copy with the live vault's key sources; verify its audit chain."""
    from agentcore_identity_cli.backends.local.audit import AuditTrail
    from agentcore_identity_cli.backends.local.keys import KeyRing
    from agentcore_identity_cli.backends.local.vault import VaultStore

    store = VaultStore(staging)  # migrates an older backup forward, on the copy
    try:
        ring = KeyRing(store, core.keys.prompt, key_path=core.keys.key_path)
        key: bytes | None = None
        if store.meta("key_check") is not None:
            try:
                key = ring.key()
            except ConfigError as exc:
                raise ConfigError(
                    f"The backup {source} does not open with the current vault key; nothing was changed. "
                    f"({exc.message})",
                    hint="restore needs the key the backup was made with: its key file, passphrase "
                    "or AGENTCORE_IDENTITY_VAULT_KEY",
                ) from None
        verdict = AuditTrail(store, ring).verify(key)
        if not verdict.intact:
            raise ServiceError(
                "AuditTrailTampered",
                f"The backup {source} fails audit verification: {verdict.problem}; nothing was changed.",
                operation="RestoreVault",
            )
        # WAL in the header, as the live vault has: SQLite copies the header with the pages.
        store.db.execute("PRAGMA journal_mode = WAL")
        return verdict.state
    finally:
        store.close()


def _replace(live: sqlite3.Connection, staging: Path) -> None:
    """Overwrite the live database with the staged copy, in one locked step."""
    reader = sqlite3.connect(staging)
    try:
        reader.backup(live)
    finally:
        reader.close()
    with contextlib.suppress(sqlite3.OperationalError):
        live.execute("PRAGMA wal_checkpoint(TRUNCATE)")
