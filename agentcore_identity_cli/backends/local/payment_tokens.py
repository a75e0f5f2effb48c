"""The credentials that payment vendors' APIs accept, computed from a provider's secrets.

- Coinbase CDP: a per-request bearer JWT signed with the API key secret (ES256 for an EC
  P-256 PEM key, EdDSA for a base64 Ed25519 key), and a wallet auth JWT signed with the
  wallet secret (base64 DER EC key) for the endpoints that move funds.
- Stripe/Privy: HTTP basic auth from the app id and secret, and an authorization
  signature: ECDSA P-256 over the RFC 8785 canonical JSON of the request.

The formats follow the vendors' published SDKs (cdp-sdk's cdp.auth.utils.jwt,
privy-client's privy.lib.authorization); the tests check ours against them.
Nothing here touches the vault: the caller opens the secrets and passes them in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import time
import uuid
import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from agentcore_identity_cli.errors import validation

CDP_HOST = "api.cdp.coinbase.com"
PRIVY_HOST = "api.privy.io"
PRIVY_METHOD = "POST"  # the API takes no method for Privy: its signed requests are mutations
CDP_BEARER_LIFETIME = 120  # seconds, as CDP's SDKs
PRIVY_REQUEST_EXPIRY_MS = 15 * 60 * 1000  # Privy's SDK default for privy-request-expiry
PRIVY_KEY_PREFIX = "wallet-auth:"


@dataclass(frozen=True)
class PrivyAuthorization:
    """A Privy authorization signature and the privy-request-expiry it covers."""

    signature: str
    request_expiry: int


# --- Coinbase CDP ---------------------------------------------------------------------


def _jws_registry() -> Any:
    from joserfc.jws import JWSRegistry
    from joserfc.registry import HeaderParameter

    # CDP puts a random `nonce` in the JWS header; joserfc refuses unknown header members.
    return JWSRegistry(header_registry={"nonce": HeaderParameter("Nonce", "str")}, algorithms=["ES256", "EdDSA"])


def _cdp_api_key(secret: str) -> tuple[Any, str]:
    """(joserfc key, alg) of a CDP API key secret: an EC PEM key, or base64 of an Ed25519 seed + public key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519
    from joserfc.jwk import ECKey, OKPKey

    text = secret.replace("\\n", "\n").strip()  # keys pasted from .env files keep literal \n
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        except (ValueError, TypeError):
            raise validation("The CDP apiKeySecret is a PEM block that does not hold a private key.") from None
        if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
            return ECKey.import_key(key), "ES256"
        raise validation("The CDP apiKeySecret must be an EC P-256 key (PEM) or an Ed25519 key (base64).")
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 64:
        raise validation("The CDP apiKeySecret must be an EC P-256 key (PEM) or an Ed25519 key (base64 of 64 bytes).")
    # CDP's Ed25519 secrets are the 32-byte seed followed by the 32-byte public key.
    return OKPKey.import_key(ed25519.Ed25519PrivateKey.from_private_bytes(raw[:32])), "EdDSA"


def _cdp_wallet_key(secret: str) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from joserfc.jwk import ECKey

    try:
        der = base64.b64decode("".join(secret.split()), validate=True)
        key = serialization.load_der_private_key(der, password=None)
    except (binascii.Error, ValueError, TypeError):
        raise validation("The CDP walletSecret must be a base64 DER EC private key.") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise validation("The CDP walletSecret must be an EC P-256 private key.")
    return ECKey.import_key(key)


def cdp_bearer_token(
    api_key_id: str, api_key_secret: str, method: str, host: str, path: str, *, now: int | None = None
) -> str:
    """The Authorization: Bearer JWT of one CDP REST request.

    Header: alg, kid (the key id), typ JWT, a 16-digit nonce. Claims: sub (the key id),
    iss "cdp", nbf, exp (nbf + 120 s), and uris ["METHOD host/path"]. As in CDP's SDK the
    query string is not part of the uri.
    """
    from joserfc import jwt
    from joserfc.errors import SecurityWarning

    key, alg = _cdp_api_key(api_key_secret)
    issued = int(time.time()) if now is None else now
    nonce = "".join(secrets.choice("0123456789") for _ in range(16))
    header = {"alg": alg, "kid": api_key_id, "typ": "JWT", "nonce": nonce}
    claims = {
        "sub": api_key_id,
        "iss": "cdp",
        "nbf": issued,
        "exp": issued + CDP_BEARER_LIFETIME,
        "uris": [f"{method} {host}{urlsplit(path).path}"],
    }
    with warnings.catch_warnings():
        # joserfc flags the "EdDSA" name as deprecated by RFC 9864; CDP's keys are named by it.
        warnings.simplefilter("ignore", SecurityWarning)
        return jwt.encode(header, claims, key, algorithms=[alg], registry=_jws_registry())


