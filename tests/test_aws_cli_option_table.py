"""The docs' "AWS CLI option → here" table names only options this tool's command line accepts."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import run_process

USAGE = Path(__file__).resolve().parents[1] / "docs" / "usage.md"
# Named in the table, and said there to be missing from this command line; the test fails once
# one is added, so that the table is brought up to date.
NOT_YET_ACCEPTED: set[str] = set()


def _table_options() -> set[str]:
    text = USAGE.read_text(encoding="utf-8")
    section = text.split("## AWS CLI option → here", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert len(rows) > 30
    for row in rows:
        assert "not supported" not in row.lower(), row
    return {name for row in rows for name in re.findall(r"`(--[a-z-]+)`", row.split("|")[1])}


def test_every_option_of_the_table_is_accepted_by_the_command_line(home: Path):
    options = _table_options()
    assert {"--cli-auto-prompt", "--no-cli-auto-prompt", "--cli-binary-format", "--max-items"} <= options
    pages = "".join(
        run_process(command, "--help").stdout for command in ("list-workload-identities", "create-workload-identity")
    )
    accepted = {name for name in options if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", pages)}
    assert options - accepted == NOT_YET_ACCEPTED
    for name in NOT_YET_ACCEPTED:
        result = run_process("get-token-vault", name, "json")
        assert result.exit_code == 252 and "No such option" in result.stderr


def test_cli_error_format_is_accepted(home: Path):
    result = run_process("--cli-error-format", "json", "get-workload-identity", "--name", "missing")
    assert result.exit_code == 254
    assert '"Code": "ResourceNotFoundException"' in result.stderr
