"""Output the AWS CLI way: yaml, yaml-stream, off, text and table layouts, colour, timestamps, --version.

The YAML expected here follows AWS CLI v2's awscli/formatter.py (YAMLDumper, YAMLFormatter,
StreamedYAMLFormatter): ruamel.yaml's safe dumper with libyaml's emitter, block style, keys in
sorted order, a lone scalar printed as JSON, yaml-stream printing each page as one element of a
list. Timestamps are already strings by then in v2 (awscli/customizations/timestampformat.py:
`iso8601`, the default, or `wire`), so YAML quotes the ISO ones. The AWS CLI v2 cannot be
installed here; the AWS CLI v1 comparisons are in tests/test_serve_clients_awscli_output.py.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from agentcore_identity_cli import __version__

WI_ARN = "arn:aws:bedrock-agentcore:local:000000000000:workload-identity-directory/default/workload-identity/"
ANSI = re.compile(r"\x1b\[")


def _workload(cli: Any, name: str, *urls: str) -> dict[str, Any]:
    args = ["create-workload-identity", "--name", name]
    if urls:
        args += ["--allowed-resource-oauth2-return-urls", *urls]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return dict(result.json())


def _three(cli: Any) -> None:
    for name in ("agent-a", "agent-b", "agent-c"):
        _workload(cli, name)


def _item_yaml(name: str, indent: str = "") -> str:
    return f"{indent}- name: {name}\n{indent}  workloadIdentityArn: {WI_ARN}{name}\n"


def _service_token_after_two(cli: Any) -> str:
    body = cli("list-workload-identities", "--no-paginate", "--max-results", "2").json()
    return str(body["nextToken"])


# --- yaml ----------------------------------------------------------------------------------


def test_yaml_of_a_get_has_sorted_keys_block_lists_and_quoted_times(cli):
    _workload(cli, "agent-one", "https://a.example.com/cb", "myapp://done")
    body = cli("get-workload-identity", "--name", "agent-one").json()
    result = cli("get-workload-identity", "--name", "agent-one", "--output", "yaml")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "allowedResourceOauth2ReturnUrls:\n"
        "- https://a.example.com/cb\n"
        "- myapp://done\n"
        f"createdTime: '{body['createdTime']}'\n"
        f"lastUpdatedTime: '{body['lastUpdatedTime']}'\n"
        "name: agent-one\n"
        f"workloadIdentityArn: {WI_ARN}agent-one\n"  # long values stay on one line (libyaml's emitter)
    )


def test_yaml_reads_back_as_the_json_document(cli):
    from ruamel.yaml import YAML

    _three(cli)
    for args in (("list-workload-identities",), ("get-token-vault",), ("get-workload-identity", "--name", "agent-b")):
        as_yaml = cli(*args, "--output", "yaml")
        assert as_yaml.exit_code == 0, as_yaml.stderr
        assert YAML(typ="safe").load(as_yaml.stdout) == cli(*args, "--output", "json").json()


def test_yaml_of_a_listing_is_the_whole_result(cli):
    _three(cli)
    result = cli("list-workload-identities", "--output", "yaml", "--page-size", "2")
    assert result.stdout == "workloadIdentities:\n" + "".join(_item_yaml(n) for n in ("agent-a", "agent-b", "agent-c"))


def test_yaml_with_max_items_has_the_next_token(cli):
    _three(cli)
    token = cli("list-workload-identities", "--max-items", "2").json()["NextToken"]
    result = cli("list-workload-identities", "--output", "yaml", "--max-items", "2")
    assert result.stdout == f"NextToken: {token}\nworkloadIdentities:\n" + _item_yaml("agent-a") + _item_yaml("agent-b")


def test_yaml_of_a_scalar_is_printed_as_json(cli):
    _workload(cli, "agent-one")
    result = cli("get-workload-identity", "--name", "agent-one", "--output", "yaml", "--query", "name")
    assert result.stdout == '"agent-one"\n'
    nothing = cli("get-workload-identity", "--name", "agent-one", "--output", "yaml", "--query", "nosuch")
    assert nothing.stdout == "null\n"


def test_yaml_of_an_empty_response_prints_nothing(cli):
    _workload(cli, "agent-one")
    for fmt in ("yaml", "yaml-stream"):
        result = cli("delete-workload-identity", "--name", "agent-one", "--output", fmt)
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
        _workload(cli, "agent-one")


def test_yaml_stream_prints_each_page_as_one_element_of_a_list(cli):
    _three(cli)
    token = _service_token_after_two(cli)
    result = cli("list-workload-identities", "--output", "yaml-stream", "--page-size", "2")
    assert result.exit_code == 0, result.stderr
    # Each page as the service answered it, its own nextToken included.
    assert result.stdout == (
        f"- nextToken: {token}\n  workloadIdentities:\n"
        + _item_yaml("agent-a", "  ")
        + _item_yaml("agent-b", "  ")
        + "- workloadIdentities:\n"
        + _item_yaml("agent-c", "  ")
    )


def test_yaml_stream_applies_the_query_to_each_page(cli):
    _three(cli)
    result = cli(
        "list-workload-identities",
        "--output",
        "yaml-stream",
        "--page-size",
        "2",
        "--query",
        "workloadIdentities[].name",
    )
    assert result.stdout == "- - agent-a\n  - agent-b\n- - agent-c\n"


def test_yaml_stream_of_a_get_is_a_list_of_one(cli):
    _workload(cli, "agent-one")
    result = cli("get-workload-identity", "--name", "agent-one", "--output", "yaml-stream", "--query", "{n: name}")
    assert result.stdout == "- n: agent-one\n"


def test_yaml_formats_from_the_environment_and_the_profile(cli):
    _workload(cli, "agent-one")
    from_env = cli("get-workload-identity", "--name", "agent-one", "--query", "name", env={
        "AGENTCORE_IDENTITY_OUTPUT": "yaml"
    })  # fmt: skip
    assert from_env.stdout == '"agent-one"\n'
    assert cli("configure", "set", "output", "yaml-stream").exit_code == 0
    from_profile = cli("get-workload-identity", "--name", "agent-one", "--query", "name")
    assert from_profile.stdout == "- agent-one\n"


def test_output_off_prints_nothing_and_still_makes_the_call(cli):
    result = cli("create-workload-identity", "--name", "agent-one", "--output", "off")
    assert (result.exit_code, result.stdout) == (0, "")
    assert cli("list-workload-identities", "--output", "off").stdout == ""
    assert cli("get-workload-identity", "--name", "agent-one").json()["name"] == "agent-one"
    missing = cli("get-workload-identity", "--name", "nosuch", "--output", "off")
    assert missing.exit_code == 254
    assert "ResourceNotFoundException" in missing.stderr  # errors still reach stderr


# --- text ----------------------------------------------------------------------------------


def test_text_with_max_items_ends_with_the_next_token_line(cli):
    _three(cli)
    result = cli("list-workload-identities", "--output", "text", "--max-items", "2")
    lines = result.stdout.splitlines()
    assert lines[:2] == [f"WORKLOADIDENTITIES\t{n}\t{WI_ARN}{n}" for n in ("agent-a", "agent-b")]
    label, token = lines[2].split("\t")
    assert label == "NEXTTOKEN" and len(lines) == 3
    rest = cli("list-workload-identities", "--output", "text", "--starting-token", token)
    assert rest.stdout == f"WORKLOADIDENTITIES\tagent-c\t{WI_ARN}agent-c\n"


def test_text_applies_the_query_to_each_page_as_the_aws_cli(cli):
    _three(cli)
    result = cli(
        "list-workload-identities", "--output", "text", "--page-size", "2", "--query", "workloadIdentities[].name"
    )
    assert result.stdout == "agent-a\tagent-b\nagent-c\n"
    whole = cli("list-workload-identities", "--output", "text", "--query", "workloadIdentities[].name")
    assert whole.stdout == "agent-a\tagent-b\tagent-c\n"


def test_text_of_audit_list_with_max_items_ends_with_the_next_token(cli):
    _three(cli)
    result = cli("audit", "list", "--max-items", "1", "--output", "text")
    assert result.exit_code == 0, result.stderr
    last = result.stdout.splitlines()[-1]
    assert last.startswith("NEXTTOKEN\t")
    assert last.split("\t")[1] == cli("audit", "list", "--max-items", "1").json()["NextToken"]


# --- table ---------------------------------------------------------------------------------


def _table_rows(text: str) -> list[list[str]]:
    """The cells of each row of a rich table (│ ... │ lines)."""
    return [[cell.strip() for cell in line.split("│")[1:-1]] for line in text.splitlines() if line.startswith("│")]


def test_table_is_titled_with_the_operation_name(cli):
    _three(cli)
    listed = cli("list-workload-identities", "--output", "table").stdout.splitlines()
    assert [line.strip() for line in listed[:2]] == ["ListWorkloadIdentities", "workloadIdentities"]
    got = cli("get-workload-identity", "--name", "agent-a", "--output", "table").stdout.splitlines()
    assert got[0].strip() == "GetWorkloadIdentity"
    vault = cli("get-token-vault", "--output", "table").stdout.splitlines()
    assert vault[0].strip() == "GetTokenVault"


def test_table_of_a_list_of_lists_has_one_column_per_element(cli):
    _three(cli)
    result = cli(
        "list-workload-identities", "--output", "table", "--query", "workloadIdentities[].[name,workloadIdentityArn]"
    )
    assert result.stdout.splitlines()[0].strip() == "ListWorkloadIdentities"
    assert _table_rows(result.stdout) == [[n, WI_ARN + n] for n in ("agent-a", "agent-b", "agent-c")]


def test_table_next_token_comes_after_the_items(cli):
    _three(cli)
    result = cli("list-workload-identities", "--output", "table", "--max-items", "2")
    rows = _table_rows(result.stdout)
    token = cli("list-workload-identities", "--max-items", "2").json()["NextToken"]
    assert rows == [["agent-a", WI_ARN + "agent-a"], ["agent-b", WI_ARN + "agent-b"], ["NextToken", token]]


def test_table_not_on_a_terminal_is_never_cut_folded_or_noted(cli):
    name = "a-very-long-workload-name-" + "x" * 100
    _workload(cli, name, "https://app.example.com/" + "y" * 150)
    for args in (("list-workload-identities",), ("get-workload-identity", "--name", name)):
        result = cli(*args, "--output", "table", env={"COLUMNS": "80"})
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
        assert any(WI_ARN + name in line for line in result.stdout.splitlines()), result.stdout
        assert max(len(line) for line in result.stdout.splitlines()) > 200
    got = cli("get-workload-identity", "--name", name, "--output", "table").stdout
    assert "https://app.example.com/" + "y" * 150 in got


def test_table_on_a_narrow_terminal_says_on_stderr_what_it_left_out(cli):
    made = cli("create-api-key-credential-provider", "--name", "search-" + "x" * 40, "--api-key", "-", input="sk-1")
    assert made.exit_code == 0, made.stderr
    result = cli(
        "list-api-key-credential-providers", "--output", "table", tty=True, env={"COLUMNS": "80", "NO_COLOR": "1"}
    )
    assert result.exit_code == 0
    assert "credentialProviderArn" not in result.stdout
    assert result.stderr == "credentialProviderArn not shown at this width: use --output json\n"
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


# --- colour --------------------------------------------------------------------------------


def test_color_on_colours_a_table_even_in_a_pipe_and_overrides_no_color(cli):
    _workload(cli, "agent-one")
    for env in ({}, {"NO_COLOR": "1"}):
        result = cli("get-workload-identity", "--name", "agent-one", "--output", "table", "--color", "on", env=env)
        assert result.exit_code == 0, result.stderr
        assert ANSI.search(result.stdout)


def test_color_off_and_auto(cli):
    _workload(cli, "agent-one")
    args = ("get-workload-identity", "--name", "agent-one", "--output", "table")
    assert not ANSI.search(cli(*args, "--color", "off", tty=True).stdout)
    assert ANSI.search(cli(*args, "--color", "auto", tty=True).stdout)
    assert not ANSI.search(cli(*args, "--color", "auto").stdout)
    assert not ANSI.search(cli(*args, "--color", "auto", tty=True, env={"NO_COLOR": "1"}).stdout)
    # NO_COLOR set but empty does not count (no-color.org).
    assert ANSI.search(cli(*args, tty=True, env={"NO_COLOR": ""}).stdout)


def test_color_never_reaches_json_text_or_yaml(cli):
    _workload(cli, "agent-one")
    for fmt in ("json", "text", "yaml", "yaml-stream"):
        result = cli("get-workload-identity", "--name", "agent-one", "--output", fmt, "--color", "on", tty=True)
        assert not ANSI.search(result.stdout), fmt


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--color", "blue"), "argument --color: Invalid choice 'blue', valid choices are: on | off | auto"),
        (("--color", "on", "--no-color"), "argument --no-color: not allowed with argument --color on"),
    ],
)
def test_bad_color_options_exit_252(cli, args, message):
    result = cli("list-workload-identities", *args)
    assert result.exit_code == 252
    assert message in result.stderr
    assert result.stdout == ""


# --- timestamps ----------------------------------------------------------------------------


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def test_iso8601_is_the_default_timestamp_format(cli):
    _workload(cli, "agent-one")
    body = cli("get-workload-identity", "--name", "agent-one").json()
    assert body["createdTime"].endswith("+00:00")
    assert cli("configure", "set", "cli_timestamp_format", "iso8601").exit_code == 0
    assert cli("get-workload-identity", "--name", "agent-one").json()["createdTime"] == body["createdTime"]


def test_wire_timestamp_format_prints_epoch_seconds_in_every_format(cli):
    _workload(cli, "agent-one")
    body = cli("get-workload-identity", "--name", "agent-one").json()
    assert cli("configure", "set", "cli_timestamp_format", "wire").exit_code == 0
    wire = cli("get-workload-identity", "--name", "agent-one").json()
    assert isinstance(wire["createdTime"], float | int)
    assert wire["createdTime"] == pytest.approx(_epoch(body["createdTime"]), abs=1e-6)
    text = cli("get-workload-identity", "--name", "agent-one", "--output", "text").stdout
    assert text.split("\t")[0] == repr(wire["createdTime"])
    yaml = cli("get-workload-identity", "--name", "agent-one", "--output", "yaml").stdout
    assert f"createdTime: {wire['createdTime']!r}\n" in yaml
    table = cli("get-workload-identity", "--name", "agent-one", "--output", "table").stdout
    assert repr(wire["createdTime"]) in table
    # --query sees the numbers, as the AWS CLI's does with cli_timestamp_format = wire.
    queried = cli("get-workload-identity", "--name", "agent-one", "--query", "createdTime > `1000000000`")
    assert queried.json() is True


def test_bad_timestamp_format_is_refused(cli, home: Path):
    assert cli("configure", "set", "cli_timestamp_format", "epoch").exit_code == 252
    _workload(cli, "agent-one")
    (home / "config.toml").write_text('[profiles.default]\ncli_timestamp_format = "none"\n')
    result = cli("get-workload-identity", "--name", "agent-one")
    assert result.exit_code == 253
    expected = "Unknown cli_timestamp_format value: none (in profile 'default'), valid values are "
    assert expected + '"wire" or "iso8601"' in result.stderr


# --- --version anywhere --------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("--version",),
        ("list-workload-identities", "--version"),
        ("get-workload-identity", "--version"),  # its required --name is not asked for
        ("list-workload-identities", "--output", "json", "--version"),
    ],
)
def test_version_is_printed_before_or_after_a_command(cli, home: Path, args):
    result = cli(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"agentcore-identity {__version__}\n", "")
    assert not (home / "vault.db").exists()


# --- the AWS CLI's own settings on the aws backend ----------------------------------------


@pytest.fixture
def aws_wire(monkeypatch: pytest.MonkeyPatch) -> Any:
    from tests.aws_wire_server import ACCESS_KEY, SECRET_KEY, WireServer

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with WireServer(items=3, page_size=10) as server:
        yield server
        assert server.failures == [], server.failures


def _aws(cli: Any, server: Any, *args: str, env: dict[str, str] | None = None) -> Any:
    return cli("--backend", "aws", "--endpoint-url", server.url, "--region", "us-east-1", *args, env=env)


def _aws_config(home: Path, text: str) -> None:
    (home.parent / "aws-config").write_text(text)  # AWS_CONFIG_FILE (tests/conftest.py)


def test_aws_default_output_applies_on_the_aws_backend(cli, aws_wire):
    result = _aws(cli, aws_wire, "get-token-vault", env={"AWS_DEFAULT_OUTPUT": "yaml"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("kmsConfiguration:\n")


def test_the_aws_profiles_output_applies_when_this_tool_says_nothing(cli, aws_wire, home: Path):
    from tests.aws_wire_server import ACCESS_KEY, SECRET_KEY

    keys = f"aws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
    _aws_config(home, f"[default]\noutput = text\n[profile dev]\noutput = yaml\n{keys}")
    text = _aws(cli, aws_wire, "get-token-vault").stdout
    assert text.startswith("2023-11-14T22:13:20+00:00\ttokenVaultId-value\nKMSCONFIGURATION\t")
    dev = _aws(cli, aws_wire, "--profile", "dev", "get-token-vault")
    assert dev.exit_code == 0, dev.stderr
    assert dev.stdout.startswith("kmsConfiguration:\n")
    # AWS_DEFAULT_OUTPUT wins over the AWS profile, as in the AWS CLI.
    assert _aws(cli, aws_wire, "get-token-vault", env={"AWS_DEFAULT_OUTPUT": "json"}).json()["tokenVaultId"]


def test_this_tools_flag_variable_and_profile_win_over_the_aws_settings(cli, aws_wire, home: Path):
    _aws_config(home, "[default]\noutput = text\n")
    aws_env = {"AWS_DEFAULT_OUTPUT": "text"}
    assert _aws(cli, aws_wire, "get-token-vault", "--output", "json", env=aws_env).json()["tokenVaultId"]
    ours = {**aws_env, "AGENTCORE_IDENTITY_OUTPUT": "json"}
    assert _aws(cli, aws_wire, "get-token-vault", env=ours).json()["tokenVaultId"]
    assert cli("configure", "set", "output", "json").exit_code == 0
    assert _aws(cli, aws_wire, "get-token-vault", env=aws_env).json()["tokenVaultId"]


def test_aws_output_settings_do_not_reach_the_local_backend(cli, home: Path):
    _aws_config(home, "[default]\noutput = text\ncli_timestamp_format = wire\n")
    body = cli("get-token-vault", env={"AWS_DEFAULT_OUTPUT": "text"}).json()
    assert isinstance(body["lastModifiedDate"], str)


def test_a_bad_aws_output_setting_exits_253_naming_it(cli, aws_wire, home: Path):
    result = _aws(cli, aws_wire, "get-token-vault", env={"AWS_DEFAULT_OUTPUT": "xml"})
    assert result.exit_code == 253
    assert "Unknown output format 'xml' in AWS_DEFAULT_OUTPUT" in result.stderr
    _aws_config(home, "[default]\noutput = csv\n")
    result = _aws(cli, aws_wire, "get-token-vault")
    assert result.exit_code == 253
    assert "Unknown output format 'csv' in the AWS profile 'default'" in result.stderr


def test_the_aws_profiles_timestamp_format_applies_on_the_aws_backend(cli, aws_wire, home: Path):
    from tests.aws_wire_server import EPOCH

    assert _aws(cli, aws_wire, "get-token-vault").json()["lastModifiedDate"].startswith("2023-11-14T22:13:20")
    _aws_config(home, "[default]\ncli_timestamp_format = wire\n")
    assert _aws(cli, aws_wire, "get-token-vault").json()["lastModifiedDate"] == EPOCH
    # This tool's profile says first.
    assert cli("configure", "set", "cli_timestamp_format", "iso8601").exit_code == 0
    assert isinstance(_aws(cli, aws_wire, "get-token-vault").json()["lastModifiedDate"], str)
