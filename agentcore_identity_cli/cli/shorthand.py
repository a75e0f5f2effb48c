"""The AWS CLI's shorthand syntax for structured parameters.

    Key=Value,Key2=Value2          a structure or map
    key=[a,b],other={k=v,k2=v2}    lists and nested structures
    key='a,b' or key="a=b"         quoted values keep commas, equals and brackets

A parse error says where it happened, with a caret under the position.
"""

from __future__ import annotations

from typing import Any

from agentcore_identity_cli.errors import UsageError

_STOP_VALUE = ",]}"

# No AWS shape nests nearly this deep; the limit keeps "a={a={..." from exhausting the stack.
MAX_NESTING = 32


class ShorthandError(UsageError):
    """The value is not valid shorthand."""


class _Parser:
    def __init__(self, text: str, flag: str, echo: bool = True) -> None:
        self.text = text
        self.flag = flag
        self.echo = echo
        self.pos = 0
        self.depth = 0

    def fail(self, message: str) -> ShorthandError:
        head = f"Error parsing parameter '{self.flag}': {message} at position {self.pos}"
        if not self.echo:
            return ShorthandError(head + " (the value is not shown: it may hold a secret)")
        # The caret goes under the line where the error is (file:// values span lines).
        start = self.text.rfind("\n", 0, self.pos) + 1
        end = self.text.find("\n", self.pos)
        line = self.text[start : end if end >= 0 else len(self.text)]
        caret = " " * (self.pos - start) + "^"
        return ShorthandError(f"{head}\n{line}\n{caret}")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_space(self) -> None:
        while self.peek() and self.peek().isspace():
            self.pos += 1

    def expect(self, char: str) -> None:
        self.skip_space()
        if self.peek() != char:
            found = repr(self.peek()) if self.peek() else "end of input"
            raise self.fail(f"expected '{char}', found {found}")
        self.pos += 1

    def parse(self) -> dict[str, Any]:
        result = self.structure(top=True)
        self.skip_space()
        if self.pos != len(self.text):
            raise self.fail("unexpected text")
        return result

    def structure(self, top: bool = False) -> dict[str, Any]:
        result: dict[str, Any] = {}
        closing = "" if top else "}"
        while True:
            self.skip_space()
            if self.peek() == closing and closing:
                return result
            key = self.key()
            self.expect("=")
            result[key] = self.value(top)
            self.skip_space()
            if self.peek() == ",":
                self.pos += 1
                continue
            if (top and not self.peek()) or (not top and self.peek() == "}"):
                return result
            raise self.fail("expected ',' or the end of the structure")

    def key(self) -> str:
        self.skip_space()
        start = self.pos
        while self.peek() and (self.peek().isalnum() or self.peek() in "-_.:/@+"):
            self.pos += 1
        if start == self.pos:
            raise self.fail("expected a key")
        return self.text[start : self.pos]

    def value(self, top: bool) -> Any:
        self.skip_space()
        char = self.peek()
        if char in ("{", "["):
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise self.fail(f"nested more than {MAX_NESTING} levels deep")
            try:
                return self.container(char)
            finally:
                self.depth -= 1
        return self.scalar()

    def container(self, char: str) -> Any:
        if char == "{":
            self.pos += 1
            result = self.structure()
            self.expect("}")
            return result
        self.pos += 1
        items: list[Any] = []
        self.skip_space()
        if self.peek() == "]":
            self.pos += 1
            return items
        while True:
            items.append(self.value(top=False))
            self.skip_space()
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect("]")
            return items

    def scalar(self) -> str:
        self.skip_space()
        char = self.peek()
        if char in ("'", '"'):
            end = self.text.find(char, self.pos + 1)
            if end < 0:
                raise self.fail("unterminated quoted value")
            value = self.text[self.pos + 1 : end]
            self.pos = end + 1
            return value
        start = self.pos
        while self.peek() and self.peek() not in _STOP_VALUE:
            self.pos += 1
        return self.text[start : self.pos].strip()


def parse_shorthand(text: str, flag: str, *, echo: bool = True) -> dict[str, Any]:
    """Parse shorthand into a dict, or raise ShorthandError (exit 252) naming the position.

    echo=False keeps the value out of the error message, for values that may hold a secret.
    """
    return _Parser(text, flag, echo).parse()
