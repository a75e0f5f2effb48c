"""The API's one source of truth: a pinned copy of the identity parts of botocore's models.

`agentcore_identity_cli/data/models/<service>.json` holds the identity operations of
`bedrock-agentcore-control` and `bedrock-agentcore` (every operation under /identities/ or
/tags/) and the shapes they reach, trimmed of documentation, taken from one named botocore
release. From that copy alone this script writes:
- the operations table, `agentcore_identity_cli/data/operations.json`;
- the request models, `agentcore_identity_cli/models/generated/`: pydantic classes with the
  service's own constraints (required members, lengths, patterns, enums, list and map sizes,
  unions), so that the CLI, both backends and the Python API check input in one place.
A newer botocore on the machine changes nothing until the copy is refreshed on purpose.

    python scripts/generate_models.py                  # rewrite the table and the models from the copy
    python scripts/generate_models.py --check          # exit 1 when they are stale against the copy
    python scripts/generate_models.py --update-copy    # refresh the copy from the installed botocore, then rewrite
    python scripts/generate_models.py --compare-installed  # report what the installed botocore has that the copy lacks
"""

from __future__ import annotations

import json
import keyword
import sys
from pathlib import Path
from typing import Any

from botocore.model import ServiceModel, Shape

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ROOT / "agentcore_identity_cli" / "data" / "operations.json"
COPY = ROOT / "agentcore_identity_cli" / "data" / "models"
TARGET = ROOT / "agentcore_identity_cli" / "models" / "generated"
SERVICES = ("bedrock-agentcore-control", "bedrock-agentcore")
# The service's identity operations are the ones under these request URIs.
IDENTITY_URIS = ("/identities/", "/tags/")
# Where botocore's model is stricter than the service it describes, the service wins. Each
# entry names the shape, the member constraint and the reason; the copy itself stays as
# botocore has it.
SERVICE_CORRECTIONS: dict[str, dict[str, str]] = {
    # The resource-type segments are [a-z-]+ in the model, which refuses the service's own
    # `token-vault/default/oauth2credentialprovider/NAME` ARNs (a digit); the service tags them.
    "TaggableResourcesArn": {
        "pattern": r"arn:(?:[^:]+)?:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:([a-z0-9-]+/[^/]+)(?:/[a-z0-9-]+/[^/]+)*"
    },
    # The consent portal operations take "the consent portal ID or its ARN" (the model's own
    # documentation), but the pattern is the id's alone; the ARN form is added.
    "ConsentPortalIdentifier": {
        "pattern": r"[a-zA-Z0-9\-_]{1,50}-[A-Za-z0-9]{10}"
        r"|arn:aws[^:]*:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:consent-portal/[a-zA-Z0-9\-_]{1,50}-[A-Za-z0-9]{10}"
    },
}

# Operations are grouped so that a command imports only the models of its own family:
# the OAuth2 shapes alone are most of the classes.
FAMILIES = (
    ("ApiKeyCredentialProvider", "apikey"),
    ("Oauth2CredentialProvider", "oauth2"),
    ("PaymentCredentialProvider", "payment"),
    ("ConsentPortal", "consentportal"),
    ("WorkloadIdentit", "workload"),
    ("TokenVault", "tokenvault"),
    ("Tag", "tags"),
    ("Untag", "tags"),
)


def family(operation: str) -> str:
    """The generated module that holds an operation's request model."""
    for marker, name in FAMILIES:
        if marker in operation:
            return name
    return "dataplane"


HEADER = '''"""{what}, generated from botocore {version}.

Do not edit: run `python scripts/generate_models.py`. A test fails when this file is stale.
"""
# ruff: noqa: N815, E501, F401
# No `from __future__ import annotations`: evaluated annotations spare pydantic from
# compiling a string per field at import, which is most of this module's import time.

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr

from agentcore_identity_cli.models.base import AwsModel, AwsUnion
from agentcore_identity_cli.models.constraints import Constraint
'''

INDEX = '''"""The request model of each operation, generated from botocore {version}.

Do not edit: run `python scripts/generate_models.py`. A test fails when this file is stale.
Each family of operations has its own module, imported when a request of it is made (and
pydantic with it: this index imports none, so that checks.py beside it needs no pydantic).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentcore_identity_cli.models.base import AwsModel

# operation -> (module, class)
REQUESTS: dict[str, tuple[str, str]] = {{
{rows}}}


def request_model(operation: str) -> type[AwsModel]:
    """The pydantic model of an operation's request."""
    module, name = REQUESTS[operation]
    model: type[AwsModel] = getattr(import_module(f"{{__name__}}.{{module}}"), name)
    return model
'''

