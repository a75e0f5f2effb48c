"""The request model of each operation, generated from botocore 1.44.8.

Do not edit: run `python scripts/generate_models.py`. A test fails when this file is stale.
Each family of operations has its own module, imported when a request of it is made.
"""

from importlib import import_module

from agentcore_identity_cli.models.base import AwsModel

# operation -> (module, class)
REQUESTS: dict[str, tuple[str, str]] = {
    'CreateApiKeyCredentialProvider': ('apikey', 'CreateApiKeyCredentialProviderRequest'),
    'GetApiKeyCredentialProvider': ('apikey', 'GetApiKeyCredentialProviderRequest'),
    'UpdateApiKeyCredentialProvider': ('apikey', 'UpdateApiKeyCredentialProviderRequest'),
    'DeleteApiKeyCredentialProvider': ('apikey', 'DeleteApiKeyCredentialProviderRequest'),
    'ListApiKeyCredentialProviders': ('apikey', 'ListApiKeyCredentialProvidersRequest'),
    'CreateOauth2CredentialProvider': ('oauth2', 'CreateOauth2CredentialProviderRequest'),
    'GetOauth2CredentialProvider': ('oauth2', 'GetOauth2CredentialProviderRequest'),
    'UpdateOauth2CredentialProvider': ('oauth2', 'UpdateOauth2CredentialProviderRequest'),
    'DeleteOauth2CredentialProvider': ('oauth2', 'DeleteOauth2CredentialProviderRequest'),
    'ListOauth2CredentialProviders': ('oauth2', 'ListOauth2CredentialProvidersRequest'),
    'CreateWorkloadIdentity': ('workload', 'CreateWorkloadIdentityRequest'),
    'GetWorkloadIdentity': ('workload', 'GetWorkloadIdentityRequest'),
    'UpdateWorkloadIdentity': ('workload', 'UpdateWorkloadIdentityRequest'),
    'DeleteWorkloadIdentity': ('workload', 'DeleteWorkloadIdentityRequest'),
    'ListWorkloadIdentities': ('workload', 'ListWorkloadIdentitiesRequest'),
    'GetTokenVault': ('tokenvault', 'GetTokenVaultRequest'),
    'SetTokenVaultCMK': ('tokenvault', 'SetTokenVaultCMKRequest'),
    'ResetTokenVaultKeyMaterial': ('tokenvault', 'ResetTokenVaultKeyMaterialRequest'),
    'TagResource': ('tags', 'TagResourceRequest'),
    'UntagResource': ('dataplane', 'UntagResourceRequest'),
    'ListTagsForResource': ('tags', 'ListTagsForResourceRequest'),
    'GetWorkloadAccessToken': ('dataplane', 'GetWorkloadAccessTokenRequest'),
    'GetWorkloadAccessTokenForUserId': ('dataplane', 'GetWorkloadAccessTokenForUserIdRequest'),
    'GetWorkloadAccessTokenForJWT': ('dataplane', 'GetWorkloadAccessTokenForJWTRequest'),
    'GetResourceApiKey': ('dataplane', 'GetResourceApiKeyRequest'),
    'GetResourceOauth2Token': ('dataplane', 'GetResourceOauth2TokenRequest'),
    'CompleteResourceTokenAuth': ('dataplane', 'CompleteResourceTokenAuthRequest'),
}


def request_model(operation: str) -> type[AwsModel]:
    """The pydantic model of an operation's request."""
    module, name = REQUESTS[operation]
    model: type[AwsModel] = getattr(import_module(f"{__name__}.{module}"), name)
    return model
