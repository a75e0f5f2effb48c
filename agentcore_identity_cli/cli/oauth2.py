"""OAuth2 credential providers: create, get, update, delete, list.

`--oauth2-provider-config-input` takes the API's structure as JSON, shorthand or file://.
For people typing by hand, convenience flags build the same structure: a built-in vendor
needs only `--client-id` and `--client-secret`; a custom one a `--discovery-url`, or
`--issuer` with `--authorization-endpoint` and `--token-endpoint`.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentcore_identity_cli.cli.endpoint_overrides import call_with_endpoint_overrides, split_endpoint_overrides
from agentcore_identity_cli.cli.options import Tags, list_command
from agentcore_identity_cli.cli.params import SecretReader, expand, scope_list, structure, warn_secret_on_command_line
from agentcore_identity_cli.cli.private_key import PrivateKey, call_with_private_key
from agentcore_identity_cli.cli.root import command, get_context
from agentcore_identity_cli.errors import UsageError
from agentcore_identity_cli.iostreams import IOStreams

if TYPE_CHECKING:
    from agentcore_identity_cli.cli.context import AppContext

# Tag under which --scopes keeps a provider's default scopes: the API has no member for
# them, and a tag travels with the provider on either backend.
SCOPES_TAG = "agentcore-identity:default-scopes"

Name = Annotated[str, typer.Option("--name", help="Name of the credential provider.", show_default=False)]
Vendor = Annotated[
    str | None,
    typer.Option(
        "--credential-provider-vendor",
        help="GoogleOauth2, GithubOauth2, ..., CustomOauth2 (the default when the endpoints are given by flags).",
        show_default=False,
    ),
]
ConfigInput = Annotated[
    str | None,
    typer.Option(
        "--oauth2-provider-config-input", help="The API's oauth2ProviderConfigInput: JSON, shorthand or file://PATH."
    ),
]
ClientId = Annotated[str | None, typer.Option("--client-id", help="OAuth client id.")]
ClientSecret = Annotated[
    str | None,
    typer.Option(
        "--client-secret", help="OAuth client secret: '-' reads stdin, file://PATH a file; prompted for on a terminal."
    ),
]
DiscoveryUrl = Annotated[
    str | None, typer.Option("--discovery-url", help="OpenID Connect or RFC 8414 metadata URL (custom vendors).")
]
Issuer = Annotated[str | None, typer.Option("--issuer", help="Issuer of the authorization server.")]
AuthorizationEndpoint = Annotated[
    str | None, typer.Option("--authorization-endpoint", "--authorization-url", help="Authorization endpoint.")
]
TokenEndpoint = Annotated[str | None, typer.Option("--token-endpoint", "--token-url", help="Token endpoint.")]
Scopes = Annotated[
    list[str] | None,
    typer.Option(
        "--scopes", help="Default scopes for token and login: space-separated, or a JSON list; kept as a tag."
    ),
]
TenantId = Annotated[str | None, typer.Option("--tenant-id", help="Microsoft Entra tenant (MicrosoftOauth2).")]


def _member_for(vendor: str) -> str:
    from agentcore_identity_cli.oauth.catalogue import vendor as lookup

    try:
        return lookup(vendor).config_member
    except KeyError:
        from agentcore_identity_cli.models.constraints import did_you_mean
        from agentcore_identity_cli.oauth.catalogue import vendors

        close = did_you_mean(vendor, sorted(vendors()))
        raise UsageError(
            f"argument --credential-provider-vendor: Invalid choice '{vendor}', valid choices are: "
            + " | ".join(sorted(vendors())),
            hint=f"did you mean '{close}'?" if close else None,
        ) from None


def build_config(
    vendor: str,
    config_input: str | None,
    flags: dict[str, str | None],
    io: IOStreams | None = None,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """oauth2ProviderConfigInput from the structured flag or the convenience flags.

    What was filled in for the user (an issuer taken from the endpoints) is added to `notes`.
    """
    notes = [] if notes is None else notes
    given = {key: value for key, value in flags.items() if value is not None}
    if config_input is not None:
        if given:
            names = ", ".join("--" + "".join("-" + c.lower() if c.isupper() else c for c in k) for k in given)
            raise UsageError(f"--oauth2-provider-config-input cannot be combined with {names}.")
        config = structure(config_input, "--oauth2-provider-config-input")
        if not isinstance(config, dict):
            raise UsageError("--oauth2-provider-config-input must be a structure.")
        typed_secret = any(isinstance(v, dict) and v.get("clientSecret") for v in config.values())
        if io is not None and typed_secret and not config_input.startswith("file://"):
            warn_secret_on_command_line(
                io,
                "the clientSecret",
                "leave it out and use '--client-secret -' (stdin) or --client-secret file://PATH",
            )
        return config
    member = _member_for(vendor)
    inner: dict[str, Any] = {}
    if "clientId" in given:
        inner["clientId"] = given["clientId"]
    if member == "customOauth2ProviderConfig":
        if "discoveryUrl" in given:
            if any(k in given for k in ("issuer", "authorizationEndpoint", "tokenEndpoint")):
                raise UsageError("Give either --discovery-url, or --issuer with the endpoints; not both.")
            inner["oauthDiscovery"] = {"discoveryUrl": given["discoveryUrl"]}
        elif "authorizationEndpoint" in given or "tokenEndpoint" in given or "issuer" in given:
            if "authorizationEndpoint" not in given or "tokenEndpoint" not in given:
                raise UsageError(
                    "A custom provider without --discovery-url needs --authorization-endpoint and --token-endpoint "
                    "(and --issuer, or the endpoints' origin is taken)."
                )
            if "issuer" not in given:
                given["issuer"] = _issuer_of(given["authorizationEndpoint"], given["tokenEndpoint"])
                notes.append(f"issuer {given['issuer']} (the endpoints' origin; --issuer sets another)")
            inner["oauthDiscovery"] = {
                "authorizationServerMetadata": {
                    "issuer": given["issuer"],
                    "authorizationEndpoint": given["authorizationEndpoint"],
                    "tokenEndpoint": given["tokenEndpoint"],
                    "responseTypes": ["code"],
                }
            }
        else:
            raise UsageError(
                "CustomOauth2 needs --discovery-url, or --issuer with --authorization-endpoint and --token-endpoint."
            )
    elif member == "includedOauth2ProviderConfig":
        if "discoveryUrl" in given:
            raise UsageError(
                f"{vendor} takes --issuer, --authorization-endpoint and --token-endpoint, not --discovery-url."
            )
        for field in ("issuer", "authorizationEndpoint", "tokenEndpoint"):
            if field in given:
                inner[field] = given[field]
    else:
        extra = [f for f in ("discoveryUrl", "issuer", "authorizationEndpoint", "tokenEndpoint") if f in given]
        if extra:
            raise UsageError(
                f"{vendor} uses the vendor's own endpoints; the API takes no {', '.join(extra)} for it. "
                "Use CustomOauth2 for another authorization server."
            )
    if "tenantId" in given:
        if member != "microsoftOauth2ProviderConfig":
            raise UsageError("--tenant-id applies to MicrosoftOauth2 only.")
        inner["tenantId"] = given["tenantId"]
    return {member: inner}


def _issuer_of(authorization_endpoint: str, token_endpoint: str) -> str:
    """The issuer an authorization server most likely has: its endpoints' origin (RFC 8414 section 2)."""
    from urllib.parse import urlsplit

    for url in (authorization_endpoint, token_endpoint):
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    raise UsageError(
        f"Bad value for --authorization-endpoint: {authorization_endpoint} is not an absolute URL; "
        "give the endpoints as https://host/path, or --issuer."
    )


