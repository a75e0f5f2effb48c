"""What `run`, `env` and `inject` share: their options, and resolving a plan of variables.

The work itself is in envsources.py (where variables come from), references.py (the
grammar), resolver.py (values from the backend) and masking.py (concealing them).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from agentcore_identity_cli.cli.context import AppContext
    from agentcore_identity_cli.references import Reference
    from agentcore_identity_cli.resolver import Resolved

EnvOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--env",
        help="NAME=REF: set NAME to the secret an agentcore:// reference names (repeat for more).",
        show_default=False,
    ),
]
EnvFileOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--env-file",
        help="A dotenv file of NAME=VALUE lines; values that are agentcore:// references are resolved "
        "(repeat for more; later files win).",
        show_default=False,
    ),
]


def resolve_references(app_ctx: AppContext, references: dict[str, Reference]) -> dict[str, Resolved]:
    """The value of each variable's reference, all or none; warns of values about to expire."""
    if not references:
        return {}  # the vault is not even opened
    from agentcore_identity_cli.resolver import Resolver, short_lived

    resolver = Resolver(app_ctx.settings, app_ctx.call, app_ctx.backend)
    by_reference = resolver.resolve_all(references.values())
    for item, seconds in short_lived(by_reference.values()):
        app_ctx.io.warn(
            f"Warning: the value of {item.reference} expires in {seconds} s, and a running program cannot "
            "be given a new one."
        )
    return {name: by_reference[reference] for name, reference in references.items()}


def terminal_caution(app_ctx: AppContext, what: str) -> None:
    """One line on stderr when secrets are about to be printed on a terminal."""
    if app_ctx.io.stdout_is_tty:
        app_ctx.io.warn(
            f"Warning: {what} printed on this terminal stay in its scrollback; redirect the output to a file "
            "or a program, or use `agentcore-identity run` to hand secrets to a program directly."
        )
