"""What the docs say is what the tool does: exit codes, the audit trail, reports, --debug."""

from __future__ import annotations

import pytest


@pytest.fixture
def openai(cli) -> None:
    created = cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-openai-1")
    assert created.exit_code == 0, created.stderr


# --- a wrong environment is exit 253 -------------------------------------------------------


@pytest.mark.parametrize(
    ("ttl", "said"),
    [
        ("soon", "must be a whole number of seconds, not 'soon'"),
        ("5", "must be between 10 and 43200 seconds, not 5"),
        ("999999", "must be between 10 and 43200 seconds, not 999999"),
    ],
)
def test_a_bad_workload_token_ttl_is_a_configuration_error(cli, openai, ttl, said):
    env = {"AGENTCORE_IDENTITY_WORKLOAD_TOKEN_TTL": ttl}
    assert cli("create-workload-identity", "--name", "support-agent").exit_code == 0
    for args in (("api-key", "openai"), ("get-workload-access-token", "--workload-name", "support-agent")):
        result = cli(*args, env=env)
        assert result.exit_code == 253, result.stderr
        assert result.stdout == ""
        assert f"AGENTCORE_IDENTITY_WORKLOAD_TOKEN_TTL {said}." in result.stderr
        assert "ValidationException" not in result.stderr
        assert "Hint: set AGENTCORE_IDENTITY_WORKLOAD_TOKEN_TTL to a number of seconds" in result.stderr


# --- the first api-key on a fresh vault --------------------------------------------------


def test_the_first_api_key_creates_the_default_workload_first_and_records_no_failure(cli, openai):
    from agentcore_identity_cli.identity import default_workload_name

    assert cli("api-key", "openai").stdout == "sk-openai-1\n"
    assert cli("api-key", "openai").stdout == "sk-openai-1\n"
    events = list(reversed(cli("audit", "list", "--output", "json").json()["events"]))
    assert [e["outcome"] for e in events] == ["success"] * len(events)
    operations = [e["operation"] for e in events]
    assert operations[operations.index("CreateWorkloadIdentity") :] == [
        "CreateWorkloadIdentity",
        "GetWorkloadAccessTokenForUserId",
        "GetResourceApiKey",
        "GetWorkloadAccessTokenForUserId",
        "GetResourceApiKey",
    ]
    created = events[operations.index("CreateWorkloadIdentity")]
    assert created["target"].endswith(f"/workload-identity/{default_workload_name()}")
    review = cli("report", "access-review", "--output", "json").json()["accesses"]
    assert review and all(row["failedReads"] == 0 for row in review)


# --- report policy prints durations as given ------------------------------------------------


@pytest.mark.parametrize("limit", ["1s", "45s", "90m", "36h", "90d"])
def test_report_policy_prints_the_limit_as_given(cli, openai, limit):
    policy = cli("report", "policy", "--max-age", limit, "--unused-for", limit, "--output", "json").json()["policy"]
    assert policy == {"maxAge": limit, "unusedFor": limit}


def test_report_policy_under_a_minute_speaks_in_seconds(cli, openai):
    import time

    time.sleep(1.2)
    result = cli("report", "policy", "--max-age", "1s", "--output", "json")
    assert result.exit_code == 1
    body = result.json()
    assert body["policy"]["maxAge"] == "1s"
    (violation,) = [v for v in body["violations"] if v["name"] == "openai"]
    assert violation["limit"] == "1s"
    assert violation["age"] in ("1s", "2s", "3s")
    assert violation["message"] == f"secret set {violation['age']} ago, more than 1s: rotate it"
    assert "0m" not in result.stdout


def test_durations_read_back_and_ages_keep_two_units():
    from datetime import timedelta

    from agentcore_identity_cli.auditlog import format_age, format_duration, parse_duration

    for text in ("1s", "59s", "90s", "1m", "90m", "36h", "1d", "14d", "400d"):
        assert format_duration(parse_duration(text, "--max-age")) == text
    assert format_duration(parse_duration("2w", "--max-age")) == "14d"
    ages = {
        timedelta(0): "0s",
        timedelta(seconds=45): "45s",
        timedelta(seconds=90): "1m30s",
        timedelta(hours=1, minutes=5, seconds=30): "1h5m",
        timedelta(hours=1, seconds=30): "1h",
        timedelta(days=3, hours=4, minutes=59): "3d4h",
        timedelta(days=120, seconds=3): "120d",
        timedelta(seconds=-5): "0s",
    }
    for delta, text in ages.items():
        assert format_age(delta) == text


