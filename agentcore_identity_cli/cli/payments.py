"""Payment credential providers (CoinbaseCDP, StripePrivy): create, get, update, delete, list.

`--provider-configuration-input` takes the API's structure as JSON, shorthand or file://.
For people typing by hand, convenience flags build the same structure: `--api-key-id`
with `--api-key-secret` and `--wallet-secret` for CoinbaseCDP; `--app-id`,
`--authorization-id`, `--app-secret` and `--authorization-private-key` for StripePrivy.
Secrets are read the safe way (stdin, file://, a hidden prompt), as everywhere.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any

import typer

from agentcore_identity_cli.cli.options import Tags, list_command
from agentcore_identity_cli.cli.params import FILE_PREFIX, SecretReader, expand, structure, warn_secret_on_command_line
from agentcore_identity_cli.cli.root import command, get_context
from agentcore_identity_cli.errors import UsageError
from agentcore_identity_cli.iostreams import IOStreams

CONFIG_FLAG = "--provider-configuration-input"

# vendor -> (config member, {id member: flag}, {secret member: (flag, prompt label)})
VENDORS: dict[str, tuple[str, dict[str, str], dict[str, tuple[str, str]]]] = {
    "CoinbaseCDP": (
        "coinbaseCdpConfiguration",
        {"apiKeyId": "--api-key-id"},
        {
            "apiKeySecret": ("--api-key-secret", "CDP API key secret"),
            "walletSecret": ("--wallet-secret", "CDP wallet secret"),
        },
    ),
    "StripePrivy": (
        "stripePrivyConfiguration",
        {"appId": "--app-id", "authorizationId": "--authorization-id"},
        {
            "appSecret": ("--app-secret", "Privy app secret"),
            "authorizationPrivateKey": ("--authorization-private-key", "Privy authorization private key"),
        },
    ),
}

Name = Annotated[str, typer.Option("--name", help="Name of the credential provider.", show_default=False)]
Vendor = Annotated[
    str, typer.Option("--credential-provider-vendor", help="CoinbaseCDP or StripePrivy.", show_default=False)
]
ConfigInput = Annotated[
    str | None,
    typer.Option(CONFIG_FLAG, help="The API's providerConfigurationInput: JSON, shorthand or file://PATH."),
]
_SECRET_HELP = "'-' reads stdin, file://PATH a file; prompted for on a terminal."
ApiKeyId = Annotated[str | None, typer.Option("--api-key-id", help="CoinbaseCDP: the API key id.")]
ApiKeySecret = Annotated[
    str | None,
    typer.Option(
        "--api-key-secret", help=f"CoinbaseCDP: the API key secret (EC PEM or Ed25519 base64): {_SECRET_HELP}"
    ),
]
WalletSecret = Annotated[
    str | None, typer.Option("--wallet-secret", help=f"CoinbaseCDP: the wallet secret: {_SECRET_HELP}")
]
AppId = Annotated[str | None, typer.Option("--app-id", help="StripePrivy: the Privy app id.")]
AppSecret = Annotated[
    str | None, typer.Option("--app-secret", help=f"StripePrivy: the Privy app secret: {_SECRET_HELP}")
]
AuthorizationId = Annotated[
    str | None, typer.Option("--authorization-id", help="StripePrivy: the id of the authorization key.")
]
AuthorizationPrivateKey = Annotated[
    str | None,
    typer.Option(
        "--authorization-private-key",
        help=f"StripePrivy: the authorization private key (wallet-auth:...): {_SECRET_HELP}",
    ),
]


def _vendor(value: str) -> tuple[str, dict[str, str], dict[str, tuple[str, str]]]:
    try:
        return VENDORS[value]
    except KeyError:
        from agentcore_identity_cli.models.constraints import did_you_mean

        close = did_you_mean(value, list(VENDORS))
        raise UsageError(
            f"argument --credential-provider-vendor: Invalid choice '{value}', valid choices are: "
            + " | ".join(VENDORS),
            hint=f"did you mean '{close}'?" if close else None,
        ) from None


def build_config(
    vendor: str,
    config_input: str | None,
    ids: dict[str, str | None],
    secrets: dict[str, str | None],
    io: IOStreams,
    *,
    required: bool,
    from_input: Any = None,
) -> Any:
    """providerConfigurationInput from the structured flag or the convenience flags, with the
    secrets read the safe way. `required`: ask for a secret that is given nowhere (create).

    `from_input`: the member as --cli-input-json/--cli-input-yaml gives it, used when neither
    the structured flag nor an id flag is given; a secret flag then replaces its secret.
    """
    use_input = from_input is not None and config_input is None and not any(v is not None for v in ids.values())
    if use_input and (vendor not in VENDORS or not isinstance(from_input, dict)):
        if not any(v is not None for v in secrets.values()):
            return copy.deepcopy(from_input)  # the service judges the vendor, the model the shape
    member, id_flags, secret_flags = _vendor(vendor)
    all_ids = {m: f for _, flags, _ in VENDORS.values() for m, f in flags.items()}
    all_secrets = {m: s[0] for _, _, flags in VENDORS.values() for m, s in flags.items()}
    given_ids = {key: value for key, value in ids.items() if value is not None}
    given_secrets = {key: value for key, value in secrets.items() if value is not None}
    foreign = [all_ids[k] for k in given_ids if k not in id_flags]
    foreign += [all_secrets[k] for k in given_secrets if k not in secret_flags]
    if foreign:
        raise UsageError(f"{', '.join(foreign)} do not apply to {vendor}.")
    if config_input is not None:
        if given_ids:
            raise UsageError(f"{CONFIG_FLAG} cannot be combined with {', '.join(id_flags[k] for k in given_ids)}.")
        config = structure(config_input, CONFIG_FLAG)
        if not isinstance(config, dict):
            raise UsageError(f"{CONFIG_FLAG} must be a structure.")
        inner = config.get(member)
        if len(config) != 1 or not isinstance(inner, dict):
            return config  # the request model reports the union's members
        typed = [key for key in secret_flags if inner.get(key)]
        if typed and not config_input.startswith(FILE_PREFIX):
            flag = secret_flags[typed[0]][0]
            warn_secret_on_command_line(
                io, f"the {' and '.join(typed)}", f"leave it out and use '{flag} -' (stdin) or {flag} file://PATH"
            )
    elif use_input:
        config = copy.deepcopy(from_input)
        inner = config.get(member)
        if len(config) != 1 or not isinstance(inner, dict):
            return config
    else:
        missing = [flag for key, flag in id_flags.items() if key not in given_ids]
        if missing:
            raise UsageError(f"{vendor} needs {' and '.join(missing)} (or {CONFIG_FLAG}).")
        inner = dict(given_ids)
        config = {member: inner}
    reader = SecretReader(io)
    for key, (flag, label) in secret_flags.items():
        value = given_secrets.get(key)
        if key in inner and value is not None and not use_input:
            raise UsageError(f"The {key} is given twice: in {CONFIG_FLAG} and {flag}.")
        if key in inner and value is not None:
            inner.pop(key)  # a flag wins over --cli-input-json
        if key in inner or f"{key}Config" in inner:
            continue  # given in the structure, or kept in Secrets Manager (aws backend)
        secret = reader.read(value, flag, label, required=required)
        if secret is not None:
            inner[key] = secret
    return config


def _request(
    ctx: typer.Context,
    name: str | None,
    vendor: str | None,
    config_input: str | None,
    ids: dict[str, str | None],
    secrets: dict[str, str | None],
    *,
    create: bool,
) -> dict[str, Any]:
    app_ctx = get_context(ctx)
    vendor_name = expand(vendor, "--credential-provider-vendor")
    if vendor_name is None and isinstance(app_ctx.cli_input.get("credentialProviderVendor"), str):
        vendor_name = app_ctx.cli_input.get("credentialProviderVendor")
    flags = {key: flag for _, id_flags, _ in VENDORS.values() for key, flag in id_flags.items()}
    expanded = {key: expand(value, flags[key]) for key, value in ids.items()}
    from_input = app_ctx.cli_input.get("providerConfigurationInput")
    if vendor_name is None and app_ctx.cli_input.members:
        config = from_input  # botocore's check names the missing credentialProviderVendor
    else:
        config = build_config(
            vendor_name or "", config_input, expanded, secrets, app_ctx.io, required=create, from_input=from_input
        )
    return {
        "name": expand(name, "--name"),
        "credentialProviderVendor": vendor_name,
        "providerConfigurationInput": config,
    }


@command(
    "create-payment-credential-provider",
    "Create a payment credential provider (CoinbaseCDP, StripePrivy); its secrets are stored encrypted.",
)
def create_payment_credential_provider(
    ctx: typer.Context,
    name: Name,
    credential_provider_vendor: Vendor,
    provider_configuration_input: ConfigInput = None,
    api_key_id: ApiKeyId = None,
    api_key_secret: ApiKeySecret = None,
    wallet_secret: WalletSecret = None,
    app_id: AppId = None,
    app_secret: AppSecret = None,
    authorization_id: AuthorizationId = None,
    authorization_private_key: AuthorizationPrivateKey = None,
    tags: Tags = None,
) -> None:
    app_ctx = get_context(ctx)
    params = _request(
        ctx,
        name,
        credential_provider_vendor,
        provider_configuration_input,
        {"apiKeyId": api_key_id, "appId": app_id, "authorizationId": authorization_id},
        {
            "apiKeySecret": api_key_secret,
            "walletSecret": wallet_secret,
            "appSecret": app_secret,
            "authorizationPrivateKey": authorization_private_key,
        },
        create=True,
    )
    params["tags"] = structure(tags, "--tags")
    app_ctx.emit(app_ctx.call("CreatePaymentCredentialProvider", params))


@command("get-payment-credential-provider", "Show a payment credential provider (never its secrets).")
def get_payment_credential_provider(ctx: typer.Context, name: Name) -> None:
    app_ctx = get_context(ctx)
    app_ctx.emit(app_ctx.call("GetPaymentCredentialProvider", {"name": expand(name, "--name")}))


@command(
    "update-payment-credential-provider",
    "Replace the configuration of a payment credential provider; an omitted secret keeps the stored one.",
)
def update_payment_credential_provider(
    ctx: typer.Context,
    name: Name,
    credential_provider_vendor: Vendor,
    provider_configuration_input: ConfigInput = None,
    api_key_id: ApiKeyId = None,
    api_key_secret: ApiKeySecret = None,
    wallet_secret: WalletSecret = None,
    app_id: AppId = None,
    app_secret: AppSecret = None,
    authorization_id: AuthorizationId = None,
    authorization_private_key: AuthorizationPrivateKey = None,
) -> None:
    app_ctx = get_context(ctx)
    params = _request(
        ctx,
        name,
        credential_provider_vendor,
        provider_configuration_input,
        {"apiKeyId": api_key_id, "appId": app_id, "authorizationId": authorization_id},
        {
            "apiKeySecret": api_key_secret,
            "walletSecret": wallet_secret,
            "appSecret": app_secret,
            "authorizationPrivateKey": authorization_private_key,
        },
        create=False,
    )
    app_ctx.emit(app_ctx.call("UpdatePaymentCredentialProvider", params))


@command("delete-payment-credential-provider", "Delete a payment credential provider and its stored secrets.")
def delete_payment_credential_provider(ctx: typer.Context, name: Name) -> None:
    app_ctx = get_context(ctx)
    app_ctx.emit(app_ctx.call("DeletePaymentCredentialProvider", {"name": expand(name, "--name")}))


list_command("list-payment-credential-providers", "List payment credential providers.")
