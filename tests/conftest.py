"""Tests drive the real CLI against a temporary home folder, as a user would."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from agentcore_identity_cli.cli.app import main

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    """What a user sees: exit code, stdout and stderr."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


class TtyStringIO(io.StringIO):
    """A captured stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh AGENTCORE_IDENTITY_HOME for every test, and no stray settings."""
    for name in list(os.environ):
        if name.startswith(("AGENTCORE_IDENTITY_", "AWS_")) or name == "NO_COLOR":
            monkeypatch.delenv(name)
    # Keep botocore away from the real ~/.aws of whoever runs the tests.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    path = tmp_path / "home"
    monkeypatch.setenv("AGENTCORE_IDENTITY_HOME", str(path))
    return path


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run the CLI in this process: cli(*args, input=..., tty=False) -> Result."""

    def run(*args: str, input: str = "", tty: bool = False, env: dict[str, str] | None = None) -> Result:
        stream = TtyStringIO if tty else io.StringIO
        stdin, stdout, stderr = stream(input), stream(), io.StringIO()
        with monkeypatch.context() as patch:
            patch.setattr(sys, "stdin", stdin)
            patch.setattr(sys, "stdout", stdout)
            patch.setattr(sys, "stderr", stderr)
            for key, value in (env or {}).items():
                patch.setenv(key, value)
            code = main(list(args))
        return Result(code, stdout.getvalue(), stderr.getvalue())

    return run


def run_process(*args: str, input: str = "", env: dict[str, str] | None = None, timeout: float = 60) -> Result:
    """Run the CLI as a separate process (python -m), for what must cross a process boundary."""
    proc = subprocess.run(
        [sys.executable, "-m", "agentcore_identity_cli", *args],
        input=input,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def run_into_closed_pipe(args: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    """Run the CLI with stdout on a pipe nobody reads (`| true`): (exit code, stderr)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "agentcore_identity_cli", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    return proc.returncode, proc.stderr


MODULES_PROBE = """
import json, sys
from agentcore_identity_cli.cli.app import main
code = main(json.loads(sys.argv[1]))
print("\\n" + json.dumps({"code": code, "loaded": [m for m in json.loads(sys.argv[2]) if m in sys.modules]}))
"""


def modules_loaded(args: list[str], modules: list[str] | tuple[str, ...]) -> tuple[int, list[str]]:
    """Run the command line in a process of its own: (its exit code, which of `modules` it imported)."""
    proc = subprocess.run(
        [sys.executable, "-c", MODULES_PROBE, json.dumps(args), json.dumps(list(modules))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return result["code"], result["loaded"]


@pytest.fixture
def vault_file(home: Path) -> Iterator[Path]:
    """The path of the vault the CLI uses under the test home."""
    yield home / "vault.db"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On CI (CI=true) a skipped test fails: every test there has what it needs installed by .ci/run."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped on CI, where nothing may be skipped: {report.longrepr}"
