"""`serve` under load: 8 concurrent boto3 clients, requests/s and p50/p99 latency, serve's memory.

    python benchmarks/bench_serve.py                 # 8 clients, 400 requests per operation
    python benchmarks/bench_serve.py --clients 8 --requests 2000

Three operations, each driven by the same number of boto3 clients on their own threads:
GetResourceApiKey (with a workload access token), ListApiKeyCredentialProviders (one page of
20) and CreateApiKeyCredentialProvider (a new name each time). The same clients then drive a
plain `http.server` (ThreadingHTTPServer) that answers each call with a fixed valid body, so
the cost of the client, the loopback and Python's own HTTP stack is visible beside serve's.
serve's resident memory is read from /proc while it is under load (VmHWM: the peak).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

CONTROL = "bedrock-agentcore-control"
DATA = "bedrock-agentcore"


def _client(service: str, env: dict[str, str], url: str) -> Any:
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_REGION"],
    )
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, max_pool_connections=4)
    return session.client(service, endpoint_url=url, config=config)


def _drive(
    name: str, clients: int, requests: int, call: Callable[[int, int], None], rss: Callable[[], float] | None
) -> dict[str, Any]:
    """Run `requests` calls spread over `clients` threads; latency percentiles and throughput."""
    latencies: list[float] = []
    lock = threading.Lock()
    per_client = requests // clients

    def worker(index: int) -> None:
        mine: list[float] = []
        for n in range(per_client):
            start = time.perf_counter()
            call(index, n)
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "operation": name,
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "peak_rss_mib": rss() if rss else None,
    }


def _peak_rss(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else float("nan")


def _start_serve(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "agentcore_identity_cli", "serve", "--port", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        match = re.search(r"Listening on (http://\S+)", line)
        if match:
            # Keep draining the per-request log lines so serve never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in proc.stderr or []], daemon=True).start()
            return proc, match.group(1)
    raise SystemExit("serve did not start")


def _print_env(env: dict[str, str], port: str) -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-m", "agentcore_identity_cli", "serve", "--print-env", "--port", port],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    values = {}
    for line in out.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export":
            key, _, value = words[1].partition("=")
            values[key] = value
    return values


class _Baseline(BaseHTTPRequestHandler):
    """Answers every identity call with a fixed, valid body: the floor of a Python HTTP server."""

    protocol_version = "HTTP/1.1"
    bodies: ClassVar[dict[str, bytes]] = {
        "/identities/api-key": b'{"apiKey": "sk-baseline"}',
        "/identities/ListApiKeyCredentialProviders": b'{"credentialProviders": []}',
        "/identities/CreateApiKeyCredentialProvider": json.dumps(
            {
                "apiKeySecretArn": {"secretArn": "arn:aws:secretsmanager:local:000000000000:secret:x"},
                "name": "x",
                "credentialProviderArn": "arn:aws:bedrock-agentcore:local:000000000000:token-vault/default/"
                "apikeycredentialprovider/x",
            }
        ).encode(),
    }

    def do_POST(self) -> None:
        # The headers and the body go out in two writes: without TCP_NODELAY the body would
        # wait for the client's delayed ACK of the headers (40 ms on Linux).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = self.bodies.get(self.path, b"{}")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _run_all(url: str, env: dict[str, str], clients: int, requests: int, token: str, rss: Any) -> list[dict[str, Any]]:
    control = [_client(CONTROL, env, url) for _ in range(clients)]
    data = [_client(DATA, env, url) for _ in range(clients)]
    stamp = int(time.time() * 1000)
    return [
        _drive(
            "GetResourceApiKey",
            clients,
            requests,
            lambda i, n: data[i].get_resource_api_key(
                workloadIdentityToken=token, resourceCredentialProviderName="bench"
            ),
            rss,
        ),
        _drive(
            "ListApiKeyCredentialProviders",
            clients,
            requests,
            lambda i, n: control[i].list_api_key_credential_providers(maxResults=20),
            rss,
        ),
        _drive(
            "CreateApiKeyCredentialProvider",
            clients,
            requests,
            lambda i, n: control[i].create_api_key_credential_provider(name=f"b{stamp}-{i}-{n}", apiKey="sk-bench"),
            rss,
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400, help="requests per operation, over all clients")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="bench-serve-")) / "home"
    env = {**os.environ, "AGENTCORE_IDENTITY_HOME": str(home)}
    for key in [k for k in env if k.startswith("AWS_")]:
        del env[key]
    proc, url = _start_serve(env)
    try:
        client_env = _print_env(env, url.rsplit(":", 1)[1])
        control = _client(CONTROL, client_env, url)
        control.create_api_key_credential_provider(name="bench", apiKey="sk-bench")
        for n in range(50):
            control.create_api_key_credential_provider(name=f"seed-{n:03d}", apiKey="sk-seed")
        control.create_workload_identity(name="bench-agent")
        token = _client(DATA, client_env, url).get_workload_access_token(workloadName="bench-agent")[
            "workloadAccessToken"
        ]
        served = _run_all(url, client_env, args.clients, args.requests, token, lambda: _peak_rss(proc.pid))
    finally:
        proc.terminate()
        proc.wait(timeout=60)

    baseline_server = ThreadingHTTPServer(("127.0.0.1", 0), _Baseline)
    threading.Thread(target=baseline_server.serve_forever, daemon=True).start()
    try:
        base_url = f"http://127.0.0.1:{baseline_server.server_address[1]}"
        baseline = _run_all(base_url, client_env, args.clients, args.requests, "t", None)
    finally:
        baseline_server.shutdown()

    print(f"{args.clients} boto3 clients, {args.requests} requests per operation\n")
    head = f"{'operation':<32} {'serve req/s':>11} {'p50 ms':>8} {'p99 ms':>8}"
    print(f"{head}   {'baseline req/s':>14} {'p50':>6} {'p99':>6}")
    for ours, base in zip(served, baseline, strict=True):
        print(
            f"{ours['operation']:<32} {ours['per_second']:>11.0f} {ours['p50_ms']:>8.1f} {ours['p99_ms']:>8.1f}"
            f"   {base['per_second']:>14.0f} {base['p50_ms']:>6.1f} {base['p99_ms']:>6.1f}"
        )
    print(f"\nserve peak RSS under load: {max(r['peak_rss_mib'] for r in served):.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
