"""Tags on credential providers, workload identities and the token vault."""

from __future__ import annotations

from typing import Annotated

import typer

from agentcore_identity_cli.cli.params import expand, structure
from agentcore_identity_cli.cli.root import command, get_context

ResourceArn = Annotated[str, typer.Option("--resource-arn", help="ARN of the resource.", show_default=False)]


@command("tag-resource", "Add or overwrite tags on a resource.")
def tag_resource(
    ctx: typer.Context,
    resource_arn: ResourceArn,
    tags: Annotated[
        str, typer.Option("--tags", help="JSON, shorthand Key=Value,... or file://PATH.", show_default=False)
    ],
) -> None:
    app_ctx = get_context(ctx)
    params = {"resourceArn": expand(resource_arn, "--resource-arn"), "tags": structure(tags, "--tags")}
    app_ctx.emit(app_ctx.call("TagResource", params))


@command("untag-resource", "Remove tags from a resource by key.")
def untag_resource(
    ctx: typer.Context,
    resource_arn: ResourceArn,
    tag_keys: Annotated[
        list[str], typer.Option("--tag-keys", help="Keys to remove (space-separated).", show_default=False)
    ],
) -> None:
    app_ctx = get_context(ctx)
    params = {"resourceArn": expand(resource_arn, "--resource-arn"), "tagKeys": list(tag_keys) if tag_keys else None}
    app_ctx.emit(app_ctx.call("UntagResource", params))


@command("list-tags-for-resource", "List the tags of a resource.")
def list_tags_for_resource(ctx: typer.Context, resource_arn: ResourceArn) -> None:
    app_ctx = get_context(ctx)
    app_ctx.emit(app_ctx.call("ListTagsForResource", {"resourceArn": expand(resource_arn, "--resource-arn")}))
