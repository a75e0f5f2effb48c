"""Request models: apikey, generated from botocore 1.44.8.

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


class CreateApiKeyCredentialProviderRequest(AwsModel):
    """AWS shape CreateApiKeyCredentialProviderRequest."""
    name: Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')]
    apiKey: Annotated[SecretStr, Constraint('string', min=0, max=65536)] | None = Field(None)
    apiKeySecretConfig: SecretReference | None = Field(None)
    apiKeySecretSource: Annotated[str, Constraint('string', enum=('MANAGED', 'EXTERNAL'))] | None = Field(None)
    tags: Annotated[dict[Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\s._:/=+@-]*')], Annotated[str, Constraint('string', min=0, max=256, pattern='[a-zA-Z0-9\\s._:/=+@-]*')]], Constraint('map', min=0, max=50)] | None = Field(None)


class DeleteApiKeyCredentialProviderRequest(AwsModel):
    """AWS shape DeleteApiKeyCredentialProviderRequest."""
    name: Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')]


class GetApiKeyCredentialProviderRequest(AwsModel):
    """AWS shape GetApiKeyCredentialProviderRequest."""
    name: Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')]


class ListApiKeyCredentialProvidersRequest(AwsModel):
    """AWS shape ListApiKeyCredentialProvidersRequest."""
    nextToken: str | None = Field(None)
    maxResults: Annotated[int, Constraint('integer', min=1, max=100)] | None = Field(None)


class UpdateApiKeyCredentialProviderRequest(AwsModel):
    """AWS shape UpdateApiKeyCredentialProviderRequest."""
    name: Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')]
    apiKey: Annotated[SecretStr, Constraint('string', min=0, max=65536)] | None = Field(None)
    apiKeySecretConfig: SecretReference | None = Field(None)
    apiKeySecretSource: Annotated[str, Constraint('string', enum=('MANAGED', 'EXTERNAL'))] | None = Field(None)
