"""The request model of each operation, generated from botocore 1.44.8.

Do not edit: run `python scripts/generate_models.py`. A test fails when this file is stale.
Each family of operations has its own module, imported when a request of it is made (and
pydantic with it: this index imports none, so that checks.py beside it needs no pydantic).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentcore_identity_cli.models.base import AwsModel

# operation -> (module, class)
REQUESTS: dict[str, tuple[str, str]] = {
    'CreateApiKeyCredentialProvider': ('apikey', 'CreateApiKeyCredentialProviderRequest'),
    'CreateConsentPortal': ('consentportal', 'CreateConsentPortalRequest'),
    'CreateOauth2CredentialProvider': ('oauth2', 'CreateOauth2CredentialProviderRequest'),
    'CreatePaymentCredentialProvider': ('payment', 'CreatePaymentCredentialProviderRequest'),
    'CreateWorkloadIdentity': ('workload', 'CreateWorkloadIdentityRequest'),
    'DeleteApiKeyCredentialProvider': ('apikey', 'DeleteApiKeyCredentialProviderRequest'),
    'DeleteConsentPortal': ('consentportal', 'DeleteConsentPortalRequest'),
    'DeleteOauth2CredentialProvider': ('oauth2', 'DeleteOauth2CredentialProviderRequest'),
    'DeletePaymentCredentialProvider': ('payment', 'DeletePaymentCredentialProviderRequest'),
    'DeleteWorkloadIdentity': ('workload', 'DeleteWorkloadIdentityRequest'),
    'GetApiKeyCredentialProvider': ('apikey', 'GetApiKeyCredentialProviderRequest'),
    'GetConsentPortal': ('consentportal', 'GetConsentPortalRequest'),
    'GetOauth2CredentialProvider': ('oauth2', 'GetOauth2CredentialProviderRequest'),
    'GetPaymentCredentialProvider': ('payment', 'GetPaymentCredentialProviderRequest'),
    'GetTokenVault': ('tokenvault', 'GetTokenVaultRequest'),
    'GetWorkloadIdentity': ('workload', 'GetWorkloadIdentityRequest'),
    'ListApiKeyCredentialProviders': ('apikey', 'ListApiKeyCredentialProvidersRequest'),
    'ListConsentPortals': ('consentportal', 'ListConsentPortalsRequest'),
    'ListOauth2CredentialProviders': ('oauth2', 'ListOauth2CredentialProvidersRequest'),
    'ListPaymentCredentialProviders': ('payment', 'ListPaymentCredentialProvidersRequest'),
    'ListTagsForResource': ('tags', 'ListTagsForResourceRequest'),
    'ListWorkloadIdentities': ('workload', 'ListWorkloadIdentitiesRequest'),
    'ResetTokenVaultKeyMaterial': ('tokenvault', 'ResetTokenVaultKeyMaterialRequest'),
    'SetTokenVaultCMK': ('tokenvault', 'SetTokenVaultCMKRequest'),
    'TagResource': ('tags', 'TagResourceRequest'),
    'UntagResource': ('tags', 'UntagResourceRequest'),
    'UpdateApiKeyCredentialProvider': ('apikey', 'UpdateApiKeyCredentialProviderRequest'),
    'UpdateConsentPortal': ('consentportal', 'UpdateConsentPortalRequest'),
    'UpdateOauth2CredentialProvider': ('oauth2', 'UpdateOauth2CredentialProviderRequest'),
    'UpdatePaymentCredentialProvider': ('payment', 'UpdatePaymentCredentialProviderRequest'),
    'UpdateWorkloadIdentity': ('workload', 'UpdateWorkloadIdentityRequest'),
    'CompleteResourceTokenAuth': ('dataplane', 'CompleteResourceTokenAuthRequest'),
    'GetResourceApiKey': ('dataplane', 'GetResourceApiKeyRequest'),
    'GetResourceOauth2Token': ('dataplane', 'GetResourceOauth2TokenRequest'),
    'GetResourcePaymentToken': ('dataplane', 'GetResourcePaymentTokenRequest'),
    'GetWorkloadAccessToken': ('dataplane', 'GetWorkloadAccessTokenRequest'),
    'GetWorkloadAccessTokenForJWT': ('dataplane', 'GetWorkloadAccessTokenForJWTRequest'),
    'GetWorkloadAccessTokenForUserId': ('dataplane', 'GetWorkloadAccessTokenForUserIdRequest'),
}


def request_model(operation: str) -> type[AwsModel]:
    """The pydantic model of an operation's request."""
    module, name = REQUESTS[operation]
    model: type[AwsModel] = getattr(import_module(f"{__name__}.{module}"), name)
    return model
