"""`configure`: named profiles in a TOML file (backend, region, output, vault path, ...)."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from agentcore_identity_cli.cli.root import app, get_context
from agentcore_identity_cli.config import (
    AUTO_PROMPT_MODES,
    BACKENDS,
    BINARY_FORMATS,
    ERROR_FORMATS,
    OUTPUTS,
    PROFILE_KEYS,
    TIMESTAMP_FORMATS,
    config_path,
    load_config,
)
from agentcore_identity_cli.errors import UsageError

configure_app = typer.Typer(
    help="Read and write named profiles in the config file (--profile selects one; default 'default').",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(configure_app, name="configure")

_CHOICES = {
    "backend": BACKENDS,
    "output": OUTPUTS,
    "cli_timestamp_format": TIMESTAMP_FORMATS,
    "cli_auto_prompt": AUTO_PROMPT_MODES,
    "cli_binary_format": BINARY_FORMATS,
    "cli_error_format": ERROR_FORMATS,
}


def _check_key(key: str) -> None:
    if key in PROFILE_KEYS:
        return
    import difflib

    close = difflib.get_close_matches(key, PROFILE_KEYS, n=1)
    raise UsageError(
        f"Unknown setting '{key}': choose one of {', '.join(PROFILE_KEYS)}.",
        hint=f"did you mean '{close[0]}'?" if close else None,
    )


def _check(key: str, value: str) -> None:
    _check_key(key)
    if key in _CHOICES and value not in _CHOICES[key]:
        raise UsageError(f"Invalid value '{value}' for {key}: choose one of {', '.join(_CHOICES[key])}.")


def _save(data: dict[str, Any]) -> None:
    import tomli_w

    from agentcore_identity_cli.backends.local.vault import ensure_private_dir

    path = config_path()
    ensure_private_dir(path.parent)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as handle:
        tomli_w.dump(data, handle)
    os.replace(tmp, path)


def _set(profile: str, key: str, value: str) -> None:
    data = load_config()
    data.setdefault("profiles", {}).setdefault(profile, {})[key] = value
    _save(data)


@configure_app.callback()
def configure(ctx: typer.Context) -> None:
    """Without a subcommand, ask for the main settings of the profile on a terminal."""
    if ctx.invoked_subcommand is not None:
        return
    app_ctx = get_context(ctx)
    if not app_ctx.io.can_prompt:
        raise UsageError(
            "configure asks its questions on a terminal.",
            hint="in scripts use: agentcore-identity configure set KEY VALUE [--profile NAME]",
        )
    profile = app_ctx.settings.profile
    current = load_config().get("profiles", {}).get(profile, {})
    for key in ("backend", "region", "output"):
        default = current.get(key, "local" if key == "backend" else "")
        answer = typer.prompt(f"{key} [{PROFILE_KEYS[key]}]", default=default, show_default=True, err=True)
        if answer:
            _check(key, answer)
            _set(profile, key, answer)
    app_ctx.io.warn(f"Saved profile '{profile}' in {config_path()}")


@configure_app.command("set")
def configure_set(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help=", ".join(PROFILE_KEYS))],
    value: Annotated[str, typer.Argument()],
) -> None:
    """Set one setting of the profile."""
    _check(key, value)
    _set(get_context(ctx).settings.profile, key, value)


@configure_app.command("get")
def configure_get(ctx: typer.Context, key: Annotated[str, typer.Argument(help=", ".join(PROFILE_KEYS))]) -> None:
    """Print one setting of the profile; exit 1 when it is not set (as `aws configure get`)."""
    _check_key(key)
    profile = get_context(ctx).settings.profile
    value = load_config().get("profiles", {}).get(profile, {}).get(key)
    if value is None:
        raise typer.Exit(1)
    typer.echo(value)


@configure_app.command("list")
def configure_list(ctx: typer.Context) -> None:
    """Show the settings in force, each with where it comes from: flag, environment variable,
    profile (and file) or default."""
    from agentcore_identity_cli.cli.settings_sources import settings_in_force

    app_ctx = get_context(ctx)
    app_ctx.emit({"configFile": str(config_path()), "settings": settings_in_force(app_ctx)})


@configure_app.command("list-profiles")
def configure_list_profiles() -> None:
    """Print the names of the profiles in the config file, one a line (as `aws configure list-profiles`)."""
    for name in load_config().get("profiles", {}):
        typer.echo(name)
