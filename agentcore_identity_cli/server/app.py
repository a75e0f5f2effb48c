"""The ASGI app of `serve` and its lifecycle: uvicorn, a pool of vault connections, clean shutdown.

One request: read the body (at most 1 MiB, within a time limit) → route by the service
models → authenticate (SigV4 with the vault's key) → parse → the same `validated_call` as
the CLI, on a backend of the pool, in a worker thread → serialize. Every failure is an
AWS-shaped error; nothing unexpected reaches the client as a traceback.

Other pages plug in through `server/callback.py` (the hosted OAuth2 callback) and
`server/portal.py` (the consent portals' pages): when such a module has
`routes(state: ServerState) -> list[starlette.routing.BaseRoute]`, its routes are matched
before the AWS operations.
"""

from __future__ import annotations

import importlib
import logging
import queue
import socket
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentcore_identity_cli.server.auth import AccessKey, WireRequest, verify
from agentcore_identity_cli.server.protocol import WireError, parse_request, route, serialize_error, serialize_response

if TYPE_CHECKING:
    from botocore.model import OperationModel
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

    from agentcore_identity_cli.backends.local.backend import LocalBackend
    from agentcore_identity_cli.config import Settings

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
BODY_TIMEOUT_SECONDS = 30.0
HEADER_TIMEOUT_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 5
GRACEFUL_SHUTDOWN_SECONDS = 30
WORKER_THREADS = 16
DEFAULT_REGION = "us-east-1"

# Authorised by the workload access token in the request, as on AWS: no signature is required.
TOKEN_AUTHORISED = frozenset(
    {"GetResourceApiKey", "GetResourceOauth2Token", "GetResourcePaymentToken", "CompleteResourceTokenAuth"}
)
_REDACTED_HEADERS = ("authorization", "x-amz-security-token", "cookie", "token", "secret", "password")


class BackendPool:
    """Local backends on one vault, one per concurrent request: SQLite connections stay per thread."""

    def __init__(self, settings: Settings, base_url: str, prompt: Callable[[str], str] | None = None) -> None:
        self.settings = settings
        self.base_url = base_url
        # Answers the passphrase question for every connection (typed once, at start-up).
        self.prompt = prompt
        self._idle: queue.LifoQueue[LocalBackend] = queue.LifoQueue()
        self._all: list[LocalBackend] = []
        self._lock = threading.Lock()

    def _new(self) -> LocalBackend:
        from agentcore_identity_cli.backends.local.backend import LocalBackend

        backend = LocalBackend(self.settings.vault_path, self.prompt)
        # The OAuth2 callback URLs the vault hands out are then the ones serve hosts.
        backend.callback_base = self.base_url
        with self._lock:
            self._all.append(backend)
        return backend

    @contextmanager
    def backend(self) -> Iterator[LocalBackend]:
        """A backend for the current thread's request; returned to the pool afterwards."""
        try:
            backend = self._idle.get_nowait()
        except queue.Empty:
            backend = self._new()
        try:
            yield backend
        finally:
            self._idle.put(backend)

    def close(self) -> None:
        """Close every vault connection."""
        with self._lock:
            backends, self._all = self._all, []
        for backend in backends:
            backend.close()


@dataclass
class ServerState:
    """What every request shares: settings, the vault pool, the access key, the options."""

    settings: Settings
    pool: BackendPool
    key: AccessKey
    base_url: str
    allow_any_credentials: bool = False
    debug: bool = False
    limiter: Any = field(default=None, repr=False)


def build_app(state: ServerState) -> Starlette:
    """The ASGI app: the callback pages (if any), then every AWS operation of both services."""
    from starlette.applications import Starlette
    from starlette.routing import BaseRoute, Route

    methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]

    async def aws_endpoint(request: Request) -> Response:
        return await handle(state, request)

    routes: list[BaseRoute] = [*_extra_routes(state), Route("/{path:path}", aws_endpoint, methods=methods)]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        import anyio

        state.limiter = anyio.CapacityLimiter(WORKER_THREADS)
        try:
            yield
        finally:
            state.pool.close()

    return Starlette(routes=routes, lifespan=lifespan)


