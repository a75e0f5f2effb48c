"""A loopback endpoint that speaks AgentCore Identity's AWS wire protocol (rest-json).

Everything it knows comes from botocore's service models of the two services the
operations table names (bedrock-agentcore-control and bedrock-agentcore); both share one
endpoint here and are told apart by method and path. For each request it checks

- the method and path against the operation's `http.method` / `http.requestUri`,
- the JSON body, URI labels and query string against the input shape (members, required
  members, types, enums, lengths, patterns),
- the SigV4 `Authorization: AWS4-HMAC-SHA256 ...` header: credential scope (signing name,
  region) and, for the access keys it knows, the signature itself,

and records every request and every mismatch (`requests`, `failures`). It answers with a
response built from the output shape, with the operation's status code; list operations
page a fixed catalogue with `nextToken`. A resource name (or ARN ending) picks an error:

| name starts with | answer |
| --- | --- |
| `missing` | 404 ResourceNotFoundException, code in the `x-amzn-ErrorType` header |
| `invalid` | 400 ValidationException, code as `__type` in the body only |
| `denied`  | 403 AccessDeniedException |
| `expired` | 403 ExpiredTokenException |
| `slow`    | the normal answer, after `slow_seconds` |

With `federation=UserFederation(return_urls=[...])` it plays AgentCore's user-federation
(3LO) session for `login` on the aws backend instead of the model's example answers:
GetWorkloadIdentity lists those return URLs; GetResourceOauth2Token answers an
`authorizationUrl` on this server (AUTHORIZE_PATH), a `sessionUri` and IN_PROGRESS; a GET of
that URL (the browser) is redirected to the request's `resourceOauth2ReturnUrl` with
`?session_id=<sessionUri>`, as the service does after the user's consent;
CompleteResourceTokenAuth is recorded; then GetResourceOauth2Token with the `sessionUri`
answers the `accessToken` (or IN_PROGRESS forever, with `hand_out=False`).

Run on its own (the benchmark does): `python tests/aws_wire_server.py --port 0 --items 50`
prints the port on the first line of stdout and serves until terminated.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import botocore.session
from botocore.model import OperationModel, Shape, StringShape, StructureShape

OPERATIONS_FILE = Path(__file__).resolve().parent.parent / "agentcore_identity_cli" / "data" / "operations.json"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
ACCOUNT = "123456789012"
EPOCH = 1_700_000_000  # 2023-11-14T22:13:20Z: every timestamp the server hands out
AUTHORIZE_PATH = "/identities/oauth2/authorize"  # the authorizationUrl of a scripted UserFederation
_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request, "
    r"SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})$"
)


@dataclass
class Seen:
    """One request as the server received it."""

    operation: str
    service: str
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    params: dict[str, Any]


@dataclass
class UserFederation:
    """A scripted user-federation session (see the module's docstring)."""

    return_urls: list[str]
    session_uri: str = "urn:ietf:params:oauth:request_uri:session-0001"
    access_token: str = "user-access-token-0001"
    hand_out: bool = True  # False: the token never comes
    at_once: bool = False  # True: the user already consented, the first call answers the token
    return_url: str | None = None  # the resourceOauth2ReturnUrl the session was started with
    visits: list[str] = field(default_factory=list)  # the browser's requests to AUTHORIZE_PATH
    completed_with: list[dict[str, Any]] = field(default_factory=list)  # CompleteResourceTokenAuth bodies

    def answer(self, operation: OperationModel, params: dict[str, Any], base_url: str) -> Reply | None:
        """The scripted answer of an operation; None for the model's example."""
        if operation.name == "GetWorkloadIdentity":
            body = example(operation.output_shape, name=params["name"])  # type: ignore[arg-type]
            return Reply(200, {**body, "allowedResourceOauth2ReturnUrls": self.return_urls})
        if operation.name == "CompleteResourceTokenAuth":
            if params["sessionUri"] != self.session_uri:
                return error_reply(404, "ResourceNotFoundException", "No such session.")
            self.completed_with.append(params)
            return Reply(200, {})
        if operation.name != "GetResourceOauth2Token" or params.get("oauth2Flow") != "USER_FEDERATION":
            return None
        if params.get("sessionUri"):
            if self.completed_with and self.hand_out and params["sessionUri"] == self.session_uri:
                return Reply(200, {"accessToken": self.access_token})
            return Reply(200, {"sessionUri": params["sessionUri"], "sessionStatus": "IN_PROGRESS"})
        if self.at_once:
            return Reply(200, {"accessToken": self.access_token})
        self.return_url = params.get("resourceOauth2ReturnUrl")
        url = f"{base_url}{AUTHORIZE_PATH}?request_uri={quote(self.session_uri, safe='')}"
        return Reply(200, {"authorizationUrl": url, "sessionUri": self.session_uri, "sessionStatus": "IN_PROGRESS"})

    def authorize(self, query: str) -> Reply:
        """The browser at the authorization URL: consent is given, back to the return URL."""
        self.visits.append(query)
        if dict(parse_qsl(query)).get("request_uri") != self.session_uri or not self.return_url:
            return Reply(400, {"message": "unknown session"})
        separator = "&" if "?" in self.return_url else "?"
        location = f"{self.return_url}{separator}session_id={quote(self.session_uri, safe='')}"
        return Reply(302, None, {"Location": location})


@dataclass
class Route:
    """Where one operation is served."""

    service: str
    operation: OperationModel
    method: str
    pattern: re.Pattern[str]
    paginated: str | None


@dataclass
class Reply:
    """What to answer."""

    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


def load_routes() -> list[Route]:
    """Every operation of the operations table, from botocore's service models."""
    table = json.loads(OPERATIONS_FILE.read_text())["operations"]
    session = botocore.session.get_session()
    routes = []
    for name, spec in table.items():
        model = session.get_service_model(spec["service"]).operation_model(name)
        uri = model.http["requestUri"].split("?", 1)[0]
        regex = ""
        for part in re.split(r"(\{[^}]+\})", uri):
            if part.startswith("{"):
                label = part[1:-1]
                greedy = label.endswith("+")
                regex += f"(?P<{label.rstrip('+')}>{'.+' if greedy else '[^/]+'})"
            else:
                regex += re.escape(part)
        routes.append(
            Route(spec["service"], model, model.http["method"], re.compile(f"^{regex}$"), spec.get("paginated"))
        )
    return routes


# --- checking a request against the model ----------------------------------------------


def check(shape: Shape, value: Any, where: str) -> list[str]:
    """What is wrong with a value of a shape, as a list of problems (empty when none)."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        if not isinstance(value, dict):
            return [f"{where}: expected an object for {shape.name}"]
        problems = [f"{where}.{key}: not a member of {shape.name}" for key in value if key not in shape.members]
        problems += [f"{where}.{key}: required member missing" for key in shape.required_members if key not in value]
        if shape.metadata.get("union") and len(value) != 1:
            problems.append(f"{where}: union {shape.name} needs exactly one member, has {len(value)}")
        for key, item in value.items():
            if key in shape.members:
                problems += check(shape.members[key], item, f"{where}.{key}")
        return problems
    if kind == "list":
        if not isinstance(value, list):
            return [f"{where}: expected a list"]
        return _length(shape, len(value), where) + [
            p
            for i, item in enumerate(value)
            for p in check(shape.member, item, f"{where}[{i}]")  # type: ignore[attr-defined]
        ]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{where}: expected a map"]
        problems = _length(shape, len(value), where)
        for key, item in value.items():
            problems += check(shape.key, key, f"{where} key")  # type: ignore[attr-defined]
            problems += check(shape.value, item, f"{where}[{key}]")  # type: ignore[attr-defined]
        return problems
    if kind == "string":
        if not isinstance(value, str):
            return [f"{where}: expected a string"]
        problems = _length(shape, len(value), where)
        enum = shape.enum if isinstance(shape, StringShape) else []
        if enum and value not in enum:
            problems.append(f"{where}: {value!r} is not one of {enum}")
        pattern = shape.metadata.get("pattern")
        if pattern:
            try:
                if re.fullmatch(pattern, value) is None:
                    problems.append(f"{where}: does not match {pattern}")
            except re.error:
                pass  # a Java-only construct: botocore does not check patterns either
        return problems
    if kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            return [f"{where}: expected an integer"]
        return _range(shape, value, where)
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{where}: expected a boolean"]
    if kind in ("double", "float"):
        return [] if isinstance(value, int | float) and not isinstance(value, bool) else [f"{where}: expected a number"]
    if kind == "timestamp":
        return [] if isinstance(value, int | float | str) else [f"{where}: expected a timestamp"]
    if kind == "blob":
        return [] if isinstance(value, str) else [f"{where}: expected base64 text"]
    return []


def _length(shape: Shape, size: int, where: str) -> list[str]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        return [f"{where}: length {size} is below the minimum {low}"]
    if high is not None and size > high:
        return [f"{where}: length {size} is above the maximum {high}"]
    return []


def _range(shape: Shape, value: int, where: str) -> list[str]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        return [f"{where}: {value} is outside [{low}, {high}]"]
    return []


# --- building responses from the model ---------------------------------------------------


def example(shape: Shape, hint: str = "example", *, name: str = "example", wire: bool = True, depth: int = 0) -> Any:
    """A valid value of a shape: wire form (epoch numbers) or boto3 form (datetimes).

    `hint` is the member name, which picks a plausible string (an ARN for *Arn, a URL for
    *Url); `name` is the resource name echoed into names and ARNs.
    """
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        members = list(shape.members.items())
        if shape.metadata.get("union"):
            members = members[:1]
        out = {}
        for key, member in members:
            if member.serialization.get("location"):
                continue  # headers and status codes are not in the body
            if depth > 6 and key not in shape.required_members:
                continue
            out[key] = example(member, key, name=name, wire=wire, depth=depth + 1)
        return out
    if kind == "list":
        return [example(shape.member, hint, name=name, wire=wire, depth=depth + 1)]  # type: ignore[attr-defined]
    if kind == "map":
        return {"key": example(shape.value, hint, name=name, wire=wire, depth=depth + 1)}  # type: ignore[attr-defined]
    if kind == "string":
        return _string(shape, hint, name)
    if kind in ("integer", "long"):
        return max(int(shape.metadata.get("min", 1)), 1)
    if kind == "boolean":
        return True
    if kind in ("double", "float"):
        return 1.5
    if kind == "timestamp":
        if wire:
            return EPOCH
        from datetime import UTC, datetime

        return datetime.fromtimestamp(EPOCH, tz=UTC)
    if kind == "blob":
        return base64.b64encode(b"example").decode() if wire else b"example"
    return {}


def _string(shape: Shape, hint: str, name: str) -> str:
    if isinstance(shape, StringShape) and shape.enum:
        return str(shape.enum[0])
    lower = hint.lower()
    if hint == "name" or lower.endswith("name"):
        value = name
    elif lower == "secretarn":
        value = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:bedrock-agentcore-identity!{name}-AbCdEf"
    elif lower.endswith("kmskeyarn"):
        value = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/12345678-1234-1234-1234-123456789012"
    elif lower.endswith("arn"):
        value = f"arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:token-vault/default/{hint.lower()}/{name}"
    elif lower.endswith(("url", "endpoint", "uri")) and "session" not in lower:
        value = f"https://auth.example.com/{hint}"
    elif lower == "sessionuri":
        value = "urn:ietf:params:oauth:request_uri:example"
    else:
        value = f"{hint}-value"
    low = int(shape.metadata.get("min", 0))
    return value + "x" * max(0, low - len(value))


def item_name(index: int) -> str:
    """The name of the index-th item in every list the server pages."""
    return f"item-{index:03d}"


# --- the server ------------------------------------------------------------------------


class WireServer:
    """The endpoint, served from a thread: `with WireServer() as server: ... server.url`."""

    def __init__(
        self,
        *,
        items: int = 25,
        page_size: int = 10,
        region: str | None = "us-east-1",
        credentials: dict[str, str] | None = None,
        slow_seconds: float = 2.0,
        port: int = 0,
        federation: UserFederation | None = None,
    ) -> None:
        self.federation = federation
        self.items = items
        self.page_size = page_size
        self.region = region
        self.credentials = {ACCESS_KEY: SECRET_KEY} if credentials is None else credentials
        self.slow_seconds = slow_seconds
        self.routes = load_routes()
        self.requests: list[Seen] = []
        self.failures: list[str] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.wire = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> WireServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="aws-wire-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> WireServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def operations(self) -> list[str]:
        """The operations received, in order."""
        return [seen.operation for seen in self.requests]

    # --- one request ---------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        split = urlsplit(target)
        if method == "GET" and split.path == AUTHORIZE_PATH and self.federation is not None:
            return self.federation.authorize(split.query)  # the browser, not a signed API call
        route, labels = self._route(method, split.path)
        if route is None:
            return self._fail(f"{method} {split.path}: no operation is served there", 404, "UnknownOperationException")
        operation = route.operation
        problem = self._check_signature(route, method, split.path, split.query, headers, body)
        if problem:
            return self._fail(f"{operation.name}: {problem}", 403, "InvalidSignatureException")
        params, problems = self._params(operation, labels, split.query, headers, body)
        with self._lock:
            self.requests.append(
                Seen(operation.name, route.service, method, split.path, split.query, headers, body, params)
            )
        if problems:
            return self._fail(f"{operation.name}: " + "; ".join(problems), 400, "SerializationException")
        return self._answer(route, params)

    def _route(self, method: str, path: str) -> tuple[Route | None, dict[str, str]]:
        for route in self.routes:
            match = route.pattern.match(path)
            if match and route.method == method:
                return route, {key: unquote(value) for key, value in match.groupdict().items()}
        return None, {}

    def _fail(self, message: str, status: int, code: str) -> Reply:
        with self._lock:
            self.failures.append(message)
        return error_reply(status, code, message)

    def _check_signature(
        self, route: Route, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> str | None:
        auth = headers.get("authorization", "")
        match = _AUTH.match(auth)
        if not match:
            return f"no SigV4 Authorization header (got {auth[:40]!r})"
        signing_name = route.operation.service_model.signing_name
        if match["service"] != signing_name:
            return f"signed for service {match['service']!r}, not {signing_name!r}"
        if self.region is not None and match["region"] != self.region:
            return f"signed for region {match['region']!r}, not {self.region!r}"
        if "x-amz-date" not in headers:
            return "no X-Amz-Date header"
        secret = self.credentials.get(match["key"])
        if secret is None:
            return None if not self.credentials else f"unknown access key {match['key']!r}"
        signed = match["signed"].split(";")
        if "host" not in signed:
            return "the Host header is not signed"
        missing = [name for name in signed if name not in headers]
        if missing:
            return f"signed headers not received: {missing}"
        canonical = "\n".join(
            [
                method,
                quote(path, safe="/~"),
                "&".join(f"{k}={v}" for k, v in sorted(p.partition("=")[::2] for p in query.split("&") if p)),
                "".join(f"{name}:{' '.join(headers[name].split())}\n" for name in signed),
                match["signed"],
                headers.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest(),
            ]
        )
        scope = f"{match['date']}/{match['region']}/{match['service']}/aws4_request"
        to_sign = "\n".join(
            ["AWS4-HMAC-SHA256", headers["x-amz-date"], scope, hashlib.sha256(canonical.encode()).hexdigest()]
        )
        key = f"AWS4{secret}".encode()
        for part in (match["date"], match["region"], match["service"], "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, match["signature"]):
            return "the signature does not match the request"
        return None

    def _params(
        self, operation: OperationModel, labels: dict[str, str], query: str, headers: dict[str, str], body: bytes
    ) -> tuple[dict[str, Any], list[str]]:
        """The request's members, from body, URI, query string and headers; and what is wrong."""
        shape = operation.input_shape
        problems: list[str] = []
        params: dict[str, Any] = {}
        in_body = {k: m for k, m in shape.members.items() if not m.serialization.get("location")} if shape else {}
        if body:
            if headers.get("content-type", "").split(";")[0] != "application/json":
                problems.append(f"Content-Type is {headers.get('content-type')!r}, not application/json")
            try:
                document = json.loads(body)
            except ValueError:
                return params, ["the body is not JSON"]
            if not isinstance(document, dict):
                return params, ["the body is not a JSON object"]
            if not in_body and document:
                problems.append("a body was sent to an operation that takes none")
            params.update(document)
        elif in_body and operation.http["method"] in ("POST", "PUT"):
            problems.append("no JSON body")
        pairs = parse_qsl(query, keep_blank_values=True)
        if shape is not None:
            for key, member in shape.members.items():
                where = member.serialization.get("location")
                wire_name = member.serialization.get("name", key)
                if where == "uri" and wire_name in labels:
                    params[key] = labels[wire_name]
                elif where == "querystring":
                    values = [v for k, v in pairs if k == wire_name]
                    if values:
                        params[key] = values if member.type_name == "list" else values[0]
                elif where == "header" and wire_name.lower() in headers:
                    params[key] = headers[wire_name.lower()]
            known = {m.serialization.get("name", k) for k, m in shape.members.items() if m.serialization}
            problems += [f"unknown query parameter {k!r}" for k, _ in pairs if k not in known]
            problems += check(shape, params, "input")
        return params, problems

    def _answer(self, route: Route, params: dict[str, Any]) -> Reply:
        operation = route.operation
        subject = _subject(params)
        if subject.startswith("missing"):
            return error_reply(404, "ResourceNotFoundException", f"Resource '{subject}' does not exist.", header=True)
        if subject.startswith("invalid"):
            return error_reply(400, "ValidationException", f"The value '{subject}' is not valid.", header=False)
        if subject.startswith("denied"):
            return error_reply(
                403,
                "AccessDeniedException",
                f"User: arn:aws:iam::{ACCOUNT}:user/test is not authorized to perform: "
                f"bedrock-agentcore:{operation.name}",
            )
        if subject.startswith("expired"):
            return error_reply(403, "ExpiredTokenException", "The security token included in the request is expired")
        if self.federation is not None:
            scripted = self.federation.answer(operation, params, self.url)
            if scripted is not None:
                return scripted
        if subject.startswith("slow"):
            time.sleep(self.slow_seconds)
        status = int(operation.http.get("responseCode", 200))
        if operation.output_shape is None or status == 204:
            return Reply(status)
        if route.paginated:
            return self._page(route, params)
        return Reply(status, example(operation.output_shape, name=subject or "example"))

    def _page(self, route: Route, params: dict[str, Any]) -> Reply:
        key = route.paginated or ""
        token = params.get("nextToken")
        try:
            start = int(base64.b64decode(token).decode().removeprefix("offset:")) if token else 0
        except ValueError:
            return error_reply(400, "ValidationException", "The nextToken is not valid.", header=False)
        size = int(params.get("maxResults") or self.page_size)
        shape = route.operation.output_shape
        assert isinstance(shape, StructureShape)
        item_shape = shape.members[key].member  # type: ignore[attr-defined]
        names = [item_name(i) for i in range(start, min(start + size, self.items))]
        body: dict[str, Any] = {key: [example(item_shape, name=name) for name in names]}
        if start + size < self.items:
            body["nextToken"] = base64.b64encode(f"offset:{start + size}".encode()).decode()
        return Reply(200, body)


def _subject(params: dict[str, Any]) -> str:
    for key in ("name", "resourceCredentialProviderName", "workloadName", "tokenVaultId"):
        if isinstance(params.get(key), str):
            return str(params[key])
    arn = params.get("resourceArn")
    return arn.rsplit("/", 1)[-1] if isinstance(arn, str) else ""


def error_reply(status: int, code: str, message: str, *, header: bool = True) -> Reply:
    """A rest-json error: the code in x-amzn-ErrorType, or as `__type` in the body."""
    if header:
        return Reply(
            status,
            {"message": message},
            {"x-amzn-ErrorType": f"{code}:http://internal.amazon.com/coral/com.amazonaws.bedrockagentcore/"},
        )
    return Reply(status, {"__type": f"com.amazonaws.bedrockagentcore#{code}", "message": message})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK hold the body back ~40 ms, which would swamp what is measured.
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.server.wire.handle(self.command, self.path, headers, body)  # type: ignore[attr-defined]
        payload = b"" if reply.body is None else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        self.send_header("x-amzn-RequestId", "11111111-2222-3333-4444-555555555555")
        if reply.body is not None:
            self.send_header("Content-Type", "application/json")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the tests read `requests` and `failures` instead


def main() -> int:
    parser = argparse.ArgumentParser(description="Serve the AgentCore Identity wire protocol on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--items", type=int, default=25, help="items in every list")
    parser.add_argument("--page-size", type=int, default=10, help="items per page when maxResults is not given")
    args = parser.parse_args()
    server = WireServer(items=args.items, page_size=args.page_size, port=args.port, region=None)
    print(server.port, flush=True)
    try:
        server._httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
