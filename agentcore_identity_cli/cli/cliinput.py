"""The AWS CLI's whole-request options of every operation command.

- `--cli-input-json` / `--cli-input-yaml` (a string or file://): the request's members as
  a JSON or YAML map. As in the AWS CLI (awscli/customizations/cliinput.py), a member
  given on the command line wins: the input only fills the members the flags left out,
  and the request is then checked as any other (an unknown key is botocore's
  "Unknown parameter in input"). With either option, no flag is required any more.
- `--generate-cli-skeleton [input|yaml-input|output]`: prints, without calling anything,
  the operation's input as a JSON or YAML skeleton (botocore's ArgumentGenerator on the
  pinned service model, as awscli/customizations/generatecliskeleton.py does), or the output
  skeleton of a call whose input passed botocore's checks, through --output and --query.

A secret inside a literal input (not file://) is warned about like any secret typed on
the command line: the value is seen by `ps` and kept in shell history.
"""

from __future__ import annotations

import functools
import inspect
import json
import sys
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any, Literal

import typer

from agentcore_identity_cli.cli.context import CliInput
from agentcore_identity_cli.errors import UsageError
from agentcore_identity_cli.iostreams import IOStreams

JSON_FLAG = "--cli-input-json"
YAML_FLAG = "--cli-input-yaml"
SKELETON_FLAG = "--generate-cli-skeleton"


@cache
def command_operations() -> dict[str, str]:
    """AWS CLI command name -> operation, for every operation of the table (get-token-vault -> GetTokenVault)."""
    from agentcore_identity_cli.backends.base import operations, snake_case

    return {snake_case(name).replace("_", "-"): name for name in operations()}


CliInputJson = Annotated[
    str | None,
    typer.Option(
        JSON_FLAG,
        help="The request's members as JSON (or file://PATH), in the form --generate-cli-skeleton prints; "
        "flags given on the command line win.",
        show_default=False,
    ),
]
CliInputYaml = Annotated[
    str | None,
    typer.Option(
        YAML_FLAG,
        help="The request's members as YAML (or file://PATH), in the form --generate-cli-skeleton yaml-input "
        "prints; flags given on the command line win.",
        show_default=False,
    ),
]
GenerateCliSkeleton = Annotated[
    Literal["input", "yaml-input", "output"] | None,
    typer.Option(
        SKELETON_FLAG,
        help="Print a skeleton and call nothing: input (the default: JSON for --cli-input-json), yaml-input "
        "(YAML for --cli-input-yaml), or output (a sample response, once the flags pass validation).",
        show_default=False,
    ),
]
_OPTIONS = {
    "cli_input_json": CliInputJson,
    "cli_input_yaml": CliInputYaml,
    "generate_cli_skeleton": GenerateCliSkeleton,
}


def with_cli_input(operation: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """The command function of an operation, taking the three options too.

    Typer reads the options from the signature; the wrapper takes their values out before
    the command runs, prints an input skeleton instead of running it, or hands the input's
    members to the AppContext, where every request of the command picks them up.
    """
    return _OperationCommand(operation, func)


class _OperationCommand:
    """An operation's command function, with the three options added to its signature.

    The signature is worked out when Typer first reads it: evaluating a command's annotations
    (strings, under `from __future__ import annotations`) compiles each one, and the root help
    page, which imports every command module, reads none of them.
    """

    def __init__(self, operation: str, func: Callable[..., Any]) -> None:
        functools.update_wrapper(self, func)  # its name, docstring and __wrapped__ (for its globals)
        self.operation = operation
        self.func = func
        self.__annotations__ = {**func.__annotations__, **_OPTIONS}

    @functools.cached_property
    def __signature__(self) -> inspect.Signature:
        signature = inspect.signature(self.func, eval_str=True)  # Typer reads the annotations as objects
        extra = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
            for name, annotation in _OPTIONS.items()
        ]
        return signature.replace(parameters=[*signature.parameters.values(), *extra])

    def __call__(self, ctx: typer.Context, *args: Any, **kwargs: Any) -> Any:
        from agentcore_identity_cli.cli.root import get_context

        json_value, yaml_value, skeleton = (kwargs.pop(name) for name in _OPTIONS)
        if skeleton in ("input", "yaml-input"):
            print_input_skeleton(self.operation, skeleton)
            return None
        app_ctx = get_context(ctx)
        members = load(self.operation, json_value, yaml_value, app_ctx.io)
        app_ctx.cli_input = CliInput(members, skeleton_output=skeleton == "output")
        return self.func(ctx, *args, **kwargs)


