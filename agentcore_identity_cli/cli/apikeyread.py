"""`api-key PROVIDER`: print one API key, for `$(...)` in scripts (cli/credentials.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from agentcore_identity_cli.cli.credentials import print_api_key
from agentcore_identity_cli.cli.root import command, get_context


@command("api-key", "Print the API key of a credential provider (for scripts: $(agentcore-identity api-key NAME)).")
def api_key(
    ctx: typer.Context,
    provider: Annotated[str, typer.Argument(help="Name of the API-key credential provider.", show_default=False)],
    workload_name: Annotated[str | None, typer.Option("--workload-name", help="Workload identity to act as.")] = None,
    user_id: Annotated[str | None, typer.Option("--user-id", help="User to act for.")] = None,
) -> None:
    print_api_key(get_context(ctx), provider, workload_name, user_id)
