"""Trusted issuers of user tokens, and the verification of inbound user JWTs.

`get-workload-access-token-for-jwt` issues nothing until the user's token is proven: its
issuer is on the local trust list, its signature verifies against that issuer's JWKS, it is
within `exp`/`nbf` (60 s leeway), and its audience (or client id) is one the trust entry
allows. `alg: none`, unknown key ids and symmetric algorithms are refused. The user id is
the token's `sub`.

JWKS documents are cached in the vault; an unknown `kid` triggers one refetch, so a key
rotation at the issuer is picked up without a stale cache refusing good tokens.
"""

from __future__ import annotations

import json
import time
from typing import Any

from agentcore_identity_cli.auditlog import CHANGE
from agentcore_identity_cli.backends.local.core import LocalCore, timestamp
from agentcore_identity_cli.backends.local.providers import check_endpoint
from agentcore_identity_cli.backends.local.signing import access_denied, checked_claims
from agentcore_identity_cli.errors import ServiceError, conflict, not_found, validation

KIND = "issuer"
LEEWAY_SECONDS = 60
HTTP_TIMEOUT_SECONDS = 10.0
# Asymmetric algorithms only: a shared-secret (HS*) token could be forged by anyone who
# holds the secret, and `none` by anyone at all.
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


def _issuer_arn(issuer: str) -> str:
    return f"urn:agentcore-identity:trusted-issuer:{issuer}"


