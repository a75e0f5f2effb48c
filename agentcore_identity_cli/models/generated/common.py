"""Request models: common, generated from botocore 1.44.8.

Do not edit: run `python scripts/generate_models.py`. A test fails when this file is stale.
"""
# ruff: noqa: N815, E501, F401
# No `from __future__ import annotations`: evaluated annotations spare pydantic from
# compiling a string per field at import, which is most of this module's import time.

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, SecretStr

from agentcore_identity_cli.models.base import AwsModel, AwsUnion, secret_pattern


class SecretReference(AwsModel):
    """AWS shape SecretReference."""
    secretId: Annotated[str, Field(min_length=1, max_length=2048)]
    jsonKey: Annotated[str, Field(min_length=1, max_length=128)]
