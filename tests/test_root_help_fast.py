"""The root help page answered before Typer is imported (cli/entry.py, cli/roothelp.py).

`--help`, `-h` and `help` alone print the page from generated content; it must be the page the
full command line (cli/app.py's main()) prints, byte for byte, at every width and colour.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_help import _on_terminal

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "agentcore_identity_cli" / "cli" / "roothelp.py"
HELP_ALONE = ["--help", "-h", "help"]
WIDTHS = [40, 80, 100, 140]
# The full command line, whatever the arguments: main() itself, never entry.py's shortcut.
GENERATE = (
    "import sys; from agentcore_identity_cli.cli.help import root_help_module, root_page; "
    "sys.stdout.write(root_help_module(root_page()))"
)
FULL = ["-c", "import sys; from agentcore_identity_cli.cli.app import main; sys.exit(main(sys.argv[1:]))"]


def _console_script() -> list[str]:
    """The installed console script, run by this Python; `-m` (the same entry.run) without one."""
    script = Path(sys.executable).with_name("agentcore-identity")
    return [str(script)] if script.is_file() else ["-m", "agentcore_identity_cli"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    return {**env, **extra}


def _run(argv: list[str], env: dict[str, str], **streams: object) -> subprocess.CompletedProcess[bytes]:
    """Run `python ARGV...`; stdout and stderr captured unless `streams` says otherwise."""
    options: dict[str, object] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **streams}
    return subprocess.run([sys.executable, *argv], env=env, timeout=120, check=False, **options)


def test_generated_root_help_is_current() -> None:
    # In a process of its own, as the generator runs: the page lists the commands in the order
    # their modules register them, which other tests' in-process runs would change here.
    made = _run(["-c", GENERATE], _env())
    assert made.returncode == 0, made.stderr.decode()
    expected = made.stdout
    assert GENERATED.read_bytes() == expected, (
        "agentcore_identity_cli/cli/roothelp.py is stale: run python scripts/generate_completions.py"
    )


@pytest.mark.parametrize("word", HELP_ALONE)
@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("no_color", [None, "1"])
def test_fast_page_is_the_full_page_in_a_pipe(word: str, columns: int, no_color: str | None) -> None:
    env = _env(COLUMNS=str(columns), **({"NO_COLOR": no_color} if no_color else {}))
    fast = _run([*_console_script(), word], env)
    full = _run([*FULL, word], env)
    assert (fast.returncode, fast.stderr) == (full.returncode, full.stderr) == (0, b"")
    assert fast.stdout == full.stdout
    assert b"CONTROL PLANE COMMANDS" in fast.stdout and b"\x1b[" not in fast.stdout


@pytest.mark.parametrize("word", HELP_ALONE)
@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("no_color", [None, "1"])
def test_fast_page_is_the_full_page_on_a_terminal(word: str, columns: int, no_color: str | None) -> None:
    env = {"NO_COLOR": no_color} if no_color else {}
    fast = _on_terminal([*_console_script(), word], columns=columns, env=env)
    full = _on_terminal([*FULL, word], columns=columns, env=env)
    assert fast == full
    assert fast[0] == 0 and fast[2] == ""
    assert ("\x1b[1mUSAGE\x1b[0m" in fast[1]) is (no_color is None)


def test_fast_page_imports_neither_typer_nor_the_commands() -> None:
    result = _run(["-X", "importtime", *_console_script(), "--help"], _env())
    assert result.returncode == 0 and b"GLOBAL FLAGS" in result.stdout
    # importtime's lines: "import time: self | cumulative | module", the module indented by depth.
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.decode().splitlines() if "|" in line}
    heavy = {name for name in imported if name.split(".")[0] in ("typer", "click", "rich", "pydantic")}
    assert not heavy
    assert "agentcore_identity_cli.cli.roothelp" in imported
    assert "agentcore_identity_cli.cli.app" not in imported and "agentcore_identity_cli.cli.help" not in imported


def test_anything_more_on_the_line_takes_the_full_way() -> None:
    result = _run(["-X", "importtime", *_console_script(), "--help", "--no-color"], _env())
    assert result.returncode == 0 and b"GLOBAL FLAGS" in result.stdout
    assert b"agentcore_identity_cli.cli.app" in result.stderr


def _closed_pipe() -> int:
    """The write end of a pipe nobody reads any more."""
    read, write = os.pipe()
    os.close(read)
    return write


@pytest.mark.parametrize("word", HELP_ALONE)
def test_a_closed_pipe_ends_as_on_the_full_way(word: str) -> None:
    results = []
    for argv in ([*_console_script(), word], [*FULL, word]):
        write = _closed_pipe()
        try:
            results.append(_run(argv, _env(), stdout=write))
        finally:
            os.close(write)
    fast, full = results
    assert (fast.returncode, fast.stderr) == (full.returncode, full.stderr)
    assert b"Traceback" not in fast.stderr


def test_a_closed_stdout_ends_as_on_the_full_way() -> None:
    def close_stdout() -> None:
        os.close(1)

    fast, full = (
        _run(argv, _env(), stdout=None, preexec_fn=close_stdout)
        for argv in ([*_console_script(), "--help"], [*FULL, "--help"])
    )
    assert (fast.returncode, fast.stderr) == (full.returncode, full.stderr)
    assert b"Traceback" not in fast.stderr
