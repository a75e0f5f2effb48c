"""The AWS CLI v1 against `serve`, as the oracle for output layouts: text pages and NEXTTOKEN,
table titles, sections and rows, lists of lists, wire timestamps, and --version after a command.

The same call is made through `aws bedrock-agentcore-control ...` (with serve's settings) and
through this tool, on the same vault. Each CLI encodes its own opaque `--starting-token`, so
the token's value differs; where it stands, and that each resumes its own listing, do not.
The AWS CLI is found through AGENTCORE_TEST_AWS_CLI (.ci/run installs it).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from agentcore_identity_cli import __version__
from tests.conftest import Result
from tests.serve_support import Served, serve_fixture  # noqa: F401

AWS_CLI = os.environ.get("AGENTCORE_TEST_AWS_CLI", "")
CONTROL = "bedrock-agentcore-control"
WI_ARN = "arn:aws:bedrock-agentcore:local:000000000000:workload-identity-directory/default/workload-identity/"
NAMES = ("agent-a", "agent-b", "agent-c")

Aws = Callable[..., Result]


@pytest.fixture
def aws_config(tmp_path: Path) -> Path:
    path = tmp_path / "aws-cli" / "config"
    path.parent.mkdir()
    path.write_text("[default]\ncli_timestamp_format = iso8601\ncli_follow_urlparam = false\n")
    return path


@pytest.fixture
def aws(serve: Served, aws_config: Path) -> Aws:
    """aws(*args) -> Result: `aws bedrock-agentcore-control ARGS` with serve's settings, 80 columns."""
    if not AWS_CLI or not Path(AWS_CLI).exists():
        pytest.skip("the AWS CLI v1 is not installed (AGENTCORE_TEST_AWS_CLI; .ci/run installs it)")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(aws_config.parent),
        "AWS_CONFIG_FILE": str(aws_config),
        "AWS_SHARED_CREDENTIALS_FILE": str(aws_config.parent / "credentials"),
        "COLUMNS": "80",
        **serve.env,
    }

    def run(*args: str) -> Result:
        proc = subprocess.run([AWS_CLI, CONTROL, *args], env=env, capture_output=True, text=True, timeout=60)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def workloads(cli: Any) -> None:
    for name in NAMES:
        assert cli("create-workload-identity", "--name", name).exit_code == 0


def both(aws: Aws, cli: Any, *args: str) -> tuple[str, str]:
    theirs, ours = aws(*args), cli(*args)
    assert theirs.exit_code == 0, theirs.stderr
    assert ours.exit_code == 0, ours.stderr
    return theirs.stdout, ours.stdout


# --- text ----------------------------------------------------------------------------------


def test_text_with_max_items_ends_with_nexttoken_as_the_aws_cli(aws: Aws, cli: Any, workloads: None):
    theirs, ours = both(aws, cli, "list-workload-identities", "--max-items", "1", "--output", "text")
    *their_lines, their_token = theirs.splitlines()
    *our_lines, our_token = ours.splitlines()
    assert our_lines == their_lines == [f"WORKLOADIDENTITIES\tagent-a\t{WI_ARN}agent-a"]
    assert their_token.startswith("NEXTTOKEN\t") and our_token.startswith("NEXTTOKEN\t")
    # Each token resumes its own listing at the same place.
    rest_theirs = aws("list-workload-identities", "--output", "text", "--starting-token", their_token.split("\t")[1])
    rest_ours = cli("list-workload-identities", "--output", "text", "--starting-token", our_token.split("\t")[1])
    assert rest_ours.stdout == rest_theirs.stdout
    assert rest_ours.stdout.count("WORKLOADIDENTITIES") == 2


@pytest.mark.parametrize(
    "args",
    [
        ("--page-size", "1", "--query", "workloadIdentities[].name"),
        ("--page-size", "2", "--query", "workloadIdentities[].name"),
        ("--max-items", "2", "--page-size", "1", "--query", "workloadIdentities[].name"),
        ("--page-size", "2", "--query", "workloadIdentities[0]"),
        ("--page-size", "2"),
    ],
)
def test_text_applies_the_query_to_each_page_as_the_aws_cli(aws: Aws, cli: Any, workloads: None, args):
    theirs, ours = both(aws, cli, "list-workload-identities", "--output", "text", *args)
    assert ours == theirs