def resolve_vendor(vendor: str | None, config_input: str | None, flags: dict[str, str | None]) -> tuple[str, bool]:
    """(the vendor, whether it was chosen for the user): named, or CustomOauth2 when the endpoints
    of a custom authorization server are given by flags, as AgentCore's own examples do."""
    if vendor is not None:
        return vendor, False
    endpoint_flags = ("discoveryUrl", "issuer", "authorizationEndpoint", "tokenEndpoint")
    if config_input is None and any(flags.get(key) for key in endpoint_flags):
        return "CustomOauth2", True
    raise UsageError(
        "Missing option '--credential-provider-vendor'.",
        hint="name the vendor (GoogleOauth2, GithubOauth2, ..., CustomOauth2), or give a custom server's "
        "--discovery-url, or its --authorization-url and --token-url",
    )


def _explain(io: IOStreams, defaulted: bool, notes: list[str]) -> None:
    """One line on stderr for what was filled in: the vendor, the issuer."""
    if defaulted:
        io.warn("Note: no --credential-provider-vendor given: using CustomOauth2" + "".join(f", {n}" for n in notes))
    elif notes:
        io.warn("Note: using " + ", ".join(notes))


def _config(
    app_ctx: AppContext,
    vendor: str | None,
    config_input: str | None,
    flags: dict[str, str | None],
    notes: list[str],
) -> tuple[Any, bool]:
    """(oauth2ProviderConfigInput, whether it came from --cli-input-json/--cli-input-yaml).

    The structured flag or the convenience flags win; else the whole-request input's member;
    else build_config says what is missing.
    """
    from_input = app_ctx.cli_input.get("oauth2ProviderConfigInput")
    if config_input is None and not any(value is not None for value in flags.values()) and from_input is not None:
        return copy.deepcopy(from_input), True
    if not vendor and app_ctx.cli_input.members:
        return None, False  # botocore's check names the missing credentialProviderVendor
    return build_config(vendor or "", config_input, flags, app_ctx.io, notes), False


