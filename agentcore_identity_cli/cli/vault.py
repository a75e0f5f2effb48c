"""`vault`: create the local vault, show its state, back it up and restore it."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Annotated, Any

import typer

from agentcore_identity_cli.cli.root import app, get_context
from agentcore_identity_cli.config import ENV_PASSPHRASE
from agentcore_identity_cli.errors import UsageError

vault_app = typer.Typer(
    help="The local vault: create it, show its state, back it up, restore it.", no_args_is_help=True
)
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
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Start over: move the vault, its key and its id file aside (renamed *.replaced-TIME) "
            "and create new ones. For a vault that was emptied or replaced next to its key.",
        ),
    ] = False,
    default_deny: Annotated[
        bool,
        typer.Option(
            "--default-deny",
            help="Deny every data-plane call no access policy allows, even before any policy is put "
            "(also on an existing vault). See put-workload-access-policy.",
        ),
    ] = False,
) -> None:
    """Create the vault and its key now (otherwise they are created on first use)."""
    app_ctx = get_context(ctx)
    if app_ctx.settings.backend == "local" and force:
        for old, aside in _move_aside(app_ctx.settings.vault_path):
            app_ctx.io.warn(f"Moved {old} aside to {aside}.")
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
        _init_key(backend)
    else:
        _init_key(backend)
    if default_deny:
        backend.set_default_deny()
    app_ctx.emit(_status(backend))


def _move_aside(vault_path: Path) -> list[tuple[Path, Path]]:
    """Rename a vault's files out of the way, so that a new vault starts there; keeps them all."""
    from datetime import UTC, datetime

    from agentcore_identity_cli.backends.local.vault import (
        ensure_private_dir,
        identity_file_path,
        key_file_path,
    )

    ensure_private_dir(vault_path.parent)  # only in a folder of the user's own
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    key = key_file_path(vault_path)
    names = [
        vault_path,
        vault_path.with_name(vault_path.name + "-wal"),
        vault_path.with_name(vault_path.name + "-shm"),
        key,
        key.with_name(key.name + ".next"),
        identity_file_path(vault_path),
    ]
    moved = []
    for path in names:
        if path.exists():
            aside = path.with_name(f"{path.name}.replaced-{stamp}")
            os.replace(path, aside)
            moved.append((path, aside))
    return moved


def _init_key(backend: Any) -> None:
    from agentcore_identity_cli.backends.local import arns

    with backend.audited("InitVault", target=arns.token_vault_arn()):
        backend.keys.key()


@vault_app.command("status")
def vault_status(ctx: typer.Context) -> None:
    """Path, schema version, key source, counts and file permissions of the vault."""
    get_context(ctx).emit(_status(_local(ctx)))


def _status(backend: Any) -> dict[str, Any]:
    from agentcore_identity_cli.backends.local.audit import event_id
    from agentcore_identity_cli.backends.local.vault import SCHEMA_VERSION

    store = backend.store
    # The chain is checked without the key (status never prompts); audit verify checks the seal too.
    verdict = backend.audit.verify(None)
    source = store.meta("key_source") or ("passphrase" if store.meta("wrapped_key") else None)
    return {
        "vaultPath": str(store.path),
        "schemaVersion": SCHEMA_VERSION,
        "keySource": source or "not created yet",
        "keyType": backend.key_type(),
        "keyFile": str(backend.keys.key_path) if source == "key-file" else None,
        # default-allow (no access policy: as before), enforcing (a policy exists), default-deny
        "accessMode": backend.access_mode(),
        "counts": {
            "apiKeyCredentialProviders": store.count("apikey"),
            "oauth2CredentialProviders": store.count("oauth2"),
            "workloadIdentities": store.count("workload"),
            "workloadAccessPolicies": store.count("accesspolicy"),
        },
        "permissions": {
            "folder": _mode(store.path.parent),
            "vaultFile": _mode(store.path),
            "keyFile": _mode(backend.keys.key_path),
        },
        "audit": {
            "events": verdict.events,
            "chain": verdict.state,
            "sealedThrough": event_id(verdict.sealed_through),
            **({"firstBadEvent": event_id(verdict.bad_event), "problem": verdict.problem} if verdict.problem else {}),
        },
    }


@vault_app.command("backup")
def vault_backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The new backup file (mode 0600); an existing file is refused.")],
) -> None:
    """Write a consistent, still-encrypted snapshot of the vault, even while others use it."""
    from agentcore_identity_cli.backends.local.backup import backup

    app_ctx = get_context(ctx)
    backend = _local(ctx)
    result = backup(backend, file)
    app_ctx.io.warn(
        "The backup holds the secrets sealed, not the key: keep the key file or passphrase apart; restoring needs it."
    )
    app_ctx.emit(result)


@vault_app.command("restore")
def vault_restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A backup made by 'vault backup' (or a copy of a vault file).")],
) -> None:
    """Replace the vault by a backup that opens with the current key; the old vault is kept aside."""
    from agentcore_identity_cli.backends.local.backup import restore
    from agentcore_identity_cli.backends.local.vault import replacing_vault

    app_ctx = get_context(ctx)
    with replacing_vault():  # an emptied or replaced vault is what a restore is for
        backend = _local(ctx)
    result = restore(backend, file)
    app_ctx.io.warn(f"The replaced vault was kept as {result['replacedVaultSavedAs']}.")
    app_ctx.emit(result)