def cdp_request_hash(body: str | None) -> str | None:
    """reqHash of a wallet auth JWT: sha256 (hex) of the body as sorted-keys compact JSON.

    None for no body or an empty object, as CDP's SDK leaves the claim out then.
    """
    if body is None:
        return None
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        raise validation("coinbaseCdpTokenRequest.requestBody must be a JSON object.") from None
    if not isinstance(data, dict):
        raise validation("coinbaseCdpTokenRequest.requestBody must be a JSON object.")
    if not data:
        return None
    canonical = json.dumps(data, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def cdp_wallet_token(
    wallet_secret: str, method: str, host: str, path: str, body: str | None, *, now: int | None = None
) -> str:
    """The X-Wallet-Auth JWT of one CDP request: ES256, claims uris, iat, nbf, jti and reqHash."""
    from joserfc import jwt

    key = _cdp_wallet_key(wallet_secret)
    issued = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        "uris": [f"{method} {host}{path}"],
        "iat": issued,
        "nbf": issued,
        "jti": str(uuid.uuid4()),
    }
    digest = cdp_request_hash(body)
    if digest is not None:
        claims["reqHash"] = digest
    return jwt.encode({"alg": "ES256", "typ": "JWT"}, claims, key, algorithms=["ES256"])


def check_cdp_api_key(secret: str) -> None:
    """ValidationException unless the secret is a CDP API key secret this module can sign with."""
    _cdp_api_key(secret)


def check_cdp_wallet_secret(secret: str) -> None:
    """ValidationException unless the secret is a CDP wallet secret (base64 DER P-256 key)."""
    _cdp_wallet_key(secret)


# --- Stripe / Privy -------------------------------------------------------------------


def privy_basic_auth(app_id: str, app_secret: str) -> str:
    """base64(appId:appSecret), for `Authorization: Basic ...`."""
    return base64.b64encode(f"{app_id}:{app_secret}".encode()).decode()


def privy_signature_payload(app_id: str, method: str, url: str, body: str, request_expiry: int) -> bytes:
    """The RFC 8785 canonical JSON that a Privy authorization signature covers.

    The headers are the privy- headers the request carries: the app id and the request
    expiry (both must be sent with the request as signed). An empty body is signed as
    "", as Privy's SDK does.
    """
    import rfc8785

    try:
        parsed: Any = json.loads(body)
    except json.JSONDecodeError:
        raise validation("stripePrivyTokenRequest.requestBody must be JSON.") from None
    if parsed in ({}, []):
        parsed = ""
    payload = {
        "version": 1,
        "method": method,
        "url": url.rstrip("/"),
        "body": parsed,
        "headers": {"privy-app-id": app_id, "privy-request-expiry": str(request_expiry)},
    }
    return rfc8785.dumps(payload)


def _privy_key(private_key: str) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    text = "".join(private_key.removeprefix(PRIVY_KEY_PREFIX).split())
    try:
        key = serialization.load_der_private_key(base64.b64decode(text, validate=True), password=None)
    except (binascii.Error, ValueError, TypeError):
        raise validation(
            "The Privy authorizationPrivateKey must be a base64 PKCS#8 P-256 key (optionally prefixed wallet-auth:)."
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise validation("The Privy authorizationPrivateKey must be a P-256 key.")
    return key


def check_privy_key(private_key: str) -> None:
    """ValidationException unless the key is a Privy authorization private key."""
    _privy_key(private_key)


def privy_authorization(
    app_id: str, private_key: str, host: str, path: str, body: str, *, now_ms: int | None = None
) -> PrivyAuthorization:
    """The privy-authorization-signature of a POST to https://host/path, and its expiry (Unix ms)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = _privy_key(private_key)
    expiry = (time.time_ns() // 1_000_000 if now_ms is None else now_ms) + PRIVY_REQUEST_EXPIRY_MS
    payload = privy_signature_payload(app_id, PRIVY_METHOD, f"https://{host}{path}", body, expiry)
    signature = key.sign(payload, ec.ECDSA(hashes.SHA256()))
    return PrivyAuthorization(base64.b64encode(signature).decode(), expiry)