def _with_secret(
    ctx: typer.Context, config: Any, client_secret: str | None, *, required: bool, from_input: bool = False
) -> None:
    """Put the client secret into the single config member, read the safe way.

    A --client-secret replaces a clientSecret of --cli-input-json, as any flag wins over it.
    """
    if not isinstance(config, dict) or len(config) != 1:
        return  # the model reports a union with other than one member
    (inner,) = config.values()
    if not isinstance(inner, dict):
        return
    if client_secret is None and ("clientSecret" in inner or "clientSecretConfig" in inner):
        return
    if "clientSecret" in inner and client_secret is not None and not from_input:
        raise UsageError("The client secret is given twice: in --oauth2-provider-config-input and --client-secret.")
    secret = SecretReader(get_context(ctx).io).read(
        client_secret, "--client-secret", "Client secret", required=required
    )
    if secret is not None:
        inner["clientSecret"] = secret


def _uses_private_key(config: Any) -> bool:
    inner = config.get("customOauth2ProviderConfig") if isinstance(config, dict) else None
    return isinstance(inner, dict) and inner.get("clientAuthenticationMethod") == "PRIVATE_KEY_JWT"


def _call(
    app_ctx: AppContext, operation: str, params: dict[str, Any], overrides: dict[str, str], private_key: str | None
) -> dict[str, Any]:
    """The create or update, with the local-only extras (endpoint overrides, a private key) in its transaction."""
    if private_key is None:
        return call_with_endpoint_overrides(app_ctx, operation, params, overrides)
    if not _uses_private_key(params["oauth2ProviderConfigInput"]):
        raise UsageError(
            "--private-key is used with clientAuthenticationMethod PRIVATE_KEY_JWT of a CustomOauth2 provider.",
            hint="set clientAuthenticationMethod=PRIVATE_KEY_JWT in --oauth2-provider-config-input",
        )
    pem = SecretReader(app_ctx.io).read(private_key, "--private-key", "Private key (PEM)")
    assert pem is not None
    return call_with_private_key(app_ctx, operation, params, pem)


def _scope_tags(app_ctx: AppContext, tags: str | None, values: list[str] | None) -> dict[str, str] | None:
    parsed: dict[str, str] | None = structure(tags, "--tags")
    scopes = scope_list(values)
    if scopes:
        base = parsed if parsed is not None else app_ctx.cli_input.get("tags")
        parsed = dict(base) if isinstance(base, dict) else {}
        parsed[SCOPES_TAG] = " ".join(scopes)
    return parsed


@command(
    "create-oauth2-credential-provider", "Create an OAuth2 credential provider; the client secret is stored encrypted."
)
def create_oauth2_credential_provider(
    ctx: typer.Context,
    name: Name,
    credential_provider_vendor: Vendor = None,
    oauth2_provider_config_input: ConfigInput = None,
    client_id: ClientId = None,
    client_secret: ClientSecret = None,
    discovery_url: DiscoveryUrl = None,
    issuer: Issuer = None,
    authorization_endpoint: AuthorizationEndpoint = None,
    token_endpoint: TokenEndpoint = None,
    tenant_id: TenantId = None,
    scopes: Scopes = None,
    tags: Tags = None,
    private_key: PrivateKey = None,
) -> None:
    app_ctx = get_context(ctx)
    given = _flags(client_id, discovery_url, issuer, authorization_endpoint, token_endpoint, tenant_id)
    vendor, defaulted = _vendor(app_ctx, credential_provider_vendor, oauth2_provider_config_input, given)
    flags, overrides = split_endpoint_overrides(vendor or "", oauth2_provider_config_input, given)
    notes: list[str] = []
    config, from_input = _config(app_ctx, vendor, oauth2_provider_config_input, flags, notes)
    _explain(app_ctx.io, defaulted, notes)
    _with_secret(ctx, config, client_secret, required=not _uses_private_key(config), from_input=from_input)
    params = {
        "name": expand(name, "--name"),
        "credentialProviderVendor": vendor,
        "oauth2ProviderConfigInput": config,
        "tags": _scope_tags(app_ctx, tags, scopes),
    }
    app_ctx.emit(_call(app_ctx, "CreateOauth2CredentialProvider", params, overrides, private_key))