def _extra_routes(state: ServerState) -> list[Any]:
    found: list[Any] = []
    for name in ("agentcore_identity_cli.server.callback", "agentcore_identity_cli.server.portal"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        make = getattr(module, "routes", None)
        found += list(make(state)) if callable(make) else []
    return found


# --- one request ----------------------------------------------------------------------


async def handle(state: ServerState, request: Request) -> Response:
    """Answer one AWS request; always an AWS-shaped response."""
    import anyio
    from starlette.responses import Response

    started = time.perf_counter()
    request_id = str(uuid.uuid4())
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    path = raw_path.decode("latin-1")
    query_string = request.scope.get("query_string", b"").decode("latin-1")
    headers = {k.lower(): v for k, v in request.headers.items()}
    operation_name = "-"
    try:
        body = await _read_body(request)
        wire = WireRequest(request.method, path, query_string, headers, body)
        status, out_headers, out_body, operation_name = await anyio.to_thread.run_sync(
            _answer, state, wire, limiter=state.limiter
        )
    except WireError as exc:
        status, out_headers, out_body = serialize_error(exc.code, exc.message, exc.status)
    except Exception as exc:  # noqa: BLE001 - the front door's catch-all: no traceback, no HTML page
        status, out_headers, out_body = _internal_error(operation_name, exc)
    out_headers["x-amzn-RequestId"] = request_id
    elapsed = (time.perf_counter() - started) * 1000
    _log_request(state, request.method, path, operation_name, status, elapsed, headers)
    return Response(out_body, status_code=status, headers=out_headers)


async def _read_body(request: Request) -> bytes:
    import anyio

    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise WireError("RequestEntityTooLargeException", f"The request body is larger than {MAX_BODY} bytes.", 413)
    chunks: list[bytes] = []
    size = 0
    try:
        with anyio.fail_after(BODY_TIMEOUT_SECONDS):
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_BODY:
                    raise WireError(
                        "RequestEntityTooLargeException", f"The request body is larger than {MAX_BODY} bytes.", 413
                    )
                chunks.append(chunk)
    except TimeoutError:
        raise WireError(
            "RequestTimeoutException", f"The request body did not arrive within {BODY_TIMEOUT_SECONDS:.0f}s.", 408
        ) from None
    return b"".join(chunks)


def _answer(state: ServerState, wire: WireRequest) -> tuple[int, dict[str, str], bytes, str]:
    """Route, authenticate, parse, call, serialize: runs in a worker thread."""
    from urllib.parse import parse_qsl

    query = parse_qsl(wire.query_string, keep_blank_values=True)
    try:
        operation, labels = route(wire.method, wire.raw_path, query)
    except WireError as exc:
        return (*serialize_error(exc.code, exc.message, exc.status), "-")
    name = operation.name
    with state.pool.backend() as backend:
        try:
            _authenticate(state, backend, name, wire)
            params = parse_request(operation, labels, query, wire.headers, wire.body)
            return (*_call(backend, operation, params), name)
        except WireError as exc:
            return (*serialize_error(exc.code, exc.message, exc.status), name)


def _authenticate(state: ServerState, backend: LocalBackend, operation: str, wire: WireRequest) -> None:
    if state.allow_any_credentials or operation in TOKEN_AUTHORISED:
        return
    try:
        verify(wire, state.key)
    except WireError as exc:
        _audit_refusal(backend, operation, exc)
        raise


def _audit_refusal(backend: LocalBackend, operation: str, refusal: WireError) -> None:
    """One audit event for a refused request, named after the operation it asked for."""
    from agentcore_identity_cli.auditlog import CHANGE
    from agentcore_identity_cli.errors import ServiceError

    try:
        with backend.audited(operation, category=CHANGE, transaction=False):
            raise ServiceError(refusal.code, refusal.message, operation=operation)
    except ServiceError:
        pass


def _call(
    backend: LocalBackend, operation: OperationModel, params: dict[str, Any]
) -> tuple[int, dict[str, str], bytes]:
    from agentcore_identity_cli.client import validated_call
    from agentcore_identity_cli.errors import ConfigError, ServiceError, UsageError

    try:
        result = validated_call(backend, operation.name, params)
    except ServiceError as exc:
        return serialize_error(exc.code, exc.message)
    except (UsageError, ConfigError) as exc:
        # A request that fails the API's constraints, or asks what this vault cannot do
        # (a passphrase nobody gave serve): the caller's to change. Messages carry no secret.
        return serialize_error("ValidationException", exc.message)
    except Exception as exc:  # noqa: BLE001 - answered as the service would, below
        return _internal_error(operation.name, exc)
    return serialize_response(operation, result)


def _internal_error(operation: str, exc: Exception) -> tuple[int, dict[str, str], bytes]:
    """500 InternalServerException; the traceback only on stderr, and only with --debug."""
    from agentcore_identity_cli.errors import AgentCoreIdentityError

    if isinstance(exc, AgentCoreIdentityError):  # the vault's own refusal: its message carries no secret
        return serialize_error("InternalServerException", exc.message)
    log.debug("%s failed", operation, exc_info=True)
    sys.stderr.write(f"serve: {operation} failed unexpectedly: {type(exc).__name__}\n")
    return serialize_error("InternalServerException", "An internal error occurred.")


def _log_request(
    state: ServerState, method: str, path: str, operation: str, status: int, ms: float, headers: dict[str, str]
) -> None:
    """One line per request on stderr; with --debug, the headers too, credentials redacted."""
    line = f"serve: {method} {path} {operation} {status} {ms:.1f}ms\n"
    if state.debug:
        shown = {k: ("<redacted>" if any(word in k for word in _REDACTED_HEADERS) else v) for k, v in headers.items()}
        line += "".join(f"serve:   {k}: {v}\n" for k, v in sorted(shown.items()))
    sys.stderr.write(line)
    sys.stderr.flush()


# --- the server -----------------------------------------------------------------------


def url_host(host: str) -> str:
    """The host as a client should write it in a URL."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - naming the wildcard, not binding it
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def env_lines(base_url: str, key: AccessKey, region: str = DEFAULT_REGION) -> list[str]:
    """The shell lines that point the AWS CLI, boto3 and the SDK at `serve`."""
    import shlex

    values = {
        "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL": base_url,
        "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE": base_url,
        "BEDROCK_AGENTCORE_CP_ENDPOINT": base_url,
        "BEDROCK_AGENTCORE_DP_ENDPOINT": base_url,
        "AWS_ACCESS_KEY_ID": key.access_key_id,
        "AWS_SECRET_ACCESS_KEY": key.secret_access_key,
        "AWS_REGION": region,
        # boto3 and the AWS CLI v1 read only this one; the SDK and the AWS CLI v2 read AWS_REGION.
        "AWS_DEFAULT_REGION": region,
    }
    return [f"export {name}={shlex.quote(value)}" for name, value in values.items()]


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 picks a free one."""
    from agentcore_identity_cli.errors import ConfigError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=128)
    except OSError as exc:
        raise ConfigError(
            f"Cannot listen on {host}:{port}: {exc.strerror or exc}.", hint="choose another --port, or 0 for a free one"
        ) from None


