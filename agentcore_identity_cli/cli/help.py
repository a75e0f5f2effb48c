"""Help pages, laid out as gh lays them out and named as the AWS CLI names things.

`install(root)` makes every command of the tree render its help here, whichever way it is
asked for (`--help`, `-h`, `help COMMAND`, `COMMAND help`, a group with no subcommand).
`help_request(args, root)` turns the AWS CLI's and gh's `help` words into `--help`.

A page: the description, USAGE, ARGUMENTS, the commands (grouped by service on the root
page), FLAGS, GLOBAL FLAGS and LEARN MORE. Names go in a first column and descriptions in a
second; a name too long for the first column gets its description on the lines below, so no
flag or command name is ever cut, at any width. A flag shows the kind of value it takes
(`string`, `strings` for several, `int`, `float`, `path`) and nothing for a switch. Headings
are bold only when colour is on: --color on, or stdout is a terminal, NO_COLOR is unset and
neither --no-color nor --color off was given (click's `ctx.color`, set by main()).
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import MethodType
from typing import Any

from typer import _click as click

from agentcore_identity_cli.cli.root import GLOBAL_OPTIONS, AwsCommand

PROG = "agentcore-identity"
MAX_WIDTH = 100  # lines longer than this are hard to read, however wide the terminal
MIN_WIDTH = 40
GAP = 3  # spaces between a name and its description
MIN_TEXT = 36  # columns kept for descriptions beside the names
INDENT = 2
# The root page groups the commands of each AWS CLI service; the rest come after.
SERVICE_SECTIONS = {
    "bedrock-agentcore-control": "CONTROL PLANE COMMANDS (aws bedrock-agentcore-control)",
    "bedrock-agentcore": "DATA PLANE COMMANDS (aws bedrock-agentcore)",
}
MORE_COMMANDS = "MORE COMMANDS"
HELP_WORD = "help"
HELP_FLAGS = ("-h", "--help")
BOLD, RESET = "\033[1m", "\033[0m"


# --- wiring -------------------------------------------------------------------------------


def install(command: click.Command) -> None:
    """Render the help of `command` and of every command below it with this module."""

    def format_help(self: click.Command, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write(render(ctx, self))

    setattr(command, "format_help", MethodType(format_help, command))  # noqa: B010 - an instance's own method
    for sub in _subcommands(command).values():
        install(sub)


def listing(app: Any) -> click.Command:
    """The command tree of the root's help page: every command with its name and description,
    none with its parameters, which that page does not show and Typer takes most of its time to
    build. The groups (vault, configure, ...) are built whole."""
    import copy
    import inspect

    import typer

    bare = copy.copy(app)
    bare.registered_commands = []
    for info in app.registered_commands:
        entry = copy.copy(info)
        entry.help = info.help if info.help is not None else inspect.getdoc(info.callback)
        entry.callback = _listed
        bare.registered_commands.append(entry)
    command: click.Command = typer.main.get_command(bare)
    return command


def _listed() -> None:
    pass


def help_request(args: list[str], root: click.Command, global_options: dict[str, bool]) -> list[str]:
    """`help [COMMAND...]` and `COMMAND... help` as `COMMAND... --help`; other command lines unchanged.

    `args` has the global options first (main() moves them there). As in the AWS CLI, `help` asks
    for help where the command expects a subcommand or an argument, not where it is an option's value
    (`--name help`); `--` ends the search, so `token -- help` names a provider called help.
    """
    start = 0
    while start < len(args) and args[start].startswith("-") and args[start] != "--":
        name = args[start].split("=", 1)[0]
        start += 2 if global_options.get(name) and "=" not in args[start] else 1
    front, rest = args[:start], args[start:]
    if rest[:1] == [HELP_WORD]:
        return [*front, *rest[1:], "--help"] if len(rest) > 1 else [*front, "--help"]
    node, path = root, []
    for word in rest:
        commands = _subcommands(node)
        if word not in commands:
            break
        node = commands[word]
        path.append(word)
    if _asks_for_help(rest[len(path) :], node):
        return [*front, *path, "--help"]
    return args


def click_color(args: list[str]) -> bool | None:
    """click's `color` for this command line: --no-color and --color off/on decide; None: a terminal does.

    Help pages are printed before the global options are resolved, so they are read here.
    """
    for number, word in enumerate(args):
        if word == "--":
            break
        if word == "--no-color":
            return False
        value = word.removeprefix("--color=") if word.startswith("--color=") else None
        if word == "--color" and number + 1 < len(args):
            value = args[number + 1]
        if value in ("on", "off"):
            return value == "on"
    return None


def _asks_for_help(words: list[str], command: click.Command) -> bool:
    """Whether `help` stands among `words` where `command` takes a subcommand or an argument."""
    options = {name: param for param in command.params for name in (*param.opts, *param.secondary_opts)}
    listing = False  # after an AWS-style list option (`--tag-keys a b c`), words are its values
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word == "--":
            return False
        if word.startswith("-") and len(word) > 1:
            param = options.get(word.split("=", 1)[0])
            takes_value = param is not None and _takes_value(param) and "=" not in word
            listing = takes_value and bool(getattr(param, "multiple", False)) and _lists_like_aws(command)
            skip = takes_value and not listing
            continue
        if word == HELP_WORD and not listing:
            return True
    return False


def _lists_like_aws(command: click.Command) -> bool:
    return isinstance(command, AwsCommand)


def _subcommands(command: click.Command) -> dict[str, click.Command]:
    commands = getattr(command, "commands", None)
    return dict(commands) if isinstance(commands, dict) else {}


def suggest_options(error: click.exceptions.NoSuchOption, global_options: Iterable[str]) -> None:
    """Did-you-mean for an unknown option after the command name: its own flags and the global ones."""
    import difflib

    command = error.ctx.command if error.ctx is not None else None
    names = [*global_options, *HELP_FLAGS]
    if command is not None:
        names += [name for param in command.params for name in (*param.opts, *param.secondary_opts)]
    error.possibilities = difflib.get_close_matches(error.option_name, sorted(set(names)))


# --- the page -----------------------------------------------------------------------------


def render(ctx: click.Context, command: click.Command) -> str:
    """The help page of `command` in `ctx`, ready to print."""
    width = page_width()
    emphasis = _bold if _colour(ctx) else _plain
    subcommands = _subcommands(command)
    is_root = ctx.parent is None
    blocks: list[str] = []
    description = _description(command)
    if description:
        blocks.append("\n".join(_paragraphs(description, width)))
    blocks.append(_section(emphasis, "USAGE", _usage(ctx, command, width)))
    arguments = [p for p in command.params if _is_argument(p)]
    if arguments:
        blocks.append(_section(emphasis, "ARGUMENTS", _columns([_argument_row(p) for p in arguments], width)))
    if subcommands:
        for title, names in _command_sections(ctx, command, is_root):
            rows = [(name, _summary(subcommands[name])) for name in names]
            blocks.append(_section(emphasis, title, _columns(rows, width)))
    own = [_option_row(ctx, p) for p in _options(ctx, command)]
    if own:
        blocks.append(_section(emphasis, "GLOBAL FLAGS" if is_root else "FLAGS", _columns(own, width)))
    if not is_root:
        root = ctx.find_root()
        # Those that may follow the command name (main() moves them to the front).
        inherited = [_option_row(root, p) for p in _options(root, root.command) if set(p.opts) & set(GLOBAL_OPTIONS)]
        blocks.append(_section(emphasis, "GLOBAL FLAGS", _columns(inherited, width)))
    blocks.append(_section(emphasis, "LEARN MORE", _learn_more(ctx, command, width)))
    return "\n\n".join(blocks) + "\n"


def page_width() -> int:
    """The terminal's width (COLUMNS first, as shutil reads it), within MIN_WIDTH..MAX_WIDTH."""
    return max(MIN_WIDTH, min(MAX_WIDTH, shutil.get_terminal_size((80, 24)).columns))


