"""A writer killed (SIGKILL) at a random moment leaves every committed write, and nothing torn.

A worker process (tests/reliability/workers.py) creates, updates, deletes and tags API-key
providers, OAuth2 providers and workload identities through the same calls as the CLI,
reporting each write before it starts and after it returns. At a random moment the test
kills it, then checks the vault as the next command would find it:

- `PRAGMA integrity_check` is ok, and `audit verify` (a process of its own) exits 0, intact;
- every resource the vault lists holds exactly what the reported writes left, except that the
  one write in flight at the kill either happened completely or not at all: every secret
  opens, to the last value written or to the one before it, never to another value and never
  with a DecryptionFailure;
- the audit trail gained exactly one event per write that happened, in order, with its
  target: a change and its event commit together.

The same vault carries on from trial to trial. A second test kills the very first use of a
new vault (creating the file, the schema, the key) at random moments, and a third at each
file it puts in place (`vault.id`, `vault.key`: just before and just after the rename), by
making the process SIGKILL itself there (tests/reliability/workers.py, kill-at); the vault is
then used as any other.

Defaults: 20 kills of a running writer, 8 of a first use. AGENTCORE_RELIABILITY_SCALE
multiplies both; AGENTCORE_RELIABILITY_SEED repeats a run's choices (tests/reliability/support.py):

    export AGENTCORE_RELIABILITY_SCALE=5
    python -m pytest -q -p no:cacheprovider tests/reliability/test_crash_during_writes.py
"""

from __future__ import annotations

import copy
import json
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from agentcore_identity_cli.backends.local.backend import LocalBackend
from agentcore_identity_cli.errors import ServiceError
from tests.conftest import run_process
from tests.reliability import workers
from tests.reliability.support import (
    Killed,
    assert_sound,
    event_rows,
    integrity,
    kill_after,
    last_seq,
    schema_version,
    spawn,
)

WRITER_KILLS = 20
FIRST_USE_KILLS = 8

Model = dict[tuple[str, str], dict[str, Any]]
LIST_OPERATIONS = {
    "apikey": ("ListApiKeyCredentialProviders", "credentialProviders", 100),
    "oauth2": ("ListOauth2CredentialProviders", "credentialProviders", 20),
    "workload": ("ListWorkloadIdentities", "workloadIdentities", 20),
}


def apply(model: Model, write: dict[str, Any]) -> Model:
    """The state after one write, as the writer meant it."""
    after = copy.deepcopy(model)
    key = (write["kind"], write["name"])
    if write["op"] == "create":
        after[key] = {"value": write["value"], "tags": {}}
    elif write["op"] == "update":
        after[key]["value"] = write["value"]
    elif write["op"] == "delete":
        del after[key]
    else:
        after[key]["tags"][write["tag"]] = write["value"]
    return after


def observe(vault: Path) -> Model:
    """What the vault holds: every listed resource, its secret (opened) or return URL, its tags."""
    backend = LocalBackend(vault)
    seen: Model = {}
    try:
        # One transaction, so that the OpenSecret events of all these reads commit at once.
        with backend.store.transaction():
            for kind, (operation, member, size) in LIST_OPERATIONS.items():
                token = None
                while True:
                    page = backend.invoke(operation, {"maxResults": size, **({"nextToken": token} if token else {})})
                    for item in page[member]:
                        seen[(kind, item["name"])] = _resource(backend, kind, item["name"])
                    token = page.get("nextToken")
                    if not token:
                        break
    finally:
        backend.close()
    return seen


def _resource(backend: LocalBackend, kind: str, name: str) -> dict[str, Any]:
    if kind == "workload":
        urls = backend.invoke("GetWorkloadIdentity", {"name": name}).get("allowedResourceOauth2ReturnUrls") or []
        value = urls[0].removeprefix(workers.RETURN_URL) if urls else None
    else:
        try:
            value = backend.open_secret(kind, name, workers.SECRET_FIELD[kind])
        except ServiceError as exc:
            value = f"<{exc.code}: {exc.message}>"
    tags = backend.invoke("ListTagsForResource", {"resourceArn": workers.arn(kind, name)})["tags"]
    return {"value": value, "tags": tags}


def _writes(killed: Killed) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """(the writes that returned, the one in flight at the kill if any)."""
    done: list[dict[str, Any]] = []
    in_flight: dict[str, Any] | None = None
    for line in killed.lines:
        if line.startswith("begin "):
            in_flight = json.loads(line[len("begin ") :])
        elif line == "done":
            assert in_flight is not None
            done.append(in_flight)
            in_flight = None
    return done, in_flight


def _event(write: dict[str, Any]) -> tuple[str, str, str]:
    operation, _ = workers.request(write)
    return operation, workers.arn(write["kind"], write["name"]), "success"


