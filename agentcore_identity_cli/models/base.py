"""Base classes for the request models: AWS member names, strict input, secrets masked.

Validating a request has two parts, as with AWS (models/constraints.py): what botocore
checks before sending (`validate_request`: required and unknown members, types, minimum
lengths and values, one member of a union), refused with exit 252 as
"Parameter validation failed"; and what the service judges (`check_service_constraints`:
patterns, enums, maximums), which the local backend answers as a ValidationException.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from agentcore_identity_cli.errors import ParamValidationError, ServiceError
from agentcore_identity_cli.models.constraints import CLIENT_MIN, SERVICE_CONSTRAINT, SERVICE_CONTEXT

UNION_MEMBERS = "union_members"


class AwsModel(BaseModel):
    """A structure of the AWS API. Unknown members are refused, as botocore does."""

    # defer_build: the schema of a model is built on first use, which keeps start-up fast
    # for commands that never touch the large OAuth shapes.
    model_config = ConfigDict(extra="forbid", defer_build=True)

    def to_aws(self) -> dict[str, Any]:
        """The request as the AWS API takes it: members set, secrets revealed."""
        revealed: dict[str, Any] = _reveal(self.model_dump(exclude_none=True, by_alias=True))
        return revealed


class AwsUnion(AwsModel):
    """A union structure: exactly one member is set."""

    @model_validator(mode="after")
    def _exactly_one(self) -> AwsUnion:
        chosen = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if len(chosen) != 1:
            members = ", ".join(type(self).model_fields)
            raise PydanticCustomError(UNION_MEMBERS, "{members}", {"members": members, "count": len(chosen)})
        return self


def _reveal(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, dict):
        return {key: _reveal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_reveal(item) for item in value]
    return value


def _plain(value: Any) -> Any:
    # botocore takes a tuple wherever a list goes.
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def validate_request(model: type[AwsModel], params: dict[str, Any]) -> AwsModel:
    """The request as botocore would send it: its checks, and its wording when they fail.

    The values themselves are never repeated in the message: they may be secrets.
    """
    try:
        return model.model_validate(_plain(params))
    except ValidationError as exc:
        problems = [_client_problem(model, error) for error in exc.errors(include_url=False)]
        raise ParamValidationError("Parameter validation failed:\n" + "\n".join(problems)) from None


def check_service_constraints(model: type[AwsModel], params: dict[str, Any]) -> None:
    """What the service judges of a request (patterns, enums, maximums), as its ValidationException."""
    try:
        model.model_validate(_plain(params), context=SERVICE_CONTEXT)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            where = _name(model, tuple(error["loc"]))
            if error["type"] == SERVICE_CONSTRAINT:
                problems.append(f"{where} {(error.get('ctx') or {}).get('rule', '')}")
            else:
                problems.append(_client_problem(model, error))
        count = len(problems)
        head = f"{count} validation error{'s' if count != 1 else ''} detected: "
        raise ServiceError("ValidationException", head + "; ".join(problems)) from None


# --- botocore's wording ---------------------------------------------------------------

_VALID_TYPES = {
    "string": "<class 'str'>",
    "int": "<class 'int'>",
    "bool": "<class 'bool'>",
    "float": "<class 'float'>, <class 'decimal.Decimal'>, <class 'int'>",
    "list": "<class 'list'>, <class 'tuple'>",
    "dict": "<class 'dict'>",
    "model": "<class 'dict'>",
    "model_attributes": "<class 'dict'>",
    "bytes": "<class 'bytes'>, <class 'bytearray'>, file-like object",
    "datetime": "<class 'datetime.datetime'>, <class 'str'>",
}


def _client_problem(model: type[AwsModel], error: Any) -> str:
    """One line of botocore's report (validate.py), for a pydantic error, without values."""
    loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return f'Missing required parameter in {_name(model, loc[:-1])}: "{loc[-1]}"'
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        valid = ", ".join(parent.model_fields) if parent is not None else ""
        return f'Unknown parameter in {_name(model, loc[:-1])}: "{loc[-1]}", must be one of: {valid}'
    if kind == CLIENT_MIN:
        what = "value" if ctx.get("kind") == "integer" else "length"
        return (
            f"Invalid {what} for parameter {_name(model, loc)}, value: {ctx.get('actual')}, "
            f"valid min {what}: {ctx.get('minimum')}"
        )
    if kind == UNION_MEMBERS:
        name = _name(model, loc)
        if ctx.get("count") == 0:
            return f"Must set one of the following keys for tagged union structure {name}: {ctx.get('members')}."
        return (
            f"Invalid number of parameters set for tagged union structure {name}. "
            f"Can only set one of the following keys: {ctx.get('members')}."
        )
    base = kind.split("_")[0] if not kind.startswith("model_") else kind.rsplit("_", 1)[0]
    if kind.endswith(("_type", "_parsing")) and base in _VALID_TYPES:
        given = type(error.get("input")).__name__ if "input" in error else "unknown"
        name = _name(model, loc)
        return f"Invalid type for parameter {name}, type: <class '{given}'>, valid types: {_VALID_TYPES[base]}"
    # A check of ours that botocore words otherwise; the message names no value.
    return f"Invalid value for parameter {_name(model, loc)}: {error['msg']}"


def _name(model: type[AwsModel], loc: tuple[int | str, ...]) -> str:
    """A member's path as botocore writes it: a.b[0].c, 'input' for the request itself."""
    out = ""
    current: Any = model
    for index, part in enumerate(loc):
        current = unwrap_annotation(current)
        origin = typing.get_origin(current)
        if part == "[key]":
            break
        if origin is list:
            out += f"[{part}]"
            current = typing.get_args(current)[0]
        elif origin is dict:
            key_error = loc[index + 1 : index + 2] == ("[key]",)
            out += f" (key: {part})" if key_error else f".{part}"
            current = typing.get_args(current)[1]
        else:
            out += f".{part}"
            fields = getattr(current, "model_fields", {})
            current = fields[part].annotation if part in fields else None
    return out.lstrip(".") or "input"


def _model_at(model: type[AwsModel], loc: tuple[int | str, ...]) -> type[AwsModel] | None:
    current: Any = model
    for part in loc:
        current = unwrap_annotation(current)
        origin = typing.get_origin(current)
        if origin is list:
            current = typing.get_args(current)[0]
        elif origin is dict:
            current = typing.get_args(current)[1]
        else:
            fields = getattr(current, "model_fields", {})
            current = fields[part].annotation if part in fields else None
    current = unwrap_annotation(current)
    return current if isinstance(current, type) and issubclass(current, AwsModel) else None


def unwrap_annotation(annotation: Any) -> Any:
    """The type inside Optional[...] and Annotated[...] (a member's model, list or dict)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin is typing.Union or type(annotation).__name__ == "UnionType":
            inner = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            annotation = inner[0] if inner else annotation
            if not inner:
                return annotation
        else:
            return annotation
