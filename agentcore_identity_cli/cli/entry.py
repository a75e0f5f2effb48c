"""The console script and `python -m`: imports nothing before it can answer Ctrl-C.

Building the command line takes a moment (Typer, rich); a Ctrl-C pressed then would
otherwise end in a Python traceback instead of the 130 every other interruption gives.
"""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130  # errors.EXIT_INTERRUPTED, without importing anything


def run() -> None:
    """Run the command line and exit with its code."""
    try:
        from agentcore_identity_cli.cli.app import main

        code = main()
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        code = EXIT_INTERRUPTED
    sys.exit(code)
