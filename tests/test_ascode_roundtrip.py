"""Identities as code, end to end: a vault with every resource kind, exported, applied to an
empty vault and to the aws backend (serve, over the wire), and planned again with no change."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from tests.ascode_support import ISSUER, ok, populate
from tests.serve_support import Served, serve_fixture  # noqa: F401


def _profiles(cli: Any, home: Path, *names: str) -> None:
    for name in names:
        ok(cli("--profile", name, "configure", "set", "vault_path", str(home / f"{name}.db")))


def _aws(serve: Served) -> tuple[list[str], dict[str, str]]:
    flags = ["--backend", "aws", "--endpoint-url", serve.url, "--region", "us-east-1"]
    env = {
        "AWS_ACCESS_KEY_ID": serve.env["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": serve.env["AWS_SECRET_ACCESS_KEY"],
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return flags, env


def test_every_kind_round_trips_through_export_apply_and_plan_on_both_backends(
    cli: Any, home: Path, tmp_path: Path, serve: Served
) -> None:
    _profiles(cli, home, "src", "dst")
    secrets = populate(cli, tmp_path, "--profile", "src")
    target = tmp_path / "identity.toml"

    exported = ok(cli("--profile", "src", "export", "-o", str(target)))
    text = target.read_text()
    for value in secrets.values():
        assert value.strip() not in text and value.strip() not in exported.stderr  # no secret leaves the vault
    assert sorted(line.strip() for line in exported.stderr.splitlines()[1:]) == sorted(secrets)
    document = tomllib.loads(text)
    assert set(document) == {
        "version",
        "api_key_providers",
        "oauth2_providers",
        "payment_providers",
        "workload_identities",
        "trusted_issuers",
    }
    corp = document["oauth2_providers"]["corp"]
    assert corp["config"]["onBehalfOfTokenExchangeConfig"]["grantType"] == "TOKEN_EXCHANGE"
    assert corp["config"]["clientAuthenticationMethod"] == "CLIENT_SECRET_POST"
    assert corp["config"]["clientSecret"] == "env:AGENTCORE_SECRET_CORP_CLIENT_SECRET"
    assert document["oauth2_providers"]["github"]["scopes"] == ["repo", "read:user"]
    assert document["oauth2_providers"]["okta"]["config"]["issuer"] == "https://acme.okta.com"
    assert document["workload_identities"]["agent-1"]["tags"] == {"env": "dev"}
    assert document["trusted_issuers"][ISSUER]["audiences"] == ["api://agents"]

    # The same vault: nothing to do, and every secret it can compare is unchanged.
    same = cli("--profile", "src", "plan", "-f", str(target), env=secrets)
    assert same.exit_code == 0, same.stdout + same.stderr
    statuses = {s for c in same.json()["changes"] for s in c["secrets"].values()}
    assert statuses == {"unchanged"}

    # A second, empty vault.
    first = cli("--profile", "dst", "apply", "-f", str(target), "--yes", env=secrets)
    assert first.exit_code == 0, first.stderr
    assert len(first.json()["applied"]) == 9
    again = cli("--profile", "dst", "plan", "-f", str(target), env=secrets)
    assert again.exit_code == 0, again.stdout
    assert {c["action"] for c in again.json()["changes"]} == {"no-op"}
    ok(cli("--profile", "dst", "apply", "-f", str(target), "--yes", env=secrets))  # idempotent
    assert tomllib.loads(ok(cli("--profile", "dst", "export")).stdout) == document

    # The aws backend, over the wire (serve on the test's default vault, empty so far).
    flags, env = _aws(serve)
    applied = cli(*flags, "apply", "-f", str(target), "--yes", env={**env, **secrets})
    assert applied.exit_code == 0, applied.stderr
    assert "1 trusted issuer(s) skipped: they are local-only." in applied.stderr
    planned = cli(*flags, "plan", "-f", str(target), env=env)  # no secrets needed to plan on aws
    assert planned.exit_code == 0, planned.stdout
    assert {s for c in planned.json()["changes"] for s in c["secrets"].values()} == {"unknown"}
    exported_aws = tomllib.loads(ok(cli(*flags, "export", env=env)).stdout)
    del document["trusted_issuers"]
    assert exported_aws == document
