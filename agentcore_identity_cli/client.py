"""One validated call of an AWS operation on a backend: shared by the CLI, the Python API and serve."""

from __future__ import annotations

from typing import Any

from agentcore_identity_cli.backends.base import Backend


def validated_call(backend: Backend, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """Check a request as botocore does before sending it, then run it on the backend.

    Only botocore's checks are made here (required and unknown members, types, minimums):
    patterns, enums and maximums are the service's, so the aws backend leaves them to AWS
    and the local backend judges them as AWS does (`judge_request`). Members set to None
    are left out, as boto3 leaves out absent parameters.
    """
    from agentcore_identity_cli.models.plain import plain_request

    clean = {key: value for key, value in params.items() if value is not None}
    request = plain_request(operation, clean)
    if request is None:
        from agentcore_identity_cli.models.base import validate_request
        from agentcore_identity_cli.models.generated import request_model

        request = validate_request(request_model(operation), clean).to_aws()
    return backend.invoke(operation, request)


def judge_request(operation: str, params: dict[str, Any]) -> None:
    """The service's own checks of a request (patterns, enums, maximums): a ValidationException
    in plain words when one fails. The local backend makes them, whichever door the request
    came in by (the CLI, the Python API, serve). A request of scalars that passes the plain
    checks needs no model (models/plain.py)."""
    from agentcore_identity_cli.models.plain import plain_request

    if plain_request(operation, params, service=True) is not None:
        return
    from agentcore_identity_cli.models.base import check_service_constraints
    from agentcore_identity_cli.models.generated import request_model

    check_service_constraints(request_model(operation), params)
