"""The hosted OAuth2 callback of `serve`: `GET /identities/oauth2/callback/<id>`, as the service hosts it.

Every OAuth2 credential provider has one callback URL, `http://HOST:PORT/identities/oauth2/callback/<uuid>`
while `serve` runs (its `callbackUrl`), and the user-federation sessions that serve starts send
that URL as the `redirect_uri`. The authorization server sends the user's browser here with
`code` and `state`; this page finds the session waiting for that `state` (and for this
provider), exchanges the code with the session's PKCE verifier, keeps the tokens sealed in the
session, and redirects the browser to the session's `resourceOauth2ReturnUrl` with
`session_id=<sessionUri>` (and `state=<customState>` when the agent gave one). The application
behind that URL then calls CompleteResourceTokenAuth for the user it knows is at the browser;
only then do the tokens belong to that user. The refresh token never leaves the vault.

The query string carries an authorization code: it is never logged and never echoed back.
"""

from __future__ import annotations

import html
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import BaseRoute

    from agentcore_identity_cli.server.app import ServerState

PATH = "/identities/oauth2/callback/{callback_id}"
OPERATION = "OAuth2Callback"  # the name the request log gives these pages

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>agentcore-identity</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;color:#222}}</style></head>
<body><h1>{title}</h1><p>{body}</p></body></html>
"""
# The page must not hand the code to another site through the Referer, nor be cached.
_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def routes(state: ServerState) -> list[BaseRoute]:
    """The callback route, matched by the server core before the AWS operations."""
    from starlette.routing import Route

    async def endpoint(request: Request) -> Response:
        return await handle(state, request)

    return [Route(PATH, endpoint, methods=["GET"])]


async def handle(state: ServerState, request: Request) -> Response:
    """One redirect from an authorization server: a 302 to the return URL, or a page saying why not."""
    import anyio
    from starlette.responses import HTMLResponse, RedirectResponse

    from agentcore_identity_cli.server.app import _log_request

    started = time.perf_counter()
    callback_id = str(request.path_params["callback_id"])
    params = dict(request.query_params)
    response: Response
    try:
        outcome = await anyio.to_thread.run_sync(_receive, state, callback_id, params, limiter=state.limiter)
    except _RefusedError as exc:
        response = HTMLResponse(_page("Authorization failed", exc.message), status_code=exc.status, headers=_HEADERS)
    else:
        return_url = outcome.get("returnUrl")
        if return_url:
            response = RedirectResponse(return_url, status_code=302, headers=_HEADERS)
        else:
            message = (
                "Authorization received. The application completes it with CompleteResourceTokenAuth "
                f"for session {outcome['sessionUri']}. You can close this tab."
            )
            response = HTMLResponse(_page("Authorization received", message), headers=_HEADERS)
    elapsed = (time.perf_counter() - started) * 1000
    headers = {k.lower(): v for k, v in request.headers.items()}
    _log_request(state, "GET", request.url.path, OPERATION, response.status_code, elapsed, headers)
    return response


class _RefusedError(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _receive(state: ServerState, callback_id: str, params: dict[str, str]) -> dict[str, Any]:
    """In a worker thread, on a backend of the pool: the session's side of the callback."""
    from agentcore_identity_cli.errors import AgentCoreIdentityError, ServiceError

    with state.pool.backend() as backend:
        try:
            return backend.receive_oauth2_callback(callback_id, params)
        except ServiceError as exc:
            raise _RefusedError(exc.message, 400) from None
        except AgentCoreIdentityError as exc:  # the token endpoint could not be reached, ...
            raise _RefusedError(exc.message, 502) from None
        except Exception as exc:  # noqa: BLE001 - the one catch-all: no traceback reaches a browser
            sys.stderr.write(f"serve: {OPERATION} failed unexpectedly: {type(exc).__name__}\n")
            raise _RefusedError("An internal error occurred.", 500) from None


def _page(title: str, body: str) -> str:
    return _PAGE.format(title=html.escape(title), body=html.escape(body))