CHECKS = '''"""Plain checks of the requests whose members are all strings, integers or booleans (the
read operations among them), generated from botocore {version}.

Do not edit: run `python scripts/generate_models.py`. A test fails when this file is stale.
The same statement of the API as the pydantic models beside it, in a form that needs no
pydantic: models/plain.py passes a request that meets every check with it, and leaves any
other request to the models (and their messages).
"""
# ruff: noqa: E501

from agentcore_identity_cli.models.constraints import Constraint

# operation -> member -> (type, required, constraints), in the order of the model's members
FLAT: dict[str, dict[str, tuple[str, bool, Constraint | None]]] = {{
{rows}}}
'''
# The member types a plain check knows; a request with any other member is left to the models.
FLAT_TYPES = {"string": "string", "integer": "integer", "long": "integer", "boolean": "boolean"}


# --- the pinned copy ---------------------------------------------------------------------


def _strip_docs(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_docs(v) for k, v in value.items() if k != "documentation"}
    if isinstance(value, list):
        return [_strip_docs(item) for item in value]
    return value


def _reachable(shapes: dict[str, Any], roots: list[str]) -> list[str]:
    """The shapes reachable from `roots`, in the service model's order."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = shapes[name]
        refs = [m["shape"] for m in shape.get("members", {}).values()]
        refs += [shape[k]["shape"] for k in ("member", "key", "value") if k in shape]
        todo.extend(refs)
    return [name for name in shapes if name in seen]


def is_identity(operation: dict[str, Any]) -> bool:
    """An identity operation: one under /identities/ or /tags/."""
    uri: str = operation["http"]["requestUri"]
    return uri.startswith(IDENTITY_URIS)


def trimmed(service_data: dict[str, Any]) -> dict[str, Any]:
    """The identity operations of a raw botocore service model and the shapes they reach."""
    operations = {name: _strip_docs(op) for name, op in sorted(service_data["operations"].items()) if is_identity(op)}
    roots = [op[key]["shape"] for op in operations.values() for key in ("input", "output") if key in op]
    roots += [error["shape"] for op in operations.values() for error in op.get("errors", [])]
    shapes = service_data["shapes"]
    return {
        "metadata": dict(service_data["metadata"]),
        "operations": operations,
        "shapes": {name: _strip_docs(shapes[name]) for name in _reachable(shapes, roots)},
    }


def installed_service_data(service: str) -> tuple[str, dict[str, Any]]:
    """(version, raw model) of a service in the installed botocore."""
    import botocore
    import botocore.session

    return botocore.__version__, botocore.session.get_session().get_service_data(service)


def write_copy() -> None:
    """Refresh the pinned copy from the installed botocore."""
    COPY.mkdir(exist_ok=True)
    for service in SERVICES:
        version, data = installed_service_data(service)
        document = {"botocore": version, **trimmed(data)}
        (COPY / f"{service}.json").write_text(json.dumps(document, indent=1) + "\n")


def load_copy(service: str) -> dict[str, Any]:
    """The pinned copy of one service."""
    document: dict[str, Any] = json.loads((COPY / f"{service}.json").read_text())
    return document


def copy_version() -> str:
    """The botocore release the copy was taken from (the same for both services)."""
    versions = {load_copy(service)["botocore"] for service in SERVICES}
    if len(versions) != 1:
        raise SystemExit(f"the copies in {COPY} come from different botocore releases: {sorted(versions)}")
    return versions.pop()


def service_model(service: str) -> ServiceModel:
    """The botocore ServiceModel of the pinned copy."""
    document = load_copy(service)
    return ServiceModel({k: v for k, v in document.items() if k != "botocore"}, service_name=service)


def _carries_secret(shape: Shape, seen: set[str]) -> bool:
    """True when a shape or any shape inside it is marked sensitive."""
    if shape.metadata.get("sensitive"):
        return True
    if shape.name in seen:
        return False
    seen.add(shape.name)
    inner: list[Shape] = []
    if shape.type_name == "structure":
        inner = list(shape.members.values())  # type: ignore[attr-defined]
    elif shape.type_name == "list":
        inner = [shape.member]  # type: ignore[attr-defined]
    elif shape.type_name == "map":
        inner = [shape.value]  # type: ignore[attr-defined]
    return any(_carries_secret(child, seen) for child in inner)


def operations_table() -> str:
    """data/operations.json, from the copy."""
    table: dict[str, dict[str, Any]] = {}
    for service in SERVICES:
        model = service_model(service)
        for name in model.operation_names:
            entry: dict[str, Any] = {"service": service}
            output = model.operation_model(name).output_shape
            members = output.members if output is not None else {}  # type: ignore[attr-defined]
            lists = [m for m, shape in members.items() if shape.type_name == "list"]
            if "nextToken" in members and len(lists) == 1:
                entry["paginated"] = lists[0]
            # The data plane hands out secrets on purpose, at any depth of the response.
            if service == "bedrock-agentcore" and output is not None and _carries_secret(output, set()):
                entry["secret_output"] = True
            table[name] = entry
    document = {
        "_comment": (
            f"Generated from the pinned copy of botocore {copy_version()}'s models (data/models/) by "
            "scripts/generate_models.py; do not edit. The identity operations this tool speaks, by AWS name. "
            "service: the botocore service; paginated: the list member that a --max-items walk collects; "
            "secret_output: the response carries a secret on purpose (data plane)."
        ),
        "operations": table,
    }
    return json.dumps(document, indent=2) + "\n"


def compare_installed() -> list[str]:
    """What the installed botocore's identity API has that the copy lacks (one line each)."""
    report: list[str] = []
    for service in SERVICES:
        version, data = installed_service_data(service)
        fresh, pinned = trimmed(data), load_copy(service)
        for name in sorted(set(fresh["operations"]) - set(pinned["operations"])):
            report.append(f"{service} {name}: operation not in the copy (botocore {version})")
        for name in sorted(set(fresh["operations"]) & set(pinned["operations"])):
            for key in ("input", "output"):
                if key not in fresh["operations"][name]:
                    continue
                known = set(_member_paths(pinned["shapes"], pinned["operations"][name].get(key, {}).get("shape"), ""))
                for path in _member_paths(fresh["shapes"], fresh["operations"][name][key]["shape"], ""):
                    if path not in known:
                        report.append(f"{service} {name} {key}: member {path} not in the copy (botocore {version})")
    return report


