"""The list commands: the operation each one calls and the member that holds its items, and
what they do once their line is read.

Free of Typer: cli/options.py registers them as Typer commands with the AWS CLI's pagination
options, and cli/fastpath.py runs them without Typer when their line gives none of those.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentcore_identity_cli.cli.context import AppContext, Paging

# command -> (operation, the response member that holds the items)
LISTINGS: dict[str, tuple[str, str]] = {
    "list-api-key-credential-providers": ("ListApiKeyCredentialProviders", "credentialProviders"),
    "list-oauth2-credential-providers": ("ListOauth2CredentialProviders", "credentialProviders"),
    "list-payment-credential-providers": ("ListPaymentCredentialProviders", "credentialProviders"),
    "list-consent-portals": ("ListConsentPortals", "consentPortals"),
    "list-workload-identities": ("ListWorkloadIdentities", "workloadIdentities"),
}


def print_listing(app_ctx: AppContext, command: str, paging: Paging) -> None:
    """Print every item (or the pages --max-items and --page-size ask for), following nextToken."""
    operation, key = LISTINGS[command]
    app_ctx.emit(app_ctx.call_paginated(operation, {}, key, paging))
