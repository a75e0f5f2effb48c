"""What `--debug` logs on stderr, besides tracebacks: never a secret, a token or a request body.

- the invocation: the tool's and Python's versions, the command's name (never its arguments,
  which may hold a secret typed on the command line), the backend, profile and output format,
  and where each came from; the config file; the vault file of the local backend;
- the local vault: when it is opened (schema version, time taken) and where the vault key
  came from (environment, passphrase, key file), never the key;
- each operation of the local backend: its name, its audit class, its outcome (success or
  the error code) and its time in milliseconds;
- the OAuth engine's own lines: which grant at which endpoint, which client authentication
  method (oauth/flows.py), never a form or an answer;
- on the aws backend, botocore's request log with every secret member redacted
  (backends/aws_logging.py);
- at the end, the whole command's time.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentcore_identity_cli.config import Settings

log = logging.getLogger("agentcore_identity_cli")

FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


def start(settings: Settings, command: str | None, on_close: Any) -> None:
    """Turn debug logging on and log the invocation; `on_close(callback)` runs the callback at the end."""
    import platform

    from agentcore_identity_cli import __version__
    from agentcore_identity_cli.config import config_path

    # force: an earlier invocation in this process (the Python API, tests) may have set a handler.
    logging.basicConfig(level=logging.DEBUG, format=FORMAT, force=True)
    started = time.perf_counter()
    log.debug("agentcore-identity %s on Python %s (%s)", __version__, platform.python_version(), platform.system())
    log.debug("command: %s", command or "(none)")
    for name, value in (("backend", settings.backend), ("profile", settings.profile), ("output", settings.output)):
        log.debug("%s: %s (%s)", name, value or "table on a terminal, json otherwise", _where(settings, name))
    path = config_path()
    log.debug("config file: %s (%s)", path, "present" if path.exists() else "absent")
    if settings.backend == "local":
        log.debug("vault file: %s (%s)", settings.vault_path, _where(settings, "vault_path"))
    on_close(lambda: log.debug("done in %s", elapsed(started)))


def _where(settings: Settings, name: str) -> str:
    source = settings.source(name)
    return f"{source.kind}: {source.location}" if source.location else source.kind


def elapsed(started: float) -> str:
    """Milliseconds since `started` (a time.perf_counter() reading), for a log line."""
    return f"{(time.perf_counter() - started) * 1000:.1f} ms"
