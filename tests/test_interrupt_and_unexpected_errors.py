"""Exit 130 for Ctrl-C and 255 for anything unforeseen, from real processes, with no traceback
and no secret in what the user sees (a traceback only with --debug, and still no secret)."""
# ruff: noqa: F811 - the fixtures are imported from tests/oauth_server.py

from __future__ import annotations

import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.oauth_server import AuthServer, create_provider, oauth_server  # noqa: F401

API_KEY = "sk-NEVER-SHOWN-0123456789"


def _read_until(fd: int, text: bytes | None, seen: bytes = b"", timeout: float = 30) -> bytes:
    """Read `fd` until `text` has appeared, or (text None) until the other end closes; all that was read."""
    deadline = time.monotonic() + timeout
    while text is None or text not in seen:
        assert time.monotonic() < deadline, f"{text!r} never appeared in {seen!r}" if text else "still open"
        ready, _, _ = select.select([fd], [], [], 0.1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child is gone (EIO on a pty)
            break
        if not chunk:
            break
        seen += chunk
    return seen


def _ctrl_c_as_at_a_terminal() -> None:
    """SIGINT's default action in the child, as a shell gives a command it runs in the foreground.

    A test run started in the background of a script (`pytest &`) ignores SIGINT, as POSIX shells
    make such jobs do, and a child inherits that: Python would then never raise KeyboardInterrupt.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _on_a_terminal(args: list[str]) -> tuple[int, int]:
    """The CLI with a pseudo-terminal as its controlling terminal: (pid, the terminal's master end)."""
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        _ctrl_c_as_at_a_terminal()
        os.execve(sys.executable, [sys.executable, "-m", "agentcore_identity_cli", *args], dict(os.environ))
    return pid, fd


def _exit_code(pid: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    raise AssertionError("the CLI did not exit after Ctrl-C")


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text and "KeyboardInterrupt" not in text and "Error" not in text, text


def test_ctrl_c_at_a_hidden_prompt_exits_130_with_nothing_stored_or_shown(cli):
    pid, fd = _on_a_terminal(["create-api-key-credential-provider", "--name", "typed"])
    screen = _read_until(fd, b"API key:")
    os.write(fd, API_KEY.encode())  # typed, not yet entered
    os.write(fd, b"\x03")  # Ctrl-C, turned into SIGINT by the terminal
    screen = _read_until(fd, None, screen)
    code = _exit_code(pid)
    os.close(fd)
    after = screen.decode(errors="replace").split("API key:", 1)[1]
    assert code == 130, screen
    assert after == " \r\n"  # the line of the prompt ended, as the AWS CLI does, and nothing else
    assert API_KEY not in screen.decode(errors="replace")
    assert cli("list-api-key-credential-providers").json() == {"credentialProviders": []}


def _login(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "agentcore_identity_cli", "login", "corp", *args],
        stdin=subprocess.PIPE,  # kept open: a --no-browser login reads a pasted address from it
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
        preexec_fn=_ctrl_c_as_at_a_terminal,
    )


def _stderr_until(proc: subprocess.Popen[str], text: str) -> str:
    assert proc.stderr is not None
    seen = _read_until(proc.stderr.fileno(), text.encode())
    return seen.decode()


@pytest.mark.parametrize(
    ("args", "waiting_for"),
    [(["--no-browser"], "Then paste here"), (["--device"], "one-time code")],
    ids=["loopback-redirect", "device-code"],
)
def test_sigint_while_login_waits_exits_130_and_stores_nothing(
    cli, oauth_server: AuthServer, args: list[str], waiting_for: str
):
    create_provider(cli, oauth_server)
    proc = _login(args)
    shown = _stderr_until(proc, waiting_for)
    time.sleep(0.3)  # well into the wait
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    screen = shown + err
    assert proc.returncode == 130, screen
    assert out == ""
    _no_traceback(screen)
    assert screen == screen.rstrip("\n") + "\n\n"  # the instructions' last line, then the line Ctrl-C ends
    assert oauth_server.stats["token:authorization_code"] == 0
    assert cli("token", "corp", "--oauth2-flow", "USER_FEDERATION").exit_code == 254  # no login was kept
    redirect = re.search(r"redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A(\d+)", shown)
    if redirect:  # the loopback listener is closed with the process
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", int(redirect[1])), timeout=5)


# --- 255 -------------------------------------------------------------------------------


@pytest.fixture
def workload_token(cli) -> str:
    assert cli("create-workload-identity", "--name", "agent").exit_code == 0
    created = cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input=API_KEY)
    assert created.exit_code == 0, created.stderr
    token = cli("get-workload-access-token", "--workload-name", "agent", "--query", "workloadAccessToken")
    return str(token.json())


API_KEY_ARGS = ("--resource-credential-provider-name", "openai", "--workload-identity-token", "-")


def _api_key_to_a_full_disk(token: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """get-resource-api-key with the token on stdin and stdout on a device that is always full."""
    with open("/dev/full", "w") as full:
        return subprocess.run(
            [sys.executable, "-m", "agentcore_identity_cli", *extra, "get-resource-api-key", *API_KEY_ARGS],
            input=token,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            # Buffered stdout, as users have it (PYTHONUNBUFFERED would write at once).
            env={key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"},
            timeout=60,
            check=False,
        )


def test_an_unforeseen_failure_exits_255_with_one_line_and_a_hint(workload_token: str):
    result = _api_key_to_a_full_disk(workload_token)
    assert result.returncode == 255
    assert result.stderr == (
        "\nAn unexpected error occurred: OSError: [Errno 28] No space left on device\n"
        "Hint: run again with --debug for details\n"
    )


def test_debug_shows_the_traceback_of_an_unforeseen_failure_but_no_secret(workload_token: str):
    result = _api_key_to_a_full_disk(workload_token, "--debug")
    assert result.returncode == 255
    # The debug log comes first (docs/usage.md: what --debug logs), then the traceback.
    assert "\nTraceback (most recent call last):" in result.stderr
    assert result.stderr.endswith("\nAn unexpected error occurred: OSError: [Errno 28] No space left on device\n")
    assert "Hint: run again with --debug" not in result.stderr  # no hint to do what was done
    for secret in (API_KEY, workload_token, *workload_token.split(".")):
        assert secret not in result.stderr


def test_an_exception_inside_the_vault_exits_255_and_shows_no_secret_even_with_debug(
    cli, monkeypatch: pytest.MonkeyPatch
):
    """A failure where every frame of the stack still holds the secret read from stdin."""
    from agentcore_identity_cli.backends.local import crypto

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("the cipher is not available")

    # Only the cipher is patched back afterwards: monkeypatch.undo() would also undo the test's
    # own vault home, and the listing below would read the real vault of whoever runs the tests.
    with monkeypatch.context() as patch:
        patch.setattr(crypto, "seal", broken)
        for extra in ((), ("--debug",)):
            result = cli(*extra, "create-api-key-credential-provider", "--name", "p", "--api-key", "-", input=API_KEY)
            assert result.exit_code == 255
            assert "An unexpected error occurred: RuntimeError: the cipher is not available" in result.stderr
            assert ("Traceback (most recent call last)" in result.stderr) == bool(extra)
            assert API_KEY not in result.stderr and result.stdout == ""
    assert cli("list-api-key-credential-providers").json() == {"credentialProviders": []}


# --- what once ended in 255 and is now a clean 252 ----------------------------------------


CREATE_ARGS = ("--name", "p", "--api-key", "-")


@pytest.mark.parametrize("stdin_errors", ["surrogateescape", "strict"])
def test_a_secret_on_stdin_that_is_not_utf8_exits_252_without_echoing_it(home: Path, stdin_errors: str):
    """Python reads stdin with surrogateescape under a C or POSIX locale, strictly under others."""
    secret = b"sk-SECRET-\xff\xfe-TAIL"
    result = subprocess.run(
        [sys.executable, "-m", "agentcore_identity_cli", "create-api-key-credential-provider", *CREATE_ARGS],
        input=secret,
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": f"utf-8:{stdin_errors}"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 252, result.stderr
    assert result.stderr.decode() == "\nError parsing parameter '--api-key': standard input is not UTF-8 text\n"
    assert not (home / "vault.db").exists() or b"SECRET" not in (home / "vault.db").read_bytes()


ENTRY = "from agentcore_identity_cli.cli.entry import run; run()"


def test_ctrl_c_while_the_command_line_is_still_being_built_exits_130_without_a_traceback(home: Path):
    """Importing Typer and rich takes a moment; a Ctrl-C then is an interruption like any other.

    The child starts as the console script does (pyproject.toml: cli.entry:run), with a line that
    Typer reads (a pagination option: cli/fastpath.py leaves it to Typer). The signal is sent at
    moments spread over start-up, after the interpreter's own start (its first milliseconds are
    Python's, not this tool's).
    """
    interrupted = 0
    for delay in (0.03, 0.05, 0.08, 0.12, 0.18, 0.25):
        proc = subprocess.Popen(
            [sys.executable, "-c", ENTRY, "list-workload-identities", "--page-size", "5"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "AGENTCORE_IDENTITY_HOME": str(home)},
            preexec_fn=_ctrl_c_as_at_a_terminal,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert "Traceback" not in err, (delay, err)
        # 0: it had finished; -2: the signal came as the interpreter was shutting down.
        assert proc.returncode in (130, 0, -signal.SIGINT), (delay, proc.returncode, err)
        interrupted += proc.returncode == 130
    assert interrupted, "no signal landed while the command was starting or running"