def test_text_query_of_the_next_token_as_the_aws_cli(aws: Aws, cli: Any, workloads: None):
    args = ("list-workload-identities", "--max-items", "1", "--query", "NextToken", "--output", "text")
    theirs, ours = both(aws, cli, *args)
    # The page has no NextToken ("None"), then the resume token alone.
    assert theirs.splitlines()[0] == ours.splitlines()[0] == "None"
    assert len(theirs.splitlines()) == len(ours.splitlines()) == 2


# --- table ---------------------------------------------------------------------------------

_BORDER = re.compile(r"^[\s+\-|]*$")


def aws_cells(table: str) -> list[list[str]]:
    """The AWS CLI's table as rows of cells: titles and section names are rows of one cell."""
    rows = []
    for line in table.splitlines():
        if _BORDER.match(line):
            continue
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def our_cells(table: str) -> list[list[str]]:
    """This tool's rich table as rows of cells, titles included, borders left out."""
    rows = []
    for line in table.splitlines():
        text = line.strip()
        if not text or text[0] in "┏┡┗└┌├┢┣":
            continue
        if text[0] in "│┃":
            rows.append([cell.strip() for cell in re.split(r"[│┃]", text)[1:-1]])
        else:
            rows.append([text])
    return rows


def test_table_of_a_listing_is_titled_and_sectioned_as_the_aws_cli(aws: Aws, cli: Any, workloads: None):
    theirs, ours = both(aws, cli, "list-workload-identities", "--output", "table")
    assert our_cells(ours) == aws_cells(theirs)
    assert our_cells(ours)[:3] == [["ListWorkloadIdentities"], ["workloadIdentities"], ["name", "workloadIdentityArn"]]


def test_table_of_a_list_of_lists_has_a_column_per_element_as_the_aws_cli(aws: Aws, cli: Any, workloads: None):
    query = "workloadIdentities[].[name,workloadIdentityArn]"
    theirs, ours = both(aws, cli, "list-workload-identities", "--output", "table", "--query", query)
    assert our_cells(ours) == aws_cells(theirs)
    assert our_cells(ours)[1:] == [[name, WI_ARN + name] for name in NAMES]


def _second(value: str) -> str:
    """A time as both tables show it, to the second (ours: `2025-01-01 12:00:00Z`)."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return value


def test_table_of_a_get_is_titled_with_the_operation_as_the_aws_cli(aws: Aws, cli: Any, workloads: None):
    theirs, ours = both(aws, cli, "get-workload-identity", "--name", "agent-b", "--output", "table")
    their_rows, our_rows = aws_cells(theirs), our_cells(ours)
    assert their_rows[0] == our_rows[0] == ["GetWorkloadIdentity"]
    # Name/value rows (the AWS CLI sorts them; this tool keeps the response's order).
    assert sorted([k, _second(v)] for k, v in our_rows[1:]) == sorted([k, _second(v)] for k, v in their_rows[1:])


def test_table_next_token_stands_after_the_items(aws: Aws, cli: Any, workloads: None):
    # The AWS CLI puts it first, with the response's other scalars; here it follows the items.
    rows = our_cells(cli("list-workload-identities", "--output", "table", "--max-items", "2").stdout)
    assert [row[0] for row in rows] == ["ListWorkloadIdentities", "workloadIdentities", "name", "agent-a", "agent-b",
                                        "NextToken"]  # fmt: skip
    assert any(row[0] == "NextToken" for row in aws_cells(aws("list-workload-identities", "--output", "table",
                                                              "--max-items", "2").stdout))  # fmt: skip


# --- timestamps ----------------------------------------------------------------------------


def test_wire_timestamps_as_the_aws_cli(aws: Aws, cli: Any, workloads: None, aws_config: Path):
    aws_config.write_text("[default]\ncli_timestamp_format = wire\ncli_follow_urlparam = false\n")
    assert cli("configure", "set", "cli_timestamp_format", "wire").exit_code == 0
    for fmt in ("json", "text"):
        theirs, ours = both(aws, cli, "get-workload-identity", "--name", "agent-a", "--output", fmt)
        assert ours == theirs
    theirs, ours = both(aws, cli, "get-token-vault", "--output", "text")
    assert ours == theirs


# --- --version -----------------------------------------------------------------------------


def test_version_after_a_command_as_the_aws_cli(aws: Aws, cli: Any):
    theirs = aws("list-workload-identities", "--version")
    ours = cli("list-workload-identities", "--version")
    assert (theirs.exit_code, ours.exit_code) == (0, 0)
    assert theirs.stdout.startswith("aws-cli/") and len(theirs.stdout.splitlines()) == 1
    assert ours.stdout == f"agentcore-identity {__version__}\n"
