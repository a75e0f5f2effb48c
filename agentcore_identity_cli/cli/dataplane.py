"""Data-plane commands of `aws bedrock-agentcore`: workload access tokens and resource credentials.

These print secrets on purpose (a token, an API key): that is what they are for. Tokens
given to them are read like every secret: `-` (stdin), `file://`, or a warned literal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentcore_identity_cli.cli.params import SecretReader, expand, structure
from agentcore_identity_cli.cli.root import command, get_context

if TYPE_CHECKING:
    from agentcore_identity_cli.cli.context import AppContext

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


def _resource_request(app_ctx: AppContext, token: str | None, provider: str | None) -> dict[str, Any]:
    """The members every resource-credential request has: the workload token (read like a
    secret, unless --cli-input-json gives it) and the provider name."""
    return {
        "workloadIdentityToken": SecretReader(app_ctx.io).read(
            token,
            "--workload-identity-token",
            "Workload access token",
            required=not app_ctx.cli_input.has("workloadIdentityToken"),
        ),
        "resourceCredentialProviderName": expand(provider, "--resource-credential-provider-name"),
    }


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
    required = not app_ctx.cli_input.has("userToken")
    token = SecretReader(app_ctx.io).read(user_token, "--user-token", "User token", required=required)
    params = {"workloadName": expand(workload_name, "--workload-name"), "userToken": token}
    app_ctx.emit(app_ctx.call("GetWorkloadAccessTokenForJWT", params))


@command("get-resource-api-key", "Get the API key of a credential provider, for a workload access token.")
def get_resource_api_key(
    ctx: typer.Context, resource_credential_provider_name: ProviderName, workload_identity_token: WorkloadToken = None
) -> None:
    app_ctx = get_context(ctx)
    params = {
        **_resource_request(app_ctx, workload_identity_token, resource_credential_provider_name),
    }
    app_ctx.emit(app_ctx.call("GetResourceApiKey", params))


@command(
    "get-resource-oauth2-token",
    "Get an OAuth2 access token of a credential provider: M2M, USER_FEDERATION or ON_BEHALF_OF_TOKEN_EXCHANGE.",
)
def get_resource_oauth2_token(
    ctx: typer.Context,
    resource_credential_provider_name: ProviderName,
    scopes: Annotated[list[str], typer.Option("--scopes", help="Scopes (space-separated).", show_default=False)],
    oauth2_flow: Annotated[
        str,
        typer.Option("--oauth2-flow", help="M2M, USER_FEDERATION or ON_BEHALF_OF_TOKEN_EXCHANGE.", show_default=False),
    ],
    workload_identity_token: WorkloadToken = None,
    session_uri: Annotated[
        str | None, typer.Option("--session-uri", help="Continue a USER_FEDERATION session.")
    ] = None,
    resource_oauth2_return_url: Annotated[
        str | None,
        typer.Option("--resource-oauth2-return-url", help="Where the user returns after consent (must be allowed)."),
    ] = None,
    force_authentication: Annotated[
        bool | None,
        typer.Option("--force-authentication/--no-force-authentication", help="Ask the user to consent again."),
    ] = None,
    custom_parameters: Annotated[
        str | None, typer.Option("--custom-parameters", help="Extra authorization parameters: JSON or Key=Value,...")
    ] = None,
    custom_state: Annotated[
        str | None, typer.Option("--custom-state", help="State handed back to the return URL.")
    ] = None,
    resources: Annotated[
        list[str] | None,
        typer.Option("--resources", help="Resources (RFC 8707) the token is for: several values after one flag."),
    ] = None,
    audiences: Annotated[
        list[str] | None,
        typer.Option("--audiences", help="Audiences the token is for: several values after one flag."),
    ] = None,
) -> None:
    app_ctx = get_context(ctx)
    params = {
        **_resource_request(app_ctx, workload_identity_token, resource_credential_provider_name),
        "scopes": list(scopes) if scopes else None,
        "oauth2Flow": expand(oauth2_flow, "--oauth2-flow"),
        "sessionUri": expand(session_uri, "--session-uri"),
        "resourceOauth2ReturnUrl": expand(resource_oauth2_return_url, "--resource-oauth2-return-url"),
        "forceAuthentication": force_authentication,
        "customParameters": structure(custom_parameters, "--custom-parameters"),
        "customState": expand(custom_state, "--custom-state"),
        "resources": list(resources) if resources else None,
        "audiences": list(audiences) if audiences else None,
    }
    app_ctx.emit(app_ctx.call("GetResourceOauth2Token", params))


@command(
    "get-resource-payment-token",
    "Get the credentials of one request to a payment vendor's API (CDP JWTs, Privy basic auth and signature).",
)
def get_resource_payment_token(
    ctx: typer.Context,
    resource_credential_provider_name: ProviderName,
    payment_token_request: Annotated[
        str,
        typer.Option(
            "--payment-token-request",
            help="coinbaseCdpTokenRequest={...} or stripePrivyTokenRequest={...}: JSON, shorthand or file://PATH.",
            show_default=False,
        ),
    ],
    workload_identity_token: WorkloadToken = None,
) -> None:
    app_ctx = get_context(ctx)
    params = {
        **_resource_request(app_ctx, workload_identity_token, resource_credential_provider_name),
        "paymentTokenRequest": structure(payment_token_request, "--payment-token-request"),
    }
    app_ctx.emit(app_ctx.call("GetResourcePaymentToken", params))


@command(
    "complete-resource-token-auth",
    "Bind a finished USER_FEDERATION consent to the user who gave it.",
)
def complete_resource_token_auth(
    ctx: typer.Context,
    session_uri: Annotated[str, typer.Option("--session-uri", help="The session to complete.", show_default=False)],
    user_identifier: Annotated[
        str,
        typer.Option(
            "--user-identifier", help="userId=USER or userToken=JWT (JSON, shorthand or file://).", show_default=False
        ),
    ],
) -> None:
    app_ctx = get_context(ctx)
    params = {
        "sessionUri": expand(session_uri, "--session-uri"),
        "userIdentifier": structure(user_identifier, "--user-identifier"),
    }
    app_ctx.emit(app_ctx.call("CompleteResourceTokenAuth", params))
