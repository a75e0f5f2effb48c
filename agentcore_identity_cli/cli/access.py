"""Access policies of workload identities on the local vault: put, get, delete, simulate.

A local-only extension: on AWS, IAM policies decide which caller may obtain which
credential, so these commands refuse the aws backend (exit 252) and point at IAM.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from agentcore_identity_cli.cli.params import expand
from agentcore_identity_cli.cli.root import command, get_context
from agentcore_identity_cli.errors import UsageError

WorkloadName = Annotated[
    str, typer.Option("--workload-name", help="Name of the workload identity.", show_default=False)
]


def _local(ctx: typer.Context, command_name: str) -> Any:
    app_ctx = get_context(ctx)
    if app_ctx.settings.backend != "local":
        raise UsageError(
            f"{command_name} manages access policies of the local vault; on AWS, IAM decides who may obtain "
            "which credential: attach an IAM policy with bedrock-agentcore:GetResourceApiKey, "
            "GetResourceOauth2Token, ... to the caller's role (aws iam put-role-policy)."
        )
    return app_ctx.backend()


def _name(value: str) -> str:
    name = expand(value, "--workload-name")
    if not name:
        raise UsageError("--workload-name is empty.")
    return name


@command(
    "put-workload-access-policy",
    "Attach (or replace) the access policy of a workload identity (local vault): IAM policy language.",
)
def put_workload_access_policy(
    ctx: typer.Context,
    workload_name: WorkloadName,
    policy_document: Annotated[
        str,
        typer.Option("--policy-document", help="The policy: JSON, or file://policy.json.", show_default=False),
    ],
) -> None:
    backend = _local(ctx, "put-workload-access-policy")
    document = expand(policy_document, "--policy-document")
    if not document:
        raise UsageError("--policy-document is empty.")
    get_context(ctx).emit(backend.put_workload_access_policy(_name(workload_name), document))


@command("get-workload-access-policy", "Show the access policy of a workload identity (local vault).")
def get_workload_access_policy(ctx: typer.Context, workload_name: WorkloadName) -> None:
    backend = _local(ctx, "get-workload-access-policy")
    get_context(ctx).emit(backend.get_workload_access_policy(_name(workload_name)))


@command("delete-workload-access-policy", "Detach the access policy of a workload identity (local vault).")
def delete_workload_access_policy(ctx: typer.Context, workload_name: WorkloadName) -> None:
    backend = _local(ctx, "delete-workload-access-policy")
    backend.delete_workload_access_policy(_name(workload_name))


@command(
    "simulate-access",
    "Would the local vault let a workload identity perform an action on a resource, and which statement decides.",
)
def simulate_access(
    ctx: typer.Context,
    workload_name: WorkloadName,
    action: Annotated[
        str,
        typer.Option(
            "--action", help="e.g. bedrock-agentcore:GetResourceApiKey (or GetResourceApiKey).", show_default=False
        ),
    ],
    resource: Annotated[str, typer.Option("--resource", help="The resource ARN.", show_default=False)],
) -> None:
    backend = _local(ctx, "simulate-access")
    get_context(ctx).emit(backend.simulate_access(_name(workload_name), action, resource))
