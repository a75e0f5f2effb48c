"""Payment credential providers end to end on the local backend, through the CLI.

Control plane: create, get, update, list, delete and tags for CoinbaseCDP and StripePrivy,
with the secrets sealed and never shown. Data plane: get-resource-payment-token, whose
JWTs and signatures are verified with the public halves of the keys the provider holds.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import botocore.session
import pytest
import rfc8785
from botocore.validate import ParamValidator
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt
from joserfc.jwk import ECKey, OKPKey

from tests.audit_support import events
from tests.payment_support import APP_SECRET, create_cdp, create_privy, keys, ok, secret_file
from tests.test_output_shapes import shape_problems

CDP_PATH = "/platform/v2/evm/accounts"
PRIVY_PATH = "/v1/wallets/wallet-1/rpc"
PRIVY_BODY = '{"method":"personal_sign","params":{"message":"hello"}}'


def _workload_token(cli: Any) -> str:
    ok(cli("create-workload-identity", "--name", "agent-one"))
    return str(ok(cli("get-workload-access-token", "--workload-name", "agent-one")).json()["workloadAccessToken"])


def _payment_token(cli: Any, token: str, provider: str, request: dict[str, Any]) -> Any:
    return cli(
        "get-resource-payment-token",
        "--resource-credential-provider-name",
        provider,
        "--payment-token-request",
        json.dumps(request),
        "--workload-identity-token",
        "-",
        input=token,
    )


def _claims(token: str, key: Any, alg: str) -> dict[str, Any]:
    import warnings

    from joserfc.errors import SecurityWarning
    from joserfc.jws import JWSRegistry
    from joserfc.registry import HeaderParameter

    registry = JWSRegistry(header_registry={"nonce": HeaderParameter("Nonce", "str")}, algorithms=[alg])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        decoded = jwt.decode(token, key, algorithms=[alg], registry=registry)
    return {"header": decoded.header, **decoded.claims}


def _assert_data_plane_shape(document: Any) -> None:
    shape = (
        botocore.session.get_session()
        .get_service_model("bedrock-agentcore")
        .operation_model("GetResourcePaymentToken")
        .output_shape
    )
    report = ParamValidator().validate(document, shape)
    assert not report.has_errors(), report.generate_report()
    assert not shape_problems(document, shape)


def _secret_fields(vault: Path) -> list[tuple[str, str]]:
    db = sqlite3.connect(vault)
    try:
        return db.execute("SELECT name, field FROM secrets WHERE kind = 'payment' ORDER BY name, field").fetchall()
    finally:
        db.close()


# --- control plane ------------------------------------------------------------------------


def test_create_get_list_update_delete_a_coinbase_cdp_provider(cli, vault_file: Path):
    created = create_cdp(cli).json()
    assert created["credentialProviderVendor"] == "CoinbaseCDP"
    assert created["credentialProviderArn"].endswith(":token-vault/default/paymentcredentialprovider/cdp")
    config = created["providerConfigurationOutput"]["coinbaseCdpConfiguration"]
    assert config["apiKeyId"] == "key-1"
    assert config["apiKeySecretSource"] == config["walletSecretSource"] == "MANAGED"
    assert config["apiKeySecretArn"]["secretArn"] != config["walletSecretArn"]["secretArn"]
    assert "createdTime" not in created  # CreatePaymentCredentialProvider returns no times

    got = ok(cli("get-payment-credential-provider", "--name", "cdp")).json()
    assert got["providerConfigurationOutput"] == created["providerConfigurationOutput"]
    assert got["createdTime"].endswith("+00:00")

    listed = ok(cli("list-payment-credential-providers")).json()["credentialProviders"]
    assert [(p["name"], p["credentialProviderVendor"]) for p in listed] == [("cdp", "CoinbaseCDP")]

    updated = ok(
        cli(
            "update-payment-credential-provider",
            "--name",
            "cdp",
            "--credential-provider-vendor",
            "CoinbaseCDP",
            "--api-key-id",
            "key-2",
        )
    ).json()
    assert updated["providerConfigurationOutput"]["coinbaseCdpConfiguration"]["apiKeyId"] == "key-2"
    assert updated["lastUpdatedTime"] >= updated["createdTime"]
    assert _secret_fields(vault_file) == [("cdp", "apiKeySecret"), ("cdp", "walletSecret")]

    deleted = cli("delete-payment-credential-provider", "--name", "cdp")
    assert deleted.exit_code == 0 and deleted.stdout == ""
    assert _secret_fields(vault_file) == []
    missing = cli("get-payment-credential-provider", "--name", "cdp")
    assert missing.exit_code == 254
    assert "(ResourceNotFoundException) when calling the GetPaymentCredentialProvider operation" in missing.stderr


def test_create_and_get_a_stripe_privy_provider_with_tags(cli):
    created = create_privy(cli, "privy", "--tags", "team=pay").json()
    config = created["providerConfigurationOutput"]["stripePrivyConfiguration"]
    assert (config["appId"], config["authorizationId"]) == ("app-1", "auth-1")
    assert {"appSecretArn", "authorizationPrivateKeyArn"} <= config.keys()
    got = ok(cli("get-payment-credential-provider", "--name", "privy")).json()
    assert got["tags"] == {"team": "pay"}


def test_tags_on_a_payment_provider_arn(cli):
    arn = create_cdp(cli).json()["credentialProviderArn"]
    ok(cli("tag-resource", "--resource-arn", arn, "--tags", "team=pay,env=dev"))
    ok(cli("untag-resource", "--resource-arn", arn, "--tag-keys", "env"))
    assert ok(cli("list-tags-for-resource", "--resource-arn", arn)).json() == {"tags": {"team": "pay"}}
    ok(cli("delete-payment-credential-provider", "--name", "cdp"))
    assert cli("list-tags-for-resource", "--resource-arn", arn).exit_code == 254


def test_list_pages_with_the_aws_cli_options(cli):
    for name in ("pay-a", "pay-b", "pay-c"):
        create_privy(cli, name)
    page = ok(cli("list-payment-credential-providers", "--max-items", "2")).json()
    assert [p["name"] for p in page["credentialProviders"]] == ["pay-a", "pay-b"]
    rest = ok(cli("list-payment-credential-providers", "--starting-token", page["NextToken"])).json()
    assert [p["name"] for p in rest["credentialProviders"]] == ["pay-c"]
    one = ok(cli("list-payment-credential-providers", "--no-paginate", "--max-results", "1")).json()
    assert len(one["credentialProviders"]) == 1 and one["nextToken"]


def test_a_duplicate_name_is_a_conflict(cli):
    create_cdp(cli)
    again = cli(
        "create-payment-credential-provider",
        "--name",
        "cdp",
        "--credential-provider-vendor",
        "StripePrivy",
        "--app-id",
        "a",
        "--authorization-id",
        "b",
        "--app-secret",
        "-",
        "--authorization-private-key",
        secret_file("k", keys().privy_key),
        input="x",
    )
    assert again.exit_code == 254
    assert "ConflictException" in again.stderr


# --- secrets: read safely, sealed, never shown -----------------------------------------------


def test_secrets_never_reach_the_output_or_the_vault_file_in_plain_text(cli, home: Path):
    k = keys()
    outputs = [create_cdp(cli).stdout, create_privy(cli, "privy", "--tags", "team=pay").stdout]
    outputs.append(ok(cli("get-payment-credential-provider", "--name", "cdp")).stdout)
    outputs.append(ok(cli("get-payment-credential-provider", "--name", "privy", "--output", "table")).stdout)
    outputs.append(ok(cli("list-payment-credential-providers", "--output", "text")).stdout)
    shown = "".join(outputs)
    raw = b"".join(p.read_bytes() for p in home.iterdir() if p.is_file())
    pem_body = "".join(k.cdp_pem.splitlines()[1:-1])
    for secret in (pem_body, k.wallet_secret, k.privy_key.removeprefix("wallet-auth:"), APP_SECRET):
        assert secret not in shown
        assert secret[:40].encode() not in raw
    assert base64.b64encode(f"app-1:{APP_SECRET}".encode()).decode() not in shown
    assert b"paymentcredentialprovider/cdp" in raw  # names and ARNs stay readable


def test_a_literal_secret_works_but_warns(cli):
    result = cli(
        "create-payment-credential-provider",
        "--name",
        "privy",
        "--credential-provider-vendor",
        "StripePrivy",
        "--app-id",
        "app-1",
        "--authorization-id",
        "auth-1",
        "--app-secret",
        "literal-app-secret",
        "--authorization-private-key",
        secret_file("privy", keys().privy_key),
    )
    assert result.exit_code == 0, result.stderr
    assert "Warning: --app-secret given on the command line" in result.stderr
    assert "literal-app-secret" not in result.stdout + result.stderr


def test_a_secret_inside_a_literal_configuration_input_warns_and_a_file_does_not(cli, tmp_path: Path):
    k = keys()
    config = {
        "coinbaseCdpConfiguration": {"apiKeyId": "key-1", "apiKeySecret": k.cdp_pem, "walletSecret": k.wallet_secret}
    }
    args = ("create-payment-credential-provider", "--credential-provider-vendor", "CoinbaseCDP")
    literal = cli(*args, "--name", "lit", "--provider-configuration-input", json.dumps(config))
    assert literal.exit_code == 0, literal.stderr
    assert "Warning: the apiKeySecret and walletSecret given on the command line" in literal.stderr
    assert "--api-key-secret -" in literal.stderr
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    from_file = cli(*args, "--name", "file", "--provider-configuration-input", f"file://{path}")
    assert from_file.exit_code == 0, from_file.stderr
    assert from_file.stderr == ""


def test_a_configuration_input_without_secrets_takes_them_from_the_flags(cli):
    config = {"coinbaseCdpConfiguration": {"apiKeyId": "key-1"}}
    result = cli(
        "create-payment-credential-provider",
        "--name",
        "cdp",
        "--credential-provider-vendor",
        "CoinbaseCDP",
        "--provider-configuration-input",
        json.dumps(config),
        "--api-key-secret",
        "-",
        "--wallet-secret",
        secret_file("wallet", keys().wallet_secret),
        input=keys().cdp_pem,
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


def test_a_missing_secret_without_a_terminal_exits_252_with_how_to(cli):
    result = cli(
        "create-payment-credential-provider",
        "--name",
        "cdp",
        "--credential-provider-vendor",
        "CoinbaseCDP",
        "--api-key-id",
        "key-1",
        "--api-key-secret",
        "-",
        input=keys().cdp_pem,
    )
    assert result.exit_code == 252
    assert "--wallet-secret is required" in result.stderr
    assert "--wallet-secret -" in result.stderr
    assert ok(cli("list-payment-credential-providers")).json()["credentialProviders"] == []


def test_secrets_are_prompted_for_hidden_on_a_terminal(cli, monkeypatch: pytest.MonkeyPatch):
    from agentcore_identity_cli.iostreams import IOStreams

    asked: list[str] = []
    answers = {"Privy app secret": APP_SECRET, "Privy authorization private key": keys().privy_key}

    def prompt_secret(self: IOStreams, label: str) -> str:
        asked.append(label)
        return answers[label]

    # The terminal is the boundary here: the captured streams cannot be one for getpass.
    monkeypatch.setattr(IOStreams, "can_prompt", property(lambda self: True))
    monkeypatch.setattr(IOStreams, "prompt_secret", prompt_secret)
    result = cli(
        "create-payment-credential-provider",
        "--name",
        "privy",
        "--credential-provider-vendor",
        "StripePrivy",
        "--app-id",
        "app-1",
        "--authorization-id",
        "auth-1",
        tty=True,
    )
    assert result.exit_code == 0, result.stderr
    assert asked == ["Privy app secret", "Privy authorization private key"]


@pytest.mark.parametrize(
    ("member", "source"),
    [
        ("apiKeySecretConfig", {"apiKeySecretConfig": {"secretId": "cdp/api", "jsonKey": "secret"}}),
        ("walletSecretSource", {"walletSecretSource": "EXTERNAL"}),
    ],
)
def test_a_secret_kept_in_secrets_manager_is_refused_locally_naming_the_aws_backend(cli, member: str, source: Any):
    config = {"coinbaseCdpConfiguration": {"apiKeyId": "key-1", **source}}
    result = cli(
        "create-payment-credential-provider",
        "--name",
        "cdp",
        "--credential-provider-vendor",
        "CoinbaseCDP",
        "--provider-configuration-input",
        json.dumps(config),
        "--api-key-secret",
        "-",
        "--wallet-secret",
        secret_file("wallet", keys().wallet_secret),
        input=keys().cdp_pem,
    )
    assert result.exit_code == 254
    assert "ValidationException" in result.stderr
    assert member in result.stderr and "--backend aws" in result.stderr


def test_a_key_the_vendor_would_not_accept_is_refused_at_create(cli):
    result = cli(
        "create-payment-credential-provider",
        "--name",
        "cdp",
        "--credential-provider-vendor",
        "CoinbaseCDP",
        "--api-key-id",
        "key-1",
        "--api-key-secret",
        "-",
        "--wallet-secret",
        secret_file("wallet", "bm90LWEta2V5"),
        input=keys().cdp_pem,
    )
    assert result.exit_code == 254
    assert "walletSecret must be a base64 DER EC private key" in result.stderr
    assert "bm90LWEta2V5" not in result.stderr


def test_flags_of_the_other_vendor_and_unknown_vendors_are_usage_errors(cli):
    other = cli(
        "create-payment-credential-provider",
        "--name",
        "x",
        "--credential-provider-vendor",
        "CoinbaseCDP",
        "--app-id",
        "app-1",
    )
    assert other.exit_code == 252 and "--app-id do not apply to CoinbaseCDP" in other.stderr
    unknown = cli("create-payment-credential-provider", "--name", "x", "--credential-provider-vendor", "Paypal")
    assert unknown.exit_code == 252 and "CoinbaseCDP | StripePrivy" in unknown.stderr
    mismatch = cli(
        "create-payment-credential-provider",
        "--name",
        "x",
        "--credential-provider-vendor",
        "StripePrivy",
        "--provider-configuration-input",
        '{"coinbaseCdpConfiguration": {"apiKeyId": "k"}}',
        "--app-secret",
        "-",
        "--authorization-private-key",
        secret_file("p", keys().privy_key),
        input="s",
    )
    assert mismatch.exit_code == 254
    assert "takes providerConfigurationInput.stripePrivyConfiguration" in mismatch.stderr


def test_update_keeps_an_omitted_secret_and_replaces_a_given_one(cli):
    token = _workload_token(cli)
    create_cdp(cli)
    new_wallet = ec.generate_private_key(ec.SECP256R1())
    from tests.payment_support import _pkcs8_b64

    ok(
        cli(
            "update-payment-credential-provider",
            "--name",
            "cdp",
            "--credential-provider-vendor",
            "CoinbaseCDP",
            "--api-key-id",
            "key-2",
            "--wallet-secret",
            "-",
            input=_pkcs8_b64(new_wallet),
        )
    )
    request = {
        "coinbaseCdpTokenRequest": {"requestMethod": "GET", "requestPath": CDP_PATH, "includeWalletAuthToken": True}
    }
    response = ok(_payment_token(cli, token, "cdp", request)).json()["paymentTokenResponse"]["coinbaseCdpTokenResponse"]
    # The API key secret was kept: the bearer token still verifies with the original key.
    claims = _claims(response["bearerToken"], ECKey.import_key(keys().cdp_pem_public), "ES256")
    assert claims["sub"] == "key-2"
    _claims(response["walletAuthToken"], ECKey.import_key(new_wallet.public_key()), "ES256")


def test_changing_the_vendor_needs_the_new_vendors_secrets_and_drops_the_old(cli, vault_file: Path):
    create_cdp(cli)
    args = (
        "update-payment-credential-provider",
        "--name",
        "cdp",
        "--credential-provider-vendor",
        "StripePrivy",
        "--app-id",
        "app-1",
        "--authorization-id",
        "auth-1",
    )
    refused = cli(*args)
    assert refused.exit_code == 254 and "needs its secrets: appSecret, authorizationPrivateKey" in refused.stderr
    ok(cli(*args, "--app-secret", "-", "--authorization-private-key", secret_file("p", keys().privy_key), input="s"))
    assert _secret_fields(vault_file) == [("cdp", "appSecret"), ("cdp", "authorizationPrivateKey")]


# --- data plane ---------------------------------------------------------------------------


@pytest.mark.parametrize("ed25519_key", [False, True], ids=["ec-pem", "ed25519"])
def test_cdp_bearer_token_without_wallet_token(cli, ed25519_key: bool):
    token = _workload_token(cli)
    create_cdp(cli, "cdp", ed25519_key=ed25519_key)
    request = {"coinbaseCdpTokenRequest": {"requestMethod": "GET", "requestPath": CDP_PATH}}
    result = ok(_payment_token(cli, token, "cdp", request))
    document = result.json()
    _assert_data_plane_shape(document)
    response = document["paymentTokenResponse"]["coinbaseCdpTokenResponse"]
    assert set(response) == {"bearerToken"}
    k = keys()
    key, alg = (
        (OKPKey.import_key(k.cdp_ed25519_public), "EdDSA")
        if ed25519_key
        else (ECKey.import_key(k.cdp_pem_public), "ES256")
    )
    claims = _claims(response["bearerToken"], key, alg)
    assert claims["header"]["kid"] == "key-1" and len(claims["header"]["nonce"]) == 16
    assert (claims["sub"], claims["iss"], claims["exp"] - claims["nbf"]) == ("key-1", "cdp", 120)
    assert claims["uris"] == [f"GET api.cdp.coinbase.com{CDP_PATH}"]
    assert abs(claims["nbf"] - time.time()) < 30


def test_cdp_wallet_token_on_a_given_host_hashes_the_body(cli):
    import hashlib

    token = _workload_token(cli)
    create_cdp(cli)
    body = '{"name": "treasury", "b": {"z": 1, "a": 2}}'
    request = {
        "coinbaseCdpTokenRequest": {
            "requestMethod": "POST",
            "requestHost": "api.cdp.example.com",
            "requestPath": CDP_PATH,
            "includeWalletAuthToken": True,
            "requestBody": body,
        }
    }
    document = ok(_payment_token(cli, token, "cdp", request)).json()
    _assert_data_plane_shape(document)
    response = document["paymentTokenResponse"]["coinbaseCdpTokenResponse"]
    bearer = _claims(response["bearerToken"], ECKey.import_key(keys().cdp_pem_public), "ES256")
    assert bearer["uris"] == [f"POST api.cdp.example.com{CDP_PATH}"]
    wallet = _claims(response["walletAuthToken"], ECKey.import_key(keys().wallet_public), "ES256")
    assert wallet["uris"] == [f"POST api.cdp.example.com{CDP_PATH}"]
    canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    assert wallet["reqHash"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert wallet["iat"] == wallet["nbf"] and len(wallet["jti"]) == 36


def test_privy_basic_auth_without_signature(cli):
    token = _workload_token(cli)
    create_privy(cli)
    request = {"stripePrivyTokenRequest": {"requestPath": PRIVY_PATH, "requestBody": PRIVY_BODY}}
    document = ok(_payment_token(cli, token, "privy", request)).json()
    _assert_data_plane_shape(document)
    response = document["paymentTokenResponse"]["stripePrivyTokenResponse"]
    assert response == {"appId": "app-1", "basicAuthToken": base64.b64encode(f"app-1:{APP_SECRET}".encode()).decode()}


@pytest.mark.parametrize("host", [None, "api.staging.privy.io"])
def test_privy_authorization_signature_verifies_over_the_documented_payload(cli, host: str | None):
    token = _workload_token(cli)
    create_privy(cli)
    inner: dict[str, Any] = {
        "requestPath": PRIVY_PATH,
        "requestBody": PRIVY_BODY,
        "includeAuthorizationSignature": True,
    }
    if host:
        inner["requestHost"] = host
    before = time.time() * 1000
    document = ok(_payment_token(cli, token, "privy", {"stripePrivyTokenRequest": inner})).json()
    _assert_data_plane_shape(document)
    response = document["paymentTokenResponse"]["stripePrivyTokenResponse"]
    expiry = response["requestExpiry"]
    assert before + 15 * 60 * 1000 - 1 <= expiry <= time.time() * 1000 + 15 * 60 * 1000
    payload = rfc8785.dumps(
        {
            "version": 1,
            "method": "POST",
            "url": f"https://{host or 'api.privy.io'}{PRIVY_PATH}",
            "body": json.loads(PRIVY_BODY),
            "headers": {"privy-app-id": "app-1", "privy-request-expiry": str(expiry)},
        }
    )
    signature = base64.b64decode(response["authorizationSignature"])
    keys().privy_public.verify(signature, payload, ec.ECDSA(hashes.SHA256()))
    with pytest.raises(InvalidSignature):
        keys().privy_public.verify(signature, payload.replace(b"hello", b"HELLO"), ec.ECDSA(hashes.SHA256()))


def test_the_request_member_must_match_the_providers_vendor(cli):
    token = _workload_token(cli)
    create_privy(cli)
    request = {"coinbaseCdpTokenRequest": {"requestMethod": "GET", "requestPath": CDP_PATH}}
    result = _payment_token(cli, token, "privy", request)
    assert result.exit_code == 254
    assert "is a StripePrivy provider: paymentTokenRequest takes stripePrivyTokenRequest" in result.stderr


def test_a_forged_workload_token_is_denied_and_opens_nothing(cli, vault_file: Path):
    real = _workload_token(cli)
    create_cdp(cli)
    head, claims, _ = real.split(".")
    request = {"coinbaseCdpTokenRequest": {"requestMethod": "GET", "requestPath": CDP_PATH}}
    result = _payment_token(cli, f"{head}.{claims}.AAAA", "cdp", request)
    assert result.exit_code == 254
    assert "AccessDeniedException" in result.stderr
    assert result.stdout == ""
    last = events(vault_file)[-1]
    assert (last["operation"], last["outcome"]) == ("GetResourcePaymentToken", "AccessDeniedException")


def test_a_payment_token_is_audited_as_a_secret_read_of_the_provider(cli, vault_file: Path):
    token = _workload_token(cli)
    arn = create_privy(cli).json()["credentialProviderArn"]
    request = {"stripePrivyTokenRequest": {"requestPath": PRIVY_PATH, "requestBody": PRIVY_BODY}}
    ok(_payment_token(cli, token, "privy", request))
    last = events(vault_file)[-1]
    assert (last["operation"], last["category"], last["target"]) == ("GetResourcePaymentToken", "secret-read", arn)
    assert last["workload"] == "agent-one" and last["outcome"] == "success"


def test_secrets_survive_a_vault_key_rotation(cli):
    ok(cli("create-workload-identity", "--name", "agent-one"))
    create_cdp(cli)
    ok(cli("reset-token-vault-key-material"))
    token = ok(cli("get-workload-access-token", "--workload-name", "agent-one")).json()["workloadAccessToken"]
    request = {"coinbaseCdpTokenRequest": {"requestMethod": "GET", "requestPath": CDP_PATH}}
    response = ok(_payment_token(cli, token, "cdp", request)).json()["paymentTokenResponse"]
    _claims(response["coinbaseCdpTokenResponse"]["bearerToken"], ECKey.import_key(keys().cdp_pem_public), "ES256")
