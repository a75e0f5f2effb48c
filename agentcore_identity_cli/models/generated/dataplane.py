"""Request models: dataplane, generated from botocore 1.44.8.

Do not edit: run `python scripts/generate_models.py`. A test fails when this file is stale.
"""
# ruff: noqa: N815, E501, F401
# No `from __future__ import annotations`: evaluated annotations spare pydantic from
# compiling a string per field at import, which is most of this module's import time.

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, SecretStr

from agentcore_identity_cli.models.base import AwsModel, AwsUnion, secret_pattern


class UserIdentifier(AwsUnion):
    """AWS shape UserIdentifier."""
    userToken: Annotated[SecretStr, Field(min_length=1, max_length=131072), AfterValidator(secret_pattern('[A-Za-z0-9-_=]+.[A-Za-z0-9-_=]+.[A-Za-z0-9-_=]+'))] | None = Field(None)
    userId: Annotated[str, Field(min_length=1, max_length=128)] | None = Field(None)


class CompleteResourceTokenAuthRequest(AwsModel):
    """AWS shape CompleteResourceTokenAuthRequest."""
    userIdentifier: UserIdentifier
    sessionUri: Annotated[str, Field(min_length=1, max_length=1024, pattern='^(?:urn:ietf:params:oauth:request_uri:[a-zA-Z0-9-._~]+)$')]


class GetResourceApiKeyRequest(AwsModel):
    """AWS shape GetResourceApiKeyRequest."""
    workloadIdentityToken: Annotated[SecretStr, Field(min_length=1, max_length=131072)]
    resourceCredentialProviderName: Annotated[str, Field(min_length=1, max_length=128, pattern='^(?:[a-zA-Z0-9\\-_]+)$')]


class GetResourceOauth2TokenRequest(AwsModel):
    """AWS shape GetResourceOauth2TokenRequest."""
    workloadIdentityToken: Annotated[SecretStr, Field(min_length=1, max_length=131072)]
    resourceCredentialProviderName: Annotated[str, Field(min_length=1, max_length=128, pattern='^(?:[a-zA-Z0-9\\-_]+)$')]
    scopes: list[Annotated[str, Field(min_length=1, max_length=128)]]
    oauth2Flow: Literal['USER_FEDERATION', 'M2M', 'ON_BEHALF_OF_TOKEN_EXCHANGE']
    sessionUri: Annotated[str, Field(min_length=1, max_length=1024, pattern='^(?:urn:ietf:params:oauth:request_uri:[a-zA-Z0-9-._~]+)$')] | None = Field(None)
    resourceOauth2ReturnUrl: Annotated[str, Field(min_length=1, max_length=2048, pattern='^(?:\\w+:(\\/?\\/?)[^\\s]+)$')] | None = Field(None)
    forceAuthentication: bool | None = Field(None)
    customParameters: dict[Annotated[str, Field(min_length=1, max_length=256, pattern='^(?:[a-zA-Z0-9\\-_\\.]+)$')], Annotated[SecretStr, Field(min_length=1, max_length=2048)]] | None = Field(None)
    customState: Annotated[SecretStr, Field(min_length=1, max_length=4096)] | None = Field(None)
    resources: list[Annotated[str, Field(min_length=1, max_length=2048)]] | None = Field(None)
    audiences: list[Annotated[str, Field(min_length=1, max_length=2048)]] | None = Field(None)


class CoinbaseCdpTokenRequestInput(AwsModel):
    """AWS shape CoinbaseCdpTokenRequestInput."""
    requestMethod: Literal['GET', 'POST', 'PUT', 'DELETE', 'PATCH']
    requestHost: Annotated[str, Field(min_length=1, max_length=256, pattern='^(?:[a-zA-Z0-9\\-\\.]+)$')] | None = Field(None)
    requestPath: Annotated[str, Field(min_length=1, max_length=2048, pattern='^(?:/[a-zA-Z0-9/_\\-\\.~%?=&]+)$')]
    includeWalletAuthToken: bool | None = Field(None)
    requestBody: Annotated[str, Field(min_length=1, max_length=16384, pattern='^(?:[\\u0009\\u000A\\u000D\\u0020-\\u007E]+)$')] | None = Field(None)


class StripePrivyTokenRequestInput(AwsModel):
    """AWS shape StripePrivyTokenRequestInput."""
    requestHost: Annotated[str, Field(min_length=1, max_length=256, pattern='^(?:[a-zA-Z0-9\\-\\.]+)$')] | None = Field(None)
    requestPath: Annotated[str, Field(min_length=1, max_length=2048, pattern='^(?:/[a-zA-Z0-9/_\\-\\.~%?=&]+)$')]
    requestBody: Annotated[SecretStr, Field(min_length=1, max_length=16384), AfterValidator(secret_pattern('[\\u0009\\u000A\\u000D\\u0020-\\u007E]+'))]
    includeAuthorizationSignature: bool | None = Field(None)


class PaymentTokenRequestInput(AwsUnion):
    """AWS shape PaymentTokenRequestInput."""
    coinbaseCdpTokenRequest: CoinbaseCdpTokenRequestInput | None = Field(None)
    stripePrivyTokenRequest: StripePrivyTokenRequestInput | None = Field(None)


class GetResourcePaymentTokenRequest(AwsModel):
    """AWS shape GetResourcePaymentTokenRequest."""
    workloadIdentityToken: Annotated[SecretStr, Field(min_length=1, max_length=131072)]
    resourceCredentialProviderName: Annotated[str, Field(min_length=1, max_length=128, pattern='^(?:[a-zA-Z0-9\\-_]+)$')]
    paymentTokenRequest: PaymentTokenRequestInput


class GetWorkloadAccessTokenRequest(AwsModel):
    """AWS shape GetWorkloadAccessTokenRequest."""
    workloadName: Annotated[str, Field(min_length=3, max_length=255, pattern='^(?:[A-Za-z0-9_.-]+)$')]


class GetWorkloadAccessTokenForJWTRequest(AwsModel):
    """AWS shape GetWorkloadAccessTokenForJWTRequest."""
    workloadName: Annotated[str, Field(min_length=3, max_length=255, pattern='^(?:[A-Za-z0-9_.-]+)$')]
    userToken: Annotated[SecretStr, Field(min_length=1, max_length=131072), AfterValidator(secret_pattern('[A-Za-z0-9-_=]+.[A-Za-z0-9-_=]+.[A-Za-z0-9-_=]+'))]


class GetWorkloadAccessTokenForUserIdRequest(AwsModel):
    """AWS shape GetWorkloadAccessTokenForUserIdRequest."""
    workloadName: Annotated[str, Field(min_length=3, max_length=255, pattern='^(?:[A-Za-z0-9_.-]+)$')]
    userId: Annotated[str, Field(min_length=1, max_length=128)]
