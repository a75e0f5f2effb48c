"""Identities as code: `schema`, `export`, `plan`, `apply`, `migrate` (docs/as-code.md).

The commands only wire files, prompts and output to the engine in ascode/.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentcore_identity_cli.cli.root import command, get_context
from agentcore_identity_cli.errors import AgentCoreIdentityError, CommandExit, UsageError

if TYPE_CHECKING:
    from agentcore_identity_cli.ascode.apply import Outcome
    from agentcore_identity_cli.ascode.document import Definition
    from agentcore_identity_cli.ascode.plan import Change, Plan
    from agentcore_identity_cli.ascode.secretrefs import SecretSource
    from agentcore_identity_cli.ascode.state import State
    from agentcore_identity_cli.backends.base import Backend
    from agentcore_identity_cli.cli.context import AppContext
    from agentcore_identity_cli.config import Settings
    from agentcore_identity_cli.iostreams import IOStreams

EXIT_CHANGES = 2  # plan: there is something to do (terraform plan -detailed-exitcode)

File = Annotated[
    Path, typer.Option("--file", "-f", help="The definition file (TOML; .yaml/.yml for YAML).", show_default=False)
]
Output = Annotated[
    Path | None, typer.Option("--output-file", "-o", help="Write the definition here instead of stdout.")
]
Prune = Annotated[bool, typer.Option("--prune", help="Delete what the backend has and the file does not.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking for confirmation.")]


# --- shared -------------------------------------------------------------------------


def _caller(backend: Backend) -> Any:
    from agentcore_identity_cli.ascode.apply import with_backoff
    from agentcore_identity_cli.client import validated_call

    return with_backoff(lambda operation, params: validated_call(backend, operation, params))


def _backend_for(settings: Settings, io: IOStreams) -> Backend:
    from agentcore_identity_cli.backends import create_backend

    return create_backend(settings, prompt=io.prompt_secret if io.can_prompt else None)


def _read(backend: Backend) -> State:
    from agentcore_identity_cli.ascode.state import read_state

    return read_state(_caller(backend), backend)


def _secret_source(app_ctx: AppContext, base_dir: Path) -> SecretSource:
    from agentcore_identity_cli.ascode.secretrefs import SecretSource

    io = app_ctx.io

    def read_stored(reference: str, profile: str | None) -> str:
        from agentcore_identity_cli.config import resolve_settings
        from agentcore_identity_cli.references import parse_reference

        settings = resolve_settings({"profile": profile}) if profile else app_ctx.settings
        if settings.backend != "local":
            raise UsageError(
                f"{reference} names a secret on the aws backend, which never returns secrets.",
                hint="name a profile whose backend is local: agentcore://api-key/NAME?profile=P",
            )
        name = parse_reference(reference).name
        if profile is None:  # this profile's own vault, already open
            return str(app_ctx.backend().open_secret("apikey", name, "apiKey"))  # type: ignore[attr-defined]
        source = _backend_for(settings, io)
        try:
            return str(source.open_secret("apikey", name, "apiKey"))  # type: ignore[attr-defined]
        finally:
            source.close()

    return SecretSource(io.prompt_secret if io.can_prompt else None, base_dir, read_stored)


def _secret_check(backend: Backend, secrets: SecretSource) -> Any:
    """Whether a stored secret differs from the file's: only the local vault can tell."""
    from agentcore_identity_cli.ascode import plan as planning

    def check(kind: Any, name: str, member: str, reference: str) -> str:
        if backend.name != "local" or not secrets.available(reference):
            return planning.UNKNOWN
        try:
            stored = backend.open_secret(kind.key, name, member)  # type: ignore[attr-defined]
        except AgentCoreIdentityError:  # none stored, or damaged: either way a new value is due
            return planning.CHANGED
        wanted = secrets.resolve(reference, f"{kind.section}.{name}")
        return planning.UNCHANGED if stored == wanted else planning.CHANGED

    return check


def _plan(backend: Backend, desired: Definition, secrets: SecretSource, prune: bool) -> tuple[Plan, State]:
    from agentcore_identity_cli.ascode.plan import make_plan

    state = _read(backend)
    return make_plan(desired, state, backend.name, _secret_check(backend, secrets), prune=prune), state