@command("get-oauth2-credential-provider", "Show an OAuth2 credential provider (never the client secret).")
def get_oauth2_credential_provider(ctx: typer.Context, name: Name) -> None:
    app_ctx = get_context(ctx)
    app_ctx.emit(app_ctx.call("GetOauth2CredentialProvider", {"name": expand(name, "--name")}))


@command("update-oauth2-credential-provider", "Replace the configuration of an OAuth2 credential provider.")
def update_oauth2_credential_provider(
    ctx: typer.Context,
    name: Name,
    credential_provider_vendor: Vendor = None,
    oauth2_provider_config_input: ConfigInput = None,
    client_id: ClientId = None,
    client_secret: ClientSecret = None,
    discovery_url: DiscoveryUrl = None,
    issuer: Issuer = None,
    authorization_endpoint: AuthorizationEndpoint = None,
    token_endpoint: TokenEndpoint = None,
    tenant_id: TenantId = None,
    private_key: PrivateKey = None,
) -> None:
    app_ctx = get_context(ctx)
    given = _flags(client_id, discovery_url, issuer, authorization_endpoint, token_endpoint, tenant_id)
    vendor, defaulted = _vendor(app_ctx, credential_provider_vendor, oauth2_provider_config_input, given)
    flags, overrides = split_endpoint_overrides(vendor or "", oauth2_provider_config_input, given)
    notes: list[str] = []
    config, from_input = _config(app_ctx, vendor, oauth2_provider_config_input, flags, notes)
    _explain(app_ctx.io, defaulted, notes)
    # An omitted secret keeps the stored one.
    _with_secret(ctx, config, client_secret, required=False, from_input=from_input)
    params = {"name": expand(name, "--name"), "credentialProviderVendor": vendor, "oauth2ProviderConfigInput": config}
    app_ctx.emit(_call(app_ctx, "UpdateOauth2CredentialProvider", params, overrides, private_key))


@command("delete-oauth2-credential-provider", "Delete an OAuth2 credential provider and its stored secret.")
def delete_oauth2_credential_provider(ctx: typer.Context, name: Name) -> None:
    app_ctx = get_context(ctx)
    app_ctx.emit(app_ctx.call("DeleteOauth2CredentialProvider", {"name": expand(name, "--name")}))


list_command("list-oauth2-credential-providers", "List OAuth2 credential providers.")


def _vendor(
    app_ctx: AppContext, flag: str | None, config_input: str | None, given: dict[str, str | None]
) -> tuple[str | None, bool]:
    """(the vendor, whether it was chosen for the user): the flag, else --cli-input-json's member,
    else as resolve_vendor decides; None when a whole-request input leaves it out (botocore's
    check then names it)."""
    vendor = expand(flag, "--credential-provider-vendor")
    if vendor is None and app_ctx.cli_input.members:
        member = app_ctx.cli_input.get("credentialProviderVendor")
        return (member if isinstance(member, str) else None), False
    return resolve_vendor(vendor, config_input, given)


def _flags(
    client_id: str | None,
    discovery_url: str | None,
    issuer: str | None,
    authorization_endpoint: str | None,
    token_endpoint: str | None,
    tenant_id: str | None,
) -> dict[str, str | None]:
    return {
        "clientId": expand(client_id, "--client-id"),
        "discoveryUrl": expand(discovery_url, "--discovery-url"),
        "issuer": expand(issuer, "--issuer"),
        "authorizationEndpoint": expand(authorization_endpoint, "--authorization-endpoint"),
        "tokenEndpoint": expand(token_endpoint, "--token-endpoint"),
        "tenantId": expand(tenant_id, "--tenant-id"),
    }
