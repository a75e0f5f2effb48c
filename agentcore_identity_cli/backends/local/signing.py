"""Workload access tokens: short-lived JWTs signed with the vault's own key.

A workload proves who it is with one of these tokens, then exchanges it for the API key or
OAuth token it is allowed to use. The signing key (ES256, P-256) is made on first use and
kept in the vault sealed under the vault key; rotating the vault key makes a new signing
key, so every token issued before the rotation stops working.

Claims: ``iss`` names this vault, ``aud`` the token vault, ``sub`` the workload identity
ARN, ``workload`` its name, ``user_id`` the user the token acts for (absent for a
workload-only token), ``iat``/``exp`` (15 minutes by default, see ``token_ttl``) and a
random ``jti``.
"""

from __future__ import annotations

import os
import time
from typing import Any

from agentcore_identity_cli.backends.local.core import LocalCore
from agentcore_identity_cli.backends.local.vault import vault_hex
from agentcore_identity_cli.errors import ConfigError, RetiredTokenError, ServiceError

ALGORITHM = "ES256"
AUDIENCE = "agentcore-identity:token-vault"
DEFAULT_TTL_SECONDS = 15 * 60
ENV_TTL = "AGENTCORE_IDENTITY_WORKLOAD_TOKEN_TTL"
MAX_TTL_SECONDS = 12 * 60 * 60


def token_ttl() -> int:
    """Lifetime of new workload access tokens, from AGENTCORE_IDENTITY_WORKLOAD_TOKEN_TTL."""
    raw = os.environ.get(ENV_TTL)
    if not raw:
        return DEFAULT_TTL_SECONDS
    # A wrong environment, not a refused request: exit 253, as for any other setting.
    hint = f"set {ENV_TTL} to a number of seconds from 10 to {MAX_TTL_SECONDS}, or unset it for 15 minutes"
    try:
        seconds = int(raw)
    except ValueError:
        raise ConfigError(f"{ENV_TTL} must be a whole number of seconds, not '{raw}'.", hint=hint) from None
    if not 10 <= seconds <= MAX_TTL_SECONDS:
        raise ConfigError(f"{ENV_TTL} must be between 10 and {MAX_TTL_SECONDS} seconds, not {seconds}.", hint=hint)
    return seconds


def access_denied(message: str) -> ServiceError:
    """AccessDeniedException: the caller's token does not entitle it to the call."""
    return ServiceError("AccessDeniedException", message)


def checked_claims(
    claims: dict[str, Any], what: str, leeway: int, *, issuer: str, audience: str | None = None
) -> dict[str, Any]:
    """Claims with `iss` as expected, a `sub`, and within `exp`/`nbf`; else AccessDeniedException."""
    from joserfc import jwt
    from joserfc.errors import JoseError

    options: dict[str, Any] = {
        "iss": {"essential": True, "value": issuer},
        "sub": {"essential": True},
        "exp": {"essential": True},
    }
    if audience is not None:
        options["aud"] = {"essential": True, "value": audience}
    try:
        jwt.JWTClaimsRegistry(leeway=leeway, **options).validate(claims)
    except JoseError as exc:
        reason = "has expired" if exc.error == "expired_token" else f"is not valid ({exc.error})"
        raise access_denied(f"{what} {reason}.") from None
    return dict(claims)


def _kid(token: str) -> str | None:
    """The `kid` of a compact JWS header, unverified; None when there is none to read."""
    import base64
    import json

    head = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, TypeError):
        return None
    kid = header.get("kid") if isinstance(header, dict) else None
    return kid if isinstance(kid, str) else None