def _diff(observed: Model, expected: Model) -> str:
    lines = []
    for key in sorted(observed.keys() | expected.keys()):
        if observed.get(key) != expected.get(key):
            lines.append(f"  {key}: vault holds {observed.get(key)}, expected {expected.get(key)}")
    return "\n".join(lines)


def check_after_kill(vault: Path, model: Model, seq: int, killed: Killed, env: dict[str, str] | None = None) -> Model:
    """Every invariant of a vault whose writer was just killed; returns what it now holds."""
    assert killed.killed or killed.returncode == 0, f"the writer failed on its own:\n{killed.stderr}"
    done, in_flight = _writes(killed)
    without = model
    for write in done:
        without = apply(without, write)
    candidates = [without] if in_flight is None else [without, apply(without, in_flight)]

    # A first use killed early may have made no file yet, or an empty one, without the schema.
    events: list[tuple[str, str | None, str]] = []
    if vault.exists():
        assert integrity(vault) == "ok"
        if schema_version(vault) > 0:
            events = [(op, target, outcome) for _, op, target, outcome in event_rows(vault, seq)]
    observed = observe(vault)
    assert observed in candidates, (
        f"after {len(done)} writes and a kill during {in_flight}, the vault holds neither the state before "
        f"that write nor the one after it:\n{_diff(observed, candidates[-1])}"
    )
    happened = done + ([in_flight] if in_flight is not None and observed == candidates[-1] else [])
    assert events == [_event(write) for write in happened], "the audit trail does not match the writes that happened"
    assert_sound(vault, env)
    return observed


def test_a_writer_killed_at_random_moments_keeps_every_committed_write(home: Path, trials):
    vault = home / "vault.db"
    assert run_process("vault", "init").exit_code == 0
    run = trials(WRITER_KILLS)
    model: Model = {}
    outcomes: Counter[str] = Counter()
    for trial in run:
        with run.attempt(trial):
            rng = run.rng(trial)
            seq = last_seq(vault)
            proc = spawn("writer", str(vault), f"{run.seed}/{trial}", f"t{trial}")
            if rng.random() < 0.15:
                # Now and then during start-up: opening the vault, loading the key, the first write.
                killed = kill_after(proc, rng.uniform(0.0, 0.3))
            else:
                killed = kill_after(proc, rng.uniform(0.0, 0.3), after_line="ready")
            model = check_after_kill(vault, model, seq, killed)
            outcomes["killed" if killed.killed else "finished"] += 1
            outcomes["writes"] += sum(1 for line in killed.lines if line == "done")
    with run.attempt():
        assert outcomes["killed"] > 0 and outcomes["writes"] > 0, outcomes


def test_a_first_use_killed_at_random_moments_leaves_a_usable_vault(tmp_path: Path, trials):
    run = trials(FIRST_USE_KILLS)
    for trial in run:
        with run.attempt(trial):
            rng = run.rng(trial)
            home = tmp_path / f"first-use-{trial}"
            env = {"AGENTCORE_IDENTITY_HOME": str(home)}
            vault = home / "vault.db"
            proc = spawn("writer", str(vault), f"{run.seed}/{trial}", f"t{trial}", env=env)
            killed = kill_after(proc, rng.uniform(0.0, 0.5))
            check_after_kill(vault, {}, 0, killed, env)
            # The next commands work on it as on any vault.
            created = run_process(
                "create-api-key-credential-provider",
                "--name",
                "after-crash",
                "--api-key",
                "-",
                input="after-crash-secret",
                env=env,
            )
            assert created.exit_code == 0, created.stderr
            read = run_process("api-key", "after-crash", env=env)
            assert (read.exit_code, read.stdout) == (0, "after-crash-secret\n"), read.stderr
            assert_sound(vault, env)


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("name", ["vault.id", "vault.key"])
def test_a_first_use_killed_as_it_puts_each_file_in_place_leaves_a_usable_vault(home: Path, name: str, when: str):
    proc = spawn(
        "kill-at",
        name,
        when,
        "--",
        "create-api-key-credential-provider",
        "--name",
        "first",
        "--api-key",
        "-",
        stdin=True,
    )
    _, err = proc.communicate("first-secret", timeout=60)
    assert proc.returncode == -signal.SIGKILL, err
    created = run_process("create-api-key-credential-provider", "--name", "second", "--api-key", "-", input="second")
    assert created.exit_code == 0, created.stderr
    listed = run_process(
        "list-api-key-credential-providers", "--query", "credentialProviders[].name", "--output", "text"
    )
    assert listed.stdout.split() == ["second"]  # the killed create was one transaction, rolled back
    read = run_process("api-key", "second")
    assert (read.exit_code, read.stdout) == (0, "second\n"), read.stderr
    assert_sound(home / "vault.db")
