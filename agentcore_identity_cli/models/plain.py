"""The checks of a request whose members are all scalars, without pydantic (the read paths).

models/generated/checks.py states, for each such operation, the type, presence and
constraints of every member, from the same service model as the pydantic models. A request
that meets every check passes here exactly as it would pass the models; any other request
(a structure, a value of another type, a failed check) returns None and goes to the models,
which refuse it in botocore's or the service's words. So the messages stay the models', and
pydantic is imported only for writes, structured input and refusals.
"""

from __future__ import annotations

from typing import Any

_TYPES: dict[str, type] = {"string": str, "integer": int, "boolean": bool}


def plain_request(operation: str, params: dict[str, Any], *, service: bool = False) -> dict[str, Any] | None:
    """The request as the model would hand it to the backend (members in the model's order), or
    None when only the model can tell; with `service`, the service's checks must pass too."""
    from agentcore_identity_cli.models.generated.checks import FLAT

    members = FLAT.get(operation)
    if members is None or not params.keys() <= members.keys():
        return None
    request: dict[str, Any] = {}
    for name, (kind, required, constraint) in members.items():
        value = params.get(name)
        if value is None:
            if required:
                return None
            continue
        if type(value) is not _TYPES[kind]:
            return None  # bool for an integer, a number for a string: the model's coercion or refusal
        if constraint is not None:
            if service:
                if not constraint.accepts(value):
                    return None
            elif constraint.min is not None and kind != "boolean" and _size(value) < constraint.min:
                return None
        request[name] = value
    return request


def _size(value: Any) -> int:
    return value if isinstance(value, int) else len(value)