class SigningMixin(LocalCore):
    """Issues and checks workload access tokens."""

    _signing_key: Any = None
    _signing_key_sealed: str | None = None  # what `_signing_key` was opened from

    def issuer(self) -> str:
        """The `iss` of tokens from this vault."""
        return f"urn:agentcore-identity:local:{self.store.meta('vault_id')}"

    def _aad_signing(self) -> bytes:
        from agentcore_identity_cli.backends.local.crypto import associated_data

        return associated_data(self.store.meta("vault_id") or "", "vault", "signing-key", "privateKey")

    def signing_key(self) -> Any:
        """The current signing key (a joserfc ECKey), made on first use.

        Kept open while the vault holds the same sealed key: a rotation in another process
        replaces it, and this process must then neither sign with nor accept the retired one.
        """
        if self._signing_key is not None and self.store.meta("signing_key") == self._signing_key_sealed:
            return self._signing_key
        from joserfc.jwk import ECKey

        from agentcore_identity_cli.backends.local.crypto import SealError, open_sealed, seal

        with self.store.transaction():
            stored = self.store.meta("signing_key")
            if stored is None:
                key = ECKey.generate_key("P-256", private=True)
                pem = key.as_pem(private=True)
                stored = seal(self.keys.key(), pem, self._aad_signing()).hex()
                self.store.set_meta("signing_key", stored)
            else:
                try:
                    pem = open_sealed(self.keys.key(), vault_hex(stored), self._aad_signing())
                except SealError:
                    raise ServiceError(
                        "DecryptionFailure", "The vault's token signing key failed authentication."
                    ) from None
                key = ECKey.import_key(pem)
        self._signing_key, self._signing_key_sealed = key, stored
        return key

    def new_signing_key(self, vault_key: bytes) -> None:
        """Replace the signing key, sealed under `vault_key` (called inside a rotation)."""
        from joserfc.jwk import ECKey

        from agentcore_identity_cli.backends.local.crypto import seal

        key = ECKey.generate_key("P-256", private=True)
        self.store.set_meta("signing_key", seal(vault_key, key.as_pem(private=True), self._aad_signing()).hex())
        self._signing_key, self._signing_key_sealed = None, None

    def issue_workload_token(self, workload: dict[str, Any], user_id: str | None, extra: dict[str, Any]) -> str:
        """A signed workload access token for a workload identity row (and user)."""
        import secrets

        from joserfc import jwt

        key = self.signing_key()
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer(),
            "aud": AUDIENCE,
            "sub": workload["arn"],
            "workload": workload["name"],
            "iat": now,
            "nbf": now,
            "exp": now + token_ttl(),
            "jti": secrets.token_urlsafe(16),
            **extra,
        }
        if user_id is not None:
            claims["user_id"] = user_id
        header = {"alg": ALGORITHM, "typ": "JWT", "kid": key.thumbprint()}
        return str(jwt.encode(header, claims, key, algorithms=[ALGORITHM]))

    def verify_workload_token(self, token: str) -> dict[str, Any]:
        """The claims of a valid token from this vault whose workload still exists.

        Every failure is AccessDeniedException, and never repeats the token.
        """
        from joserfc import jwt
        from joserfc.errors import JoseError

        key = self.signing_key()
        try:
            decoded = jwt.decode(token, key, algorithms=[ALGORITHM])
        except (JoseError, ValueError, TypeError):
            if _kid(token) not in (None, key.thumbprint()):
                raise RetiredTokenError(
                    "The workload access token is not valid: it names a signing key this vault no longer "
                    "uses (issued before a key rotation, or forged)."
                ) from None
            raise access_denied(
                "The workload access token is not valid: its signature does not verify with this vault's "
                "signing key (forged, malformed, or issued before a key rotation)."
            ) from None
        if decoded.header.get("kid") != key.thumbprint():
            raise access_denied("The workload access token was signed with a retired key.")
        claims = checked_claims(decoded.claims, "The workload access token", 5, issuer=self.issuer(), audience=AUDIENCE)
        row = self.store.get("workload", str(claims.get("workload", "")))
        if row is None or row["arn"] != claims["sub"]:
            raise access_denied("The workload identity of this token no longer exists.")
        self.audit_caller(row["name"], claims.get("user_id"))  # the audit event says who asked
        return claims
