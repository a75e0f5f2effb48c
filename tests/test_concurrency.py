"""Several processes writing one vault at once lose nothing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

_WRITER = """
import sys
from agentcore_identity_cli.cli.app import main
worker, secret_file = sys.argv[1], sys.argv[2]
for i in range(50):
    name = f"w{worker}-{i:02d}"
    code = main(["create-api-key-credential-provider", "--name", name, "--api-key", "file://" + secret_file])
    if code != 0:
        sys.exit(code)
"""


def test_eight_processes_creating_fifty_each_end_with_all_400(cli, home: Path, tmp_path: Path):
    secret = tmp_path / "secret"
    secret.write_text("shared-secret")
    cli("vault", "init")  # the key file exists before the race, as after any first use
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(n), str(secret)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ},
        )
        for n in range(8)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    listed = cli("list-api-key-credential-providers").json()["credentialProviders"]
    assert len(listed) == 400
    assert len({p["name"] for p in listed}) == 400
    db = sqlite3.connect(home / "vault.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM secrets").fetchone()[0] == 400


def test_first_use_by_many_processes_at_once_creates_one_vault(home: Path, tmp_path: Path):
    secret = tmp_path / "secret"
    secret.write_text("s")
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "agentcore_identity_cli",
                "create-api-key-credential-provider",
                "--name",
                f"first-{n}",
                "--api-key",
                f"file://{secret}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ},
        )
        for n in range(6)
    ]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    codes = [p.returncode for p in procs]
    assert codes == [0] * 6, errors
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    backend = LocalBackend(home / "vault.db")
    assert sorted(backend.store.names("apikey")) == [f"first-{n}" for n in range(6)]
    assert all(backend.open_secret("apikey", f"first-{n}", "apiKey") == "s" for n in range(6))
    backend.close()