# --- audit event ids are strings everywhere ------------------------------------------------


def test_audit_verify_names_events_as_audit_list_does(cli, openai):
    assert cli("api-key", "openai").exit_code == 0
    newest = cli("audit", "list", "--max-items", "1", "--output", "json").json()["events"][0]
    verdict = cli("audit", "verify", "--output", "json").json()
    assert isinstance(newest["eventId"], str)
    assert verdict["headEvent"] == newest["eventId"]
    assert isinstance(verdict["sealedThrough"], str) and int(verdict["sealedThrough"]) <= int(verdict["headEvent"])
    assert isinstance(verdict["events"], int)  # a count stays a number
    assert cli("vault", "status", "--output", "json").json()["audit"]["sealedThrough"] == verdict["sealedThrough"]
    found = cli("audit", "list", "--query", f"events[?eventId=='{verdict['headEvent']}'].operation", "--output", "json")
    assert found.json() == [newest["operation"]]


# --- --debug logs what happens, never a secret ---------------------------------------------

SECRET = "sk-debug-never-shown-7Qx9"


def test_debug_logs_the_operation_vault_and_timings_of_a_local_command(home):
    from tests.conftest import run_process

    created = run_process(
        "--debug", "create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input=SECRET
    )
    assert created.exit_code == 0, created.stderr
    log = created.stderr
    assert "command: create-api-key-credential-provider" in log
    assert f"vault file: {home / 'vault.db'} (default: AGENTCORE_IDENTITY_HOME)" in log
    assert f"vault {home / 'vault.db'} opened: schema version" in log
    assert "vault key made (key-file)" in log
    assert "CreateApiKeyCredentialProvider (change): success in " in log
    assert " ms" in log and "done in " in log
    assert SECRET not in log and SECRET not in created.stdout

    read = run_process("api-key", "openai", "--debug")
    assert read.stdout == SECRET + "\n"
    assert "GetResourceApiKey (secret-read): success in " in read.stderr
    assert "vault key from key-file" in read.stderr
    assert SECRET not in read.stderr
    assert "eyJ" not in read.stderr  # nor the workload access token it went through


def test_debug_on_a_failure_shows_the_error_code_and_traceback_but_no_secret(home):
    from tests.conftest import run_process

    failed = run_process(
        "--debug", "update-api-key-credential-provider", "--name", "ghost", "--api-key", "-", input=SECRET
    )
    assert failed.exit_code == 254
    assert "UpdateApiKeyCredentialProvider (change): ResourceNotFoundException in " in failed.stderr
    assert "Traceback" in failed.stderr
    assert SECRET not in failed.stderr and SECRET not in failed.stdout


# --- the README's first session runs as written ----------------------------------------------


def _first_session() -> str:
    from tests.conftest import ROOT

    section = (ROOT / "README.md").read_text().split("## A first session", 1)[1]
    return section.split("```sh\n", 1)[1].split("```", 1)[0]


def test_the_readme_first_session_sets_up_everything_it_uses():
    block = _first_session()
    for stranger in ("secret.txt", "corp", "github", "jq", "$GITHUB", "< "):
        assert stranger not in block


def test_the_readme_first_session_runs_top_to_bottom_in_an_empty_home(tmp_path, home):
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    bindir = tmp_path / "bin"
    bindir.mkdir()
    wrapper = bindir / "agentcore-identity"  # the checkout under test, whatever is installed
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m agentcore_identity_cli "$@"\n')
    wrapper.chmod(0o755)
    script = "set -euo pipefail\n" + _first_session() + 'printf "key=%s\\n" "$OPENAI_API_KEY"\n'
    env = {
        **os.environ,
        "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "AGENTCORE_IDENTITY_HOME": str(home),
    }
    proc = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = proc.stdout
    assert "arn:aws:bedrock-agentcore:local:000000000000:token-vault/default/apikeycredentialprovider/openai\n" in out
    # list-workload-identities --output text: the names on one line (with local-<user> of the api-key line)
    assert any("support-agent" in line.split("\t") for line in out.splitlines())
    assert "CreateWorkloadIdentity\tsuccess" in out
    assert out.endswith("key=sk-live-123\n")
