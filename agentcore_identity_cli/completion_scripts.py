"""Static shell completion scripts (bash, zsh, fish) rendered from the click command tree.

The scripts are plain shell code generated ahead of time (``scripts/generate_completions.py``)
and committed under ``completions/``: pressing TAB starts no Python interpreter. They know
the subcommands (nested groups included), the options of every command, the global options
of the root group (valid before or after the subcommand name, as ``hoist_global_options``
allows), the values of Choice options, and file names for options that take a file or path.

Only the public parts of the tree are rendered: hidden commands and hidden options are skipped.
The output is deterministic: commands and options are sorted by name.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from typer import _click as click

__all__ = [
    "PROG_NAME",
    "CommandSpec",
    "OptionSpec",
    "build_spec",
    "cli_value_choices",
    "load_cli_group",
    "render_all",
    "render_bash",
    "render_cli",
    "render_fish",
    "render_zsh",
]

PROG_NAME = "agentcore-identity"
GENERATOR = "scripts/generate_completions.py"
_SUMMARY_LIMIT = 100


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class OptionSpec:
    """One option of a command, as the completion scripts need it."""

    names: tuple[str, ...]
    """Every spelling (``--help``, ``-h``; ``--debug``, ``--no-debug``), long names first."""
    help: str
    takes_value: bool
    choices: tuple[str, ...] = ()
    files: bool = False
    multiple: bool = False
    eager: bool = False

    @property
    def key(self) -> str:
        """The name the option is sorted and described by."""
        return self.names[0]


@dataclass(frozen=True)
class CommandSpec:
    """A command or group; ``path`` is empty for the root group."""

    path: tuple[str, ...]
    help: str
    options: tuple[OptionSpec, ...]
    commands: tuple[CommandSpec, ...]
    is_group: bool

    @property
    def name(self) -> str:
        """The last word of the path (empty for the root)."""
        return self.path[-1] if self.path else ""

    @property
    def key(self) -> str:
        """The path as one string, words separated by spaces (empty for the root)."""
        return " ".join(self.path)

    def walk(self) -> list[CommandSpec]:
        """This command and every command below it, depth first, in name order."""
        found = [self]
        for sub in self.commands:
            found.extend(sub.walk())
        return found


def _summary(text: str | None) -> str:
    """The first sentence of a help text, on one line, at most _SUMMARY_LIMIT characters."""
    if not text:
        return ""
    paragraph = re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0]
    line = " ".join(paragraph.split())
    line = re.split(r"(?<=[.!?])\s", line, maxsplit=1)[0]
    line = line.replace("\b", "").strip()
    if len(line) > _SUMMARY_LIMIT:
        line = line[: _SUMMARY_LIMIT - 3].rstrip() + "..."
    return line


def _choice_text(choice: Any) -> str:
    return str(choice.value) if isinstance(choice, Enum) else str(choice)


def _param_choices(param: click.Parameter) -> tuple[str, ...]:
    """The values of a Choice parameter: click's ``type.choices`` or Typer's Enum/Literal descriptor."""
    choices: Any = getattr(getattr(param, "type", None), "choices", None)
    if not choices:
        descriptor = getattr(param, "type_descriptor", None)
        choices = getattr(descriptor, "choices", None)
    if not choices:
        return ()
    return tuple(sorted({_choice_text(choice) for choice in choices}))


def _param_takes_files(param: click.Parameter) -> bool:
    """Whether the value is a file or path (click Path/File types, Typer Path/File annotations)."""
    type_name = type(getattr(param, "type", None)).__name__
    if type_name in ("Path", "File"):
        return True
    descriptor = getattr(param, "type_descriptor", None)
    return bool(getattr(descriptor, "is_file", False) or getattr(descriptor, "is_path", False))


def _option_order(name: str) -> tuple[bool, str]:
    return (not name.startswith("--"), name)


def _option_spec(param: click.Parameter, value_choices: Mapping[str, Sequence[str]]) -> OptionSpec:
    names = tuple(sorted({*param.opts, *param.secondary_opts}, key=_option_order))
    is_flag = bool(getattr(param, "is_flag", False) or getattr(param, "count", False))
    choices = _param_choices(param)
    if not choices and not is_flag:
        for name in names:
            if name in value_choices:
                choices = tuple(sorted(set(value_choices[name])))
                break
    return OptionSpec(
        names=names,
        help=_summary(getattr(param, "help", None)),
        takes_value=not is_flag,
        choices=() if is_flag else choices,
        files=not is_flag and not choices and _param_takes_files(param),
        multiple=bool(param.multiple),
        eager=bool(param.is_eager),
    )


def _subcommands(command: click.Command) -> Mapping[str, click.Command] | None:
    commands = getattr(command, "commands", None)
    return commands if isinstance(commands, Mapping) else None


def _build(
    command: click.Command,
    ctx: click.Context,
    path: tuple[str, ...],
    value_choices: Mapping[str, Sequence[str]],
) -> CommandSpec:
    options = [
        _option_spec(param, value_choices)
        for param in command.get_params(ctx)
        if param.param_type_name == "option" and not getattr(param, "hidden", False)
    ]
    children = _subcommands(command)
    subs: list[CommandSpec] = []
    for name in sorted(children or {}):
        sub = (children or {})[name]
        if getattr(sub, "hidden", False):
            continue
        sub_ctx = click.Context(sub, parent=ctx, info_name=name, **sub.context_settings)
        subs.append(_build(sub, sub_ctx, (*path, name), value_choices))
    return CommandSpec(
        path=path,
        help=_summary(command.short_help or command.help),
        options=tuple(sorted(options, key=lambda option: _option_order(option.key))),
        commands=tuple(subs),
        is_group=children is not None,
    )


def build_spec(
    group: click.Command,
    *,
    prog_name: str = PROG_NAME,
    value_choices: Mapping[str, Sequence[str]] | None = None,
) -> CommandSpec:
    """The visible command tree of ``group`` (the root click group of a Typer app).

    ``value_choices`` maps an option name (``--output``) to the values to complete for it,
    for options whose type is a plain string checked in code rather than a Choice.
    """
    ctx = click.Context(group, info_name=prog_name, **group.context_settings)
    return _build(group, ctx, (), value_choices or {})


def _globals(root: CommandSpec) -> tuple[OptionSpec, ...]:
    """The root options that are valid after a subcommand name too (the eager ones act at once)."""
    return tuple(option for option in root.options if not option.eager)


def _effective_options(command: CommandSpec, globals_: Sequence[OptionSpec]) -> tuple[OptionSpec, ...]:
    """The options of a command plus the global options it does not shadow, sorted."""
    if not command.path:
        return command.options
    own = {name for option in command.options for name in option.names}
    extra = [option for option in globals_ if not own.intersection(option.names)]
    return tuple(sorted([*command.options, *extra], key=lambda option: _option_order(option.key)))


def _value_names(command: CommandSpec, global_names: Collection[str]) -> tuple[list[str], list[str]]:
    """A command's option names that take a value, and its flags that shadow a global option."""
    takes = [name for option in command.options if option.takes_value for name in option.names]
    shadows = [
        name for option in command.options if not option.takes_value for name in option.names if name in global_names
    ]
    return takes, shadows


