"""Consent portals: create, get, update, delete, list.

The API's members, as the AWS CLI takes them: `--idp-config` and `--sources` as JSON,
shorthand or file:// (`--sources` also as several shorthand items), `--tags` likewise.

Two flags are a local-backend extension (refused on the aws backend, exit 252, before any
call): on AWS a portal's connections are the targets of its gateway source, which the local
vault cannot resolve, so locally `--local-connections` names the OAuth2 credential providers
the portal's page connects, and `--local-workload-name` the workload identity their tokens are
kept for. They are stored in the same vault transaction as the create or update; the JSON
output stays the API's, and a note on stderr says what the portal connects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentcore_identity_cli.cli.options import Tags, list_command
from agentcore_identity_cli.cli.params import expand, structure
from agentcore_identity_cli.cli.root import command, get_context
from agentcore_identity_cli.errors import UsageError

if TYPE_CHECKING:
    from agentcore_identity_cli.backends.local.consent_portals import LocalConnections
    from agentcore_identity_cli.cli.context import AppContext

Name = Annotated[str, typer.Option("--name", help="Name of the consent portal (unique).", show_default=False)]
Identifier = Annotated[
    str,
    typer.Option(
        "--consent-portal-identifier", help="The consent portal's id or ARN (list-consent-portals).", show_default=False
    ),
]
ExecutionRoleArn = Annotated[
    str,
    typer.Option(
        "--execution-role-arn",
        help="IAM role the portal assumes to reach its sources (kept, not used, locally).",
        show_default=False,
    ),
]
OptionalExecutionRoleArn = Annotated[
    str | None,
    typer.Option("--execution-role-arn", help="IAM role the portal assumes (kept, not used, locally)."),
]
IdpConfig = Annotated[
    str,
    typer.Option(
        "--idp-config",
        help="Sign-in provider: credentialProviderArn=OAUTH2_PROVIDER_ARN,scopes=[openid,...],audience=...; "
        "JSON, shorthand or file://PATH.",
        show_default=False,
    ),
]
OptionalIdpConfig = Annotated[
    str | None,
    typer.Option("--idp-config", help="Sign-in provider (credentialProviderArn, scopes, audience): JSON, shorthand."),
]
Sources = Annotated[
    list[str],
    typer.Option(
        "--sources",
        help="The portal's source: identifier=GATEWAY_ID,type=agentcore-gateway (shorthand items, or a JSON list).",
        show_default=False,
    ),
]
Description = Annotated[str | None, typer.Option("--description", help="Description of the consent portal.")]
LocalConnectionsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--local-connections",
        help="Local backend: the OAuth2 credential providers the portal's page connects (names, space-separated; "
        "'' for none). On AWS they come from the gateway's targets.",
    ),
]
LocalWorkloadName = Annotated[
    str | None,
    typer.Option(
        "--local-workload-name",
        help="Local backend: the workload identity the connected tokens are kept for (default: local-<OS user>; "
        "'' for the default).",
    ),
]
LOCAL_FLAGS = ("--local-connections", "--local-workload-name")


def _sources(values: list[str] | None) -> list[Any] | None:
    """--sources: each value a structure (shorthand or JSON object), or one JSON list of them."""
    if not values:
        return None
    items: list[Any] = []
    for value in values:
        parsed = structure(value, "--sources")
        items.extend(parsed if isinstance(parsed, list) else [parsed])
    return items


def _connections(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    names: list[str] = []
    for value in values:
        names.extend(word for word in (expand(value, "--local-connections") or "").replace(",", " ").split())
    return names


def _call(
    app_ctx: AppContext, operation: str, params: dict[str, Any], connections: list[str] | None, workload: str | None
) -> dict[str, Any]:
    """The create or update, with the local connections set in its vault transaction."""
    given = [flag for flag, value in zip(LOCAL_FLAGS, (connections, workload), strict=True) if value is not None]
    if given and app_ctx.settings.backend != "local":
        raise UsageError(
            f"{' and '.join(given)} {'is' if len(given) == 1 else 'are'} a local-backend extension: on AWS a consent "
            "portal's connections are the targets of its gateway source.",
            hint="drop it, or use --backend local",
        )
    if not given or app_ctx.cli_input.skeleton_output:
        response = app_ctx.call(operation, params)  # a sample response stores nothing
        _note(app_ctx, response)
        return response
    from agentcore_identity_cli.backends.local.backend import LocalBackend
    from agentcore_identity_cli.errors import ServiceError

    backend = app_ctx.backend()
    assert isinstance(backend, LocalBackend)
    with backend.store.transaction():
        response = app_ctx.call(operation, params)
        try:
            local = backend.set_consent_portal_connections(
                response["consentPortalId"], connections, workload or None, set_workload=workload is not None
            )
        except ServiceError as exc:
            exc.operation = exc.operation or operation  # the whole command fails, and nothing is kept
            raise
    _note(app_ctx, response, local)
    return response


def _note(app_ctx: AppContext, response: dict[str, Any], local: LocalConnections | None = None) -> None:
    """One line on stderr, on the local backend: what the portal's page connects."""
    if app_ctx.settings.backend != "local" or app_ctx.cli_input.skeleton_output:
        return
    from agentcore_identity_cli.backends.local.backend import LocalBackend
    from agentcore_identity_cli.identity import default_workload_name

    if local is None:
        backend = app_ctx.backend()
        assert isinstance(backend, LocalBackend)
        local = backend.consent_portal_connections(backend.consent_portal(response["consentPortalId"]))
    portal = response["consentPortalId"]
    if not local.providers:
        app_ctx.io.warn(
            f"Note: consent portal {portal} connects nothing locally yet: name the OAuth2 credential providers its "
            "page connects with --local-connections (its gateway source is not resolved locally)."
        )
        return
    workload = local.workload or f"{default_workload_name()} (the default)"
    app_ctx.io.warn(
        f"Note: locally, consent portal {portal} connects {', '.join(local.providers)}; "
        f"the tokens are kept for workload identity {workload}."
    )


