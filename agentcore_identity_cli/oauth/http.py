"""HTTP for the OAuth engine: one client factory, URL checks, and errors that never carry a secret.

Every request has a timeout for each read and an overall deadline (DEFAULT_DEADLINE, capped by
``--cli-read-timeout``), and its answer is read, streamed, up to MAX_RESPONSE_BYTES: a server
that sends one byte a second, or a document of hundreds of megabytes, is given up on with an
error naming the endpoint. Redirects are not followed (a token endpoint that redirects is
misconfigured, and following it could send credentials elsewhere); plain-http URLs are
refused except on loopback. Library loggers that could print request or response bodies are
kept at WARNING even under ``--debug``: the engine logs its own, secret-free, lines instead.

HTTPS servers are trusted as the process's Trust says (tls.py): the default CAs plus those of
``--ca-bundle`` or ``AWS_CA_BUNDLE``, or nothing checked with ``--no-verify-ssl``; a
certificate that fails the check is an error that names the endpoint and the problem.

httpx and Authlib are imported by this package only: control-plane commands never load them.
"""

from __future__ import annotations

import importlib
import ipaddress
import logging
import threading
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from agentcore_identity_cli import __version__
from agentcore_identity_cli.errors import AgentCoreIdentityError, ServiceError
from agentcore_identity_cli.tls import TRUST_HINT, certificate_problem, current_trust, warn_unverified

DEFAULT_TIMEOUT = 30.0
DEFAULT_DEADLINE = 60.0  # seconds for a whole request: connect, send, headers and body
MAX_RESPONSE_BYTES = 1024 * 1024  # OAuth answers, discovery documents and JWKS are small JSON
USER_AGENT = f"agentcore-identity/{__version__}"

log = logging.getLogger("agentcore_identity_cli.oauth")

# Loggers of the libraries below the engine. httpx's own INFO line names only the method,
# URL and status, which are safe; httpcore, hpack and Authlib can log headers or tokens.
_NOISY_LOGGERS = ("httpcore", "hpack", "authlib")


class OAuthProviderError(ServiceError):
    """The authorization server answered with an OAuth error (`error`, `error_description`)."""

    def __init__(self, action: str, error: str, description: str | None = None, *, hint: str | None = None) -> None:
        text = f"The authorization server refused the {action}: {error}"
        if description:
            text += f" ({_clip(description)})"
        super().__init__("OAuth2Error", text, hint=hint)
        self.error = error
        self.description = description

    def render(self) -> str:
        return self.message


class OAuthNetworkError(AgentCoreIdentityError):
    """The authorization server could not be reached, timed out, or answered nonsense."""


class OAuthTimeoutError(AgentCoreIdentityError):
    """The user did not finish in time (browser login, device code)."""


class ResponseDeadlineError(OAuthNetworkError):
    """The whole request took longer than its deadline (a server that answers a byte at a time)."""


class ResponseTooLargeError(OAuthNetworkError):
    """The answer was larger than MAX_RESPONSE_BYTES."""


def new_transport(library: ModuleType) -> Any:
    """A plain transport of `library` (httpx or httpx2) that trusts HTTPS servers as the process says."""
    return library.HTTPTransport(verify=current_trust().httpx_verify())


