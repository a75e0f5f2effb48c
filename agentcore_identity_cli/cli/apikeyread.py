"""`api-key PROVIDER`: print one API key, for `$(...)` in scripts.

It goes the way agent code goes: a workload access token for the configured workload and
user (see identity.py), exchanged for the key with GetResourceApiKey, on either backend.
"""

from __future__ import annotations

from typing import Annotated

import typer

from agentcore_identity_cli.cli.root import command, get_context


@command("api-key", "Print the API key of a credential provider (for scripts: $(agentcore-identity api-key NAME)).")
def api_key(
    ctx: typer.Context,
    provider: Annotated[str, typer.Argument(help="Name of the API-key credential provider.", show_default=False)],
    workload_name: Annotated[str | None, typer.Option("--workload-name", help="Workload identity to act as.")] = None,
    user_id: Annotated[str | None, typer.Option("--user-id", help="User to act for.")] = None,
) -> None:
    from agentcore_identity_cli.identity import resolve_caller, workload_token

    app_ctx = get_context(ctx)
    caller = resolve_caller(app_ctx.settings, workload_name, user_id)
    token = workload_token(app_ctx.call, caller)
    response = app_ctx.call(
        "GetResourceApiKey", {"workloadIdentityToken": token, "resourceCredentialProviderName": provider}
    )
    if app_ctx.bare_credential:
        # The bare key and a newline, whatever the terminal: this output is for $(...).
        app_ctx.io.stdout.write(response["apiKey"] + "\n")
    else:
        app_ctx.emit(response)
