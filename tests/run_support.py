"""Helpers for the tests of `run`, `env` and `inject`: the CLI as a real process, child scripts."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CLI = [sys.executable, "-m", "agentcore_identity_cli"]
API_KEY = "sk-live-7d1f3a9c5e2b4680aa"
MASK = "<concealed by agentcore-identity>"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def add_api_key(cli: Any, name: str = "openai", key: str = API_KEY) -> None:
    result = cli("create-api-key-credential-provider", "--name", name, "--api-key", "-", input=key)
    assert result.exit_code == 0, result.stderr


def script(tmp_path: Path, name: str, code: str) -> str:
    """A Python script in tmp_path; its path."""
    path = tmp_path / name
    path.write_text(code)
    return str(path)


def run_cli(
    *args: str, input: bytes | str | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[bytes]:
    """The CLI as a process, bytes in and out."""
    data = input.encode() if isinstance(input, str) else input
    return subprocess.run(
        [*CLI, *args],
        input=data,
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )


def start_cli(*args: str, env: dict[str, str] | None = None, **popen: Any) -> subprocess.Popen[bytes]:
    """The CLI as a process left running, its stdout and stderr piped."""
    options: dict[str, Any] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "stdin": subprocess.DEVNULL}
    options.update(popen)
    return subprocess.Popen([*CLI, *args], env={**os.environ, **(env or {})}, **options)


def read_until(fd: int, marker: bytes, timeout: float = 30) -> bytes:
    """Bytes read from fd until marker appears (fails after timeout)."""
    import select

    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"{marker!r} not seen within {timeout} s; got {seen!r}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # a pty whose other side closed
                chunk = b""
            assert chunk, f"end of output before {marker!r}; got {seen!r}"
            seen += chunk
    return seen
