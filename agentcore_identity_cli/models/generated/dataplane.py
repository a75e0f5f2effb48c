"""Request models: dataplane, generated from botocore 1.44.8.

Do not edit: run `python scripts/generate_models.py`. A test fails when this file is stale.
"""
# ruff: noqa: N815, E501, F401
# No `from __future__ import annotations`: evaluated annotations spare pydantic from
# compiling a string per field at import, which is most of this module's import time.

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr

from agentcore_identity_cli.models.base import AwsModel, AwsUnion
from agentcore_identity_cli.models.constraints import Constraint


class UserIdentifier(AwsUnion):
    """AWS shape UserIdentifier."""
    userToken: Annotated[SecretStr, Constraint('string', min=1, max=131072, pattern='[A-Za-z0-9-_=]+.[A-Za-z0-9-_=]+.[A-Za-z0-9-_=]+')] | None = Field(None)
    userId: Annotated[str, Constraint('string', min=1, max=128)] | None = Field(None)


class CompleteResourceTokenAuthRequest(AwsModel):
    """AWS shape CompleteResourceTokenAuthRequest."""
    userIdentifier: UserIdentifier
    sessionUri: Annotated[str, Constraint('string', min=1, max=1024, pattern='urn:ietf:params:oauth:request_uri:[a-zA-Z0-9-._~]+')]


class GetResourceApiKeyRequest(AwsModel):
    """AWS shape GetResourceApiKeyRequest."""
    workloadIdentityToken: Annotated[SecretStr, Constraint('string', min=1, max=131072)]
    resourceCredentialProviderName: Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')]


class GetResourceOauth2TokenRequest(AwsModel):
    """AWS shape GetResourceOauth2TokenRequest."""
    workloadIdentityToken: Annotated[SecretStr, Constraint('string', min=1, max=131072)]
    resourceCredentialProviderName: Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')]
    scopes: list[Annotated[str, Constraint('string', min=1, max=128)]]
    oauth2Flow: Annotated[str, Constraint('string', enum=('USER_FEDERATION', 'M2M', 'ON_BEHALF_OF_TOKEN_EXCHANGE'))]
    sessionUri: Annotated[str, Constraint('string', min=1, max=1024, pattern='urn:ietf:params:oauth:request_uri:[a-zA-Z0-9-._~]+')] | None = Field(None)
    resourceOauth2ReturnUrl: Annotated[str, Constraint('string', min=1, max=2048, pattern='\\w+:(\\/?\\/?)[^\\s]+')] | None = Field(None)
    forceAuthentication: bool | None = Field(None)
    customParameters: dict[Annotated[str, Constraint('string', min=1, max=256, pattern='[a-zA-Z0-9\\-_\\.]+')], Annotated[SecretStr, Constraint('string', min=1, max=2048)]] | None = Field(None)
    customState: Annotated[SecretStr, Constraint('string', min=1, max=4096)] | None = Field(None)
    resources: list[Annotated[str, Constraint('string', min=1, max=2048)]] | None = Field(None)
    audiences: list[Annotated[str, Constraint('string', min=1, max=2048)]] | None = Field(None)


class CoinbaseCdpTokenRequestInput(AwsModel):
    """AWS shape CoinbaseCdpTokenRequestInput."""
    requestMethod: Annotated[str, Constraint('string', enum=('GET', 'POST', 'PUT', 'DELETE', 'PATCH'))]
    requestHost: Annotated[str, Constraint('string', min=1, max=256, pattern='[a-zA-Z0-9\\-\\.]+')] | None = Field(None)
    requestPath: Annotated[str, Constraint('string', min=1, max=2048, pattern='/[a-zA-Z0-9/_\\-\\.~%?=&]+')]
    includeWalletAuthToken: bool | None = Field(None)
    requestBody: Annotated[str, Constraint('string', min=1, max=16384, pattern='[\\u0009\\u000A\\u000D\\u0020-\\u007E]+')] | None = Field(None)


class StripePrivyTokenRequestInput(AwsModel):
    """AWS shape StripePrivyTokenRequestInput."""
    requestHost: Annotated[str, Constraint('string', min=1, max=256, pattern='[a-zA-Z0-9\\-\\.]+')] | None = Field(None)
    requestPath: Annotated[str, Constraint('string', min=1, max=2048, pattern='/[a-zA-Z0-9/_\\-\\.~%?=&]+')]
    requestBody: Annotated[SecretStr, Constraint('string', min=1, max=16384, pattern='[\\u0009\\u000A\\u000D\\u0020-\\u007E]+')]
    includeAuthorizationSignature: bool | None = Field(None)


class PaymentTokenRequestInput(AwsUnion):
    """AWS shape PaymentTokenRequestInput."""
    coinbaseCdpTokenRequest: CoinbaseCdpTokenRequestInput | None = Field(None)
    stripePrivyTokenRequest: StripePrivyTokenRequestInput | None = Field(None)


class GetResourcePaymentTokenRequest(AwsModel):
    """AWS shape GetResourcePaymentTokenRequest."""
    workloadIdentityToken: Annotated[SecretStr, Constraint('string', min=1, max=131072)]
    resourceCredentialProviderName: Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')]
    paymentTokenRequest: PaymentTokenRequestInput


class GetWorkloadAccessTokenRequest(AwsModel):
    """AWS shape GetWorkloadAccessTokenRequest."""
    workloadName: Annotated[str, Constraint('string', min=3, max=255, pattern='[A-Za-z0-9_.-]+')]


class GetWorkloadAccessTokenForJWTRequest(AwsModel):
    """AWS shape GetWorkloadAccessTokenForJWTRequest."""
    workloadName: Annotated[str, Constraint('string', min=3, max=255, pattern='[A-Za-z0-9_.-]+')]
    userToken: Annotated[SecretStr, Constraint('string', min=1, max=131072, pattern='[A-Za-z0-9-_=]+.[A-Za-z0-9-_=]+.[A-Za-z0-9-_=]+')]


class GetWorkloadAccessTokenForUserIdRequest(AwsModel):
    """AWS shape GetWorkloadAccessTokenForUserIdRequest."""
    workloadName: Annotated[str, Constraint('string', min=3, max=255, pattern='[A-Za-z0-9_.-]+')]
    userId: Annotated[str, Constraint('string', min=1, max=128)]
