"""One validated call of an AWS operation on a backend: shared by the CLI and the Python API."""

from __future__ import annotations

from typing import Any

from agentcore_identity_cli.backends.base import Backend


def validated_call(backend: Backend, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """Check a request against the API's constraints (pydantic), then run it on the backend.

    Members set to None are left out, as boto3 leaves out absent parameters.
    """
    from agentcore_identity_cli.models.base import validate_request
    from agentcore_identity_cli.models.generated import request_model

    clean = {key: value for key, value in params.items() if value is not None}
    request = validate_request(request_model(operation), clean)
    return backend.invoke(operation, request.to_aws())
