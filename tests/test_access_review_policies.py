"""`report access-review` on the local vault: per workload, what its access policy allows against
what it used in the period (from the audit trail), with allowed-but-unused credentials flagged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.access_support import allow, api_key, apikey_arn, own_tokens, policy, put, token


def _rows(cli: Any, *args: str) -> tuple[str, list[dict[str, Any]]]:
    result = cli("report", "access-review", "--output", "json", *args)
    assert result.exit_code == 0, result.stderr
    document = result.json()
    return document["accessMode"], document["workloadAccess"]


def test_the_review_flags_allowed_but_unused_and_counts_refusals(cli: Any, tmp_path: Path) -> None:
    for name in ("support", "idle"):
        assert cli("create-workload-identity", "--name", name).exit_code == 0
    for name in ("zendesk", "openai", "stripe"):
        assert (
            cli("create-api-key-credential-provider", "--name", name, "--api-key", "-", input=f"sk-{name}").exit_code
            == 0
        )
    grants = allow("bedrock-agentcore:GetResourceApiKey", [apikey_arn("zendesk"), apikey_arn("openai")], "Keys")
    assert put(cli, tmp_path, "support", policy(own_tokens("support"), grants)).exit_code == 0
    assert api_key(cli, "support", "zendesk").exit_code == 0
    assert api_key(cli, "support", "stripe").exit_code == 254
    assert token(cli, "idle").exit_code == 254

    mode, rows = _rows(cli, "--since", "1d")
    assert mode == "enforcing"
    support = {row["credential"]: row for row in rows if row["workload"] == "support"}
    assert set(support) == {"zendesk", "openai", "stripe"}
    assert (support["zendesk"]["allowed"], support["zendesk"]["reads"], support["zendesk"]["allowedButUnused"]) == (
        True,
        1,
        False,
    )
    assert support["openai"]["allowed"] and support["openai"]["allowedButUnused"]
    assert "Sid Keys" in support["openai"]["decidedBy"]
    assert (support["stripe"]["allowed"], support["stripe"]["deniedReads"]) == (False, 1)
    (idle,) = [row for row in rows if row["workload"] == "idle"]
    assert (idle["hasAccessPolicy"], idle["credential"], idle["deniedReads"]) == (False, None, 1)
    assert "sk-" not in str(rows)


def test_a_vault_without_policies_shows_every_credential_allowed(cli: Any) -> None:
    assert cli("create-workload-identity", "--name", "support").exit_code == 0
    assert cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-1").exit_code == 0
    mode, rows = _rows(cli)
    assert mode == "default-allow"
    (row,) = rows
    assert (row["credential"], row["allowed"], row["allowedButUnused"]) == ("openai", True, True)


def test_csv_keeps_the_accesses_rows_only(cli: Any) -> None:
    assert cli("create-workload-identity", "--name", "support").exit_code == 0
    result = cli("report", "access-review", "--format", "csv")
    assert result.exit_code == 0 and result.stdout.splitlines()[0].startswith("user,workload,userId,target")
