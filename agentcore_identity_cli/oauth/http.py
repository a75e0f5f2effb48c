"""HTTP for the OAuth engine: one client factory, URL checks, and errors that never carry a secret.

Every request has a timeout; redirects are not followed (a token endpoint that redirects is
misconfigured, and following it could send credentials elsewhere); plain-http URLs are
refused except on loopback. Library loggers that could print request or response bodies are
kept at WARNING even under ``--debug``: the engine logs its own, secret-free, lines instead.

httpx and Authlib are imported by this package only: control-plane commands never load them.
"""

from __future__ import annotations

import importlib
import ipaddress
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from agentcore_identity_cli import __version__
from agentcore_identity_cli.errors import AgentCoreIdentityError, ServiceError

DEFAULT_TIMEOUT = 30.0
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


def client_options(
    timeout: float | None = None,
    headers: dict[str, str] | None = None,
    transport: Any = None,
    library: ModuleType | None = None,
) -> dict[str, Any]:
    """Keyword arguments for an httpx.Client, or for Authlib's OAuth2Client (library=oauth_httpx())."""
    import httpx

    quiet_library_logs()
    options: dict[str, Any] = {
        "timeout": (library or httpx).Timeout(timeout or DEFAULT_TIMEOUT),
        "follow_redirects": False,
        "headers": {"User-Agent": USER_AGENT, **(headers or {})},
    }
    if transport is not None:
        options["transport"] = transport
    return options


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