def complete_skeleton_value(args: list[str]) -> list[str]:
    """`--generate-cli-skeleton` alone means `input`, as the AWS CLI's optional value (argparse nargs='?')."""
    out = list(args)
    for index, word in enumerate(out):
        if word == "--":
            break
        if word == SKELETON_FLAG and (index + 1 == len(out) or out[index + 1].startswith("-")):
            out.insert(index + 1, "input")
            break
    return out


def relaxes_required(args: list[str]) -> bool:
    """Whether the command line gives the whole input another way, so that no flag is required.

    `--generate-cli-skeleton output` validates the flags as a call would: they stay required.
    """
    for index, word in enumerate(args):
        name, _, inline = word.partition("=")
        if name in (JSON_FLAG, YAML_FLAG):
            return True
        if name == SKELETON_FLAG:
            value = inline or (args[index + 1] if index + 1 < len(args) else "")
            return value != "output"
    return False


def load(operation: str, json_value: str | None, yaml_value: str | None, io: IOStreams) -> dict[str, Any]:
    """The members of --cli-input-json or --cli-input-yaml ({} without either)."""
    if json_value is not None and yaml_value is not None:
        raise UsageError("Only one --cli-input- parameter may be specified.")
    if json_value is None and yaml_value is None:
        return {}
    flag, value = (JSON_FLAG, json_value) if json_value is not None else (YAML_FLAG, yaml_value)
    assert value is not None
    from agentcore_identity_cli.cli.params import FILE_PREFIX, read_file

    from_file = value.startswith(FILE_PREFIX)
    text = read_file(value, flag) if from_file else value
    members = _parse_json(text) if flag == JSON_FLAG else _parse_yaml(text)
    if not isinstance(members, dict):
        raise UsageError(f"Error parsing parameter '{flag}': Invalid type: expecting map, received {type(members)}")
    if not from_file:
        _warn_secrets(operation, members, flag, io)
    return members


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # The position only: the input may hold secrets.
        raise UsageError(f"Error parsing parameter '{JSON_FLAG}': Invalid JSON: {exc}") from None
    except RecursionError:
        raise UsageError(f"Error parsing parameter '{JSON_FLAG}': Invalid JSON: nested too deeply") from None


