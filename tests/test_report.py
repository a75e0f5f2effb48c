"""`report inventory`, `report policy` (exit 1 on violations) and `report access-review`."""

from __future__ import annotations

import csv
import io
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agentcore_identity_cli.backends.local.backend import LocalBackend
from tests.audit_support import APIKEY_ARN, execute

DAY = 86_400


@pytest.fixture
def vault(cli, vault_file: Path) -> Path:
    """Two API-key providers, an OAuth2 provider and two workloads; openai read once by support-agent."""
    for name in ("support-agent", "idle-agent"):
        assert cli("create-workload-identity", "--name", name).exit_code == 0
    for name, secret in (("openai", "sk-openai"), ("stale-key", "sk-stale")):
        assert cli("create-api-key-credential-provider", "--name", name, "--api-key", "-", input=secret).exit_code == 0
    created = cli(
        "create-oauth2-credential-provider",
        "--name",
        "github",
        "--credential-provider-vendor",
        "GithubOauth2",
        "--client-id",
        "Iv1.abc",
        "--client-secret",
        "-",
        input="gh-secret",
    )
    assert created.exit_code == 0, created.stderr
    token = cli(
        "get-workload-access-token-for-user-id",
        "--workload-name",
        "support-agent",
        "--user-id",
        "bob",
        "--query",
        "workloadAccessToken",
        "--output",
        "text",
    ).stdout.strip()
    read = cli(
        "get-resource-api-key",
        "--resource-credential-provider-name",
        "openai",
        "--workload-identity-token",
        "-",
        input=token,
        env={"LOGNAME": "alice", "USER": "alice"},
    )
    assert read.exit_code == 0, read.stderr
    return vault_file


def _by_name(document: dict) -> dict[str, dict]:
    return {item["name"]: item for item in document["resources"]}


def test_inventory_lists_every_provider_and_workload_with_times_and_use(cli, vault: Path):
    result = cli("report", "inventory")
    assert result.exit_code == 0, result.stderr
    items = _by_name(result.json())
    assert sorted(items) == ["github", "idle-agent", "openai", "stale-key", "support-agent"]
    assert items["openai"]["kind"] == "apiKeyCredentialProvider"
    assert items["github"]["kind"] == "oauth2CredentialProvider"
    assert items["github"]["vendor"] == "GithubOauth2"
    assert items["support-agent"]["kind"] == "workloadIdentity"
    assert items["openai"]["lastUsedTime"] is not None
    assert items["support-agent"]["lastUsedTime"] is not None  # it asked for a token
    assert items["stale-key"]["lastUsedTime"] is None
    assert items["idle-agent"]["lastUsedTime"] is None
    assert {item["tokensHeld"] for item in items.values()} == {0}
    assert result.json()["tokens"] == []
    for item in items.values():
        assert datetime.fromisoformat(item["createdTime"]) <= datetime.fromisoformat(item["lastUpdatedTime"])
    assert "sk-openai" not in result.stdout and "gh-secret" not in result.stdout


def test_inventory_as_csv_and_table(cli, vault: Path):
    result = cli("report", "inventory", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "kind",
        "name",
        "arn",
        "vendor",
        "createdTime",
        "lastUpdatedTime",
        "lastUsedTime",
        "tokensHeld",
    ]
    assert {row["name"] for row in rows} == {"github", "idle-agent", "openai", "stale-key", "support-agent"}
    openai = next(row for row in rows if row["name"] == "openai")
    assert openai["arn"] == APIKEY_ARN + "openai"
    assert datetime.fromisoformat(openai["lastUsedTime"]).tzinfo is not None
    table = cli("report", "inventory", "--output", "table")
    assert table.exit_code == 0 and "resources" in table.stdout
    assert cli("report", "inventory", "--format", "xml").exit_code == 252
    assert cli("report", "inventory", "--format", "csv", "--query", "resources").exit_code == 252


def _token_columns(vault: Path) -> dict[str, tuple[str, bool, object]]:
    db = sqlite3.connect(vault)
    try:
        return {row[1]: (row[2], bool(row[3]), row[4]) for row in db.execute("PRAGMA table_info(oauth2_tokens)")}
    finally:
        db.close()


def test_inventory_counts_held_tokens_without_their_values(cli, vault: Path):
    columns = _token_columns(vault)
    if not columns:
        pytest.skip("this schema has no oauth2_tokens table yet")
    now = time.time()
    rows = [("support-agent", "bob", now + 3600), ("support-agent", "bob", now - 60), ("support-agent", "carol", None)]
    statements = []
    for i, (workload, user, expires) in enumerate(rows):
        values = {"workload": workload, "user_id": user, "provider": "github", "expires": expires}
        for name, (kind, not_null, default) in columns.items():
            if name not in values and not_null and default is None:
                values[name] = f"t{i}" if "TEXT" in kind.upper() else now
        names = ", ".join(values)
        marks = ", ".join("?" * len(values))
        statements.append((f"INSERT INTO oauth2_tokens ({names}) VALUES ({marks})", tuple(values.values())))
    execute(vault, *statements)
    result = cli("report", "inventory")
    assert result.exit_code == 0, result.stderr
    items = _by_name(result.json())
    assert items["support-agent"]["tokensHeld"] == 3
    assert items["github"]["tokensHeld"] == 3
    assert items["idle-agent"]["tokensHeld"] == 0
    tokens = {(t["workload"], t["userId"]): t for t in result.json()["tokens"]}
    assert (tokens["support-agent", "bob"]["tokens"], tokens["support-agent", "bob"]["expired"]) == (2, 1)
    assert tokens["support-agent", "bob"]["nextExpiry"] is not None
    assert tokens["support-agent", "carol"]["tokens"] == 1


