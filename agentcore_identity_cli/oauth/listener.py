"""The loopback redirect listener of a browser login (RFC 8252 section 7.3).

It listens on 127.0.0.1 on a random port, path ``/callback`` (or on the port and path of a
return URL registered on a workload identity, for ``login`` on the aws backend), and is
started before the browser is opened. It answers the one redirect it waits for, holding the browser's page
until the login has finished so that the page can say whether it worked, and then closes.
Other paths (a browser asking for /favicon.ico) get a 404 and do not end the wait.
A redirected URL pasted by the user (``login --no-browser`` on an SSH host) is accepted
through :meth:`LoopbackListener.submit` as if the browser had delivered it.
"""

from __future__ import annotations

import html
import queue
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from agentcore_identity_cli.oauth.http import OAuthTimeoutError

CALLBACK_PATH = "/callback"
PAGE_WAIT = 60.0  # how long the browser's page waits for the login to finish

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>agentcore-identity</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;color:#222}}</style></head>
<body><h1>{title}</h1><p>{body}</p></body></html>
"""


class _Server(HTTPServer):
    listener: LoopbackListener


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "agentcore-identity"
    sys_version = ""
    protocol_version = "HTTP/1.0"
    error_message_format = "%(code)d %(message)s\n"
    error_content_type = "text/plain"

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        listener = self.server.listener
        if parts.path != listener.path or listener.answered.is_set():
            self.send_error(404)
            return
        listener.answered.set()
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        listener.arrivals.put(params)
        listener.finished.wait(PAGE_WAIT)
        ok, message = listener.outcome
        title = "Logged in" if ok else "Login failed"
        page = _PAGE.format(title=title, body=html.escape(message)).encode()
        self.send_response(200 if ok else 400)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, format: str, *args: object) -> None:
        # The query string holds the authorization code: never write request lines anywhere.
        return


class LoopbackListener:
    """A one-shot HTTP listener for the authorization redirect."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        path: str = CALLBACK_PATH,
        expect: tuple[str, ...] = ("code", "error"),
    ) -> None:
        self.host = host
        self.port = port  # 0: a random free port; a session fixes its port when it starts
        self.path = path  # a registered return URL (login on the aws backend) fixes its own
        self.expect = expect  # a pasted URL must carry one of these query parameters
        self.arrivals: queue.Queue[dict[str, str]] = queue.Queue()
        self.answered = threading.Event()
        self.finished = threading.Event()
        self.outcome: tuple[bool, str] = (False, "The login did not finish.")
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def redirect_uri(self) -> str:
        """http://127.0.0.1:PORT/callback."""
        assert self._server is not None, "start the listener first"
        return f"http://{self.host}:{self._server.server_address[1]}{self.path}"

    def start(self) -> LoopbackListener:
        """Bind the port (random unless given) and serve in a background thread."""
        server = _Server((self.host, self.port), _Handler)
        server.listener = self
        server.timeout = 0.2
        self._server = server
        self._thread = threading.Thread(target=self._serve, name="oauth-redirect-listener", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        assert self._server is not None
        while not self._stop.is_set():
            self._server.handle_request()
            if self.answered.is_set() and self.finished.is_set():
                break

    def submit(self, url: str) -> bool:
        """Accept a redirected URL pasted by the user; False when it is not a redirect."""
        parts = urlsplit(url.strip())
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if not any(key in params for key in self.expect):
            return False
        self.arrivals.put(params)
        return True

    def wait(self, timeout: float, on_idle: Callable[[], None] | None = None) -> dict[str, str]:
        """The query parameters of the redirect; OAuthTimeoutError after `timeout` seconds.
        `on_idle` is called about every 0.2 s while waiting."""
        deadline = time.monotonic() + timeout
        while True:
            if on_idle is not None:
                on_idle()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise OAuthTimeoutError(
                    f"No answer from the browser within {timeout:g} seconds: the login was abandoned.",
                    hint="run the login again, or use --no-browser and paste the redirected URL",
                )
            try:
                return self.arrivals.get(timeout=min(remaining, 0.2))
            except queue.Empty:
                continue

    def finish(self, ok: bool, message: str) -> None:
        """Tell the waiting browser page how the login ended, then stop listening."""
        self.outcome = (ok, message)
        self.finished.set()

    def close(self) -> None:
        """Stop serving and release the port."""
        self.finished.set()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._server is not None:
            self._server.server_close()

    def __enter__(self) -> LoopbackListener:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
