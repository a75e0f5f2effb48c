"""What the reliability tests share: trial counts, seeds, worker processes and the vault's invariants.

Two environment variables shape a run:

- AGENTCORE_RELIABILITY_SCALE multiplies the random trials (default 1; 5 runs five times as
  many kills, bit flips and racing operations; fixed cases stay as they are). Fractions work
  too (0.2 for a quick look).
- AGENTCORE_RELIABILITY_SEED fixes the random choices (which writes, when a kill comes, which
  bit flips). Unset, every run draws a new seed, so repeated runs explore new schedules.

A failure says which seed and trial it came from, with the command that runs it again. The
kill itself lands where the operating system's scheduler lets it, so a seed repeats the
choices, not the exact instant.
"""

from __future__ import annotations

import functools
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentcore_identity_cli.backends.local.backend import LocalBackend
from agentcore_identity_cli.client import validated_call
from tests.conftest import run_process

SCALE_ENV = "AGENTCORE_RELIABILITY_SCALE"
SEED_ENV = "AGENTCORE_RELIABILITY_SEED"
WORKERS = Path(__file__).with_name("workers.py")
# (kind, name, field) of a sealed value -> its plaintext
Expected = dict[tuple[str, str, str], str]


def scale() -> float:
    """The multiplier of every trial count (AGENTCORE_RELIABILITY_SCALE, default 1)."""
    raw = os.environ.get(SCALE_ENV, "").strip()
    if not raw:
        return 1.0
    value = float(raw)
    if not value > 0:
        raise ValueError(f"{SCALE_ENV} must be a positive number, not {raw!r}")
    return value


def scaled(default: int) -> int:
    """A trial count: the default times the scale, at least 1."""
    return max(1, round(default * scale()))


@functools.cache
def run_seed() -> str:
    """The seed of this run: AGENTCORE_RELIABILITY_SEED, or a new one."""
    return os.environ.get(SEED_ENV, "").strip() or f"{random.SystemRandom().getrandbits(32):08x}"


@dataclass
class Trials:
    """The trials of one test: how many, and a random source for each derived from the run's seed."""

    test: str
    count: int
    seed: str

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.count))

    def rng(self, trial: int) -> random.Random:
        """The random choices of one trial (same seed, same test, same trial: same choices)."""
        return random.Random(f"{self.seed}/{self.test}/{trial}")

    def where(self, trial: int | None = None) -> str:
        """Which trial failed, and how to run it again."""
        at = f"trial {trial + 1} of {self.count}" if trial is not None else f"{self.count} trials"
        return (
            f"reliability {self.test}: {at}, seed {self.seed}; run again with "
            f"{SEED_ENV}={self.seed} python -m pytest -q -p no:cacheprovider '{self.test}'"
        )

    @contextmanager
    def attempt(self, trial: int | None = None) -> Iterator[None]:
        """Name the seed and trial on anything that fails inside the block."""
        try:
            yield
        except BaseException as exc:
            exc.add_note(self.where(trial))
            raise


# --- worker processes -------------------------------------------------------------------


