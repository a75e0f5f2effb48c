"""`run -- CMD`: secrets from references in a real child's environment, masked in its output.

Every test here starts real processes: the CLI itself (`python -m agentcore_identity_cli`)
and the program it runs, with real pipes, terminals (pty) and signals.
"""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.run_support import (
    API_KEY,
    CLI,
    MASK,
    add_api_key,
    read_until,
    run_cli,
    script,
    sha256,
    start_cli,
)

PRINT_KEY = "import os; print(os.environ['OPENAI_API_KEY'])"
HASH_KEY = "import hashlib, os; print(hashlib.sha256(os.environ['OPENAI_API_KEY'].encode()).hexdigest())"


@pytest.fixture
def openai(cli: Any) -> None:
    add_api_key(cli)


@pytest.fixture
def env_file(tmp_path: Path) -> Path:
    path = tmp_path / ".env.agentcore"
    path.write_text("# committed: no secret in here\nOPENAI_API_KEY=agentcore://api-key/openai\nMODEL=gpt-4o\n")
    return path


# --- the "done when" ------------------------------------------------------------------


def test_env_file_key_reaches_the_child_and_its_output_shows_the_mask(openai: None, env_file: Path) -> None:
    printed = run_cli("run", "--env-file", str(env_file), "--", sys.executable, "-c", PRINT_KEY)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.decode() == MASK + "\n"
    assert API_KEY.encode() not in printed.stdout + printed.stderr
    hashed = run_cli("run", "--env-file", str(env_file), "--", sys.executable, "-c", HASH_KEY)
    assert hashed.returncode == 0, hashed.stderr
    assert hashed.stdout.decode().strip() == sha256(API_KEY)  # the child really had the key


def test_plain_values_of_the_env_file_pass_through_unmasked(openai: None, env_file: Path) -> None:
    result = run_cli(
        "run", "--env-file", str(env_file), "--", sys.executable, "-c", "import os; print(os.environ['MODEL'])"
    )
    assert result.stdout == b"gpt-4o\n"


