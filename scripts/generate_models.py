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
TARGET = ROOT / "agentcore_identity_cli" / "models" / "generated.py"

HEADER = '''"""Request models of the AgentCore Identity operations, generated from botocore {version}.

Do not edit: run `python scripts/generate_models.py`. A test fails when this file is stale.
"""
# ruff: noqa: N815, E501

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr

from agentcore_identity_cli.models.base import AwsModel, AwsUnion
'''


class Generator:
    def __init__(self) -> None:
        self.session = botocore.session.get_session()
        self.classes: dict[str, str] = {}
        self.order: list[str] = []

    def field_type(self, shape: Shape) -> str:
        """The annotation for a member of this shape, with its constraints."""
        meta: dict[str, Any] = shape.metadata
        kind = shape.type_name
        if kind == "structure":
            self.structure(shape)
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
            base = "SecretStr" if meta.get("sensitive") else "str"
            return self.annotate(base, meta, length=True, pattern=True)
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

    def run(self) -> str:
        spec = json.loads(OPERATIONS.read_text())["operations"]
        request_names: dict[str, str] = {}
        for operation, info in spec.items():
            model = self.session.get_service_model(info["service"])
            shape = model.operation_model(operation).input_shape
            if shape is not None:
                self.structure(shape)
                request_names[operation] = shape.name
        out = [HEADER.format(version=botocore.__version__)]
        for name in self.order:
            out.append("\n\n" + self.classes[name] + "\n")
        out.append("\n\nREQUESTS: dict[str, type[AwsModel]] = {\n")
        for operation, shape_name in request_names.items():
            out.append(f"    {operation!r}: {shape_name},\n")
        out.append("}\n")
        return "".join(out)


def main(argv: list[str]) -> int:
    text = Generator().run()
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text() != text:
            print(f"{TARGET} is stale: run python scripts/generate_models.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
