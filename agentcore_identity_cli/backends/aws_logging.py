"""--debug for the aws backend: botocore's debug log, with every secret taken out.

At DEBUG botocore logs the request parameters and body, the signed headers, the SigV4
canonical request, string to sign and signature, and the response body. Every record of
the botocore, boto3 and urllib3 loggers goes through one handler on stderr, and that
handler's RedactingFilter removes, before anything is written:

- the values of the Authorization and X-Amz-Security-Token headers, and `Signature=`,
  `X-Amz-Signature=`, `X-Amz-Credential=` and `X-Amz-Security-Token=` wherever they appear;
- every hex digest in botocore.auth's records (signature, hashes of what was signed) and
  the security-token line of the canonical request;
- the value of any secret member (apiKey, clientSecret, accessToken, ...) in any record;
- the whole body of the requests and responses of operations that carry a secret: any
  member of the input or output marked sensitive in the service model, or named above.

The records are kept from the root logger's handlers, so nothing reaches stderr unfiltered.
This module does not import botocore; it reads the operation model it is handed.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from typing import Any

REDACTED = "<redacted>"
LOGGERS = ("botocore", "boto3", "urllib3")
# Members that hold secrets, in requests or responses of AgentCore Identity.
SECRET_MEMBERS = frozenset(
    {
        "apiKey",
        "clientSecret",
        "accessToken",
        "refreshToken",
        "workloadAccessToken",
        "userToken",
        "workloadIdentityToken",
        "customState",
        "customParameters",
    }
)
FORMAT = "%(asctime)s - %(threadName)s - %(name)s - %(levelname)s - %(message)s"

# groups 4 and 5 of the patterns below: an optional bytes prefix, then the opening quote.
_QUOTED_VALUE = r"(b?)([\"'])(?:\\.|(?!\5).)*\5"
_SECRET_MEMBER = re.compile(r"([\"'])(" + "|".join(sorted(SECRET_MEMBERS)) + r")\1(\s*:\s*)" + _QUOTED_VALUE, re.DOTALL)
# A structured secret member (customParameters: {...}) loses everything up to its closing brace.
_SECRET_STRUCTURE = re.compile(r"([\"'])(" + "|".join(sorted(SECRET_MEMBERS)) + r")\1(\s*:\s*)\{[^{}]*\}")
_HEADER = re.compile(r"([\"']?)(authorization|x-amz-security-token)\1(\s*:\s*)" + _QUOTED_VALUE, re.IGNORECASE)
_HEADER_LINE = re.compile(r"^(authorization|x-amz-security-token)(\s*:).*$", re.IGNORECASE | re.MULTILINE)
_QUERY_SECRET = re.compile(r"(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s\"']+", re.IGNORECASE)
_SIGNATURE = re.compile(r"(Signature=)[0-9a-fA-F]+")
_HEX_DIGEST = re.compile(r"\b[0-9a-f]{64}\b")


def redact_text(text: str, *, signing: bool = False) -> str:
    """A log message with header values, signatures and secret member values replaced."""
    text = _SECRET_STRUCTURE.sub(rf"\1\2\1\3{{{REDACTED!r}}}", text)
    text = _SECRET_MEMBER.sub(rf"\1\2\1\3\4\5{REDACTED}\5", text)
    text = _HEADER.sub(rf"\1\2\1\3\4\5{REDACTED}\5", text)
    text = _HEADER_LINE.sub(rf"\1\2{REDACTED}", text)
    text = _QUERY_SECRET.sub(rf"\1{REDACTED}", text)
    text = _SIGNATURE.sub(rf"\1{REDACTED}", text)
    if signing:
        # The canonical request and string to sign hold hashes of the payload: hashes of
        # secrets. Nothing in them is worth keeping in a log.
        text = _HEX_DIGEST.sub(REDACTED, text)
    return text


def carries_secrets(operation_model: Any) -> bool:
    """True when the operation's input or output holds a sensitive or secret member.

    Read from the service model (botocore's `sensitive` trait), so an operation added to
    the service is covered without a list here. Anything that is not an operation model
    counts as carrying secrets.
    """
    shapes = [getattr(operation_model, "input_shape", None), getattr(operation_model, "output_shape", None)]
    if not hasattr(operation_model, "input_shape"):
        return True
    seen: set[str] = set()
    while shapes:
        shape = shapes.pop()
        if shape is None or shape.name in seen:
            continue
        seen.add(shape.name)
        if shape.metadata.get("sensitive"):
            return True
        kind = shape.type_name
        if kind == "structure":
            if SECRET_MEMBERS.intersection(shape.members):
                return True
            shapes.extend(shape.members.values())
        elif kind == "list":
            shapes.append(shape.member)
        elif kind == "map":
            shapes.extend([shape.key, shape.value])
    return False


class RedactingFilter(logging.Filter):
    """Rewrites each record so that it carries no secret; never drops a record.

    It remembers whether the request in flight carries secrets, so that the response
    body logged after it (botocore.parsers does not name the operation) is withheld too.
    """

    def __init__(self) -> None:
        super().__init__()
        self._secret_in_flight = True  # until a request says otherwise: fail closed

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = self._message(record)
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is not printed raw
            message = f"(a {record.name} record could not be formatted and is withheld)"
        record.msg = redact_text(message, signing=record.name.startswith("botocore.auth"))
        record.args = None
        record.exc_info = None  # exception texts may quote request values
        record.exc_text = None
        return True

    def _message(self, record: logging.LogRecord) -> str:
        msg = str(record.msg)
        args = record.args
        if msg.startswith("Making request for") and isinstance(args, tuple) and len(args) == 2:
            model, request = args
            self._secret_in_flight = carries_secrets(model)
            if self._secret_in_flight and isinstance(request, dict):
                name = getattr(model, "name", "the operation")
                request = {**request, "body": f"{REDACTED}: {name} carries secrets"}
            return msg % (model, request)
        if record.name.startswith("botocore.parsers") and msg.startswith("Response body") and self._secret_in_flight:
            return f"Response body:\n{REDACTED}: the operation carries secrets"
        return record.getMessage()


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a record is emitted (tests swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.setStream(sys.stderr)
        super().emit(record)


def install_debug_logging() -> Callable[[], None]:
    """Send botocore's debug log, redacted, to stderr; return a function that undoes it."""
    handler = _StderrHandler()
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactingFilter())
    saved: list[tuple[logging.Logger, int, bool]] = []
    for name in LOGGERS:
        log = logging.getLogger(name)
        saved.append((log, log.level, log.propagate))
        log.setLevel(logging.DEBUG)
        log.addHandler(handler)
        log.propagate = False  # the root handlers would print the record before redaction

    def undo() -> None:
        for log, level, propagate in saved:
            log.removeHandler(handler)
            log.setLevel(level)
            log.propagate = propagate

    return undo
