"""Option values of the common kinds read without pydantic; the rest as Typer reads them.

Typer (0.2x) converts every option value through a pydantic TypeAdapter, built for each
parameter of the command even when the option is not given: importing pydantic and building
some twenty adapters cost every command some 50 ms before it did anything. Here a parameter
whose value is absent, or a plain string, or an integer or decimal number in its range, is
read directly; anything else (a value out of range, a number in another notation, a path, a
choice) goes to Typer's own conversion, so its messages stay Typer's, word for word.

It replaces the lazy getter of Typer's `_runtime_param` (Typer 0.2x's parameter class) in
this process; with a Typer that has none, nothing is replaced and Typer converts every value
itself. Only the command line installs it, never the Python API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

try:
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer.core import _TyperParameter
except ImportError:  # a Typer without the adapter layer: it needs no help
    RuntimeParam = None  # type: ignore[assignment,misc]

_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
_DECIMAL = re.compile(r"(?:0|[1-9][0-9]{0,15})(?:\.[0-9]{1,15})?")
_MISSING = object()


def _plain(value: Any, annotation: Any, info: Any) -> Any:
    """The value as Typer would convert it, or _MISSING when only Typer can tell."""
    if info.parser is not None:
        return _MISSING
    if annotation is str:
        return value if type(value) is str else _MISSING
    if annotation is int:
        number = int(value) if type(value) is str and _INTEGER.fullmatch(value) else value
        if type(number) is not int:
            return _MISSING
    elif annotation is float:
        if type(value) is str and _DECIMAL.fullmatch(value):
            number = float(value)
        elif type(value) is float:
            number = value
        else:
            return _MISSING
    else:
        return _MISSING
    if (info.min is not None and number < info.min) or (info.max is not None and number > info.max):
        return _MISSING  # Typer words the refusal (or clamps)
    return number


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):
        """Typer's conversion of one parameter, without pydantic for the common values."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            result = _plain(value, self.annotation, self.parameter_info)
            if result is not _MISSING:
                return result
            typer_own = build_runtime_param(param.type_descriptor)
            param._runtime_param = typer_own  # Typer's own from now on
            return typer_own._coerce_value(value, param=param, ctx=ctx)


def install() -> None:
    """Make every Typer parameter of this process start with the plain conversion."""
    if RuntimeParam is None or getattr(_TyperParameter, "plain_conversion", False):
        return

    def get_runtime_param(param: Any) -> Any:
        if param._runtime_param is None:
            descriptor = param.type_descriptor
            param._runtime_param = PlainRuntimeParam(
                parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
            )
        return param._runtime_param

    _TyperParameter.get_runtime_param = get_runtime_param  # type: ignore[method-assign,assignment]
    _TyperParameter.plain_conversion = True  # type: ignore[attr-defined]
