"""The actions a local access policy can name, and those the local vault enforces.

IAM names an action after the API operation (`bedrock-agentcore:GetResourceApiKey`), so the
known actions are the operations of both AgentCore Identity services (data/operations.json).
The local vault checks the data-plane ones: the calls that hand out a credential.
"""

from __future__ import annotations

from functools import cache

PREFIX = "bedrock-agentcore:"

GET_WORKLOAD_ACCESS_TOKEN = "GetWorkloadAccessToken"
GET_WORKLOAD_ACCESS_TOKEN_FOR_JWT = "GetWorkloadAccessTokenForJWT"
GET_WORKLOAD_ACCESS_TOKEN_FOR_USER_ID = "GetWorkloadAccessTokenForUserId"
GET_RESOURCE_API_KEY = "GetResourceApiKey"
GET_RESOURCE_OAUTH2_TOKEN = "GetResourceOauth2Token"
GET_RESOURCE_PAYMENT_TOKEN = "GetResourcePaymentToken"

# Checked on every call, in this order in reports.
ENFORCED = (
    GET_WORKLOAD_ACCESS_TOKEN,
    GET_WORKLOAD_ACCESS_TOKEN_FOR_JWT,
    GET_WORKLOAD_ACCESS_TOKEN_FOR_USER_ID,
    GET_RESOURCE_API_KEY,
    GET_RESOURCE_OAUTH2_TOKEN,
    GET_RESOURCE_PAYMENT_TOKEN,
)

# provider kind in the vault -> the action that hands out its credential
PROVIDER_ACTIONS = {
    "apikey": GET_RESOURCE_API_KEY,
    "oauth2": GET_RESOURCE_OAUTH2_TOKEN,
    "payment": GET_RESOURCE_PAYMENT_TOKEN,
}


@cache
def known_actions() -> tuple[str, ...]:
    """Every action name a policy may spell out (without the service prefix)."""
    from agentcore_identity_cli.backends.base import operations

    return tuple(sorted(set(operations()) | set(ENFORCED)))


def qualified(action: str) -> str:
    """'GetResourceApiKey' -> 'bedrock-agentcore:GetResourceApiKey' (a qualified name is kept)."""
    return action if ":" in action else PREFIX + action