@command("create-consent-portal", "Create a consent portal: a page where end users sign in and connect accounts.")
def create_consent_portal(
    ctx: typer.Context,
    name: Name,
    execution_role_arn: ExecutionRoleArn,
    idp_config: IdpConfig,
    sources: Sources,
    description: Description = None,
    tags: Tags = None,
    local_connections: LocalConnectionsOption = None,
    local_workload_name: LocalWorkloadName = None,
) -> None:
    app_ctx = get_context(ctx)
    params = {
        "name": expand(name, "--name"),
        "executionRoleArn": expand(execution_role_arn, "--execution-role-arn"),
        "idpConfig": structure(idp_config, "--idp-config"),
        "sources": _sources(sources),
        "description": expand(description, "--description"),
        "tags": structure(tags, "--tags"),
    }
    workload = expand(local_workload_name, "--local-workload-name")
    app_ctx.emit(_call(app_ctx, "CreateConsentPortal", params, _connections(local_connections), workload))


@command("get-consent-portal", "Show a consent portal.")
def get_consent_portal(ctx: typer.Context, consent_portal_identifier: Identifier) -> None:
    app_ctx = get_context(ctx)
    params = {"consentPortalIdentifier": expand(consent_portal_identifier, "--consent-portal-identifier")}
    response = app_ctx.call("GetConsentPortal", params)
    _note(app_ctx, response)
    app_ctx.emit(response)


@command(
    "update-consent-portal",
    "Change a consent portal's sign-in provider, execution role or description; what is not given stays.",
)
def update_consent_portal(
    ctx: typer.Context,
    consent_portal_identifier: Identifier,
    execution_role_arn: OptionalExecutionRoleArn = None,
    idp_config: OptionalIdpConfig = None,
    description: Description = None,
    local_connections: LocalConnectionsOption = None,
    local_workload_name: LocalWorkloadName = None,
) -> None:
    app_ctx = get_context(ctx)
    params = {
        "consentPortalIdentifier": expand(consent_portal_identifier, "--consent-portal-identifier"),
        "executionRoleArn": expand(execution_role_arn, "--execution-role-arn"),
        "idpConfig": structure(idp_config, "--idp-config"),
        "description": expand(description, "--description"),
    }
    workload = expand(local_workload_name, "--local-workload-name")
    app_ctx.emit(_call(app_ctx, "UpdateConsentPortal", params, _connections(local_connections), workload))


@command("delete-consent-portal", "Delete a consent portal (the tokens users connected stay with the workload).")
def delete_consent_portal(ctx: typer.Context, consent_portal_identifier: Identifier) -> None:
    app_ctx = get_context(ctx)
    params = {"consentPortalIdentifier": expand(consent_portal_identifier, "--consent-portal-identifier")}
    app_ctx.emit(app_ctx.call("DeleteConsentPortal", params))


list_command("list-consent-portals", "List consent portals.")
