"""Request models: tags, generated from botocore 1.44.8.

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


class ListTagsForResourceRequest(AwsModel):
    """AWS shape ListTagsForResourceRequest."""
    resourceArn: Annotated[str, Constraint('string', min=20, max=1011, pattern='arn:(?:[^:]+)?:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:([a-z0-9-]+/[^/]+)(?:/[a-z0-9-]+/[^/]+)*')]


class TagResourceRequest(AwsModel):
    """AWS shape TagResourceRequest."""
    resourceArn: Annotated[str, Constraint('string', min=20, max=1011, pattern='arn:(?:[^:]+)?:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:([a-z0-9-]+/[^/]+)(?:/[a-z0-9-]+/[^/]+)*')]
    tags: Annotated[dict[Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\s._:/=+@-]*')], Annotated[str, Constraint('string', min=0, max=256, pattern='[a-zA-Z0-9\\s._:/=+@-]*')]], Constraint('map', min=0, max=50)]


class UntagResourceRequest(AwsModel):
    """AWS shape UntagResourceRequest."""
    resourceArn: Annotated[str, Constraint('string', min=20, max=1011, pattern='arn:(?:[^:]+)?:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:([a-z0-9-]+/[^/]+)(?:/[a-z0-9-]+/[^/]+)*')]
    tagKeys: Annotated[list[Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\s._:/=+@-]*')]], Constraint('list', min=0, max=200)]
