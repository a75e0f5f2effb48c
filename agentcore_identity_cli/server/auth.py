"""Request authentication for `serve`: SigV4 with the vault's own access key, as AWS checks it.

The vault holds one access key pair for `serve`, made on first use: a record of kind
`serve-key` whose secret access key is sealed like every other secret (so rotating the
vault key re-seals it). A request's signature is recomputed with botocore's own signer on a
request rebuilt from what came over the wire, with the request's own X-Amz-Date, and
compared in constant time. Errors are AWS's: MissingAuthenticationTokenException,
UnrecognizedClientException, InvalidSignatureException (also for a stale date).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from agentcore_identity_cli.server.protocol import WireError

if TYPE_CHECKING:
    from agentcore_identity_cli.backends.local.backend import LocalBackend

KEY_KIND = "serve-key"
SECRET_FIELD = "secretAccessKey"
SIGNING_SERVICE = "bedrock-agentcore"
MAX_SKEW = timedelta(minutes=15)

_ALGORITHM = "AWS4-HMAC-SHA256"
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-fA-F]+)\s*\Z"
)
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@dataclass(frozen=True)
class AccessKey:
    """The vault's access key pair for `serve`. repr never shows the secret."""

    access_key_id: str
    secret_access_key: str

    def __repr__(self) -> str:
        return f"AccessKey(access_key_id={self.access_key_id!r})"


def _key_arn(access_key_id: str) -> str:
    from agentcore_identity_cli.backends.local import arns

    return f"arn:{arns.PARTITION}:{arns.SERVICE}:{arns.REGION}:{arns.ACCOUNT}:serve-access-key/{access_key_id}"


def vault_access_key(backend: LocalBackend) -> AccessKey:
    """The vault's access key pair, created (and audited) on first use."""
    from agentcore_identity_cli.auditlog import CHANGE

    store = backend.store
    rows = store.page(KEY_KIND, None, 1)
    if not rows:
        access_key_id = "AKIA" + "".join(secrets.choice(_BASE32) for _ in range(16))
        secret = secrets.token_urlsafe(30)[:40]
        with backend.audited("CreateServeAccessKey", target=_key_arn(access_key_id), category=CHANGE):
            rows = store.page(KEY_KIND, None, 1)  # another process may have made one meanwhile
            if not rows:
                store.insert(KEY_KIND, access_key_id, _key_arn(access_key_id), {})
                backend.seal_secret(KEY_KIND, access_key_id, SECRET_FIELD, secret)
                return AccessKey(access_key_id, secret)
    access_key_id = str(rows[0]["name"])
    return AccessKey(access_key_id, _open(backend, access_key_id))


def _open(backend: LocalBackend, access_key_id: str) -> str:
    from agentcore_identity_cli.backends.local.crypto import SealError
    from agentcore_identity_cli.errors import decryption_failure

    with backend.audit_secret_read(_key_arn(access_key_id), "OpenServeAccessKey"):
        try:
            plain = backend.open_sealed_value(KEY_KIND, access_key_id, SECRET_FIELD)
            if plain is None:
                raise SealError("missing")
            return plain.decode()
        except SealError:
            raise decryption_failure(
                "The access key of serve stored in the vault failed authentication: it was altered."
            ) from None


@dataclass(frozen=True)
class WireRequest:
    """What a signature covers, as it came over the wire."""

    method: str
    raw_path: str
    query_string: str
    headers: dict[str, str]  # lower-case names
    body: bytes


def _missing() -> WireError:
    return WireError("MissingAuthenticationTokenException", "Missing Authentication Token")


def _bad_signature() -> WireError:
    return WireError(
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    )


def verify(request: WireRequest, key: AccessKey, *, now: datetime | None = None) -> str:
    """Check the request's SigV4 signature with the vault's key; return the access key id.

    Raises WireError with AWS's code for a missing, unknown, stale or wrong signature.
    """
    header = request.headers.get("authorization")
    if not header:
        raise _missing()
    match = _AUTHORIZATION.match(header.strip())
    if match is None:
        if not header.startswith(_ALGORITHM):
            raise _missing()
        raise WireError(
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.",
        )
    scope = match["credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise WireError(
            "IncompleteSignatureException", "The credential scope of the Authorization header is malformed."
        )
    access_key_id, day, region, service = scope[:4]
    if not hmac.compare_digest(access_key_id.encode(), key.access_key_id.encode()):
        raise WireError("UnrecognizedClientException", "The security token included in the request is invalid.")
    if service != SIGNING_SERVICE:
        raise WireError(
            "InvalidSignatureException", f"Credential should be scoped to correct service: '{SIGNING_SERVICE}'."
        )
    amz_date = request.headers.get("x-amz-date", "")
    try:
        signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise WireError("IncompleteSignatureException", "The request must carry a valid X-Amz-Date header.") from None
    if day != amz_date[:8]:
        raise WireError("InvalidSignatureException", "Date in Credential scope does not match the X-Amz-Date header.")
    current = now or datetime.now(UTC)
    if abs(current - signed_at) > MAX_SKEW:
        earliest = (current - MAX_SKEW).strftime("%Y%m%dT%H%M%SZ")
        raise WireError(
            "InvalidSignatureException",
            f"Signature expired: {amz_date} is now earlier than {earliest} "
            f"({current.strftime('%Y%m%dT%H%M%SZ')} - 15 min.)"
            if signed_at < current
            else f"Signature not yet current: {amz_date} is still later than "
            f"{(current + MAX_SKEW).strftime('%Y%m%dT%H%M%SZ')} ({current.strftime('%Y%m%dT%H%M%SZ')} + 15 min.)",
        )
    signed = match["signed"].lower().split(";")
    if "host" not in signed:
        raise WireError("InvalidSignatureException", "'Host' must be a 'SignedHeader' in the AWS Authorization.")
    content_hash = request.headers.get("x-amz-content-sha256")
    if content_hash is not None and content_hash != "UNSIGNED-PAYLOAD":
        if not hmac.compare_digest(content_hash, hashlib.sha256(request.body).hexdigest()):
            raise WireError(
                "InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match the body."
            )
    expected = _signature(request, key, signed, region, amz_date)
    if not hmac.compare_digest(expected.encode(), match["signature"].lower().encode()):
        raise _bad_signature()
    return access_key_id


def _signature(request: WireRequest, key: AccessKey, signed: list[str], region: str, amz_date: str) -> str:
    """The signature botocore's SigV4 signer computes for the request as the client built it."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    host = request.headers.get("host", "")
    url = f"http://{host}{request.raw_path}"
    if request.query_string:
        url += "?" + request.query_string
    headers = {name: request.headers.get(name, "") for name in signed}
    aws_request = AWSRequest(method=request.method, url=url, headers=headers, data=request.body)
    aws_request.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(key.access_key_id, key.secret_access_key), SIGNING_SERVICE, region)
    canonical = signer.canonical_request(aws_request)
    string_to_sign = signer.string_to_sign(aws_request, canonical)
    signature: str = signer.signature(string_to_sign, aws_request)
    return signature
