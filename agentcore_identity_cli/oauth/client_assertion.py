"""private_key_jwt client authentication (RFC 7523 section 2.2, OpenID Connect Core 9).

The client proves who it is with a short-lived JWT signed by its private key: ``iss`` and
``sub`` are the client id, ``aud`` the token endpoint (whichever endpoint the request goes
to: token, device authorization or revocation), ``jti`` is fresh for every request, ``iat``
now and ``exp`` :data:`ASSERTION_TTL` seconds later; the header names the key by ``kid`` (its
RFC 7638 thumbprint, the same ``kid`` that :func:`public_jwks` publishes).

``additionalHeaderClaims`` and ``additionalPayloadClaims`` are added, but can never replace
the members above (:data:`RESERVED_HEADER`, :data:`RESERVED_PAYLOAD`): the local backend
refuses them when the provider is created, and the signer would put its own values over them.

Signing is joserfc's; keys are RSA (2048 bits or more) for RS256 and PS256, P-256 for ES256.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from agentcore_identity_cli.errors import validation

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_TTL = 60  # seconds: an assertion is made for one request, sent at once
ALGORITHMS = ("RS256", "PS256", "ES256")
DEFAULT_ALGORITHM = "RS256"
RSA_BITS = 2048
RESERVED_HEADER = ("alg", "kid")
RESERVED_PAYLOAD = ("iss", "sub", "aud", "jti", "exp", "iat")


def key_class(algorithm: str) -> Any:
    """The joserfc key class `algorithm` signs with; ValidationException for another algorithm."""
    from joserfc.jwk import ECKey, RSAKey

    if algorithm not in ALGORITHMS:
        raise validation(f"signingAlgorithm must be one of {', '.join(ALGORITHMS)}, not {algorithm}.")
    return ECKey if algorithm == "ES256" else RSAKey


def generate_key(algorithm: str) -> str:
    """A new private key for `algorithm`, as PKCS#8 PEM."""
    cls = key_class(algorithm)
    key = cls.generate_key("P-256" if algorithm == "ES256" else RSA_BITS, private=True)
    return str(key.as_pem(private=True).decode())


def load_key(pem: str, algorithm: str) -> Any:
    """The joserfc private key of a PEM, checked to fit `algorithm`; ValidationException otherwise.

    The message never repeats the PEM.
    """
    from joserfc.errors import JoseError

    cls = key_class(algorithm)
    kind = "a P-256 EC key" if algorithm == "ES256" else f"an RSA key of at least {RSA_BITS} bits"
    try:
        key = cls.import_key(pem.encode())
    except (JoseError, ValueError, TypeError):
        raise validation(
            f"The private key is not a PEM private key fitting {algorithm}: {algorithm} needs {kind}."
        ) from None
    if not key.is_private:
        raise validation("The private key PEM holds a public key only: give the private key.")
    raw = key.raw_value
    if algorithm == "ES256" and key.as_dict().get("crv") != "P-256":
        raise validation(f"{algorithm} needs {kind}.")
    if algorithm != "ES256" and raw.key_size < RSA_BITS:
        raise validation(f"{algorithm} needs {kind}; this one has {raw.key_size} bits.")
    return key


def fits(pem: str, algorithm: str) -> bool:
    """True when the PEM is a private key `algorithm` can sign with."""
    from agentcore_identity_cli.errors import ServiceError

    try:
        load_key(pem, algorithm)
    except ServiceError:
        return False
    return True


def public_jwk(key: Any, algorithm: str) -> dict[str, Any]:
    """The public half of a key as a JWK, with kid (thumbprint), use and alg."""
    jwk: dict[str, Any] = dict(key.as_dict(private=False))
    jwk.update({"kid": key.thumbprint(), "use": "sig", "alg": algorithm})
    return jwk


def public_jwks(pem: str, algorithm: str) -> dict[str, Any]:
    """A JWK Set holding only the public key of a PEM (for registration at the server)."""
    return {"keys": [public_jwk(load_key(pem, algorithm), algorithm)]}


def check_additional_claims(config: Mapping[str, Any]) -> None:
    """ValidationException when privateKeyJwtConfig's additional claims try to set a reserved member."""
    for member, reserved in (
        ("additionalHeaderClaims", RESERVED_HEADER),
        ("additionalPayloadClaims", RESERVED_PAYLOAD),
    ):
        clash = sorted(set(config.get(member) or {}) & set(reserved))
        if clash:
            raise validation(
                f"privateKeyJwtConfig.{member} cannot set {', '.join(clash)}: the client assertion sets "
                f"{', '.join(reserved)} itself."
            )


@dataclass(frozen=True)
class ClientAssertion:
    """How to sign client assertions for one provider. The key stays out of repr()."""

    key: Any = field(repr=False)
    algorithm: str = DEFAULT_ALGORITHM
    header_claims: Mapping[str, str] = field(default_factory=dict)
    payload_claims: Mapping[str, str] = field(default_factory=dict)

    def sign(self, client_id: str, audience: str, *, now: float | None = None) -> str:
        """One assertion, for one request."""
        from joserfc import jwt

        issued = int(time.time() if now is None else now)
        header = {**self.header_claims, "alg": self.algorithm, "kid": self.key.thumbprint()}
        header.setdefault("typ", "JWT")
        claims = {
            **self.payload_claims,
            "iss": client_id,
            "sub": client_id,
            "aud": audience,
            "jti": secrets.token_urlsafe(24),
            "iat": issued,
            "exp": issued + ASSERTION_TTL,
        }
        from joserfc.errors import JoseError
        from joserfc.jws import JWSRegistry

        # additionalHeaderClaims may name members joserfc does not know: allowed, as the API allows them.
        registry = JWSRegistry(algorithms=[self.algorithm], strict_check_header=False)
        try:
            return str(jwt.encode(header, claims, self.key, registry=registry))
        except JoseError as exc:
            raise validation(f"The client assertion could not be signed ({exc.error}).") from None


class PrivateKeyJwtAuth:
    """Authlib client-authentication method `private_key_jwt` signing with a :class:`ClientAssertion`.

    Authlib calls it for the token, device authorization and revocation requests of a
    session; the assertion's audience is always the token endpoint.
    """

    name = "private_key_jwt"

    def __init__(self, assertion: ClientAssertion, token_endpoint: str) -> None:
        self.assertion = assertion
        self.token_endpoint = token_endpoint

    def __call__(self, auth: Any, method: str, uri: str, headers: Any, body: Any) -> tuple[str, Any, Any]:
        from urllib.parse import parse_qsl

        from authlib.common.urls import add_params_to_qs

        signed = self.assertion.sign(auth.client_id, self.token_endpoint)
        text = body.decode() if isinstance(body, bytes) else (body or "")
        sent = {key for key, _ in parse_qsl(text, keep_blank_values=True)}
        pairs = [] if "client_id" in sent else [("client_id", auth.client_id)]
        pairs += [("client_assertion_type", ASSERTION_TYPE), ("client_assertion", signed)]
        return uri, headers, add_params_to_qs(text, pairs)
