"""Endpoint overrides for built-in OAuth2 vendors: a local-backend extension of the API.

The AWS API gives the dedicated vendors (GithubOauth2, GoogleOauth2, SlackOauth2,
SalesforceOauth2, MicrosoftOauth2, AtlassianOauth2, LinkedinOauth2) no endpoint members: the
service always talks to the vendor itself. Locally, `--issuer`, `--authorization-endpoint`
and `--token-endpoint` may point such a provider elsewhere (a loopback test server, a
private mirror) while keeping the vendor's quirks. The flags are taken out of the API request
and stored by `set_oauth2_endpoint_overrides` in the same transaction as the create or
update; on the aws backend they are refused before any call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentcore_identity_cli.errors import UsageError

if TYPE_CHECKING:
    from agentcore_identity_cli.cli.context import AppContext

OVERRIDABLE = ("issuer", "authorizationEndpoint", "tokenEndpoint")
_API_ENDPOINT_MEMBERS = ("customOauth2ProviderConfig", "includedOauth2ProviderConfig")


def split_endpoint_overrides(
    vendor: str, config_input: str | None, flags: dict[str, str | None]
) -> tuple[dict[str, str | None], dict[str, str]]:
    """(the flags the API takes, the endpoint overrides) for a create or update."""
    if config_input is not None:
        return flags, {}
    from agentcore_identity_cli.oauth.catalogue import vendor as lookup

    try:
        member = lookup(vendor).config_member
    except KeyError:
        return flags, {}  # build_config names the valid vendors
    if member in _API_ENDPOINT_MEMBERS:
        return flags, {}
    overrides = {key: value for key in OVERRIDABLE if (value := flags.get(key))}
    return {key: None if key in overrides else value for key, value in flags.items()}, overrides


def call_with_endpoint_overrides(
    app_ctx: AppContext, operation: str, params: dict[str, Any], overrides: dict[str, str]
) -> dict[str, Any]:
    """Run the create or update, then store the overrides, in one vault transaction."""
    if not overrides or app_ctx.cli_input.skeleton_output:
        return app_ctx.call(operation, params)  # a sample response stores nothing
    flags = ", ".join("--" + "".join("-" + c.lower() if c.isupper() else c for c in key) for key in overrides)
    if app_ctx.settings.backend != "local":
        raise UsageError(
            f"{params['credentialProviderVendor']} uses the vendor's own endpoints: the API takes no {flags} for it.",
            hint="endpoint overrides of built-in vendors are a local-backend extension; "
            "use CustomOauth2 for another authorization server",
        )
    from agentcore_identity_cli.backends.local.oauth_store import OAUTH2
    from agentcore_identity_cli.backends.local.oauth_tokens import OAuth2TokensMixin

    backend = app_ctx.backend()
    assert isinstance(backend, OAuth2TokensMixin)
    with backend.store.transaction():
        response = app_ctx.call(operation, params)
        backend.set_oauth2_endpoint_overrides(params["name"], overrides)
        row = backend.require(OAUTH2, params["name"])
    if "oauth2ProviderConfigOutput" in response:
        response["oauth2ProviderConfigOutput"] = row["attrs"]["output"]
    return response
