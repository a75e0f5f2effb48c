"""Helpers for the access-policy tests: ARNs, policies, and the CLI calls they make."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PREFIX = "arn:aws:bedrock-agentcore:local:000000000000:"


def workload_arn(name: str) -> str:
    return f"{PREFIX}workload-identity-directory/default/workload-identity/{name}"


def apikey_arn(name: str) -> str:
    return f"{PREFIX}token-vault/default/apikeycredentialprovider/{name}"


def oauth2_arn(name: str) -> str:
    return f"{PREFIX}token-vault/default/oauth2credentialprovider/{name}"


def allow(actions: str | list[str], resources: str | list[str], sid: str | None = None, **extra: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}
    if sid:
        statement["Sid"] = sid
    return statement


def deny(actions: str | list[str], resources: str | list[str], sid: str | None = None, **extra: Any) -> dict[str, Any]:
    return {**allow(actions, resources, sid, **extra), "Effect": "Deny"}


def own_tokens(workload: str) -> dict[str, Any]:
    """The statement every policy needs for its workload to obtain its own workload access token."""
    return allow("bedrock-agentcore:GetWorkloadAccessToken*", workload_arn(workload), "OwnToken")


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def put(cli: Any, tmp_path: Path, workload: str, document: dict[str, Any]) -> Any:
    path = tmp_path / f"{workload}-policy.json"
    path.write_text(json.dumps(document))
    return cli("put-workload-access-policy", "--workload-name", workload, "--policy-document", f"file://{path}")


def token(cli: Any, workload: str) -> Any:
    return cli(
        "get-workload-access-token", "--workload-name", workload, "--query", "workloadAccessToken", "--output", "text"
    )


def api_key(cli: Any, workload: str, provider: str) -> Any:
    """get-resource-api-key as `workload` (its token obtained first; must be allowed)."""
    got = token(cli, workload)
    assert got.exit_code == 0, got.stderr
    return cli(
        "get-resource-api-key",
        "--resource-credential-provider-name",
        provider,
        "--workload-identity-token",
        "-",
        input=got.stdout.strip(),
    )


def events(cli: Any) -> list[dict[str, Any]]:
    result = cli("audit", "list", "--output", "json")
    assert result.exit_code == 0, result.stderr
    listed: list[dict[str, Any]] = result.json()["events"]
    return listed
