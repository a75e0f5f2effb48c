"""Exit codes, error lines, --debug, and the behaviour at a real terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_process
from tests.terminal_support import answer_prompts


def test_unknown_command_and_flag_exit_252(cli):
    assert cli("create-api-key-credential-providr").exit_code == 252
    result = cli("list-workload-identities", "--bogus")
    assert result.exit_code == 252
    assert "No such option: --bogus" in result.stderr


def test_missing_required_flag_exits_252(cli):
    result = cli("get-workload-identity")
    assert result.exit_code == 252
    assert "--name" in result.stderr


def test_version_prints_and_exits_0(cli):
    from agentcore_identity_cli import __version__

    result = run_process("--version")
    assert (result.exit_code, result.stdout.strip()) == (0, f"agentcore-identity {__version__}")


def test_service_error_has_no_traceback_but_debug_shows_one(cli):
    plain = run_process("get-workload-identity", "--name", "missing")
    assert plain.exit_code == 254
    assert "Traceback" not in plain.stderr
    assert plain.stderr.strip().startswith("An error occurred (ResourceNotFoundException)")
    debug = run_process("get-workload-identity", "--name", "missing", "--debug")
    assert debug.exit_code == 254
    assert "Traceback" in debug.stderr


def test_debug_output_never_contains_the_secret(tmp_path: Path):
    secret = "sk-DEBUG-CANARY-42"
    result = run_process(
        "--debug", "create-api-key-credential-provider", "--name", "dbg", "--api-key", "-", input=secret
    )
    assert result.exit_code == 0
    assert secret not in result.stderr and secret not in result.stdout


def test_api_key_is_prompted_for_without_echo_on_a_terminal(home: Path):
    secret = "sk-TYPED-AT-PROMPT"
    code, screen = answer_prompts(
        ["create-api-key-credential-provider", "--name", "typed", "--output", "json"],
        [secret],
        {**os.environ},
    )
    assert code == 0, screen
    assert "API key:" in screen
    assert secret not in screen  # not echoed, and not printed back
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    backend = LocalBackend(home / "vault.db")
    assert backend.open_secret("apikey", "typed", "apiKey") == secret
    backend.close()


def test_table_is_the_default_on_a_terminal(home: Path):
    subprocess.run(
        [sys.executable, "-m", "agentcore_identity_cli", "create-workload-identity", "--name", "tty-agent"],
        check=True,
        capture_output=True,
    )
    code, screen = answer_prompts(["list-workload-identities"], [], {**os.environ, "NO_COLOR": "1"})
    assert code == 0
    assert "tty-agent" in screen
    assert "┃" in screen or "│" in screen
    assert "\x1b[" not in screen.replace("\x1b[?", "")  # no colour codes with NO_COLOR
