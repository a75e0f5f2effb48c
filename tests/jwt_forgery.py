"""What someone holding a JWT can do to it without the issuer's private key, for the tests.

Read a compact JWS, edit its header or claims, and put it back together with the original
signature, a garbage one, none at all (`alg: none`), an HMAC keyed with the issuer's public
key (algorithm confusion) or a signature by a key of the attacker's own. Nothing here calls
the code under test: these are the attacker's tools.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from typing import Any

from joserfc import jws

Claims = dict[str, Any]

# How a forged token is signed.
ORIGINAL = "original-signature"  # the issuer's signature of the token before the edit
GARBAGE = "garbage-signature"  # random bytes of the right length
NO_SIGNATURE = "no-signature"  # the header unchanged, the signature left empty
ALG_NONE = "alg-none"  # an unsecured JWT: alg none, empty signature
ALG_NONE_SIGNED = "alg-none-with-signature"  # alg none, the original signature kept
OTHER_KEY = "signed-by-another-key"  # the same header, key id included, signed with another key
SIGNATURES = (ORIGINAL, GARBAGE, NO_SIGNATURE, ALG_NONE, ALG_NONE_SIGNED, OTHER_KEY)
# The API's pattern for a user JWT wants three non-empty parts: these get past it.
NON_EMPTY_SIGNATURES = (ORIGINAL, GARBAGE, ALG_NONE_SIGNED, OTHER_KEY)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_part(value: dict[str, Any]) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def parts(token: str) -> tuple[dict[str, Any], Claims, str]:
    """Header, claims and the signature (still encoded) of a compact JWS."""
    header, payload, signature = token.split(".")
    return json.loads(unb64(header)), json.loads(unb64(payload)), signature


def claims_of(token: str) -> Claims:
    return parts(token)[1]


def with_signature(header: dict[str, Any], claims: Claims, signature: str) -> str:
    return f"{encode_part(header)}.{encode_part(claims)}.{signature}"


def signed_with(key: Any, header: dict[str, Any], claims: Claims) -> str:
    """The header and claims signed, for real, with `key` (a joserfc key of the attacker's)."""
    payload = json.dumps(claims, separators=(",", ":")).encode()
    return jws.serialize_compact(dict(header), payload, key, algorithms=[header["alg"]])


def hmac_signed(secret: bytes, header: dict[str, Any], claims: Claims) -> str:
    """HS256 over header and claims with `secret` (for example the issuer's public key PEM)."""
    header = {**header, "alg": "HS256"}
    signing_input = f"{encode_part(header)}.{encode_part(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def forge(
    token: str,
    edit: Callable[[Claims], None],
    how: str,
    other_key: Any,
    *,
    header_edit: Callable[[dict[str, Any]], None] | None = None,
) -> str:
    """`token` with its claims edited by `edit` (and its header by `header_edit`), signed as
    `how` (one of SIGNATURES) says; `other_key` (a joserfc private key) signs for OTHER_KEY."""
    header, claims, signature = parts(token)
    claims = dict(claims)
    edit(claims)
    if header_edit is not None:
        header_edit(header)
    if how == ORIGINAL:
        return with_signature(header, claims, signature)
    if how == GARBAGE:
        return with_signature(header, claims, b64(secrets.token_bytes(len(unb64(signature)))))
    if how == NO_SIGNATURE:
        return with_signature(header, claims, "")
    if how == ALG_NONE:
        return with_signature({**header, "alg": "none"}, claims, "")
    if how == ALG_NONE_SIGNED:
        return with_signature({**header, "alg": "none"}, claims, signature)
    if how == OTHER_KEY:
        return signed_with(other_key, header, claims)
    raise ValueError(how)