def _member_paths(shapes: dict[str, Any], root: str | None, prefix: str, depth: int = 0) -> list[str]:
    """Every member path under a shape (a.b.c), a few levels deep."""
    if root is None or root not in shapes or depth > 6:
        return []
    shape = shapes[root]
    paths: list[str] = []
    for member, ref in shape.get("members", {}).items():
        path = f"{prefix}{member}"
        paths.append(path)
        paths += _member_paths(shapes, ref["shape"], path + ".", depth + 1)
    if "member" in shape:
        paths += _member_paths(shapes, shape["member"]["shape"], prefix, depth + 1)
    return paths


# --- the request models ----------------------------------------------------------------


def constraint_of(kind: str, meta: dict[str, Any], enum: list[str] | None = None) -> str | None:
    """The `Constraint(...)` of a member (models/constraints.py), or None when it has none."""
    args = [repr(kind)]
    for key in ("min", "max", "pattern"):
        if key in meta:
            args.append(f"{key}={meta[key]!r}")
    if enum:
        args.append(f"enum={tuple(enum)!r}")
    return f"Constraint({', '.join(args)})" if len(args) > 1 else None


def flat_checks(models: dict[str, ServiceModel], spec: dict[str, dict[str, Any]]) -> str:
    """models/generated/checks.py: each operation whose request members are all scalars."""
    rows = ""
    for operation, info in spec.items():
        shape = models[info["service"]].operation_model(operation).input_shape
        members = shape.members if shape is not None else {}  # type: ignore[attr-defined]
        if any(member.type_name not in FLAT_TYPES for member in members.values()):
            continue
        required = set(shape.required_members) if shape is not None else set()  # type: ignore[attr-defined]
        rows += f"    {operation!r}: {{\n"
        for name, member in members.items():
            kind = FLAT_TYPES[member.type_name]
            meta = {**member.metadata, **SERVICE_CORRECTIONS.get(member.name, {})}
            constraint = constraint_of(kind, meta, getattr(member, "enum", None)) if kind != "boolean" else None
            rows += f"        {name!r}: ({kind!r}, {name in required!r}, {constraint}),\n"
        rows += "    },\n"
    return CHECKS.format(version=copy_version(), rows=rows)


