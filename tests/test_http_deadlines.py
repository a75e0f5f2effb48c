"""Every outgoing request of the OAuth engine has an overall deadline and a bounded answer.

The servers here are real sockets on 127.0.0.1 that misbehave the way an attacker's or a
broken endpoint would: one byte a second (never tripping a per-read timeout), a 5 MB body
with or without Content-Length, or a small gzip body that inflates to 50 MB.
"""

from __future__ import annotations

import base64
import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from agentcore_identity_cli.oauth import discovery, flows
from agentcore_identity_cli.oauth.http import (
    DEFAULT_DEADLINE,
    ResponseDeadlineError,
    ResponseTooLargeError,
    deadline_for,
)

SECRET = "s3cret-client-value"
BIG = 5 * 1024 * 1024


class MisbehavingServer:
    """A loopback HTTP/1.1 server: a good discovery document, and `mode` on every other path
    (or on the discovery path too when `bad_discovery`)."""

    def __init__(self, mode: str, *, bad_discovery: bool = False) -> None:
        self.mode = mode
        self.bad_discovery = bad_discovery
        self.stopped = threading.Event()
        self.paths: list[str] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def discovery_url(self) -> str:
        return self.url + "/.well-known/openid-configuration"

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                head = b""
                while b"\r\n\r\n" not in head:
                    data = conn.recv(65536)
                    if not data:
                        return
                    head += data
                path = head.split(b" ", 2)[1].decode()
                self.paths.append(path)
                if path.endswith("openid-configuration") and not self.bad_discovery:
                    self._send_json(conn, self._document())
                else:
                    self._misbehave(conn)
            except OSError:
                return  # the client gave up, as it should

    def _document(self) -> dict[str, Any]:
        return {"issuer": self.url, "token_endpoint": self.url + "/token", "jwks_uri": self.url + "/jwks"}

    @staticmethod
    def _send_json(conn: socket.socket, document: object, extra: bytes = b"") -> None:
        body = json.dumps(document).encode()
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + extra
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )

    def _misbehave(self, conn: socket.socket) -> None:
        json_head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        if self.mode == "dribble":
            # The status line and headers themselves arrive a byte a second.
            payload = json_head + b"Content-Length: 100000\r\n\r\n" + b" " * 100000
            for byte in payload:
                if self.stopped.wait(1.0):
                    return
                conn.sendall(bytes([byte]))
        elif self.mode == "dribble-body":
            conn.sendall(json_head + b"Content-Length: 100000\r\n\r\n{")
            while not self.stopped.wait(1.0):
                conn.sendall(b" ")
        elif self.mode == "huge":
            conn.sendall(json_head + f"Content-Length: {BIG + 8}\r\n\r\n".encode())
            conn.sendall(b'{"a": "' + b"x" * BIG + b'"}')
        elif self.mode == "huge-declared":
            # Declares 5 MB, sends a little, then waits: only the declared size can refuse it at once.
            conn.sendall(json_head + f"Content-Length: {BIG + 8}\r\n\r\n".encode() + b'{"a": "')
            self.stopped.wait(30)
        elif self.mode == "huge-unsized":
            conn.sendall(json_head + b"\r\n" + b'{"a": "')
            for _ in range(BIG // 65536):
                conn.sendall(b"x" * 65536)
            conn.sendall(b'"}')
        elif self.mode == "gzip-bomb":
            body = gzip.compress(b'{"a": "' + b"0" * (50 * 1024 * 1024) + b'"}')
            conn.sendall(json_head + f"Content-Encoding: gzip\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        elif self.mode == "gzip-good":
            body = gzip.compress(json.dumps(self._document()).encode())
            conn.sendall(json_head + f"Content-Encoding: gzip\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[MisbehavingServer] = []

    def start(mode: str, **kwargs: Any) -> MisbehavingServer:
        servers.append(MisbehavingServer(mode, **kwargs))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _provider(cli: Any, server: MisbehavingServer) -> None:
    result = cli(
        "create-oauth2-credential-provider",
        "--name",
        "corp",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--discovery-url",
        server.discovery_url,
        "--client-id",
        "app",
        "--client-secret",
        "-",
        input=SECRET,
    )
    assert result.exit_code == 0, result.stderr


def _client(server: MisbehavingServer, timeout: float = 2) -> flows.OAuthClient:
    endpoints = flows.Endpoints(token=server.url + "/token", revocation=server.url + "/revoke")
    return flows.OAuthClient(client_id="app", client_secret=SECRET, endpoints=endpoints, timeout=timeout)


def test_default_deadline_is_60_seconds_and_read_timeout_only_shortens_it():
    assert DEFAULT_DEADLINE == 60
    assert deadline_for(None) == 60
    assert deadline_for(2) == 2
    assert deadline_for(600) == 60


def test_token_endpoint_sending_a_byte_a_second_fails_255_at_the_deadline_naming_it(cli, serve):
    server = serve("dribble")
    _provider(cli, server)
    started = time.monotonic()
    result = cli("--cli-read-timeout", "2", "token", "corp", "--oauth2-flow", "M2M")
    elapsed = time.monotonic() - started
    assert result.exit_code == 255
    assert f"{server.url}/token did not answer in full within 2 seconds" in result.stderr
    assert "unexpected" not in result.stderr.lower()
    assert SECRET not in result.stderr + result.stdout
    assert elapsed < 8


def test_token_body_dribbled_after_quick_headers_still_meets_the_deadline(cli, serve):
    server = serve("dribble-body")
    _provider(cli, server)
    started = time.monotonic()
    result = cli("--cli-read-timeout", "2", "token", "corp", "--oauth2-flow", "M2M")
    assert result.exit_code == 255
    assert "/token did not answer in full" in result.stderr
    assert time.monotonic() - started < 8


def test_discovery_document_of_5_mb_is_refused_255_without_reading_it(cli, serve):
    server = serve("huge", bad_discovery=True)
    _provider(cli, server)
    result = cli("token", "corp", "--oauth2-flow", "M2M")
    assert result.exit_code == 255
    assert f"{server.discovery_url} answered with more than 1024 KiB" in result.stderr
    assert SECRET not in result.stderr


def test_a_declared_content_length_over_the_cap_is_refused_before_the_body_arrives(serve):
    server = serve("huge-declared", bad_discovery=True)
    with pytest.raises(ResponseTooLargeError):
        discovery.fetch(server.discovery_url, timeout=2)


def test_discovery_document_without_content_length_is_cut_off_at_1_mib(serve):
    server = serve("huge-unsized", bad_discovery=True)
    with pytest.raises(ResponseTooLargeError) as caught:
        discovery.fetch(server.discovery_url, timeout=2)
    assert caught.value.exit_code == 255
    assert server.discovery_url in caught.value.message


def test_gzip_bomb_is_cut_off_while_decompressing(serve):
    server = serve("gzip-bomb", bad_discovery=True)
    with pytest.raises(ResponseTooLargeError):
        discovery.fetch(server.discovery_url, timeout=2)


def test_gzip_compressed_document_of_normal_size_is_read(serve):
    server = serve("gzip-good", bad_discovery=True)
    document = discovery.fetch(server.discovery_url, timeout=2)
    assert document["token_endpoint"] == server.url + "/token"


def test_discovery_dribbling_a_byte_a_second_fails_at_the_deadline(serve):
    server = serve("dribble", bad_discovery=True)
    started = time.monotonic()
    with pytest.raises(ResponseDeadlineError) as caught:
        discovery.fetch(server.discovery_url, timeout=2)
    assert caught.value.exit_code == 255
    assert server.discovery_url in caught.value.message
    assert time.monotonic() - started < 6


def test_revocation_endpoint_dribbling_fails_at_the_deadline_without_the_token_or_secret(serve):
    server = serve("dribble")
    started = time.monotonic()
    with pytest.raises(ResponseDeadlineError) as caught:
        flows.revoke(_client(server), "at-very-secret-token", "access_token")
    assert f"{server.url}/revoke" in caught.value.message
    assert "at-very-secret-token" not in caught.value.message and SECRET not in caught.value.message
    assert time.monotonic() - started < 6


def test_token_answer_of_5_mb_is_refused(serve):
    server = serve("huge")
    with pytest.raises(ResponseTooLargeError) as caught:
        flows.client_credentials(_client(server), ["read"])
    assert f"{server.url}/token" in caught.value.message


def test_trusted_issuer_discovery_dribbling_fails_255_at_the_deadline(cli, serve):
    server = serve("dribble", bad_discovery=True)
    started = time.monotonic()
    result = cli(
        "--cli-read-timeout",
        "2",
        "trusted-issuer",
        "add",
        "--discovery-url",
        server.discovery_url,
        "--audiences",
        "api",
    )
    assert result.exit_code == 255
    assert f"{server.discovery_url} did not answer in full within 2 seconds" in result.stderr
    assert time.monotonic() - started < 8


def _unsigned_looking_jwt(issuer: str) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    claims = {"iss": issuer, "sub": "alice", "aud": "api", "exp": int(time.time()) + 600}
    return f"{part({'alg': 'RS256', 'kid': 'k1'})}.{part(claims)}.c2lnbmF0dXJl"


def test_jwks_of_5_mb_is_refused_255_when_a_user_token_is_checked(cli, serve):
    server = serve("huge")
    added = cli(
        "trusted-issuer", "add", "--issuer", server.url, "--jwks-url", server.url + "/jwks", "--audiences", "api"
    )
    assert added.exit_code == 0, added.stderr
    assert cli("create-workload-identity", "--name", "agent").exit_code == 0
    result = cli(
        "get-workload-access-token-for-jwt",
        "--workload-name",
        "agent",
        "--user-token",
        "-",
        input=_unsigned_looking_jwt(server.url),
    )
    assert result.exit_code == 255
    assert f"{server.url}/jwks answered with more than 1024 KiB" in result.stderr


def test_requests_through_a_proxy_from_the_environment_keep_their_deadline(serve, monkeypatch):
    proxy = serve("dribble", bad_discovery=True)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    target = "http://127.0.0.1:9/.well-known/openid-configuration"
    started = time.monotonic()
    with pytest.raises(ResponseDeadlineError):
        discovery.fetch(target, timeout=2)
    assert proxy.paths == [target]  # the request went through the proxy, in absolute form
    assert time.monotonic() - started < 6