def _show_plan(io: IOStreams, plan: Plan) -> None:
    """The plan as a table, for a terminal."""
    from rich.console import Console
    from rich.table import Table

    grid = Table(title=f"Plan ({plan.backend} backend)", title_style="bold" if io.color else "")
    for column in ("Action", "Resource", "Changes"):
        grid.add_column(column)
    for change in plan.changes:
        if change.action == "no-op":
            continue
        lines = [f"{c.field}: {_short(c.before)} -> {_short(c.after)}" for c in change.fields]
        lines += [f"{path}: {status}" for path, status in change.secrets.items()]
        grid.add_row(change.action, f"{change.kind.section}.{change.name}", "\n".join(lines))
    # As tables.py: no markup (a name could hold brackets) and no styles without colour.
    console = Console(
        file=io.stdout,
        force_terminal=io.color,
        no_color=not io.color,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )
    summary = plan.to_json()["summary"]
    if plan.pending:
        console.print(grid)
    console.print(", ".join(f"{count} {action}" for action, count in summary.items()))


def _notes(io: IOStreams, plan: Plan) -> None:
    for note in plan.notes:
        io.warn(f"Note: {note}")


def _short(value: Any) -> str:
    text = "(none)" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(change: Change) -> str:
    return f"{change.action} {change.kind.section}.{change.name}"


def _confirm(io: IOStreams, question: str) -> bool:
    """Whether the person at the terminal typed yes (as terraform apply asks)."""
    io.stderr.write(f"{question}\nOnly 'yes' is accepted. Enter a value: ")
    io.stderr.flush()
    return io.stdin.readline().strip().lower() == "yes"


def _run_apply(
    app_ctx: AppContext, backend: Backend, desired: Definition, secrets: SecretSource, *, prune: bool, yes: bool
) -> Outcome:
    """Plan, confirm, apply; local: one transaction; aws: stop at the first failure."""
    from agentcore_identity_cli.ascode.apply import Applier, Outcome

    io = app_ctx.io
    plan, state = _plan(backend, desired, secrets, prune)
    _notes(io, plan)
    if not plan.pending:
        io.warn("No changes: the backend matches the file.")
        return Outcome()
    applier = Applier(_caller(backend), backend, desired, state, secrets)
    applier.check_secrets(plan)
    if not yes:
        if not io.can_prompt:
            raise UsageError("apply changes the backend: pass --yes where no terminal can confirm.")
        _show_plan(io, plan)
        if not _confirm(io, f"Apply {len(plan.pending)} change(s) to the {backend.name} backend?"):
            io.warn("Nothing applied.")
            raise CommandExit(1)

    def progress(change: Change) -> None:
        io.warn(f"{_describe(change)}: done")

    if backend.name == "local":
        # All or nothing: the operations' own transactions nest as savepoints of this one.
        store = backend.store  # type: ignore[attr-defined]
        try:
            with store.transaction():
                outcome = applier.run(plan, progress)
                if outcome.error is not None:
                    raise _Rollback(outcome)
        except _Rollback as rollback:
            _audit_failure(backend, rollback.outcome)
            raise
        return outcome
    return applier.run(plan, progress)


def _audit_failure(backend: Backend, outcome: Outcome) -> None:
    """Record the refused operation again once the rollback has undone its event with the rest,
    so that the audit trail still shows the attempt, as for a single command."""
    change, error = outcome.failed, outcome.error
    if change is None or error is None:
        return
    operation = getattr(error, "operation", None) or f"Apply{change.kind.noun or 'TrustedIssuer'}"
    from agentcore_identity_cli.auditlog import CHANGE

    target = backend.resource_arn(change.kind.key, change.name)  # type: ignore[attr-defined]
    try:
        with backend.audited(operation, target=target, category=CHANGE):  # type: ignore[attr-defined]
            raise error
    except AgentCoreIdentityError:
        pass  # recorded with its error code; the caller reports it


class _Rollback(Exception):  # noqa: N818 - carries the outcome out of the transaction it undoes
    def __init__(self, outcome: Outcome) -> None:
        super().__init__("rolled back")
        self.outcome = outcome


