"""--cli-error-format, AWS_CLI_ERROR_FORMAT and cli_error_format: errors on stderr as AWS CLI v2 prints them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

BAD_NAME = ("create-workload-identity", "--name", "bad name!")
LEGACY_LINE = "An error occurred (ValidationException) when calling the CreateWorkloadIdentity operation: "


def _validation_error(cli: Any, *flags: str, env: dict[str, str] | None = None) -> Any:
    result = cli(*flags, *BAD_NAME, env=env)
    assert result.exit_code == 254
    assert result.stdout == ""
    return result


def test_json_prints_the_service_errors_message_and_code_and_exits_254(cli):
    result = _validation_error(cli, "--cli-error-format", "json")
    error = json.loads(result.stderr)
    assert list(error) == ["Message", "Code"]  # botocore's order, which v2 prints as is
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith("1 validation error detected: name may contain only")
    assert result.stderr.startswith('{\n    "Message": ')


def test_yaml_prints_code_and_message(cli):
    result = _validation_error(cli, "--cli-error-format", "yaml")
    error = YAML(typ="safe").load(result.stderr)
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith("1 validation error detected")


def test_text_prints_code_then_message_tab_separated(cli):
    result = _validation_error(cli, "--cli-error-format", "text")
    code, message = result.stderr.rstrip("\n").split("\t")
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected")
    assert result.stderr.count("\n") == 1


def test_table_prints_a_table_titled_error(cli):
    result = _validation_error(cli, "--cli-error-format", "table")
    lines = result.stderr.splitlines()
    assert lines[0].strip() == "error"
    assert any("Code" in line and "ValidationException" in line for line in lines)
    assert any("Message" in line and "1 validation error detected" in line for line in lines)


@pytest.mark.parametrize("fmt", [None, "legacy", "enhanced"])
def test_legacy_and_enhanced_print_the_message_line_as_before(cli, fmt):
    flags = ("--cli-error-format", fmt) if fmt else ()
    result = _validation_error(cli, *flags)
    assert result.stderr.startswith("\n" + LEGACY_LINE)
    assert "Additional error details" not in result.stderr  # our errors carry no other field


def test_a_missing_parameter_is_param_validation_and_exits_252(cli):
    result = cli("get-workload-identity", "--cli-error-format", "json")
    assert result.exit_code == 252
    error = json.loads(result.stderr)
    assert error["Code"] == "ParamValidation"
    assert error["Message"].startswith("Missing option '--name'.")


def test_a_usage_error_of_ours_is_param_validation(cli):
    result = cli("--cli-error-format", "text", "--cli-read-timeout", "-1", "list-workload-identities")
    assert result.exit_code == 252
    assert result.stderr.startswith("ParamValidation\targument --cli-read-timeout:")


def test_an_unknown_option_stays_plain_as_in_v2(cli):
    result = cli("--cli-error-format", "json", "get-workload-identity", "--bogus")
    assert result.exit_code == 252
    assert "No such option: --bogus" in result.stderr
    assert not result.stderr.lstrip().startswith("{")


def test_a_configuration_error_is_code_configuration_and_exits_253(cli):
    result = cli("--cli-error-format", "json", "list-workload-identities", env={"AGENTCORE_IDENTITY_BACKEND": "x"})
    assert result.exit_code == 253
    assert json.loads(result.stderr) == {
        "Code": "Configuration",
        "Message": "Unknown backend 'x': choose one of local, aws.",
    }


def test_environment_variable_applies_case_insensitively(cli):
    result = _validation_error(cli, env={"AWS_CLI_ERROR_FORMAT": "JSON"})
    assert json.loads(result.stderr)["Code"] == "ValidationException"


def test_profile_setting_applies(cli, home: Path):
    assert cli("configure", "set", "cli_error_format", "text").exit_code == 0
    result = _validation_error(cli)
    assert result.stderr.startswith("ValidationException\t")


def test_flag_beats_environment_beats_profile(cli):
    cli("configure", "set", "cli_error_format", "text")
    from_env = _validation_error(cli, env={"AWS_CLI_ERROR_FORMAT": "json"})
    assert json.loads(from_env.stderr)["Code"] == "ValidationException"
    from_flag = _validation_error(cli, "--cli-error-format", "legacy", env={"AWS_CLI_ERROR_FORMAT": "json"})
    assert from_flag.stderr.startswith("\n" + LEGACY_LINE)


def test_the_flag_after_the_command_name_applies_too(cli):
    result = cli(*BAD_NAME, "--cli-error-format", "json")
    assert (result.exit_code, json.loads(result.stderr)["Code"]) == (254, "ValidationException")


def test_configure_list_says_where_the_format_comes_from(cli):
    default = cli("configure", "list", "--output", "json").json()
    row = next(r for r in default["settings"] if r["name"] == "cli_error_format")
    assert (row["value"], row["source"]) == ("enhanced", "default")
    listed = cli("configure", "list", "--output", "json", env={"AWS_CLI_ERROR_FORMAT": "yaml"}).json()
    row = next(r for r in listed["settings"] if r["name"] == "cli_error_format")
    assert (row["value"], row["source"], row["location"]) == ("yaml", "environment", "AWS_CLI_ERROR_FORMAT")


def test_a_bad_value_on_the_command_line_exits_252(cli):
    result = cli("--cli-error-format", "xml", "list-workload-identities")
    assert result.exit_code == 252
    assert "argument --cli-error-format: Invalid choice 'xml', valid choices are: legacy | json" in result.stderr


def test_a_bad_value_in_the_environment_exits_253(cli):
    result = cli("list-workload-identities", env={"AWS_CLI_ERROR_FORMAT": "xml"})
    assert result.exit_code == 253
    assert "Unknown cli_error_format 'xml' in AWS_CLI_ERROR_FORMAT" in result.stderr


def test_a_bad_value_in_the_profile_exits_253(cli, home: Path):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('[profiles.default]\ncli_error_format = "xml"\n')
    result = cli("list-workload-identities")
    assert result.exit_code == 253
    assert "Unknown cli_error_format 'xml' in [profiles.default]" in result.stderr


def test_configure_set_refuses_a_bad_value(cli):
    result = cli("configure", "set", "cli_error_format", "xml")
    assert result.exit_code == 252
    assert "legacy, json, yaml, text, table, enhanced" in result.stderr


def test_a_valid_flag_wins_over_a_bad_environment_value(cli):
    result = _validation_error(cli, "--cli-error-format", "json", env={"AWS_CLI_ERROR_FORMAT": "xml"})
    assert json.loads(result.stderr)["Code"] == "ValidationException"
