"""The commands scripts run in loops, read without Typer: `api-key PROVIDER`, `token PROVIDER`
and the list commands.

Importing Typer and building a command take about a fifth of these commands' time
(benchmarks/README.md). A command line made only of one of them, its provider, and options
that take one plain value (or none) is read here; it runs the function the Typer command runs
(cli/credentials.py, cli/listings.py), started by the code the root callback runs
(cli/globalopts.py), and its errors go to the same handlers (cli/app.py). Any other command
line is left to the full parser, mistakes and help included: an option this reader does not
take (a list command's pagination options among them), one given twice, a value that starts
with '-', a missing or extra argument, `help`, `--`, bytes that are not UTF-8; and so is a list
command when auto-prompt is on, which asks for its options at the terminal.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from agentcore_identity_cli.cli.listings import LISTINGS
from agentcore_identity_cli.errors import EXIT_INTERRUPTED

if TYPE_CHECKING:
    from agentcore_identity_cli.cli.context import AppContext

# The global options taken here, with their setting. The timeouts (numbers click reads and
# refuses in its own words) and --version are left to the full parser.
GLOBAL_VALUES = {
    "--output": "output",
    "--query": "query",
    "--backend": "backend",
    "--profile": "profile",
    "--region": "region",
    "--endpoint-url": "endpoint_url",
    "--ca-bundle": "ca_bundle",
    "--color": "color",
    "--cli-binary-format": "cli_binary_format",
    "--cli-error-format": "cli_error_format",
}
GLOBAL_SWITCHES = {
    "--no-verify-ssl": "no_verify_ssl",
    "--no-sign-request": "no_sign_request",
    "--debug": "debug",
    "--no-color": "no_color",
    "--no-cli-pager": "no_cli_pager",
    "--cli-auto-prompt": "cli_auto_prompt",
    "--no-cli-auto-prompt": "no_cli_auto_prompt",
}
# command -> its options taken here (flag -> parameter) and its switches.
COMMAND_VALUES: dict[str, dict[str, str]] = {
    "api-key": {"--workload-name": "workload_name", "--user-id": "user_id"},
    "token": {"--workload-name": "workload_name", "--user-id": "user_id", "--oauth2-flow": "oauth2_flow"},
    **{name: {} for name in LISTINGS},
}
COMMAND_SWITCHES: dict[str, dict[str, str]] = {"token": {"--force-refresh": "force_refresh"}}
TAKES_PROVIDER = ("api-key", "token")
HELP_WORD = "help"  # `api-key help` asks for the command's help page (cli/help.py)


class _NotReadHereError(Exception):
    """The command line needs the full parser."""


def run(args: list[str]) -> int | None:
    """Run the command line when it is one read here, and return its exit code; None when the
    full parser must read it."""
    line = read(args)
    if line is None:
        return None
    command, flags, params = line
    from agentcore_identity_cli.cli.globalopts import resolve_flags, start_invocation

    try:
        with ExitStack() as stack:
            settings = resolve_flags(flags)
            if command in LISTINGS and settings.auto_prompt == "on":
                return None  # the full parser asks for the command's options (cli/autoprompt.py)
            app_ctx = start_invocation(settings, command, stack.callback)
            _run_command(app_ctx, command, params)
    except EOFError:
        # Ctrl-D at a prompt (the vault's passphrase): an interruption, as click makes it of the
        # full parser's commands, with click's line end before the one every interruption gets.
        sys.stderr.write("\n")
        return EXIT_INTERRUPTED
    return 0


def _run_command(app_ctx: AppContext, command: str, params: dict[str, Any]) -> None:
    """What the Typer command of `command` runs, given its parameters."""
    if command == "api-key":
        from agentcore_identity_cli.cli.credentials import print_api_key

        print_api_key(app_ctx, params.pop("provider"), params.get("workload_name"), params.get("user_id"))
    elif command == "token":
        from agentcore_identity_cli.cli.credentials import print_token

        print_token(app_ctx, params.pop("provider"), **params)
    else:
        from agentcore_identity_cli.cli.context import Paging
        from agentcore_identity_cli.cli.listings import print_listing

        print_listing(app_ctx, command, Paging())


def read(args: list[str]) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    """(command, global settings, command parameters) of a command line read here; None when
    the full parser must read it."""
    try:
        return _read(args)
    except _NotReadHereError:
        return None


def _read(args: list[str]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    if any(_has_surrogates(word) for word in args):
        raise _NotReadHereError
    command: str | None = None
    flags: dict[str, Any] = {}
    params: dict[str, Any] = {}
    words = iter(args)
    for word in words:
        if not word.startswith("-"):
            if command is None and word in COMMAND_VALUES:
                command = word
            elif command not in TAKES_PROVIDER or "provider" in params or word == HELP_WORD:
                raise _NotReadHereError
            else:
                params["provider"] = word
            continue
        flag, equals, value = word.partition("=")
        switches = {**GLOBAL_SWITCHES, **COMMAND_SWITCHES.get(command or "", {})}
        values = {**GLOBAL_VALUES, **COMMAND_VALUES.get(command or "", {})}
        target = flags if flag in GLOBAL_SWITCHES or flag in GLOBAL_VALUES else params
        if flag in switches and not equals:
            _set(target, switches[flag], True)
        elif flag in values:
            if not equals:
                value = next(words, "-")  # none left: the full parser says so
            if value.startswith("-"):
                raise _NotReadHereError
            _set(target, values[flag], value)
        else:
            raise _NotReadHereError
    if command is None or (command in TAKES_PROVIDER and "provider" not in params):
        raise _NotReadHereError
    return command, flags, params


def _set(target: dict[str, Any], name: str, value: Any) -> None:
    if name in target:  # given twice: the full parser decides (click keeps the last)
        raise _NotReadHereError
    target[name] = value


def _has_surrogates(word: str) -> bool:
    # Python turns bytes that are not UTF-8 into lone surrogates (PEP 383); the full parser refuses them.
    return any("\ud800" <= char <= "\udfff" for char in word)
