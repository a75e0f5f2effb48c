"""Rendering of responses the AWS CLI way: json, table, text, yaml, yaml-stream and off.

The formats are AWS CLI v2's (awscli/formatter.py), with --query applied on the way:

- json, table and yaml print the whole result; a listing's pages are joined first, with a
  `NextToken` when --max-items stopped early.
- text and yaml-stream print each page as it arrives. text applies --query to each page and
  ends with `NEXTTOKEN<TAB>token`; yaml-stream prints each page as one element of a YAML list.
- off prints nothing (the calls are still made).

JSON keys are the AWS response members, untouched. Timestamps follow `cli_timestamp_format`:
`iso8601` (ISO 8601 with the offset, the default) or `wire` (epoch seconds, as the service
sends them), as AWS CLI v2's awscli/customizations/timestampformat.py. The text format
follows the AWS CLI's awscli/text.py: scalars of a structure on one tab-separated line
(prefixed with the member name in capitals when nested), a list of scalars on one line.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import IO, TYPE_CHECKING, Any

from agentcore_identity_cli.config import OUTPUTS
from agentcore_identity_cli.errors import AgentCoreIdentityError, UsageError

if TYPE_CHECKING:
    from agentcore_identity_cli.cli.paging import Pages

FORMATS = OUTPUTS


@dataclass
class View:
    """How one invocation prints its result."""

    fmt: str
    query: str | None = None
    timestamp_format: str = "iso8601"
    color: bool = False
    width: int | None = None  # the terminal's columns; None when stdout is not a terminal
    title: str | None = None  # the operation's name, the table's title
    notes: list[str] = field(default_factory=list)  # what the table left out, for stderr afterwards


# --- values -----------------------------------------------------------------------------


def plain(value: Any, timestamp_format: str = "iso8601") -> Any:
    """A response as JSON types: timestamps in the chosen format, binary values as base64."""
    if isinstance(value, datetime):
        return wire_time(value) if timestamp_format == "wire" else value.isoformat()
    if isinstance(value, dict):
        return {key: plain(item, timestamp_format) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item, timestamp_format) for item in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    return value


def jsonable(value: Any) -> Any:
    """Datetimes to ISO 8601; everything else as it is."""
    return plain(value)


def wire_time(value: datetime) -> int | float:
    """A timestamp as the service's rest-json protocol carries it: epoch seconds."""
    seconds = value.timestamp()
    return int(seconds) if seconds == int(seconds) else seconds


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


def _prepare(document: Any, view: View) -> Any:
    if view.query is None and view.fmt == "table" and view.timestamp_format == "iso8601":
        return document  # the table shows times its own way, to the second
    return apply_query(plain(document, view.timestamp_format), view.query)


# --- the entry point --------------------------------------------------------------------


def emit(result: dict[str, Any] | Pages, view: View, stream: IO[str]) -> None:
    """Print a response, or the pages of a listing, in the view's format."""
    from agentcore_identity_cli.cli.paging import Pages

    if isinstance(result, Pages):
        _emit_pages(result, view, stream)
        return
    if view.fmt == "off" or (result == {} and view.query is None):
        return  # as the AWS CLI: an empty response prints nothing
    if view.fmt == "text" and view.query is None and isinstance(result.get("NextToken"), str):
        # A listing walked in one piece (audit list): its NextToken last, as a listing's.
        render_text(plain({k: v for k, v in result.items() if k != "NextToken"}, view.timestamp_format), stream)
        render_text({"NextToken": {"NextToken": result["NextToken"]}}, stream)
        return
    render_view(_prepare(result, view), view, stream)


def _emit_pages(pages: Pages, view: View, stream: IO[str]) -> None:
    if view.fmt == "text":
        # AWS CLI's TextFormatter: each page on its own, the query applied to each, the
        # members other than the items only with the first, the resume token last.
        for number, page in enumerate(pages):
            current = dict(pages.non_aggregate_part) if number == 0 else {}
            current[pages.key] = page.get(pages.key)
            render_text(_prepare(current, view), stream)
            stream.flush()
        if pages.resume_token is not None:
            render_text(apply_query({"NextToken": {"NextToken": pages.resume_token}}, view.query), stream)
    elif view.fmt == "yaml-stream":
        # AWS CLI v2's StreamedYAMLFormatter: each page as it came, as one element of a list.
        for page in pages:
            render_yaml([_prepare(page, view)], stream)
            stream.flush()
    elif view.fmt == "off":
        for _ in pages:
            pass
    else:
        render_view(_prepare(pages.build_full_result(), view), view, stream)


def render_view(document: Any, view: View, stream: IO[str]) -> None:
    """Print a (queried, plain) document in the view's format."""
    if view.fmt == "table":
        from agentcore_identity_cli.tables import render_table

        render_table(document, stream, color=view.color, title=view.title, width=view.width, notes=view.notes)
    elif view.fmt == "text":
        render_text(document, stream)
    elif view.fmt == "json":
        render_json(document, stream)
    elif view.fmt == "yaml":
        if document != {}:
            render_yaml(document, stream)
    elif view.fmt == "yaml-stream":
        if document != {}:
            render_yaml([document], stream)


# --- json -------------------------------------------------------------------------------


def render_json(document: Any, stream: IO[str]) -> None:
    """Four-space indented JSON, as the AWS CLI prints it; an empty structure prints nothing."""
    if document != {}:
        stream.write(json.dumps(document, indent=4, ensure_ascii=False, default=_iso) + "\n")


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# --- yaml -------------------------------------------------------------------------------


@cache
def _yaml() -> Any:
    # As AWS CLI v2's awscli/formatter.py YAMLDumper: ruamel.yaml's safe dumper (libyaml's
    # emitter where ruamel.yaml.clib is installed), block style, keys in sorted order.
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    yaml.encoding = None  # type: ignore[assignment]  # text streams: no encoding of its own
    yaml.representer.default_flow_style = False
    return yaml


def render_yaml(document: Any, stream: IO[str]) -> None:
    """YAML as the AWS CLI v2 prints it; a lone scalar as JSON (YAML would end it with `...`)."""
    if document is None or isinstance(document, (bool, int, float, str)):
        stream.write(json.dumps(document, ensure_ascii=False) + "\n")
    else:
        _yaml().dump(document, stream)


# --- text -------------------------------------------------------------------------------


def scalar_text(value: Any) -> str:
    """A scalar as the AWS CLI's text and table formats print it (None, True, ISO times)."""
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
        scalars = [scalar_text(item.get(k, "")) if k in item else "" for k in keys]
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
                out.extend(f"{label.upper()}\t{scalar_text(el)}" for el in scalars)
            else:
                out.append("\t".join(scalar_text(el) for el in scalars))
        for el in item:
            if isinstance(el, list):
                _text(el, out, label)
    else:
        out.append(scalar_text(item))


def render_text(document: Any, stream: IO[str]) -> None:
    """The AWS CLI's text format: tab-separated, one record a line."""
    lines: list[str] = []
    _text(document, lines)
    if lines:
        stream.write("\n".join(lines) + "\n")
