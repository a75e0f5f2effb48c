"""The root Typer app, its global options (cli/globalopts.py), and the command class every command uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

from agentcore_identity_cli import __version__
from agentcore_identity_cli.cli.globalopts import resolve_flags, start_invocation
from agentcore_identity_cli.errors import CommandExit

if TYPE_CHECKING:
    from agentcore_identity_cli.cli.context import AppContext

F = TypeVar("F", bound=Callable[..., Any])


class RootGroup(TyperGroup):
    """The root command group. A reader gone from stdout (`| head`) inside any command ends it
    with exit 0, as main() and the AWS CLI treat it: ended here, before click's own handling
    of EPIPE around the command would make exit 1 of it."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise CommandExit(0) from None


app = typer.Typer(
    cls=RootGroup,
    name="agentcore-identity",
    help=(
        "Manage the credentials of AI agents: API keys, OAuth 2.0 clients and workload "
        "identities, on a local encrypted vault or on Amazon Bedrock AgentCore Identity."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


class AwsCommand(TyperCommand):
    """A command that reads list options the AWS CLI way: `--tag-keys a b c`.

    The command of an AWS operation also takes the AWS CLI's whole-request options,
    --cli-input-json, --cli-input-yaml and --generate-cli-skeleton (cli/cliinput.py).
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        from agentcore_identity_cli.cli.cliinput import command_operations, complete_skeleton_value, relaxes_required

        operation = command_operations().get(self.name or "")
        if operation is not None:
            args = complete_skeleton_value(args)
            if relaxes_required(args):
                # The whole input comes another way: botocore's check then names what is missing.
                for param in self.params:
                    param.required = False
            from agentcore_identity_cli.cli.autoprompt import prompt_for_args

            args = prompt_for_args(ctx, self, operation, args)
        multiple = {
            opt for param in self.params if getattr(param, "multiple", False) for opt in getattr(param, "opts", [])
        }
        rewritten: list[str] = []
        current: str | None = None
        for token in args:
            if token == "--":
                current = None
                rewritten.append(token)
            elif token.startswith("--"):
                current = token if token in multiple else None
                rewritten.append(token)
            elif current is not None and rewritten[-1] != current:
                # A further value of the same list option: repeat the flag for click.
                rewritten.extend([current, token])
            else:
                rewritten.append(token)
        result: list[str] = super().parse_args(ctx, rewritten)
        return result


def _version(value: bool) -> None:
    if value:
        print(f"agentcore-identity {__version__}")
        raise typer.Exit()


OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        help="Output format: json, table, text, yaml, yaml-stream or off (default: table on a terminal, "
        "json otherwise).",
        show_default=False,
    ),
]


@app.callback()
def main_callback(
    ctx: typer.Context,
    output: OutputOpt = None,
    query: Annotated[str | None, typer.Option("--query", help="JMESPath query applied to the response.")] = None,
    backend: Annotated[
        str | None, typer.Option("--backend", help="local (encrypted vault file, default) or aws.")
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option("--profile", help="Named profile from the config file (and, for aws, the AWS profile)."),
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="AWS region (aws backend).")] = None,
    endpoint_url: Annotated[
        str | None, typer.Option("--endpoint-url", help="Override the service endpoint (aws backend).")
    ] = None,
    read_timeout: Annotated[
        float | None, typer.Option("--cli-read-timeout", help="Socket read timeout in seconds (aws backend).")
    ] = None,
    connect_timeout: Annotated[
        float | None, typer.Option("--cli-connect-timeout", help="Socket connect timeout in seconds (aws backend).")
    ] = None,
    ca_bundle: Annotated[
        str | None,
        typer.Option(
            "--ca-bundle",
            help="CA certificate bundle (PEM file) to verify HTTPS servers with; overrides AWS_CA_BUNDLE.",
        ),
    ] = None,
    no_verify_ssl: Annotated[
        bool, typer.Option("--no-verify-ssl", help="Do not verify HTTPS certificates (prints a warning).")
    ] = False,
    no_sign_request: Annotated[
        bool, typer.Option("--no-sign-request", help="Do not sign requests; no credentials are loaded (aws backend).")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Log what happens to stderr; never secrets.")] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour, even on a terminal.")] = False,
    color: Annotated[
        str | None,
        typer.Option("--color", help="Colour: on, off or auto (on a terminal; the default).", show_default=False),
    ] = None,
    no_cli_pager: Annotated[
        bool, typer.Option("--no-cli-pager", help="Do not send output to the pager (AWS_PAGER, cli_pager).")
    ] = False,
    cli_binary_format: Annotated[
        str | None,
        typer.Option(
            "--cli-binary-format",
            help="base64 or raw-in-base64-out, as in the AWS CLI; these APIs have no binary members, so it "
            "changes nothing.",
            show_default=False,
        ),
    ] = None,
    cli_auto_prompt: Annotated[
        bool,
        typer.Option(
            "--cli-auto-prompt",
            help="On a terminal, ask for the command's parameters, show the command, then run it.",
        ),
    ] = False,
    no_cli_auto_prompt: Annotated[
        bool,
        typer.Option(
            "--no-cli-auto-prompt", help="No auto-prompt for this command (AWS_CLI_AUTO_PROMPT, cli_auto_prompt)."
        ),
    ] = False,
    cli_error_format: Annotated[
        str | None,
        typer.Option(
            "--cli-error-format",
            help="How errors print on stderr: enhanced (the default), legacy, or the error's Code and Message "
            "as json, yaml, text or table (AWS_CLI_ERROR_FORMAT, cli_error_format).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Resolve settings once; the backend is created later, on first use."""
    flags = {
        "output": output,
        "query": query,
        "backend": backend,
        "profile": profile,
        "region": region,
        "endpoint_url": endpoint_url,
        "read_timeout": read_timeout,
        "connect_timeout": connect_timeout,
        "ca_bundle": ca_bundle,
        "no_verify_ssl": no_verify_ssl,
        "no_sign_request": no_sign_request,
        "debug": debug,
        "no_color": no_color,
        "color": color,
        "no_cli_pager": no_cli_pager,
        "cli_binary_format": cli_binary_format,
        "cli_auto_prompt": cli_auto_prompt,
        "no_cli_auto_prompt": no_cli_auto_prompt,
        "cli_error_format": cli_error_format,
    }
    ctx.obj = start_invocation(resolve_flags(flags), ctx.invoked_subcommand, ctx.call_on_close)


def command(name: str, help_text: str) -> Callable[[F], F]:
    """Register a command under its AWS CLI name, with the AWS-style option parsing."""
    register: Callable[[F], F] = app.command(name, cls=AwsCommand, help=help_text, no_args_is_help=False)
    from agentcore_identity_cli.cli.cliinput import command_operations, with_cli_input

    operation = command_operations().get(name)
    if operation is None:
        return register

    def register_operation(func: F) -> F:
        register(with_cli_input(operation, func))
        return func

    return register_operation


def get_context(ctx: typer.Context) -> AppContext:
    """The AppContext of this invocation."""
    app_ctx: AppContext = ctx.find_root().obj
    return app_ctx
