"""Entry point: builds the command tree and maps every failure to an exit code, in one place.

Most specific first, one catch-all at the end; a traceback is printed only with --debug.
"""

from __future__ import annotations

import importlib
import os
import sqlite3
import sys
from typing import Any

from agentcore_identity_cli.cli import fastpath
from agentcore_identity_cli.cli.entry import silence_stdout
from agentcore_identity_cli.cli.globalopts import GLOBAL_OPTIONS, hoist_global_options
from agentcore_identity_cli.errors import (
    EXIT_CONFIG,
    EXIT_INTERRUPTED,
    EXIT_OTHER,
    EXIT_USAGE,
    AgentCoreIdentityError,
    CommandExit,
    ConfigError,
    UsageError,
)

__all__ = ["COMMAND_MODULES", "load_commands", "main"]

# command name -> the module under cli/ that registers it. Importing only the module a
# command needs keeps start-up fast (Typer builds every registered command on each run).
# A test checks this table against the commands the modules actually register.
COMMAND_MODULES: dict[str, str] = {
    **{f"{verb}-api-key-credential-provider": "apikey" for verb in ("create", "get", "update", "delete")},
    "list-api-key-credential-providers": "apikey",
    **{f"{verb}-oauth2-credential-provider": "oauth2" for verb in ("create", "get", "update", "delete")},
    "list-oauth2-credential-providers": "oauth2",
    "oauth2-public-key": "private_key",
    **{f"{verb}-payment-credential-provider": "payments" for verb in ("create", "get", "update", "delete")},
    "list-payment-credential-providers": "payments",
    **{f"{verb}-consent-portal": "consent_portals" for verb in ("create", "get", "update", "delete")},
    "list-consent-portals": "consent_portals",
    **{f"{verb}-workload-identity": "workloads" for verb in ("create", "get", "update", "delete")},
    "list-workload-identities": "workloads",
    "get-token-vault": "tokenvault",
    "set-token-vault-cmk": "tokenvault",
    "reset-token-vault-key-material": "tokenvault",
    "tag-resource": "tags",
    "untag-resource": "tags",
    "list-tags-for-resource": "tags",
    "get-workload-access-token": "dataplane",
    "get-workload-access-token-for-user-id": "dataplane",
    "get-workload-access-token-for-jwt": "dataplane",
    "get-resource-api-key": "dataplane",
    "get-resource-oauth2-token": "dataplane",
    "get-resource-payment-token": "dataplane",
    "complete-resource-token-auth": "dataplane",
    "api-key": "apikeyread",
    "login": "login",
    "logout": "login",
    "token": "login",
    "trusted-issuer": "trust",
    **{f"{verb}-workload-access-policy": "access" for verb in ("put", "get", "delete")},
    "simulate-access": "access",
    "configure": "configure",
    "vault": "vault",
    "audit": "audit",
    "report": "report",
    "serve": "serve",
    "run": "run",
    "inject": "inject",
    "env": "env",
    **{verb: "ascode" for verb in ("schema", "export", "plan", "apply", "migrate")},
}


def _command_name(args: list[str]) -> str | None:
    """The first word that is not a global option or its value."""
    i = 0
    while i < len(args):
        token = args[i]
        if token.startswith("-"):
            name = token.split("=", 1)[0]
            i += 2 if GLOBAL_OPTIONS.get(name) and "=" not in token else 1
            continue
        return token
    return None


def load_commands(name: str | None = None) -> None:
    """Register the module of one command, or of every command when name is None or unknown."""
    module = COMMAND_MODULES.get(name or "")
    for mod in [module] if module else sorted(set(COMMAND_MODULES.values())):
        importlib.import_module(f"agentcore_identity_cli.cli.{mod}")


def _write_error(error: AgentCoreIdentityError, args: list[str]) -> None:
    from agentcore_identity_cli.errorformat import resolve_error_format, write_error

    write_error(sys.stderr, error, resolve_error_format(args))


