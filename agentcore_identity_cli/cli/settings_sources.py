"""`configure list`: every setting in force, and where its value comes from.

A source is one of: `flag` (typed on this command line), `environment` (which variable),
`profile` (which profile, in which file), `aws profile` (on the aws backend, a setting the AWS
CLI's own profile holds), `default` (and why that default), or `not set` (nothing chose a
value; for the aws backend botocore then decides, from AWS_PROFILE and the AWS config files).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from agentcore_identity_cli.config import PROFILE_KEYS, Source, config_path

if TYPE_CHECKING:
    from agentcore_identity_cli.cli.context import AppContext

NOT_SET = Source("not set")
# profile key -> the Settings field resolve_settings gives it (with its source, or v2's default)
_RESOLVED = {"cli_auto_prompt": "auto_prompt", "cli_binary_format": "binary_format", "cli_error_format": "error_format"}


def settings_in_force(app_ctx: AppContext) -> list[dict[str, Any]]:
    """One row per setting (the profile first, then every profile key): name, value, source, location."""
    settings = app_ctx.settings
    rows = [_row("profile", settings.profile, settings.source("profile"))]
    for key in PROFILE_KEYS:
        value, source = _value(app_ctx, key)
        rows.append(_row(key, value, source))
    return rows


def _row(name: str, value: Any, source: Source) -> dict[str, Any]:
    if value is None:
        source = NOT_SET
    return {
        "name": name,
        "value": None if value is None else str(value),
        "source": source.kind,
        "location": source.location,
    }


def _value(app_ctx: AppContext, key: str) -> tuple[Any, Source]:
    settings = app_ctx.settings
    if key == "output":
        return app_ctx.output, _output_source(app_ctx)
    if key == "cli_pager":
        return _pager(app_ctx)
    if key == "cli_timestamp_format":
        return _from_profiles(app_ctx, key, Source("default", "the AWS CLI's default"), "iso8601")
    if key in ("workload_name", "user_id"):
        return _caller_value(app_ctx, key)
    if key in _RESOLVED:
        value = getattr(settings, _RESOLVED[key])
        return value, settings.sources.get(key, Source("default", "the AWS CLI's default"))
    if key == "aws_profile" and not settings.aws_profile and settings.backend == "aws" and settings.profile_explicit:
        # The AWS profile of the same name, as `aws --profile NAME` would use.
        return settings.profile, Source("default", "the same name as the profile")
    if key in settings.sources or hasattr(settings, key):
        return getattr(settings, key, settings.profile_values.get(key)), settings.source(key)
    if key in settings.profile_values:
        return settings.profile_values[key], _profile_source(app_ctx)
    return None, NOT_SET


def _output_source(app_ctx: AppContext) -> Source:
    """Where the output format comes from, in the order cli/display.py looks."""
    settings = app_ctx.settings
    if settings.output:
        return settings.source("output")
    if settings.backend == "aws":
        if os.environ.get("AWS_DEFAULT_OUTPUT"):
            return Source("environment", "AWS_DEFAULT_OUTPUT")
        if _aws_config(app_ctx).get("output"):
            return _aws_profile_source(app_ctx)
    return Source("default", "stdout is a terminal" if app_ctx.io.stdout_is_tty else "stdout is not a terminal")


def _pager(app_ctx: AppContext) -> tuple[Any, Source]:
    if getattr(app_ctx.settings, "no_cli_pager", False):
        return "", Source("flag", "--no-cli-pager")
    if "AWS_PAGER" in os.environ:
        return os.environ["AWS_PAGER"], Source("environment", "AWS_PAGER")
    return _from_profiles(app_ctx, "cli_pager", NOT_SET, None)


def _from_profiles(app_ctx: AppContext, key: str, default: Source, value: Any) -> tuple[Any, Source]:
    """This tool's profile, then (on the aws backend) the AWS profile, then the default."""
    if app_ctx.settings.profile_values.get(key) is not None:
        return app_ctx.settings.profile_values[key], _profile_source(app_ctx)
    if _aws_config(app_ctx).get(key) is not None:
        return _aws_config(app_ctx)[key], _aws_profile_source(app_ctx)
    return value, default


def _aws_config(app_ctx: AppContext) -> dict[str, Any]:
    """The AWS profile's settings on the aws backend (read by cli/display.py); none elsewhere."""
    display = getattr(app_ctx, "display", None)
    config = getattr(display, "aws_config", None) if app_ctx.settings.backend == "aws" else None
    return config if isinstance(config, dict) else {}


def _aws_profile_source(app_ctx: AppContext) -> Source:
    from agentcore_identity_cli.backends.aws import aws_profile_name

    name = aws_profile_name(app_ctx.settings) or os.environ.get("AWS_PROFILE") or "default"
    return Source("aws profile", f"the AWS profile '{name}' (AWS config files)")


def _caller_value(app_ctx: AppContext, key: str) -> tuple[Any, Source]:
    """The workload and user that api-key, token and the Python API act as (identity.py's order)."""
    from agentcore_identity_cli.identity import ENV_USER, ENV_WORKLOAD, default_workload_name, os_user

    settings = app_ctx.settings
    variable = ENV_WORKLOAD if key == "workload_name" else ENV_USER
    if os.environ.get(variable):
        return os.environ[variable], Source("environment", variable)
    if settings.profile_values.get(key):
        return settings.profile_values[key], _profile_source(app_ctx)
    if settings.backend != "local":
        return None, NOT_SET
    if key == "workload_name":
        return default_workload_name(), Source("default", "local-<OS user>, created on first use")
    return os_user(), Source("default", "the OS user")


def _profile_source(app_ctx: AppContext) -> Source:
    return Source("profile", f"[profiles.{app_ctx.settings.profile}] in {config_path()}")
