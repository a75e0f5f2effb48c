"""The output contract (DESIGN.md section 3): formats, --query, colour, pipes, global options."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_into_closed_pipe

WI_ARN = "arn:aws:bedrock-agentcore:local:000000000000:workload-identity-directory/default/workload-identity/"
ANSI = re.compile(r"\x1b\[")
# A terminal that can show colour, so that the absence of escape codes is due to us.
COLOR_TERM = {"TERM": "xterm-256color"}


def _workload(cli, name: str, *urls: str) -> dict:
    args = ["create-workload-identity", "--name", name]
    if urls:
        args += ["--allowed-resource-oauth2-return-urls", *urls]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return result.json()


def _api_key(cli, name: str) -> None:
    result = cli("create-api-key-credential-provider", "--name", name, "--api-key", "-", input="sk-test")
    assert result.exit_code == 0, result.stderr


# --- default format and --output ------------------------------------------------------


def test_default_output_is_json_when_stdout_is_not_a_terminal(cli):
    _workload(cli, "agent-one")
    result = cli("list-workload-identities")
    assert result.exit_code == 0
    assert result.json() == {"workloadIdentities": [{"name": "agent-one", "workloadIdentityArn": WI_ARN + "agent-one"}]}


def test_default_output_is_a_table_on_a_terminal(cli):
    _workload(cli, "agent-one")
    result = cli("list-workload-identities", tty=True)
    assert result.exit_code == 0
    assert not result.stdout.lstrip().startswith("{")
    assert "agent-one" in result.stdout
    assert "workloadIdentityArn" in result.stdout  # a column header
    assert any(ch in result.stdout for ch in "┃│┏┌")  # box drawing: a table


def test_output_json_on_a_terminal_is_plain_json_without_colour(cli):
    _workload(cli, "agent-one")
    result = cli("get-workload-identity", "--name", "agent-one", "--output", "json", tty=True, env=COLOR_TERM)
    assert result.exit_code == 0
    assert result.json()["name"] == "agent-one"
    assert not ANSI.search(result.stdout)


def test_output_table_when_not_a_terminal_prints_a_table(cli):
    _workload(cli, "agent-one")
    result = cli("get-workload-identity", "--name", "agent-one", "--output", "table")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any(line.startswith("│ name") and "agent-one" in line for line in lines)


def test_output_text_prints_tab_separated_records(cli):
    _workload(cli, "agent-one")
    result = cli("list-workload-identities", "--output", "text")
    assert result.exit_code == 0
    assert result.stdout == f"WORKLOADIDENTITIES\tagent-one\t{WI_ARN}agent-one\n"


def test_unknown_output_format_exits_252_naming_the_choices(cli):
    result = cli("list-workload-identities", "--output", "xml")
    assert result.exit_code == 252
    assert "json | table | text | yaml | yaml-stream | off" in result.stderr
    assert result.stdout == ""


def test_output_format_from_environment_is_used_and_the_flag_wins(cli):
    _workload(cli, "agent-one")
    result = cli("list-workload-identities", env={"AGENTCORE_IDENTITY_OUTPUT": "text"})
    assert result.stdout.startswith("WORKLOADIDENTITIES\t")
    flagged = cli("list-workload-identities", "--output", "json", env={"AGENTCORE_IDENTITY_OUTPUT": "text"})
    assert flagged.json()["workloadIdentities"][0]["name"] == "agent-one"


# --- JSON is the AWS response, nothing more --------------------------------------------


def test_json_has_exactly_the_aws_members_and_iso_timestamps_in_utc(cli):
    before = datetime.now().astimezone()
    _workload(cli, "agent-one", "https://app.example.com/callback")
    body = cli("get-workload-identity", "--name", "agent-one").json()
    assert set(body) == {
        "name",
        "workloadIdentityArn",
        "allowedResourceOauth2ReturnUrls",
        "createdTime",
        "lastUpdatedTime",
    }
    for member in ("createdTime", "lastUpdatedTime"):
        assert body[member].endswith("+00:00"), body[member]
        when = datetime.fromisoformat(body[member])
        assert when.utcoffset() == timedelta(0)
        assert abs(when - before) < timedelta(minutes=5)


def test_json_is_indented_like_the_aws_cli(cli):
    _workload(cli, "agent-one")
    result = cli("get-workload-identity", "--name", "agent-one")
    assert result.stdout.startswith('{\n    "name": "agent-one",\n')
    assert result.stdout.endswith("}\n")


def test_json_of_a_list_with_api_key_providers_has_only_aws_members(cli):
    _api_key(cli, "openai")
    body = cli("list-api-key-credential-providers").json()
    assert list(body) == ["credentialProviders"]
    (item,) = body["credentialProviders"]
    assert set(item) == {"name", "credentialProviderArn", "createdTime", "lastUpdatedTime"}
    assert "sk-test" not in json.dumps(body)


# --- --query ----------------------------------------------------------------------------


def test_query_selects_with_jmespath_before_rendering(cli):
    _workload(cli, "agent-one", "https://a.example.com/cb", "https://b.example.com/cb")
    result = cli("get-workload-identity", "--name", "agent-one", "--query", "allowedResourceOauth2ReturnUrls[1]")
    assert result.exit_code == 0
    assert result.json() == "https://b.example.com/cb"


def test_query_of_names_with_text_output_prints_them_tab_separated_on_one_line(cli):
    for name in ("agent-a", "agent-b", "agent-c"):
        _workload(cli, name)
    result = cli("list-workload-identities", "--query", "workloadIdentities[].name", "--output", "text")
    assert result.exit_code == 0
    assert result.stdout == "agent-a\tagent-b\tagent-c\n"


def test_query_with_a_filter_expression(cli):
    for name in ("agent-a", "robot-b", "agent-c"):
        _workload(cli, name)
    result = cli("list-workload-identities", "--query", "workloadIdentities[?starts_with(name, 'agent')].name")
    assert result.json() == ["agent-a", "agent-c"]


def test_query_that_matches_nothing_prints_null_in_json(cli):
    _workload(cli, "agent-one")
    result = cli("get-workload-identity", "--name", "agent-one", "--query", "noSuchMember")
    assert result.exit_code == 0
    assert result.stdout.strip() == "null"


def test_bad_query_exits_252_before_any_call_and_without_touching_the_vault(cli, vault_file: Path):
    result = cli("list-workload-identities", "--query", "workloadIdentities[")
    assert result.exit_code == 252
    assert "--query" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not vault_file.exists()


def test_bad_query_exits_252_even_when_the_vault_cannot_be_opened(cli, home: Path):
    home.mkdir(parents=True)
    (home / "vault.db").write_text("this is not a vault")
    result = cli("list-workload-identities", "--query", "]]")
    assert result.exit_code == 252
    assert "--query" in result.stderr


# --- text format ------------------------------------------------------------------------


def test_text_of_a_get_puts_scalars_on_one_line_and_lists_under_the_member_name(cli):
    _workload(cli, "agent-one", "https://a.example.com/cb", "myapp://done")
    body = cli("get-workload-identity", "--name", "agent-one").json()
    result = cli("get-workload-identity", "--name", "agent-one", "--output", "text")
    assert result.exit_code == 0
    # As the AWS CLI: the structure's scalars in member-name order, tab-separated; a nested
    # list of scalars one value a line, prefixed with the member name in capitals.
    assert result.stdout.splitlines() == [
        "\t".join([body["createdTime"], body["lastUpdatedTime"], "agent-one", WI_ARN + "agent-one"]),
        "ALLOWEDRESOURCEOAUTH2RETURNURLS\thttps://a.example.com/cb",
        "ALLOWEDRESOURCEOAUTH2RETURNURLS\tmyapp://done",
    ]


def test_text_of_a_nested_structure_is_prefixed_with_its_member_name(cli):
    body = cli("get-token-vault").json()
    result = cli("get-token-vault", "--output", "text")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{body['lastModifiedDate']}\tdefault",
        f"KMSCONFIGURATION\t{body['kmsConfiguration']['keyType']}",
    ]


def test_text_of_an_api_key_provider_get(cli):
    _api_key(cli, "openai")
    body = cli("get-api-key-credential-provider", "--name", "openai").json()
    result = cli("get-api-key-credential-provider", "--name", "openai", "--output", "text")
    assert result.stdout.splitlines() == [
        "\t".join(
            [
                "MANAGED",
                body["createdTime"],
                body["credentialProviderArn"],
                body["lastUpdatedTime"],
                "openai",
            ]
        ),
        f"APIKEYSECRETARN\t{body['apiKeySecretArn']['secretArn']}",
    ]


# --- tables -----------------------------------------------------------------------------


def test_table_on_an_80_column_terminal_fits_for_a_provider_with_a_very_long_name(cli):
    name = "a-very-long-provider-name-" + "x" * 100  # 126 characters, within the API's 128
    _api_key(cli, name)
    for args in (
        ("list-api-key-credential-providers",),
        ("get-api-key-credential-provider", "--name", name),
    ):
        result = cli(*args, "--output", "table", tty=True, env={"COLUMNS": "80", "NO_COLOR": "1"})
        assert result.exit_code == 0, result.stderr
        widths = [len(line) for line in result.stdout.splitlines()]
        assert widths and max(widths) <= 80, result.stdout
        # Folded, not truncated: every character of the name is still there.
        assert "x" * 40 in "".join(re.sub(r"[│┃ ]", "", line) for line in result.stdout.splitlines())


def test_table_without_a_terminal_has_no_escape_codes(cli):
    _workload(cli, "agent-one", "https://a.example.com/cb")
    for args in (("list-workload-identities",), ("get-workload-identity", "--name", "agent-one")):
        result = cli(*args, "--output", "table", env=COLOR_TERM)
        assert result.exit_code == 0
        assert "agent-one" in result.stdout
        assert not ANSI.search(result.stdout), repr(result.stdout)


def test_table_on_a_terminal_is_coloured(cli):
    # The counterpart of the tests below: on a colour terminal, there are escape codes.
    _workload(cli, "agent-one")
    result = cli("get-workload-identity", "--name", "agent-one", tty=True, env=COLOR_TERM)
    assert ANSI.search(result.stdout)


def test_no_color_environment_variable_turns_colour_off_on_a_terminal(cli):
    _workload(cli, "agent-one")
    for args in (("list-workload-identities",), ("get-workload-identity", "--name", "agent-one")):
        result = cli(*args, tty=True, env={**COLOR_TERM, "NO_COLOR": "1"})
        assert result.exit_code == 0
        assert "agent-one" in result.stdout
        assert "│" in result.stdout or "┃" in result.stdout  # still a table
        assert not ANSI.search(result.stdout), repr(result.stdout)


def test_no_color_flag_turns_colour_off_on_a_terminal(cli):
    _workload(cli, "agent-one")
    for args in (("list-workload-identities",), ("get-workload-identity", "--name", "agent-one")):
        result = cli(*args, "--no-color", tty=True, env=COLOR_TERM)
        assert result.exit_code == 0
        assert "agent-one" in result.stdout
        assert not ANSI.search(result.stdout), repr(result.stdout)


def test_rich_markup_in_data_is_printed_literally_in_tables(cli):
    url = "http://x/[red]"
    bold = "https://x/[bold]done[/bold]"
    _workload(cli, "agent-one", url, bold)
    for tty in (False, True):
        result = cli("get-workload-identity", "--name", "agent-one", "--output", "table", tty=tty, env=COLOR_TERM)
        assert result.exit_code == 0, result.stderr
        plain = ANSI.sub("", re.sub(r"\x1b\[[0-9;]*m", "", result.stdout))
        # The value may fold over lines; join the cells of the value column back up.
        joined = "".join(line.split("│")[2].strip() for line in plain.splitlines() if line.count("│") == 3)
        assert url in joined, plain
        assert bold in joined, plain


def test_rich_markup_in_data_is_printed_literally_in_json_and_text(cli):
    url = "http://x/[red]"
    _workload(cli, "agent-one", url)
    assert cli("get-workload-identity", "--name", "agent-one").json()["allowedResourceOauth2ReturnUrls"] == [url]
    text = cli("get-workload-identity", "--name", "agent-one", "--output", "text").stdout
    assert f"ALLOWEDRESOURCEOAUTH2RETURNURLS\t{url}\n" in text


def test_table_of_a_list_shows_every_record(cli):
    for name in ("agent-a", "agent-b"):
        _workload(cli, name)
    result = cli("list-workload-identities", "--output", "table")
    # Titled with the operation and the member name, as the AWS CLI titles its sections.
    assert [line.strip() for line in result.stdout.splitlines()[:2]] == ["ListWorkloadIdentities", "workloadIdentities"]
    assert "agent-a" in result.stdout and "agent-b" in result.stdout


def test_empty_list_prints_an_empty_list_not_an_error(cli):
    result = cli("list-workload-identities")
    assert result.exit_code == 0
    assert result.json() == {"workloadIdentities": []}


# --- global options anywhere ----------------------------------------------------------


def test_output_option_is_accepted_before_or_after_the_command_name(cli):
    _workload(cli, "agent-one")
    before = cli("--output", "text", "list-workload-identities")
    after = cli("list-workload-identities", "--output", "text")
    equals = cli("list-workload-identities", "--output=text")
    assert before.exit_code == after.exit_code == equals.exit_code == 0
    assert before.stdout == after.stdout == equals.stdout
    assert before.stdout.startswith("WORKLOADIDENTITIES\t")


def test_output_equals_json_form_after_the_command_on_a_terminal(cli):
    _workload(cli, "agent-one")
    result = cli("list-workload-identities", "--output=json", tty=True)
    assert result.json()["workloadIdentities"][0]["name"] == "agent-one"


def test_query_option_is_accepted_before_or_after_the_command_name(cli):
    _workload(cli, "agent-one")
    before = cli("--query", "workloadIdentities[0].name", "list-workload-identities")
    after = cli("list-workload-identities", "--query", "workloadIdentities[0].name")
    equals = cli("list-workload-identities", "--query=workloadIdentities[0].name")
    assert before.json() == after.json() == equals.json() == "agent-one"


def test_global_options_after_command_options(cli):
    _workload(cli, "agent-one")
    result = cli("get-workload-identity", "--name", "agent-one", "--query", "name", "--output", "text")
    assert result.exit_code == 0
    assert result.stdout == "agent-one\n"


# --- list options the AWS CLI way ------------------------------------------------------


def test_list_option_takes_several_space_separated_values(cli):
    body = _workload(cli, "agent-one", "https://a.example.com/cb", "https://b.example.com/cb")
    assert body["allowedResourceOauth2ReturnUrls"] == ["https://a.example.com/cb", "https://b.example.com/cb"]


def test_list_option_can_also_be_repeated(cli):
    result = cli(
        "create-workload-identity",
        "--allowed-resource-oauth2-return-urls",
        "https://a.example.com/cb",
        "--name",
        "agent-one",
        "--allowed-resource-oauth2-return-urls",
        "https://b.example.com/cb",
    )
    assert result.exit_code == 0, result.stderr
    assert result.json()["allowedResourceOauth2ReturnUrls"] == [
        "https://a.example.com/cb",
        "https://b.example.com/cb",
    ]


def test_list_option_values_stop_at_the_next_option(cli):
    result = cli(
        "create-workload-identity",
        "--allowed-resource-oauth2-return-urls",
        "https://a.example.com/cb",
        "https://b.example.com/cb",
        "--output",
        "json",
        "--name",
        "agent-one",
    )
    assert result.exit_code == 0, result.stderr
    assert result.json()["name"] == "agent-one"
    assert len(result.json()["allowedResourceOauth2ReturnUrls"]) == 2


def test_tag_keys_take_several_values(cli):
    arn = _workload(cli, "agent-one")["workloadIdentityArn"]
    assert cli("tag-resource", "--resource-arn", arn, "--tags", "a=1,b=2,c=3").exit_code == 0
    result = cli("untag-resource", "--resource-arn", arn, "--tag-keys", "a", "c")
    assert result.exit_code == 0, result.stderr
    assert cli("list-tags-for-resource", "--resource-arn", arn).json() == {"tags": {"b": "2"}}


def test_update_replaces_the_list_with_all_given_values(cli):
    _workload(cli, "agent-one", "https://old.example.com/cb")
    result = cli(
        "update-workload-identity",
        "--name",
        "agent-one",
        "--allowed-resource-oauth2-return-urls",
        "https://a.example.com/cb",
        "https://b.example.com/cb",
        "https://c.example.com/cb",
    )
    assert result.exit_code == 0, result.stderr
    assert result.json()["allowedResourceOauth2ReturnUrls"] == [
        "https://a.example.com/cb",
        "https://b.example.com/cb",
        "https://c.example.com/cb",
    ]


# --- empty responses and closed pipes ------------------------------------------------


def test_delete_prints_nothing_in_any_format(cli):
    for fmt in ("json", "table", "text"):
        _workload(cli, "agent-one")
        result = cli("delete-workload-identity", "--name", "agent-one", "--output", fmt)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == ""
        assert result.stderr == ""
    assert cli("list-workload-identities").json() == {"workloadIdentities": []}


def test_tag_resource_prints_nothing(cli):
    arn = _workload(cli, "agent-one")["workloadIdentityArn"]
    result = cli("tag-resource", "--resource-arn", arn, "--tags", "team=ml")
    assert result.exit_code == 0
    assert result.stdout == ""


def _seed_providers(cli, count: int) -> None:
    for i in range(count):
        _api_key(cli, f"provider-{i:04d}")


def _env_for_subprocess(home: Path) -> dict[str, str]:
    # Buffered stdout, as users have it: PYTHONUNBUFFERED in the test machine's environment
    # would hide a failure that only shows when the buffer is flushed.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    env["AGENTCORE_IDENTITY_HOME"] = str(home)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.mark.parametrize("end", [[], ["--"]], ids=["read without Typer", "read by Typer"])
def test_closed_stdout_pipe_is_not_a_crash(end: list[str], cli, home: Path):
    # More output than a pipe buffer holds (64 KiB), so the writer must meet the closed end.
    _seed_providers(cli, 300)
    assert len(cli("list-api-key-credential-providers").stdout) > 70_000
    for fmt in ("json", "text", "table"):
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "agentcore_identity_cli",
                "list-api-key-credential-providers",
                "--output",
                fmt,
                *end,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env_for_subprocess(home),
        )
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.read(1)  # as `| head -c1`
        proc.stdout.close()
        stderr = proc.stderr.read().decode()
        code = proc.wait(timeout=60)
        assert first, fmt
        assert "Traceback" not in stderr, stderr
        assert "Exception ignored" not in stderr, stderr
        assert "BrokenPipeError" not in stderr, stderr
        assert code == 0, (fmt, code, stderr)  # as the AWS CLI: the reader gone is no failure


@pytest.mark.parametrize("unbuffered", ["1", None], ids=["unbuffered", "buffered"])
def test_a_reader_gone_from_any_command_is_no_failure(unbuffered: str | None, home: Path):
    """Not only the commands that print through AppContext.emit: `schema` writes its document itself."""
    env = {key: value for key, value in _env_for_subprocess(home).items() if key != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = unbuffered  # the write meets the closed pipe inside the command
    assert run_into_closed_pipe(["schema"], env) == (0, b"")


def test_stdout_closed_before_anything_is_read_is_not_a_crash(cli, home: Path):
    _seed_providers(cli, 5)
    proc = subprocess.Popen(
        [sys.executable, "-m", "agentcore_identity_cli", "list-api-key-credential-providers"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env_for_subprocess(home),
    )
    assert proc.stdout is not None
    proc.stdout.close()
    _, stderr = proc.communicate(timeout=60)
    assert "Traceback" not in stderr.decode()
    assert "Exception ignored" not in stderr.decode()
