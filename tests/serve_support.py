"""`serve` as a real subprocess on the test's home: the fixture the wire-level tests share.

    from tests.serve_support import Served, serve_fixture  # noqa: F401  (provides the `serve` fixture)

    def test_something(serve: Served) -> None:
        client = serve.client("bedrock-agentcore-control")   # boto3, unchanged, signed with the vault's key
        subprocess.run([...], env={**os.environ, **serve.env})  # any client, through the --print-env lines

`start_serve(home, *extra_args)` starts one with other flags (for example
`--allow-any-credentials`); `Served.stop()` sends SIGTERM and returns the exit code.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

LISTENING = re.compile(r"Listening on (http://\S+)")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 60.0


@dataclass
class Served:
    """A running `agentcore-identity serve`: its URL, client environment, home and stderr."""

    url: str
    env: dict[str, str]
    home: Path
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    exit_code: int | None = None
    reader: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def log(self) -> str:
        """Everything serve wrote to stderr so far."""
        return "".join(self.lines)

    def wait_for_log(self, text: str, timeout: float = 10.0) -> str:
        """The log once it contains `text` (serve writes a line before answering; the
        reader thread may not have picked it up yet); fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while text not in self.log():
            assert time.monotonic() < deadline, f"{text!r} not in serve's log:\n{self.log()}"
            time.sleep(0.02)
        return self.log()

    def client(self, service: str, **config: Any) -> Any:
        """A boto3 client of `service` pointed at serve, with the vault's access key."""
        import boto3
        from botocore.config import Config

        session = boto3.session.Session(
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
            region_name=self.env["AWS_REGION"],
        )
        retries = config.pop("retries", {"max_attempts": 1, "mode": "standard"})
        return session.client(service, endpoint_url=self.url, config=Config(retries=retries, **config))

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Stop serve with a signal and return its exit code (once; later calls return the same)."""
        if self.exit_code is None:
            if self.process.poll() is None:
                self.process.send_signal(sig)
            try:
                self.exit_code = self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.exit_code = self.process.wait()
            if self.reader is not None:
                self.reader.join(timeout=10)  # so that log() has every line serve wrote
        return self.exit_code


def _drain(stream: Any, lines: list[str]) -> None:
    for line in iter(stream.readline, ""):
        lines.append(line)
    stream.close()


def print_env(port: int, *extra: str) -> dict[str, str]:
    """The variables `serve --print-env --port PORT` exports, as a dict."""
    proc = subprocess.run(
        [sys.executable, "-m", "agentcore_identity_cli", "serve", "--print-env", "--port", str(port), *extra],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    values: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            name, value = words[1].split("=", 1)
            values[name] = value
    return values


def start_serve(home: Path, *extra: str) -> Served:
    """Start `serve --port 0` on the vault of the current AGENTCORE_IDENTITY_HOME; wait until it listens."""
    process = subprocess.Popen(
        [sys.executable, "-m", "agentcore_identity_cli", "serve", "--port", "0", *extra],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    lines: list[str] = []
    reader = threading.Thread(target=_drain, args=(process.stderr, lines), daemon=True)
    reader.start()
    deadline = time.monotonic() + START_TIMEOUT
    url = None
    while url is None:
        found = [m for m in (LISTENING.search(line) for line in list(lines)) if m]
        if found:
            url = found[0].group(1)
            break
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise AssertionError(f"serve did not start (exit {process.returncode}):\n{''.join(lines)}")
        time.sleep(0.05)
    port = int(url.rsplit(":", 1)[1])
    return Served(url=url, env=print_env(port), home=home, process=process, lines=lines, reader=reader)


@pytest.fixture(name="serve")
def serve_fixture(home: Path) -> Iterator[Served]:
    """serve on the test's home; stopped with SIGTERM afterwards, which must exit 0."""
    served = start_serve(home)
    try:
        yield served
    finally:
        code = served.stop()
    assert code == 0, f"serve exited {code} on SIGTERM:\n{served.log()}"
