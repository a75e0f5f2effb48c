"""Request models: consentportal, generated from botocore 1.44.8.

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


class ConsentPortalIdpConfig(AwsModel):
    """AWS shape ConsentPortalIdpConfig."""
    credentialProviderArn: Annotated[str, Constraint('string', pattern='arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):bedrock-agentcore:[a-z0-9-]{1,32}:[0-9]{12}:token-vault/[a-zA-Z0-9_-]{1,64}/oauth2credentialprovider/[a-zA-Z0-9_-]{1,128}')]
    scopes: Annotated[list[Annotated[str, Constraint('string', min=1, max=255, pattern='[\\x21\\x23-\\x5B\\x5D-\\x7E]+')]], Constraint('list', min=1)]
    audience: str | None = Field(None)


class ConsentPortalSource(AwsModel):
    """AWS shape ConsentPortalSource."""
    identifier: Annotated[str, Constraint('string', pattern='([0-9a-z][-]?){1,100}-[0-9a-z]{10}$|^arn:aws(-[a-z-]+)?:bedrock-agentcore:[a-z0-9-]{1,20}:[0-9]{12}:gateway/([0-9a-z][-]?){1,48}-[a-z0-9]{10}')]
    type: Annotated[str, Constraint('string', enum=('agentcore-gateway',))]


class CreateConsentPortalRequest(AwsModel):
    """AWS shape CreateConsentPortalRequest."""
    executionRoleArn: Annotated[str, Constraint('string', pattern='arn:aws(-[a-z-]+)?:iam::[0-9]{12}:role/[a-zA-Z0-9+=,.@\\-_/]+')]
    idpConfig: ConsentPortalIdpConfig
    name: Annotated[str, Constraint('string', min=1, max=50, pattern='[a-zA-Z0-9_-]{1,50}')]
    sources: Annotated[list[ConsentPortalSource], Constraint('list', min=1, max=1)]
    description: Annotated[str, Constraint('string', min=0, max=512)] | None = Field(None)
    tags: Annotated[dict[Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\s._:/=+@-]*')], Annotated[str, Constraint('string', min=0, max=256, pattern='[a-zA-Z0-9\\s._:/=+@-]*')]], Constraint('map', min=0, max=50)] | None = Field(None)


class DeleteConsentPortalRequest(AwsModel):
    """AWS shape DeleteConsentPortalRequest."""
    consentPortalIdentifier: Annotated[str, Constraint('string', pattern='[a-zA-Z0-9\\-_]{1,50}-[A-Za-z0-9]{10}|arn:aws[^:]*:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:consent-portal/[a-zA-Z0-9\\-_]{1,50}-[A-Za-z0-9]{10}')]


class GetConsentPortalRequest(AwsModel):
    """AWS shape GetConsentPortalRequest."""
    consentPortalIdentifier: Annotated[str, Constraint('string', pattern='[a-zA-Z0-9\\-_]{1,50}-[A-Za-z0-9]{10}|arn:aws[^:]*:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:consent-portal/[a-zA-Z0-9\\-_]{1,50}-[A-Za-z0-9]{10}')]


class ListConsentPortalsRequest(AwsModel):
    """AWS shape ListConsentPortalsRequest."""
    maxResults: Annotated[int, Constraint('integer', min=1, max=100)] | None = Field(None)
    nextToken: str | None = Field(None)


class UpdateConsentPortalRequest(AwsModel):
    """AWS shape UpdateConsentPortalRequest."""
    consentPortalIdentifier: Annotated[str, Constraint('string', pattern='[a-zA-Z0-9\\-_]{1,50}-[A-Za-z0-9]{10}|arn:aws[^:]*:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:consent-portal/[a-zA-Z0-9\\-_]{1,50}-[A-Za-z0-9]{10}')]
    executionRoleArn: Annotated[str, Constraint('string', pattern='arn:aws(-[a-z-]+)?:iam::[0-9]{12}:role/[a-zA-Z0-9+=,.@\\-_/]+')] | None = Field(None)
    idpConfig: ConsentPortalIdpConfig | None = Field(None)
    description: Annotated[str, Constraint('string', min=0, max=512)] | None = Field(None)
