"""The audit trail records every change and every secret read, and never a secret."""

from __future__ import annotations

import getpass
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from agentcore_identity_cli import __version__
from agentcore_identity_cli.backends.local.backend import LocalBackend
from agentcore_identity_cli.errors import ServiceError, not_found
from tests.audit_support import APIKEY_ARN, VAULT_ARN, WORKLOAD_ARN, events, ops, trail_text

OAUTH2_ARN = "arn:aws:bedrock-agentcore:local:000000000000:token-vault/default/oauth2credentialprovider/"


def _ok(result) -> None:
    assert result.exit_code == 0, result.stderr


def test_every_state_change_appends_one_event_naming_who_what_and_outcome(cli, vault_file: Path):
    _ok(cli("create-workload-identity", "--name", "support-agent"))
    _ok(
        cli(
            "update-workload-identity",
            "--name",
            "support-agent",
            "--allowed-resource-oauth2-return-urls",
            "https://a.example/cb",
        )
    )
    _ok(cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-1"))
    _ok(cli("update-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-2"))
    _ok(
        cli(
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
    )
    _ok(cli("tag-resource", "--resource-arn", WORKLOAD_ARN + "support-agent", "--tags", "team=ml"))
    _ok(cli("untag-resource", "--resource-arn", WORKLOAD_ARN + "support-agent", "--tag-keys", "team"))
    _ok(cli("delete-oauth2-credential-provider", "--name", "github"))
    _ok(cli("reset-token-vault-key-material", "--token-vault-id", "default"))
    _ok(cli("delete-api-key-credential-provider", "--name", "openai"))
    _ok(cli("delete-workload-identity", "--name", "support-agent"))
    assert ops(vault_file) == [
        ("CreateWorkloadIdentity", WORKLOAD_ARN + "support-agent", "success"),
        ("UpdateWorkloadIdentity", WORKLOAD_ARN + "support-agent", "success"),
        ("CreateApiKeyCredentialProvider", APIKEY_ARN + "openai", "success"),
        ("UpdateApiKeyCredentialProvider", APIKEY_ARN + "openai", "success"),
        ("CreateOauth2CredentialProvider", OAUTH2_ARN + "github", "success"),
        ("TagResource", WORKLOAD_ARN + "support-agent", "success"),
        ("UntagResource", WORKLOAD_ARN + "support-agent", "success"),
        ("DeleteOauth2CredentialProvider", OAUTH2_ARN + "github", "success"),
        ("ResetTokenVaultKeyMaterial", VAULT_ARN, "success"),
        ("DeleteApiKeyCredentialProvider", APIKEY_ARN + "openai", "success"),
        ("DeleteWorkloadIdentity", WORKLOAD_ARN + "support-agent", "success"),
    ]
    trail = events(vault_file)
    assert [e["seq"] for e in trail] == list(range(1, 12))
    assert {e["os_user"] for e in trail} == {getpass.getuser()}
    assert {e["tool_version"] for e in trail} == {__version__}
    assert {e["category"] for e in trail} == {"change"}
    times = [datetime.fromisoformat(e["time"]) for e in trail]
    assert all(t.utcoffset() is not None and t.utcoffset().total_seconds() == 0 for t in times)
    assert times == sorted(times)


def test_reads_that_return_no_secret_are_not_recorded(cli, vault_file: Path):
    _ok(cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-1"))
    before = len(events(vault_file))
    for args in (
        ("get-api-key-credential-provider", "--name", "openai"),
        ("list-api-key-credential-providers",),
        ("list-workload-identities",),
        ("get-token-vault",),
        ("list-tags-for-resource", "--resource-arn", APIKEY_ARN + "openai"),
        ("audit", "list"),
    ):
        cli(*args)
    assert len(events(vault_file)) == before


def test_a_failed_attempt_is_recorded_with_its_error_code(cli, vault_file: Path):
    _ok(cli("create-workload-identity", "--name", "support-agent"))
    assert cli("delete-workload-identity", "--name", "support-agnt").exit_code == 254
    assert cli("create-workload-identity", "--name", "support-agent").exit_code == 254
    assert ops(vault_file)[1:] == [
        ("DeleteWorkloadIdentity", WORKLOAD_ARN + "support-agnt", "ResourceNotFoundException"),
        ("CreateWorkloadIdentity", WORKLOAD_ARN + "support-agent", "ConflictException"),
    ]


def test_a_change_that_fails_half_way_rolls_back_and_records_only_the_failure(home: Path, vault_file: Path):
    backend = LocalBackend(vault_file)
    try:
        with pytest.raises(ServiceError), backend.audited("CreateWorkloadIdentity") as scope:
            backend.store.insert("workload", "half-done", WORKLOAD_ARN + "half-done", {})
            scope.note_target(WORKLOAD_ARN + "half-done")
            raise not_found("Something", "else")
        assert backend.store.get("workload", "half-done") is None
    finally:
        backend.close()
    assert ops(vault_file) == [("CreateWorkloadIdentity", WORKLOAD_ARN + "half-done", "ResourceNotFoundException")]


def test_the_event_commits_with_the_change_inside_a_callers_transaction(home: Path, vault_file: Path):
    backend = LocalBackend(vault_file)
    try:
        with pytest.raises(RuntimeError), backend.store.transaction():
            backend.invoke("CreateWorkloadIdentity", {"name": "rolled-back"})
            raise RuntimeError("the caller gives up")
        backend.invoke("CreateWorkloadIdentity", {"name": "kept"})
    finally:
        backend.close()
    assert ops(vault_file) == [("CreateWorkloadIdentity", WORKLOAD_ARN + "kept", "success")]


def _token(cli, *args: str) -> str:
    result = cli(*args, "--query", "workloadAccessToken", "--output", "text")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def _get_api_key(cli, token: str, provider: str = "openai"):
    return cli(
        "get-resource-api-key",
        "--resource-credential-provider-name",
        provider,
        "--workload-identity-token",
        "-",
        input=token,
    )


def test_data_plane_secret_reads_and_refusals_are_recorded(cli, vault_file: Path):
    _ok(cli("create-workload-identity", "--name", "support-agent"))
    _ok(cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-openai-1"))
    token = _token(cli, "get-workload-access-token-for-user-id", "--workload-name", "support-agent", "--user-id", "bob")
    _ok(_get_api_key(cli, token))
    assert _get_api_key(cli, "not-a-token").exit_code == 254
    assert _get_api_key(cli, token, provider="missing").exit_code == 254
    reads = [e for e in events(vault_file) if e["category"] == "secret-read"]
    assert [(e["operation"], e["target"], e["outcome"]) for e in reads] == [
        ("GetWorkloadAccessTokenForUserId", WORKLOAD_ARN + "support-agent", "success"),
        ("GetResourceApiKey", APIKEY_ARN + "openai", "success"),
        ("GetResourceApiKey", None, "AccessDeniedException"),
        ("GetResourceApiKey", APIKEY_ARN + "missing", "ResourceNotFoundException"),
    ]
    assert (reads[0]["workload"], reads[0]["user_id"]) == ("support-agent", "bob")


def test_code_that_opens_a_secret_for_a_caller_records_who_asked(cli, home: Path, vault_file: Path):
    _ok(cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-openai-1"))
    backend = LocalBackend(vault_file)
    try:
        with backend.audited("GetResourceApiKey", workload="support-agent", user_id="alice"):
            assert backend.open_secret("apikey", "openai", "apiKey") == "sk-openai-1"
        assert backend.open_secret("apikey", "openai", "apiKey") == "sk-openai-1"  # no operation around it
    finally:
        backend.close()
    last_two = events(vault_file)[-2:]
    assert [(e["operation"], e["category"], e["target"], e["workload"], e["user_id"]) for e in last_two] == [
        ("GetResourceApiKey", "secret-read", APIKEY_ARN + "openai", "support-agent", "alice"),
        ("OpenSecret", "secret-read", APIKEY_ARN + "openai", None, None),
    ]


def test_a_decryption_failure_is_recorded(cli, home: Path, vault_file: Path):
    _ok(cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-openai-1"))
    _ok(cli("create-api-key-credential-provider", "--name", "anthropic", "--api-key", "-", input="sk-ant-1"))
    db = sqlite3.connect(vault_file)
    sealed = db.execute("SELECT sealed FROM secrets WHERE name = 'anthropic'").fetchone()[0]
    db.execute("UPDATE secrets SET sealed = ? WHERE name = 'openai'", (sealed,))
    db.commit()
    db.close()
    backend = LocalBackend(vault_file)
    try:
        with pytest.raises(ServiceError) as caught:
            backend.open_secret("apikey", "openai", "apiKey")
    finally:
        backend.close()
    assert caught.value.code == "DecryptionFailure"
    assert ops(vault_file)[-1] == ("OpenSecret", APIKEY_ARN + "openai", "DecryptionFailure")


def test_no_secret_token_or_fragment_of_one_enters_the_trail(cli, vault_file: Path):
    api_keys = ["sk-live-CANARY-apikey-000111222", "sk-live-CANARY-apikey-333444555"]
    client_secret = "gh-CANARY-client-secret-987654"
    passphrase = "a CANARY passphrase of some length"
    _ok(cli("create-workload-identity", "--name", "support-agent"))
    _ok(cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input=api_keys[0]))
    _ok(cli("update-api-key-credential-provider", "--name", "openai", "--api-key", "-", input=api_keys[1]))
    assert cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input=api_keys[0]).exit_code
    _ok(
        cli(
            "create-oauth2-credential-provider",
            "--name",
            "github",
            "--credential-provider-vendor",
            "GithubOauth2",
            "--client-id",
            "Iv1.abc",
            "--client-secret",
            "-",
            input=client_secret,
        )
    )
    token = _token(cli, "get-workload-access-token-for-user-id", "--workload-name", "support-agent", "--user-id", "bob")
    _ok(_get_api_key(cli, token))
    _get_api_key(cli, token + "x")
    _get_api_key(cli, token, provider="missing")
    env = {"AGENTCORE_IDENTITY_PASSPHRASE": passphrase}
    _ok(cli("set-token-vault-cmk", "--kms-configuration", "keyType=CustomerManagedKey", env=env))
    _ok(cli("reset-token-vault-key-material", "--token-vault-id", "default", env=env))
    trail = trail_text(vault_file)
    assert len(events(vault_file)) >= 10
    for secret in [*api_keys, client_secret, passphrase, token, *token.split(".")]:
        fragments = {secret[i : i + 8] for i in range(len(secret) - 7)}
        leaked = [fragment for fragment in fragments if fragment in trail]
        assert not leaked, f"a fragment of a secret is in the audit trail: {leaked[:3]}"


def test_a_command_that_needs_no_key_does_not_load_it_to_audit(cli, home: Path, vault_file: Path):
    _ok(cli("create-workload-identity", "--name", "support-agent"))
    assert not (home / "vault.key").exists()
    assert ops(vault_file) == [("CreateWorkloadIdentity", WORKLOAD_ARN + "support-agent", "success")]
    status = cli("vault", "status").json()
    assert status["keySource"] == "not created yet"
    assert status["audit"] == {"events": 1, "chain": "intact", "sealedThrough": None}
    assert not (home / "vault.key").exists()


def test_the_first_keyed_command_seals_everything_before_it(cli, vault_file: Path):
    _ok(cli("create-workload-identity", "--name", "support-agent"))
    _ok(cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-1"))
    _ok(cli("create-workload-identity", "--name", "other-agent"))
    verdict = cli("audit", "verify")
    _ok(verdict)
    assert verdict.json()["sealedThrough"] == "2"
    assert verdict.json()["headEvent"] == "3"
    assert cli("vault", "status").json()["audit"] == {"events": 3, "chain": "intact", "sealedThrough": "2"}


def test_vault_init_and_set_cmk_are_audited(cli, vault_file: Path):
    _ok(cli("vault", "init"))
    env = {"AGENTCORE_IDENTITY_PASSPHRASE": "a long passphrase"}
    _ok(cli("set-token-vault-cmk", "--kms-configuration", "keyType=CustomerManagedKey", env=env))
    assert ops(vault_file) == [("InitVault", VAULT_ARN, "success"), ("SetTokenVaultCMK", VAULT_ARN, "success")]
    _ok(cli("audit", "verify", env=env))


_WRITER = """
import sys
from agentcore_identity_cli.cli.app import main
worker = sys.argv[1]
for i in range(15):
    args = (
        ["create-workload-identity", "--name", f"w{worker}-{i:02d}"]
        if i % 3 == 0
        else ["create-api-key-credential-provider", "--name", f"p{worker}-{i:02d}", "--api-key", "-"]
    )
    sys.stdin = __import__("io").StringIO("secret")
    if main(args) != 0:
        sys.exit(1)
"""


def test_processes_appending_at_once_keep_one_unbroken_chain(cli, vault_file: Path):
    _ok(cli("vault", "init"))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(n)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ},
        )
        for n in range(5)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    trail = events(vault_file)
    assert [e["seq"] for e in trail] == list(range(1, 77))
    verdict = cli("audit", "verify")
    _ok(verdict)
    assert verdict.json()["events"] == 76


def test_the_seal_is_born_with_the_vault_key_even_outside_any_operation(cli, vault_file: Path):
    backend = LocalBackend(vault_file)
    try:
        backend.keys.key()  # library code making the key directly, on a fresh vault
        backend.invoke("CreateWorkloadIdentity", {"name": "support-agent"})
    finally:
        backend.close()
    verdict = cli("audit", "verify")
    _ok(verdict)
    assert verdict.json()["sealedThrough"] == "1"
