"""A small OpenID provider on 127.0.0.1 for tests: discovery and JWKS, and tokens it signs."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OctKey, RSAKey


class Issuer:
    """Signs user tokens and publishes its keys over HTTP."""

    def __init__(self) -> None:
        self.keys = [RSAKey.generate_key(2048, auto_kid=True), ECKey.generate_key("P-256", auto_kid=True)]
        self.url = ""
        self.jwks_fetches = 0

    def token(self, *, key_index: int = 0, alg: str = "RS256", **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": self.url, "sub": "alice", "aud": "agent-api", "iat": now, "exp": now + 300, **claims}
        body = {k: v for k, v in body.items() if v is not None}
        key = self.keys[key_index]
        return str(jwt.encode({"alg": alg, "kid": key.kid}, body, key, algorithms=[alg]))

    def rotate(self) -> None:
        """A new key at the issuer, published in the JWKS."""
        self.keys.append(RSAKey.generate_key(2048, auto_kid=True))

    def jwks(self) -> dict[str, Any]:
        return KeySet(self.keys).as_dict(private=False)


def unsigned_token(issuer: Issuer, **claims: Any) -> str:
    """A token with alg none: header and claims, empty signature."""
    import base64

    def b64(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    body = {"iss": issuer.url, "sub": "mallory", "aud": "agent-api", "exp": now + 300, **claims}
    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(body)}."


def hs256_token(issuer: Issuer) -> str:
    """A token signed with a shared secret, as an attacker who knows the JWKS might try."""
    key = OctKey.import_key(b"a-shared-secret-of-enough-length-0123456789")
    now = int(time.time())
    body = {"iss": issuer.url, "sub": "mallory", "aud": "agent-api", "exp": now + 300}
    return str(jwt.encode({"alg": "HS256"}, body, key, algorithms=["HS256"]))


@contextmanager
def serve_issuer() -> Iterator[Issuer]:
    """Run an Issuer on a random loopback port for the duration of a test."""
    issuer = Issuer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/.well-known/openid-configuration":
                body: dict[str, Any] = {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks"}
            elif self.path == "/jwks":
                issuer.jwks_fetches += 1
                body = issuer.jwks()
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    issuer.url = f"http://127.0.0.1:{server.server_address[1]}"
    # A short poll so that shutting down at the end of a test takes milliseconds, not half a second.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
