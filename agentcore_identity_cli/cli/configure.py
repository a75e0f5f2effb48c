"""`configure`: named profiles in a TOML file (backend, region, output, vault path, ...)."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from agentcore_identity_cli.cli.root import app, get_context
from agentcore_identity_cli.config import (
    BACKENDS,
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

_CHOICES = {"backend": BACKENDS, "output": OUTPUTS, "cli_timestamp_format": TIMESTAMP_FORMATS}


def _check(key: str, value: str) -> None:
    if key not in PROFILE_KEYS:
        raise UsageError(f"Unknown setting '{key}': choose one of {', '.join(PROFILE_KEYS)}.")
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
    if key not in PROFILE_KEYS:
        raise UsageError(f"Unknown setting '{key}': choose one of {', '.join(PROFILE_KEYS)}.")
    profile = get_context(ctx).settings.profile
    value = load_config().get("profiles", {}).get(profile, {}).get(key)
    if value is None:
        raise typer.Exit(1)
    typer.echo(value)


@configure_app.command("list")
def configure_list(ctx: typer.Context) -> None:
    """Show the settings in force and where each comes from."""
    app_ctx = get_context(ctx)
    settings = app_ctx.settings
    stored = load_config().get("profiles", {}).get(settings.profile, {})
    rows = {
        "profile": settings.profile,
        "configFile": str(config_path()),
        "backend": settings.backend,
        "output": app_ctx.output,
        "region": settings.region,
        "endpointUrl": settings.endpoint_url,
        "vaultPath": str(settings.vault_path),
        "profileSettings": stored,
    }
    app_ctx.emit(rows)
