"""Exit codes, error lines, --debug, and the behaviour at a real terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import run_process


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


def _run_in_pty(args: list[str], answers: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run the CLI on a pseudo-terminal, typing each answer when a prompt appears."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI with the pty as its terminal
        os.execve(sys.executable, [sys.executable, "-m", "agentcore_identity_cli", *args], env)
    seen = b""
    pending = list(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if pending and seen.rstrip().endswith(b":"):
                os.write(fd, pending.pop(0).encode() + b"\r")
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


def test_api_key_is_prompted_for_without_echo_on_a_terminal(home: Path):
    secret = "sk-TYPED-AT-PROMPT"
    code, screen = _run_in_pty(
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
    code, screen = _run_in_pty(["list-workload-identities"], [], {**os.environ, "NO_COLOR": "1"})
    assert code == 0
    assert "tty-agent" in screen
    assert "┃" in screen or "│" in screen
    assert "\x1b[" not in screen.replace("\x1b[?", "")  # no colour codes with NO_COLOR
