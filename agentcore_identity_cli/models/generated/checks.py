"""Plain checks of the requests whose members are all strings, integers or booleans (the
read operations among them), generated from botocore 1.44.8.

Do not edit: run `python scripts/generate_models.py`. A test fails when this file is stale.
The same statement of the API as the pydantic models beside it, in a form that needs no
pydantic: models/plain.py passes a request that meets every check with it, and leaves any
other request to the models (and their messages).
"""
# ruff: noqa: E501

from agentcore_identity_cli.models.constraints import Constraint

# operation -> member -> (type, required, constraints), in the order of the model's members
FLAT: dict[str, dict[str, tuple[str, bool, Constraint | None]]] = {
    'DeleteApiKeyCredentialProvider': {
        'name': ('string', True, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')),
    },
    'DeleteConsentPortal': {
        'consentPortalIdentifier': ('string', True, Constraint('string', pattern='[a-zA-Z0-9\\-_]{1,50}-[A-Za-z0-9]{10}|arn:aws[^:]*:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:consent-portal/[a-zA-Z0-9\\-_]{1,50}-[A-Za-z0-9]{10}')),
    },
    'DeleteOauth2CredentialProvider': {
        'name': ('string', True, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')),
    },
    'DeletePaymentCredentialProvider': {
        'name': ('string', True, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')),
    },
    'DeleteWorkloadIdentity': {
        'name': ('string', True, Constraint('string', min=3, max=255, pattern='[A-Za-z0-9_.-]+')),
    },
    'GetApiKeyCredentialProvider': {
        'name': ('string', True, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')),
    },
    'GetConsentPortal': {
        'consentPortalIdentifier': ('string', True, Constraint('string', pattern='[a-zA-Z0-9\\-_]{1,50}-[A-Za-z0-9]{10}|arn:aws[^:]*:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:consent-portal/[a-zA-Z0-9\\-_]{1,50}-[A-Za-z0-9]{10}')),
    },
    'GetOauth2CredentialProvider': {
        'name': ('string', True, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')),
    },
    'GetPaymentCredentialProvider': {
        'name': ('string', True, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')),
    },
    'GetTokenVault': {
        'tokenVaultId': ('string', False, Constraint('string', min=1, max=64, pattern='[a-zA-Z0-9\\-_]+')),
    },
    'GetWorkloadIdentity': {
        'name': ('string', True, Constraint('string', min=3, max=255, pattern='[A-Za-z0-9_.-]+')),
    },
    'ListApiKeyCredentialProviders': {
        'nextToken': ('string', False, None),
        'maxResults': ('integer', False, Constraint('integer', min=1, max=100)),
    },
    'ListConsentPortals': {
        'maxResults': ('integer', False, Constraint('integer', min=1, max=100)),
        'nextToken': ('string', False, None),
    },
    'ListOauth2CredentialProviders': {
        'nextToken': ('string', False, None),
        'maxResults': ('integer', False, Constraint('integer', min=1, max=20)),
    },
    'ListPaymentCredentialProviders': {
        'nextToken': ('string', False, None),
        'maxResults': ('integer', False, Constraint('integer', min=1, max=20)),
    },
    'ListTagsForResource': {
        'resourceArn': ('string', True, Constraint('string', min=20, max=1011, pattern='arn:(?:[^:]+)?:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:([a-z0-9-]+/[^/]+)(?:/[a-z0-9-]+/[^/]+)*')),
    },
    'ListWorkloadIdentities': {
        'nextToken': ('string', False, None),
        'maxResults': ('integer', False, Constraint('integer', min=1, max=20)),
    },
    'ResetTokenVaultKeyMaterial': {
        'tokenVaultId': ('string', True, Constraint('string', min=1, max=64, pattern='[a-zA-Z0-9\\-_]+')),
    },
    'GetResourceApiKey': {
        'workloadIdentityToken': ('string', True, Constraint('string', min=1, max=131072)),
        'resourceCredentialProviderName': ('string', True, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')),
    },
    'GetWorkloadAccessToken': {
        'workloadName': ('string', True, Constraint('string', min=3, max=255, pattern='[A-Za-z0-9_.-]+')),
    },
    'GetWorkloadAccessTokenForJWT': {
        'workloadName': ('string', True, Constraint('string', min=3, max=255, pattern='[A-Za-z0-9_.-]+')),
        'userToken': ('string', True, Constraint('string', min=1, max=131072, pattern='[A-Za-z0-9-_=]+.[A-Za-z0-9-_=]+.[A-Za-z0-9-_=]+')),
    },
    'GetWorkloadAccessTokenForUserId': {
        'workloadName': ('string', True, Constraint('string', min=3, max=255, pattern='[A-Za-z0-9_.-]+')),
        'userId': ('string', True, Constraint('string', min=1, max=128)),
    },
}
