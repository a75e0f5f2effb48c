"""Auto-prompt, as the AWS CLI v2's `--cli-auto-prompt` and `cli_auto_prompt`.

- `on` (`--cli-auto-prompt`, or the setting): before the command runs, ask for each required
  parameter not given, then for any other options, show the whole command, and run it.
- `on-partial`: ask only when the command is incomplete (a required parameter is missing);
  a complete command runs as typed.
- `off` (`--no-cli-auto-prompt`, or the default): never.

It asks on the terminal, one line per parameter: an enum member offers its valid values
(Tab completes them where Python has readline), and a secret member is left to the hidden
prompt every secret flag already has, so it is never echoed nor shown in the command.
Without a terminal there is nobody to ask: where the AWS CLI v2 would draw its prompt on a
pipe (aws/aws-cli#8330), this is a usage error (252) saying so.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from agentcore_identity_cli.errors import UsageError

if TYPE_CHECKING:
    from agentcore_identity_cli.cli.context import AppContext

PROG = "agentcore-identity"
_NO_PROMPT_FLAGS = ("--generate-cli-skeleton",)


def prompt_for_args(ctx: Any, command: Any, operation: str, args: list[str]) -> list[str]:
    """The command's arguments, completed at the terminal when auto-prompt is on for this invocation."""
    app_ctx: AppContext | None = getattr(ctx.find_root(), "obj", None)
    mode = getattr(getattr(app_ctx, "settings", None), "auto_prompt", "off")
    if app_ctx is None or mode == "off" or any(a.split("=", 1)[0] in _NO_PROMPT_FLAGS for a in args):
        return args
    given = _given_flags(args)
    missing = [p for p in _options(command) if p.required and not given.intersection(p.opts)]
    if mode == "on-partial" and not missing:
        return args
    if not app_ctx.io.can_prompt:
        raise UsageError(
            f"Auto-prompt ({_where(app_ctx)}) needs a terminal to ask on, and standard input or standard "
            "error is not one.",
            hint="give every required parameter on the command line, or add --no-cli-auto-prompt",
        )
    members = _members(operation)
    asker = _Asker(app_ctx)
    added: list[str] = []
    for param in missing:
        flag = param.opts[0]
        member = members.get(_member_name(flag))
        choices = list(getattr(member, "enum", None) or [])
        answer = asker.ask_value(flag, choices)
        # A list parameter takes several words after its flag (`--tag-keys a b`), as typed.
        added += [flag, *_words(answer)] if getattr(param, "multiple", False) else [flag, answer]
    if mode == "on":
        others = [
            opt
            for p in _options(command)
            if not p.hidden and not given.intersection(p.opts) and p not in missing
            for opt in p.opts[:1]
        ]
        added += asker.ask_more(others)
    full = [*args, *added]
    # Secrets are never asked here: the command's own hidden prompt asks for them once it runs.
    app_ctx.io.warn(f"> {PROG} {shlex.join([*_global_words(ctx.find_root()), command.name, *full])}")
    return full


def _global_words(root: Any) -> list[str]:
    """The global options of this invocation as they were given, for the command shown."""
    words: list[str] = []
    for param in root.command.params:
        value = root.params.get(param.name)
        if value is None or value is False or not param.opts:
            continue
        words += [param.opts[0]] if value is True else [param.opts[0], str(value)]
    return words


def _words(answer: str) -> list[str]:
    try:
        return shlex.split(answer)
    except ValueError as exc:
        raise UsageError(f"The value typed cannot be read: {exc}.") from None


def _where(app_ctx: AppContext) -> str:
    source = app_ctx.settings.source("cli_auto_prompt")
    return source.location or "cli_auto_prompt"


def _given_flags(args: list[str]) -> set[str]:
    given: set[str] = set()
    for word in args:
        if word == "--":
            break
        if word.startswith("-"):
            given.add(word.split("=", 1)[0])
    return given


def _options(command: Any) -> list[Any]:
    return [
        p
        for p in command.params
        if getattr(p, "param_type_name", "") == "option" and p.opts and p.opts[0].startswith("--")
    ]


def _member_name(flag: str) -> str:
    head, *rest = flag.lstrip("-").split("-")
    return head + "".join(word.capitalize() for word in rest)


def _members(operation: str) -> dict[str, Any]:
    from agentcore_identity_cli.cli.cliinput import _operation_model

    shape = _operation_model(operation).input_shape
    return dict(shape.members) if shape is not None else {}


class _Asker:
    """One line at a time on the terminal; prompts on stderr when stdout is not the terminal."""

    def __init__(self, app_ctx: AppContext) -> None:
        self.io = app_ctx.io

    def ask_value(self, flag: str, choices: list[str]) -> str:
        from agentcore_identity_cli.models.constraints import did_you_mean

        label = f"{flag} ({' | '.join(choices)}): " if choices else f"{flag}: "
        while True:
            answer = self._line(label, choices).strip()
            if not answer:
                self.io.warn(f"{flag} is required.")
            elif choices and answer not in choices:
                guess = did_you_mean(answer, choices)
                self.io.warn(f"Choose one of the values shown{f' (did you mean {guess!r}?)' if guess else ''}.")
            else:
                return answer

    def ask_more(self, options: list[str]) -> list[str]:
        if not options:
            return []
        self.io.warn(f"Other options: {' '.join(options)}")
        return _words(self._line("Add options (Enter to run the command): ", options))

    def _line(self, label: str, words: list[str]) -> str:
        stdin, stdout = self.io.stdin, self.io.stdout
        try:
            if stdout.isatty() and stdin is sys.stdin:
                with _completion(words):
                    return input(label)
            self.io.stderr.write(label)
            self.io.stderr.flush()
            line = stdin.readline()
        except EOFError:
            line = ""
        else:
            if line:
                return line.rstrip("\n")
        from typer.exceptions import Abort

        raise Abort()  # Ctrl-D: as Ctrl-C, nothing runs


@contextmanager
def _completion(words: list[str]) -> Iterator[None]:
    """Tab completes the words offered, through readline where Python has it."""
    try:
        import readline
    except ImportError:  # Windows: no completion, the prompt still works
        yield
        return
    previous: Callable[[str, int], str | None] | None = readline.get_completer()
    delims = readline.get_completer_delims()

    def complete(text: str, state: int) -> str | None:
        matches = [w for w in words if w.startswith(text)]
        return matches[state] if state < len(matches) else None

    readline.set_completer(complete)
    readline.set_completer_delims(" \t\n")
    readline.parse_and_bind("tab: complete")
    try:
        yield
    finally:
        readline.set_completer(previous)
        readline.set_completer_delims(delims)
