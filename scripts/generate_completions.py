"""Write the static shell completion scripts of agentcore-identity into completions/.

    python scripts/generate_completions.py           # (re)write the three scripts
    python scripts/generate_completions.py --check   # exit 1 when a committed script is stale

The scripts are rendered from the command tree by
agentcore_identity_cli.completion_scripts.render_all; TAB completion then runs no Python.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPLETIONS = ROOT / "completions"

sys.path.insert(0, str(ROOT))  # the package from this checkout, installed or not

from agentcore_identity_cli.completion_scripts import render_cli  # noqa: E402


def stale_files(files: dict[str, str], directory: Path) -> list[Path]:
    """The files of directory whose content differs from (or lacks) the generated one."""
    stale: list[Path] = []
    for name, content in files.items():
        path = directory / name
        try:
            current = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = None
        if current != content:
            stale.append(path)
    return stale


def main(argv: list[str] | None = None) -> int:
    """Generate, or with --check verify, the completion scripts; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if a file in completions/ is stale")
    args = parser.parse_args(argv)
    files = render_cli()
    stale = stale_files(files, COMPLETIONS)
    if args.check:
        if stale:
            names = ", ".join(str(path.relative_to(ROOT)) for path in stale)
            print(f"Stale completion scripts: {names}; run python scripts/generate_completions.py", file=sys.stderr)
            return 1
        print(f"Completion scripts are up to date ({len(files)} files).")
        return 0
    COMPLETIONS.mkdir(exist_ok=True)
    for path in stale:
        path.write_text(files[path.name], encoding="utf-8", newline="\n")
        print(f"wrote {path.relative_to(ROOT)}")
    if not stale:
        print(f"Completion scripts are up to date ({len(files)} files).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
