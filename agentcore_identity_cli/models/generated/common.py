"""Request models: common, generated from botocore 1.44.8.

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


class SecretReference(AwsModel):
    """AWS shape SecretReference."""
    secretId: Annotated[str, Constraint('string', min=1, max=2048)]
    jsonKey: Annotated[str, Constraint('string', min=1, max=128)]