def _clip(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_secure(url: str, what: str) -> str:
    """`url` when it is https, or http on loopback; ValidationException otherwise."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname and is_loopback(parts.hostname):
        return url
    raise ServiceError(
        "ValidationException",
        f"The {what} must be an https URL (plain http is allowed only on loopback): {_clip(url, 200)}",
    )


def authlib_module(name: str) -> ModuleType:
    """Import an Authlib module without its deprecation warnings on stderr.

    Authlib 1.9 warns on import that it would rather have the `httpx2` package; plain httpx
    is what it supports and what we depend on, and a warning on every command's stderr would
    break scripts that read it. authlib.deprecate installs an "always" filter when first
    imported, so it is imported before the "ignore" filter goes on top.
    """
    with warnings.catch_warnings():
        importlib.import_module("authlib.deprecate")
        warnings.simplefilter("ignore", DeprecationWarning)
        return importlib.import_module(name)


def quiet_library_logs() -> None:
    """Keep loggers that could print secrets below DEBUG, whatever --debug set."""
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def oauth_httpx() -> ModuleType:
    """The HTTP library under Authlib's OAuth2Client: `httpx2` where installed, else `httpx`.

    Authlib 1.7 and newer build their client on `httpx2` when it is importable (another
    package may have brought it in) and fall back to `httpx`; what the engine hands that
    client (timeouts, transports) must come from the same library.
    """
    client = authlib_module("authlib.integrations.httpx_client").OAuth2Client
    for base in client.__mro__:
        root = base.__module__.partition(".")[0]
        if root in ("httpx", "httpx2"):
            return importlib.import_module(root)
    return importlib.import_module("httpx")


def deadline_for(timeout: float | None) -> float:
    """The overall deadline of one request: DEFAULT_DEADLINE, or less when the read timeout is shorter."""
    return min(DEFAULT_DEADLINE, timeout) if timeout else DEFAULT_DEADLINE


def _endpoint(request: Any) -> str:
    """The URL of a request without its query (which can carry codes or state)."""
    return _clip(str(request.url).split("?", 1)[0], 200)


class BoundedTransport:
    """Wraps an httpx (or httpx2) transport: one deadline per request, and a bounded, streamed body.

    httpx's timeouts apply to each socket operation, so a server that keeps sending a byte
    before each read times out is never given up on. The request runs on a worker thread;
    when the deadline passes the caller gets ResponseDeadlineError at once and the connection
    is closed under the worker, which then ends on its next read. The body is read chunk by
    chunk (and decompressed chunk by chunk, so a compressed bomb is caught too) up to
    `max_bytes`; the response handed on holds the body in memory and no Content-Encoding.
    """

    def __init__(self, inner: Any, library: ModuleType, *, deadline: float, max_bytes: int) -> None:
        self.inner = inner
        self.library = library
        self.deadline = deadline
        self.max_bytes = max_bytes

    def handle_request(self, request: Any) -> Any:
        if request.url.scheme == "https" and not current_trust().verify:
            warn_unverified(request.url.host)
        outcome: dict[str, Any] = {}
        finished = threading.Event()

        def work() -> None:
            try:
                outcome["response"] = self._read(request)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread below
                outcome["error"] = exc
            finally:
                finished.set()

        threading.Thread(target=work, name="agentcore-identity-http", daemon=True).start()
        if not finished.wait(self.deadline):
            self.inner.close()
            raise ResponseDeadlineError(
                f"{_endpoint(request)} did not answer in full within {self.deadline:g} seconds: the request "
                "was abandoned.",
                hint="check the endpoint; --cli-read-timeout sets a shorter limit, never a longer one than "
                f"{DEFAULT_DEADLINE:g} seconds",
            )
        if "error" in outcome:
            raise outcome["error"]
        return outcome["response"]

    def _read(self, request: Any) -> Any:
        where = _endpoint(request)
        response = self.inner.handle_request(request)
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise self._too_large(where)
            encoding = response.headers.get("content-encoding", "identity").strip().lower()
            if encoding in ("gzip", "x-gzip", "deflate"):
                decoder: Any = zlib.decompressobj(32 + zlib.MAX_WBITS)  # gzip or zlib, by its header
            elif encoding in ("identity", ""):
                decoder = None
            else:
                raise OAuthNetworkError(
                    f"{where} answered with an unsupported Content-Encoding ({_clip(encoding, 40)})."
                )
            body = bytearray()
            for chunk in response.stream:
                try:
                    body += decoder.decompress(chunk, self.max_bytes + 1 - len(body)) if decoder else chunk
                except zlib.error:
                    raise OAuthNetworkError(f"{where} answered with a body that does not decompress.") from None
                if len(body) > self.max_bytes:
                    raise self._too_large(where)
        finally:
            response.close()
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _BODY_HEADERS]
        extensions = {k: v for k, v in response.extensions.items() if k in ("http_version", "reason_phrase")}
        return self.library.Response(
            response.status_code, headers=headers, content=bytes(body), request=request, extensions=extensions
        )

    def _too_large(self, where: str) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            f"{where} answered with more than {self.max_bytes // 1024} KiB: the answer was not read.",
            hint="check that the URL names the endpoint itself (an OAuth answer or metadata document is small)",
        )

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> BoundedTransport:
        self.inner.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.inner.__exit__(*exc_info)


_BODY_HEADERS = ("content-encoding", "content-length", "transfer-encoding")


def client_options(
    timeout: float | None = None,
    headers: dict[str, str] | None = None,
    transport: Any = None,
    library: ModuleType | None = None,
    *,
    max_bytes: int = MAX_RESPONSE_BYTES,
) -> dict[str, Any]:
    """Keyword arguments for an httpx.Client, or for Authlib's OAuth2Client (library=oauth_httpx()).

    Every request through the client gets the deadline and the size limit of BoundedTransport.
    """
    import httpx

    quiet_library_logs()
    lib = library or httpx

    def bounded(inner: Any) -> BoundedTransport:
        return BoundedTransport(inner, lib, deadline=deadline_for(timeout), max_bytes=max_bytes)

    options: dict[str, Any] = {
        "timeout": lib.Timeout(timeout or DEFAULT_TIMEOUT),
        "follow_redirects": False,
        # Only encodings BoundedTransport can decompress in bounded steps.
        "headers": {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate", **(headers or {})},
        "transport": bounded(transport if transport is not None else new_transport(lib)),
    }
    mounts = _proxy_mounts(lib)
    if mounts:
        options["mounts"] = {
            pattern: bounded(inner) if inner is not None else None for pattern, inner in mounts.items()
        }
    return options


def _proxy_mounts(library: ModuleType) -> dict[str, Any]:
    """The transports httpx would use for HTTP(S)_PROXY / ALL_PROXY / NO_PROXY, by URL pattern.

    A client given its own transport ignores the proxy environment; these mounts, wrapped like
    the main transport, keep proxies working with the deadline and size limit.
    """
    import urllib.request

    if not {"http", "https", "all"} & set(urllib.request.getproxies()):
        return {}
    # trust_env: reads the proxy variables exactly as httpx always has.
    probe = library.Client(verify=current_trust().httpx_verify())
    return {pattern.pattern: inner for pattern, inner in probe._mounts.items()}


@contextmanager
def translated_errors(action: str, url: str) -> Iterator[None]:
    """Turn httpx and Authlib failures into this tool's errors, naming only the action and URL."""
    import httpx

    OAuthError = authlib_module("authlib.integrations.base_client.errors").OAuthError  # noqa: N806

    where = _clip(url.split("?", 1)[0], 200)
    # Authlib's client may raise httpx2's exceptions rather than httpx's.
    libraries = {httpx, oauth_httpx()}
    timeouts = tuple(lib.TimeoutException for lib in libraries)
    status_errors = tuple(lib.HTTPStatusError for lib in libraries)
    transport_errors = tuple(lib.TransportError for lib in libraries)
    try:
        yield
    except OAuthError as exc:
        raise OAuthProviderError(action, str(exc.error or "error"), exc.description) from None
    except timeouts:
        raise OAuthNetworkError(
            f"The {action} timed out: no answer from {where}.",
            hint="check the endpoint and your network, or raise --cli-read-timeout",
        ) from None
    except status_errors as exc:
        raise OAuthNetworkError(
            f"The {action} failed: {where} answered HTTP {exc.response.status_code} without an OAuth error."
        ) from None
    except transport_errors as exc:
        problem = certificate_problem(exc)
        if problem:
            raise OAuthNetworkError(
                f"The {action} failed: the TLS certificate of {where} could not be verified ({_clip(problem)}).",
                hint=TRUST_HINT,
            ) from None
        raise OAuthNetworkError(
            f"The {action} failed: cannot reach {where} ({type(exc).__name__}).",
            hint="check the endpoint URL and that the server is up",
        ) from None
    except ValueError as exc:
        # Authlib's answer to a body that is not a JSON object, among others.
        raise OAuthNetworkError(
            f"The {action} failed: {where} did not answer with OAuth JSON ({_clip(str(exc))})."
        ) from None


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
