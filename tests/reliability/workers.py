"""The processes the reliability tests start, kill and race: run as a script, never imported by a worker.

    python workers.py writer VAULT SEED LABEL      writes until killed, reporting each write
    python workers.py racer VAULT WORKER OPS SEED ANCHORS_JSON
                                                   one of the racing writers; prints a JSON report
    python workers.py kill-at NAME WHEN -- ARGS    the CLI with ARGS, killing itself (SIGKILL) when a
                                                   file named NAME is renamed into place, just
                                                   before (WHEN=before) or just after (WHEN=after)

The writer prints one line before each operation (`begin {json}`) and one after it returned
(`done`), so the test knows what was committed and which write, at most one, was in flight
when the kill came. The operations go through `validated_call`, as the CLI's do.

The tests import this module for the shapes of the operations (OPERATIONS, request): the
writer and the test that checks its work then agree on what each write means.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

KINDS = ("apikey", "oauth2", "workload")
# What the writer's value is kept as: the sealed field of a provider, a workload's return URL.
SECRET_FIELD = {"apikey": "apiKey", "oauth2": "clientSecret"}
NAMES = {"apikey": 10, "oauth2": 6, "workload": 6}
TAG_KEYS = ("team", "env", "owner")
OPERATIONS = {
    ("create", "apikey"): "CreateApiKeyCredentialProvider",
    ("update", "apikey"): "UpdateApiKeyCredentialProvider",
    ("delete", "apikey"): "DeleteApiKeyCredentialProvider",
    ("create", "oauth2"): "CreateOauth2CredentialProvider",
    ("update", "oauth2"): "UpdateOauth2CredentialProvider",
    ("delete", "oauth2"): "DeleteOauth2CredentialProvider",
    ("create", "workload"): "CreateWorkloadIdentity",
    ("update", "workload"): "UpdateWorkloadIdentity",
    ("delete", "workload"): "DeleteWorkloadIdentity",
}
RETURN_URL = "https://app.example.com/return/"


def arn(kind: str, name: str) -> str:
    """The ARN of a resource the workers write."""
    from agentcore_identity_cli.backends.local import arns

    return arns.workload_arn(name) if kind == "workload" else arns.provider_arn(kind, name)


def request(write: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(operation, parameters) of one write: {"op", "kind", "name", "value", "tag"}."""
    op, kind, name, value = write["op"], write["kind"], write["name"], write.get("value")
    if op == "tag":
        return "TagResource", {"resourceArn": arn(kind, name), "tags": {write["tag"]: value}}
    operation = OPERATIONS[(op, kind)]
    if op == "delete":
        return operation, {"name": name}
    if kind == "apikey":
        return operation, {"name": name, "apiKey": value}
    if kind == "workload":
        return operation, {"name": name, "allowedResourceOauth2ReturnUrls": [RETURN_URL + value]}
    issuer = "https://auth.example.com"
    config = {
        "oauthDiscovery": {
            "authorizationServerMetadata": {
                "issuer": issuer,
                "authorizationEndpoint": f"{issuer}/authorize",
                "tokenEndpoint": f"{issuer}/token",
            }
        },
        "clientId": f"client-{name}",
        "clientSecret": value,
    }
    return operation, {
        "name": name,
        "credentialProviderVendor": "CustomOauth2",
        "oauth2ProviderConfigInput": {"customOauth2ProviderConfig": config},
    }


def _emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def writer(vault: Path, seed: str, label: str) -> None:
    """Write until killed: creates, updates, deletes and tags over a small pool of names.

    Every value written is new (`label` names the trial), so what the vault holds tells which
    write it came from.
    """
    from agentcore_identity_cli.backends.local.backend import LocalBackend
    from agentcore_identity_cli.client import validated_call

    rng = random.Random(seed)
    backend = LocalBackend(vault)
    _emit("ready")
    for i in range(5000):
        if rng.random() < 0.15:
            # As a new command would: the next write opens the vault and loads the key again.
            backend.close()
            backend = LocalBackend(vault)
        kind = rng.choice(KINDS)
        name = f"{kind[0]}{rng.randrange(NAMES[kind]):02d}"
        value = f"{label}-{i}-{rng.getrandbits(32):08x}"
        if backend.store.get(kind, name) is None:
            write = {"op": "create", "kind": kind, "name": name, "value": value}
        else:
            op = rng.choices(("update", "tag", "delete"), weights=(6, 3, 1))[0]
            write = {"op": op, "kind": kind, "name": name, "value": None if op == "delete" else value}
            if op == "tag":
                write["tag"] = rng.choice(TAG_KEYS)
        _emit("begin " + json.dumps(write, sort_keys=True))
        operation, params = request(write)
        validated_call(backend, operation, params)
        _emit("done")
    backend.close()