def _parse_yaml(text: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return YAML(typ="safe", pure=True).load(text)
    except MarkedYAMLError as exc:
        # The problem and where, never ruamel's excerpt of the text: it may hold a secret.
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise UsageError(f"Error parsing parameter '{YAML_FLAG}': Invalid YAML: {exc.problem}{where}") from None
    except (YAMLError, RecursionError):
        raise UsageError(f"Error parsing parameter '{YAML_FLAG}': Invalid YAML received.") from None


def _warn_secrets(operation: str, members: dict[str, Any], flag: str, io: IOStreams) -> None:
    from agentcore_identity_cli.cli.params import warn_secret_on_command_line
    from agentcore_identity_cli.models.generated import request_model

    found = secret_members(request_model(operation), members)
    if found:
        warn_secret_on_command_line(
            io, f"the {' and '.join(found)} in {flag}", f"put the input in a file and pass {flag} file://PATH"
        )


def secret_members(model: Any, data: Any) -> list[str]:
    """The names of the sensitive members (SecretStr) that `data` sets, at any depth, in order."""
    found: list[str] = []
    _find_secrets(model, data, "", found)
    return found


def _find_secrets(annotation: Any, data: Any, name: str, found: list[str]) -> None:
    import typing

    from pydantic import SecretStr

    from agentcore_identity_cli.models.base import AwsModel, unwrap_annotation

    annotation = unwrap_annotation(annotation)
    origin = typing.get_origin(annotation)
    if annotation is SecretStr:
        if data and name not in found:
            found.append(name)
    elif isinstance(annotation, type) and issubclass(annotation, AwsModel) and isinstance(data, dict):
        for key, info in annotation.model_fields.items():
            if key in data:
                _find_secrets(info.annotation, data[key], key, found)
    elif origin is list and isinstance(data, list):
        for item in data:
            _find_secrets(typing.get_args(annotation)[0], item, name, found)
    elif origin is dict and isinstance(data, dict):
        for item in data.values():
            _find_secrets(typing.get_args(annotation)[1], item, name, found)


# --- skeletons ---------------------------------------------------------------------------


def print_input_skeleton(operation: str, form: str) -> None:
    """The operation's input skeleton on stdout: JSON exactly as the AWS CLI v1 and v2 print it,
    or the YAML of the AWS CLI v2 (each member's comment says whether it is required and its enum)."""
    from botocore.utils import ArgumentGenerator

    shape = _operation_model(operation).input_shape
    if form == "yaml-input":
        _print_yaml_skeleton(shape)
        return
    skeleton = ArgumentGenerator().generate_skeleton(shape) if shape is not None else {}
    sys.stdout.write(json.dumps(skeleton, indent=4, default=_encode))
    sys.stdout.write("\n")


def output_skeleton(operation: str) -> dict[str, Any]:
    """A sample response of the operation: every member, strings named after themselves."""
    from botocore.utils import ArgumentGenerator

    shape = _operation_model(operation).output_shape
    if shape is None:
        return {}
    skeleton: dict[str, Any] = ArgumentGenerator(use_member_names=True).generate_skeleton(shape)
    return skeleton


def _operation_model(operation: str) -> Any:
    from agentcore_identity_cli.backends.base import operations
    from agentcore_identity_cli.server.protocol import service_model

    return service_model(operations()[operation]["service"]).operation_model(operation)


def _encode(value: Any) -> Any:
    # awscli.utils.json_encoder: timestamps as ISO 8601.
    from datetime import datetime

    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _print_yaml_skeleton(shape: Any) -> None:
    """As the AWS CLI v2's YAMLArgumentGenerator: ordered maps, a comment per member."""
    from botocore.utils import ArgumentGenerator
    from ruamel.yaml import YAML

    yaml = YAML()
    base: Any = ArgumentGenerator  # its private methods are the ones the AWS CLI v2 overrides

    class YamlArgumentGenerator(base):  # type: ignore[misc]
        def _generate_type_structure(self, shape: Any, stack: list[str]) -> Any:
            skeleton = yaml.map()
            if stack.count(shape.name) > 1:
                return skeleton
            required = shape.required_members
            for member_name, member_shape in shape.members.items():
                skeleton[member_name] = self._generate_skeleton(member_shape, stack, name=member_name)
                words = ["[REQUIRED]"] if member_name in required else []
                if getattr(member_shape, "enum", None):
                    words.append("Valid values are: {}.".format(", ".join(member_shape.enum)))
                if words:
                    skeleton.yaml_add_eol_comment("# " + " ".join(words), member_name)
            return skeleton

        def _generate_type_map(self, shape: Any, stack: list[str]) -> Any:
            return dict(super()._generate_type_map(shape, stack))

    skeleton = YamlArgumentGenerator().generate_skeleton(shape) if shape is not None else yaml.map()
    yaml.dump(skeleton, sys.stdout)
