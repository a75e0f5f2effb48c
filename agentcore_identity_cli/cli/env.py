"""`env [--format dotenv|shell|json] [--env NAME=REF ...] [--env-file FILE ...]`

Prints the variables with their references resolved, for tools that read them from a file
or `eval` (a debugger's launch configuration, `docker run --env-file`). Each format reads
back to exactly the values: dotenv in single quotes (python-dotenv, docker compose), shell
quoted for `eval` (`export NAME='...'`), JSON an object. On a terminal a warning says the
secrets stay in the scrollback.
"""

from __future__ import annotations

import json
import shlex
from typing import Annotated

import typer

from agentcore_identity_cli.cli.root import command, get_context
from agentcore_identity_cli.cli.secretenv import EnvFileOpt, EnvOpt, resolve_references, terminal_caution
from agentcore_identity_cli.errors import UsageError

FORMATS = ("dotenv", "shell", "json")


def render(values: dict[str, str], format_name: str) -> str:
    """The variables in one of FORMATS."""
    if format_name == "json":
        return json.dumps(values, indent=2, ensure_ascii=False) + "\n"
    lines: list[str] = []
    for name, value in values.items():
        if format_name == "shell":
            lines.append(f"export {name}={shlex.quote(value)}")
        else:
            # python-dotenv reads \\ and \' back inside single quotes, and expands nothing there.
            lines.append(f"{name}='" + value.replace("\\", "\\\\").replace("'", "\\'") + "'")
    return "".join(line + "\n" for line in lines)


@command("env", "Print variables with their agentcore:// references resolved (dotenv, shell or JSON).")
def env_command(
    ctx: typer.Context,
    env: EnvOpt = None,
    env_file: EnvFileOpt = None,
    format_name: Annotated[
        str, typer.Option("--format", help="dotenv (default), shell (export lines for eval) or json.")
    ] = "dotenv",
) -> None:
    from agentcore_identity_cli import envsources

    if format_name not in FORMATS:
        raise UsageError(f"argument --format: Invalid choice '{format_name}', valid choices are: {' | '.join(FORMATS)}")
    if not env and not env_file:
        raise UsageError("Nothing to print: give --env NAME=REF or --env-file FILE.")
    app_ctx = get_context(ctx)
    plan = envsources.plan(env or [], env_file or [])
    resolved = resolve_references(app_ctx, plan.references)
    values = {name: resolved[name].value if name in resolved else plan.plain[name] for name in plan.names}
    if resolved:
        terminal_caution(app_ctx, "secrets")
    app_ctx.io.stdout.write(render(values, format_name))
    app_ctx.io.stdout.flush()
