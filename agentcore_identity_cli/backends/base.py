"""The one Backend protocol, and the table of operations both backends speak.

Operations are named as in the AWS API (``CreateApiKeyCredentialProvider``); requests and
responses are the AWS shapes as plain dicts (camelCase members, ``datetime`` timestamps),
exactly what boto3 takes and returns. The CLI never knows which backend answers.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from typing import Any, Protocol


class Backend(Protocol):
    """What the CLI and the Python API need from a backend."""

    name: str

    def invoke(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run one AWS operation with validated parameters; return its response."""
        ...

    def close(self) -> None:
        """Release files and connections."""
        ...


@lru_cache(maxsize=1)
def operations() -> dict[str, dict[str, Any]]:
    """The operations table (data/operations.json)."""
    from agentcore_identity_cli.data import read_text

    text = read_text("operations.json")
    table: dict[str, dict[str, Any]] = json.loads(text)["operations"]
    return table


@cache
def service_data(service: str) -> dict[str, Any]:
    """The pinned copy of one botocore service model (data/models/): the identity operations and
    their shapes, without documentation; what both the aws backend's clients and serve read."""
    from agentcore_identity_cli.data import read_text

    text = read_text(f"models/{service}.json")
    document: dict[str, Any] = json.loads(text)
    document.pop("botocore", None)  # the release it was copied from, not part of the model
    return document


@cache
def snake_case(operation: str) -> str:
    """The boto3 method name of an operation: GetTokenVault -> get_token_vault."""
    # CMK and JWT stay one word, as boto3 spells them (set_token_vault_cmk).
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", operation)
    words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", words)
    return words.lower()
