"""`migrate`: a local vault's definitions and (with --secrets copy) its secrets applied to the
aws backend, here serve over the wire; each copied secret is a secret read in the source's audit trail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.ascode_support import ok, populate
from tests.serve_support import Served, serve_fixture  # noqa: F401


def _profiles(cli: Any, home: Path, serve: Served) -> dict[str, str]:
    ok(cli("--profile", "dev", "configure", "set", "vault_path", str(home / "dev.db")))
    for key, value in (("backend", "aws"), ("endpoint_url", serve.url), ("region", "us-east-1")):
        ok(cli("--profile", "prod", "configure", "set", key, value))
    # The aws backend uses the AWS profile of the same name, with serve's keys.
    (home.parent / "aws-config").write_text("[profile prod]\nregion = us-east-1\n")
    (home.parent / "aws-credentials").write_text(
        f"[prod]\naws_access_key_id = {serve.env['AWS_ACCESS_KEY_ID']}\n"
        f"aws_secret_access_key = {serve.env['AWS_SECRET_ACCESS_KEY']}\n"
    )
    return {
        "AWS_ACCESS_KEY_ID": serve.env["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": serve.env["AWS_SECRET_ACCESS_KEY"],
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def test_migrate_local_to_aws_copies_definitions_and_secrets(
    cli: Any, home: Path, tmp_path: Path, serve: Served
) -> None:
    aws = _profiles(cli, home, serve)
    secrets = populate(cli, tmp_path, "--profile", "dev")

    refused = cli("migrate", "--from", "dev", "--to", "prod", "--secrets", "copy", env=aws)
    assert refused.exit_code == 252 and "pass --yes" in refused.stderr  # no terminal to confirm on

    moved = cli("migrate", "--from", "dev", "--to", "prod", "--secrets", "copy", "--yes", env=aws)
    assert moved.exit_code == 0, moved.stderr
    assert "1 trusted issuer(s) skipped: they are local-only." in moved.stderr
    assert len(moved.json()["applied"]) == 8
    for value in secrets.values():
        assert value.strip() not in moved.stdout + moved.stderr

    # The definitions match on the aws side, and serve's vault holds the very secrets of dev.
    exported = tmp_path / "dev.toml"
    ok(cli("--profile", "dev", "export", "-o", str(exported)))
    assert cli("--profile", "prod", "plan", "-f", str(exported), env=aws).exit_code == 0
    same = cli("plan", "-f", str(exported), env=secrets)  # serve's own vault, read locally
    statuses = {s for c in same.json()["changes"] if c["kind"] != "trusted_issuers" for s in c["secrets"].values()}
    assert statuses == {"unchanged"}

    events = json.loads(ok(cli("--profile", "dev", "audit", "list", "--output", "json")).stdout)["events"]
    read = {e.get("target", "").rsplit("/", 1)[-1] for e in events if e["operation"] == "OpenSecret"}
    assert {"openai", "github", "corp", "okta", "cdp", "privy"} <= read

    again = cli("migrate", "--from", "dev", "--to", "prod", "--yes", env=aws)
    assert again.exit_code == 0 and "No changes" in again.stderr  # skip: nothing to read, nothing to do


def test_copy_needs_a_local_source_and_skip_reads_the_variables(cli: Any, home: Path, serve: Served) -> None:
    aws = _profiles(cli, home, serve)
    refused = cli("migrate", "--from", "prod", "--to", "dev", "--secrets", "copy", "--yes", env=aws)
    assert refused.exit_code == 252 and "never returns secrets" in refused.stderr
    ok(cli("--profile", "dev", "create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="k1"))
    missing = cli("migrate", "--from", "dev", "--to", "prod", "--yes", env=aws)
    assert missing.exit_code == 252 and "AGENTCORE_SECRET_OPENAI_API_KEY" in missing.stderr
    moved = cli(
        "migrate", "--from", "dev", "--to", "prod", "--yes", env={**aws, "AGENTCORE_SECRET_OPENAI_API_KEY": "k2"}
    )
    assert moved.exit_code == 0, moved.stderr


def test_migrate_with_prompt_asks_for_each_secret_on_the_terminal(cli: Any, home: Path) -> None:
    import os

    from tests.terminal_support import answer_prompts

    for name in ("dev", "staging"):
        ok(cli("--profile", name, "configure", "set", "vault_path", str(home / f"{name}.db")))
    ok(cli("--profile", "dev", "create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="k1"))
    args = ["migrate", "--from", "dev", "--to", "staging", "--secrets", "prompt", "--yes"]
    code, screen = answer_prompts(args, ["typed-key-2"], dict(os.environ))
    assert code == 0, screen
    assert "Secret for api_key_providers.openai.api_key:" in screen and "typed-key-2" not in screen
    definition = home.parent / "check.toml"
    definition.write_text('[api_key_providers.openai]\napi_key = "env:K"\n')
    planned = cli("--profile", "staging", "plan", "-f", str(definition), env={"K": "typed-key-2"})
    assert planned.exit_code == 0 and planned.json()["changes"][0]["secrets"] == {"api_key": "unchanged"}
