"""Request models: payment, generated from botocore 1.44.8.

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

from agentcore_identity_cli.models.generated.common import SecretReference


class CoinbaseCdpConfigurationInput(AwsModel):
    """AWS shape CoinbaseCdpConfigurationInput."""
    apiKeyId: Annotated[str, Constraint('string', min=1, max=512, pattern='[a-zA-Z0-9\\-_]+')]
    apiKeySecret: Annotated[SecretStr, Constraint('string', min=0, max=2048, pattern='[a-zA-Z0-9+/=\\-_\\s]*')] | None = Field(None)
    apiKeySecretSource: Annotated[str, Constraint('string', enum=('MANAGED', 'EXTERNAL'))] | None = Field(None)
    apiKeySecretConfig: SecretReference | None = Field(None)
    walletSecret: Annotated[SecretStr, Constraint('string', min=0, max=2048, pattern='[a-zA-Z0-9+/=\\-_\\s]*')] | None = Field(None)
    walletSecretSource: Annotated[str, Constraint('string', enum=('MANAGED', 'EXTERNAL'))] | None = Field(None)
    walletSecretConfig: SecretReference | None = Field(None)


class StripePrivyConfigurationInput(AwsModel):
    """AWS shape StripePrivyConfigurationInput."""
    appId: Annotated[str, Constraint('string', min=1, max=512, pattern='[a-zA-Z0-9\\-_]+')]
    appSecret: Annotated[SecretStr, Constraint('string', min=0, max=2048, pattern='[a-zA-Z0-9+/=\\-_\\s]*')] | None = Field(None)
    appSecretSource: Annotated[str, Constraint('string', enum=('MANAGED', 'EXTERNAL'))] | None = Field(None)
    appSecretConfig: SecretReference | None = Field(None)
    authorizationPrivateKey: Annotated[SecretStr, Constraint('string', min=0, max=2048, pattern='(wallet-auth:)?[a-zA-Z0-9+/=\\-_\\s]*')] | None = Field(None)
    authorizationPrivateKeySource: Annotated[str, Constraint('string', enum=('MANAGED', 'EXTERNAL'))] | None = Field(None)
    authorizationPrivateKeyConfig: SecretReference | None = Field(None)
    authorizationId: Annotated[str, Constraint('string', min=1, max=512, pattern='[a-zA-Z0-9\\-_]+')]


class PaymentProviderConfigurationInput(AwsUnion):
    """AWS shape PaymentProviderConfigurationInput."""
    coinbaseCdpConfiguration: CoinbaseCdpConfigurationInput | None = Field(None)
    stripePrivyConfiguration: StripePrivyConfigurationInput | None = Field(None)


class CreatePaymentCredentialProviderRequest(AwsModel):
    """AWS shape CreatePaymentCredentialProviderRequest."""
    name: Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')]
    credentialProviderVendor: Annotated[str, Constraint('string', enum=('CoinbaseCDP', 'StripePrivy'))]
    providerConfigurationInput: PaymentProviderConfigurationInput
    tags: Annotated[dict[Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\s._:/=+@-]*')], Annotated[str, Constraint('string', min=0, max=256, pattern='[a-zA-Z0-9\\s._:/=+@-]*')]], Constraint('map', min=0, max=50)] | None = Field(None)


class DeletePaymentCredentialProviderRequest(AwsModel):
    """AWS shape DeletePaymentCredentialProviderRequest."""
    name: Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')]


class GetPaymentCredentialProviderRequest(AwsModel):
    """AWS shape GetPaymentCredentialProviderRequest."""
    name: Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')]


class ListPaymentCredentialProvidersRequest(AwsModel):
    """AWS shape ListPaymentCredentialProvidersRequest."""
    nextToken: str | None = Field(None)
    maxResults: Annotated[int, Constraint('integer', min=1, max=20)] | None = Field(None)


class UpdatePaymentCredentialProviderRequest(AwsModel):
    """AWS shape UpdatePaymentCredentialProviderRequest."""
    name: Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')]
    credentialProviderVendor: Annotated[str, Constraint('string', enum=('CoinbaseCDP', 'StripePrivy'))]
    providerConfigurationInput: PaymentProviderConfigurationInput
