"""Rendering of responses: json, table and text, with --query applied once on the way.

JSON keys are the AWS response members, untouched; timestamps become ISO 8601 with a UTC
offset, as the AWS CLI prints them. The text format follows the AWS CLI's: scalars of a
structure on one tab-separated line (prefixed with the member name in capitals when
nested), a list of scalars on one line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import IO, Any

from agentcore_identity_cli.errors import AgentCoreIdentityError, UsageError

FORMATS = ("json", "table", "text")


def jsonable(value: Any) -> Any:
    """Datetimes to ISO 8601; everything else as it is."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    return value


def compile_query(expression: str) -> Any:
    """Parse a JMESPath expression; a bad one is a command-line error (exit 252)."""
    import jmespath
    from jmespath.exceptions import JMESPathError

    try:
        return jmespath.compile(expression)
    except JMESPathError as exc:
        raise UsageError(f"Bad value for --query {expression}: {exc}") from None


def apply_query(document: Any, query: str | None) -> Any:
    """The document after --query, or as it is."""
    if query is None:
        return document
    from jmespath.exceptions import JMESPathError, JMESPathTypeError

    try:
        return compile_query(query).search(document)
    except JMESPathTypeError as exc:
        # Its own message repeats the value it could not use, which may hold a token.
        raise QueryError(
            f"--query {query} could not be applied: in function {exc.function_name}(), expected "
            f"{' or '.join(exc.expected_types)}, received {exc.actual_type}"
        ) from None
    except JMESPathError as exc:
        raise QueryError(f"--query {query} could not be applied: {exc}") from None


class QueryError(AgentCoreIdentityError):
    """A valid --query that does not fit the result (sort_by on an object): exit 255, as the AWS CLI."""


# --- json -------------------------------------------------------------------------------


def render_json(document: Any, stream: IO[str]) -> None:
    """Four-space indented JSON, as the AWS CLI prints it."""
    stream.write(json.dumps(document, indent=4, ensure_ascii=False, default=_iso) + "\n")


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# --- text -------------------------------------------------------------------------------


def _scalar(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _text(item: Any, out: list[str], label: str | None = None, keys: list[str] | None = None) -> None:
    if isinstance(item, dict):
        if keys is None:
            keys = sorted(k for k, v in item.items() if not isinstance(v, (dict, list)))
        scalars = [_scalar(item.get(k, "")) if k in item else "" for k in keys]
        nested = sorted(k for k in item if k not in keys and isinstance(item[k], (dict, list)))
        if scalars:
            out.append("\t".join(([label.upper()] if label else []) + scalars))
        for key in nested:
            _text(item[key], out, key)
    elif isinstance(item, list):
        if not item:
            return
        if any(isinstance(el, dict) for el in item):
            shared = sorted(
                {k for el in item if isinstance(el, dict) for k, v in el.items() if not isinstance(v, (dict, list))}
            )
            for el in item:
                _text(el, out, label, shared if isinstance(el, dict) else None)
            return
        scalars = [el for el in item if not isinstance(el, list)]
        if scalars:
            if label:
                out.extend(f"{label.upper()}\t{_scalar(el)}" for el in scalars)
            else:
                out.append("\t".join(_scalar(el) for el in scalars))
        for el in item:
            if isinstance(el, list):
                _text(el, out, label)
    else:
        out.append(_scalar(item))


def render_text(document: Any, stream: IO[str]) -> None:
    """The AWS CLI's text format: tab-separated, one record a line."""
    lines: list[str] = []
    _text(document, lines)
    if lines:
        stream.write("\n".join(lines) + "\n")


# --- table ------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    """A table cell as plain text: never read as rich markup or emoji codes."""
    from rich.text import Text

    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return Text(", ".join(_scalar(v) for v in value))
    if isinstance(value, (dict, list)):
        return Text(json.dumps(value, ensure_ascii=False, default=_iso))
    return Text(_scalar(value))


def _rows(document: dict[str, Any], depth: int = 0) -> list[tuple[str, Any]]:
    """Nested structures as indented rows under their member name, one value a row."""
    rows: list[tuple[str, Any]] = []
    for key, value in document.items():
        label = "  " * depth + key
        if isinstance(value, dict) and value:
            rows.append((label, None))
            rows.extend(_rows(value, depth + 1))
        else:
            rows.append((label, value))
    return rows


def render_table(document: Any, stream: IO[str], *, color: bool, title: str | None = None) -> None:
    """A rich table: a list of records as rows, a structure as name/value pairs."""
    from rich.console import Console
    from rich.table import Table

    console = Console(
        file=stream,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )  # width: the terminal's, or COLUMNS, or 80 when not a terminal
    if document is None or document == {} or document == []:
        return
    tables: list[Any] = []
    if isinstance(document, dict):
        simple = {k: v for k, v in document.items() if not _is_records(v)}
        if simple:
            pairs = Table(title=title, show_header=False, expand=False)
            pairs.add_column("field", style="bold" if color else None, overflow="fold", max_width=36)
            pairs.add_column("value", overflow="fold")
            for label, value in _rows(simple):
                pairs.add_row(label, _cell_text(value))
            tables.append(pairs)
        for key, value in document.items():
            if _is_records(value):
                tables.append(_records_table(value, key, console.width))
    elif _is_records(document):
        tables.append(_records_table(document, title, console.width))
    elif isinstance(document, list):
        listing = Table(title=title, show_header=False)
        listing.add_column("value", overflow="fold")
        for value in document:
            listing.add_row(_cell(value))
        tables.append(listing)
    else:
        console.print(_scalar(document), markup=False)
        return
    for table in tables:
        console.print(table)


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(el, dict) for el in value)


def _records_table(records: list[dict[str, Any]], title: str | None, width: int) -> Any:
    from rich.table import Table

    columns: list[str] = []
    for record in records:
        columns.extend(k for k in record if k not in columns)
    widths = {c: max(len(c), *(len(_table_text(r.get(c))) for r in records)) for c in columns}
    hidden: list[str] = []
    # A row that cannot fit is unreadable folded into slivers: identifiers that are long by
    # nature (ARNs) give way first; --output json always has every member.
    for column in sorted(columns, key=lambda c: -widths[c]):
        if sum(widths[c] + 3 for c in columns if c not in hidden) + 1 <= width or len(columns) - len(hidden) <= 2:
            break
        if all(str(r.get(column, "")).startswith(("arn:", "urn:")) or r.get(column) is None for r in records):
            hidden.append(column)
    shown = [c for c in columns if c not in hidden]
    caption = f"{', '.join(hidden)} not shown at this width: use --output json" if hidden else None
    table = Table(title=title, caption=caption, show_lines=False)
    for column in shown:
        table.add_column(column, overflow="fold")
    for record in records:
        table.add_row(*(_cell_text(record[c]) if c in record else "" for c in shown))
    return table


def _table_text(value: Any) -> str:
    """A value as a table shows it: times to the second, in UTC."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") + ("Z" if value.utcoffset() is not None else "")
    return _cell(value).plain if value is not None else ""


def _cell_text(value: Any) -> Any:
    from rich.text import Text

    return Text(_table_text(value))


RENDERERS: dict[str, Callable[..., None]] = {"json": render_json, "text": render_text}


def render(document: Any, fmt: str, stream: IO[str], *, color: bool = False, title: str | None = None) -> None:
    """Print a (queried, jsonable) document in one of the formats."""
    if fmt == "table":
        render_table(document, stream, color=color, title=title)
    else:
        RENDERERS[fmt](document, stream)
