"""A long-running process keeps working when another process rotates the vault key.

The process caches the vault key and the token-signing key. After another process runs
`reset-token-vault-key-material`, it must notice (the key check in the vault changed), load
the new key and go on: no DecryptionFailure, no tamper-looking audit event, new secrets sealed
under the new key, and workload tokens signed with the new signing key only.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_process


@pytest.fixture
def provider(cli: Any) -> Any:
    from agentcore_identity_cli import CredentialProvider

    assert (
        cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-one\n").exit_code == 0
    )
    assert cli("create-workload-identity", "--name", "agent").exit_code == 0
    handle = CredentialProvider("openai")
    yield handle
    handle.close()


def _rotate() -> None:
    rotated = run_process("reset-token-vault-key-material")
    assert rotated.exit_code == 0, rotated.stderr


def _backend() -> Any:
    """A backend on the test's vault, as a long-running process holds one."""
    from agentcore_identity_cli.backends.local.backend import LocalBackend
    from agentcore_identity_cli.config import default_vault_path

    return LocalBackend(default_vault_path())


def _failures(cli: Any) -> list[dict[str, Any]]:
    """Refusals a stale key would cause: a secret that does not open, a token that does not verify."""
    events = cli("audit", "list", "--output", "json").json()["events"]
    return [e for e in events if e["outcome"] in ("DecryptionFailure", "AccessDeniedException")]


def test_a_provider_handle_reads_after_another_process_rotates_the_key(cli: Any, provider: Any) -> None:
    assert provider.get_api_key() == "sk-one"  # the key and the signing key are now cached here
    _rotate()
    assert provider.get_api_key() == "sk-one"
    _rotate()
    assert provider.get_api_key() == "sk-one"
    assert _failures(cli) == [], json.dumps(_failures(cli))
    assert cli("audit", "verify").exit_code == 0


def test_a_long_lived_backend_seals_new_secrets_under_the_rotated_key(cli: Any, provider: Any) -> None:
    local = _backend()
    try:
        assert local.open_secret("apikey", "openai", "apiKey") == "sk-one"  # the key is cached now
        _rotate()
        local.invoke("CreateApiKeyCredentialProvider", {"name": "later", "apiKey": "sk-later"})
    finally:
        local.close()
    # A fresh process, with only the new key, opens what the old process sealed after the rotation.
    later = run_process("api-key", "later")
    assert later.exit_code == 0, later.stderr
    assert later.stdout.strip() == "sk-later"


def test_a_long_lived_backend_stops_accepting_tokens_of_the_retired_signing_key(cli: Any, provider: Any) -> None:
    from agentcore_identity_cli.errors import ServiceError

    local = _backend()
    try:
        # This backend signs and checks a token: its signing key is cached from here on.
        old = local.invoke("GetWorkloadAccessToken", {"workloadName": "agent"})["workloadAccessToken"]
        local.invoke("GetResourceApiKey", {"workloadIdentityToken": old, "resourceCredentialProviderName": "openai"})
        _rotate()
        with pytest.raises(ServiceError) as refused:
            local.invoke(
                "GetResourceApiKey", {"workloadIdentityToken": old, "resourceCredentialProviderName": "openai"}
            )
        assert refused.value.code == "AccessDeniedException"
        new = local.invoke("GetWorkloadAccessToken", {"workloadName": "agent"})["workloadAccessToken"]
    finally:
        local.close()
    # What the long-lived backend signs after the rotation, a fresh process accepts.
    read = run_process(
        "get-resource-api-key",
        "--workload-identity-token",
        "-",
        "--resource-credential-provider-name",
        "openai",
        input=new,
    )
    assert read.exit_code == 0, read.stderr
    assert '"sk-one"' in read.stdout


def test_a_value_read_just_before_a_rotation_is_read_again(cli: Any, provider: Any) -> None:
    """The race that a loop can only hit by chance, made certain: the sealed value is read, then
    another process rotates the key before this one loads it."""
    local = _backend()
    try:
        assert local.open_secret("apikey", "openai", "apiKey") == "sk-one"  # the old key is cached
        reads = 0
        read = local.store.get_sealed

        def read_then_rotate(kind: str, name: str, field: str) -> tuple[bytes, int] | None:
            nonlocal reads
            reads += 1
            found = read(kind, name, field)
            if reads == 1:
                _rotate()  # commits after this read: `found` is under the old key, the vault's is not
            return found

        local.store.get_sealed = read_then_rotate  # type: ignore[method-assign]
        assert local.open_sealed_value("apikey", "openai", "apiKey") == b"sk-one"
        assert reads == 2
    finally:
        local.close()


def test_reads_racing_rotations_never_fail(cli: Any, provider: Any, home: Path) -> None:
    """Rotations commit between a read of the sealed value and the load of the key: each read still opens."""
    import os

    assert provider.get_api_key() == "sk-one"
    errors: list[BaseException] = []
    reads = 0
    stop = threading.Event()

    def read_loop() -> None:
        nonlocal reads
        while not stop.is_set():
            try:
                assert provider.get_api_key() == "sk-one"
                reads += 1
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                return

    reader = threading.Thread(target=read_loop)
    reader.start()
    try:
        script = "\n".join(
            [
                "import sys",
                "from agentcore_identity_cli.cli.app import main",
                "import time",
                "for _ in range(6):",
                "    assert main(['reset-token-vault-key-material']) == 0",
                # A retired token is renewed once: rotations a moment apart, not back to back
                # (which only a loaded machine could squeeze into one call's window).
                "    time.sleep(0.2)",
            ]
        )
        subprocess.run(
            [sys.executable, "-c", script], check=True, env=dict(os.environ), capture_output=True, timeout=120
        )
    finally:
        stop.set()
        reader.join(timeout=60)
    assert errors == []
    assert reads > 0
    failures = _failures(cli)
    # A token obtained just before a rotation is refused once, and honestly audited as such;
    # the client then takes a new one. A secret never fails to open.
    assert all(e["outcome"] == "AccessDeniedException" for e in failures), json.dumps(failures)
    assert len(failures) <= 6
    assert cli("audit", "verify").exit_code == 0
