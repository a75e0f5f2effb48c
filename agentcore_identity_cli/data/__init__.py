"""Data files of the package: the operations table, the pinned service models, patterns,
audit classes and local refusals.

`read_text` reads one beside this module. The package is always installed as files (a wheel),
so a path is enough; importlib.resources would cost every command a few milliseconds of
imports for the same bytes.
"""

from __future__ import annotations

import os


def read_text(name: str) -> str:
    """The text of the data file `name` (a path relative to this folder, with "/")."""
    with open(os.path.join(os.path.dirname(__file__), *name.split("/")), encoding="utf-8") as handle:
        return handle.read()
