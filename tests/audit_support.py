"""Helpers shared by the audit, report and backup tests: read and edit the vault with plain SQLite."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

COLUMNS = (
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
APIKEY_ARN = "arn:aws:bedrock-agentcore:local:000000000000:token-vault/default/apikeycredentialprovider/"
WORKLOAD_ARN = "arn:aws:bedrock-agentcore:local:000000000000:workload-identity-directory/default/workload-identity/"
VAULT_ARN = "arn:aws:bedrock-agentcore:local:000000000000:token-vault/default"


def events(vault: Path) -> list[dict[str, Any]]:
    """Every audit event of a vault file, oldest first, straight from SQLite."""
    db = sqlite3.connect(vault)
    try:
        rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM audit_events ORDER BY seq").fetchall()
    finally:
        db.close()
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def canonical(row: dict[str, Any], prev: str) -> bytes:
    """An event's bytes under its hash, as docs/security.md states the format: every member but
    the hash, `sealed` only when present, as sorted compact JSON in UTF-8."""
    body = {
        "seq": row["seq"],
        "time": row["time"],
        "osUser": row["os_user"],
        "workload": row["workload"],
        "userId": row["user_id"],
        "operation": row["operation"],
        "category": row["category"],
        "target": row["target"],
        "outcome": row["outcome"],
        "toolVersion": row["tool_version"],
        "prevHash": prev,
    }
    if row.get("sealed") is not None:
        body["sealed"] = row["sealed"]
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def trail_text(vault: Path) -> str:
    """The whole audit table and the audit rows of meta, as one text to grep."""
    db = sqlite3.connect(vault)
    try:
        rows = db.execute("SELECT * FROM audit_events").fetchall()
        meta = db.execute("SELECT key, value FROM meta WHERE key LIKE 'audit%'").fetchall()
    finally:
        db.close()
    return "\n".join(repr(row) for row in rows + meta)


def execute(vault: Path, *statements: tuple[str, tuple[Any, ...]] | str) -> None:
    """Edit a vault file directly, as someone with write access to it would."""
    db = sqlite3.connect(vault, isolation_level=None)
    try:
        db.execute("BEGIN")
        for statement in statements:
            if isinstance(statement, str):
                db.execute(statement)
            else:
                db.execute(*statement)
        db.execute("COMMIT")
    finally:
        db.close()


def ops(vault: Path) -> list[tuple[str, str | None, str]]:
    """(operation, target, outcome) of every event."""
    return [(e["operation"], e["target"], e["outcome"]) for e in events(vault)]


def random_key() -> str:
    """A vault key for AGENTCORE_IDENTITY_VAULT_KEY."""
    return base64.b64encode(os.urandom(32)).decode()


def build_v1_vault(folder: Path, secrets: dict[str, str]) -> None:
    """A vault as schema 1 of this tool wrote it: API-key providers sealed under a key file."""
    from agentcore_identity_cli.backends.local import arns, crypto
    from agentcore_identity_cli.backends.local.keys import KEY_CHECK_PLAINTEXT, write_key_file
    from agentcore_identity_cli.backends.local.vault import MIGRATIONS

    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    vault = folder / "vault.db"
    fd = os.open(vault, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    key = crypto.new_key()
    write_key_file(folder / "vault.key", key)
    vault_id = "0123456789abcdef0123456789abcdef"
    now = time.time()
    db = sqlite3.connect(vault, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("BEGIN")
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            db.execute(statement)
    for name, value in (
        ("vault_id", vault_id),
        ("created", repr(now)),
        ("key_updated", repr(now)),
        ("key_check", crypto.seal(key, KEY_CHECK_PLAINTEXT, b"key-check").hex()),
        ("key_source", "key-file"),
    ):
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (name, value))
    for name, secret in secrets.items():
        db.execute(
            "INSERT INTO resources (kind, name, arn, created, updated, attrs) VALUES ('apikey', ?, ?, ?, ?, '{}')",
            (name, arns.legacy(arns.provider_arn("apikey", name)), now, now),  # schema 1 wrote the acps form
        )
        sealed = crypto.seal(key, secret.encode(), crypto.associated_data(vault_id, "apikey", name, "apiKey"))
        db.execute("INSERT INTO secrets (kind, name, field, sealed) VALUES ('apikey', ?, 'apiKey', ?)", (name, sealed))
    db.execute("PRAGMA user_version = 1")
    db.execute("COMMIT")
    db.close()
