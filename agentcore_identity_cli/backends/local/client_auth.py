"""Client authentication of custom OAuth2 providers on the local vault.

`clientAuthenticationMethod` (customOauth2ProviderConfig) chooses how the client
authenticates on every request to the token, device authorization and revocation endpoints;
when set, it wins over what the discovery metadata or the vendor catalogue would pick.

PRIVATE_KEY_JWT signs client assertions with a private key kept sealed in the vault (field
``privateKey`` of the provider's record, so key rotation re-seals it and deleting the
provider deletes it). The key is the one given with `--private-key` (a local-backend
extension), or else one the vault generates when the provider is created or updated
(RSA 2048 for RS256 and PS256, P-256 for ES256). An update keeps the stored key while it
fits the signing algorithm. Only its public half ever leaves the vault (`oauth2-public-key`).

What the local vault cannot do (AWS_IAM_ID_TOKEN_JWT, for the client or as the
token-exchange actor, and keys held in KMS) was refused before any of this runs, by
backends/local/refusals.py.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from agentcore_identity_cli.errors import validation

if TYPE_CHECKING:
    from agentcore_identity_cli.backends.local.core import LocalCore
    from agentcore_identity_cli.oauth.client_assertion import ClientAssertion

OAUTH2 = "oauth2"
KEY_FIELD = "privateKey"
PRIVATE_KEY_JWT = "PRIVATE_KEY_JWT"
AWS_IAM = "AWS_IAM_ID_TOKEN_JWT"
# clientAuthenticationMethod -> the OAuth name the engine uses.
METHODS = {
    "CLIENT_SECRET_BASIC": "client_secret_basic",
    "CLIENT_SECRET_POST": "client_secret_post",
    PRIVATE_KEY_JWT: "private_key_jwt",
}

log = logging.getLogger(__name__)


def aws_only(what: str) -> Exception:
    """ValidationException for a stored provider (one an earlier release accepted) that needs AWS."""
    return validation(
        f"{what} is not available on the local backend: only AgentCore Identity can mint AWS IAM identity "
        "tokens or sign with KMS keys. Use --backend aws for this provider."
    )


def check_config(config: Mapping[str, Any]) -> None:
    """Refuse, before anything is stored, what the local backend cannot run."""
    from agentcore_identity_cli.oauth.client_assertion import DEFAULT_ALGORITHM, check_additional_claims, key_class

    key_config = config.get("privateKeyJwtConfig") or {}
    key_class(key_config.get("signingAlgorithm") or DEFAULT_ALGORITHM)
    check_additional_claims(key_config)


def uses_private_key(config: Mapping[str, Any]) -> bool:
    """True when the provider authenticates with PRIVATE_KEY_JWT."""
    return config.get("clientAuthenticationMethod") == PRIVATE_KEY_JWT


def algorithm(config: Mapping[str, Any]) -> str:
    """The signing algorithm of the provider's client assertions."""
    from agentcore_identity_cli.oauth.client_assertion import DEFAULT_ALGORITHM

    return str((config.get("privateKeyJwtConfig") or {}).get("signingAlgorithm") or DEFAULT_ALGORITHM)


def explicit_method(config: Mapping[str, Any]) -> str | None:
    """The OAuth name of the configured clientAuthenticationMethod, or None when not set."""
    method = config.get("clientAuthenticationMethod")
    if method is None:
        return None
    if method == AWS_IAM:
        raise aws_only("clientAuthenticationMethod AWS_IAM_ID_TOKEN_JWT")
    return METHODS[str(method)]


def ensure_private_key(core: LocalCore, name: str, config: Mapping[str, Any]) -> None:
    """Inside a create or update: make sure a PRIVATE_KEY_JWT provider has a key fitting its algorithm."""
    if not uses_private_key(config):
        return
    from agentcore_identity_cli.oauth.client_assertion import fits, generate_key

    alg = algorithm(config)
    stored = core.store.get_secret(OAUTH2, name, KEY_FIELD) is not None
    if stored and fits(core.open_secret(OAUTH2, name, KEY_FIELD), alg):
        return
    log.debug("generating a %s private key for provider %s", alg, name)
    core.seal_secret(OAUTH2, name, KEY_FIELD, generate_key(alg))


def set_private_key(core: LocalCore, name: str, pem: str) -> None:
    """Seal a given private key for a provider that uses PRIVATE_KEY_JWT (checked against its algorithm)."""
    from agentcore_identity_cli.oauth.client_assertion import load_key

    config = core.require(OAUTH2, name)["attrs"].get("config") or {}
    if not uses_private_key(config):
        raise validation(
            "A private key is used only with clientAuthenticationMethod PRIVATE_KEY_JWT; this provider "
            f"uses {config.get('clientAuthenticationMethod') or 'a client secret'}."
        )
    load_key(pem, algorithm(config))
    core.seal_secret(OAUTH2, name, KEY_FIELD, pem)


def client_assertion(core: LocalCore, name: str, config: Mapping[str, Any]) -> ClientAssertion:
    """The signer of the provider's client assertions, with its sealed key opened."""
    from agentcore_identity_cli.oauth.client_assertion import ClientAssertion, load_key

    alg = algorithm(config)
    key_config = config.get("privateKeyJwtConfig") or {}
    return ClientAssertion(
        key=load_key(core.open_secret(OAUTH2, name, KEY_FIELD), alg),
        algorithm=alg,
        header_claims=dict(key_config.get("additionalHeaderClaims") or {}),
        payload_claims=dict(key_config.get("additionalPayloadClaims") or {}),
    )


def public_jwks(core: LocalCore, name: str) -> dict[str, Any]:
    """The provider's public key as a JWK Set (no private member)."""
    from agentcore_identity_cli.oauth.client_assertion import public_jwks as jwks

    config = core.require(OAUTH2, name)["attrs"].get("config") or {}
    if not uses_private_key(config) or core.store.get_secret(OAUTH2, name, KEY_FIELD) is None:
        raise validation(
            f"OAuth2 credential provider '{name}' does not use PRIVATE_KEY_JWT, so it has no key pair.",
        )
    return jwks(core.open_secret(OAUTH2, name, KEY_FIELD), algorithm(config))
