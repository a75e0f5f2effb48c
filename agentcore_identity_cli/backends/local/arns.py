"""ARNs of local resources, in the forms the service hands out (region `local`, account 000000000000).

Every identity resource is under the `bedrock-agentcore` service, credential providers
included: `arn:aws:bedrock-agentcore:REGION:ACCOUNT:token-vault/default/apikeycredentialprovider/NAME`.
botocore's output patterns for provider ARNs still say `acps`, a form the service does not
hand out and that TagResource refuses. Vaults made before schema version 4 stored the `acps`
form; the migration rewrote their resources and tags, while their audit events keep the ARN
they were recorded with (the hash chain covers it): `canonical` reads those.
"""

from __future__ import annotations

PARTITION = "aws"
SERVICE = "bedrock-agentcore"
LEGACY_SERVICE = "acps"
REGION = "local"
ACCOUNT = "000000000000"
TOKEN_VAULT = "default"
WORKLOAD_DIRECTORY = "default"

# kind -> the resource path segment the service uses
_PROVIDER_SEGMENT = {
    "apikey": "apikeycredentialprovider",
    "oauth2": "oauth2credentialprovider",
    "payment": "paymentcredentialprovider",
}
PROVIDER_KINDS = tuple(_PROVIDER_SEGMENT)

_PREFIX = f"arn:{PARTITION}:{SERVICE}:{REGION}:{ACCOUNT}:"
_LEGACY_PREFIX = f"arn:{PARTITION}:{LEGACY_SERVICE}:"


def provider_arn(kind: str, name: str) -> str:
    """arn:aws:bedrock-agentcore:local:000000000000:token-vault/default/<segment>/<name>."""
    segment = _PROVIDER_SEGMENT[kind]
    return f"{_PREFIX}token-vault/{TOKEN_VAULT}/{segment}/{name}"


def canonical(arn: str) -> str:
    """The ARN as the service forms it: the legacy `acps` form of a token-vault ARN rewritten."""
    if arn.startswith(_LEGACY_PREFIX):
        return f"arn:{PARTITION}:{SERVICE}:" + arn[len(_LEGACY_PREFIX) :]
    return arn


def legacy(arn: str) -> str | None:
    """The `acps` form an old vault recorded for a token-vault ARN, or None for other ARNs."""
    head = f"arn:{PARTITION}:{SERVICE}:"
    if arn.startswith(head) and arn.split(":", 5)[-1].startswith("token-vault/"):
        return _LEGACY_PREFIX + arn[len(head) :]
    return None


def workload_arn(name: str) -> str:
    """The ARN of a workload identity."""
    return f"{_PREFIX}workload-identity-directory/{WORKLOAD_DIRECTORY}/workload-identity/{name}"


SECRET_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def secret_arn(vault_id: str, kind: str, name: str, created: float) -> str:
    """The ARN under which the service would keep this provider's secret.

    Secrets Manager ends a secret's ARN with '-' and six random letters and digits, so that a
    secret deleted and created again under the same name gets another ARN. Here the six are
    derived from the vault id, the record and its creation time: stable across reads, different
    in every vault, and new when a provider is deleted and created again (as on AWS).
    """
    import hashlib

    digest = hashlib.sha256(f"{vault_id}\x1f{kind}\x1f{name}\x1f{created!r}".encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    suffix = ""
    for _ in range(6):
        number, index = divmod(number, len(SECRET_SUFFIX_ALPHABET))
        suffix += SECRET_SUFFIX_ALPHABET[index]
    return (
        f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT}:secret:"
        f"bedrock-agentcore-identity!{TOKEN_VAULT}/{kind}/{name}-{suffix}"
    )


def consent_portal_arn(portal_id: str) -> str:
    """The ARN of a consent portal: arn:aws:bedrock-agentcore:local:000000000000:consent-portal/<id>."""
    return f"{_PREFIX}consent-portal/{portal_id}"


# Where `serve` listens unless told otherwise (cli/serve.py DEFAULT_PORT): the address a
# consent portal's URL names when the vault is not being served.
DEFAULT_SERVE_BASE = "http://127.0.0.1:8734"
PORTAL_PATH = "/consent-portals/"


def portal_url(portal_id: str, base: str | None = None) -> str:
    """The page of a consent portal on `serve` (at `base`, or serve's default address)."""
    return f"{base or DEFAULT_SERVE_BASE}{PORTAL_PATH}{portal_id}"


CALLBACK_PATH = "/identities/oauth2/callback/"
LOOPBACK = "http://127.0.0.1"


def callback_id(arn: str, created: float) -> str:
    """The id in a provider's callback URL: a UUID, as the service hands out, one per provider.

    Derived from the ARN and the creation time, so it is stable across reads and a provider
    deleted and created again under the same name gets a new one (as on AWS).
    """
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}#{created!r}"))


def callback_url(ident: str, base: str | None = None) -> str:
    """Where a provider's authorization server sends the user back.

    `base` is the address of `serve` when the vault is served (the hosted callback); without
    it the URL names no port: `login` listens on a random loopback port with this path, and
    RFC 8252 section 7.3 has authorization servers accept any port of a loopback redirect URI.
    """
    return f"{base or LOOPBACK}{CALLBACK_PATH}{ident}"


def parse(arn: str) -> tuple[str, str] | None:
    """(kind, name) of a local resource ARN, or None when it is not one of ours."""
    vault = token_vault_arn()
    if arn.startswith(vault + "/"):
        segment, _, name = arn[len(vault) + 1 :].partition("/")
        for kind, known in _PROVIDER_SEGMENT.items():
            if segment == known and name and "/" not in name:
                return kind, name
        return None
    if arn == vault:
        return "tokenvault", TOKEN_VAULT
    prefix_wi = workload_arn("")
    if arn.startswith(prefix_wi) and len(arn) > len(prefix_wi):
        return "workload", arn[len(prefix_wi) :]
    prefix_cp = consent_portal_arn("")
    if arn.startswith(prefix_cp) and len(arn) > len(prefix_cp) and "/" not in arn[len(prefix_cp) :]:
        return "consentportal", arn[len(prefix_cp) :]
    return None


def token_vault_arn() -> str:
    """The ARN of the local token vault."""
    return f"{_PREFIX}token-vault/{TOKEN_VAULT}"
