"""The rest-json wire protocol, driven by botocore's service models: route, parse, serialize.

Nothing here is written per operation. The router is built from each operation's HTTP
method and request URI template; requests are parsed, and responses serialized, by walking
the operation's input and output shapes (member locations, JSON names, types); errors take
their HTTP status from the error shape's `error.httpStatusCode`. Only the operations of
data/operations.json are served.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cache, lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote

from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

SERVICES = ("bedrock-agentcore-control", "bedrock-agentcore")

# Statuses of the errors that are no shape of the models: the front door's own answers.
_DEFAULT_STATUS = {
    "MissingAuthenticationTokenException": 403,
    "UnrecognizedClientException": 403,
    "InvalidSignatureException": 403,
    "IncompleteSignatureException": 400,
    "UnknownOperationException": 404,
    "SerializationException": 400,
    "UnsupportedMediaTypeException": 415,
    "RequestEntityTooLargeException": 413,
    "RequestTimeoutException": 408,
    "InternalServerException": 500,
    "UnsupportedOperation": 400,
}


class WireError(Exception):
    """An AWS error answered on the wire: code, message, HTTP status."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@cache
def service_model(service: str) -> ServiceModel:
    """The botocore ServiceModel of the pinned copy of one service (data/models/)."""
    from agentcore_identity_cli.backends.base import service_data

    return ServiceModel(service_data(service), service_name=service)


# --- routing --------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One operation's method and URI template, compiled."""

    method: str
    pattern: re.Pattern[str]
    labels: tuple[str, ...]
    fixed_query: tuple[tuple[str, str], ...]
    operation: OperationModel


def _compile(template: str) -> tuple[re.Pattern[str], tuple[str, ...], tuple[tuple[str, str], ...]]:
    path, _, query = template.partition("?")
    labels: list[str] = []
    regex = ""
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            greedy = name.endswith("+")
            name = name.rstrip("+")
            labels.append(name)
            regex += f"(?P<{re.sub(r'[^0-9A-Za-z_]', '_', name)}>{'.+' if greedy else '[^/]+'})"
        else:
            regex += re.escape(part)
    fixed = tuple((k, v) for k, v in parse_qsl(query, keep_blank_values=True))
    return re.compile(regex + "/?\\Z"), tuple(labels), fixed


@lru_cache(maxsize=1)
def routes() -> tuple[Route, ...]:
    """Every served operation of both services, most specific templates first."""
    from agentcore_identity_cli.backends.base import operations

    found: list[Route] = []
    for name, entry in operations().items():
        operation = service_model(entry["service"]).operation_model(name)
        pattern, labels, fixed = _compile(operation.http["requestUri"])
        found.append(Route(operation.http.get("method", "POST"), pattern, labels, fixed, operation))
    # Literal paths win over templated ones, as in the service's own router.
    found.sort(key=lambda r: (len(r.labels), -len(r.pattern.pattern)))
    return tuple(found)


def route(method: str, raw_path: str, query: list[tuple[str, str]]) -> tuple[OperationModel, dict[str, str]]:
    """The operation a request is for and its URI labels (still percent-encoded)."""
    path_known = False
    for candidate in routes():
        match = candidate.pattern.match(raw_path)
        if match is None:
            continue
        if any((k, v) not in query for k, v in candidate.fixed_query):
            continue
        path_known = True
        if candidate.method != method:
            continue
        values = match.groupdict()
        labels = {label: values[re.sub(r"[^0-9A-Za-z_]", "_", label)] for label in candidate.labels}
        return candidate.operation, labels
    if path_known:
        raise WireError("UnknownOperationException", f"{method} is not allowed on {unquote(raw_path)}.", 405)
    raise WireError("UnknownOperationException", f"No operation is served at {method} {unquote(raw_path)}.")


# --- parsing --------------------------------------------------------------------------


def parse_request(
    operation: OperationModel,
    labels: dict[str, str],
    query: list[tuple[str, str]],
    headers: dict[str, str],
    body: bytes,
) -> dict[str, Any]:
    """The request parameters, as boto3 would have taken them, from the wire."""
    shape = operation.input_shape
    params: dict[str, Any] = {}
    if shape is None:
        return params
    document = _body_document(shape, headers, body)
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri":
            if wire_name in labels:
                params[name] = _scalar(member, unquote(labels[wire_name]))
        elif location == "querystring":
            value = _from_query(member, wire_name, query)
            if value is not None:
                params[name] = value
        elif location == "header":
            if wire_name.lower() in headers:
                params[name] = _header_value(member, headers[wire_name.lower()])
        elif location == "headers":
            prefix = wire_name.lower()
            found = {k[len(prefix) :]: v for k, v in headers.items() if k.startswith(prefix)}
            if found:
                params[name] = found
        elif shape.serialization.get("payload") == name:
            if member.type_name in ("blob", "string"):
                params[name] = body if member.type_name == "blob" else body.decode()
            elif document is not None:
                params[name] = _from_json(member, document)
        elif document is not None and not shape.serialization.get("payload") and wire_name in document:
            params[name] = _from_json(member, document[wire_name])
    return params


def _body_document(shape: StructureShape, headers: dict[str, str], body: bytes) -> dict[str, Any] | None:
    payload = shape.serialization.get("payload")
    if payload and shape.members[payload].type_name in ("blob", "string"):
        return None
    if not body.strip():
        return {}
    content_type = headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type and not (content_type.endswith("/json") or content_type.endswith("+json")):
        raise WireError(
            "UnsupportedMediaTypeException", f"The content type {content_type} is not supported: send JSON."
        )
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WireError("SerializationException", "The request body is not valid JSON.") from None
    if not isinstance(document, dict):
        raise WireError("SerializationException", "The request body must be a JSON object.")
    return document


