"""Help as the AWS CLI and gh give it: `help`, `help COMMAND`, `COMMAND help`; names never cut; colour only
where it may go; did-you-mean for a mistyped flag after the command name.

The pages of the whole command tree are read from a pseudo-terminal of 80 and of 120 columns,
which is what a user sees.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator

import pytest
import typer

from agentcore_identity_cli.cli.app import load_commands
from agentcore_identity_cli.cli.globalopts import GLOBAL_OPTIONS
from agentcore_identity_cli.cli.root import app
from tests.conftest import run_process

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PAGE = re.compile(r"^@@@PAGE (.*)$", re.M)
# Runs in the process on the terminal: every page, one after the other, between markers.
DRIVER = """
import json, sys
from agentcore_identity_cli.cli.app import main
for path in json.loads(sys.argv[1]):
    print("@@@PAGE " + " ".join(path), flush=True)
    code = main([*path, *sys.argv[2:]])
    sys.stdout.flush()
    print(f"@@@EXIT {code}", flush=True)
"""


def _tree() -> Iterator[tuple[list[str], object]]:
    load_commands(None)
    root = typer.main.get_command(app)

    def walk(command: object, path: list[str]) -> Iterator[tuple[list[str], object]]:
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    yield from walk(root, [])


def _on_terminal(argv: list[str], *, columns: int, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run `python ARGV...` with stdin and stdout on a `columns`-wide pseudo-terminal; stderr is a pipe."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    full_env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    full_env.update({"TERM": "xterm-256color", **(env or {})})
    proc = subprocess.Popen([sys.executable, *argv], stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=full_env)
    os.close(slave)
    assert proc.stderr is not None
    screen, errors = b"", b""
    fds = {master, proc.stderr.fileno()}
    deadline = time.monotonic() + 120
    while fds and time.monotonic() < deadline:
        for fd in select.select(list(fds), [], [], 0.1)[0]:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the process closed the terminal
                chunk = b""
            if not chunk:
                fds.discard(fd)
            elif fd == master:
                screen += chunk
            else:
                errors += chunk
        if proc.poll() is not None and master in fds and not select.select([master], [], [], 0.2)[0]:
            break
    if proc.poll() is None:
        proc.kill()
    code = proc.wait(timeout=10)
    os.close(master)
    proc.stderr.close()
    return code, screen.decode(errors="replace").replace("\r\n", "\n"), errors.decode(errors="replace")


def _pages(text: str) -> dict[str, str]:
    parts = PAGE.split(text)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def _has_word(page: str, name: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", page) is not None


# --- every page, at 80 and 120 columns -----------------------------------------------------


@pytest.mark.parametrize("columns", [80, 120])
def test_every_page_shows_every_flag_and_command_name_whole(columns: int) -> None:
    tree = list(_tree())
    paths = [path for path, _ in tree]
    code, screen, errors = _on_terminal(["-c", DRIVER, json.dumps(paths), "--help"], columns=columns)
    assert code == 0, errors
    assert errors == ""
    pages = _pages(screen)
    assert len(pages) == len(tree)
    for path, command in tree:
        raw = pages[" ".join(path)]
        assert "@@@EXIT 0" in raw, (path, raw)
        page = ANSI.sub("", raw.split("@@@EXIT")[0])
        where = " ".join(path) or "(root)"
        assert "\x1b[1mUSAGE\x1b[0m" in raw, f"{where}: no bold headings on a colour terminal"
        assert "…" not in page and "<bool>" not in page and "<str>" not in page, where
        longest = max(len(line) for line in page.splitlines())
        assert longest <= columns, f"{where}: a line of {longest} columns on a {columns}-column terminal"
        for param in command.params:  # type: ignore[attr-defined]
            if getattr(param, "hidden", False) or param.param_type_name == "argument":
                continue
            for name in (*param.opts, *param.secondary_opts):
                assert _has_word(page, name), f"{where}: {name} is missing or cut at {columns} columns"
        for name, sub in getattr(command, "commands", {}).items():
            if not getattr(sub, "hidden", False):
                assert _has_word(page, name), f"{where}: command {name} is missing or cut"
        if path:
            for name in GLOBAL_OPTIONS:
                assert _has_word(page, name), f"{where}: the global flag {name} is not listed"


def test_a_switch_shows_no_value_and_its_negation_whole() -> None:
    code, screen, _ = _on_terminal(["-m", "agentcore_identity_cli", "get-resource-oauth2-token", "--help"], columns=80)
    assert code == 0
    page = ANSI.sub("", screen)
    assert "  --force-authentication | --no-force-authentication\n" in page
    assert "  --resource-credential-provider-name string\n" in page
    assert re.search(r"^  --scopes strings +Scopes", page, re.M)
    assert re.search(r"^  --no-verify-ssl +Do not verify", page, re.M)


# --- colour ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "flags"),
    [({"NO_COLOR": "1"}, []), ({}, ["--no-color"]), ({}, ["--color", "off"])],
    ids=["NO_COLOR", "--no-color", "--color-off"],
)
def test_no_escape_codes_with_no_color(env: dict[str, str], flags: list[str]) -> None:
    for words in (["audit", "list", "--help"], ["help"], ["get-token-vault", "help"]):
        code, screen, errors = _on_terminal(["-m", "agentcore_identity_cli", *flags, *words], columns=80, env=env)
        assert code == 0, errors
        assert "USAGE" in screen
        assert "\x1b" not in screen, words


def test_no_escape_codes_when_stdout_is_not_a_terminal() -> None:
    result = run_process("audit", "list", "--help", env={"TERM": "xterm-256color", "COLUMNS": "80"})
    assert result.exit_code == 0
    assert "USAGE" in result.stdout
    assert "\x1b" not in result.stdout


def test_color_on_colours_help_even_in_a_pipe() -> None:
    result = run_process("--color", "on", "audit", "list", "--help", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "\x1b[1mUSAGE\x1b[0m" in result.stdout


def test_headings_are_bold_on_a_colour_terminal() -> None:
    code, screen, _ = _on_terminal(["-m", "agentcore_identity_cli", "vault", "--help"], columns=80)
    assert code == 0
    assert "\x1b[1mCOMMANDS\x1b[0m" in screen


# --- the help words -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "same_as"),
    [
        (["help"], ["--help"]),
        (["help", "get-api-key-credential-provider"], ["get-api-key-credential-provider", "--help"]),
        (["get-api-key-credential-provider", "help"], ["get-api-key-credential-provider", "--help"]),
        (["get-api-key-credential-provider", "--name", "x", "help"], ["get-api-key-credential-provider", "--help"]),
        (["help", "audit"], ["audit", "--help"]),
        (["audit", "help"], ["audit", "--help"]),
        (["help", "audit", "list"], ["audit", "list", "--help"]),
        (["audit", "list", "help"], ["audit", "list", "--help"]),
        (["--output", "json", "help", "vault"], ["vault", "--help"]),
        (["token", "help"], ["token", "--help"]),
        (["get-api-key-credential-provider", "-h"], ["get-api-key-credential-provider", "--help"]),
    ],
)
def test_help_words_show_the_page_of_the_command(cli, words: list[str], same_as: list[str]) -> None:
    result = cli(*words)
    expected = cli(*same_as)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == expected.stdout
    assert result.stdout.startswith(expected.stdout.splitlines()[0])
    assert "USAGE" in result.stdout


def test_help_page_names_the_command_in_its_usage(cli) -> None:
    page = cli("help", "audit", "list").stdout
    assert "USAGE\n  agentcore-identity audit list [flags]\n" in page
    page = cli("get-api-key-credential-provider", "help").stdout
    assert "USAGE\n  agentcore-identity get-api-key-credential-provider --name string [flags]\n" in page


def test_help_as_an_options_value_is_a_value(cli) -> None:
    created = cli("create-workload-identity", "--name", "help", "--output", "json")
    assert created.exit_code == 0, created.stderr
    assert created.json()["name"] == "help"
    shown = cli("get-workload-identity", "--name", "help", "--output", "json")
    assert shown.exit_code == 0
    assert shown.json()["name"] == "help"


def test_help_among_a_list_options_values_is_a_value(cli) -> None:
    result = cli(
        "create-workload-identity",
        "--name",
        "agent",
        "--allowed-resource-oauth2-return-urls",
        "https://a.example/cb",
        "help",
    )
    assert "USAGE" not in result.stdout


def test_help_after_double_dash_is_an_argument(cli) -> None:
    result = cli("api-key", "--", "help")
    assert "USAGE" not in result.stdout
    assert result.exit_code != 0
    assert "help" in result.stderr


def test_help_for_an_unknown_command_suggests_the_near_one(cli) -> None:
    result = cli("help", "get-tokn-vault")
    assert result.exit_code == 252
    assert "No such command 'get-tokn-vault'" in result.stderr
    assert "get-token-vault" in result.stderr
    nested = cli("help", "audit", "lst")
    assert nested.exit_code == 252
    assert "Did you mean 'list'?" in nested.stderr


def test_no_command_prints_the_page_on_stderr_with_the_usage_exit_code(cli) -> None:
    result = cli()
    assert result.exit_code == 252
    assert result.stdout == ""
    assert "USAGE\n  agentcore-identity <command> [flags]" in result.stderr


def test_root_page_groups_commands_by_service(cli) -> None:
    page = cli("help").stdout
    control = page.index("CONTROL PLANE COMMANDS (aws bedrock-agentcore-control)")
    data = page.index("DATA PLANE COMMANDS (aws bedrock-agentcore)")
    more = page.index("MORE COMMANDS")
    assert control < page.index("  get-token-vault ") < data < page.index("  get-workload-access-token-for-jwt") < more
    assert more < page.index("  login ")
    assert "Use 'agentcore-identity help <command>'" in page


# --- did-you-mean after the command name ----------------------------------------------------


def test_mistyped_global_flag_after_the_command_suggests_it(cli) -> None:
    result = cli("get-token-vault", "--outptu", "json")
    assert result.exit_code == 252
    assert "No such option: --outptu" in result.stderr
    assert "--output" in result.stderr
    before = cli("--outptu", "json", "get-token-vault")
    assert before.exit_code == 252
    assert "--output" in before.stderr


def test_mistyped_flag_of_a_nested_command_suggests_it(cli) -> None:
    result = cli("audit", "list", "--sinse", "1d")
    assert result.exit_code == 252
    assert "--since" in result.stderr


def test_mistyped_tls_flag_after_the_command_suggests_it(cli) -> None:
    result = cli("get-token-vault", "--no-verify-sll")
    assert result.exit_code == 252
    assert "--no-verify-ssl" in result.stderr
