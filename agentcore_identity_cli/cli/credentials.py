"""What `api-key` and `token` do once their command line is read: print a credential.

Free of Typer, so that the command line read without it (cli/fastpath.py) and the Typer
commands (cli/apikeyread.py, cli/login.py) run the very same code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentcore_identity_cli.errors import UsageError

if TYPE_CHECKING:
    from agentcore_identity_cli.backends.local.oauth_tokens import OAuth2TokensMixin
    from agentcore_identity_cli.cli.context import AppContext

FLOWS = ("USER_FEDERATION", "M2M", "ON_BEHALF_OF_TOKEN_EXCHANGE")


def print_api_key(app_ctx: AppContext, provider: str, workload_name: str | None, user_id: str | None) -> None:
    """`api-key PROVIDER`: the way agent code goes, on either backend: a workload access token
    for the configured workload and user (identity.py), exchanged with GetResourceApiKey."""
    from agentcore_identity_cli.identity import resolve_caller, workload_token

    caller = resolve_caller(app_ctx.settings, workload_name, user_id)
    token = workload_token(app_ctx.call, caller)
    response = app_ctx.call(
        "GetResourceApiKey", {"workloadIdentityToken": token, "resourceCredentialProviderName": provider}
    )
    if app_ctx.bare_credential:
        app_ctx.print_credential(response["apiKey"])
    else:
        app_ctx.emit(response)


def print_token(
    app_ctx: AppContext,
    provider: str,
    *,
    oauth2_flow: str | None = None,
    scopes: list[str] | None = None,
    user_id: str | None = None,
    workload_name: str | None = None,
    force_refresh: bool = False,
    user_token: str | None = None,
    resources: list[str] | None = None,
    audiences: list[str] | None = None,
) -> None:
    """`token PROVIDER`: a fresh access token of the provider, from the local backend's OAuth flows."""
    flow = oauth2_flow.upper() if oauth2_flow else None
    if flow is not None and flow not in FLOWS:
        raise UsageError(
            f"argument --oauth2-flow: Invalid choice '{oauth2_flow}', valid choices are: {' | '.join(FLOWS)}"
        )
    backend = local_oauth_backend(app_ctx, "token")
    workload, user = caller_of(app_ctx, workload_name, user_id)
    subject = None
    if flow == "ON_BEHALF_OF_TOKEN_EXCHANGE" or user_token is not None:
        if user_id is not None:
            raise UsageError("--user-id cannot be combined with the exchange: the user is the one --user-token names.")
        from agentcore_identity_cli.cli.params import SecretReader

        subject = SecretReader(app_ctx.io).read(user_token, "--user-token", "User token (JWT)")
        trusting: Any = backend  # the local backend checks the JWT against its trusted issuers
        user = str(trusting.verify_user_token(subject)["sub"])
        flow = "ON_BEHALF_OF_TOKEN_EXCHANGE"
    from agentcore_identity_cli.cli.params import scope_list

    result = backend.oauth2_token(
        provider,
        flow=flow,
        scopes=scope_list(scopes),
        workload=workload,
        user_id=user,
        force=force_refresh,
        resources=resources or None,
        audiences=audiences or None,
        subject_token=subject,
    )
    if app_ctx.bare_credential:
        app_ctx.print_credential(result.access_token)
        return
    document: dict[str, Any] = result.describe()
    app_ctx.emit(document)


def local_oauth_backend(app_ctx: AppContext, command_name: str) -> OAuth2TokensMixin:
    """The local backend; `login`, `logout` and `token` run the OAuth flows on this machine."""
    if app_ctx.settings.backend != "local":
        raise UsageError(
            f"`{command_name}` runs the OAuth flows on this machine and needs the local backend.",
            hint="on --backend aws the service runs them: use get-resource-oauth2-token",
        )
    from agentcore_identity_cli.backends.local.oauth_tokens import OAuth2TokensMixin

    backend = app_ctx.backend()
    assert isinstance(backend, OAuth2TokensMixin)
    if app_ctx.settings.read_timeout:
        backend.http_timeout = app_ctx.settings.read_timeout
    return backend


def caller_of(app_ctx: AppContext, workload_name: str | None, user_id: str | None) -> tuple[str | None, str]:
    """(workload identity or None for the default one, user id)."""
    from agentcore_identity_cli.identity import os_user, resolve_caller

    caller = resolve_caller(app_ctx.settings, workload_name, user_id)
    return (None if caller.default_workload else caller.workload_name), caller.user_id or os_user()
