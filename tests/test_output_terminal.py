"""What a person at a terminal sees: tables fitted to its width, colour, and the pager.

The CLI runs as its own process with stdin and stdout on a pseudo-terminal of a chosen size
(tests/terminal_support.py); stderr is a pipe of its own. The pager behaves as AWS CLI v2's
(awscli/utils.py OutputStreamFactory, LazyPager): only when stdout is a terminal and a pager is
configured (AWS_PAGER, else the profile's cli_pager; unlike v2, no default pager), started on
the first write, with LESS=FRX when LESS is unset, and a pager closed early is no error.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_process
from tests.terminal_support import run_on_terminal

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
WI_ARN = "arn:aws:bedrock-agentcore:local:000000000000:workload-identity-directory/default/workload-identity/"
# A pager that shows what it was given between two markers, and the LESS it was started with.
RECORDING_PAGER = 'sh -c \'printf "PAGER-START LESS=[%s]\\n" "$LESS"; cat; echo PAGER-END\''


def _plain(screen: str) -> str:
    return ANSI.sub("", screen)


def _workloads(cli: Any, *names: str) -> None:
    for name in names:
        assert cli("create-workload-identity", "--name", name).exit_code == 0


def _api_key(cli: Any, name: str) -> None:
    result = cli("create-api-key-credential-provider", "--name", name, "--api-key", "-", input="sk-1")
    assert result.exit_code == 0, result.stderr


def _marker_pager(tmp_path: Path) -> tuple[str, Path]:
    """A pager that leaves a file behind when it is started."""
    marker = tmp_path / "pager-started"
    return f"sh -c 'touch {shlex.quote(str(marker))}; cat'", marker


# --- tables at the terminal's width --------------------------------------------------------


def test_table_fits_an_80_column_terminal_and_says_on_stderr_what_it_left_out(cli):
    _api_key(cli, "search-" + "x" * 40)
    result = run_on_terminal("list-api-key-credential-providers", "--output", "table", columns=80)
    assert result.exit_code == 0, result.stderr
    lines = _plain(result.stdout).splitlines()
    assert lines and max(len(line) for line in lines) <= 80, result.stdout
    assert sum(line.count("x") for line in lines) == 40  # the name folded, not cut
    assert "credentialProviderArn" not in result.stdout
    assert result.stderr == "credentialProviderArn not shown at this width: use --output json\n"


def test_table_on_a_wide_terminal_shows_every_column_and_no_note(cli):
    _api_key(cli, "search-" + "x" * 40)
    result = run_on_terminal("list-api-key-credential-providers", "--output", "table", columns=250)
    assert result.exit_code == 0, result.stderr
    assert "credentialProviderArn" in result.stdout
    assert result.stderr == ""
    assert max(len(line) for line in _plain(result.stdout).splitlines()) <= 250


def test_table_is_the_default_on_a_terminal_titled_with_the_operation(cli):
    _workloads(cli, "agent-a")
    result = run_on_terminal("list-workload-identities", columns=200)
    assert result.exit_code == 0, result.stderr
    lines = [line.strip() for line in _plain(result.stdout).splitlines()]
    assert lines[:2] == ["ListWorkloadIdentities", "workloadIdentities"]
    assert any(f"agent-a │ {WI_ARN}agent-a" in line for line in lines)


# --- colour --------------------------------------------------------------------------------


def test_table_on_a_terminal_is_coloured(cli):
    _workloads(cli, "agent-a")
    assert ANSI.search(run_on_terminal("list-workload-identities").stdout)


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("--no-color",), {}),
        (("--color", "off"), {}),
        ((), {"NO_COLOR": "1"}),
        (("--color", "auto"), {"NO_COLOR": "1"}),
    ],
)
def test_colour_is_turned_off_on_a_terminal(cli, args, env):
    _workloads(cli, "agent-a")
    result = run_on_terminal("list-workload-identities", *args, env=env)
    assert result.exit_code == 0, result.stderr
    assert "agent-a" in result.stdout
    assert not ANSI.search(result.stdout), repr(result.stdout)


def test_color_on_wins_over_no_color(cli):
    _workloads(cli, "agent-a")
    assert ANSI.search(run_on_terminal("list-workload-identities", "--color", "on", env={"NO_COLOR": "1"}).stdout)


# --- the pager -----------------------------------------------------------------------------


def test_no_pager_unless_one_is_configured(cli):
    _workloads(cli, "agent-a")
    # PAGER alone is not enough: this tool runs a pager only when asked to (AWS_PAGER, cli_pager).
    result = run_on_terminal("list-workload-identities", env={"PAGER": RECORDING_PAGER})
    assert result.exit_code == 0, result.stderr
    assert "PAGER-START" not in result.stdout
    assert "agent-a" in result.stdout


def test_aws_pager_shows_the_output_with_less_set_to_frx(cli):
    _workloads(cli, "agent-a", "agent-b")
    result = run_on_terminal("list-workload-identities", "--output", "text", env={"AWS_PAGER": RECORDING_PAGER})
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "PAGER-START LESS=[FRX]\n"
        f"WORKLOADIDENTITIES\tagent-a\t{WI_ARN}agent-a\n"
        f"WORKLOADIDENTITIES\tagent-b\t{WI_ARN}agent-b\n"
        "PAGER-END\n"
    )


def test_a_less_already_set_is_kept(cli):
    _workloads(cli, "agent-a")
    result = run_on_terminal("list-workload-identities", env={"AWS_PAGER": RECORDING_PAGER, "LESS": "-S"})
    assert result.stdout.startswith("PAGER-START LESS=[-S]\n")


def test_the_table_reaches_the_pager_at_the_terminals_width_and_in_colour(cli):
    _api_key(cli, "search-" + "x" * 40)
    result = run_on_terminal("list-api-key-credential-providers", columns=80, env={"AWS_PAGER": RECORDING_PAGER})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("PAGER-START")
    assert ANSI.search(result.stdout)
    body = _plain(result.stdout).splitlines()[1:-1]
    assert max(len(line) for line in body) <= 80
    # What the table left out is said after the pager has ended, on stderr.
    assert result.stderr == "credentialProviderArn not shown at this width: use --output json\n"


def test_the_profiles_cli_pager_is_used_and_aws_pager_wins(cli):
    _workloads(cli, "agent-a")
    assert cli("configure", "set", "cli_pager", RECORDING_PAGER).exit_code == 0
    assert run_on_terminal("list-workload-identities").stdout.startswith("PAGER-START")
    other = "sh -c 'echo OTHER-PAGER; cat'"
    assert run_on_terminal("list-workload-identities", env={"AWS_PAGER": other}).stdout.startswith("OTHER-PAGER")


@pytest.mark.parametrize(("args", "env"), [(("--no-cli-pager",), {}), ((), {"AWS_PAGER": ""})])
def test_no_cli_pager_or_an_empty_aws_pager_turns_the_pager_off(cli, args, env):
    _workloads(cli, "agent-a")
    assert cli("configure", "set", "cli_pager", RECORDING_PAGER).exit_code == 0
    # --no-cli-pager beats AWS_PAGER and cli_pager; an empty AWS_PAGER beats cli_pager.
    result = run_on_terminal("list-workload-identities", *args, env={"AWS_PAGER": RECORDING_PAGER, **env})
    assert "PAGER-START" not in result.stdout
    assert "agent-a" in result.stdout


def test_no_pager_when_stdout_is_not_a_terminal(cli, tmp_path: Path):
    _workloads(cli, "agent-a")
    pager, marker = _marker_pager(tmp_path)
    result = run_process("list-workload-identities", env={"AWS_PAGER": pager})
    assert result.exit_code == 0, result.stderr
    assert result.json()["workloadIdentities"][0]["name"] == "agent-a"
    assert not marker.exists()


def test_nothing_to_print_starts_no_pager(cli, tmp_path: Path):
    _workloads(cli, "agent-a")
    pager, marker = _marker_pager(tmp_path)
    result = run_on_terminal("delete-workload-identity", "--name", "agent-a", env={"AWS_PAGER": pager})
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert not marker.exists()
    run_on_terminal("list-workload-identities", env={"AWS_PAGER": pager})
    assert marker.exists()


def test_a_pager_that_cannot_be_started_exits_253(cli):
    _workloads(cli, "agent-a")
    result = run_on_terminal("list-workload-identities", env={"AWS_PAGER": "/nonexistent/pager -R"})
    assert result.exit_code == 253
    assert "Unable to redirect output to pager. Received the following error when opening pager:" in result.stderr
    assert "/nonexistent/pager" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_pager_left_before_the_end_is_no_error(cli):
    for i in range(120):
        _api_key(cli, f"provider-{i:03d}")
    # The pager reads one line and goes, as a user pressing q on the first screen.
    result = run_on_terminal("list-api-key-credential-providers", "--output", "text", env={"AWS_PAGER": "head -n 1"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("CREDENTIALPROVIDERS\t")
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr == ""


@pytest.mark.skipif(shutil.which("less") is None, reason="less is not installed (.ci/run installs it)")
def test_less_as_the_pager_shows_a_short_output_and_quits(cli):
    _workloads(cli, "agent-a")
    result = run_on_terminal("list-workload-identities", "--output", "text", env={"AWS_PAGER": "less"}, timeout=30)
    assert result.exit_code == 0, result.stderr
    # LESS=FRX: one screen's worth is shown and less quits by itself, the screen left as it is
    # (less expands the tabs and wraps the line at the terminal's width).
    shown = re.sub(r"\s+", "", _plain(result.stdout).replace("\x08", ""))
    assert f"WORKLOADIDENTITIESagent-a{WI_ARN}agent-a" in shown


def test_the_aws_profiles_cli_pager_applies_on_the_aws_backend(cli, home: Path, monkeypatch: pytest.MonkeyPatch):
    from tests.aws_wire_server import ACCESS_KEY, SECRET_KEY, WireServer

    (home.parent / "aws-config").write_text(f"[default]\ncli_pager = {RECORDING_PAGER}\n")
    env = {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "1",
    }
    with WireServer(items=2) as server:
        args = ("--backend", "aws", "--region", "us-east-1", "--endpoint-url", server.url, "get-token-vault")
        result = run_on_terminal(*args, "--output", "json", env=env)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith("PAGER-START LESS=[FRX]\n{")
        local = run_on_terminal("get-token-vault", "--output", "json")
        assert not local.stdout.startswith("PAGER-START")  # not on the local backend