def fetch_json(url: str, what: str, *, timeout: float | None = None) -> dict[str, Any]:
    """GET a JSON document over https (or loopback http), within the OAuth engine's deadline and size limit."""
    import httpx

    from agentcore_identity_cli.oauth.http import client_options
    from agentcore_identity_cli.tls import TRUST_HINT, certificate_problem

    check_endpoint(what, url)
    try:
        with httpx.Client(**client_options(timeout or HTTP_TIMEOUT_SECONDS, {"Accept": "application/json"})) as client:
            response = client.get(url)
        response.raise_for_status()
        document = response.json()
    except httpx.HTTPError as exc:
        problem = certificate_problem(exc)
        if problem:
            raise ServiceError(
                "ValidationException",
                f"Could not fetch the {what} {url}: the TLS certificate could not be verified ({problem}).",
                hint=TRUST_HINT,
            ) from None
        raise ServiceError("ValidationException", f"Could not fetch the {what} {url}: {exc}") from None
    except ValueError:
        raise validation(f"The {what} {url} is not JSON.") from None
    if not isinstance(document, dict):
        raise validation(f"The {what} {url} is not a JSON object.")
    return document


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a compact JWS, read only to choose the key; verified later."""
    import base64

    try:
        header_b64, payload_b64, _ = token.split(".")

        def part(text: str) -> dict[str, Any]:
            value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            if not isinstance(value, dict):
                raise ValueError
            return value

        return part(header_b64), part(payload_b64)
    except (ValueError, UnicodeDecodeError):
        raise validation("The user token is not a well-formed JWT.") from None


class TrustMixin(LocalCore):
    """The trust list (a local extension of the API) and user-token verification."""

    http_timeout: float | None = None

    def add_trusted_issuer(
        self,
        *,
        issuer: str | None,
        discovery_url: str | None,
        jwks_url: str | None,
        audiences: list[str],
        allowed_clients: list[str],
    ) -> dict[str, Any]:
        """Trust an issuer: its JWKS from jwks_url, or from its discovery document."""
        if not audiences and not allowed_clients:
            raise validation("A trusted issuer needs --audiences or --allowed-clients: a token must be meant for you.")
        if jwks_url is None:
            if discovery_url is None:
                if issuer is None:
                    raise validation("Give --issuer, --discovery-url or both.")
                discovery_url = issuer.rstrip("/") + "/.well-known/openid-configuration"
            metadata = fetch_json(discovery_url, "discovery document", timeout=self.http_timeout)
            published = metadata.get("issuer")
            if not isinstance(published, str) or (issuer is not None and published != issuer):
                raise validation(f"The discovery document names issuer {published!r}, not {issuer!r}.")
            issuer = published
            jwks = metadata.get("jwks_uri")
            if not isinstance(jwks, str):
                raise validation("The discovery document has no jwks_uri.")
            jwks_url = jwks
        if issuer is None:
            raise validation("--issuer is required with --jwks-url.")
        check_endpoint("jwks_uri", jwks_url)
        attrs = {
            "issuer": issuer,
            "discoveryUrl": discovery_url,
            "jwksUri": jwks_url,
            "audiences": audiences,
            "allowedClients": allowed_clients,
        }
        with self.audited("AddTrustedIssuer", target=_issuer_arn(issuer), category=CHANGE):
            if self.store.get(KIND, issuer) is not None:
                raise conflict("Trusted issuer", issuer)
            row = self.store.insert(KIND, issuer, _issuer_arn(issuer), attrs)
        return self._issuer_out(row)

    def remove_trusted_issuer(self, issuer: str) -> None:
        """Stop trusting an issuer."""
        with self.audited("RemoveTrustedIssuer", target=_issuer_arn(issuer), category=CHANGE):
            row = self.store.get(KIND, issuer)
            if row is None:
                raise not_found("Trusted issuer", issuer, hint="run 'agentcore-identity trusted-issuer list'")
            self.store.delete(KIND, issuer, row["arn"])

    def list_trusted_issuers(self) -> list[dict[str, Any]]:
        """Every trusted issuer."""
        return [self._issuer_out(row) for row in self.store.page(KIND, None, 10_000)]

    @staticmethod
    def _issuer_out(row: dict[str, Any]) -> dict[str, Any]:
        attrs = row["attrs"]
        out = {
            k: attrs[k] for k in ("issuer", "discoveryUrl", "jwksUri", "audiences", "allowedClients") if attrs.get(k)
        }
        out["createdTime"] = timestamp(row["created"])
        return out

    def _jwks(self, row: dict[str, Any], *, refresh: bool) -> Any:
        from joserfc.jwk import KeySet

        attrs = row["attrs"]
        cached = attrs.get("jwks")
        if refresh or not cached:
            cached = fetch_json(attrs["jwksUri"], "JWKS", timeout=self.http_timeout)
            with self.store.transaction():
                current = self.store.get(KIND, row["name"])
                if current is not None:
                    self.store.update(
                        KIND, row["name"], {**current["attrs"], "jwks": cached, "jwksFetched": time.time()}
                    )
        try:
            return KeySet.import_key_set(cached)
        except Exception:  # noqa: BLE001 - any malformed key set is the issuer's fault
            raise validation(f"The JWKS of {attrs['issuer']} could not be read.") from None

    def verify_user_token(self, token: str) -> dict[str, Any]:
        """The claims of a user JWT from a trusted issuer, or AccessDeniedException."""
        from joserfc import jwt
        from joserfc.errors import JoseError

        header, unverified = _unverified(token)
        alg = header.get("alg")
        if not isinstance(alg, str) or alg.lower() == "none":
            raise access_denied("The user token is unsigned (alg 'none'); it is refused.")
        if alg not in ALLOWED_ALGORITHMS:
            raise access_denied(f"The user token's algorithm {alg} is not accepted.")
        issuer = unverified.get("iss")
        row = self.store.get(KIND, issuer) if isinstance(issuer, str) else None
        if row is None:
            raise access_denied(
                f"The user token's issuer {issuer!r} is not trusted.",
            )
        kid = header.get("kid")
        keys = self._jwks(row, refresh=False)
        if kid is not None and not any(k.kid == kid for k in keys.keys):
            keys = self._jwks(row, refresh=True)
            if not any(k.kid == kid for k in keys.keys):
                raise access_denied(f"The user token's key id {kid!r} is not in the issuer's JWKS.")
        try:
            decoded = jwt.decode(token, keys, algorithms=list(ALLOWED_ALGORITHMS))
        except (JoseError, ValueError, TypeError):
            raise access_denied("The user token's signature does not verify with the issuer's keys.") from None
        claims = checked_claims(decoded.claims, "The user token", LEEWAY_SECONDS, issuer=str(issuer))
        self._check_audience(row["attrs"], claims)
        return claims

    @staticmethod
    def _check_audience(attrs: dict[str, Any], claims: dict[str, Any]) -> None:
        aud = claims.get("aud")
        audiences = {aud} if isinstance(aud, str) else set(aud or [])
        clients = {c for c in (claims.get("client_id"), claims.get("azp")) if isinstance(c, str)}
        if audiences & set(attrs.get("audiences") or []):
            return
        if clients & set(attrs.get("allowedClients") or []):
            return
        raise access_denied("The user token is not meant for this vault: its audience and client are not allowed.")
