"""Workload identities: create, get, update, delete, list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from agentcore_identity_cli.cli.options import Tags, list_command
from agentcore_identity_cli.cli.params import expand, structure
from agentcore_identity_cli.cli.root import command, get_context

if TYPE_CHECKING:
    from agentcore_identity_cli.cli.context import AppContext

Name = Annotated[str, typer.Option("--name", help="Name of the workload identity.", show_default=False)]
ReturnUrls = Annotated[
    list[str] | None,
    typer.Option(
        "--allowed-resource-oauth2-return-urls",
        help="URLs a user may be sent back to after OAuth consent (space-separated).",
    ),
]


def _urls(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v for v in (expand(value, "--allowed-resource-oauth2-return-urls") for value in values) if v is not None]


@command("create-workload-identity", "Create a workload identity for an agent.")
def create_workload_identity(
    ctx: typer.Context, name: Name, allowed_resource_oauth2_return_urls: ReturnUrls = None, tags: Tags = None
) -> None:
    app_ctx = get_context(ctx)
    params = {
        "name": expand(name, "--name"),
        "allowedResourceOauth2ReturnUrls": _urls(allowed_resource_oauth2_return_urls),
        "tags": structure(tags, "--tags"),
    }
    app_ctx.emit(app_ctx.call("CreateWorkloadIdentity", params))


@command("get-workload-identity", "Show a workload identity.")
def get_workload_identity(ctx: typer.Context, name: Name) -> None:
    app_ctx = get_context(ctx)
    app_ctx.emit(app_ctx.call("GetWorkloadIdentity", {"name": expand(name, "--name")}))


@command(
    "update-workload-identity",
    "Replace the allowed OAuth2 return URLs of a workload identity (without the option, the list is emptied).",
)
def update_workload_identity(
    ctx: typer.Context, name: Name, allowed_resource_oauth2_return_urls: ReturnUrls = None
) -> None:
    app_ctx = get_context(ctx)
    workload = expand(name, "--name")
    urls = _urls(allowed_resource_oauth2_return_urls)
    # UpdateWorkloadIdentity replaces the whole list: a request without it leaves none.
    before = _return_urls(app_ctx, workload) if urls is None else []
    response = app_ctx.call("UpdateWorkloadIdentity", {"name": workload, "allowedResourceOauth2ReturnUrls": urls})
    if before and not response.get("allowedResourceOauth2ReturnUrls"):
        app_ctx.io.warn(
            f"Note: workload identity '{workload}' no longer has allowed OAuth2 return URLs "
            f"(it had {len(before)}): the update replaces the list, and --allowed-resource-oauth2-return-urls "
            "was not given."
        )
    app_ctx.emit(response)


def _return_urls(app_ctx: AppContext, name: str | None) -> list[str]:
    """The URLs the workload identity has now; none when it cannot be read (the update reports why)."""
    from agentcore_identity_cli.errors import AgentCoreIdentityError

    try:
        shown = app_ctx.call("GetWorkloadIdentity", {"name": name})
    except AgentCoreIdentityError:
        return []
    urls: list[str] = shown.get("allowedResourceOauth2ReturnUrls") or []
    return urls


@command("delete-workload-identity", "Delete a workload identity.")
def delete_workload_identity(ctx: typer.Context, name: Name) -> None:
    app_ctx = get_context(ctx)
    app_ctx.emit(app_ctx.call("DeleteWorkloadIdentity", {"name": expand(name, "--name")}))


list_command("list-workload-identities", "List workload identities.")
