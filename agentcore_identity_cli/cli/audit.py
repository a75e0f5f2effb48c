"""`audit`: read the audit trail (local vault or CloudTrail) and verify the local chain."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from agentcore_identity_cli.cli.options import MaxItems, PageSize, StartingToken
from agentcore_identity_cli.cli.root import app, get_context
from agentcore_identity_cli.errors import ServiceError, UsageError

audit_app = typer.Typer(
    help="The audit trail: every change and every secret read, hash-chained in the local vault "
    "(CloudTrail with --backend aws).",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")

CATEGORIES = ("change", "secret-read")


def event_source(app_ctx: Any) -> Any:
    """Where events come from: the vault's trail, or CloudTrail for the aws backend."""
    if app_ctx.settings.backend == "aws":
        from agentcore_identity_cli.backends.cloudtrail import CloudTrailEvents

        return CloudTrailEvents(app_ctx.backend())
    return app_ctx.backend().audit


@audit_app.command("list")
def audit_list(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", help="Events at or after: ISO 8601 time, or a duration back (7d, 12h).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Events before: ISO 8601 time or a duration back.")
    ] = None,
    operation: Annotated[
        str | None, typer.Option("--operation", help="Operation: CreateApiKeyCredentialProvider or its command name.")
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", help="Target ARN, or the resource name it ends with.")
    ] = None,
    outcome: Annotated[
        str | None, typer.Option("--outcome", help="success, failure, or an error code (AccessDeniedException).")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="OS user (CloudTrail: user name).")] = None,
    workload: Annotated[str | None, typer.Option("--workload", help="Workload identity name.")] = None,
    category: Annotated[str | None, typer.Option("--category", help="change or secret-read.")] = None,
    max_items: MaxItems = None,
    starting_token: StartingToken = None,
    page_size: PageSize = None,
) -> None:
    """List audit events, newest first. Get* and List* calls that return no secret are not recorded."""
    from agentcore_identity_cli.auditlog import EventFilter, collect, parse_time

    if category is not None and category not in CATEGORIES:
        raise UsageError(f"argument --category: Invalid choice '{category}', valid choices are: change | secret-read")
    app_ctx = get_context(ctx)
    where = EventFilter(
        since=parse_time(since, "--since") if since else None,
        until=parse_time(until, "--until") if until else None,
        operation=operation,
        target=target,
        outcome=outcome,
        user=user,
        workload=workload,
        category=category,
    )
    source = event_source(app_ctx)
    app_ctx.emit(
        collect(lambda token, size: source.page_events(where, token, size), max_items, starting_token, page_size)
    )


@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context,
    seal: Annotated[
        bool,
        typer.Option(
            "--seal",
            help="Seal an intact chain that no seal covers yet (after an upgrade from schema 1); needs the vault key.",
        ),
    ] = False,
) -> None:
    """Check every event's hash and link, and the sealed chain head; exit 254 naming the first bad event."""
    app_ctx = get_context(ctx)
    if app_ctx.settings.backend != "local":
        raise UsageError(
            "audit verify checks the local vault's chain; for CloudTrail, use 'aws cloudtrail validate-logs'."
        )
    backend: Any = app_ctx.backend()
    verdict = verify(backend)
    if seal and verdict.unsealed:
        from agentcore_identity_cli.backends.local import arns

        with backend.audited("SealAuditTrail", target=arns.token_vault_arn()):
            backend.audit.seal_now(backend.keys.key())  # the chain was verified intact just above
        verdict = verify(backend)
    app_ctx.emit(verdict.output())
    if not verdict.intact:
        raise ServiceError(
            "AuditTrailTampered",
            f"The audit trail fails verification at event #{verdict.bad_event}: {verdict.problem}.",
            operation="VerifyAuditTrail",
            hint="restore the vault from a backup whose trail verifies, and find out who could write the vault file",
        )
    if verdict.unsealed:
        raise ServiceError(
            "AuditTrailUnsealed",
            "The audit chain is intact, but no seal covers it although the vault has a key: the seal was "
            "removed, or the vault was upgraded from schema 1 and nothing has sealed it since.",
            operation="VerifyAuditTrail",
            hint="if you trust the trail as it stands, run 'agentcore-identity audit verify --seal'",
        )


def verify(backend: Any) -> Any:
    """The verdict on a local vault's chain, with the seal checked when the vault has a key."""
    key = backend.keys.key() if backend.store.meta("key_check") is not None else None
    return backend.audit.verify(key)
