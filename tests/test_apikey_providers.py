"""API-key credential providers end to end, through the CLI."""

from __future__ import annotations

from pathlib import Path

ARN = "arn:aws:bedrock-agentcore:local:000000000000:token-vault/default/apikeycredentialprovider/openai"


def test_create_from_stdin_then_get_and_list(cli):
    created = cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-live-123")
    assert created.exit_code == 0, created.stderr
    body = created.json()
    assert body["credentialProviderArn"] == ARN
    assert body["apiKeySecretArn"]["secretArn"].startswith("arn:aws:secretsmanager:local:000000000000:secret:")
    assert "sk-live-123" not in created.stdout + created.stderr

    got = cli("get-api-key-credential-provider", "--name", "openai").json()
    assert got["name"] == "openai"
    assert got["createdTime"].endswith("+00:00")

    listed = cli("list-api-key-credential-providers").json()
    assert [p["name"] for p in listed["credentialProviders"]] == ["openai"]


def test_api_key_from_file_is_read_without_warning(cli, tmp_path: Path):
    secret = tmp_path / "key.txt"
    secret.write_text("sk-from-file\n")
    result = cli("create-api-key-credential-provider", "--name", "f", "--api-key", f"file://{secret}")
    assert result.exit_code == 0
    assert result.stderr == ""


def test_literal_api_key_works_but_warns_on_stderr(cli):
    result = cli("create-api-key-credential-provider", "--name", "lit", "--api-key", "sk-literal")
    assert result.exit_code == 0
    assert "Warning: --api-key given on the command line" in result.stderr
    assert "sk-literal" not in result.stderr + result.stdout


def test_missing_api_key_without_terminal_exits_252_with_how_to(cli):
    result = cli("create-api-key-credential-provider", "--name", "x")
    assert result.exit_code == 252
    assert "--api-key -" in result.stderr
    assert cli("list-api-key-credential-providers").json()["credentialProviders"] == []


def test_empty_api_key_on_stdin_is_refused(cli):
    result = cli("create-api-key-credential-provider", "--name", "x", "--api-key", "-", input="\n")
    assert result.exit_code == 252
    assert "empty" in result.stderr


def test_duplicate_create_is_a_conflict_and_keeps_the_original(cli):
    cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="first")
    again = cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="second")
    assert again.exit_code == 254
    assert again.stderr.strip().startswith(
        "An error occurred (ConflictException) when calling the CreateApiKeyCredentialProvider operation:"
    )
    assert "second" not in again.stderr


def test_get_missing_provider_exits_254_with_did_you_mean(cli):
    cli("create-api-key-credential-provider", "--name", "github", "--api-key", "-", input="k")
    result = cli("get-api-key-credential-provider", "--name", "githb")
    assert result.exit_code == 254
    assert "(ResourceNotFoundException)" in result.stderr
    assert "did you mean 'github'?" in result.stderr


def test_get_missing_provider_in_empty_vault_hints_at_list(cli):
    result = cli("get-api-key-credential-provider", "--name", "nothing")
    assert result.exit_code == 254
    assert "list-api-key-credential-providers" in result.stderr


def test_invalid_name_is_the_services_validation_exception_in_plain_words(cli):
    result = cli("create-api-key-credential-provider", "--name", "bad name!", "--api-key", "-", input="k")
    assert result.exit_code == 254
    assert (
        "An error occurred (ValidationException) when calling the CreateApiKeyCredentialProvider operation: "
        "1 validation error detected: name may contain only letters, digits, '-' and '_' (1 to 128 characters)"
    ) in result.stderr
    assert "[a-zA-Z0-9" not in result.stderr  # never a raw regular expression
    assert cli("list-api-key-credential-providers").json()["credentialProviders"] == []


def test_update_replaces_the_key_and_touches_last_updated(cli):
    cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="old")
    before = cli("get-api-key-credential-provider", "--name", "openai").json()
    updated = cli("update-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="new")
    assert updated.exit_code == 0
    after = updated.json()
    assert after["createdTime"] == before["createdTime"]
    assert after["lastUpdatedTime"] > before["lastUpdatedTime"]


def test_delete_removes_and_prints_nothing(cli):
    cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="k")
    deleted = cli("delete-api-key-credential-provider", "--name", "openai")
    assert (deleted.exit_code, deleted.stdout) == (0, "")
    assert cli("get-api-key-credential-provider", "--name", "openai").exit_code == 254
    assert cli("delete-api-key-credential-provider", "--name", "openai").exit_code == 254


def test_tags_given_as_shorthand_on_create_are_kept(cli, vault_file):
    import sqlite3

    result = cli(
        "create-api-key-credential-provider", "--name", "t", "--api-key", "-", "--tags", "team=ml,env=dev", input="k"
    )
    assert result.exit_code == 0
    rows = sqlite3.connect(vault_file).execute("SELECT key, value FROM tags ORDER BY key").fetchall()
    assert rows == [("env", "dev"), ("team", "ml")]
