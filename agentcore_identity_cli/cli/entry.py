"""The console script and `python -m`: imports nothing before it can answer Ctrl-C.

Building the command line takes a moment (Typer, rich); a Ctrl-C pressed then would
otherwise end in a Python traceback instead of the 130 every other interruption gives.
"""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130  # errors.EXIT_INTERRUPTED, without importing anything


def run() -> None:
    """Run the command line and exit with its code."""
    if sys.argv[1:] == ["--version"] and _print_version():
        sys.exit(0)
    try:
        from agentcore_identity_cli.cli.app import main

        code = main()
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        code = EXIT_INTERRUPTED
    sys.exit(code)


def _print_version() -> bool:
    """`--version` alone, answered before Typer and rich are imported (most of its start-up
    time). The same line as the `--version` option prints; False when stdout cannot take it, so
    that the full command line reports the failure as usual."""
    from agentcore_identity_cli import __version__

    try:
        sys.stdout.write(f"agentcore-identity {__version__}\n")
        sys.stdout.flush()
    except OSError:
        return False
    return True
