"""`report`: inventory, policy checks for CI, and access review.

Reports print like any command (--output json|table|text, --query); `--format csv` writes
the report's rows as CSV instead, for spreadsheets and compliance archives. `report
policy` exits 1 when it finds violations, so that a CI job can gate on it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from agentcore_identity_cli.cli.root import app, get_context
from agentcore_identity_cli.errors import UsageError

report_app = typer.Typer(
    help="Reports for compliance and CI: inventory, policy violations (exit 1), access review.",
    no_args_is_help=True,
)
app.add_typer(report_app, name="report")

Format = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="csv: write the report's rows as CSV with a header line, instead of --output.",
        show_default=False,
    ),
]


def _csv(app_ctx: Any, fmt: str | None) -> bool:
    if fmt is None:
        return False
    if fmt != "csv":
        raise UsageError(f"argument --format: Invalid choice '{fmt}', valid choices are: csv")
    if app_ctx.settings.query is not None:
        raise UsageError("--query applies to --output json|table|text, not to --format csv.")
    return True


def _local(app_ctx: Any, report: str) -> Any:
    if app_ctx.settings.backend != "local":
        raise UsageError(
            f"report {report} reads the local vault; on AWS, use AWS Config or the console's resource inventory."
        )
    return app_ctx.backend()


@report_app.command("inventory")
def report_inventory(ctx: typer.Context, fmt: Format = None) -> None:
    """Every credential provider and workload identity: created, updated (rotated), last used, tokens held."""
    from agentcore_identity_cli.reports import INVENTORY_COLUMNS, inventory, write_csv

    app_ctx = get_context(ctx)
    csv_out = _csv(app_ctx, fmt)
    document = inventory(_local(app_ctx, "inventory"))
    if csv_out:
        write_csv(document["resources"], INVENTORY_COLUMNS, app_ctx.io.stdout)
    else:
        app_ctx.emit(document)


@report_app.command("policy")
def report_policy(
    ctx: typer.Context,
    max_age: Annotated[
        str | None,
        typer.Option("--max-age", help="Longest a secret (and the vault key) may go unrotated, e.g. 90d."),
    ] = None,
    unused_for: Annotated[
        str | None,
        typer.Option("--unused-for", help="Longest a provider or workload may go without a secret read, e.g. 30d."),
    ] = None,
    fmt: Format = None,
) -> None:
    """List policy violations; exit 1 when there are any (0 when the vault complies)."""
    from agentcore_identity_cli.auditlog import parse_duration
    from agentcore_identity_cli.reports import EXIT_POLICY_VIOLATIONS, VIOLATION_COLUMNS, policy, write_csv

    app_ctx = get_context(ctx)
    csv_out = _csv(app_ctx, fmt)
    if max_age is None and unused_for is None:
        raise UsageError("report policy needs a rule: --max-age 90d, --unused-for 30d, or both.")
    document = policy(
        _local(app_ctx, "policy"),
        max_age=parse_duration(max_age, "--max-age") if max_age else None,
        unused_for=parse_duration(unused_for, "--unused-for") if unused_for else None,
    )
    if csv_out:
        write_csv(document["violations"], VIOLATION_COLUMNS, app_ctx.io.stdout)
    else:
        app_ctx.emit(document)
    if document["violations"]:
        raise typer.Exit(EXIT_POLICY_VIOLATIONS)


@report_app.command("access-review")
def report_access_review(
    ctx: typer.Context,
    since: Annotated[str, typer.Option("--since", help="Start: ISO 8601 time or a duration back (90d).")] = "90d",
    until: Annotated[str | None, typer.Option("--until", help="End: ISO 8601 time or a duration back.")] = None,
    fmt: Format = None,
) -> None:
    """Who read which credential and when; locally, what each workload may use but did not.

    Per OS user, workload and user id: reads, failed reads, first and last. On the local vault also
    accessMode and workloadAccess: per workload and credential, allowed by its access policy or not,
    used or not in the period (allowedButUnused flags the grants to narrow)."""
    from agentcore_identity_cli.auditlog import parse_time
    from agentcore_identity_cli.cli.audit import event_source
    from agentcore_identity_cli.reports import ACCESS_COLUMNS, access_review, secret_reads, write_csv

    app_ctx = get_context(ctx)
    csv_out = _csv(app_ctx, fmt)
    now = datetime.now(UTC)
    start = parse_time(since, "--since", now)
    end = parse_time(until, "--until", now) if until else None
    source = event_source(app_ctx)
    where = secret_reads(start, end)

    def events() -> Any:
        token: str | None = None
        while True:
            page, token = source.page_events(where, token, None)
            yield from page
            if not token:
                return

    if app_ctx.settings.backend == "local" and not csv_out:
        # On the local vault, also what each workload's access policy allows against what it used.
        from agentcore_identity_cli.policy.review import workload_review

        local: Any = app_ctx.backend()
        seen = list(events())
        document = access_review(seen, start, end)
        document["accessMode"] = local.access_mode()
        document["workloadAccess"] = workload_review(local, seen)
    else:
        document = access_review(events(), start, end)
    if csv_out:
        write_csv(document["accesses"], ACCESS_COLUMNS, app_ctx.io.stdout)
    else:
        app_ctx.emit(document)
