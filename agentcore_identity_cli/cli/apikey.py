"""API-key credential providers: create, get, update, delete, list."""

from __future__ import annotations

from typing import Annotated

import typer

from agentcore_identity_cli.cli.options import Tags, list_command
from agentcore_identity_cli.cli.params import SecretReader, expand, structure
from agentcore_identity_cli.cli.root import command, get_context

Name = Annotated[str, typer.Option("--name", help="Name of the credential provider.", show_default=False)]
ApiKey = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        help="The API key: '-' reads stdin, file://PATH reads a file; prompted for when omitted on a terminal.",
    ),
]
SecretConfig = Annotated[
    str | None,
    typer.Option("--api-key-secret-config", help="Secrets Manager reference secretId=...,jsonKey=... (aws backend)."),
]
SecretSource = Annotated[str | None, typer.Option("--api-key-secret-source", help="MANAGED or EXTERNAL (aws backend).")]


def _api_key(ctx: typer.Context, value: str | None, secret_config: str | None) -> str | None:
    # A key kept in Secrets Manager needs no value here, nor one that --cli-input-json gives.
    app_ctx = get_context(ctx)
    given = secret_config is not None or any(app_ctx.cli_input.has(m) for m in ("apiKey", "apiKeySecretConfig"))
    return SecretReader(app_ctx.io).read(value, "--api-key", "API key", required=not given)


@command("create-api-key-credential-provider", "Create an API-key credential provider; the key is stored encrypted.")
def create_api_key_credential_provider(
    ctx: typer.Context,
    name: Name,
    api_key: ApiKey = None,
    api_key_secret_config: SecretConfig = None,
    api_key_secret_source: SecretSource = None,
    tags: Tags = None,
) -> None:
    app_ctx = get_context(ctx)
    params = {
        "name": expand(name, "--name"),
        "apiKeySecretConfig": structure(api_key_secret_config, "--api-key-secret-config"),
        "apiKeySecretSource": expand(api_key_secret_source, "--api-key-secret-source"),
        "tags": structure(tags, "--tags"),
    }
    params["apiKey"] = _api_key(ctx, api_key, api_key_secret_config)
    app_ctx.emit(app_ctx.call("CreateApiKeyCredentialProvider", params))


@command("get-api-key-credential-provider", "Show an API-key credential provider (never the key).")
def get_api_key_credential_provider(ctx: typer.Context, name: Name) -> None:
    app_ctx = get_context(ctx)
    app_ctx.emit(app_ctx.call("GetApiKeyCredentialProvider", {"name": expand(name, "--name")}))


@command("update-api-key-credential-provider", "Replace the API key of a provider.")
def update_api_key_credential_provider(
    ctx: typer.Context,
    name: Name,
    api_key: ApiKey = None,
    api_key_secret_config: SecretConfig = None,
    api_key_secret_source: SecretSource = None,
) -> None:
    app_ctx = get_context(ctx)
    params = {
        "name": expand(name, "--name"),
        "apiKeySecretConfig": structure(api_key_secret_config, "--api-key-secret-config"),
        "apiKeySecretSource": expand(api_key_secret_source, "--api-key-secret-source"),
    }
    params["apiKey"] = _api_key(ctx, api_key, api_key_secret_config)
    app_ctx.emit(app_ctx.call("UpdateApiKeyCredentialProvider", params))


@command("delete-api-key-credential-provider", "Delete an API-key credential provider and its stored key.")
def delete_api_key_credential_provider(ctx: typer.Context, name: Name) -> None:
    app_ctx = get_context(ctx)
    app_ctx.emit(app_ctx.call("DeleteApiKeyCredentialProvider", {"name": expand(name, "--name")}))


list_command("list-api-key-credential-providers", "List API-key credential providers.")
