"""Sending a user to an authorization page and waiting for the redirect, for every login.

The browser is opened with Python's webbrowser (which honours $BROWSER); where none opens,
or with --no-browser, the URL is printed and the redirected address can be pasted (a
login from an SSH session). A spinner shows on stderr only when a person watches it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentcore_identity_cli.cli.context import AppContext
    from agentcore_identity_cli.oauth.listener import LoopbackListener


@contextmanager
def spinner(app_ctx: AppContext, text: str) -> Iterator[None]:
    """A spinner on stderr, only when a person watches it."""
    if not app_ctx.io.stderr_is_tty:
        yield
        return
    from rich.console import Console

    console = Console(file=app_ctx.io.stderr, no_color=app_ctx.io.no_color)
    with console.status(text):
        yield


class BrowserLauncher:
    """Opens the URL with Python's webbrowser (which honours $BROWSER) in a thread: some
    browser commands return only when the page is done with."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.outcome: bool | None = None  # None while the launcher runs
        threading.Thread(target=self._run, name="open-browser", daemon=True).start()

    def _run(self) -> None:
        import webbrowser

        try:
            self.outcome = bool(webbrowser.open(self.url))
        except webbrowser.Error:
            self.outcome = False


def read_pasted(app_ctx: AppContext, listener: LoopbackListener) -> None:
    """Feed URLs pasted on stdin to the listener (a login from an SSH session)."""

    def run() -> None:
        for line in iter(app_ctx.io.stdin.readline, ""):
            if not line.strip():
                continue
            if not listener.submit(line):
                app_ctx.io.warn("That is not the address the browser was sent to; paste the whole URL.")

    threading.Thread(target=run, name="read-pasted-url", daemon=True).start()


def await_redirect(
    app_ctx: AppContext, listener: LoopbackListener, provider: str, url: str, *, no_browser: bool, timeout: float
) -> dict[str, str]:
    """Send the user to `url` (a browser, or the URL printed when there is none or with
    --no-browser, then a pasted redirect accepted) and wait for the redirect's parameters."""
    io = app_ctx.io
    manual = False

    def print_url() -> None:
        nonlocal manual
        manual = True
        io.warn(f"Open this URL in a browser to log in to '{provider}':\n\n    {url}\n")
        io.warn(
            f"Then paste here the address the browser was sent to (it starts with {listener.redirect_uri}); "
            "if that browser runs on this machine, this happens by itself."
        )
        read_pasted(app_ctx, listener)

    launcher = None
    if no_browser:
        print_url()
    else:
        launcher = BrowserLauncher(url)
        io.warn(f"Opening a browser to log in to '{provider}'; finish there.")

    def fall_back() -> None:
        if launcher is not None and launcher.outcome is False and not manual:
            io.warn("No browser could be opened.")
            print_url()

    with spinner(app_ctx, "Waiting for the browser... (Ctrl-C to cancel)"):
        return listener.wait(timeout, on_idle=fall_back)