def _write_usage_error(exc: Any, args: list[str]) -> None:
    """A bad command line click found: click's own words, or v2's ParamValidation shape.

    As v2 keeps its unknown-argument error plain, an unknown option stays plain here too.
    """
    from typer import _click as click

    from agentcore_identity_cli.errorformat import PLAIN_FORMATS, resolve_error_format, write_structured

    fmt = resolve_error_format(args)
    if fmt in PLAIN_FORMATS or isinstance(exc, click.exceptions.NoSuchOption):
        exc.show(file=sys.stderr)
        return
    message = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        message = f"{message}\n\n{ctx.get_usage()}"  # as v2 adds its usage to argparse's message
    write_structured(sys.stderr, {"Code": "ParamValidation", "Message": message}, fmt)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (the console script exits with it)."""
    # Third-party pydantic plugins would see every validated request, secrets included;
    # skipping their discovery also saves a scan of every installed package's metadata.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    args = hoist_global_options(list(sys.argv[1:] if argv is None else argv))
    debug = "--debug" in args
    try:
        # `api-key P`, `token P` and the listings, which scripts run in loops, are read without Typer.
        code = fastpath.run(args)
        if code is None:
            code = _run_parser(args)
        # Output to a pipe or a file is buffered: a reader gone or a full disk must show here,
        # where it is handled, not in Python's own flush at exit (exit 120, "Exception ignored").
        sys.stdout.flush()
        return _interrupted() if code == EXIT_INTERRUPTED else code
    except CommandExit as exc:
        return exc.code
    except AgentCoreIdentityError as exc:
        _write_error(exc, args)
        _debug_traceback(debug)
        return exc.exit_code
    except _loaded("typer.exceptions", "Exit") as exc:
        return int(getattr(exc, "exit_code", 0) or 0)
    except _loaded("typer._click.exceptions", "ClickException") as exc:
        # Unknown flags, missing options, bad values: the AWS CLI's usage error code.
        from typer import _click as click

        from agentcore_identity_cli.cli import help as help_pages

        if isinstance(exc, click.exceptions.NoSuchOption):
            help_pages.suggest_options(exc, GLOBAL_OPTIONS)
        _write_usage_error(exc, args)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return _interrupted()
    except _loaded("typer.exceptions", "Abort"):
        return _interrupted()
    except SystemExit as exc:
        # rich exits this way when the reader of its output goes away.
        return exc.code if isinstance(exc.code, int) else EXIT_OTHER
    except RecursionError:
        # A structured value nested beyond what any parser here can follow.
        _write_error(UsageError("Error parsing a parameter: the value is nested too deeply."), args)
        return EXIT_USAGE
    except sqlite3.DatabaseError as exc:
        _write_error(_vault_error(exc), args)
        _debug_traceback(debug)
        return EXIT_CONFIG
    except UnicodeDecodeError as exc:
        if not _sqlite_message(exc):
            return _unexpected(exc, debug)
        # SQLite's own message quotes the damaged bytes, which Python then cannot decode.
        _write_error(_vault_error(sqlite3.DatabaseError(exc.object.decode("utf-8", "replace"))), args)
        _debug_traceback(debug)
        return EXIT_CONFIG
    except PermissionError as exc:
        # A home, vault or config file that belongs to someone else: the environment is wrong.
        _write_error(ConfigError(f"Permission denied: {exc.filename or 'a file this command needs'}"), args)
        _debug_traceback(debug)
        return EXIT_CONFIG
    except BrokenPipeError:
        # A closed pipe (| head) is not a failure of ours; keep Python quiet at exit.
        silence_stdout()
        return 0
    except Exception as exc:  # noqa: BLE001 - the one catch-all, so no traceback leaks
        return _unexpected(exc, debug)


def _run_parser(args: list[str]) -> int:
    """Read and run the command line with Typer: the command's module only, or every one for help."""
    import typer

    from agentcore_identity_cli.cli import coercion
    from agentcore_identity_cli.cli import help as help_pages
    from agentcore_identity_cli.cli.root import app

    wants_help = any(a in ("-h", "--help") for a in args)
    name = _command_name(args)
    if name is not None or wants_help or "--version" not in args:
        # `--version` alone needs no command: its eager callback prints and exits first.
        load_commands(None if wants_help and name is None else name)
    coercion.install()
    command = help_pages.listing(app) if wants_help and name is None else typer.main.get_command(app)
    help_pages.install(command)
    args = help_pages.help_request(args, command, GLOBAL_OPTIONS)
    color = help_pages.click_color(args)
    _refuse_undecodable(args, command)
    result = command.main(args=args, prog_name="agentcore-identity", standalone_mode=False, color=color)
    # Without standalone mode, click hands back the code of a typer.Exit as the result; Typer
    # turns a Ctrl-C inside a command into Exit(130), which no command of ours raises itself.
    return result if isinstance(result, int) else 0


