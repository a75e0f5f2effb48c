"""The table format: rich tables, sectioned as the AWS CLI sections its own.

As AWS CLI's awscli/formatter.py (TableFormatter) does: the operation's name is the title; a
structure's scalars are name/value rows; each list of structures is a section titled with its
member name, one column per member; a list of lists (`--query 'items[].[a,b]'`) is one
column per element, without headers. The `NextToken` of `--max-items` comes after the items.

On a terminal the tables fit its width: long values fold, and columns holding only ARNs
give way first, with a note on stderr. Anywhere else (a file, a pipe) nothing is dropped or
folded: each table is as wide as its content.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import IO, Any

from agentcore_identity_cli.output import scalar_text

# Wide enough for any row of a table that is not cut to a terminal's width.
UNBOUNDED_WIDTH = 1_000_000


def render_table(
    document: Any,
    stream: IO[str],
    *,
    color: bool,
    title: str | None = None,
    width: int | None = None,
    notes: list[str] | None = None,
) -> None:
    """Print a document as tables; `width` is the terminal's, None when not a terminal.

    What a table leaves out to fit the terminal is said in `notes`, for stderr.
    """
    from rich.console import Console

    if document is None or document == {} or document == []:
        return
    console = Console(
        file=stream,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
        width=width or UNBOUNDED_WIDTH,
        legacy_windows=False,
    )
    layout = _Layout(width, color)
    if isinstance(document, dict):
        tables = layout.structure(document)
    elif _is_records(document):
        tables = [layout.records(document, None)]
    elif isinstance(document, list):
        tables = [layout.rows(document, None)]
    else:
        console.print(scalar_text(document), markup=False, crop=False)
        return
    if tables:
        first = tables[0]
        if title:
            from rich.text import Text

            section = ("\n", str(first.title)) if first.title else ()
            first.title = Text.assemble((title, "bold" if color else ""), *section)
    for table in tables:
        console.print(table, crop=False)
    if notes is not None:
        notes.extend(layout.notes)


class _Layout:
    """Builds the tables of one document for a width (None: no limit)."""

    def __init__(self, width: int | None, color: bool) -> None:
        self.width = width
        self.color = color
        self.notes: list[str] = []

    def structure(self, document: dict[str, Any]) -> list[Any]:
        next_token = document.get("NextToken")
        trailer = isinstance(next_token, str)
        body = {k: v for k, v in document.items() if not (trailer and k == "NextToken")}
        tables: list[Any] = []
        simple = {k: v for k, v in body.items() if not _is_records(v) and not _is_rows(v)}
        if simple:
            tables.append(self.pairs(simple))
        for key, value in body.items():
            if _is_records(value):
                tables.append(self.records(value, key))
            elif _is_rows(value):
                tables.append(self.rows(value, key))
        if trailer:
            tables.append(self.pairs({"NextToken": next_token}))
        return tables

    def pairs(self, document: dict[str, Any]) -> Any:
        from rich.table import Table

        table = Table(show_header=False, expand=False)
        # On a terminal a deeply nested name must not take the value's room.
        table.add_column(
            "field", style="bold" if self.color else None, overflow="fold", max_width=36 if self.width else None
        )
        table.add_column("value", overflow="fold")
        for label, value in _pair_rows(document):
            table.add_row(_text(label), _text(_table_text(value)))
        return table

    def records(self, records: list[dict[str, Any]], title: str | None) -> Any:
        from rich.table import Table

        columns: list[str] = []
        for record in records:
            columns.extend(k for k in record if k not in columns)
        hidden = self._hidden(columns, records) if self.width else []
        shown = [c for c in columns if c not in hidden]
        if hidden:
            self.notes.append(f"{', '.join(hidden)} not shown at this width: use --output json")
        table = Table(title=title, show_lines=False)
        for column in shown:
            table.add_column(column, overflow="fold")
        for record in records:
            table.add_row(*(_text(_table_text(record[c])) if c in record else _text("") for c in shown))
        return table

    def rows(self, rows: list[Any], title: str | None) -> Any:
        """A list of lists: a row per element, a column per element of it (no headers)."""
        from rich.table import Table

        cells = [row if isinstance(row, list) else [row] for row in rows]
        count = max(len(row) for row in cells)
        table = Table(title=title, show_header=False)
        for _ in range(count):
            table.add_column(overflow="fold")
        for row in cells:
            table.add_row(*(_text(_table_text(value)) for value in row), *([_text("")] * (count - len(row))))
        return table

    def _hidden(self, columns: list[str], records: list[dict[str, Any]]) -> list[str]:
        """Columns to leave out so that a row fits the terminal: ARNs and URNs give way first.

        A row that cannot fit is unreadable folded into slivers; identifiers that are long by
        nature give way; --output json always has every member.
        """
        assert self.width is not None
        widths = {c: max(len(c), *(len(_table_text(r.get(c))) for r in records)) for c in columns}
        hidden: list[str] = []
        for column in sorted(columns, key=lambda c: -widths[c]):
            fits = sum(widths[c] + 3 for c in columns if c not in hidden) + 1 <= self.width
            if fits or len(columns) - len(hidden) <= 2:
                break
            if all(str(r.get(column, "")).startswith(("arn:", "urn:")) or r.get(column) is None for r in records):
                hidden.append(column)
        return hidden


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(el, dict) for el in value)


def _is_rows(value: Any) -> bool:
    """A list of lists (with perhaps some scalars): what `--query 'x[].[a, b]'` gives."""
    return (
        isinstance(value, list)
        and any(isinstance(el, list) for el in value)
        and not any(isinstance(el, dict) for el in value)
    )


def _pair_rows(document: dict[str, Any], depth: int = 0) -> list[tuple[str, Any]]:
    """Nested structures as indented rows under their member name, one value a row."""
    rows: list[tuple[str, Any]] = []
    for key, value in document.items():
        label = "  " * depth + key
        if isinstance(value, dict) and value:
            rows.append((label, None))
            rows.extend(_pair_rows(value, depth + 1))
        else:
            rows.append((label, value))
    return rows


def _table_text(value: Any) -> str:
    """A value as a table shows it: times to the second, in UTC; lists joined; structures as JSON."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            return value.strftime("%Y-%m-%d %H:%M:%S")
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") + "Z"
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return ", ".join(scalar_text(v) for v in value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=_iso)
    return scalar_text(value)


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _text(value: str) -> Any:
    """A cell as plain text: never read as rich markup or emoji codes."""
    from rich.text import Text

    return Text(value)