def _colour(ctx: click.Context) -> bool:
    if ctx.color is not None:
        return bool(ctx.color)
    from agentcore_identity_cli.iostreams import IOStreams

    return IOStreams().color


def _bold(text: str) -> str:
    return f"{BOLD}{text}{RESET}"


def _plain(text: str) -> str:
    return text


def _section(emphasis: Callable[[str], str], title: str, lines: Sequence[str]) -> str:
    return "\n".join([emphasis(title), *lines])


def _description(command: click.Command) -> str:
    return (command.help or "").replace("\b", "").strip()


def _paragraphs(text: str, width: int, indent: str = "") -> list[str]:
    lines: list[str] = []
    for number, paragraph in enumerate(p for p in text.split("\n\n") if p.strip()):
        if number:
            lines.append("")
        lines.extend(
            textwrap.wrap(
                " ".join(paragraph.split()),
                width,
                initial_indent=indent,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return [line.replace(_KEEP, " ") for line in lines]


def _summary(command: click.Command) -> str:
    """A command's description in a listing: its first paragraph, whole (click would cut it at 45)."""
    return " ".join(_description(command).split("\n\n")[0].split())


# --- usage --------------------------------------------------------------------------------


def _usage(ctx: click.Context, command: click.Command, width: int) -> list[str]:
    words = [ctx.command_path]
    if _subcommands(command):
        words.append("<command>")
    else:
        for param in command.params:
            if _is_argument(param):
                words.append(_argument_name(param) if param.required else f"[{_argument_name(param)}]")
            elif param.required and not getattr(param, "hidden", False):
                words.append(f"{_long_name(param)}{_KEEP}{_value_word(param)}")
    words.append("[flags]")
    indent = " " * INDENT
    lines = textwrap.wrap(
        " ".join(words),
        width,
        initial_indent=indent,
        subsequent_indent=indent * 3,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [line.replace(_KEEP, " ") for line in lines]


_KEEP = "\x00"  # a space that wrapping must not break: between a flag and its value


def _long_name(param: click.Parameter) -> str:
    return next((name for name in param.opts if name.startswith("--")), param.opts[0])


# --- commands -----------------------------------------------------------------------------


def _command_sections(ctx: click.Context, group: click.Command, is_root: bool) -> list[tuple[str, list[str]]]:
    names = [n for n in _list_commands(ctx, group) if not getattr(_subcommands(group)[n], "hidden", False)]
    if not is_root:
        return [("COMMANDS", names)]
    from agentcore_identity_cli.backends.base import operations

    services = {_squash(operation): spec["service"] for operation, spec in operations().items()}
    sections: dict[str, list[str]] = {title: [] for title in (*SERVICE_SECTIONS.values(), MORE_COMMANDS)}
    for name in names:
        service = services.get(_squash(name))
        sections[SERVICE_SECTIONS.get(service or "", MORE_COMMANDS)].append(name)
    return [(title, members) for title, members in sections.items() if members]


def _list_commands(ctx: click.Context, group: click.Command) -> list[str]:
    lister = getattr(group, "list_commands", None)
    return list(lister(ctx)) if lister else sorted(_subcommands(group))


def _squash(name: str) -> str:
    """An operation or command name without case or dashes: GetWorkloadAccessTokenForJWT ~ get-...-for-jwt."""
    return name.replace("-", "").lower()


# --- flags and arguments ------------------------------------------------------------------


def _options(ctx: click.Context, command: click.Command) -> list[click.Parameter]:
    """The options of a command as the user may type them, the help option last."""
    params = [p for p in command.get_params(ctx) if not _is_argument(p)]
    visible = [p for p in params if not getattr(p, "hidden", False)]
    return [p for p in visible if not _is_help(p)] + [p for p in visible if _is_help(p)]


def _is_argument(param: click.Parameter) -> bool:
    return param.param_type_name == "argument"


def _is_help(param: click.Parameter) -> bool:
    return bool(set(param.opts) & set(HELP_FLAGS)) and bool(getattr(param, "is_eager", False))


def _takes_value(param: click.Parameter) -> bool:
    return not (getattr(param, "is_flag", False) or getattr(param, "count", False))


def _option_row(ctx: click.Context, param: click.Parameter) -> tuple[str, str]:
    names = sorted(param.opts, key=lambda n: (n.startswith("--"), n))
    label = ", ".join(names)
    if param.secondary_opts:
        label += " | " + ", ".join(param.secondary_opts)
    if _takes_value(param):
        label += f" {_value_word(param)}"
    return label, _option_help(ctx, param)


def _option_help(ctx: click.Context, param: click.Parameter) -> str:
    if _is_help(param):
        return "Show help for this command."
    notes: list[str] = []
    if param.required:
        notes.append("required")
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is not None and high is not None:
        notes.append(f"{low} to {high}")
    elif low is not None:
        notes.append(f"at least {low}")
    elif high is not None:
        notes.append(f"at most {high}")
    default = _default(ctx, param)
    if default is not None:
        notes.append(f"default {default}")
    text = (getattr(param, "help", None) or "").strip()
    return f"{text} ({'; '.join(notes)})".strip() if notes else text


def _default(ctx: click.Context, param: click.Parameter) -> str | None:
    if param.required or getattr(param, "show_default", True) is False or not _takes_value(param):
        return None
    value = param.default
    if callable(value) or value is None or value == "" or isinstance(value, list | tuple):
        return None
    return str(value)


def _value_word(param: click.Parameter) -> str:
    """The kind of value a flag takes, as gh names it."""
    if param.metavar:
        return str(param.metavar)
    descriptor = getattr(param, "type_descriptor", None)
    annotation: Any = getattr(descriptor, "annotation", None)
    several = bool(getattr(descriptor, "is_list", False) or getattr(param, "multiple", False))
    if getattr(descriptor, "is_path", False) or annotation is Path:
        word = "path"
    elif annotation is int:
        word = "int"
    elif annotation is float:
        word = "float"
    elif annotation is bool:
        word = "boolean"
    else:
        word = "string"
    return f"{word}s" if several else word


def _argument_name(param: click.Parameter) -> str:
    return str(param.metavar or (param.name or "value").upper())


def _argument_row(param: click.Parameter) -> tuple[str, str]:
    return _argument_name(param), (getattr(param, "help", None) or "").strip()


# --- learn more ---------------------------------------------------------------------------


def _learn_more(ctx: click.Context, command: click.Command, width: int) -> list[str]:
    path = ctx.command_path.removeprefix(PROG).strip()
    where = f"{path} " if path else ""
    lines: list[str] = []
    if _subcommands(command):
        lines.append(
            f"Use {_unbroken(f'{PROG} help {where}<command>')} or {_unbroken(f'{PROG} {where}<command> --help')} "
            "for more about a command."
        )
    lines.append("Global flags may stand before or after the command name.")
    if ctx.parent is None:
        lines.append(
            "Exit codes: 0 done, 252 bad command line, 253 bad configuration, 254 refused by the service "
            "(either backend), 255 anything else, 130 interrupted."
        )
    return [line for text in lines for line in _paragraphs(text, width - INDENT, " " * INDENT)]


# --- two columns --------------------------------------------------------------------------


def _unbroken(command: str) -> str:
    """A quoted command line that wrapping keeps on one line."""
    return "'" + command.replace(" ", _KEEP) + "'"


def _columns(rows: Iterable[tuple[str, str]], width: int) -> list[str]:
    """Names in a first column and descriptions in a second, wrapped; long names never cut.

    The first column is as wide as its longest name, as long as MIN_TEXT columns are left for
    the descriptions; a longer name gets its description on the lines below, at the second column.
    """
    rows = list(rows)
    if not rows:
        return []
    longest = max(len(name) for name, _ in rows)
    first = min(longest, max(16, width - INDENT - GAP - MIN_TEXT))
    start = INDENT + first + GAP
    if width - start < 24:  # too narrow for two columns: every description below its name
        start = INDENT * 3
    text_width = max(20, width - start)
    lines: list[str] = []
    for name, text in rows:
        # A description's word longer than its column (a long value syntax) is broken; a name never is.
        wrapped = textwrap.wrap(text, text_width, break_on_hyphens=False) if text else []
        head = " " * INDENT + name
        if wrapped and len(head) + GAP <= start:
            lines.append(head.ljust(start) + wrapped[0])
            wrapped = wrapped[1:]
        else:
            lines.append(head)
        lines.extend(" " * start + line for line in wrapped)
    return lines
