"""Payment credential providers (Coinbase CDP, Stripe/Privy) and GetResourcePaymentToken.

A provider's secrets (CDP's API key secret and wallet secret; Privy's app secret and
authorization private key) are sealed in the `secrets` table, one field each; its ids
and the output the API returns stay readable in its row. GetResourcePaymentToken opens
them for a valid workload access token and hands back what the vendor's API accepts
(payment_tokens.py), never the secrets themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agentcore_identity_cli.backends.local import arns
from agentcore_identity_cli.backends.local.core import timestamp
from agentcore_identity_cli.backends.local.providers import vendor_provider_summary
from agentcore_identity_cli.backends.local.signing import SigningMixin
from agentcore_identity_cli.errors import validation

PAYMENT = "payment"
PAYMENT_PAGE_LIMIT = 20  # ListPaymentCredentialProviders' maxResults ceiling


@dataclass(frozen=True)
class Vendor:
    """What differs between the payment vendors: member names, ids and secrets."""

    config_member: str  # in providerConfigurationInput / providerConfigurationOutput
    token_member: str  # in paymentTokenRequest
    response_member: str  # in paymentTokenResponse
    ids: tuple[str, ...]  # readable members kept as given
    secrets: tuple[str, ...]  # sealed members; each has *Source, *Config, *Arn siblings in the API
    flags: tuple[str, ...]  # the CLI flag of each secret, for messages


VENDORS: dict[str, Vendor] = {
    "CoinbaseCDP": Vendor(
        "coinbaseCdpConfiguration",
        "coinbaseCdpTokenRequest",
        "coinbaseCdpTokenResponse",
        ("apiKeyId",),
        ("apiKeySecret", "walletSecret"),
        ("--api-key-secret", "--wallet-secret"),
    ),
    "StripePrivy": Vendor(
        "stripePrivyConfiguration",
        "stripePrivyTokenRequest",
        "stripePrivyTokenResponse",
        ("appId", "authorizationId"),
        ("appSecret", "authorizationPrivateKey"),
        ("--app-secret", "--authorization-private-key"),
    ),
}


def _vendor_config(params: dict[str, Any]) -> tuple[str, Vendor, dict[str, Any]]:
    """The vendor, its entry and the one config member it takes, checked."""
    name = params["credentialProviderVendor"]
    vendor = VENDORS[name]
    ((member, config),) = params["providerConfigurationInput"].items()
    if member != vendor.config_member:
        raise validation(
            f"credentialProviderVendor {name} takes providerConfigurationInput.{vendor.config_member}, not {member}."
        )
    # Secrets Manager references and EXTERNAL sources were refused before (local_refusals.json).
    return name, vendor, config


def _check_secret(vendor_name: str, member: str, value: str) -> None:
    """Refuse a key the token calls could not use, at create/update rather than at first use."""
    from agentcore_identity_cli.backends.local import payment_tokens

    if vendor_name == "CoinbaseCDP" and member == "apiKeySecret":
        payment_tokens.check_cdp_api_key(value)
    elif vendor_name == "CoinbaseCDP" and member == "walletSecret":
        payment_tokens.check_cdp_wallet_secret(value)
    elif vendor_name == "StripePrivy" and member == "authorizationPrivateKey":
        payment_tokens.check_privy_key(value)


def _output_config(row: dict[str, Any], vault_id: str) -> dict[str, Any]:
    """providerConfigurationOutput: the ids, and for each secret where the service keeps it.

    Built at each read: the secrets' ARNs derive from the vault id (arns.secret_arn).
    """
    vendor = VENDORS[row["attrs"]["vendor"]]
    inner: dict[str, Any] = dict(row["attrs"]["ids"])
    for secret in vendor.secrets:
        arn = arns.secret_arn(vault_id, PAYMENT, f"{row['name']}/{secret}", row["created"])
        inner[f"{secret}Arn"] = {"secretArn": arn}
        inner[f"{secret}Source"] = "MANAGED"
    return {vendor.config_member: inner}


def _out(row: dict[str, Any], vault_id: str, *, times: bool) -> dict[str, Any]:
    attrs = row["attrs"]
    out: dict[str, Any] = {
        "name": row["name"],
        "credentialProviderVendor": attrs["vendor"],
        "credentialProviderArn": row["arn"],
        "providerConfigurationOutput": _output_config(row, vault_id),
    }
    if times:
        out["createdTime"] = timestamp(row["created"])
        out["lastUpdatedTime"] = timestamp(row["updated"])
    return out


class PaymentsMixin(SigningMixin):
    """The payment credential provider operations and GetResourcePaymentToken."""

    def _attrs(self, params: dict[str, Any]) -> tuple[Vendor, dict[str, Any], dict[str, str]]:
        """(vendor, row attrs, the secrets given) of a create or update request."""
        vendor_name, vendor, config = _vendor_config(params)
        given = {member: config[member] for member in vendor.secrets if config.get(member)}
        for member, value in given.items():
            _check_secret(vendor_name, member, value)
        attrs = {"vendor": vendor_name, "ids": {key: config[key] for key in vendor.ids}}
        return vendor, attrs, given

    def create_payment_credential_provider(self, params: dict[str, Any]) -> dict[str, Any]:
        """CreatePaymentCredentialProvider."""
        name = params["name"]
        vendor, attrs, given = self._attrs(params)
        missing = [flag for member, flag in zip(vendor.secrets, vendor.flags, strict=True) if member not in given]
        if missing:
            members = [m for m in vendor.secrets if m not in given]
            raise validation(f"{', '.join(members)} is required by the local backend (pass {' and '.join(missing)}).")
        with self.store.transaction():
            self.refuse_existing(PAYMENT, name)
            row = self.store.insert(PAYMENT, name, arns.provider_arn(PAYMENT, name), attrs)
            for member, value in given.items():
                self.seal_secret(PAYMENT, name, member, value)
            if params.get("tags"):
                self.store.set_tags(row["arn"], params["tags"])
        return _out(row, self.vault_id, times=False)

    def get_payment_credential_provider(self, params: dict[str, Any]) -> dict[str, Any]:
        """GetPaymentCredentialProvider (with the provider's tags, as the service returns them)."""
        row = self.require(PAYMENT, params["name"])
        out = _out(row, self.vault_id, times=True)
        tags = self.store.tags(row["arn"])
        if tags:
            out["tags"] = tags
        return out

    def update_payment_credential_provider(self, params: dict[str, Any]) -> dict[str, Any]:
        """UpdatePaymentCredentialProvider: ids replaced; an omitted secret keeps the stored one,
        unless the vendor changes (then every secret of the new vendor is needed)."""
        name = params["name"]
        vendor, attrs, given = self._attrs(params)
        with self.store.transaction():
            row = self.require(PAYMENT, name)
            previous = VENDORS[row["attrs"]["vendor"]]
            if previous is not vendor:
                missing = [m for m in vendor.secrets if m not in given]
                if missing:
                    raise validation(
                        f"Changing the vendor to {attrs['vendor']} needs its secrets: {', '.join(missing)}."
                    )
                for member in previous.secrets:
                    self.store.delete_secret(PAYMENT, name, member)
            for member, value in given.items():
                self.seal_secret(PAYMENT, name, member, value)
            self.store.update(PAYMENT, name, attrs)
            row = self.require(PAYMENT, name)
        return _out(row, self.vault_id, times=True)

    def delete_payment_credential_provider(self, params: dict[str, Any]) -> dict[str, Any]:
        """DeletePaymentCredentialProvider: the row, its sealed secrets and its tags."""
        return self.delete_resource(PAYMENT, params["name"])

    def list_payment_credential_providers(self, params: dict[str, Any]) -> dict[str, Any]:
        """ListPaymentCredentialProviders."""
        return self.list_resources(PAYMENT, params, PAYMENT_PAGE_LIMIT, "credentialProviders", vendor_provider_summary)

    # --- data plane -----------------------------------------------------------------------

    def get_resource_payment_token(self, params: dict[str, Any]) -> dict[str, Any]:
        """GetResourcePaymentToken: the vendor's request credentials, for a valid workload token."""
        from agentcore_identity_cli.backends.local import payment_tokens as tokens

        self.verify_workload_token(params["workloadIdentityToken"])
        name = params["resourceCredentialProviderName"]
        row = self.require(PAYMENT, name)
        vendor_name = row["attrs"]["vendor"]
        vendor = VENDORS[vendor_name]
        ((member, request),) = params["paymentTokenRequest"].items()
        if member != vendor.token_member:
            raise validation(
                f"Payment credential provider '{name}' is a {vendor_name} provider: "
                f"paymentTokenRequest takes {vendor.token_member}, not {member}."
            )
        ids = row["attrs"]["ids"]
        response: dict[str, Any]
        if vendor_name == "CoinbaseCDP":
            method, path = request["requestMethod"], request["requestPath"]
            host = request.get("requestHost") or tokens.CDP_HOST
            response = {
                "bearerToken": tokens.cdp_bearer_token(
                    ids["apiKeyId"], self.open_secret(PAYMENT, name, "apiKeySecret"), method, host, path
                )
            }
            if request.get("includeWalletAuthToken"):
                response["walletAuthToken"] = tokens.cdp_wallet_token(
                    self.open_secret(PAYMENT, name, "walletSecret"), method, host, path, request.get("requestBody")
                )
        else:
            app_id = ids["appId"]
            response = {
                "appId": app_id,
                "basicAuthToken": tokens.privy_basic_auth(app_id, self.open_secret(PAYMENT, name, "appSecret")),
            }
            if request.get("includeAuthorizationSignature"):
                signed = tokens.privy_authorization(
                    app_id,
                    self.open_secret(PAYMENT, name, "authorizationPrivateKey"),
                    request.get("requestHost") or tokens.PRIVY_HOST,
                    request["requestPath"],
                    request["requestBody"],
                )
                response["authorizationSignature"] = signed.signature
                response["requestExpiry"] = signed.request_expiry
        return {"paymentTokenResponse": {vendor.response_member: response}}