def _identifier(prog_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", prog_name)


def _header(shell: str, prog_name: str, install: Iterable[str]) -> list[str]:
    return [
        f"# {shell} completion for {prog_name}.",
        f"# Generated by {GENERATOR} from the command tree: do not edit by hand;",
        f"# run `python {GENERATOR}` after changing commands or options.",
        "# Completion is plain shell code: pressing TAB starts no Python interpreter.",
        "#",
        "# Install:",
        *(f"#   {line}" if line else "#" for line in install),
    ]


# --------------------------------------------------------------------------- bash


def _sh_quote(text: str) -> str:
    """A POSIX-shell single-quoted word."""
    return "'" + text.replace("'", "'\\''") + "'"


def render_bash(root: CommandSpec, prog_name: str = PROG_NAME) -> str:
    """The bash completion script (bash 3.2 or later; bash-completion not needed)."""
    fn = "_" + _identifier(prog_name)
    globals_ = _globals(root)
    global_names = {name for option in globals_ for name in option.names}
    commands = root.walk()
    out = _header(
        "Bash",
        prog_name,
        [
            f"source completions/{prog_name}.bash        # in ~/.bashrc, with the full path",
            "or, with the bash-completion package:",
            f"cp completions/{prog_name}.bash ~/.local/share/bash-completion/completions/{prog_name}",
        ],
    )

    # Subcommand names of a group.
    out += ["", f"{fn}_commands() {{", '    case "$1" in']
    for command in commands:
        if command.commands:
            words = " ".join(sub.name for sub in command.commands)
            out.append(f"        {_sh_quote(command.key)}) reply={_sh_quote(words)} ;;")
    out += ["        *) reply='' ;;", "    esac", "}"]

    # Option names of a command, global options included.
    out += ["", f"{fn}_options() {{", '    case "$1" in']
    for command in commands:
        words = " ".join(name for option in _effective_options(command, globals_) for name in option.names)
        out.append(f"        {_sh_quote(command.key)}) reply={_sh_quote(words)} ;;")
    out += ["        *) reply='' ;;", "    esac", "}"]

    # Whether an option takes a value (the next word is not a subcommand then).
    out += ["", f"{fn}_takes_value() {{", '    case "$1" in']
    for command in commands:
        takes, shadows = _value_names(command, global_names)
        if not takes and not shadows:
            continue
        out.append(f"        {_sh_quote(command.key)})")
        out.append('            case "$2" in')
        if takes:
            out.append(f"                {'|'.join(takes)}) return 0 ;;")
        if shadows:
            out.append(f"                {'|'.join(shadows)}) return 1 ;;")
        out += ["            esac", "            ;;"]
    out.append("    esac")
    global_takes = [name for option in globals_ if option.takes_value for name in option.names]
    if global_takes:
        out += ['    case "$2" in', f"        {'|'.join(global_takes)}) return 0 ;;", "    esac"]
    out += ["    return 1", "}"]

    # Values of an option: 0 = the words in $reply, 2 = file names, 1 = nothing to offer.
    def value_arms(options: Iterable[OptionSpec], indent: str, shadowing: bool) -> list[str]:
        arms: list[str] = []
        for option in options:
            pattern = "|".join(option.names)
            if option.choices:
                arms.append(f"{indent}{pattern}) reply={_sh_quote(' '.join(option.choices))}; return 0 ;;")
            elif option.files:
                arms.append(f"{indent}{pattern}) return 2 ;;")
            elif shadowing and global_names.intersection(option.names):
                arms.append(f"{indent}{pattern}) return 1 ;;")
        return arms

    out += ["", f"{fn}_values() {{", "    reply=''", '    case "$1" in']
    for command in commands:
        arms = value_arms(command.options, " " * 16, shadowing=bool(command.path))
        if arms:
            out += [f"        {_sh_quote(command.key)})", '            case "$2" in', *arms]
            out += ["            esac", "            ;;"]
    out.append("    esac")
    global_arms = value_arms(globals_, " " * 8, shadowing=False)
    if global_arms:
        out += ['    case "$2" in', *global_arms, "    esac"]
    out += ["    return 1", "}"]

    out += [
        "",
        f"{fn}() {{",
        "    local cword=$COMP_CWORD path='' reply='' word='' token='' opt='' value='' prefix=''",
        "    local i start=$COMP_CWORD status",
        "    COMPREPLY=()",
        "    # bash splits a word at '=' and ':' (COMP_WORDBREAKS): find where the current one starts.",
        '    while [ "$start" -gt 1 ]; do',
        '        case "${COMP_WORDS[start]}" in',
        "            '='|':') start=$((start - 1)); continue ;;",
        "        esac",
        '        case "${COMP_WORDS[start - 1]}" in',
        "            '='|':') start=$((start - 1)); continue ;;",
        "        esac",
        "        break",
        "    done",
        "    i=$start",
        '    while [ "$i" -le "$cword" ]; do',
        '        token="$token${COMP_WORDS[i]}"',
        "        i=$((i + 1))",
        "    done",
        "    # Walk the words before it: subcommands make the path; options skip their value.",
        "    i=1",
        '    while [ "$i" -lt "$start" ]; do',
        '        word="${COMP_WORDS[i]}"',
        '        case "$word" in',
        "            --) return 0 ;;",
        "            -*=*) ;;",
        "            -*)",
        f'                if {fn}_takes_value "$path" "$word"; then',
        "                    i=$((i + 1))",
        '                    [ "${COMP_WORDS[i]}" = "=" ] && i=$((i + 1))',
        '                    [ "$i" -ge "$start" ] && opt="$word"',
        "                fi",
        "                ;;",
        "            *)",
        f'                {fn}_commands "$path"',
        '                case " $reply " in',
        '                    *" $word "*) path="${path:+$path }$word" ;;',
        "                esac",
        "                ;;",
        "        esac",
        '        while [ "$((i + 1))" -lt "$start" ]; do',
        '            case "${COMP_WORDS[i + 1]}" in',
        "                '='|':') i=$((i + 2)) ;;",
        "                *) break ;;",
        "            esac",
        "        done",
        "        i=$((i + 1))",
        "    done",
        '    if [ -n "$opt" ]; then',
        '        value="$token"',
        "    else",
        '        case "$token" in',
        "            -*=*)",
        '                opt="${token%%=*}"',
        '                value="${token#*=}"',
        '                [ "$start" -eq "$cword" ] && prefix="$opt="',
        f'                {fn}_takes_value "$path" "$opt" || return 0',
        "                ;;",
        "        esac",
        "    fi",
        '    if [ -n "$opt" ]; then',
        f'        {fn}_values "$path" "$opt"',
        "        status=$?",
        '        if [ "$status" -eq 0 ]; then',
        '            COMPREPLY=($(compgen -P "$prefix" -W "$reply" -- "$value"))',
        '        elif [ "$status" -eq 2 ]; then',
        "            local IFS=$'\\n'",
        '            [ -z "$prefix" ] && compopt -o filenames 2>/dev/null',
        '            COMPREPLY=($(compgen -P "$prefix" -f -- "$value"))',
        "        fi",
        "        return 0",
        "    fi",
        '    case "$token" in',
        "        -*)",
        f'            {fn}_options "$path"',
        '            COMPREPLY=($(compgen -W "$reply" -- "$token"))',
        "            ;;",
        "        *)",
        f'            {fn}_commands "$path"',
        '            if [ -n "$reply" ]; then',
        '                COMPREPLY=($(compgen -W "$reply" -- "$token"))',
        '            elif [ -z "$token" ]; then',
        f'                {fn}_options "$path"',
        '                COMPREPLY=($(compgen -W "$reply"))',
        "            fi",
        "            ;;",
        "    esac",
        "    return 0",
        "}",
        "",
        f"complete -F {fn} {prog_name}",
    ]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- zsh


def _zsh_escape_help(text: str) -> str:
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def _zsh_escape_word(text: str) -> str:
    return re.sub(r"([\\\s()\[\]:'\"$`;&|<>*?{}])", r"\\\1", text)


def _zsh_option_specs(option: OptionSpec) -> list[str]:
    exclude = ""
    if len(option.names) > 1 and not option.multiple:
        exclude = "(" + " ".join(option.names) + ")"
    repeat = "*" if option.multiple else ""
    description = f"[{_zsh_escape_help(option.help)}]"
    specs: list[str] = []
    for name in option.names:
        if not option.takes_value:
            specs.append(f"{exclude}{repeat}{name}{description}")
            continue
        joiner = "=" if name.startswith("--") else "+"
        message = _zsh_escape_word(option.key.lstrip("-")) or "value"
        if option.choices:
            action = "(" + " ".join(_zsh_escape_word(choice) for choice in option.choices) + ")"
        elif option.files:
            action = "_files"
        else:
            action = " "
        specs.append(f"{exclude}{repeat}{name}{joiner}{description}:{message}:{action}")
    return specs


def _zsh_function(prog_name: str, path: Sequence[str]) -> str:
    return "_" + prog_name + "".join("__" + re.sub(r"[^A-Za-z0-9_-]", "_", word) for word in path)


def render_zsh(root: CommandSpec, prog_name: str = PROG_NAME) -> str:
    """The zsh completion script (``#compdef``; autoloaded from ``$fpath`` or sourced)."""
    globals_ = _globals(root)
    main = _zsh_function(prog_name, ())
    out = [
        f"#compdef {prog_name}",
        *_header(
            "Zsh",
            prog_name,
            [
                "copy this file, keeping its name _" + prog_name + ", into a directory on $fpath:",
                f"mkdir -p ~/.zfunc && cp completions/_{prog_name} ~/.zfunc/",
                "and in ~/.zshrc, before compinit runs:",
                "fpath=(~/.zfunc $fpath); autoload -Uz compinit && compinit",
                "(then start a new shell; rm -f ~/.zcompdump* if an old definition stays)",
            ],
        ),
    ]
    for command in root.walk():
        fn = _zsh_function(prog_name, command.path)
        specs = [spec for option in _effective_options(command, globals_) for spec in _zsh_option_specs(option)]
        out += ["", f"{fn}() {{"]
        if command.commands:
            out += [
                '    local curcontext="$curcontext" state state_descr line ret=1',
                "    typeset -A opt_args",
                "    _arguments -S -C \\",
                *(f"        {_sh_quote(spec)} \\" for spec in specs),
                f"        {_sh_quote('1: :' + fn + '_commands')} \\",
                "        '*:: :->subcommand' && ret=0",
                "    if [[ $state == subcommand ]]; then",
                f'        curcontext="${{curcontext%:*:*}}:{prog_name}-$words[1]:"',
                "        case $words[1] in",
            ]
            for sub in command.commands:
                sub_fn = _zsh_function(prog_name, sub.path)
                out.append(f"            ({_zsh_escape_word(sub.name)}) {sub_fn} && ret=0 ;;")
            out += ["        esac", "    fi", "    return ret", "}"]
            out += ["", f"{fn}_commands() {{", "    local -a commands", "    commands=("]
            for sub in command.commands:
                entry = sub.name.replace("\\", "\\\\").replace(":", "\\:") + (f":{sub.help}" if sub.help else "")
                out.append(f"        {_sh_quote(entry)}")
            label = " ".join((prog_name, *command.path, "command"))
            out += ["    )", f"    _describe -t commands {_sh_quote(label)} commands", "}"]
        else:
            if specs:
                out += ["    _arguments -S \\", *(f"        {_sh_quote(spec)} \\" for spec in specs[:-1])]
                out.append(f"        {_sh_quote(specs[-1])}")
            else:
                out.append("    _arguments -S")
            out.append("}")
    out += [
        "",
        f'if [[ "$funcstack[1]" == {_sh_quote(main)} ]]; then',
        f'    {main} "$@"',
        "else",
        f"    compdef {main} {prog_name}",
        "fi",
    ]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- fish


def _fish_quote(text: str) -> str:
    """A fish single-quoted word (only backslash and quote are special inside)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_escape_word(text: str) -> str:
    return re.sub(r"([\\\s()\[\]'\"$;&|<>*?{}#~%])", r"\\\1", text)


def _fish_option_flags(option: OptionSpec) -> list[str]:
    flags: list[str] = []
    for name in option.names:
        if name.startswith("--"):
            flags.append(f"-l {_fish_quote(name[2:])}")
        elif len(name) == 2:
            flags.append(f"-s {_fish_quote(name[1:])}")
        else:
            flags.append(f"-o {_fish_quote(name[1:])}")
    if option.takes_value:
        if option.choices:
            words = " ".join(_fish_escape_word(choice) for choice in option.choices)
            flags.append(f"-x -a {_fish_quote(words)}")
        elif option.files:
            flags.append("-r -F")
        else:
            flags.append("-x")
    if option.help:
        flags.append(f"-d {_fish_quote(option.help)}")
    return flags


def render_fish(root: CommandSpec, prog_name: str = PROG_NAME) -> str:
    """The fish completion script (fish 3 or later)."""
    fn = "__" + _identifier(prog_name)
    globals_ = _globals(root)
    global_names = {name for option in globals_ for name in option.names}
    commands = root.walk()
    complete = f"complete -c {prog_name}"
    out = _header(
        "Fish",
        prog_name,
        [f"cp completions/{prog_name}.fish ~/.config/fish/completions/"],
    )

    out += ["", f"function {fn}_commands --description 'The subcommands of a group'", '    switch "$argv[1]"']
    for command in commands:
        if command.commands:
            names = " ".join(_fish_quote(sub.name) for sub in command.commands)
            out += [f"        case {_fish_quote(command.key)}", f"            printf '%s\\n' {names}"]
    out += ["    end", "end"]

    out += [
        "",
        f"function {fn}_takes_value --description 'Whether an option of a command takes a value'",
        '    switch "$argv[1]"',
    ]
    for command in commands:
        takes, shadows = _value_names(command, global_names)
        if not takes and not shadows:
            continue
        out += [f"        case {_fish_quote(command.key)}", '            switch "$argv[2]"']
        if takes:
            out.append(f"                case {' '.join(_fish_quote(name) for name in takes)}")
            out.append("                    return 0")
        if shadows:
            out.append(f"                case {' '.join(_fish_quote(name) for name in shadows)}")
            out.append("                    return 1")
        out.append("            end")
    out.append("    end")
    global_takes = [name for option in globals_ if option.takes_value for name in option.names]
    if global_takes:
        out += [
            '    switch "$argv[2]"',
            f"        case {' '.join(_fish_quote(name) for name in global_takes)}",
            "            return 0",
            "    end",
        ]
    out += ["    return 1", "end"]

    out += [
        "",
        f"function {fn}_path --description 'The subcommand words of the command line being completed'",
        "    set -l tokens (commandline -opc)",
        "    set -e tokens[1]",
        "    set -l path",
        "    set -l skip 0",
        "    for token in $tokens",
        "        if test $skip = 1",
        "            set skip 0",
        "            continue",
        "        end",
        '        switch "$token"',
        "            case '--'",
        "                break",
        "            case '-*=*'",
        "            case '-*'",
        f'                if {fn}_takes_value "$path" "$token"',
        "                    set skip 1",
        "                end",
        "            case '*'",
        f'                if contains -- "$token" ({fn}_commands "$path")',
        '                    set -a path "$token"',
        "                end",
        "        end",
        "    end",
        '    echo "$path"',
        "end",
        "",
        f"function {fn}_at --description 'Whether the command line is at this subcommand path'",
        f"    set -l path ({fn}_path)",
        '    test "$path" = "$argv[1]"',
        "end",
        "",
        f"{complete} -f",
    ]

    shadowed_at: dict[str, list[str]] = {}
    for command in commands:
        out.append("")
        at = f"-n {_fish_quote(f'{fn}_at {_fish_quote(command.key)}')}"
        for sub in command.commands:
            line = f"{complete} {at} -a {_fish_quote(sub.name)}"
            out.append(line + (f" -d {_fish_quote(sub.help)}" if sub.help else ""))
        for option in command.options:
            if command.path or option.eager:
                out.append(f"{complete} {at} {' '.join(_fish_option_flags(option))}")
            if command.path:
                for name in global_names.intersection(option.names):
                    shadowed_at.setdefault(name, []).append(command.key)

    if globals_:
        out += ["", "# Global options: valid before or after the subcommand name."]
    for option in globals_:
        keys = sorted({key for name in option.names for key in shadowed_at.get(name, [])})
        condition = "; and ".join(f"not {fn}_at {_fish_quote(key)}" for key in keys)
        at = f" -n {_fish_quote(condition)}" if condition else ""
        out.append(f"{complete}{at} {' '.join(_fish_option_flags(option))}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- entry points


_RENDERERS: dict[str, Callable[[CommandSpec, str], str]] = {
    "{prog}.bash": render_bash,
    "_{prog}": render_zsh,
    "{prog}.fish": render_fish,
}


def render_all(
    group: click.Command,
    *,
    prog_name: str = PROG_NAME,
    value_choices: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, str]:
    """The three completion scripts for ``group``: file name -> content, in file name order.

    ``group`` is the root click group of a Typer app (``typer.main.get_command(app)``). File
    names are ``<prog>.bash``, ``_<prog>`` (zsh) and ``<prog>.fish``. ``value_choices`` gives
    the values of options that are plain strings checked in code (``{"--output": [...]}``);
    Choice (Enum or Literal) options need no entry.
    """
    root = build_spec(group, prog_name=prog_name, value_choices=value_choices)
    files = {pattern.format(prog=prog_name): render(root, prog_name) for pattern, render in _RENDERERS.items()}
    return dict(sorted(files.items()))


def cli_value_choices() -> dict[str, tuple[str, ...]]:
    """Values of this CLI's options that are strings checked in code rather than Choice types."""
    from agentcore_identity_cli.config import BACKENDS, COLORS, OUTPUTS

    choices: dict[str, tuple[str, ...]] = {
        "--backend": tuple(BACKENDS),
        "--output": tuple(OUTPUTS),
        "--color": tuple(COLORS),
    }
    try:
        catalogue = importlib.import_module("agentcore_identity_cli.oauth.catalogue")
    except ImportError as exc:  # no vendor catalogue yet: no vendor names to offer
        if exc.name is None or not exc.name.startswith("agentcore_identity_cli.oauth"):
            raise
    else:
        vendors = getattr(catalogue, "vendors", None)
        if callable(vendors):
            choices["--credential-provider-vendor"] = tuple(sorted(str(name) for name in vendors()))
    return choices


def load_cli_group() -> click.Command:
    """The root click group of ``agentcore-identity``, with every command registered."""
    import typer

    from agentcore_identity_cli.cli.app import load_commands
    from agentcore_identity_cli.cli.root import app

    load_commands()  # commands register lazily, on import of their module
    return typer.main.get_command(app)


def render_cli() -> dict[str, str]:
    """The completion scripts of ``agentcore-identity`` itself, as committed under ``completions/``."""
    return render_all(load_cli_group(), value_choices=cli_value_choices())
