"""The private key of a PRIVATE_KEY_JWT provider: a local-backend extension of the API.

`--private-key` on create-/update-oauth2-credential-provider gives the key (a PEM, read like
every secret: '-' for stdin, file://PATH, or a prompt; never required): it is taken out of the
API request and sealed in the same vault transaction as the create or update. Without it,
the vault generates a key. On the aws backend the key lives in KMS
(`privateKeyJwtConfig.privateKeySource.kmsKeySource`) and the flag is refused.

`oauth2-public-key --name NAME` prints the provider's public key as a JWK Set, to register
with the authorization server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentcore_identity_cli.cli.params import expand
from agentcore_identity_cli.cli.root import command, get_context
from agentcore_identity_cli.errors import UsageError

if TYPE_CHECKING:
    from agentcore_identity_cli.cli.context import AppContext

PrivateKey = Annotated[
    str | None,
    typer.Option(
        "--private-key",
        help="PRIVATE_KEY_JWT signing key (PEM), local backend: '-' reads stdin, file://PATH a file "
        "(default: the vault generates one).",
    ),
]


def _local_backend(app_ctx: AppContext, what: str) -> Any:
    if app_ctx.settings.backend != "local":
        raise UsageError(
            f"{what} is a local-backend extension: on the aws backend the private key is a KMS key "
            "(privateKeyJwtConfig.privateKeySource.kmsKeySource).",
            hint="use --backend local, or give kmsKeySource in --oauth2-provider-config-input",
        )
    return app_ctx.backend()


def call_with_private_key(app_ctx: AppContext, operation: str, params: dict[str, Any], pem: str) -> dict[str, Any]:
    """Run the create or update, then seal the given key, in one vault transaction."""
    if app_ctx.cli_input.skeleton_output:
        return app_ctx.call(operation, params)  # a sample response stores nothing
    backend = _local_backend(app_ctx, "--private-key")
    from agentcore_identity_cli.backends.local import client_auth

    with backend.store.transaction():
        response = app_ctx.call(operation, params)
        client_auth.set_private_key(backend, params["name"], pem)
    return response


@command("oauth2-public-key", "Print the public key of a PRIVATE_KEY_JWT provider as a JWK Set, to register it.")
def oauth2_public_key(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Name of the credential provider.", show_default=False)],
) -> None:
    app_ctx = get_context(ctx)
    backend = _local_backend(app_ctx, "oauth2-public-key")
    from agentcore_identity_cli.backends.local import client_auth

    app_ctx.emit(client_auth.public_jwks(backend, expand(name, "--name") or ""))
