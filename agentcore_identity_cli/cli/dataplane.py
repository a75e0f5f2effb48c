"""Data-plane commands of `aws bedrock-agentcore`: workload access tokens and resource credentials.

These print secrets on purpose (a token, an API key): that is what they are for. Tokens
given to them are read like every secret: `-` (stdin), `file://`, or a warned literal.
"""

from __future__ import annotations

from typing import Annotated

import typer

from agentcore_identity_cli.cli.params import SecretReader, expand
from agentcore_identity_cli.cli.root import command, get_context

WorkloadName = Annotated[
    str, typer.Option("--workload-name", help="Name of the workload identity.", show_default=False)
]
ProviderName = Annotated[
    str,
    typer.Option("--resource-credential-provider-name", help="Name of the credential provider.", show_default=False),
]
WorkloadToken = Annotated[
    str | None,
    typer.Option(
        "--workload-identity-token",
        help="Workload access token: '-' reads stdin, file://PATH a file; prompted for on a terminal.",
    ),
]


@command("get-workload-access-token", "Get a workload access token for a workload acting on its own behalf.")
def get_workload_access_token(ctx: typer.Context, workload_name: WorkloadName) -> None:
    app_ctx = get_context(ctx)
    app_ctx.emit(app_ctx.call("GetWorkloadAccessToken", {"workloadName": expand(workload_name, "--workload-name")}))


@command("get-workload-access-token-for-user-id", "Get a workload access token for a workload acting for a user.")
def get_workload_access_token_for_user_id(
    ctx: typer.Context,
    workload_name: WorkloadName,
    user_id: Annotated[str, typer.Option("--user-id", help="The user the workload acts for.", show_default=False)],
) -> None:
    app_ctx = get_context(ctx)
    params = {"workloadName": expand(workload_name, "--workload-name"), "userId": expand(user_id, "--user-id")}
    app_ctx.emit(app_ctx.call("GetWorkloadAccessTokenForUserId", params))


@command("get-workload-access-token-for-jwt", "Get a workload access token for the user a trusted JWT names.")
def get_workload_access_token_for_jwt(
    ctx: typer.Context,
    workload_name: WorkloadName,
    user_token: Annotated[
        str | None,
        typer.Option(
            "--user-token", help="The user's JWT: '-' reads stdin, file://PATH a file; prompted for on a terminal."
        ),
    ] = None,
) -> None:
    app_ctx = get_context(ctx)
    token = SecretReader(app_ctx.io).read(user_token, "--user-token", "User token")
    params = {"workloadName": expand(workload_name, "--workload-name"), "userToken": token}
    app_ctx.emit(app_ctx.call("GetWorkloadAccessTokenForJWT", params))


@command("get-resource-api-key", "Get the API key of a credential provider, for a workload access token.")
def get_resource_api_key(
    ctx: typer.Context, resource_credential_provider_name: ProviderName, workload_identity_token: WorkloadToken = None
) -> None:
    app_ctx = get_context(ctx)
    token = SecretReader(app_ctx.io).read(workload_identity_token, "--workload-identity-token", "Workload access token")
    params = {
        "workloadIdentityToken": token,
        "resourceCredentialProviderName": expand(
            resource_credential_provider_name, "--resource-credential-provider-name"
        ),
    }
    app_ctx.emit(app_ctx.call("GetResourceApiKey", params))
