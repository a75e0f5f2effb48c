"""Request models: tokenvault, generated from botocore 1.44.8.

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


class GetTokenVaultRequest(AwsModel):
    """AWS shape GetTokenVaultRequest."""
    tokenVaultId: Annotated[str, Constraint('string', min=1, max=64, pattern='[a-zA-Z0-9\\-_]+')] | None = Field(None)


class ResetTokenVaultKeyMaterialRequest(AwsModel):
    """AWS shape ResetTokenVaultKeyMaterialRequest."""
    tokenVaultId: Annotated[str, Constraint('string', min=1, max=64, pattern='[a-zA-Z0-9\\-_]+')]


class KmsConfiguration(AwsModel):
    """AWS shape KmsConfiguration."""
    keyType: Annotated[str, Constraint('string', enum=('CustomerManagedKey', 'ServiceManagedKey'))]
    kmsKeyArn: Annotated[str, Constraint('string', min=1, max=2048, pattern='arn:aws(|-cn|-us-gov):kms:[a-zA-Z0-9-]*:[0-9]{12}:key/[a-zA-Z0-9-]{36}')] | None = Field(None)


class SetTokenVaultCMKRequest(AwsModel):
    """AWS shape SetTokenVaultCMKRequest."""
    tokenVaultId: Annotated[str, Constraint('string', min=1, max=64, pattern='[a-zA-Z0-9\\-_]+')] | None = Field(None)
    kmsConfiguration: KmsConfiguration