def test_inventory_reports_no_tokens_when_the_vault_has_no_token_table(cli, vault: Path):
    execute(vault, "DROP TABLE IF EXISTS oauth2_tokens")
    backend = LocalBackend(vault)
    try:
        from agentcore_identity_cli.reports import inventory

        document = inventory(backend)
    finally:
        backend.close()
    assert document["tokens"] == []
    assert {item["tokensHeld"] for item in document["resources"]} == {0}


def _age(vault: Path, name: str, days: float, column: str = "updated") -> None:
    execute(vault, (f"UPDATE resources SET {column} = ? WHERE name = ?", (time.time() - days * DAY, name)))


def test_policy_passes_with_exit_0_when_nothing_is_old(cli, vault: Path):
    result = cli("report", "policy", "--max-age", "90d")
    assert result.exit_code == 0, result.stderr
    assert result.json()["compliant"] is True
    assert result.json()["violations"] == []
    assert result.json()["policy"] == {"maxAge": "90d", "unusedFor": None}


def test_policy_lists_a_secret_older_than_max_age_and_exits_1(cli, vault: Path):
    _age(vault, "stale-key", 120)
    result = cli("report", "policy", "--max-age", "90d")
    assert result.exit_code == 1
    (violation,) = result.json()["violations"]
    assert violation["rule"] == "max-age"
    assert violation["name"] == "stale-key"
    assert violation["arn"] == APIKEY_ARN + "stale-key"
    assert violation["age"] == "120d"
    assert "rotate" in violation["message"]


def test_policy_flags_an_old_vault_key(cli, vault: Path):
    execute(vault, ("UPDATE meta SET value = ? WHERE key = 'key_updated'", (repr(time.time() - 200 * DAY),)))
    result = cli("report", "policy", "--max-age", "90d")
    assert result.exit_code == 1
    assert [(v["kind"], v["rule"]) for v in result.json()["violations"]] == [("tokenVault", "max-age")]
    assert "reset-token-vault-key-material" in result.json()["violations"][0]["message"]


def test_policy_flags_what_has_not_been_used(cli, vault: Path):
    for name in ("support-agent", "idle-agent", "openai", "stale-key", "github"):
        _age(vault, name, 45, column="created")
    result = cli("report", "policy", "--unused-for", "30d")
    assert result.exit_code == 1
    flagged = sorted((v["rule"], v["name"]) for v in result.json()["violations"])
    assert flagged == [("unused", "github"), ("unused", "idle-agent"), ("unused", "stale-key")]


def test_policy_as_csv_for_ci_logs(cli, vault: Path):
    _age(vault, "stale-key", 120)
    result = cli("report", "policy", "--max-age", "90d", "--unused-for", "365d", "--format", "csv")
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(row["rule"], row["name"], row["limit"]) for row in rows] == [("max-age", "stale-key", "90d")]


@pytest.mark.parametrize("args", [(), ("--max-age", "ninety days"), ("--unused-for", "-3d")])
def test_policy_needs_valid_rules(cli, vault: Path, args: tuple[str, ...]):
    assert cli("report", "policy", *args).exit_code == 252


def test_access_review_says_who_read_which_credential_how_often(cli, vault: Path):
    start = datetime.now(UTC)
    backend = LocalBackend(vault)
    try:
        for _ in range(2):
            with backend.audited("GetResourceApiKey", workload="support-agent", user_id="bob"):
                backend.open_secret("apikey", "openai", "apiKey")
        with backend.audited("GetResourceApiKey", workload="idle-agent"):
            backend.open_secret("apikey", "stale-key", "apiKey")
    finally:
        backend.close()
    result = cli("report", "access-review", "--since", "90d")
    assert result.exit_code == 0, result.stderr
    rows = {
        (r["user"], r["workload"], r["userId"], r["target"].rsplit("/", 1)[-1]): r for r in result.json()["accesses"]
    }
    # The workload access token names who asked: alice ran the command as support-agent for bob.
    assert rows["alice", "support-agent", "bob", "openai"]["reads"] == 1
    me = next(key[0] for key in rows if key[0] != "alice")
    assert rows[me, "support-agent", "bob", "openai"]["reads"] == 2
    assert rows[me, "support-agent", "bob", "openai"]["operations"] == ["GetResourceApiKey"]
    assert rows[me, "idle-agent", None, "stale-key"]["reads"] == 1
    assert rows[me, "support-agent", "bob", "support-agent"]["operations"] == ["GetWorkloadAccessTokenForUserId"]
    recent = cli("report", "access-review", "--since", start.isoformat())
    assert sum(r["reads"] for r in recent.json()["accesses"]) == 3
    since_future = cli("report", "access-review", "--since", (start + timedelta(days=1)).isoformat())
    assert since_future.json()["accesses"] == []
    as_csv = cli("report", "access-review", "--format", "csv")
    header = as_csv.stdout.splitlines()[0]
    assert header == "user,workload,userId,target,reads,failedReads,operations,firstRead,lastRead"


def test_reports_other_than_access_review_need_the_local_backend(cli):
    result = cli("--backend", "aws", "--region", "us-east-1", "report", "inventory")
    assert result.exit_code == 252
    assert "local vault" in result.stderr
