"""Write the files generated from the command tree: the shell completion scripts and the root help page.

    python scripts/generate_completions.py           # (re)write the generated files
    python scripts/generate_completions.py --check   # exit 1 when a committed one is stale

The completion scripts (completions/) are rendered from the command tree by
agentcore_identity_cli.completion_scripts.render_cli; TAB completion then runs no Python.
The root help page's content (agentcore_identity_cli/cli/roothelp.py) comes from
agentcore_identity_cli.cli.help.root_page; `--help` alone then needs neither Typer nor the
command modules.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPLETIONS = ROOT / "completions"
CLI = ROOT / "agentcore_identity_cli" / "cli"
ROOT_HELP = "roothelp.py"

sys.path.insert(0, str(ROOT))  # the package from this checkout, installed or not

from agentcore_identity_cli.cli.help import root_help_module, root_page  # noqa: E402
from agentcore_identity_cli.completion_scripts import render_cli  # noqa: E402


def generated() -> dict[Path, dict[str, str]]:
    """Every generated file, by the directory it is committed in: name -> content."""
    return {COMPLETIONS: render_cli(), CLI: {ROOT_HELP: root_help_module(root_page())}}


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
    """Generate, or with --check verify, the generated files; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file is stale")
    args = parser.parse_args(argv)
    outputs = generated()
    count = sum(len(files) for files in outputs.values())
    stale = {path: files[path.name] for directory, files in outputs.items() for path in stale_files(files, directory)}
    if args.check:
        if stale:
            names = ", ".join(str(path.relative_to(ROOT)) for path in stale)
            print(f"Stale generated files: {names}; run python scripts/generate_completions.py", file=sys.stderr)
            return 1
        print(f"Generated files are up to date ({count} files).")
        return 0
    for path, content in stale.items():
        path.parent.mkdir(exist_ok=True)
        path.write_text(content, encoding="utf-8", newline="\n")
        print(f"wrote {path.relative_to(ROOT)}")
    if not stale:
        print(f"Generated files are up to date ({count} files).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
