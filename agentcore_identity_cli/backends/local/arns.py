"""ARNs of local resources, in the AWS patterns (region `local`, account 000000000000)."""

from __future__ import annotations

PARTITION = "aws"
REGION = "local"
ACCOUNT = "000000000000"
TOKEN_VAULT = "default"
WORKLOAD_DIRECTORY = "default"

# kind -> the resource path segment the service uses
_PROVIDER_SEGMENT = {
    "apikey": "apikeycredentialprovider",
    "oauth2": "oauth2credentialprovider",
}


def provider_arn(kind: str, name: str) -> str:
    """arn:aws:acps:local:000000000000:token-vault/default/<segment>/<name>."""
    segment = _PROVIDER_SEGMENT[kind]
    return f"arn:{PARTITION}:acps:{REGION}:{ACCOUNT}:token-vault/{TOKEN_VAULT}/{segment}/{name}"


def workload_arn(name: str) -> str:
    """The ARN of a workload identity."""
    return (
        f"arn:{PARTITION}:bedrock-agentcore:{REGION}:{ACCOUNT}:"
        f"workload-identity-directory/{WORKLOAD_DIRECTORY}/workload-identity/{name}"
    )


def secret_arn(kind: str, name: str) -> str:
    """The ARN under which the service would keep this provider's secret.

    The six-character suffix mimics Secrets Manager's; it is derived from the name so it
    is stable across reads.
    """
    import hashlib

    suffix = hashlib.sha256(f"{kind}/{name}".encode()).hexdigest()[:6]
    return (
        f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT}:secret:"
        f"bedrock-agentcore-identity!{TOKEN_VAULT}/{kind}/{name}-{suffix}"
    )


def callback_url(name: str) -> str:
    """Where a provider's authorization server sends the user back (the local listener)."""
    return f"http://127.0.0.1/identities/oauth2/callback/{name}"


def parse(arn: str) -> tuple[str, str] | None:
    """(kind, name) of a local resource ARN, or None when it is not one of ours."""
    prefix_acps = f"arn:{PARTITION}:acps:{REGION}:{ACCOUNT}:token-vault/{TOKEN_VAULT}/"
    if arn.startswith(prefix_acps):
        segment, _, name = arn[len(prefix_acps) :].partition("/")
        for kind, known in _PROVIDER_SEGMENT.items():
            if segment == known and name:
                return kind, name
        return None
    if arn == f"arn:{PARTITION}:acps:{REGION}:{ACCOUNT}:token-vault/{TOKEN_VAULT}":
        return "tokenvault", TOKEN_VAULT
    prefix_wi = workload_arn("")
    if arn.startswith(prefix_wi) and len(arn) > len(prefix_wi):
        return "workload", arn[len(prefix_wi) :]
    return None


def token_vault_arn() -> str:
    """The ARN of the local token vault."""
    return f"arn:{PARTITION}:acps:{REGION}:{ACCOUNT}:token-vault/{TOKEN_VAULT}"