def test_a_reference_inherited_from_the_environment_is_resolved(openai: None) -> None:
    result = run_cli("run", "--", sys.executable, "-c", HASH_KEY, env={"OPENAI_API_KEY": "agentcore://api-key/openai"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().strip() == sha256(API_KEY)


def test_env_flag_wins_over_the_file_and_the_file_over_the_environment(cli: Any, tmp_path: Path) -> None:
    add_api_key(cli, "one", "key-one-1234567890")
    add_api_key(cli, "two", "key-two-1234567890")
    add_api_key(cli, "three", "key-three-123456789")
    (tmp_path / "a.env").write_text("A=agentcore://api-key/two\nB=agentcore://api-key/two\n")
    code = "import hashlib, os; print(*(hashlib.sha256(os.environ[n].encode()).hexdigest() for n in 'ABC'))"
    result = run_cli(
        "run", "--env-file", str(tmp_path / "a.env"), "--env", "A=agentcore://api-key/three",
        "--", sys.executable, "-c", code,
        env={"A": "agentcore://api-key/one", "B": "agentcore://api-key/one", "C": "agentcore://api-key/one"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().split() == [
        sha256("key-three-123456789"),
        sha256("key-two-1234567890"),
        sha256("key-one-1234567890"),
    ]


# --- masking ----------------------------------------------------------------------------------

BYTE_BY_BYTE = """
import os, sys
key = os.environ["OPENAI_API_KEY"].encode()
for fd in (1, 2):
    for byte in b"before " + key + b" after\\n":
        os.write(fd, bytes([byte]))
"""


def test_a_secret_written_one_byte_at_a_time_is_masked_on_stdout_and_stderr(openai: None, tmp_path: Path) -> None:
    child = script(tmp_path, "bytes.py", BYTE_BY_BYTE)
    result = run_cli("run", "--env", "OPENAI_API_KEY=agentcore://api-key/openai", "--", sys.executable, child)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == f"before {MASK} after\n"
    assert result.stderr.decode() == f"before {MASK} after\n"


LONG_LINE = """
import os, sys
key = os.environ["OPENAI_API_KEY"]
sys.stdout.write("x" * 1_000_000 + key + "y" * 1_000_000 + key)
sys.stdout.write("\\n" + key[:5] + " is only the start\\n")
"""


def test_a_secret_in_the_middle_of_a_long_line_is_masked(openai: None, tmp_path: Path) -> None:
    child = script(tmp_path, "long.py", LONG_LINE)
    result = run_cli("run", "--env", "OPENAI_API_KEY=agentcore://api-key/openai", "--", sys.executable, child)
    assert result.returncode == 0, result.stderr
    expected = "x" * 1_000_000 + MASK + "y" * 1_000_000 + MASK + "\n" + API_KEY[:5] + " is only the start\n"
    assert result.stdout.decode() == expected


def test_no_masking_passes_the_secret_through(openai: None) -> None:
    result = run_cli(
        "run",
        "--no-masking",
        "--env",
        "OPENAI_API_KEY=agentcore://api-key/openai",
        "--",
        sys.executable,
        "-c",
        PRINT_KEY,
    )
    assert result.stdout.decode() == API_KEY + "\n"


PROMPT = """
import sys
sys.stdout.write("Your name: ")
sys.stdout.flush()
name = sys.stdin.readline().strip()
print(f"hello {name}")
"""


def test_a_prompt_without_a_newline_is_shown_before_the_child_gets_input(openai: None, tmp_path: Path) -> None:
    child = script(tmp_path, "prompt.py", PROMPT)
    proc = start_cli(
        "run", "--env", "OPENAI_API_KEY=agentcore://api-key/openai", "--", sys.executable, child,
        stdin=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stdin is not None
    try:
        assert read_until(proc.stdout.fileno(), b"Your name: ", timeout=30) == b"Your name: "
        proc.stdin.write(b"ada\n")
        proc.stdin.close()
        assert proc.stdout.read() == b"hello ada\n"
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()


def test_the_child_reads_stdin_and_an_echoed_secret_is_masked(openai: None) -> None:
    code = "import sys; data = sys.stdin.read(); print(data.upper()); print(data)"
    result = run_cli(
        "run", "--env", "OPENAI_API_KEY=agentcore://api-key/openai", "--", sys.executable, "-c", code,
        input=f"lines from stdin\n{API_KEY}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == f"LINES FROM STDIN\n{API_KEY.upper()}\nlines from stdin\n{MASK}\n"


def _in_pty(argv: list[str]) -> tuple[int, int]:
    """Start argv as the session leader of a new terminal; (pid, the terminal's master side)."""
    pid, master = pty.fork()
    if pid == 0:  # the child: exec at once
        os.execve(argv[0], argv, dict(os.environ))
    return pid, master


def _drain_pty(pid: int, master: int, timeout: float = 30) -> tuple[bytes, int]:
    """All the terminal shows until the process ends; (output, exit code)."""
    import select

    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            seen += chunk
    else:
        os.kill(pid, signal.SIGKILL)  # still running: fail on its exit code, not by hanging the run
    _, status = os.waitpid(pid, 0)
    os.close(master)
    return seen, os.waitstatus_to_exitcode(status)


def test_the_terminal_is_the_childs_only_with_no_masking(openai: None) -> None:
    code = "import sys; print('tty' if sys.stdout.isatty() else 'pipe')"
    base = [*CLI, "run", "--env", "OPENAI_API_KEY=agentcore://api-key/openai"]
    output, code_masked = _drain_pty(*_in_pty([*base, "--", sys.executable, "-c", code]))
    assert code_masked == 0 and output.replace(b"\r", b"") == b"pipe\n"
    output, code_plain = _drain_pty(*_in_pty([*base, "--no-masking", "--", sys.executable, "-c", code]))
    assert code_plain == 0 and output.replace(b"\r", b"") == b"tty\n"


# --- exit codes and signals -------------------------------------------------------------------


@pytest.mark.parametrize("code", [0, 1, 3, 100, 254, 255])
def test_the_exit_code_is_the_childs(openai: None, code: int) -> None:
    result = run_cli(
        "run", "--env", "K=agentcore://api-key/openai", "--", sys.executable, "-c", f"raise SystemExit({code})"
    )
    assert result.returncode == code
    assert result.stderr == b""


def test_a_child_killed_by_a_signal_gives_128_plus_its_number(openai: None) -> None:
    code = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
    result = run_cli("run", "--env", "K=agentcore://api-key/openai", "--", sys.executable, "-c", code)
    assert result.returncode == 128 + signal.SIGKILL


def test_a_command_that_does_not_exist_exits_127_and_one_that_cannot_run_126(openai: None, tmp_path: Path) -> None:
    missing = run_cli("run", "--env", "K=agentcore://api-key/openai", "--", "no-such-command-4e1f")
    assert missing.returncode == 127
    assert missing.stderr.decode() == "agentcore-identity run: no-such-command-4e1f: command not found\n"
    not_executable = tmp_path / "plain.txt"
    not_executable.write_text("echo hi\n")
    refused = run_cli("run", "--", str(not_executable))
    assert refused.returncode == 126
    assert "permission denied" in refused.stderr.decode()


WAIT_FOR_SIGNALS = """
import os, signal, sys, time
# The wakeup fd gets one byte each time the C-level handler runs, so two deliveries of the
# same signal count twice even when Python calls its handler once for both.
read_end, write_end = os.pipe()
os.set_blocking(write_end, False)
signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1):
    signal.signal(signum, lambda signum, frame: None)
print("ready", flush=True)
received = os.read(read_end, 16)
time.sleep(0.5)  # a second copy of the signal would arrive by now
os.set_blocking(read_end, False)
try:
    received += os.read(read_end, 16)
except BlockingIOError:
    pass
print("received", *received, flush=True)
sys.exit(len(received))
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1])
def test_a_signal_sent_to_run_reaches_the_child_once(openai: None, tmp_path: Path, signum: int) -> None:
    child = script(tmp_path, "signals.py", WAIT_FOR_SIGNALS)
    proc = start_cli("--debug", "run", "--env", "K=agentcore://api-key/openai", "--", sys.executable, child)
    assert proc.stdout is not None
    try:
        read_until(proc.stdout.fileno(), b"ready\n", timeout=30)
        proc.send_signal(signum)
        assert proc.wait(timeout=30) == 1  # the child got it once, and run passed on its exit code
        assert proc.stdout.read().split() == [b"received", str(int(signum)).encode()]
        assert proc.stderr is not None
        assert f"{signal.Signals(signum).name} received: sending it to the child".encode() in proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()


def test_sigterm_to_run_ends_a_child_that_does_not_catch_it_with_143(openai: None) -> None:
    proc = start_cli(
        "run", "--env", "K=agentcore://api-key/openai", "--", sys.executable, "-c",
        "import time; print('ready', flush=True); time.sleep(60)",
    )  # fmt: skip
    assert proc.stdout is not None
    try:
        read_until(proc.stdout.fileno(), b"ready", timeout=30)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 128 + signal.SIGTERM
        assert time.monotonic() - started < 10
    finally:
        proc.kill()
        proc.wait()


def test_ctrl_c_on_the_terminal_reaches_the_child_once(openai: None, tmp_path: Path) -> None:
    child = script(tmp_path, "signals.py", WAIT_FOR_SIGNALS)
    argv = [*CLI, "--debug", "run", "--env", "K=agentcore://api-key/openai", "--", sys.executable, child]
    pid, master = _in_pty(argv)
    read_until(master, b"ready", timeout=30)
    os.write(master, b"\x03")  # the terminal sends SIGINT to its foreground group: run and the child
    output, code = _drain_pty(pid, master)
    assert b"received 2\r\n" in output
    assert code == 1
    # run saw it came from the terminal and did not send a second one (the kernel may merge
    # two SIGINTs into one delivery, so the child's count alone cannot tell).
    assert b"SIGINT came from the terminal to the whole process group; not sent again" in output
    assert b"sending it to the child" not in output


# --- all or nothing, before the child starts -------------------------------------------------


def test_a_missing_provider_fails_before_the_child_starts(openai: None, tmp_path: Path) -> None:
    marker = tmp_path / "child-ran"
    result = run_cli(
        "run", "--env", "A=agentcore://api-key/openai", "--env", "B=agentcore://api-key/openia",
        "--", sys.executable, "-c", f"open({str(marker)!r}, 'w')",
    )  # fmt: skip
    assert result.returncode == 254
    assert not marker.exists()
    stderr = result.stderr.decode()
    assert "API key credential provider 'openia' does not exist" in stderr
    assert "agentcore://api-key/openia" in stderr
    assert "Hint: did you mean 'openai'?" in stderr
    assert API_KEY not in stderr


def test_an_unknown_reference_form_fails_with_252_before_anything_is_resolved(openai: None, tmp_path: Path) -> None:
    marker = tmp_path / "child-ran"
    result = run_cli(
        "run", "--env", "A=agentcore://api-key/openai", "--env", "B=agentcore://apikey/openai",
        "--", sys.executable, "-c", f"open({str(marker)!r}, 'w')",
    )  # fmt: skip
    assert result.returncode == 252
    assert not marker.exists()
    assert "did you mean 'agentcore://api-key/openai'?" in result.stderr.decode()
    audit = run_cli("audit", "list", "--output", "json")
    assert not [e for e in json.loads(audit.stdout)["events"] if e["operation"] == "GetResourceApiKey"]


# --- nothing on disk, in argv or in the audit trail ---------------------------------------------

SELF_CHECK = """
import os
key = os.environ["OPENAI_API_KEY"]
with open(f"/proc/{os.getppid()}/cmdline", "rb") as f:
    print("in run's argv:", key.encode() in f.read())
with open("/proc/self/cmdline", "rb") as f:
    print("in my argv:", key.encode() in f.read())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_secret_is_in_no_argv(openai: None, tmp_path: Path) -> None:
    child = script(tmp_path, "argv.py", SELF_CHECK)
    result = run_cli("run", "--env", "OPENAI_API_KEY=agentcore://api-key/openai", "--", sys.executable, child)
    assert result.stdout.decode() == "in run's argv: False\nin my argv: False\n"


def test_each_resolution_is_one_audit_event_and_no_plaintext_reaches_the_vault_files(
    cli: Any, home: Path, tmp_path: Path
) -> None:
    add_api_key(cli, "openai")
    add_api_key(cli, "github", "ghp_abcdefghijklmnopqrstuvwxyz0123456789")
    (tmp_path / "a.env").write_text("A=agentcore://api-key/openai\nB=agentcore://api-key/openai\n")
    result = run_cli(
        "--debug", "run", "--env-file", str(tmp_path / "a.env"), "--env", "C=agentcore://api-key/github",
        "--", sys.executable, "-c", "import os; print(os.environ['A'], os.environ['C'])",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert API_KEY.encode() not in output and b"ghp_abcdefghij" not in output  # nor in --debug's log

    events = [e for e in json.loads(run_cli("audit", "list", "--output", "json").stdout)["events"]]
    reads = [e for e in events if e["operation"] == "GetResourceApiKey"]
    assert sorted(e["target"].rsplit("/", 1)[1] for e in reads) == ["github", "openai"]  # A and B: one read
    assert all(e["category"] == "secret-read" and e["outcome"] == "success" for e in reads)
    tokens = [e for e in events if e["operation"].startswith("GetWorkloadAccessToken") and e["outcome"] == "success"]
    assert len(tokens) == 1  # one workload access token for both reads
    assert run_cli("audit", "verify").returncode == 0

    on_disk = b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())
    for secret in (API_KEY, "ghp_abcdefghijklmnopqrstuvwxyz0123456789"):
        assert secret.encode() not in on_disk
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and API_KEY.encode() in p.read_bytes()]


def test_words_after_the_double_dash_keep_their_bytes(openai: None) -> None:
    proc = subprocess.run(
        [*CLI, "run", "--", sys.executable, "-c", "import os, sys; os.write(1, os.fsencode(sys.argv[1]))", b"\xff\xfe"],
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"\xff\xfe"


def test_options_after_the_command_belong_to_the_command(openai: None) -> None:
    code = "import sys; print(sys.argv[1:])"
    result = run_cli("run", "--", sys.executable, "-c", code, "--output", "json", "--debug", "--env", "X=1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == "['--output', 'json', '--debug', '--env', 'X=1']\n"
    assert result.stderr == b""


IMPORT_PROBE = """
import json, sys
from agentcore_identity_cli.cli.app import main
code = main(json.loads(sys.argv[1]))
loaded = sorted(name for name in ("boto3", "botocore", "dotenv") if name in sys.modules)
print(json.dumps({"code": code, "loaded": loaded}))
"""


def test_run_on_the_local_backend_imports_neither_boto3_nor_botocore(openai: None, env_file: Path) -> None:
    for args, loaded in (
        (["run", "--env", "K=agentcore://api-key/openai", "--", "true"], []),
        (["run", "--env-file", str(env_file), "--", "true"], ["dotenv"]),  # python-dotenv only for env files
    ):
        proc = subprocess.run(
            [sys.executable, "-c", IMPORT_PROBE, json.dumps(args)], capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"code": 0, "loaded": loaded}


def test_when_the_reader_of_run_goes_away_the_child_gets_sigpipe_as_in_a_pipeline(openai: None) -> None:
    # sh, not Python: Python ignores SIGPIPE and raises BrokenPipeError instead.
    proc = start_cli("run", "--env", "K=agentcore://api-key/openai", "--", "sh", "-c", "while :; do echo line; done")
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"line\n"
    proc.stdout.close()  # `| head -1`
    assert proc.wait(timeout=30) == 128 + signal.SIGPIPE
    assert proc.stderr.read() == b""  # no traceback, no message: the shell's behaviour


def test_a_sigchld_ignored_by_the_caller_does_not_lose_the_exit_code(openai: None) -> None:
    # Started with SIGCHLD ignored (some supervisors do that), run still waits for its child.
    proc = subprocess.run(
        [*CLI, "run", "--", sys.executable, "-c", "raise SystemExit(5)"],
        preexec_fn=lambda: signal.signal(signal.SIGCHLD, signal.SIG_IGN),
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 5, proc.stderr


def test_an_env_file_can_be_a_pipe(openai: None, tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "env.fifo"  # what `--env-file <(...)` hands over
    os.mkfifo(fifo)

    def write() -> None:
        with fifo.open("w") as handle:
            handle.write("OPENAI_API_KEY=agentcore://api-key/openai\n")

    writer = threading.Thread(target=write)
    writer.start()
    result = run_cli("run", "--env-file", str(fifo), "--", sys.executable, "-c", HASH_KEY)
    writer.join()
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().strip() == sha256(API_KEY)


def test_the_vault_key_in_the_environment_is_masked_too() -> None:
    key = "q0pBc3VzcGljaW91c2x5bG9uZ3ZhdWx0a2V5Zm9ydGVzdHM="
    code = "import os; print(os.environ['AGENTCORE_IDENTITY_VAULT_KEY'])"
    result = run_cli("run", "--", sys.executable, "-c", code, env={"AGENTCORE_IDENTITY_VAULT_KEY": key})
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == MASK + "\n"
