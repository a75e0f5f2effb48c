"""Every lookup of the hot paths uses an index: SQLite's EXPLAIN QUERY PLAN of the statements
the local backend really runs (traced while it answers), on a vault of several hundred rows.

A plan that reads a whole table of records ("SCAN resources") would make a get or an api-key
slower with every provider added; the benchmark's get-100k row measures that, this test names
the statement.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from agentcore_identity_cli.backends.local.backend import LocalBackend
from agentcore_identity_cli.client import validated_call

# The tables looked up by key; the audit trail's tables are read in order (the last event,
# the pending sealed changes), which is a scan of a rowid table that stops at once.
KEYED = ("resources", "secrets", "tags", "oauth2_tokens", "meta")


@pytest.fixture
def backend(home: Path) -> LocalBackend:
    backend = LocalBackend(home / "vault.db")
    with backend.store.transaction():
        for number in range(300):
            backend.invoke("CreateApiKeyCredentialProvider", {"name": f"p-{number:03d}", "apiKey": "sk"})
    backend.invoke("CreateWorkloadIdentity", {"name": "agent-1"})
    return backend


def _traced(backend: LocalBackend, calls: list[tuple[str, dict[str, object]]]) -> list[str]:
    statements: list[str] = []
    backend.store.db.set_trace_callback(statements.append)
    try:
        for operation, params in calls:
            validated_call(backend, operation, params)
    finally:
        backend.store.db.set_trace_callback(None)
    return [s for s in statements if s.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE"))]


def _full_scans(db: sqlite3.Connection, statement: str) -> list[str]:
    plan = db.execute("EXPLAIN QUERY PLAN " + statement).fetchall()
    return [row[-1] for row in plan if any(row[-1] == f"SCAN {table}" for table in KEYED)]


def test_the_read_paths_look_every_record_up_by_an_index(backend: LocalBackend) -> None:
    arn = validated_call(backend, "GetApiKeyCredentialProvider", {"name": "p-150"})["credentialProviderArn"]
    token = validated_call(backend, "GetWorkloadAccessTokenForUserId", {"workloadName": "agent-1", "userId": "u"})
    statements = _traced(
        backend,
        [
            ("GetApiKeyCredentialProvider", {"name": "p-150"}),
            ("ListApiKeyCredentialProviders", {}),
            ("ListApiKeyCredentialProviders", {"nextToken": None, "maxResults": 20}),
            ("ListTagsForResource", {"resourceArn": arn}),
            ("GetWorkloadIdentity", {"name": "agent-1"}),
            ("GetWorkloadAccessTokenForUserId", {"workloadName": "agent-1", "userId": "u"}),
            (
                "GetResourceApiKey",
                {"workloadIdentityToken": token["workloadAccessToken"], "resourceCredentialProviderName": "p-150"},
            ),
        ],
    )
    assert statements, "nothing was traced"
    scans = {statement: _full_scans(backend.store.db, statement) for statement in statements}
    assert {s: found for s, found in scans.items() if found} == {}


def test_a_stored_oauth_token_is_found_by_its_owner_through_an_index(backend: LocalBackend) -> None:
    # oauth_store's lookup of the tokens of (provider, workload, user, flow).
    statement = (
        "SELECT id, scopes FROM oauth2_tokens WHERE provider = 'github' AND workload = 'agent-1' "
        "AND user_id = 'u' AND flow = 'M2M'"
    )
    plan = [row[-1] for row in backend.store.db.execute("EXPLAIN QUERY PLAN " + statement)]
    assert any("USING INDEX oauth2_tokens_owner" in step for step in plan), plan
