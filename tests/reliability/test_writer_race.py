"""Eight processes racing on one vault: no failure, no lost write, one audit event per audited call.

Each of 8 worker processes (tests/reliability/workers.py, racer) runs a bounded number of
mixed operations, each on a freshly opened vault as one CLI command would: creates, updates
and deletes of its own API-key providers, tags on them and on one provider they all share (a
tag key per worker), a workload identity of its own, secret reads (a workload access token,
then GetResourceApiKey) of its own keys and of keys made before the race, and listings. Each
worker checks what it reads against what it last wrote. Then the test checks that:

- no operation failed in any worker (no "database is locked", no wrong value read back);
- every provider a worker created and did not delete is there with the last key it wrote and
  its tags, nothing it deleted is, and the shared provider carries each worker's last tag;
- the trail gained exactly one successful event per audited operation the workers counted
  (changes and secret reads; listings are not audited), operation by operation, and
  `audit verify` exits 0 with SQLite's integrity check ok.

Default: 8 workers x 60 operations. AGENTCORE_RELIABILITY_SCALE multiplies the operations;
AGENTCORE_RELIABILITY_SEED repeats a run's choices (tests/reliability/support.py):

    export AGENTCORE_RELIABILITY_SCALE=5
    python -m pytest -q -p no:cacheprovider tests/reliability/test_writer_race.py
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from agentcore_identity_cli.backends.local.backend import LocalBackend
from agentcore_identity_cli.client import validated_call
from tests.conftest import run_process
from tests.reliability import workers
from tests.reliability.support import assert_sound, event_rows, last_seq, spawn, stop

WORKERS = 8
OPERATIONS_PER_WORKER = 60
ANCHORS = {f"race-anchor-{i}": f"anchor-secret-{i}" for i in range(3)}


def _prepare(vault: Path) -> None:
    """The workload the workers act as, keys made before the race, the shared provider, the signing key."""
    backend = LocalBackend(vault)
    try:
        validated_call(backend, "CreateWorkloadIdentity", {"name": "race-agent"})
        for name, value in {**ANCHORS, "race-shared": "shared-secret"}.items():
            validated_call(backend, "CreateApiKeyCredentialProvider", {"name": name, "apiKey": value})
        validated_call(backend, "GetWorkloadAccessToken", {"workloadName": "race-agent"})
    finally:
        backend.close()


def test_eight_writers_racing_lose_nothing_and_audit_every_call(home: Path, trials):
    vault = home / "vault.db"
    assert run_process("vault", "init").exit_code == 0
    _prepare(vault)
    run = trials(OPERATIONS_PER_WORKER)  # the "trials" here are operations per worker
    with run.attempt():
        seq = last_seq(vault)
        procs = [
            spawn("racer", str(vault), str(w), str(run.count), run.seed, json.dumps(ANCHORS)) for w in range(WORKERS)
        ]
        reports = []
        try:
            for w, proc in enumerate(procs):
                out, err = proc.communicate(timeout=240)
                assert proc.returncode == 0, f"worker {w} exited {proc.returncode}: {err}"
                reports.append(json.loads(out))
        finally:
            for proc in procs:
                stop(proc)

        failures = [f"worker {w}: {failure}" for w, report in enumerate(reports) for failure in report["failures"]]
        assert failures == [], "\n".join(failures)
        raced = [(op, outcome) for _, op, _, outcome in event_rows(vault, seq)]

        backend = LocalBackend(vault)
        try:
            with backend.store.transaction():  # one commit for the OpenSecret events of these reads
                for w, report in enumerate(reports):
                    mine = {n for n in backend.store.names("apikey") if n.startswith(f"race{w}-")}
                    assert mine == set(report["apikeys"]), f"worker {w}: providers lost or brought back"
                    for name, value in report["apikeys"].items():
                        assert backend.open_secret("apikey", name, "apiKey") == value, f"{name}: a lost update"
                        tags = backend.invoke("ListTagsForResource", {"resourceArn": workers.arn("apikey", name)})
                        assert tags["tags"] == report["tags"][name], f"{name}: lost tags"
                    for name, value in report["workloads"].items():
                        urls = backend.invoke("GetWorkloadIdentity", {"name": name})["allowedResourceOauth2ReturnUrls"]
                        assert urls == [workers.RETURN_URL + value], f"{name}: a lost update"
                shared = backend.invoke("ListTagsForResource", {"resourceArn": workers.arn("apikey", "race-shared")})
                expected_shared = {f"worker{w}": r["sharedTag"] for w, r in enumerate(reports) if r["sharedTag"]}
                assert shared["tags"] == expected_shared, "tags of the shared provider were lost"
        finally:
            backend.close()

        counted: Counter[str] = Counter()
        for report in reports:
            counted.update(report["audited"])
        assert sum(counted.values()) >= WORKERS * run.count // 2, counted
        assert [outcome for _, outcome in raced if outcome != "success"] == []
        assert Counter(op for op, _ in raced) == counted, "the trail's events differ from the audited calls made"
        assert_sound(vault)
