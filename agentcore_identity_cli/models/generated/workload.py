"""Request models: workload, generated from botocore 1.44.8.

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


class CreateWorkloadIdentityRequest(AwsModel):
    """AWS shape CreateWorkloadIdentityRequest."""
    name: Annotated[str, Constraint('string', min=3, max=255, pattern='[A-Za-z0-9_.-]+')]
    allowedResourceOauth2ReturnUrls: list[Annotated[str, Constraint('string', min=1, max=2048, pattern='\\w+:(\\/?\\/?)[^\\s]+')]] | None = Field(None)
    tags: Annotated[dict[Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\s._:/=+@-]*')], Annotated[str, Constraint('string', min=0, max=256, pattern='[a-zA-Z0-9\\s._:/=+@-]*')]], Constraint('map', min=0, max=50)] | None = Field(None)


class DeleteWorkloadIdentityRequest(AwsModel):
    """AWS shape DeleteWorkloadIdentityRequest."""
    name: Annotated[str, Constraint('string', min=3, max=255, pattern='[A-Za-z0-9_.-]+')]


class GetWorkloadIdentityRequest(AwsModel):
    """AWS shape GetWorkloadIdentityRequest."""
    name: Annotated[str, Constraint('string', min=3, max=255, pattern='[A-Za-z0-9_.-]+')]


class ListWorkloadIdentitiesRequest(AwsModel):
    """AWS shape ListWorkloadIdentitiesRequest."""
    nextToken: str | None = Field(None)
    maxResults: Annotated[int, Constraint('integer', min=1, max=20)] | None = Field(None)


class UpdateWorkloadIdentityRequest(AwsModel):
    """AWS shape UpdateWorkloadIdentityRequest."""
    name: Annotated[str, Constraint('string', min=3, max=255, pattern='[A-Za-z0-9_.-]+')]
    allowedResourceOauth2ReturnUrls: list[Annotated[str, Constraint('string', min=1, max=2048, pattern='\\w+:(\\/?\\/?)[^\\s]+')]] | None = Field(None)
