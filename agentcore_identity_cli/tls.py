"""How HTTPS servers are trusted: --ca-bundle, AWS_CA_BUNDLE and --no-verify-ssl, as the AWS CLI reads them.

Where each applies (docs/aws.md, docs/oauth.md):

- the aws backend hands them to botocore exactly as the AWS CLI does: ``--no-verify-ssl`` turns
  verification off, else ``--ca-bundle`` (or ``AWS_CA_BUNDLE``, or the AWS profile's
  ``ca_bundle``, which botocore reads itself) is the only set of CAs trusted;
- the OAuth engine of the local backend (token, discovery and JWKS requests) adds the bundle's
  CAs to its default trust, since one process may talk to a public vendor and to a private
  identity provider; ``--no-verify-ssl`` turns verification off there too.

An unverified HTTPS request prints the AWS CLI's (urllib3's) warning, once per host and
process, on stderr. ``ssl`` and ``certifi`` are imported only when a context is built.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from agentcore_identity_cli.errors import AgentCoreIdentityError, ConfigError, UsageError

if TYPE_CHECKING:
    import ssl

    from agentcore_identity_cli.config import Settings

ENV_CA_BUNDLE = "AWS_CA_BUNDLE"
FLAG_CA_BUNDLE = "--ca-bundle"
FLAG_NO_VERIFY = "--no-verify-ssl"
# urllib3's InsecureRequestWarning, which is what the AWS CLI prints, without its source line.
INSECURE_WARNING = (
    "InsecureRequestWarning: Unverified HTTPS request is being made to host '{host}'. "
    "Adding certificate verification is strongly advised."
)
TRUST_HINT = (
    f"trust the server's CA with {FLAG_CA_BUNDLE} FILE (or {ENV_CA_BUNDLE}), or skip the check with "
    f"{FLAG_NO_VERIFY} (not advised)"
)

_warned: set[str] = set()
_warned_lock = threading.Lock()


@dataclass(frozen=True)
class Trust:
    """Whether HTTPS servers are verified, and the extra CA bundle that vouches for them."""

    verify: bool = True
    ca_bundle: str | None = None
    source: str = FLAG_CA_BUNDLE  # what named the bundle: --ca-bundle or AWS_CA_BUNDLE

    @classmethod
    def from_settings(cls, settings: Settings) -> Trust:
        """The trust of one invocation (--ca-bundle > AWS_CA_BUNDLE, resolved by config.resolve_settings)."""
        source = settings.source("ca_bundle").location or FLAG_CA_BUNDLE
        return cls(verify=settings.verify_ssl, ca_bundle=settings.ca_bundle, source=source)

    @classmethod
    def from_environment(cls) -> Trust:
        """The trust when nothing set one: AWS_CA_BUNDLE, verification on."""
        return cls(ca_bundle=os.environ.get(ENV_CA_BUNDLE) or None, source=ENV_CA_BUNDLE)

    def checked_bundle(self) -> str | None:
        """The bundle's path once it is known to be a readable file (None when verification is off).

        A bad --ca-bundle is a usage error (252); a bad AWS_CA_BUNDLE, an environment error (253).
        """
        if not self.verify or self.ca_bundle is None:
            return None
        path = os.path.expanduser(self.ca_bundle)
        if not os.path.isfile(path):
            raise self._error(f"The CA bundle {self.ca_bundle} named by {self.source} is not a file.")
        if not os.access(path, os.R_OK):
            raise self._error(f"The CA bundle {self.ca_bundle} named by {self.source} cannot be read.")
        return path

    def botocore_verify(self) -> bool | str | None:
        """botocore's `verify`: False, the bundle's path, or None to let botocore read its config."""
        if not self.verify:
            return False
        return self.checked_bundle()

    def httpx_verify(self) -> ssl.SSLContext | bool:
        """httpx's `verify`: False, or a context trusting the default CAs plus the bundle's."""
        if not self.verify:
            return False
        path = self.checked_bundle()
        try:
            # The default trust may come from SSL_CERT_FILE / SSL_CERT_DIR, as httpx reads them.
            return _context(path, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        except OSError as exc:  # ssl.SSLError: no PEM certificate in the file, or a damaged one
            raise self._error(
                f"The CA bundle {self.ca_bundle} named by {self.source} holds no usable PEM certificate "
                f"({getattr(exc, 'reason', None) or exc.strerror or type(exc).__name__})."
            ) from None

    def _error(self, message: str) -> AgentCoreIdentityError:
        hint = "pass a PEM file of CA certificates"
        if self.source == ENV_CA_BUNDLE:
            return ConfigError(message, hint=f"{hint}, or unset {ENV_CA_BUNDLE}")
        return UsageError(message, hint=hint)


@lru_cache(maxsize=4)
def _context(bundle: str | None, *_environment: str | None) -> ssl.SSLContext:
    """httpx's default context (certifi, or SSL_CERT_FILE / SSL_CERT_DIR), plus the bundle's CAs.

    Built once per bundle and environment: loading certifi's CAs takes milliseconds per client.
    """
    import httpx

    context = httpx.create_ssl_context()
    if bundle is not None:
        context.load_verify_locations(cafile=bundle)
    return context


_current: Trust | None = None


def set_trust(trust: Trust | None) -> None:
    """The trust of this process's HTTPS requests; None: from the environment (AWS_CA_BUNDLE).

    Set from the command line when the backend is created, once per invocation, which also
    lets the next unverified request warn again.
    """
    global _current
    _current = trust
    reset_warnings()


def current_trust() -> Trust:
    """The trust set for this process, or the environment's."""
    return _current if _current is not None else Trust.from_environment()


def warn_unverified(host: str) -> None:
    """The AWS CLI's warning about an unverified HTTPS request: once per host and process, on stderr."""
    with _warned_lock:
        if host in _warned:
            return
        _warned.add(host)
    sys.stderr.write(INSECURE_WARNING.format(host=host) + "\n")
    sys.stderr.flush()


def reset_warnings() -> None:
    """Forget the hosts warned about (each invocation warns afresh, also when run in one process)."""
    with _warned_lock:
        _warned.clear()


def certificate_problem(exc: BaseException) -> str | None:
    """What was wrong with the server's certificate, when `exc` (or what caused it) is a TLS failure."""
    import ssl

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return str(current.verify_message or current.reason or "certificate verify failed")
        if isinstance(current, ssl.SSLError):
            return str(current.reason or current.strerror or current)
        current = current.__cause__ or current.__context__
    return None
