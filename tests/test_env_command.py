"""`env`: the variables with their references resolved, in formats that read back exactly."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from dotenv import dotenv_values

from tests.run_support import API_KEY, add_api_key

AWKWARD = 'it\'s a "value" with $HOME, ${HOME}, `ticks`, \\ back\\slashes and\na newline'


@pytest.fixture(autouse=True)
def providers(cli: Any) -> None:
    add_api_key(cli)
    add_api_key(cli, "awkward", AWKWARD.replace("\n", " "))


def test_dotenv_is_the_default_and_python_dotenv_reads_it_back(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text("MODEL=gpt-4o\nOPENAI_API_KEY=agentcore://api-key/openai\n")
    result = cli("env", "--env-file", str(tmp_path / "a.env"), "--env", "ODD=agentcore://api-key/awkward")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # not a terminal: no caution
    assert (
        result.stdout
        == f"MODEL='gpt-4o'\nOPENAI_API_KEY='{API_KEY}'\nODD='"
        + AWKWARD.replace("\n", " ").replace("\\", "\\\\").replace("'", "\\'")
        + "'\n"
    )
    # python-dotenv expands ${VAR} even inside single quotes; read literally, every value is exact.
    assert dict(dotenv_values(stream=io.StringIO(result.stdout), interpolate=False)) == {
        "MODEL": "gpt-4o",
        "OPENAI_API_KEY": API_KEY,
        "ODD": AWKWARD.replace("\n", " "),
    }


def test_shell_format_evaluates_back_to_the_values(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text("MULTI='first\nsecond'\n")
    result = cli(
        "env", "--format", "shell", "--env", "ODD=agentcore://api-key/awkward", "--env-file", str(tmp_path / "a.env")
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("export MULTI='first\nsecond'\nexport ODD=")  # files, then flags
    shell = subprocess.run(
        ["sh", "-c", result.stdout + 'printf "%s|%s" "$ODD" "$MULTI"'], capture_output=True, text=True, check=True
    )
    assert shell.stdout == AWKWARD.replace("\n", " ") + "|first\nsecond"


def test_json_format_is_an_object_of_the_values(cli: Any) -> None:
    result = cli(
        "env", "--format", "json", "--env", "A=agentcore://api-key/openai", "--env", "B=agentcore://api-key/awkward"
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"A": API_KEY, "B": AWKWARD.replace("\n", " ")}


def test_on_a_terminal_a_caution_goes_to_stderr(cli: Any) -> None:
    result = cli("env", "--env", "A=agentcore://api-key/openai", tty=True)
    assert result.exit_code == 0
    assert result.stdout == f"A='{API_KEY}'\n"
    assert result.stderr.startswith("Warning: secrets printed on this terminal stay in its scrollback")
    assert API_KEY not in result.stderr


def test_nothing_to_print_and_a_bad_format_are_usage_errors(cli: Any) -> None:
    nothing = cli("env")
    assert nothing.exit_code == 252 and "give --env NAME=REF or --env-file FILE" in nothing.stderr
    bad = cli("env", "--format", "yaml", "--env", "A=agentcore://api-key/openai")
    assert bad.exit_code == 252 and "valid choices are: dotenv | shell | json" in bad.stderr
    assert bad.stdout == ""


def test_a_missing_provider_prints_nothing(cli: Any) -> None:
    result = cli("env", "--env", "A=agentcore://api-key/openai", "--env", "B=agentcore://api-key/opena")
    assert result.exit_code == 254
    assert result.stdout == ""
    assert "did you mean 'openai'?" in result.stderr
    assert API_KEY not in result.stderr


def test_the_inherited_environment_is_not_printed(cli: Any) -> None:
    result = cli("env", "--env", "A=agentcore://api-key/openai", env={"OTHER": "agentcore://api-key/openai"})
    assert result.stdout == f"A='{API_KEY}'\n"
