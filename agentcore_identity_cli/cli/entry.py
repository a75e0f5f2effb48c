"""The console script and `python -m`: imports nothing before it can answer Ctrl-C.

Building the command line takes a moment (Typer, rich); a Ctrl-C pressed then would
otherwise end in a Python traceback instead of the 130 every other interruption gives.
`--version` alone and the root help page (`--help`, `-h` or `help` alone) are answered
before Typer is imported: most of the start-up time of either is Typer's.
"""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130  # errors.EXIT_INTERRUPTED, without importing anything
HELP_ALONE = (["--help"], ["-h"], ["help"])  # the command lines of the root help page, and only those


def run() -> None:
    """Run the command line and exit with its code."""
    try:
        code = _run(sys.argv[1:])
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        code = EXIT_INTERRUPTED
    _settle_stdout()
    sys.exit(code)


def _settle_stdout() -> None:
    """Write out what stdout still holds; when it cannot take it (a full disk, a reader gone,
    already reported), drop it, so that Python's flush at exit neither prints "Exception
    ignored" nor turns the exit code into 120."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        try:
            silence_stdout()
        except (OSError, ValueError):
            pass


def silence_stdout() -> None:
    """Point stdout's file descriptor at /dev/null: what it still holds goes nowhere, quietly."""
    import os

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _run(args: list[str]) -> int:
    if args == ["--version"] and _print_version():
        return 0
    if args in HELP_ALONE and _print_root_help():
        return 0
    from agentcore_identity_cli.cli.app import main

    return main()


def _print_version() -> bool:
    """`--version` alone, answered before Typer and rich are imported (most of its start-up
    time). The same line as the `--version` option prints; False when stdout cannot take it, so
    that the full command line reports the failure as usual."""
    from agentcore_identity_cli import __version__

    return _write(f"agentcore-identity {__version__}\n")


def _print_root_help() -> bool:
    """`--help`, `-h` or `help` alone: the root help page from its generated content
    (cli/roothelp.py), laid out by the functions that lay out every page, without Typer or the
    command modules. Colour as the full command line decides it with no --color or --no-color
    on the line (NO_COLOR, a terminal); False when stdout cannot take the page."""
    from agentcore_identity_cli.cli.helplayout import layout, page_width
    from agentcore_identity_cli.cli.roothelp import PAGE
    from agentcore_identity_cli.iostreams import IOStreams

    return _write(layout(PAGE, page_width(), IOStreams().color))


def _write(text: str) -> bool:
    """Print text; False when stdout cannot take it (closed, a broken pipe, a full disk), so that
    the full command line meets the same failure and reports it as usual."""
    if sys.stdout is None:  # started with stdout closed
        return False
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError:
        return False
    return True
