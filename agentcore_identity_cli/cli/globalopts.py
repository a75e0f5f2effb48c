"""The global options, and what every invocation does with them before its command runs.

Free of Typer: the root callback (cli/root.py) and the command line read without Typer
(cli/fastpath.py) both start an invocation here, so that both check the options with the
same words and resolve the same settings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentcore_identity_cli.cli.context import AppContext
    from agentcore_identity_cli.config import Settings

# name -> takes a value. Accepted before or after the command name, as in the AWS CLI.
GLOBAL_OPTIONS: dict[str, bool] = {
    "--output": True,
    "--query": True,
    "--backend": True,
    "--profile": True,
    "--region": True,
    "--endpoint-url": True,
    "--cli-read-timeout": True,
    "--cli-connect-timeout": True,
    "--ca-bundle": True,
    "--no-verify-ssl": False,
    "--no-sign-request": False,
    "--debug": False,
    "--no-color": False,
    "--color": True,
    "--no-cli-pager": False,
    "--cli-binary-format": True,
    "--cli-auto-prompt": False,
    "--no-cli-auto-prompt": False,
    "--cli-error-format": True,
    # As `aws s3 ls --version`: the version, whatever command it follows.
    "--version": False,
}

MAX_TIMEOUT_SECONDS = 86_400

# Settings only the aws backend reads, with their global option. --cli-read-timeout is not
# one: it bounds the local backend's OAuth requests too.
AWS_ONLY_OPTIONS = {
    "region": "--region",
    "endpoint_url": "--endpoint-url",
    "connect_timeout": "--cli-connect-timeout",
    "no_sign_request": "--no-sign-request",  # the local backend signs nothing
}

# The settings the global options set, with their value when the option is absent.
FLAG_DEFAULTS: dict[str, Any] = {
    "output": None,
    "query": None,
    "backend": None,
    "profile": None,
    "region": None,
    "endpoint_url": None,
    "read_timeout": None,
    "connect_timeout": None,
    "ca_bundle": None,
    "no_verify_ssl": False,
    "no_sign_request": False,
    "debug": False,
    "no_color": False,
    "color": None,
    "no_cli_pager": False,
    "cli_binary_format": None,
    "cli_auto_prompt": False,
    "no_cli_auto_prompt": False,
    "cli_error_format": None,
}


def hoist_global_options(argv: list[str]) -> list[str]:
    """Move global options found after the command name to the front."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            rest.extend(argv[i:])
            break
        name = token.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            front.append(token)
            if GLOBAL_OPTIONS[name] and "=" not in token and i + 1 < len(argv):
                front.append(argv[i + 1])
                i += 1
        else:
            rest.append(token)
        i += 1
    return front + rest


def resolve_flags(flags: dict[str, Any]) -> Settings:
    """The settings of an invocation: the global options' values checked, then resolved with the
    environment and the config file. `flags` maps names of FLAG_DEFAULTS to what the line gave."""
    from agentcore_identity_cli.config import resolve_settings

    check_flags(flags)
    return resolve_settings({**FLAG_DEFAULTS, **flags})


def start_invocation(
    settings: Settings, subcommand: str | None, on_close: Callable[[Callable[[], Any]], Any]
) -> AppContext:
    """Make the invocation's context; `on_close(callback)` runs the callback when the invocation
    ends, the context's own close first."""
    from agentcore_identity_cli.cli.context import AppContext
    from agentcore_identity_cli.iostreams import IOStreams

    if settings.debug:
        from agentcore_identity_cli import debuglog

        debuglog.start(settings, subcommand, on_close)
    app_ctx = AppContext(settings=settings, io=IOStreams(color=settings.color))
    on_close(app_ctx.close)
    _warn_ignored_options(app_ctx, subcommand)
    return app_ctx


def check_flags(flags: dict[str, Any]) -> None:
    """Refuse a global option's value the AWS CLI would refuse, in its words (exit 252)."""
    from agentcore_identity_cli.config import BINARY_FORMATS, COLORS, ERROR_FORMATS, OUTPUTS
    from agentcore_identity_cli.errors import UsageError

    def get(name: str) -> Any:
        return flags.get(name, FLAG_DEFAULTS[name])

    def refuse_choice(flag: str, name: str, valid: tuple[str, ...]) -> None:
        if get(name) is not None and get(name) not in valid:
            raise UsageError(f"argument {flag}: Invalid choice '{get(name)}', valid choices are: {' | '.join(valid)}")

    refuse_choice("--output", "output", OUTPUTS)
    refuse_choice("--color", "color", COLORS)
    if get("no_color") and get("color") == "on":
        raise UsageError("argument --no-color: not allowed with argument --color on")
    refuse_choice("--cli-binary-format", "cli_binary_format", BINARY_FORMATS)
    refuse_choice("--cli-error-format", "cli_error_format", ERROR_FORMATS)
    if get("cli_auto_prompt") and get("no_cli_auto_prompt"):
        # AWS CLI v2's words (clidriver.validate_auto_prompt_args_are_mutually_exclusive).
        raise UsageError("Both --cli-auto-prompt and --no-cli-auto-prompt cannot be specified at the same time.")
    refuse_choice("--backend", "backend", ("local", "aws"))
    for flag, name in (("--cli-read-timeout", "read_timeout"), ("--cli-connect-timeout", "connect_timeout")):
        seconds = get(name)
        # NaN fails both comparisons; past a day, the clocks and sockets below overflow.
        if seconds is not None and not 0 <= seconds <= MAX_TIMEOUT_SECONDS:
            raise UsageError(
                f"argument {flag}: the timeout must be 0 (no timeout) or a number of seconds "
                f"up to {MAX_TIMEOUT_SECONDS}."
            )
    if get("query") is not None:
        from agentcore_identity_cli.output import compile_query

        compile_query(get("query"))  # a bad expression is a usage error before any call


def _warn_ignored_options(app_ctx: AppContext, subcommand: str | None) -> None:
    """One line when options of the aws backend were typed for the local one.

    Only options typed on this command line: a profile may hold a region for the day it
    switches to aws. `configure` shows settings, whichever backend reads them.
    """
    settings = app_ctx.settings
    if settings.backend != "local" or subcommand == "configure":
        return
    ignored = [flag for name, flag in AWS_ONLY_OPTIONS.items() if settings.source(name).from_flag]
    if ignored:
        verb = "is" if len(ignored) == 1 else "are"
        app_ctx.io.warn(f"Warning: {', '.join(ignored)} {verb} ignored by the local backend; use --backend aws.")
