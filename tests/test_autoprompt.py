"""Auto-prompt (--cli-auto-prompt, AWS_CLI_AUTO_PROMPT, cli_auto_prompt) on a real terminal, and without one."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.conftest import run_process
from tests.terminal_support import answer_prompts


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "TERM": "dumb", **extra}


def test_on_partial_asks_for_the_missing_name_shows_the_command_and_runs_it(home: Path):
    code, screen = answer_prompts(
        ["create-workload-identity", "--output", "json"], ["agent-typed"], _env(AWS_CLI_AUTO_PROMPT="on-partial")
    )
    assert code == 0, screen
    assert "--name:" in screen
    assert "> agentcore-identity --output json create-workload-identity --name agent-typed" in screen
    listed = run_process("list-workload-identities", "--output", "json")
    assert [w["name"] for w in json.loads(listed.stdout)["workloadIdentities"]] == ["agent-typed"]


def test_on_partial_runs_a_complete_command_without_asking(home: Path):
    code, screen = answer_prompts(
        ["create-workload-identity", "--name", "complete", "--output", "json"],
        [],
        _env(AWS_CLI_AUTO_PROMPT="on-partial"),
    )
    assert code == 0, screen
    assert "> agentcore-identity" not in screen and '"name": "complete"' in screen


def test_cli_auto_prompt_asks_for_more_options_and_passes_them_on(home: Path):
    code, screen = answer_prompts(
        ["--cli-auto-prompt", "create-workload-identity", "--output", "json"],
        ["with-urls", "--allowed-resource-oauth2-return-urls http://localhost:8080/cb http://localhost:9090/cb"],
        _env(),
    )
    assert code == 0, screen
    assert "Other options:" in screen and "--allowed-resource-oauth2-return-urls" in screen
    shown = (
        "> agentcore-identity --output json --cli-auto-prompt create-workload-identity --name with-urls "
        "--allowed-resource-oauth2-return-urls http://localhost:8080/cb http://localhost:9090/cb"
    )
    assert shown in screen
    got = run_process("get-workload-identity", "--name", "with-urls", "--output", "json")
    assert json.loads(got.stdout)["allowedResourceOauth2ReturnUrls"] == [
        "http://localhost:8080/cb",
        "http://localhost:9090/cb",
    ]


def test_an_enum_member_offers_its_values_and_a_wrong_one_is_asked_again(home: Path):
    _, screen = answer_prompts(
        ["create-payment-credential-provider", "--name", "pay", "--output", "json"],
        ["Coinbase", "CoinbaseCDP"],
        _env(AWS_CLI_AUTO_PROMPT="on-partial"),
    )
    assert "--credential-provider-vendor (CoinbaseCDP | " in screen, screen
    assert "Choose one of the values shown (did you mean 'CoinbaseCDP'?)" in screen
    assert "--credential-provider-vendor CoinbaseCDP" in screen.split("> agentcore-identity")[1]


def test_a_secret_is_asked_by_the_hidden_prompt_never_shown(home: Path):
    secret = "sk-AUTOPROMPT-SECRET"
    code, screen = answer_prompts(
        ["--cli-auto-prompt", "create-api-key-credential-provider", "--output", "json"],
        ["keyed", "", secret],
        _env(),
    )
    assert code == 0, screen
    assert "API key:" in screen and secret not in screen


def test_no_cli_auto_prompt_turns_a_configured_mode_off_for_one_command(home: Path):
    result = run_process("create-workload-identity", "--no-cli-auto-prompt", env={"AWS_CLI_AUTO_PROMPT": "on"})
    assert result.exit_code == 252
    assert "Missing option '--name'" in result.stderr and "terminal" not in result.stderr


def test_without_a_terminal_auto_prompt_is_a_usage_error_naming_where_it_was_turned_on(home: Path):
    result = run_process("create-workload-identity", env={"AWS_CLI_AUTO_PROMPT": "on-partial"})
    assert result.exit_code == 252
    assert "Auto-prompt (AWS_CLI_AUTO_PROMPT) needs a terminal to ask on" in result.stderr
    assert "--no-cli-auto-prompt" in result.stderr
    run_process("configure", "set", "cli_auto_prompt", "on")
    result = run_process("get-token-vault")
    assert result.exit_code == 252 and "Auto-prompt ([profiles.default] in " in result.stderr


def test_both_switches_and_an_unknown_mode_are_refused(home: Path):
    both = run_process("get-token-vault", "--cli-auto-prompt", "--no-cli-auto-prompt")
    assert both.exit_code == 252
    assert "Both --cli-auto-prompt and --no-cli-auto-prompt cannot be specified at the same time." in both.stderr
    bad = run_process("get-token-vault", env={"AWS_CLI_AUTO_PROMPT": "always"})
    assert bad.exit_code == 253 and "Unknown auto-prompt mode 'always'" in bad.stderr


def test_cli_binary_format_is_validated_and_changes_nothing(home: Path):
    plain = run_process("get-token-vault", "--output", "json")
    raw = run_process("get-token-vault", "--output", "json", "--cli-binary-format", "raw-in-base64-out")
    assert raw.exit_code == 0 and raw.stdout == plain.stdout
    bad = run_process("get-token-vault", "--cli-binary-format", "raw")
    assert bad.exit_code == 252
    assert "argument --cli-binary-format: Invalid choice 'raw', valid choices are: base64 | raw-in-base64-out" in (
        bad.stderr
    )
    run_process("configure", "set", "cli_binary_format", "raw-in-base64-out")
    listed = run_process("configure", "list", "--output", "json")
    row = next(r for r in json.loads(listed.stdout)["settings"] if r["name"] == "cli_binary_format")
    assert row["value"] == "raw-in-base64-out" and row["source"] == "profile"
