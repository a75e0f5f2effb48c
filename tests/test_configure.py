"""Profiles in the config file and the precedence of settings."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path


def test_configure_set_writes_a_private_toml_profile(cli, home: Path):
    assert cli("configure", "set", "output", "text").exit_code == 0
    assert cli("--profile", "prod", "configure", "set", "backend", "aws").exit_code == 0
    path = home / "config.toml"
    data = tomllib.loads(path.read_text())
    assert data == {"profiles": {"default": {"output": "text"}, "prod": {"backend": "aws"}}}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_configure_get_prints_a_value_or_exits_1(cli):
    cli("configure", "set", "region", "eu-west-1")
    got = cli("configure", "get", "region")
    assert (got.exit_code, got.stdout) == (0, "eu-west-1\n")
    assert cli("configure", "get", "endpoint_url").exit_code == 1


def test_configure_refuses_unknown_keys_and_values(cli):
    assert cli("configure", "set", "colour", "blue").exit_code == 252
    bad = cli("configure", "set", "output", "xml")
    assert bad.exit_code == 252
    assert "json, table, text" in bad.stderr


def test_profile_output_applies_and_flag_overrides_it(cli):
    cli("create-workload-identity", "--name", "agent-one")
    cli("configure", "set", "output", "text")
    assert cli("list-workload-identities").stdout.startswith("WORKLOADIDENTITIES\t")
    assert cli("list-workload-identities", "--output", "json").json()["workloadIdentities"][0]["name"] == "agent-one"


def test_environment_overrides_profile_and_flag_overrides_environment(cli):
    cli("create-workload-identity", "--name", "agent-one")
    cli("configure", "set", "output", "text")
    env = {"AGENTCORE_IDENTITY_OUTPUT": "json"}
    assert cli("list-workload-identities", env=env).json()["workloadIdentities"]
    assert cli("list-workload-identities", "--output", "text", env=env).stdout.startswith("WORKLOADIDENTITIES")


def test_profile_vault_path_moves_the_vault(cli, tmp_path: Path):
    other = tmp_path / "elsewhere" / "team.db"
    cli("--profile", "team", "configure", "set", "vault_path", str(other))
    cli("--profile", "team", "create-workload-identity", "--name", "team-agent")
    assert other.exists()
    assert cli("list-workload-identities").json()["workloadIdentities"] == []
    listed = cli("list-workload-identities", "--profile", "team").json()["workloadIdentities"]
    assert [w["name"] for w in listed] == ["team-agent"]


def _settings(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return {row["name"]: row for row in result.json()["settings"]}


def test_configure_list_shows_settings_in_force(cli, home: Path):
    cli("configure", "set", "region", "us-west-2")
    shown = cli("configure", "list", "--output", "json").json()
    assert shown["configFile"] == str(home / "config.toml")
    rows = _settings(cli("configure", "list", "--output", "json"))
    assert rows["region"]["value"] == "us-west-2"
    assert rows["backend"]["value"] == "local"
    assert rows["vault_path"]["value"] == str(home / "vault.db")


def test_configure_list_names_the_source_of_every_value(cli, home: Path):
    cli("--profile", "team", "configure", "set", "region", "us-west-2")
    cli("--profile", "team", "configure", "set", "workload_name", "team-agent")
    env = {"AGENTCORE_IDENTITY_BACKEND": "local", "AGENTCORE_IDENTITY_USER_ID": "carol"}
    rows = _settings(cli("--profile", "team", "configure", "list", "--output", "json", env=env))
    config = str(home / "config.toml")
    seen = {name: (row["value"], row["source"], row["location"]) for name, row in rows.items()}
    assert seen["profile"] == ("team", "flag", "--profile")
    assert seen["output"] == ("json", "flag", "--output")
    assert seen["backend"] == ("local", "environment", "AGENTCORE_IDENTITY_BACKEND")
    assert seen["user_id"] == ("carol", "environment", "AGENTCORE_IDENTITY_USER_ID")
    assert seen["region"] == ("us-west-2", "profile", f"[profiles.team] in {config}")
    assert seen["workload_name"] == ("team-agent", "profile", f"[profiles.team] in {config}")
    assert seen["vault_path"] == (str(home / "vault.db"), "default", "AGENTCORE_IDENTITY_HOME")
    assert seen["endpoint_url"] == (None, "not set", None)
    assert set(rows) >= {"profile", "backend", "output", "region", "endpoint_url", "aws_profile", "vault_path"}


def test_configure_list_says_why_the_default_output_was_chosen(cli):
    rows = _settings(cli("configure", "list"))
    assert (rows["output"]["value"], rows["output"]["source"]) == ("json", "default")
    assert rows["output"]["location"] == "stdout is not a terminal"
    rows = _settings(cli("configure", "list", env={"AWS_REGION": "eu-west-1"}))
    assert (rows["region"]["value"], rows["region"]["source"], rows["region"]["location"]) == (
        "eu-west-1",
        "environment",
        "AWS_REGION",
    )
    assert rows["profile"]["source"] == "default"


def test_configure_list_profiles_prints_one_name_a_line(cli):
    assert cli("configure", "list-profiles").stdout == ""
    cli("configure", "set", "output", "json")
    cli("--profile", "prod", "configure", "set", "backend", "aws")
    cli("--profile", "ci", "configure", "set", "output", "text")
    result = cli("configure", "list-profiles")
    assert (result.exit_code, result.stdout) == (0, "default\nprod\nci\n")


def test_a_misspelled_setting_gets_a_did_you_mean(cli, home: Path):
    result = cli("configure", "set", "outptu", "json")
    assert result.exit_code == 252
    assert "Unknown setting 'outptu'" in result.stderr
    assert "Hint: did you mean 'output'?" in result.stderr
    assert not (home / "config.toml").exists()
    assert "did you mean 'region'?" in cli("configure", "get", "regoin").stderr


def test_a_broken_config_file_is_exit_253_with_the_path(cli, home: Path):
    home.mkdir(mode=0o700)
    (home / "config.toml").write_text("[profiles.default\noutput = ")
    result = cli("list-workload-identities")
    assert result.exit_code == 253
    assert "config.toml" in result.stderr and "not valid TOML" in result.stderr


def test_unknown_backend_in_environment_is_a_configuration_error(cli):
    result = cli("list-workload-identities", env={"AGENTCORE_IDENTITY_BACKEND": "s3"})
    assert result.exit_code == 253
    assert "Unknown backend" in result.stderr


def test_interactive_configure_needs_a_terminal(cli):
    result = cli("configure")
    assert result.exit_code == 252
    assert "configure set" in result.stderr


def test_an_unknown_profile_on_the_local_backend_is_refused_with_a_hint(cli):
    cli("--profile", "prod", "configure", "set", "output", "json")
    result = cli("--profile", "prdo", "list-workload-identities")
    assert result.exit_code == 253
    assert "did you mean 'prod'?" in result.stderr
    assert cli("--profile", "prod", "list-workload-identities").exit_code == 0


def test_configure_list_names_the_pager_and_timestamp_sources(cli, home: Path):
    cli("configure", "set", "cli_pager", "less")
    rows = _settings(cli("configure", "list", "--output", "json"))
    assert (rows["cli_pager"]["value"], rows["cli_pager"]["source"]) == ("less", "profile")
    assert (rows["cli_timestamp_format"]["value"], rows["cli_timestamp_format"]["source"]) == ("iso8601", "default")
    rows = _settings(cli("configure", "list", "--output", "json", env={"AWS_PAGER": ""}))
    assert (rows["cli_pager"]["value"], rows["cli_pager"]["source"], rows["cli_pager"]["location"]) == (
        "",
        "environment",
        "AWS_PAGER",
    )
    rows = _settings(cli("configure", "list", "--output", "json", "--no-cli-pager"))
    assert (rows["cli_pager"]["value"], rows["cli_pager"]["location"]) == ("", "--no-cli-pager")


def test_configure_list_on_the_aws_backend_names_aws_default_output(cli):
    rows = _settings(cli("--backend", "aws", "configure", "list", env={"AWS_DEFAULT_OUTPUT": "json"}))
    assert (rows["output"]["value"], rows["output"]["source"], rows["output"]["location"]) == (
        "json",
        "environment",
        "AWS_DEFAULT_OUTPUT",
    )