def _report(app_ctx: AppContext, backend: Backend, outcome: Outcome, *, rolled_back: bool = False) -> None:
    io = app_ctx.io
    document = outcome.to_json()
    if rolled_back:
        document["rolledBack"] = True
    if not io.stdout_is_tty:  # for scripts (--output and --query apply); a person reads stderr
        app_ctx.emit(document)
    if outcome.error is None:
        if outcome.done:
            io.warn(f"Applied {len(outcome.done)} change(s) to the {backend.name} backend.")
        return
    assert outcome.failed is not None
    if rolled_back:
        io.warn(f"Failed at {_describe(outcome.failed)}; nothing was applied (the local vault rolled back).")
    else:
        io.warn(
            f"Failed at {_describe(outcome.failed)} after {len(outcome.done)} change(s); "
            f"{len(outcome.not_done)} not attempted. Fix the cause and run apply again: it continues from here."
        )
        for change in outcome.done:
            io.warn(f"  done: {_describe(change)}")
        for change in outcome.not_done:
            io.warn(f"  not done: {_describe(change)}")
    raise outcome.error


# --- commands -----------------------------------------------------------------------


@command("schema", "Print the JSON Schema of the identities-as-code definition file.")
def schema(ctx: typer.Context) -> None:
    import json

    from agentcore_identity_cli.ascode.schema import build_schema

    get_context(ctx).io.stdout.write(json.dumps(build_schema(), indent=2) + "\n")


def _write_definition(path: Path, text: str) -> None:
    """Write the file whole or not at all: a failed export leaves an earlier file as it was."""
    import os
    import tempfile

    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"Cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temp, 0o644)  # the definition holds no secret, and is meant to be committed
        os.replace(temp, path)
    except OSError as exc:
        os.unlink(temp)
        raise UsageError(f"Cannot write {path}: {exc.strerror or exc}") from None


@command("export", "Write the definition of everything in the backend (secrets as env: references).")
def export(ctx: typer.Context, output_file: Output = None) -> None:
    from agentcore_identity_cli.ascode.document import YAML_SUFFIXES, dump
    from agentcore_identity_cli.ascode.plan import secret_paths, value_at

    app_ctx = get_context(ctx)
    state = _read(app_ctx.backend())
    yaml = output_file is not None and output_file.suffix.lower() in YAML_SUFFIXES
    text = dump(state.definition, yaml=yaml)
    if output_file is None:
        app_ctx.io.stdout.write(text)
    else:
        _write_definition(output_file, text)
    from agentcore_identity_cli.ascode.kinds import BY_KEY

    names = []
    for (key, _name), spec in sorted(state.definition.resources.items()):
        for path in secret_paths(BY_KEY[key], spec):
            names.append(value_at(spec, path).removeprefix("env:"))
    if names:
        app_ctx.io.warn("Secrets are read from these environment variables (or edit the references):")
        for name in names:
            app_ctx.io.warn(f"  {name}")


@command("plan", "Show what apply would change; exit 0 when nothing, 2 when there are changes.")
def plan(ctx: typer.Context, file: File, prune: Prune = False) -> None:
    from agentcore_identity_cli.ascode.document import load

    app_ctx = get_context(ctx)
    desired = load(file)
    secrets = _secret_source(app_ctx, file.resolve().parent)
    result, _ = _plan(app_ctx.backend(), desired, secrets, prune)
    output = app_ctx.settings.output
    if output == "table" or (output is None and app_ctx.io.stdout_is_tty):
        _show_plan(app_ctx.io, result)
    else:
        app_ctx.emit(result.to_json())  # --output and --query apply, as to any document
    _notes(app_ctx.io, result)
    if result.pending:
        raise CommandExit(EXIT_CHANGES)


@command("apply", "Make the backend match a definition file (asks first on a terminal unless --yes).")
def apply(ctx: typer.Context, file: File, prune: Prune = False, yes: Yes = False) -> None:
    from agentcore_identity_cli.ascode.document import load

    app_ctx = get_context(ctx)
    desired = load(file)
    secrets = _secret_source(app_ctx, file.resolve().parent)
    backend = app_ctx.backend()
    try:
        outcome = _run_apply(app_ctx, backend, desired, secrets, prune=prune, yes=yes)
    except _Rollback as rollback:
        _report(app_ctx, backend, rollback.outcome, rolled_back=True)
        return
    _report(app_ctx, backend, outcome)


