"""`vault`: create the local vault and show its state (path, schema, key, counts, modes)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Annotated, Any

import typer

from agentcore_identity_cli.cli.root import app, get_context
from agentcore_identity_cli.config import ENV_PASSPHRASE
from agentcore_identity_cli.errors import UsageError

vault_app = typer.Typer(help="The local vault: create it, and show its state.", no_args_is_help=True)
app.add_typer(vault_app, name="vault")


def _local(ctx: typer.Context) -> Any:
    app_ctx = get_context(ctx)
    if app_ctx.settings.backend != "local":
        raise UsageError("The vault commands work on the local backend; use --backend local.")
    return app_ctx.backend()


def _mode(path: Path) -> str | None:
    try:
        return f"{stat.S_IMODE(path.stat().st_mode):04o}"
    except FileNotFoundError:
        return None


@vault_app.command("init")
def vault_init(
    ctx: typer.Context,
    passphrase: Annotated[
        bool,
        typer.Option("--passphrase", help=f"Protect the vault key with a passphrase ({ENV_PASSPHRASE} or a prompt)."),
    ] = False,
) -> None:
    """Create the vault and its key now (otherwise they are created on first use)."""
    app_ctx = get_context(ctx)
    backend = _local(ctx)
    if backend.store.meta("key_check") is not None:
        app_ctx.io.warn(f"The vault {backend.store.path} exists already; nothing changed.")
    elif passphrase:
        secret = os.environ.get(ENV_PASSPHRASE)
        if not secret:
            if not app_ctx.io.can_prompt:
                raise UsageError(f"--passphrase needs {ENV_PASSPHRASE} or a terminal to ask on.")
            secret = app_ctx.io.prompt_secret("New vault passphrase")
            if secret != app_ctx.io.prompt_secret("Repeat the passphrase"):
                raise UsageError("The passphrases do not match.")
        if not secret:
            raise UsageError("The passphrase is empty.")
        os.environ[ENV_PASSPHRASE] = secret  # read by the key ring when it creates the key
        backend.keys.key()
    else:
        backend.keys.key()
    app_ctx.emit(_status(backend))


@vault_app.command("status")
def vault_status(ctx: typer.Context) -> None:
    """Path, schema version, key source, counts and file permissions of the vault."""
    get_context(ctx).emit(_status(_local(ctx)))


def _status(backend: Any) -> dict[str, Any]:
    from agentcore_identity_cli.backends.local.vault import SCHEMA_VERSION

    store = backend.store
    source = store.meta("key_source") or ("passphrase" if store.meta("wrapped_key") else None)
    return {
        "vaultPath": str(store.path),
        "schemaVersion": SCHEMA_VERSION,
        "keySource": source or "not created yet",
        "keyType": backend.key_type(),
        "keyFile": str(backend.keys.key_path) if source == "key-file" else None,
        "counts": {
            "apiKeyCredentialProviders": store.count("apikey"),
            "oauth2CredentialProviders": store.count("oauth2"),
            "workloadIdentities": store.count("workload"),
        },
        "permissions": {
            "folder": _mode(store.path.parent),
            "vaultFile": _mode(store.path),
            "keyFile": _mode(backend.keys.key_path),
        },
    }
