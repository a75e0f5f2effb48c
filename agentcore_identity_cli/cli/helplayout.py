"""The layout of every help page: width, wrapping, two columns, bold headings.

A page's content (`Page`) is laid out here and nowhere else. This module imports neither
click nor Typer: the root page is laid out from generated content (cli/roothelp.py) before
either is imported (cli/entry.py), with the same functions as every other page (cli/help.py).

Names go in a first column and descriptions in a second; a name too long for the first column
gets its description on the lines below, so no flag or command name is ever cut, at any width.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable, Sequence
from typing import NamedTuple

MAX_WIDTH = 100  # lines longer than this are hard to read, however wide the terminal
MIN_WIDTH = 40
GAP = 3  # spaces between a name and its description
MIN_TEXT = 36  # columns kept for descriptions beside the names
INDENT = 2
BOLD, RESET = "\033[1m", "\033[0m"
KEEP = "\x00"  # a space that wrapping must not break: between a flag and its value

Rows = Sequence[tuple[str, str]]


class Page(NamedTuple):
    """What a help page says, before it is laid out."""

    description: str  # paragraphs separated by blank lines
    usage: Sequence[str]  # the words of the USAGE line; KEEP joins a flag and its value
    sections: Sequence[tuple[str, Rows]]  # title, (name, description) rows; in order
    learn_more: Sequence[str]  # one paragraph each; KEEP holds a quoted command together


def layout(page: Page, width: int, colour: bool) -> str:
    """The page at `width` columns, its headings bold when `colour`, ready to print."""
    emphasis = bold if colour else plain
    blocks: list[str] = []
    if page.description:
        blocks.append("\n".join(paragraphs(page.description, width)))
    blocks.append(section(emphasis, "USAGE", usage_lines(page.usage, width)))
    blocks.extend(section(emphasis, title, columns(rows, width)) for title, rows in page.sections)
    more = [line for text in page.learn_more for line in paragraphs(text, width - INDENT, " " * INDENT)]
    blocks.append(section(emphasis, "LEARN MORE", more))
    return "\n\n".join(blocks) + "\n"


def page_width() -> int:
    """The terminal's width (COLUMNS first, as shutil reads it), within MIN_WIDTH..MAX_WIDTH."""
    return max(MIN_WIDTH, min(MAX_WIDTH, shutil.get_terminal_size((80, 24)).columns))


def bold(text: str) -> str:
    return f"{BOLD}{text}{RESET}"


def plain(text: str) -> str:
    return text


def section(emphasis: Callable[[str], str], title: str, lines: Sequence[str]) -> str:
    return "\n".join([emphasis(title), *lines])


def paragraphs(text: str, width: int, indent: str = "") -> list[str]:
    """Blank-line separated paragraphs, each wrapped at `width`; words and hyphens never broken."""
    lines: list[str] = []
    for number, paragraph in enumerate(p for p in text.split("\n\n") if p.strip()):
        if number:
            lines.append("")
        lines.extend(
            textwrap.wrap(
                " ".join(paragraph.split()),
                width,
                initial_indent=indent,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return [line.replace(KEEP, " ") for line in lines]


def usage_lines(words: Sequence[str], width: int) -> list[str]:
    """The USAGE words, wrapped under the command's name."""
    indent = " " * INDENT
    lines = textwrap.wrap(
        " ".join(words),
        width,
        initial_indent=indent,
        subsequent_indent=indent * 3,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [line.replace(KEEP, " ") for line in lines]


def unbroken(command: str) -> str:
    """A quoted command line that wrapping keeps on one line."""
    return "'" + command.replace(" ", KEEP) + "'"


def columns(rows: Rows, width: int) -> list[str]:
    """Names in a first column and descriptions in a second, wrapped; long names never cut.

    The first column is as wide as its longest name, as long as MIN_TEXT columns are left for
    the descriptions; a longer name gets its description on the lines below, at the second column.
    """
    if not rows:
        return []
    longest = max(len(name) for name, _ in rows)
    first = min(longest, max(16, width - INDENT - GAP - MIN_TEXT))
    start = INDENT + first + GAP
    if width - start < 24:  # too narrow for two columns: every description below its name
        start = INDENT * 3
    text_width = max(20, width - start)
    lines: list[str] = []
    for name, text in rows:
        # A description's word longer than its column (a long value syntax) is broken; a name never is.
        wrapped = textwrap.wrap(text, text_width, break_on_hyphens=False) if text else []
        head = " " * INDENT + name
        if wrapped and len(head) + GAP <= start:
            lines.append(head.ljust(start) + wrapped[0])
            wrapped = wrapped[1:]
        else:
            lines.append(head)
        lines.extend(" " * start + line for line in wrapped)
    return lines