class Generator:
    def __init__(self) -> None:
        self.models = {service: service_model(service) for service in SERVICES}
        self.classes: dict[str, str] = {}
        self.order: list[str] = []
        self.needs: dict[str, set[str]] = {}  # class -> classes it refers to
        self.current: list[str] = []

    def field_type(self, shape: Shape) -> str:
        """The annotation for a member of this shape, with its constraints.

        Every constraint of the model goes into one `Constraint` (models/constraints.py),
        which checks botocore's part (minimums) always and the service's part (patterns,
        enums, maximums) when the service judges the request.
        """
        meta: dict[str, Any] = {**shape.metadata, **SERVICE_CORRECTIONS.get(shape.name, {})}
        kind = shape.type_name
        if kind == "structure":
            self.structure(shape)
            if self.current:
                self.needs.setdefault(self.current[-1], set()).add(shape.name)
            return shape.name
        if kind == "list":
            inner = self.field_type(shape.member)  # type: ignore[attr-defined]
            return self.constrained(f"list[{inner}]", "list", meta)
        if kind == "map":
            key = self.field_type(shape.key)  # type: ignore[attr-defined]
            value = self.field_type(shape.value)  # type: ignore[attr-defined]
            return self.constrained(f"dict[{key}, {value}]", "map", meta)
        if kind == "string":
            # pydantic never shows a SecretStr; the Constraint never repeats a value.
            base = "SecretStr" if meta.get("sensitive") else "str"
            return self.constrained(base, "string", meta, enum=shape.enum)  # type: ignore[attr-defined]
        if kind in ("integer", "long"):
            return self.constrained("int", "integer", meta)
        if kind in ("double", "float"):
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "timestamp":
            return "datetime"
        if kind == "blob":
            return "bytes"
        return "Any"

    @staticmethod
    def constrained(base: str, kind: str, meta: dict[str, Any], enum: list[str] | None = None) -> str:
        constraint = constraint_of(kind, meta, enum)
        return f"Annotated[{base}, {constraint}]" if constraint else base

    def structure(self, shape: Shape) -> None:
        name = shape.name
        if name in self.classes:
            return
        self.classes[name] = ""  # mark first: shapes may refer to each other
        self.current.append(name)
        required = set(shape.required_members)  # type: ignore[attr-defined]
        is_union = bool(shape.metadata.get("union"))
        lines = [f"class {name}({'AwsUnion' if is_union else 'AwsModel'}):"]
        doc = f"AWS shape {name}."
        lines.append(f'    """{doc}"""')
        members = shape.members  # type: ignore[attr-defined]
        if not members:
            lines.append("")
        for member, member_shape in members.items():
            annotation = self.field_type(member_shape)
            attr = member + "_" if keyword.iskeyword(member) else member
            alias = f", alias={member!r}" if attr != member else ""
            if member in required:
                default = f" = Field(...{alias})" if alias else ""
                lines.append(f"    {attr}: {annotation}{default}")
            else:
                lines.append(f"    {attr}: {annotation} | None = Field(None{alias})")
        self.classes[name] = "\n".join(lines)
        self.order.append(name)
        self.current.pop()

    def closure(self, name: str) -> set[str]:
        """A class and every class it refers to, transitively."""
        seen = {name}
        todo = [name]
        while todo:
            for child in self.needs.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return seen

    def run(self) -> dict[str, str]:
        """File name -> content of every generated module."""
        spec = json.loads(operations_table())["operations"]
        requests: dict[str, tuple[str, str]] = {}
        for operation, info in spec.items():
            model = self.models[info["service"]]
            shape = model.operation_model(operation).input_shape
            self.structure(shape)
            requests[operation] = (family(operation), shape.name)
        # Which families use each class; a class used by more than one goes to common.py.
        users: dict[str, set[str]] = {}
        for module, root in requests.values():
            for name in self.closure(root):
                users.setdefault(name, set()).add(module)
        home = {name: (next(iter(mods)) if len(mods) == 1 else "common") for name, mods in users.items()}
        version = copy_version()
        files: dict[str, str] = {}
        for module in sorted(set(home.values())):
            names = [n for n in self.order if home[n] == module]
            shared = sorted({c for n in names for c in self.needs.get(n, ()) if home[c] == "common"})
            text = HEADER.format(what=f"Request models: {module}", version=version)
            if module != "common" and shared:
                text += "\nfrom agentcore_identity_cli.models.generated.common import " + ", ".join(shared) + "\n"
            for name in names:
                text += "\n\n" + self.classes[name] + "\n"
            files[f"{module}.py"] = text
        rows = "".join(f"    {op!r}: ({mod!r}, {cls!r}),\n" for op, (mod, cls) in requests.items())
        files["__init__.py"] = INDEX.format(version=version, rows=rows)
        files["checks.py"] = flat_checks(self.models, spec)
        return files


def expected_files() -> dict[Path, str]:
    """Every generated file and its content, from the copy."""
    files = {TARGET / name: text for name, text in Generator().run().items()}
    files[OPERATIONS] = operations_table()
    return files


def main(argv: list[str]) -> int:
    if "--compare-installed" in argv:
        # A report, never a failure: a newer botocore is news, not breakage.
        lines = compare_installed()
        complete = f"the copy (botocore {copy_version()}) has every identity operation and member"
        print("\n".join(lines) if lines else complete)
        return 0
    if "--update-copy" in argv:
        write_copy()
    files = expected_files()
    if "--check" in argv:
        stale = [p for p, text in files.items() if not p.exists() or p.read_text() != text]
        extra = [p for p in TARGET.glob("*.py") if p not in files]
        if stale or extra:
            names = ", ".join(str(p.relative_to(ROOT)) for p in stale + extra)
            print(f"stale against the pinned copy ({names}): run python scripts/generate_models.py", file=sys.stderr)
            return 1
        return 0
    TARGET.mkdir(exist_ok=True)
    for old in TARGET.glob("*.py"):
        if old not in files:
            old.unlink()
    for path, text in files.items():
        path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
