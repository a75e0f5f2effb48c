"""The resource kinds a definition file holds, and where their secrets are.

Which members are secrets is read from the pinned service model (a member marked
`sensitive`), so a vendor or a secret added to the API needs no code here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

# The tag under which `--scopes` keeps an OAuth2 provider's default scopes (cli/oauth2.py);
# the file gives them as `scopes`, not as a tag.
SCOPES_TAG = "agentcore-identity:default-scopes"
# The tag that keeps the file's `secret_version` of a provider: the service never returns a
# secret, so a new version is how a file says "send the secrets again" (a rotation).
SECRET_VERSION_TAG = "agentcore-identity:secret-version"


@dataclass(frozen=True)
class Kind:
    """One kind of resource: its section in the file and the operations that manage it."""

    key: str  # the internal name (the local vault's kind)
    section: str  # the table of the definition file
    label: str  # for people
    noun: str  # the operations' noun: Create{noun}, Get{noun}, ...
    list_operation: str
    list_member: str
    local_only: bool = False


API_KEY = Kind(
    "apikey",
    "api_key_providers",
    "API key credential provider",
    "ApiKeyCredentialProvider",
    "ListApiKeyCredentialProviders",
    "credentialProviders",
)
OAUTH2 = Kind(
    "oauth2",
    "oauth2_providers",
    "OAuth2 credential provider",
    "Oauth2CredentialProvider",
    "ListOauth2CredentialProviders",
    "credentialProviders",
)
PAYMENT = Kind(
    "payment",
    "payment_providers",
    "payment credential provider",
    "PaymentCredentialProvider",
    "ListPaymentCredentialProviders",
    "credentialProviders",
)
WORKLOAD = Kind(
    "workload",
    "workload_identities",
    "workload identity",
    "WorkloadIdentity",
    "ListWorkloadIdentities",
    "workloadIdentities",
)
ISSUER = Kind("issuer", "trusted_issuers", "trusted issuer", "", "", "", local_only=True)
# The access policy of a workload identity (backends/local/access.py), by the workload's name.
ACCESS_POLICY = Kind("accesspolicy", "workload_access_policies", "workload access policy", "", "", "", local_only=True)

# Creation order: workload identities first so that a provider's consumers exist before it does,
# access policies last (they name both); deletions run in reverse.
KINDS: tuple[Kind, ...] = (WORKLOAD, API_KEY, OAUTH2, PAYMENT, ISSUER, ACCESS_POLICY)
BY_SECTION = {kind.section: kind for kind in KINDS}
BY_KEY = {kind.key: kind for kind in KINDS}

# API key providers have one secret, at the top of the request.
API_KEY_SECRET = "apiKey"

PAYMENT_MEMBERS = {"CoinbaseCDP": "coinbaseCdpConfiguration", "StripePrivy": "stripePrivyConfiguration"}


def _control_model() -> Any:
    from agentcore_identity_cli.server.protocol import service_model

    return service_model("bedrock-agentcore-control")


def config_shape(kind: Kind, member: str) -> Any:
    """The input structure of one vendor member (oauth2ProviderConfigInput / providerConfigurationInput)."""
    top = "Oauth2ProviderConfigInput" if kind is OAUTH2 else "PaymentProviderConfigurationInput"
    shape = _control_model().shape_for(top)
    return shape.members[member]


@cache
def secret_members(kind_key: str, member: str) -> tuple[str, ...]:
    """The sensitive members of a vendor's input structure (clientSecret, walletSecret, ...)."""
    shape = config_shape(BY_KEY[kind_key], member)
    return tuple(name for name, sub in shape.members.items() if sub.metadata.get("sensitive"))


def config_member(kind: Kind, vendor: str) -> str:
    """The member of the config input a vendor takes; KeyError for an unknown vendor."""
    if kind is PAYMENT:
        return PAYMENT_MEMBERS[vendor]
    from agentcore_identity_cli.oauth.catalogue import vendor as lookup

    return lookup(vendor).config_member


def vendors(kind: Kind) -> list[str]:
    """Every vendor the API knows for a provider kind."""
    name = "CredentialProviderVendorType" if kind is OAUTH2 else "PaymentCredentialProviderVendorType"
    return list(_control_model().shape_for(name).enum)


def project(shape: Any, value: Any) -> Any:
    """`value` with only the members `shape` has, recursively: an output read back as an input."""
    if shape.type_name == "structure" and isinstance(value, dict):
        return {k: project(shape.members[k], v) for k, v in value.items() if k in shape.members}
    if shape.type_name == "list" and isinstance(value, list):
        return [project(shape.member, v) for v in value]
    return value