class _Racer:
    """One of the racing writers: its own names, shared tags, and reads of what it wrote."""

    def __init__(self, vault: Path, worker: int, seed: str, anchors: dict[str, str]) -> None:
        self.vault = vault
        self.worker = worker
        self.rng = random.Random(f"{seed}/racer/{worker}")
        self.anchors = anchors
        self.audited: Counter[str] = Counter()
        self.failures: list[str] = []
        self.apikeys: dict[str, str] = {}
        self.workloads: dict[str, str] = {}
        self.tags: dict[str, dict[str, str]] = {}
        self.shared_tag: str | None = None
        self.created = 0

    def call(self, operation: str, params: dict[str, Any], *, audited: bool = True) -> dict[str, Any]:
        """One operation on a freshly opened vault, as one CLI command would run it."""
        from agentcore_identity_cli.backends.local.backend import LocalBackend
        from agentcore_identity_cli.client import validated_call

        backend = LocalBackend(self.vault)
        try:
            result = validated_call(backend, operation, params)
        finally:
            backend.close()
        if audited:
            self.audited[operation] += 1
        return result

    def read_api_key(self, name: str) -> str:
        token = self.call("GetWorkloadAccessToken", {"workloadName": "race-agent"})["workloadAccessToken"]
        answer = self.call(
            "GetResourceApiKey", {"workloadIdentityToken": token, "resourceCredentialProviderName": name}
        )
        return str(answer["apiKey"])

    def step(self, i: int) -> None:
        rng, w = self.rng, self.worker
        value = f"r{w}-{i}-{rng.getrandbits(32):08x}"
        choice = rng.choices(
            ("create", "update", "delete", "read-own", "read-anchor", "tag", "tag-shared", "untag", "workload", "list"),
            weights=(4, 3, 1, 3, 1, 2, 1, 1, 2, 1),
        )[0]
        own = sorted(self.apikeys)
        if choice in ("update", "delete", "read-own", "tag", "untag") and not own:
            choice = "create"
        if choice == "create":
            name = f"race{w}-{self.created:03d}"
            self.created += 1
            self.call("CreateApiKeyCredentialProvider", {"name": name, "apiKey": value})
            self.apikeys[name] = value
            self.tags[name] = {}
        elif choice == "update":
            name = rng.choice(own)
            self.call("UpdateApiKeyCredentialProvider", {"name": name, "apiKey": value})
            self.apikeys[name] = value
        elif choice == "delete":
            name = rng.choice(own)
            self.call("DeleteApiKeyCredentialProvider", {"name": name})
            del self.apikeys[name], self.tags[name]
        elif choice == "read-own":
            name = rng.choice(own)
            got = self.read_api_key(name)
            if got != self.apikeys[name]:
                self.failures.append(f"{name} read back a value other than the last written (step {i})")
        elif choice == "read-anchor":
            name = rng.choice(sorted(self.anchors))
            if self.read_api_key(name) != self.anchors[name]:
                self.failures.append(f"anchor {name} read back a wrong value (step {i})")
        elif choice == "tag":
            name = rng.choice(own)
            key = rng.choice(TAG_KEYS)
            self.call("TagResource", {"resourceArn": arn("apikey", name), "tags": {key: value}})
            self.tags[name][key] = value
        elif choice == "untag":
            name = rng.choice(own)
            key = rng.choice(TAG_KEYS)
            self.call("UntagResource", {"resourceArn": arn("apikey", name), "tagKeys": [key]})
            self.tags[name].pop(key, None)
        elif choice == "tag-shared":
            self.call("TagResource", {"resourceArn": arn("apikey", "race-shared"), "tags": {f"worker{w}": value}})
            self.shared_tag = value
        elif choice == "workload":
            name = f"race{w}-agent"
            exists = name in self.workloads
            operation = "UpdateWorkloadIdentity" if exists else "CreateWorkloadIdentity"
            self.call(operation, {"name": name, "allowedResourceOauth2ReturnUrls": [RETURN_URL + value]})
            self.workloads[name] = value
        else:
            listed = set()
            token = None
            while True:
                page = self.call(
                    "ListApiKeyCredentialProviders", {"maxResults": 100, "nextToken": token}, audited=False
                )
                listed.update(p["name"] for p in page["credentialProviders"])
                token = page.get("nextToken")
                if not token:
                    break
            mine = {n for n in listed if n.startswith(f"race{w}-")}
            if mine != set(self.apikeys):
                self.failures.append(f"listing shows {sorted(mine ^ set(self.apikeys))} wrongly (step {i})")

    def report(self) -> dict[str, Any]:
        return {
            "audited": dict(self.audited),
            "failures": self.failures,
            "apikeys": self.apikeys,
            "workloads": self.workloads,
            "tags": self.tags,
            "sharedTag": self.shared_tag,
        }


def racer(vault: Path, worker: int, ops: int, seed: str, anchors: dict[str, str]) -> None:
    """Run `ops` mixed operations; every failure is counted, none stops the run."""
    state = _Racer(vault, worker, seed, anchors)
    for i in range(ops):
        try:
            state.step(i)
        except Exception as exc:  # noqa: BLE001 - every failure is reported to the test, by type
            state.failures.append(f"step {i}: {type(exc).__name__}: {exc}")
    _emit(json.dumps(state.report(), sort_keys=True))


def kill_at(name: str, when: str, args: list[str]) -> int:
    """The CLI, killed by SIGKILL around the moment a file named `name` is renamed into place."""
    real_replace = os.replace

    def replace(src: Any, dst: Any, **kwargs: Any) -> None:
        if Path(dst).name == name and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        real_replace(src, dst, **kwargs)
        if Path(dst).name == name:
            os.kill(os.getpid(), signal.SIGKILL)

    os.replace = replace
    from agentcore_identity_cli.cli.app import main

    return main(args)


def _main(argv: list[str]) -> int:
    role = argv[0]
    if role == "writer":
        writer(Path(argv[1]), argv[2], argv[3])
    elif role == "racer":
        racer(Path(argv[1]), int(argv[2]), int(argv[3]), argv[4], json.loads(argv[5]))
    elif role == "kill-at":
        return kill_at(argv[1], argv[2], argv[argv.index("--") + 1 :])
    else:
        raise SystemExit(f"unknown role {role}")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
