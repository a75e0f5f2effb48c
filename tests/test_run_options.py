"""`run`'s command line: every bad input is a usage error (252) before anything is resolved or started.

`run` starts whatever program it is given, so the fuzz test of the whole command tree leaves
it out (tests/test_fuzz_cli.py); these tests give its option parsing the bad inputs instead.
None of them gets as far as starting a program: each names one that would leave a mark.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.run_support import API_KEY, add_api_key


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "child-ran"


@pytest.fixture
def child(marker: Path) -> list[str]:
    """A command that leaves a file behind if it ever runs."""
    return [sys.executable, "-c", f"open({str(marker)!r}, 'w')"]


@pytest.fixture(autouse=True)
def openai(cli: Any) -> None:
    add_api_key(cli)


def _refused(result: Any, marker: Path, *expected: str) -> None:
    assert result.exit_code == 252, (result.stdout, result.stderr)
    assert not marker.exists()
    assert result.stdout == ""
    for text in expected:
        assert text in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "unexpected error" not in result.stderr


def test_a_command_without_the_double_dash_is_refused(cli: Any, child: list[str], marker: Path) -> None:
    _refused(cli("run", *child), marker, "Put -- before the command to run")
    _refused(cli("run", "--env", "A=agentcore://api-key/openai", *child), marker, "Put -- before the command")


def test_no_command_is_refused(cli: Any, marker: Path) -> None:
    _refused(cli("run"), marker, "No command to run")
    _refused(cli("run", "--env", "A=agentcore://api-key/openai"), marker, "No command to run")
    _refused(cli("run", "--"), marker, "Missing argument")


def test_an_unknown_option_is_refused_with_a_suggestion(cli: Any, child: list[str], marker: Path) -> None:
    _refused(cli("run", "--env-fil", "x", "--", *child), marker, "No such option: --env-fil", "--env-file")
    _refused(cli("run", "--masking", "--", *child), marker, "No such option")


def test_env_without_a_value_is_refused(cli: Any, marker: Path) -> None:
    _refused(cli("run", "--env"), marker, "--env")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("NOEQUALS", "is not NAME=REF"),
        ("=agentcore://api-key/openai", "Bad variable name"),
        ("1ABC=agentcore://api-key/openai", "Bad variable name"),
        ("A-B=agentcore://api-key/openai", "Bad variable name"),
        ("A=agentcore://api-key/", "must name one credential provider"),
        ("A=agentcore://api-key/a/b", "must name one credential provider"),
        ("A=agentcore://apikey/openai", "did you mean 'agentcore://api-key/openai'?"),
        ("A=agentcore://oauth/corp", "did you mean 'agentcore://oauth2/corp'?"),
        ("A=agentcore:api-key/openai", "does not start with agentcore://"),
        ("A=agentcore://api-key/openai?usr=alice", "did you mean 'user'?"),
        ("A=agentcore://oauth2/corp?flow=m2n", "did you mean 'flow=M2M'?"),
        ("A=agentcore://oauth2/corp?flow=ON_BEHALF_OF_TOKEN_EXCHANGE", "cannot carry"),
        ("A=agentcore://oauth2/corp?scopes=", "is empty"),
        ("A=agentcore://oauth2/corp?user=a&user=b", "given twice"),
        ("A=agentcore://workload-token/agent?scopes=x", "unknown parameter 'scopes'"),
        ("A=agentcore://api-key/open ai", "not a valid name"),
        ("A=agentcore://api-key/openai#frag", "fragment"),
        ("A=agentcore://" + "x" * 9000, "longer than"),
    ],
)
def test_a_bad_env_flag_is_refused(cli: Any, child: list[str], marker: Path, value: str, expected: str) -> None:
    _refused(cli("run", "--env", value, "--", *child), marker, expected)


def test_a_literal_value_in_env_is_refused_without_showing_it(cli: Any, child: list[str], marker: Path) -> None:
    result = cli("run", "--env", f"OPENAI_API_KEY={API_KEY}", "--", *child)
    _refused(result, marker, "not an agentcore:// reference (it is not shown)")
    assert API_KEY not in result.stderr
    no_equals = cli("run", "--env", API_KEY, "--", *child)
    _refused(no_equals, marker, "not NAME=REF")
    assert API_KEY not in no_equals.stderr


def test_a_missing_or_unreadable_env_file_is_refused(cli: Any, child: list[str], marker: Path, tmp_path: Path) -> None:
    _refused(cli("run", "--env-file", str(tmp_path / "nope.env"), "--", *child), marker, "no such file")
    _refused(cli("run", "--env-file", str(tmp_path), "--", *child), marker, "it is a folder")
    binary = tmp_path / "binary.env"
    binary.write_bytes(b"A=\xff\xfe\n")
    _refused(cli("run", "--env-file", str(binary), "--", *child), marker, "not UTF-8")
    huge = tmp_path / "huge.env"
    huge.write_bytes(b"A=" + b"x" * (1024 * 1024 + 10))
    _refused(cli("run", "--env-file", str(huge), "--", *child), marker, "larger than 1024 KiB")


def test_an_env_file_line_that_does_not_parse_is_named_by_number_not_text(
    cli: Any, child: list[str], marker: Path, tmp_path: Path
) -> None:
    path = tmp_path / "bad.env"
    path.write_text(f"A=agentcore://api-key/openai\nthis line {API_KEY} is not an assignment\n")
    result = cli("run", "--env-file", str(path), "--", *child)
    _refused(result, marker, f"Error parsing --env-file {path}: line 2 is not NAME=VALUE")
    assert API_KEY not in result.stderr


def test_a_bad_reference_in_an_env_file_or_the_environment_is_named(
    cli: Any, child: list[str], marker: Path, tmp_path: Path
) -> None:
    path = tmp_path / "a.env"
    path.write_text("KEY=agentcore://api_key/openai\n")
    _refused(cli("run", "--env-file", str(path), "--", *child), marker, f"KEY ({path})", "did you mean")
    inherited = cli("run", "--", *child, env={"TOKEN": "agentcore://oauth2/"})
    _refused(inherited, marker, "TOKEN (environment)")


def test_an_env_file_variable_without_a_value_is_refused(
    cli: Any, child: list[str], marker: Path, tmp_path: Path
) -> None:
    path = tmp_path / "a.env"
    path.write_text("JUST_A_NAME\n")
    _refused(cli("run", "--env-file", str(path), "--", *child), marker, "JUST_A_NAME has no '='")


def test_undecodable_bytes_before_the_double_dash_are_still_refused(cli: Any, child: list[str], marker: Path) -> None:
    undecodable = b"A=agentcore://api-key/\xff".decode("utf-8", "surrogateescape")
    _refused(cli("run", "--env", undecodable, "--", *child), marker, "not UTF-8")


def test_help_shows_the_options_and_runs_nothing(cli: Any, marker: Path) -> None:
    result = cli("run", "--help")
    assert result.exit_code == 0
    for flag in ("--env", "--env-file", "--no-masking"):
        assert flag in result.stdout
    assert not marker.exists()
