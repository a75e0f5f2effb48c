"""`trusted-issuer`: which identity providers' user tokens get-workload-access-token-for-jwt accepts.

A local extension: on AWS, inbound JWT trust is configured on the service itself.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from agentcore_identity_cli.cli.params import expand
from agentcore_identity_cli.cli.root import app, get_context
from agentcore_identity_cli.errors import UsageError

trust_app = typer.Typer(
    help="Trust list of user-token issuers for get-workload-access-token-for-jwt (local backend).",
    no_args_is_help=True,
)
app.add_typer(trust_app, name="trusted-issuer")


def _local(ctx: typer.Context) -> Any:
    app_ctx = get_context(ctx)
    if app_ctx.settings.backend != "local":
        raise UsageError(
            "trusted-issuer manages the local trust list; on AWS, configure inbound JWT trust in the service."
        )
    return app_ctx.backend()


@trust_app.command("add")
def add(
    ctx: typer.Context,
    issuer: Annotated[str | None, typer.Option("--issuer", help="The issuer (`iss`) of the user tokens.")] = None,
    discovery_url: Annotated[
        str | None, typer.Option("--discovery-url", help="OpenID Connect discovery URL (default: from --issuer).")
    ] = None,
    jwks_url: Annotated[str | None, typer.Option("--jwks-url", help="JWKS URL, instead of discovery.")] = None,
    audiences: Annotated[
        list[str] | None, typer.Option("--audiences", help="Accepted `aud` values (space-separated).")
    ] = None,
    allowed_clients: Annotated[
        list[str] | None, typer.Option("--allowed-clients", help="Accepted `client_id`/`azp` values.")
    ] = None,
) -> None:
    """Trust user tokens from an issuer, for the given audiences or clients."""
    backend = _local(ctx)
    entry = backend.add_trusted_issuer(
        issuer=expand(issuer, "--issuer"),
        discovery_url=expand(discovery_url, "--discovery-url"),
        jwks_url=expand(jwks_url, "--jwks-url"),
        audiences=list(audiences or []),
        allowed_clients=list(allowed_clients or []),
    )
    get_context(ctx).emit(entry)


@trust_app.command("list")
def list_issuers(ctx: typer.Context) -> None:
    """List trusted issuers."""
    get_context(ctx).emit({"trustedIssuers": _local(ctx).list_trusted_issuers()})


@trust_app.command("remove")
def remove(
    ctx: typer.Context,
    issuer: Annotated[str, typer.Option("--issuer", help="The issuer to stop trusting.", show_default=False)],
) -> None:
    """Stop trusting an issuer."""
    _local(ctx).remove_trusted_issuer(issuer)
