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
from functools import cache, lru_cache
from json.encoder import encode_basestring
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
    elif view.fmt == "json" and view.query is None:
        stream_json(pages, view.timestamp_format, stream)
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


def stream_json(pages: Pages, timestamp_format: str, stream: IO[str]) -> None:
    """The JSON of a whole listing, encoded page by page as each arrives, printed once all are in.

    Byte for byte what render_json prints of `pages.build_full_result()`, without holding the
    items: each page is encoded into a spool (memory up to SPOOL_BYTES, then an unnamed
    temporary file) and dropped. As with the whole document, nothing is printed until the last
    page is in, so a listing that fails half-way prints nothing, as the AWS CLI's json does.
    The items come first, then the other members of the first page and the NextToken of a
    cut-short walk, in build_full_result's order.
    """
    import shutil
    import tempfile

    pad = "\n" + INDENT
    inner = pad + INDENT
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="utf-8") as spool:
        spool.write("{" + pad + encode_basestring(pages.key) + ": [")
        written = False
        for page in pages:
            out: list[str] = []
            for item in page.get(pages.key) or []:
                out.append("," + inner if written else inner)
                _encode(item, inner, timestamp_format, out)
                written = True
            spool.write("".join(out))
        spool.write(pad + "]" if written else "]")
        rest = dict(pages.non_aggregate_part)
        if pages.resume_token is not None:
            rest["NextToken"] = pages.resume_token
        for key, value in rest.items():
            spool.write("," + pad + encode_basestring(key) + ": " + encode_indented(value, pad, timestamp_format))
        spool.write("\n}\n")
        spool.seek(0)
        shutil.copyfileobj(spool, stream, 1 << 20)


SPOOL_BYTES = 4 << 20  # a listing's JSON beyond this waits in a temporary file, not in memory
INDENT = "    "  # the AWS CLI's four spaces


def encode_indented(value: Any, pad: str, timestamp_format: str = "iso8601") -> str:
    """json.dumps(plain(value, timestamp_format), indent=4, ensure_ascii=False) with every line
    after the first starting `pad` (a newline and the indentation of the value's own line).

    Written out directly: json's own indenting encoder is pure Python, one generator a level,
    and was most of the time of a long listing.
    """
    out: list[str] = []
    _encode(value, pad, timestamp_format, out)
    return "".join(out)


@lru_cache(maxsize=256)
def _heads(keys: tuple[Any, ...], inner: str) -> list[str]:
    """What precedes each member's value in an object: the separator, the indentation, the name.

    The items of a listing share their members, so this is worked out once for all of them.
    """
    names = [encode_basestring(key if isinstance(key, str) else _key_text(key)) for key in keys]
    return [("{" if number == 0 else ",") + inner + name + ": " for number, name in enumerate(names)]


def _key_text(key: Any) -> str:
    """A member name that is not a string, as json writes it."""
    if isinstance(key, float):
        return json.dumps(key)
    if key is True or key is False or key is None:
        return json.dumps(key)
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _encode(value: Any, pad: str, timestamp_format: str, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(json.dumps(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = pad + INDENT
        iso = timestamp_format != "wire"
        keys = tuple(value)
        # Cached for names only: False == 0 and True == 1.0 as keys of the cache, not in JSON.
        heads = _heads(keys, inner) if all(type(key) is str for key in keys) else _heads.__wrapped__(keys, inner)
        for head, item in zip(heads, value.values(), strict=True):
            kind = type(item)
            # The members of most items are strings and times: written here, without a call each.
            if kind is str:
                out.append(head + encode_basestring(item))
            elif kind is datetime and iso:
                out.append(head + encode_basestring(item.isoformat()))
            else:
                out.append(head)
                _encode(item, inner, timestamp_format, out)
        out.append(pad + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = pad + INDENT
        separator = "[" + inner
        for item in value:
            out.append(separator)
            _encode(item, inner, timestamp_format, out)
            separator = "," + inner
        out.append(pad + "]")
    elif isinstance(value, (datetime, bytes, bytearray)):
        _encode(plain(value, timestamp_format), pad, timestamp_format, out)
    else:
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
