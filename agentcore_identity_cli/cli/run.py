"""`run [--env NAME=REF ...] [--env-file FILE ...] [--no-masking] -- CMD [ARGS...]`

Resolves every agentcore:// reference (of --env, of the --env-file files, and of inherited
variables whose value is one), all or none, then runs CMD with them in its environment and
its output masked; exits with CMD's exit code. See docs/run.md; the parts are
envsources.py, resolver.py, masking.py and childproc.py.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from agentcore_identity_cli.cli.root import app, get_context
from agentcore_identity_cli.cli.secretenv import EnvFileOpt, EnvOpt, resolve_references
from agentcore_identity_cli.errors import UsageError

USAGE = "agentcore-identity run [--env NAME=REF ...] [--env-file FILE ...] [--no-masking] -- CMD [ARGS...]"
# The vault's own key material, when it is in the environment the child inherits: masked too.
OWN_SECRETS = ("AGENTCORE_IDENTITY_VAULT_KEY", "AGENTCORE_IDENTITY_PASSPHRASE")


class RunCommand(TyperCommand):
    """Options of run, then `--`, then the command line of the program, left as it is."""

    passes_argv_through = True  # app.py: words after -- may be any bytes

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        check_double_dash(args, self.params)
        result: list[str] = super().parse_args(ctx, args)
        return result


def check_double_dash(args: list[str], params: list[Any]) -> None:
    """The program's command line must follow `--`, so that no word of it is read as ours
    (global options such as --output are picked from anywhere before `--`)."""
    options = {name: param for param in params for name in getattr(param, "opts", [])}
    skip = False
    for word in args:
        if skip:
            skip = False
            continue
        if word == "--":
            return
        if word.startswith("-"):
            param = options.get(word.split("=", 1)[0])
            if param is None or word in ("-h", "--help"):
                return  # click shows the help page, or names the unknown option
            skip = "=" not in word and not getattr(param, "is_flag", False)
            continue
        raise UsageError(f"Put -- before the command to run: {USAGE}")
    raise UsageError(f"No command to run: {USAGE}")


@app.command(
    "run",
    cls=RunCommand,
    context_settings={"allow_interspersed_args": False},
    help="Run a command with secrets from agentcore:// references in its environment, masked in its output."
    f"\n\nThe flags come first, then -- and the command: {USAGE}. Exit code: the command's (128+N when signal N "
    "ended it); 252, 253 or 254 when a reference cannot be resolved, before the command starts. See docs/run.md.",
)
def run(
    ctx: typer.Context,
    command: Annotated[
        list[str],
        typer.Argument(metavar="CMD", help="The command to run and its arguments, after --.", show_default=False),
    ],
    env: EnvOpt = None,
    env_file: EnvFileOpt = None,
    no_masking: Annotated[
        bool,
        typer.Option(
            "--no-masking",
            help="Do not mask secrets in the command's output: it writes to this terminal directly "
            "(for interactive programs that need one).",
        ),
    ] = False,
) -> None:
    from agentcore_identity_cli import envsources
    from agentcore_identity_cli.childproc import CommandStartError, run_child
    from agentcore_identity_cli.errors import CommandExit
    from agentcore_identity_cli.masking import masked_values

    app_ctx = get_context(ctx)
    plan = envsources.plan(env or [], env_file or [], environment=os.environ)
    values = resolve_references(app_ctx, plan.references)
    # The vault is closed before the program starts: it neither holds it open nor inherits it.
    app_ctx.close()
    child_env = dict(os.environ)
    child_env.update(plan.plain)
    child_env.update({name: item.value for name, item in values.items()})
    secrets = [item.value for item in values.values()]
    secrets += [os.environ[name] for name in OWN_SECRETS if os.environ.get(name)]
    try:
        code = run_child(
            command,
            child_env,
            secrets=masked_values(secrets),
            stdout=app_ctx.io.stdout,
            stderr=app_ctx.io.stderr,
            masking=not no_masking,
        )
    except CommandStartError as exc:
        app_ctx.io.warn(f"agentcore-identity run: {exc}")
        raise CommandExit(exc.exit_code) from None
    raise CommandExit(code)