def _loaded(module: str, name: str) -> tuple[type[BaseException], ...]:
    """The exception class `name` of `module` when that module is imported, else none: a command
    line read without Typer (cli/fastpath.py) cannot raise Typer's or click's exceptions."""
    loaded = sys.modules.get(module)
    return (getattr(loaded, name),) if loaded is not None else ()


def _interrupted() -> int:
    # Ctrl-C: end the line the user was on (a hidden prompt, a spinner), as the AWS CLI does.
    sys.stderr.write("\n")
    return EXIT_INTERRUPTED


def _unexpected(exc: Exception, debug: bool) -> int:
    _debug_traceback(debug)
    sys.stderr.write(f"\nAn unexpected error occurred: {type(exc).__name__}: {_safe(exc)}\n")
    if not debug:
        sys.stderr.write("Hint: run again with --debug for details\n")
    return EXIT_OTHER


def _sqlite_message(exc: UnicodeDecodeError) -> bool:
    """Whether Python failed to decode SQLite's message about a damaged file (it quotes the bytes)."""
    return isinstance(exc.object, bytes) and exc.object.startswith(
        (b"malformed database schema", b"database disk image is malformed", b"file is not a database")
    )


def _refuse_undecodable(args: list[str], command: Any) -> None:
    """Refuse a word that is not UTF-8 text (bytes such as $'\\xff'), naming its flag, never its value.

    Names and values reach the vault, the audit trail and the output, which all store text;
    file:// values and file-path arguments keep any bytes the file system allows.
    """
    node, previous = command, ""
    for word in args:
        if word == "--" and getattr(node, "passes_argv_through", False):
            break  # the words after -- are another program's command line (run), bytes and all
        if word in getattr(node, "commands", {}):
            node = node.commands[word]
        option = word if word.startswith("-") else previous
        flag = option.split("=", 1)[0] if option.startswith("-") else None
        previous = word
        if "file://" in word or not _has_surrogates(word):
            continue
        if flag is None and any(_takes_path(param) for param in getattr(node, "params", [])):
            continue
        where = f"for {flag}" if flag else "on the command line"
        raise UsageError(
            f"Bad value {where}: it is not UTF-8 text (the value is not shown).",
            hint="names and values must be UTF-8; pass a file path with file:// where bytes are needed",
        )


def _takes_path(param: Any) -> bool:
    from pathlib import Path
    from typing import get_args

    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    return annotation is Path or Path in get_args(annotation)


def _has_surrogates(word: str) -> bool:
    # Python turns bytes that are not UTF-8 into lone surrogates (PEP 383).
    return any("\ud800" <= char <= "\udfff" for char in word)


def _vault_error(exc: sqlite3.DatabaseError) -> ConfigError:
    """SQLite's refusals of the vault file: damage, or a file that cannot be used here."""
    text = str(exc)
    damaged = not isinstance(exc, sqlite3.OperationalError) or any(
        sign in text for sign in ("malformed", "not a database", "no such table", "no such column")
    )
    if damaged:
        return ConfigError(
            f"The vault file is damaged ({text}).",
            hint="restore it with 'agentcore-identity vault restore BACKUP'",
        )
    return ConfigError(f"The vault file cannot be used: {text}.")


def _safe(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) < 300 else text[:300] + "..."


def _debug_traceback(debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exc(file=sys.stderr)