def _from_json(shape: Shape, value: Any) -> Any:
    """A JSON value converted to what boto3 takes for the shape (timestamps, blobs)."""
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure" and isinstance(value, dict):
        if shape.metadata.get("document"):
            return value
        result: dict[str, Any] = {}
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            wire_name = member.serialization.get("name", name)
            if wire_name in value:
                result[name] = _from_json(member, value[wire_name])
        return result
    if kind == "list" and isinstance(value, list):
        return [_from_json(shape.member, item) for item in value]  # type: ignore[attr-defined]
    if kind == "map" and isinstance(value, dict):
        return {k: _from_json(shape.value, v) for k, v in value.items()}  # type: ignore[attr-defined]
    if kind == "timestamp":
        return _timestamp_in(value)
    if kind == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            raise WireError("SerializationException", "A blob member is not valid base64.") from None
    return value  # left for the request model to judge


def _timestamp_in(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


def _scalar(shape: Shape, text: str) -> Any:
    kind = shape.type_name
    if kind in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            return text
    if kind in ("float", "double"):
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text.lower(), text)
    if kind == "timestamp":
        return _timestamp_in(float(text) if re.fullmatch(r"\d+(\.\d+)?", text) else text)
    return text


def _from_query(shape: Shape, wire_name: str, query: list[tuple[str, str]]) -> Any:
    if shape.type_name == "list":
        values = [v for k, v in query if k == wire_name]
        return [_scalar(shape.member, v) for v in values] if values else None  # type: ignore[attr-defined]
    if shape.type_name == "map":
        found = {k: v for k, v in query}
        return found or None
    for key, value in query:
        if key == wire_name:
            return _scalar(shape, value)
    return None


def _header_value(shape: Shape, text: str) -> Any:
    if shape.type_name == "list":
        return [_scalar(shape.member, v.strip()) for v in text.split(",")]  # type: ignore[attr-defined]
    if shape.type_name == "string" and shape.serialization.get("jsonvalue"):
        return json.loads(base64.b64decode(text))
    return _scalar(shape, text)


# --- serializing ----------------------------------------------------------------------


def serialize_response(operation: OperationModel, result: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a successful response, in the operation's output shape."""
    status = int(operation.http.get("responseCode", 200))
    headers: dict[str, str] = {}
    shape = operation.output_shape
    if shape is None:
        return status, headers, b""
    document: dict[str, Any] = {}
    payload = shape.serialization.get("payload")
    body: bytes | None = None
    for name, member in shape.members.items():
        if name not in result or result[name] is None:
            continue
        value = result[name]
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "header":
            headers[wire_name] = _header_text(member, value)
        elif location == "headers":
            for key, item in value.items():
                headers[wire_name + key] = str(item)
        elif location == "statusCode":
            status = int(value)
        elif payload == name:
            if member.type_name == "blob":
                body = value if isinstance(value, bytes) else str(value).encode()
            elif member.type_name == "string":
                body = str(value).encode()
            else:
                body = json.dumps(_to_json(member, value)).encode()
        else:
            document[wire_name] = _to_json(member, value)
    if body is None:
        body = json.dumps(document).encode() if document or status != 204 else b""
    if body and "content-type" not in {k.lower() for k in headers}:
        headers["Content-Type"] = "application/json"
    return status, headers, body


def _to_json(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        if shape.metadata.get("document"):
            return _plain(value)
        out: dict[str, Any] = {}
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            if name in value and value[name] is not None:
                out[member.serialization.get("name", name)] = _to_json(member, value[name])
        return out
    if kind == "list" and isinstance(value, list | tuple):
        return [_to_json(shape.member, item) for item in value]  # type: ignore[attr-defined]
    if kind == "map" and isinstance(value, dict):
        return {k: _to_json(shape.value, v) for k, v in value.items()}  # type: ignore[attr-defined]
    if kind == "timestamp":
        return _timestamp_out(value, shape.serialization.get("timestampFormat", "unixtimestamp"))
    if kind == "blob":
        raw = value if isinstance(value, bytes) else str(value).encode()
        return base64.b64encode(raw).decode()
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _timestamp_out(value: Any, form: str) -> Any:
    """A timestamp as botocore's rest-json parser reads it: epoch seconds unless the shape says."""
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, tz=UTC)
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    form = form.lower()
    if form == "iso8601":
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if form == "rfc822":
        return format_datetime(value.astimezone(UTC), usegmt=True)
    seconds = value.timestamp()
    return int(seconds) if seconds == int(seconds) else seconds


def _header_text(shape: Shape, value: Any) -> str:
    if shape.type_name == "timestamp":
        return str(_timestamp_out(value, shape.serialization.get("timestampFormat", "rfc822")))
    if shape.type_name == "boolean":
        return "true" if value else "false"
    if shape.type_name == "list":
        return ",".join(str(v) for v in value)
    if shape.serialization.get("jsonvalue"):
        return base64.b64encode(json.dumps(value).encode()).decode()
    return str(value)


def error_status(code: str, service: str = SERVICES[0]) -> int:
    """The HTTP status of an error code: the error shape's in the model, else the front door's."""
    for name in (service, *SERVICES):
        model = service_model(name)
        if code in model.shape_names:
            status = model.shape_for(code).metadata.get("error", {}).get("httpStatusCode")
            if status:
                return int(status)
    return _DEFAULT_STATUS.get(code, 400)


def serialize_error(code: str, message: str, status: int | None = None) -> tuple[int, dict[str, str], bytes]:
    """A rest-json error: x-amzn-ErrorType header and {"message": ...}, as botocore parses it."""
    headers = {"x-amzn-ErrorType": code, "Content-Type": "application/json"}
    body = json.dumps({"message": message}).encode()
    return status or error_status(code), headers, body