def spawn(*args: str, env: dict[str, str] | None = None, stdin: bool = False) -> subprocess.Popen[str]:
    """Start tests/reliability/workers.py with `args` (stdin a pipe when asked); stdout is read line by line."""
    return subprocess.Popen(
        [sys.executable, str(WORKERS), *args],
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def spawn_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start the CLI as its own process (python -m agentcore_identity_cli ARGS)."""
    return subprocess.Popen(
        [sys.executable, "-m", "agentcore_identity_cli", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


@dataclass
class Killed:
    """What a process printed before it died, and how it ended."""

    lines: list[str]
    stderr: str
    returncode: int

    @property
    def killed(self) -> bool:
        """True when SIGKILL ended it (rather than the process finishing first)."""
        return self.returncode == -signal.SIGKILL


def kill_after(proc: subprocess.Popen[str], delay: float, *, after_line: str | None = None) -> Killed:
    """SIGKILL `proc` `delay` seconds after it started (or after it printed `after_line`).

    Only complete lines count: a line cut by the kill was never fully reported.
    """
    assert proc.stdout is not None and proc.stderr is not None
    try:
        first = ""
        if after_line is not None:
            first = proc.stdout.readline()
            if first.strip() != after_line:
                proc.wait(timeout=60)
                raise AssertionError(f"the worker did not start: {first!r} {proc.stderr.read()}")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        # Read through the same buffered streams as readline above (communicate() would skip what
        # they already hold); the process is gone, so both end.
        text, err = first + proc.stdout.read(), proc.stderr.read()
    finally:
        stop(proc)
    lines = text.split("\n")[:-1]  # the last piece is empty, or a line the kill cut short
    return Killed(lines, err, proc.returncode)


def stop(proc: subprocess.Popen[str]) -> None:
    """Make sure a worker is gone and its pipes closed (after a failed check, too)."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=60)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


# --- the vault's invariants -------------------------------------------------------------


def integrity(vault: Path) -> str:
    """SQLite's own check of the whole file: "ok" or the damage it found."""
    db = sqlite3.connect(vault)
    try:
        return "\n".join(str(row[0]) for row in db.execute("PRAGMA integrity_check"))
    finally:
        db.close()


def event_rows(vault: Path, after: int = 0) -> list[tuple[int, str, str | None, str]]:
    """(seq, operation, target, outcome) of the audit events after `after`, straight from SQLite."""
    db = sqlite3.connect(vault)
    try:
        rows = db.execute(
            "SELECT seq, operation, target, outcome FROM audit_events WHERE seq > ? ORDER BY seq", (after,)
        ).fetchall()
    finally:
        db.close()
    return [(int(seq), str(op), target, str(outcome)) for seq, op, target, outcome in rows]


def schema_version(vault: Path) -> int:
    """The vault file's schema version (0 for a file the tool has not set up yet)."""
    db = sqlite3.connect(vault)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def last_seq(vault: Path) -> int:
    """The sequence number of the last audit event (0 for none)."""
    db = sqlite3.connect(vault)
    try:
        return int(db.execute("SELECT COALESCE(MAX(seq), 0) FROM audit_events").fetchone()[0])
    finally:
        db.close()


def audit_verify(env: dict[str, str] | None = None) -> dict[str, Any]:
    """`audit verify` in a process of its own; it must exit 0 and call the trail intact."""
    result = run_process("audit", "verify", "--output", "json", env=env)
    assert result.exit_code == 0, f"audit verify exited {result.exit_code}: {result.stderr}"
    verdict: dict[str, Any] = json.loads(result.stdout)
    assert verdict["intact"] is True, verdict
    return verdict


def assert_sound(vault: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """The file passes SQLite's integrity check and the audit trail verifies."""
    assert integrity(vault) == "ok"
    return audit_verify(env)


def populate_vault(vault: Path, count: int) -> Expected:
    """Fill a vault with sealed values of every sort; returns their plaintexts.

    `count` API keys (bulk-00000, ...), the OAuth2 provider jwt-client with two sealed fields
    (a client secret and a PRIVATE_KEY_JWT private key), the workload identity `agent`, and
    the token-signing key (made by getting a workload access token).
    """
    backend = LocalBackend(vault)
    expected: Expected = {}
    try:
        with backend.store.transaction():
            for i in range(count):
                name, value = f"bulk-{i:05d}", f"sealed-secret-{i:05d}-" + "x" * 48
                backend.invoke("CreateApiKeyCredentialProvider", {"name": name, "apiKey": value})
                expected[("apikey", name, "apiKey")] = value
        issuer = "https://auth.example.com"
        config = {
            "oauthDiscovery": {
                "authorizationServerMetadata": {
                    "issuer": issuer,
                    "authorizationEndpoint": f"{issuer}/authorize",
                    "tokenEndpoint": f"{issuer}/token",
                }
            },
            "clientId": "jwt-client",
            "clientSecret": "jwt-client-secret",
            "clientAuthenticationMethod": "PRIVATE_KEY_JWT",
            "privateKeyJwtConfig": {"signingAlgorithm": "ES256"},
        }
        validated_call(
            backend,
            "CreateOauth2CredentialProvider",
            {
                "name": "jwt-client",
                "credentialProviderVendor": "CustomOauth2",
                "oauth2ProviderConfigInput": {"customOauth2ProviderConfig": config},
            },
        )
        expected[("oauth2", "jwt-client", "clientSecret")] = "jwt-client-secret"
        expected[("oauth2", "jwt-client", "privateKey")] = backend.open_secret("oauth2", "jwt-client", "privateKey")
        validated_call(backend, "CreateWorkloadIdentity", {"name": "agent"})
        validated_call(backend, "GetWorkloadAccessToken", {"workloadName": "agent"})  # makes the signing key
    finally:
        backend.close()
    return expected
