"""serve as a process: starts on a free port, serves, stops cleanly on SIGTERM and Ctrl-C."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from tests.serve_support import Served, serve_fixture, start_serve  # noqa: F401


def test_serve_prints_listening_line_and_print_env_points_clients_at_it(serve: Served) -> None:
    assert serve.url.startswith("http://127.0.0.1:")
    assert serve.env["AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL"] == serve.url
    assert serve.env["AWS_ENDPOINT_URL_BEDROCK_AGENTCORE"] == serve.url
    assert serve.env["BEDROCK_AGENTCORE_CP_ENDPOINT"] == serve.url
    assert serve.env["BEDROCK_AGENTCORE_DP_ENDPOINT"] == serve.url
    assert serve.env["AWS_ACCESS_KEY_ID"].startswith("AKIA")
    assert serve.env["AWS_SECRET_ACCESS_KEY"]
    assert serve.env["AWS_REGION"]
    assert "--print-env" in serve.log()
    client = serve.client("bedrock-agentcore-control")
    assert client.list_workload_identities()["workloadIdentities"] == []


def test_sigint_finishes_and_exits_0(home: Path) -> None:
    served = start_serve(home)
    served.client("bedrock-agentcore-control").get_token_vault()
    assert served.stop(signal.SIGINT) == 0
    assert "stopped" in served.log()


def test_two_serves_on_one_vault_share_its_key_and_its_resources(serve: Served, home: Path) -> None:
    other = start_serve(home)
    try:
        assert other.env["AWS_ACCESS_KEY_ID"] == serve.env["AWS_ACCESS_KEY_ID"]
        serve.client("bedrock-agentcore-control").create_workload_identity(name="agent-1")
        assert other.client("bedrock-agentcore-control").get_workload_identity(name="agent-1")["name"] == "agent-1"
    finally:
        assert other.stop() == 0


def test_a_passphrase_vault_is_served_with_the_passphrase_from_the_environment(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENTCORE_IDENTITY_PASSPHRASE", "correct horse battery staple")
    served = start_serve(home)
    try:
        client = served.client("bedrock-agentcore-control")
        client.create_api_key_credential_provider(name="openai", apiKey="sk-1")
        assert client.get_token_vault()["kmsConfiguration"]["keyType"] == "CustomerManagedKey"
    finally:
        assert served.stop() == 0


def test_sigterm_lets_requests_in_flight_finish(home: Path) -> None:
    served = start_serve(home)
    client = served.client("bedrock-agentcore-control")
    answered: list[int] = []
    failures: list[Exception] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            try:
                answered.append(client.list_workload_identities()["ResponseMetadata"]["HTTPStatusCode"])
            except ClientError as exc:  # an answer, and it must not be a server error
                failures.append(exc)
            except (EndpointConnectionError, ConnectionClosedError):
                return  # serve has stopped listening

    thread = threading.Thread(target=hammer)
    thread.start()
    time.sleep(0.5)
    code = served.stop()
    stop.set()
    thread.join(timeout=30)
    assert code == 0
    assert answered and set(answered) == {200}
    assert failures == []
    assert "Traceback" not in served.log()


def test_a_remote_host_with_allow_remote_warns_and_serves(home: Path) -> None:
    served = start_serve(home, "--host", "0.0.0.0", "--allow-remote")
    try:
        assert "Warning: listening on 0.0.0.0" in served.log()
        assert served.url.startswith("http://127.0.0.1:")  # where a client on this machine reaches it
        assert served.client("bedrock-agentcore-control").get_token_vault()["tokenVaultId"] == "default"
    finally:
        assert served.stop() == 0


def test_a_port_in_use_exits_253_naming_it(cli: Any) -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = cli("serve", "--port", str(port))
    assert result.exit_code == 253
    assert f"127.0.0.1:{port}" in result.stderr
    assert "--port" in result.stderr
