"""The token vault: its description, its key configuration, and key rotation."""

from __future__ import annotations

from typing import Annotated

import typer

from agentcore_identity_cli.cli.params import expand, structure
from agentcore_identity_cli.cli.root import command, get_context

TokenVaultId = Annotated[str | None, typer.Option("--token-vault-id", help="The token vault (default: 'default').")]


@command("get-token-vault", "Show the token vault and how its key is managed.")
def get_token_vault(ctx: typer.Context, token_vault_id: TokenVaultId = None) -> None:
    app_ctx = get_context(ctx)
    app_ctx.emit(app_ctx.call("GetTokenVault", {"tokenVaultId": expand(token_vault_id, "--token-vault-id")}))


@command("set-token-vault-cmk", "Choose how the token vault key is protected.")
def set_token_vault_cmk(
    ctx: typer.Context,
    kms_configuration: Annotated[
        str,
        typer.Option(
            "--kms-configuration",
            help="keyType=CustomerManagedKey|ServiceManagedKey[,kmsKeyArn=ARN]",
            show_default=False,
        ),
    ],
    token_vault_id: TokenVaultId = None,
) -> None:
    app_ctx = get_context(ctx)
    params = {
        "tokenVaultId": expand(token_vault_id, "--token-vault-id"),
        "kmsConfiguration": structure(kms_configuration, "--kms-configuration"),
    }
    app_ctx.emit(app_ctx.call("SetTokenVaultCMK", params))


@command("reset-token-vault-key-material", "Rotate the token vault key and re-seal every secret.")
def reset_token_vault_key_material(ctx: typer.Context, token_vault_id: TokenVaultId = None) -> None:
    app_ctx = get_context(ctx)
    default = None if app_ctx.cli_input.has("tokenVaultId") else "default"
    params = {"tokenVaultId": expand(token_vault_id, "--token-vault-id") or default}
    app_ctx.emit(app_ctx.call("ResetTokenVaultKeyMaterial", params))