SECRET_MODES = ("skip", "prompt", "copy")


@command("migrate", "Copy the definitions of one profile's backend to another's (export, then apply).")
def migrate(
    ctx: typer.Context,
    source: Annotated[str, typer.Option("--from", help="The profile to read.", show_default=False)],
    target: Annotated[str, typer.Option("--to", help="The profile to change.", show_default=False)],
    secrets: Annotated[
        str,
        typer.Option(
            "--secrets",
            help="skip: read each secret from its AGENTCORE_SECRET_* variable; prompt: ask for each; "
            "copy: read them from the source vault (local only).",
        ),
    ] = "skip",
    prune: Prune = False,
    yes: Yes = False,
) -> None:
    from agentcore_identity_cli.config import resolve_settings

    app_ctx = get_context(ctx)
    io = app_ctx.io
    if secrets not in SECRET_MODES:
        raise UsageError(f"--secrets must be one of {', '.join(SECRET_MODES)}, not '{secrets}'.")
    if source == target:
        raise UsageError("--from and --to name the same profile: there is nothing to migrate.")
    from_settings = resolve_settings({"profile": source})
    to_settings = resolve_settings({"profile": target})
    if secrets == "copy" and from_settings.backend != "local":
        raise UsageError(
            f"--secrets copy reads the secrets from a local vault; profile '{source}' uses the "
            f"{from_settings.backend} backend, which never returns secrets.",
            hint="use --secrets prompt, or set the AGENTCORE_SECRET_* variables and use --secrets skip",
        )
    reader = _backend_for(from_settings, io)
    writer = _backend_for(to_settings, io)
    try:
        desired = _read(reader).definition
        source_refs = _migrated_secrets(app_ctx, desired, reader, secrets, source, target, yes=yes)
        try:
            outcome = _run_apply(app_ctx, writer, desired, source_refs, prune=prune, yes=yes)
        except _Rollback as rollback:
            _report(app_ctx, writer, rollback.outcome, rolled_back=True)
            return
        _report(app_ctx, writer, outcome)
    finally:
        reader.close()
        writer.close()


def _migrated_secrets(
    app_ctx: AppContext, desired: Definition, reader: Backend, mode: str, source: str, target: str, *, yes: bool
) -> SecretSource:
    """Where each secret of the exported definition comes from, for the chosen --secrets mode."""
    from agentcore_identity_cli.ascode.kinds import BY_KEY
    from agentcore_identity_cli.ascode.plan import secret_paths, value_at

    io = app_ctx.io
    found = _secret_source(app_ctx, Path.cwd())
    fields: list[tuple[Any, str, str, str]] = []  # (kind, provider, API member, reference)
    for (key, name), spec in sorted(desired.resources.items()):
        kind = BY_KEY[key]
        for path, member in secret_paths(kind, spec).items():
            fields.append((kind, name, member, value_at(spec, path)))
            if mode == "prompt":
                _set(spec, path, "prompt")
    if mode != "copy" or not fields:
        return found
    providers = ", ".join(f"{name} ({member})" for _, name, member, _ in fields)
    if not yes:
        if not io.can_prompt:
            raise UsageError("--secrets copy reads secrets out of the vault: pass --yes where no terminal can confirm.")
        if not _confirm(io, f"Copy the secrets of {providers} from profile '{source}' to profile '{target}'?"):
            io.warn("Nothing migrated.")
            raise CommandExit(1)
    for kind, name, member, reference in fields:

        def read(kind: Any = kind, name: str = name, member: str = member) -> str:
            # Each read is a secret read in the source vault's audit trail.
            return str(reader.open_secret(kind.key, name, member))  # type: ignore[attr-defined]

        found.copied[reference] = read
    return found


def _set(spec: dict[str, Any], path: str, value: str) -> None:
    *parents, last = path.split(".")
    for part in parents:
        spec = spec[part]
    spec[last] = value
