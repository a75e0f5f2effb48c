"""serve as a process: starts on a free port, serves, stops cleanly on SIGTERM and Ctrl-C."""

from __future__ import annotations

import signal
from pathlib import Path

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
