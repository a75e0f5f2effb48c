"""--cli-error-format: how an error is written to stderr, as AWS CLI v2's awscli/errorhandler.py does.

`legacy` and `enhanced` (the default) print the message line; `enhanced` would add the
error's other modelled fields, and ours carry none. `json`, `yaml`, `text` and `table`
print the error's `Code` and `Message` in that output format: a service error (254) with
the code the service sent, a usage error (252) as `ParamValidation`, a configuration error
(253) as `Configuration`. As in v2, an unknown option and any other error (255) stay plain.

The format is found again from the command line, AWS_CLI_ERROR_FORMAT and the profile when an
error is printed, because the error may come before the settings were resolved; it never
fails: a value that is not valid gives the default here (and is reported where it is resolved).
"""

from __future__ import annotations

import os
from typing import IO, Any

from agentcore_identity_cli.config import ENV_ERROR_FORMAT, ENV_PROFILE, ERROR_FORMATS, load_config
from agentcore_identity_cli.errors import AgentCoreIdentityError, ConfigError, ServiceError, UsageError

DEFAULT_ERROR_FORMAT = "enhanced"
FLAG = "--cli-error-format"
PLAIN_FORMATS = ("legacy", "enhanced")


def error_info(error: AgentCoreIdentityError) -> dict[str, str] | None:
    """The structured form of an error (v2's error_info), or None where v2 prints it plain."""
    if isinstance(error, ServiceError):
        # botocore's JSON error parser fills Message before Code, and v2 prints that dict as is.
        return {"Message": error.message, "Code": error.code}
    if isinstance(error, UsageError):
        return {"Code": "ParamValidation", "Message": error.message}
    if isinstance(error, ConfigError):
        return {"Code": "Configuration", "Message": error.message}
    return None


def write_plain(stream: IO[str], error: AgentCoreIdentityError) -> None:
    """The message line (and this tool's hint): the legacy and enhanced forms."""
    stream.write("\n" + error.render().rstrip("\n") + "\n")
    if error.hint:
        stream.write(f"Hint: {error.hint}\n")


def write_error(stream: IO[str], error: AgentCoreIdentityError, fmt: str) -> None:
    """Print an error in an error format; structured forms carry only what v2's do (no hint)."""
    info = error_info(error) if fmt not in PLAIN_FORMATS else None
    if info is None:
        write_plain(stream, error)
    else:
        write_structured(stream, info, fmt)


def write_structured(stream: IO[str], info: dict[str, Any], fmt: str) -> None:
    """v2's formatter('error', error_info, stderr): no query, no colour, `error` as the table's title."""
    from agentcore_identity_cli import output

    if fmt == "json":
        output.render_json(info, stream)
    elif fmt == "yaml":
        output.render_yaml(info, stream)
    elif fmt == "text":
        output.render_text(info, stream)
    else:
        from agentcore_identity_cli.tables import render_table

        render_table(info, stream, color=False, title="error")


def usage_error_info(message: str) -> dict[str, str]:
    """A command-line error click found (a missing or bad value), as v2 reports argparse's."""
    return {"Code": "ParamValidation", "Message": message}


def resolve_error_format(args: list[str]) -> str:
    """The error format of this command line: the flag, AWS_CLI_ERROR_FORMAT, the profile, enhanced."""
    flag = _flag_value(args)
    if flag in ERROR_FORMATS:
        return flag
    value = os.environ.get(ENV_ERROR_FORMAT)
    if not value:
        value = _profile_value(args)
    if value is None:
        return DEFAULT_ERROR_FORMAT
    fmt = str(value).lower()
    return fmt if fmt in ERROR_FORMATS else DEFAULT_ERROR_FORMAT


def _flag_value(args: list[str]) -> str | None:
    return _option(args, FLAG)


def _option(args: list[str], name: str) -> str | None:
    """The value of a global option (hoisted before the command); the last one wins, as in click."""
    found: str | None = None
    for i, token in enumerate(args):
        if token == "--":
            break
        if token == name and i + 1 < len(args):
            found = args[i + 1]
        elif token.startswith(name + "="):
            found = token.split("=", 1)[1]
    return found


def _profile_value(args: list[str]) -> Any:
    profile = _option(args, "--profile") or os.environ.get(ENV_PROFILE) or "default"
    try:
        profiles = load_config().get("profiles", {})
    except (AgentCoreIdentityError, OSError, ValueError):
        return None
    values = profiles.get(profile)
    return values.get("cli_error_format") if isinstance(values, dict) else None
