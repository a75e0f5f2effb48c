"""A real headless browser and a real return-URL page, for the user-federation (3LO) tests with `serve`.

- `chromium`: Chromium from the OS packages (`/usr/bin/chromium`, installed by .ci/run) driven
  by Playwright; never a browser Playwright downloads. Skipped where either is missing, which
  fails on CI (tests/conftest.py).
- `user_logs_in(chromium, url)`: what the user does with an authorization URL: load it, press
  Allow on the test authorization server's consent page (tests/oauth_server.py), and follow
  every redirect (the provider's, to serve's hosted callback; serve's, to the return URL).
  Returns the text of the last page and its URL.
- `ReturnUrlServer`: the application's page behind `resourceOauth2ReturnUrl`, on loopback: it
  receives the browser with `session_id` (and `state`) and hands them to a function, which
  calls CompleteResourceTokenAuth for the user it knows is at the browser.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

CHROMIUM = os.environ.get("AGENTCORE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium (the system one) under Playwright, shared by a module's tests.

    Per module, not per session: each test module imports this fixture, which makes it a
    fixture of its own there, and two Playwright sync sessions may not be open at once.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the test extra installs playwright")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visit:
    """Where the browser ended, and what that page said."""

    url: str
    text: str
    status: int | None


def user_logs_in(chromium: Any, url: str, *, approve: bool = True, timeout_ms: int = 20_000) -> Visit:
    """Open the authorization URL in a fresh browser context, consent, follow the redirects."""
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        page.goto(url)
        button = "Allow" if approve else "Deny"
        with page.expect_navigation():
            page.get_by_role("button", name=button).click()
        # Serve's callback redirects once more, to the return URL: wait until the browser rests.
        page.wait_for_load_state("load")
        response_status = None
        last = page.evaluate("() => performance.getEntriesByType('navigation').map(e => e.responseStatus)")
        if last:
            response_status = last[-1]
        return Visit(url=page.url, text=page.inner_text("body"), status=response_status)
    finally:
        context.close()


@dataclass
class ReturnUrlServer:
    """The application's return URL on loopback: each visit goes to `on_visit(query) -> page text`."""

    on_visit: Callable[[dict[str, str]], str]
    path: str = "/oauth2/return"
    visits: list[dict[str, str]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.path}"

    def start(self) -> ReturnUrlServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != owner.path:
                    self.send_error(404)
                    return
                query = dict(parse_qsl(parts.query, keep_blank_values=True))
                owner.visits.append(query)
                try:
                    text, status = owner.on_visit(query), 200
                except Exception as exc:  # noqa: BLE001 - the test asserts on it; the browser sees a 500
                    owner.errors.append(exc)
                    text, status = f"failed: {type(exc).__name__}: {exc}", 500
                body = f"<html><body><p id='result'>{text}</p></body></html>".encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@pytest.fixture
def return_url_server() -> Iterator[Callable[[Callable[[dict[str, str]], str]], ReturnUrlServer]]:
    """Start return-URL servers with a visit handler; all stopped after the test."""
    started: list[ReturnUrlServer] = []

    def start(on_visit: Callable[[dict[str, str]], str]) -> ReturnUrlServer:
        server = ReturnUrlServer(on_visit).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
