"""The consent portal's page on `serve`, at each portal's `portalUrl` (/consent-portals/<id>).

An end user signs in with the portal's identity provider (its `idpConfig`: authorization code
with PKCE S256, state and nonce, all on the server; the user id is the ID token's `sub`), then
sees the portal's connections and their state for them (connected, expires at, not
connected). Connect runs the provider's user-federation flow on the server, the way an agent's
`get-resource-oauth2-token --oauth2-flow USER_FEDERATION` does: a session of the portal's
workload identity, the provider's consent, serve's hosted callback (server/callback.py), and
back here, where the session is completed for the signed-in user, so the tokens are kept for
(workload identity, provider, user) exactly where get-resource-oauth2-token finds them.
Disconnect deletes them, revoked where the provider can.

The browser holds one cookie: a random session id, signed (HMAC-SHA256 under a key this serve
process draws at start), HttpOnly, SameSite=Lax, scoped to the portal's path, and valid for
SESSION_SECONDS; the session itself (user id, CSRF token, connections in progress) stays in
this process. Before sign-in a second cookie of the same kind binds the sign-in to the browser
that started it. Every state-changing request is a POST that carries the session's CSRF token
and comes from this origin (Origin, Sec-Fetch-Site); the two GETs that finish a redirect
(/callback, /connected) are bound to the browser by their single-use state. No token, code or
secret appears in a page, a URL this page makes, or the log (one line per request, the path
only).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import BaseRoute

    from agentcore_identity_cli.backends.local.backend import LocalBackend
    from agentcore_identity_cli.backends.local.consent_portals import Connection, SignIn
    from agentcore_identity_cli.server.app import ServerState

T = TypeVar("T")

PREFIX = "/consent-portals"
OPERATION = "ConsentPortal"  # the name the request log gives these pages
SESSION_COOKIE = "agentcore_portal"
LOGIN_COOKIE = "agentcore_portal_login"
SESSION_SECONDS = 15 * 60
PENDING_SECONDS = 10 * 60  # a sign-in or a connection waiting for its redirect
MAX_FORM_BYTES = 4096
_HEADERS = {
    "Cache-Control": "no-store",
    # Not no-referrer, under which browsers send `Origin: null` with the page's own forms:
    # same-origin keeps every URL (a redirect's code or state) from any other site all the same.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
}

STYLESHEET = """\
:root { color-scheme: light; --ink: #1b1f24; --muted: #4a525c; --line: #c9ced6; --accent: #0b57d0;
  --ok: #146c2e; --warn: #8a4b00; --bad: #a50e0e; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: var(--bg); }
header, main { max-width: 40rem; margin: 0 auto; padding: 1rem 1.25rem; }
header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between;
  border-bottom: 1px solid var(--line); background: #fff; max-width: none; }
header p { margin: 0; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 0; }
p { margin: 0 0 1rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: 1.25rem; }
ul.connections { list-style: none; margin: 0; padding: 0; display: grid; gap: .75rem; }
ul.connections li { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; justify-content: space-between;
  background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; }
.state { margin: .25rem 0 0; color: var(--muted); }
.state.connected { color: var(--ok); }
.state.expired { color: var(--warn); }
button { font: inherit; font-weight: 600; min-height: 2.75rem; padding: .5rem 1.1rem; border-radius: .375rem;
  border: 2px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button:hover { filter: brightness(.92); }
:focus-visible { outline: 3px solid #e37400; outline-offset: 2px; }
a { color: var(--accent); }
.notice { border-left: 4px solid var(--ok); background: #fff; padding: .75rem 1rem; margin: 0 0 1rem; }
.notice.error { border-color: var(--bad); }
.empty { color: var(--muted); }
@media (max-width: 30rem) { ul.connections li { flex-direction: column; align-items: stretch; }
  button { width: 100%; } }
"""


@dataclass
class _Session:
    """A signed-in user of one portal, kept in this process."""

    portal_id: str
    user: str
    csrf: str
    expires: float
    notices: list[tuple[str, str]] = field(default_factory=list)  # (kind, text), shown once
    # state of a connection in progress -> (provider, its session's URI)
    connecting: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class _PendingSignIn:
    """A sign-in waiting for the identity provider's redirect."""

    login_id: str  # the browser that started it
    sign_in: SignIn
    expires: float


class _PageError(Exception):
    """A page that says why not, with its status."""

    def __init__(self, status: int, title: str, message: str, *, sign_in_link: str | None = None) -> None:
        super().__init__(message)
        self.status, self.title, self.message, self.sign_in_link = status, title, message, sign_in_link


class Portals:
    """The pages of every portal of the served vault, and the sessions of their users."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._sessions: dict[str, _Session] = {}
        self._pending: dict[str, _PendingSignIn] = {}  # by the sign-in's state

    # --- signed values -----------------------------------------------------------------

    def _mac(self, purpose: str, value: str) -> str:
        digest = hmac.new(self._key, f"{purpose}\x1f{value}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def _signed(self, purpose: str, value: str) -> str:
        return f"{value}.{self._mac(purpose, value)}"

    def _unsigned(self, purpose: str, cookie: str | None) -> str | None:
        if not cookie or "." not in cookie:
            return None
        value, mac = cookie.rsplit(".", 1)
        return value if hmac.compare_digest(mac.encode(), self._mac(purpose, value).encode()) else None

    # --- sessions ----------------------------------------------------------------------

    def _forget_expired_sign_ins(self) -> None:
        """Drop the sign-ins whose redirect never came (call with the lock held)."""
        now = time.time()
        for key in [k for k, p in self._pending.items() if p.expires <= now]:
            del self._pending[key]

    def _session(self, request: Request, portal_id: str) -> _Session | None:
        sid = self._unsigned("session", request.cookies.get(SESSION_COOKIE))
        if sid is None:
            return None
        now = time.time()
        with self._lock:
            for key in [k for k, s in self._sessions.items() if s.expires <= now]:
                del self._sessions[key]
            found = self._sessions.get(sid)
        return found if found is not None and found.portal_id == portal_id else None

    def _require_session(self, request: Request, portal_id: str) -> _Session:
        session = self._session(request, portal_id)
        if session is None:
            raise _PageError(
                401,
                "Your session has expired",
                "Sign in again to see and change your connections.",
                sign_in_link=_path(portal_id),
            )
        return session

    async def _session_post(self, request: Request, portal_id: str) -> tuple[dict[str, str], _Session]:
        """The form of a state-changing request of a signed-in user, checked, and their session."""
        form = await _form(request)
        session = self._require_session(request, portal_id)
        self._check_post(request, form, session.csrf)
        return form, session

    def _check_post(self, request: Request, form: dict[str, str], expected: str) -> None:
        """A state-changing request: from this origin, with the CSRF token of this browser."""
        site = request.headers.get("sec-fetch-site")
        origin = request.headers.get("origin")
        own = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if (site is not None and site != "same-origin") or (origin is not None and origin != own):
            raise _PageError(403, "Request refused", "This request did not come from this portal's page.")
        token = form.get("csrf_token", "")
        if not token or not hmac.compare_digest(token.encode(), expected.encode()):
            raise _PageError(403, "Request refused", "The form was not this page's, or it is too old. Reload the page.")

    # --- the backend, in a worker thread -----------------------------------------------

    async def _call(self, action: Callable[[LocalBackend], T]) -> T:
        import anyio

        def run() -> T:
            with self.state.pool.backend() as backend:
                return action(backend)

        try:
            return await anyio.to_thread.run_sync(run, limiter=self.state.limiter)
        except _PageError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes a page, never a traceback
            raise _failure_page(exc) from None

    async def _portal(self, portal_id: str) -> dict[str, Any]:
        def read(backend: LocalBackend) -> dict[str, Any]:
            from agentcore_identity_cli.errors import ServiceError

            try:
                row = backend.consent_portal(portal_id)
            except ServiceError as exc:
                if exc.code in ("ResourceNotFoundException", "ValidationException"):
                    raise _PageError(
                        404, "No such consent portal", "There is no consent portal at this address."
                    ) from None
                raise
            idp_arn = row["attrs"]["idpConfig"]["credentialProviderArn"]
            return {
                "name": row["name"],
                "description": row["attrs"].get("description"),
                "idp": idp_arn.rsplit("/", 1)[-1],
            }

        return await self._call(read)

    # --- the pages ---------------------------------------------------------------------

    async def home(self, request: Request, portal_id: str) -> Response:
        portal = await self._portal(portal_id)
        session = self._session(request, portal_id)
        if session is None:
            return self._sign_in_page(request, portal_id, portal)
        connections = await self._call(lambda backend: backend.portal_connections(portal_id, session.user))
        with self._lock:
            notices, session.notices = session.notices, []
        body = _connections_body(portal_id, portal, session, connections, notices)
        return _html(f"{portal['name']}: connections", body, header=_account_header(portal_id, session))

    def _sign_in_page(self, request: Request, portal_id: str, portal: dict[str, Any]) -> Response:
        login_id = self._unsigned("login", request.cookies.get(LOGIN_COOKIE)) or secrets.token_urlsafe(24)
        csrf = self._mac("login-csrf", login_id)
        description = portal["description"] or "Sign in to see and connect the accounts an agent may use for you."
        body = (
            f'<div class="card"><h1>{_e(portal["name"])}</h1><p>{_e(description)}</p>'
            f'<form method="post" action="{_path(portal_id, "sign-in")}">'
            f'<input type="hidden" name="csrf_token" value="{_e(csrf)}">'
            f'<button type="submit">Sign in with {_e(portal["idp"])}</button></form></div>'
        )
        response = _html(f"Sign in: {portal['name']}", body)
        _set_cookie(response, LOGIN_COOKIE, self._signed("login", login_id), portal_id, PENDING_SECONDS)
        return response

    async def sign_in(self, request: Request, portal_id: str) -> Response:
        from starlette.responses import RedirectResponse

        form = await _form(request)
        login_id = self._unsigned("login", request.cookies.get(LOGIN_COOKIE))
        if login_id is None:
            raise _PageError(
                403, "Request refused", "Sign-in must start from the portal's page.", sign_in_link=_path(portal_id)
            )
        self._check_post(request, form, self._mac("login-csrf", login_id))
        redirect_uri = self._base() + _path(portal_id, "callback")
        started = await self._call(lambda backend: backend.portal_sign_in(portal_id, redirect_uri))
        with self._lock:
            self._forget_expired_sign_ins()
            self._pending[started.pending.state] = _PendingSignIn(login_id, started, time.time() + PENDING_SECONDS)
        return RedirectResponse(started.url, status_code=303, headers=_HEADERS)

    async def callback(self, request: Request, portal_id: str) -> Response:
        from starlette.responses import RedirectResponse

        params = dict(request.query_params)
        with self._lock:
            self._forget_expired_sign_ins()
            pending = self._pending.pop(params.get("state") or "", None)
        login_id = self._unsigned("login", request.cookies.get(LOGIN_COOKIE))
        if pending is None or pending.sign_in.portal_id != portal_id:
            raise _PageError(
                400, "This sign-in has expired", "Start again from the portal's page.", sign_in_link=_path(portal_id)
            )
        if login_id is None or not hmac.compare_digest(login_id.encode(), pending.login_id.encode()):
            raise _PageError(
                400, "Sign-in refused", "This sign-in was started in another browser.", sign_in_link=_path(portal_id)
            )
        if params.get("error"):
            raise _PageError(
                403,
                "Sign-in was declined",
                f"The identity provider did not sign you in ({_error_code(params['error'])}).",
                sign_in_link=_path(portal_id),
            )
        user = await self._call(lambda backend: backend.portal_sign_in_complete(pending.sign_in, params))
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[sid] = _Session(portal_id, user, secrets.token_urlsafe(32), time.time() + SESSION_SECONDS)
        response = RedirectResponse(_path(portal_id), status_code=303, headers=_HEADERS)
        _set_cookie(response, SESSION_COOKIE, self._signed("session", sid), portal_id, SESSION_SECONDS)
        response.delete_cookie(LOGIN_COOKIE, path=_path(portal_id))
        return response

    async def sign_out(self, request: Request, portal_id: str) -> Response:
        from starlette.responses import RedirectResponse

        _, session = await self._session_post(request, portal_id)
        with self._lock:
            for key in [k for k, s in self._sessions.items() if s is session]:
                del self._sessions[key]
        response = RedirectResponse(_path(portal_id), status_code=303, headers=_HEADERS)
        response.delete_cookie(SESSION_COOKIE, path=_path(portal_id))
        return response

    async def connect(self, request: Request, portal_id: str) -> Response:
        from starlette.responses import RedirectResponse

        form, session = await self._session_post(request, portal_id)
        provider = form.get("provider", "")
        state = secrets.token_urlsafe(32)
        return_url = self._base() + _path(portal_id, "connected")
        url, session_uri = await self._call(
            lambda backend: backend.portal_connect(portal_id, provider, session.user, return_url, state)
        )
        with self._lock:
            session.connecting[state] = (provider, session_uri)
        return RedirectResponse(url, status_code=303, headers=_HEADERS)

    async def connected(self, request: Request, portal_id: str) -> Response:
        """The provider's consent came back through serve's hosted callback."""
        from starlette.responses import RedirectResponse

        session = self._require_session(request, portal_id)
        params = dict(request.query_params)
        state = params.get("state") or ""
        with self._lock:
            found = next(
                (p for s, p in session.connecting.items() if hmac.compare_digest(s.encode(), state.encode())), None
            )
            if found is not None:
                del session.connecting[state]
        session_uri = params.get("session_id") or ""
        if found is None or not hmac.compare_digest(found[1].encode(), session_uri.encode()):
            raise _PageError(400, "Unknown connection attempt", "Start the connection again from your connections.")
        provider = found[0]
        if params.get("error"):
            raise _PageError(
                403,
                f"{provider}: consent was declined",
                f"{provider} was not connected: the provider answered {_error_code(params['error'])}. "
                "Nothing was stored. You can try again from your connections.",
                sign_in_link=_path(portal_id),
            )
        await self._call(lambda backend: backend.portal_connect_complete(session_uri, session.user))
        with self._lock:
            session.notices.append(("ok", f"{provider} is connected."))
        return RedirectResponse(_path(portal_id), status_code=303, headers=_HEADERS)

    async def disconnect(self, request: Request, portal_id: str) -> Response:
        from starlette.responses import RedirectResponse

        form, session = await self._session_post(request, portal_id)
        provider = form.get("provider", "")
        result = await self._call(lambda backend: backend.portal_disconnect(portal_id, provider, session.user))
        text = f"{provider} is disconnected."
        if result.revoked:
            text += " The provider revoked its tokens too."
        with self._lock:
            session.notices.append(("ok", text))
        return RedirectResponse(_path(portal_id), status_code=303, headers=_HEADERS)

    def _base(self) -> str:
        return self.state.base_url


# --- routes ------------------------------------------------------------------------------


def routes(state: ServerState) -> list[BaseRoute]:
    """The portal pages, matched by the server core before the AWS operations."""
    from starlette.responses import Response as PlainResponse
    from starlette.routing import Route

    portals = Portals(state)

    def page(handler: Callable[[Request, str], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            started = time.perf_counter()
            portal_id = str(request.path_params["portal_id"])
            try:
                response: Response = await handler(request, portal_id)
            except _PageError as exc:
                response = _error_page(exc)
            except Exception as exc:  # noqa: BLE001 - the page's catch-all: no traceback reaches a browser
                response = _error_page(_failure_page(exc))
            _log(state, request, response.status_code, started)
            return response

        return endpoint

    async def stylesheet(request: Request) -> Response:
        headers = {"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"}
        return PlainResponse(STYLESHEET, media_type="text/css", headers=headers)

    base = PREFIX + "/{portal_id}"
    return [
        Route(PREFIX + "/static/portal.css", stylesheet, methods=["GET"]),
        Route(base, page(portals.home), methods=["GET"]),
        Route(base + "/sign-in", page(portals.sign_in), methods=["POST"]),
        Route(base + "/callback", page(portals.callback), methods=["GET"]),
        Route(base + "/sign-out", page(portals.sign_out), methods=["POST"]),
        Route(base + "/connect", page(portals.connect), methods=["POST"]),
        Route(base + "/connected", page(portals.connected), methods=["GET"]),
        Route(base + "/disconnect", page(portals.disconnect), methods=["POST"]),
    ]


# --- helpers -----------------------------------------------------------------------------


def _path(portal_id: str, *rest: str) -> str:
    return "/".join((PREFIX, portal_id, *rest))


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _error_code(value: str) -> str:
    """An OAuth error code fit to show: its own characters only (RFC 6749 section 4.1.2.1)."""
    return value if value.replace("_", "").isalnum() and len(value) <= 64 else "an error"


async def _form(request: Request) -> dict[str, str]:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise _PageError(413, "Request refused", "The form is too large.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise _PageError(413, "Request refused", "The form is too large.")
    from urllib.parse import parse_qsl

    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def _set_cookie(response: Response, name: str, value: str, portal_id: str, seconds: int) -> None:
    response.set_cookie(
        name, value, max_age=seconds, path=_path(portal_id), httponly=True, samesite="lax", secure=False
    )


def _failure_page(exc: Exception) -> _PageError:
    from agentcore_identity_cli.errors import AgentCoreIdentityError, ServiceError

    if isinstance(exc, ServiceError):  # the vault's or the provider's refusal: its message carries no secret
        status = 404 if exc.code == "ResourceNotFoundException" else 403 if "Denied" in exc.code else 400
        return _PageError(status, "That did not work", exc.message)
    if isinstance(exc, AgentCoreIdentityError):  # a provider that could not be reached, ...
        return _PageError(502, "That did not work", exc.message)
    sys.stderr.write(f"serve: {OPERATION} failed unexpectedly: {type(exc).__name__}\n")
    return _PageError(500, "Something went wrong", "An internal error occurred.")


def _error_page(error: _PageError) -> Response:
    link = f'<p><a href="{_e(error.sign_in_link)}">Back to the portal</a></p>' if error.sign_in_link else ""
    body = f'<div class="card"><h1>{_e(error.title)}</h1><p>{_e(error.message)}</p>{link}</div>'
    return _html(error.title, body, status=error.status)


def _html(title: str, body: str, *, status: int = 200, header: str = "") -> Response:
    from starlette.responses import HTMLResponse

    document = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title>"
        f'<link rel="stylesheet" href="{PREFIX}/static/portal.css"></head>'
        f"<body>{header}<main>{body}</main></body></html>\n"
    )
    return HTMLResponse(document, status_code=status, headers=_HEADERS)


def _account_header(portal_id: str, session: _Session) -> str:
    return (
        f"<header><p>Signed in as <strong>{_e(session.user)}</strong></p>"
        f'<form method="post" action="{_path(portal_id, "sign-out")}">'
        f'<input type="hidden" name="csrf_token" value="{_e(session.csrf)}">'
        '<button type="submit" class="secondary">Sign out</button></form></header>'
    )


def _state_text(connection: Connection) -> tuple[str, str]:
    """(CSS class, words) of a connection's state."""
    from datetime import UTC, datetime

    if not connection.connected:
        if connection.expires_at is not None:
            return "expired", "Expired: connect again"
        return "", "Not connected"
    if connection.expires_at is None:
        return "connected", "Connected"
    when = datetime.fromtimestamp(connection.expires_at, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    if connection.renewable:
        return "connected", f"Connected · access renews automatically (current token expires at {when})"
    return "connected", f"Connected · expires at {when}"


def _connections_body(
    portal_id: str,
    portal: dict[str, Any],
    session: _Session,
    connections: list[Connection],
    notices: list[tuple[str, str]],
) -> str:
    shown = "".join(f'<p class="notice {_e(kind)}">{_e(text)}</p>' for kind, text in notices)
    items = ""
    for connection in connections:
        css, words = _state_text(connection)
        action, label, style = (
            ("disconnect", "Disconnect", "secondary") if connection.connected else ("connect", "Connect", "")
        )
        items += (
            f'<li><div><h2 id="c-{_e(connection.provider)}">{_e(connection.label)}: {_e(connection.provider)}</h2>'
            f'<p class="state {css}">{_e(words)}</p></div>'
            f'<form method="post" action="{_path(portal_id, action)}">'
            f'<input type="hidden" name="provider" value="{_e(connection.provider)}">'
            f'<input type="hidden" name="csrf_token" value="{_e(session.csrf)}">'
            f'<button type="submit" class="{style}" aria-describedby="c-{_e(connection.provider)}">{label}</button>'
            "</form></li>"
        )
    listing = (
        f'<ul class="connections" aria-label="Connections">{items}</ul>'
        if items
        else '<p class="empty">This portal has no connections yet.</p>'
    )
    intro = portal["description"] or "The accounts an agent may use on your behalf."
    return (
        f'<div role="status" aria-live="polite">{shown}</div><h1>{_e(portal["name"])}</h1><p>{_e(intro)}</p>{listing}'
    )


def _log(state: ServerState, request: Request, status: int, started: float) -> None:
    from agentcore_identity_cli.server.app import _log_request

    elapsed = (time.perf_counter() - started) * 1000
    headers = {k.lower(): v for k, v in request.headers.items()}
    # The path only: the query of a redirect carries a code or a state.
    _log_request(state, request.method, request.url.path, OPERATION, status, elapsed, headers)