def run_server(state: ServerState, sock: socket.socket) -> int:
    """Serve until SIGTERM or Ctrl-C; in-flight requests finish, the vault closes; returns 0."""
    import asyncio

    import uvicorn

    config = uvicorn.Config(
        build_app(state),
        log_level="warning",
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        lifespan="on",
        http=_timed_h11_protocol(),
        server_header=False,
        date_header=True,
    )
    server = _graceful_server(config)
    asyncio.run(server.serve(sockets=[sock]))
    sys.stderr.write("serve: stopped\n")
    return 0


def _timed_h11_protocol() -> type[Any]:
    """uvicorn's HTTP/1.1 protocol with a deadline for a request's headers.

    uvicorn times out idle keep-alive connections but waits forever for a client that
    sends its headers a byte at a time; this closes such a connection after
    HEADER_TIMEOUT_SECONDS (the body has its own limit, in _read_body).
    """
    import asyncio

    from uvicorn.protocols.http.h11_impl import H11Protocol

    class TimedH11Protocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None

        def _arm_header_timer(self) -> None:
            self._disarm_header_timer()
            self._header_timer = self.loop.call_later(HEADER_TIMEOUT_SECONDS, self._headers_too_slow)

        def _disarm_header_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _in_request(self) -> bool:
            return self.cycle is not None and not self.cycle.response_complete

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if not self._in_request() and not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            # uvicorn writes a response's head and body separately. asyncio sets TCP_NODELAY
            # only on sockets whose proto is IPPROTO_TCP, and socket.create_server's is 0, so
            # without this the body waits for the client's delayed ACK: 40 ms a request.
            sock = transport.get_extra_info("socket")
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._arm_header_timer()

        def handle_events(self) -> None:
            super().handle_events()
            if self._in_request():
                self._disarm_header_timer()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm_header_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm_header_timer()
            super().connection_lost(exc)

    return TimedH11Protocol


def _graceful_server(config: Any) -> Any:
    """uvicorn's server, minus re-raising the signal after a graceful shutdown: exit 0 instead."""
    import signal

    import uvicorn

    class GracefulServer(uvicorn.Server):
        @contextmanager
        def capture_signals(self) -> Iterator[None]:
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            handled = (signal.SIGINT, signal.SIGTERM)
            original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
            try:
                yield
            finally:
                for sig, handler in original.items():
                    signal.signal(sig, handler)

    return GracefulServer(config)
