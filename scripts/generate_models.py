"""Generate agentcore_identity_cli/models/generated.py from botocore's service models.

The request models of every identity operation are written as pydantic classes with the
service's own constraints (required members, lengths, patterns, enums, list and map sizes,
unions), so that the CLI, both backends and the Python API check input in one place.

    python scripts/generate_models.py          # rewrite the module
    python scripts/generate_models.py --check  # exit 1 when the module is stale
"""

from __future__ import annotations

import json
import keyword
import sys
from pathlib import Path
from typing import Any

import botocore
import botocore.session
from botocore.model import Shape

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ROOT / "agentcore_identity_cli" / "data" / "operations.json"
TARGET = ROOT / "agentcore_identity_cli" / "models" / "generated"

# Operations are grouped so that a command imports only the models of its own family:
# the OAuth2 shapes alone are most of the classes.
FAMILIES = (
    ("ApiKeyCredentialProvider", "apikey"),
    ("Oauth2CredentialProvider", "oauth2"),
    ("WorkloadIdentit", "workload"),
    ("TokenVault", "tokenvault"),
    ("Tag", "tags"),
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

from pydantic import AfterValidator, Field, SecretStr

from agentcore_identity_cli.models.base import AwsModel, AwsUnion, secret_pattern
'''

INDEX = '''"""The request model of each operation, generated from botocore {version}.

Do not edit: run `python scripts/generate_models.py`. A test fails when this file is stale.
Each family of operations has its own module, imported when a request of it is made.
"""

from importlib import import_module

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


class Generator:
    def __init__(self) -> None:
        self.session = botocore.session.get_session()
        self.classes: dict[str, str] = {}
        self.order: list[str] = []
        self.needs: dict[str, set[str]] = {}  # class -> classes it refers to
        self.current: list[str] = []

    def field_type(self, shape: Shape) -> str:
        """The annotation for a member of this shape, with its constraints."""
        meta: dict[str, Any] = shape.metadata
        kind = shape.type_name
        if kind == "structure":
            self.structure(shape)
            if self.current:
                self.needs.setdefault(self.current[-1], set()).add(shape.name)
            return shape.name
        if kind == "list":
            inner = self.field_type(shape.member)  # type: ignore[attr-defined]
            return self.annotate(f"list[{inner}]", meta, length=True)
        if kind == "map":
            key = self.field_type(shape.key)  # type: ignore[attr-defined]
            value = self.field_type(shape.value)  # type: ignore[attr-defined]
            return self.annotate(f"dict[{key}, {value}]", meta, length=True)
        if kind == "string":
            if shape.enum:
                return "Literal[" + ", ".join(repr(v) for v in shape.enum) + "]"
            if meta.get("sensitive"):
                # pydantic applies no pattern to a SecretStr: the value is checked by a
                # validator that never repeats it.
                annotated = self.annotate("SecretStr", meta, length=True)
                if "pattern" not in meta:
                    return annotated
                inner = annotated[len("Annotated[") : -1] if annotated.startswith("Annotated[") else annotated
                return f"Annotated[{inner}, AfterValidator(secret_pattern({meta['pattern']!r}))]"
            return self.annotate("str", meta, length=True, pattern=True)
        if kind in ("integer", "long"):
            return self.annotate("int", meta, bounds=True)
        if kind in ("double", "float"):
            return self.annotate("float", meta, bounds=True)
        if kind == "boolean":
            return "bool"
        if kind == "timestamp":
            return "datetime"
        if kind == "blob":
            return "bytes"
        return "Any"

    @staticmethod
    def annotate(
        base: str,
        meta: dict[str, Any],
        *,
        length: bool = False,
        pattern: bool = False,
        bounds: bool = False,
    ) -> str:
        args = []
        if length and "min" in meta:
            args.append(f"min_length={meta['min']}")
        if length and "max" in meta:
            args.append(f"max_length={meta['max']}")
        if bounds and "min" in meta:
            args.append(f"ge={meta['min']}")
        if bounds and "max" in meta:
            args.append(f"le={meta['max']}")
        if pattern and "pattern" in meta:
            # The service matches the whole value; python-re needs the anchors said.
            args.append(f"pattern={'^(?:' + meta['pattern'] + ')$'!r}")
        if not args:
            return base
        return f"Annotated[{base}, Field({', '.join(args)})]"

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
        spec = json.loads(OPERATIONS.read_text())["operations"]
        requests: dict[str, tuple[str, str]] = {}
        for operation, info in spec.items():
            model = self.session.get_service_model(info["service"])
            shape = model.operation_model(operation).input_shape
            self.structure(shape)
            requests[operation] = (family(operation), shape.name)
        # Which families use each class; a class used by more than one goes to common.py.
        users: dict[str, set[str]] = {}
        for module, root in requests.values():
            for name in self.closure(root):
                users.setdefault(name, set()).add(module)
        home = {name: (next(iter(mods)) if len(mods) == 1 else "common") for name, mods in users.items()}
        version = botocore.__version__
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
        return files


def main(argv: list[str]) -> int:
    files = Generator().run()
    if "--check" in argv:
        stale = [n for n, text in files.items() if not (TARGET / n).exists() or (TARGET / n).read_text() != text]
        extra = [p.name for p in TARGET.glob("*.py") if p.name not in files]
        if stale or extra:
            print(
                f"{TARGET} is stale ({', '.join(stale + extra)}): run python scripts/generate_models.py",
                file=sys.stderr,
            )
            return 1
        return 0
    TARGET.mkdir(exist_ok=True)
    for old in TARGET.glob("*.py"):
        if old.name not in files:
            old.unlink()
    for name, text in files.items():
        (TARGET / name).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
