"""Base classes for the request models: AWS member names, strict input, secrets masked."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError, model_validator

from agentcore_identity_cli.errors import ParamValidationError


class AwsModel(BaseModel):
    """A structure of the AWS API. Unknown members are refused, as botocore does."""

    # defer_build: the schema of a model is built on first use, which keeps start-up fast
    # for commands that never touch the large OAuth shapes. python-re: AWS patterns use
    # constructs (look-arounds) that the Rust engine lacks.
    model_config = ConfigDict(extra="forbid", defer_build=True, regex_engine="python-re")

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
            names = ", ".join(type(self).model_fields)
            raise ValueError(f"exactly one of {names} must be set, not {len(chosen)}")
        return self


def secret_pattern(pattern: str) -> Callable[[SecretStr], SecretStr]:
    """A validator that a secret matches the service's pattern, without repeating it."""
    compiled = re.compile(f"^(?:{pattern})$")

    def check(value: SecretStr) -> SecretStr:
        if not compiled.match(value.get_secret_value()):
            raise ValueError(f"value does not match the pattern {pattern}")
        return value

    return check


def _reveal(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, dict):
        return {key: _reveal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_reveal(item) for item in value]
    return value


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "input"


def validate_request(model: type[AwsModel], params: dict[str, Any]) -> AwsModel:
    """Build a request model, turning pydantic's errors into one that names each field.

    The values themselves are never repeated in the message: they may be secrets.
    """
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_input=False, include_url=False):
            where = _location(tuple(error["loc"]))
            message = error["msg"]
            if error["type"] == "string_pattern_mismatch":
                pattern = str((error.get("ctx") or {}).get("pattern", ""))
                pattern = pattern.removeprefix("^(?:").removesuffix(")$")
                message = f"value does not match the pattern {pattern}"
            elif error["type"] == "extra_forbidden":
                message = "unknown parameter"
            elif error["type"] == "missing":
                message = "missing required parameter"
            problems.append(f"Invalid value for parameter {where}: {message}")
        raise ParamValidationError("Parameter validation failed:\n" + "\n".join(problems)) from None
