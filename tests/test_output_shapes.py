"""Every control-plane command's JSON output is the AWS response: botocore's output shape is the judge.

For each operation the command runs through the CLI (local backend, --output json) and its
output must
- validate with botocore's ParamValidator against the operation's output shape, after the
  ISO 8601 timestamps are turned back into datetimes;
- hold no member the shape does not define and every member it requires, at any depth;
- match each string member's `pattern` in full, `enum`, and length limits, and give every
  timestamp as ISO 8601 in UTC (+00:00).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import pytest
from botocore.model import OperationModel, Shape
from botocore.validate import ParamValidator

from tests import consent_portal_support, payment_support

SERVICE = "bedrock-agentcore-control"
WI_ARN = "arn:aws:bedrock-agentcore:local:000000000000:workload-identity-directory/default/workload-identity/"
DISCOVERY = "https://auth.example.com/.well-known/openid-configuration"
PASSPHRASE = {"AGENTCORE_IDENTITY_PASSPHRASE": "correct horse battery staple"}


@cache
def _operation(name: str) -> OperationModel:
    import botocore.session

    return botocore.session.get_session().get_service_model(SERVICE).operation_model(name)


# --- checking a document against a shape ------------------------------------------------


def service_pattern(pattern: str) -> str:
    """A pattern as the service applies it: botocore's provider ARN patterns still name the
    service `acps`, while the service hands out (and TagResource takes) `bedrock-agentcore`."""
    return pattern.replace(":acps:", ":bedrock-agentcore:")


def shape_problems(value: Any, shape: Shape, path: str = "$") -> list[str]:
    """What in `value` the shape does not allow: unknown or missing members, patterns, enums, limits."""
    problems: list[str] = []
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: a {shape.name} structure must be an object, not {type(value).__name__}"]
        problems += [f"{path}.{key}: not a member of {shape.name}" for key in value if key not in shape.members]
        problems += [
            f"{path}.{key}: required member of {shape.name} is missing"
            for key in shape.required_members
            if key not in value
        ]
        if meta.get("union") and len(value) != 1:
            problems.append(f"{path}: union {shape.name} must have exactly one member, has {sorted(value)}")
        for key, member in shape.members.items():
            if key in value:
                problems += shape_problems(value[key], member, f"{path}.{key}")
    elif kind == "list":
        if not isinstance(value, list):
            return [f"{path}: a {shape.name} list must be an array"]
        problems += _length(len(value), meta, path)
        for index, item in enumerate(value):
            problems += shape_problems(item, shape.member, f"{path}[{index}]")
    elif kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: a {shape.name} map must be an object"]
        problems += _length(len(value), meta, path)
        for key, item in value.items():
            problems += shape_problems(key, shape.key, f"{path} key {key!r}")
            problems += shape_problems(item, shape.value, f"{path}[{key!r}]")
    elif kind == "string":
        if not isinstance(value, str):
            return [f"{path}: a {shape.name} string must be a string, not {type(value).__name__}"]
        problems += _length(len(value), meta, path)
        if "pattern" in meta and re.fullmatch(service_pattern(meta["pattern"]), value) is None:
            problems.append(f"{path}: {value!r} does not match the {shape.name} pattern {meta['pattern']}")
        if "enum" in meta and value not in meta["enum"]:
            problems.append(f"{path}: {value!r} is not one of {shape.name}'s values")
    elif kind == "timestamp":
        if not isinstance(value, str):
            return [f"{path}: a timestamp must be an ISO 8601 string"]
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            return [f"{path}: {value!r} is not ISO 8601"]
        if not value.endswith("+00:00") or when.utcoffset() != timedelta(0):
            problems.append(f"{path}: {value!r} is not in UTC with a +00:00 offset")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            return [f"{path}: {shape.name} must be an integer"]
    elif kind == "boolean":
        if not isinstance(value, bool):
            return [f"{path}: {shape.name} must be a boolean"]
    return problems


def _length(size: int, meta: dict[str, Any], path: str) -> list[str]:
    out = []
    if "min" in meta and size < meta["min"]:
        out.append(f"{path}: length {size} is below the minimum {meta['min']}")
    if "max" in meta and size > meta["max"]:
        out.append(f"{path}: length {size} is above the maximum {meta['max']}")
    return out


def with_datetimes(value: Any, shape: Shape) -> Any:
    """The document as boto3 would hand it out: timestamp members as datetimes."""
    kind = shape.type_name
    if kind == "timestamp" and isinstance(value, str):
        return datetime.fromisoformat(value)
    if kind == "structure" and isinstance(value, dict):
        return {
            key: with_datetimes(item, shape.members[key]) if key in shape.members else item
            for key, item in value.items()
        }
    if kind == "list" and isinstance(value, list):
        return [with_datetimes(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: with_datetimes(item, shape.value) for key, item in value.items()}
    return value


def assert_matches_output_shape(operation: str, document: Any) -> None:
    """The document is a valid `operation` response, by botocore's model and by the walk above."""
    shape = _operation(operation).output_shape
    assert shape is not None, f"{operation} has no output shape"
    report = ParamValidator().validate(with_datetimes(document, shape), shape)
    assert not report.has_errors(), report.generate_report()
    problems = shape_problems(document, shape)
    assert not problems, "\n".join(problems)


# --- the checker itself catches what it should --------------------------------------------


def test_checker_reports_unknown_missing_pattern_and_timestamp_problems():
    shape = _operation("GetApiKeyCredentialProvider").output_shape
    bad = {
        "name": "bad name",
        "credentialProviderArn": (
            "arn:aws:bedrock-agentcore:local:000000000000:token-vault/default/oauth2credentialprovider/x"
        ),
        "apiKeySecretArn": {"secretArn": "not-an-arn", "extra": 1},
        "createdTime": "2025-01-01T00:00:00",
        "lastUpdatedTime": "2025-01-01T01:00:00+01:00",
        "apiKeySecretSource": "SOMEWHERE",
        "secret": "sk-live",
    }
    problems = "\n".join(shape_problems(bad, shape))
    for expected in (
        "$.secret: not a member",
        "$.apiKeySecretArn.extra: not a member",
        "$.name: 'bad name' does not match",
        "$.credentialProviderArn:",
        "$.apiKeySecretArn.secretArn: 'not-an-arn' does not match",
        "$.createdTime: '2025-01-01T00:00:00' is not in UTC",
        "$.lastUpdatedTime:",
        "'SOMEWHERE' is not one of",
    ):
        assert expected in problems, problems
    missing = shape_problems({}, shape)
    assert any("createdTime: required member" in p for p in missing)


def test_checker_converts_timestamps_for_botocore():
    shape = _operation("GetWorkloadIdentity").output_shape
    document = {
        "name": "abc",
        "workloadIdentityArn": WI_ARN + "abc",
        "createdTime": "2025-01-01T00:00:00+00:00",
        "lastUpdatedTime": "2025-01-01T00:00:00.123456+00:00",
    }
    converted = with_datetimes(document, shape)
    assert isinstance(converted["createdTime"], datetime)
    assert_matches_output_shape("GetWorkloadIdentity", document)


# --- fixtures made through the CLI ------------------------------------------------------


def _ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return result


def _api_key(cli, name: str = "openai", *extra: str) -> Any:
    return _ok(cli("create-api-key-credential-provider", "--name", name, "--api-key", "-", *extra, input="sk-live"))


def _workload(cli, name: str = "agent-one", *extra: str) -> Any:
    return _ok(cli("create-workload-identity", "--name", name, *extra))


def _oauth2(cli, name: str = "corp", vendor: str = "CustomOauth2", *extra: str) -> Any:
    pytest.importorskip("agentcore_identity_cli.oauth.catalogue")
    if vendor == "CustomOauth2" and not extra:
        extra = ("--discovery-url", DISCOVERY)
    return _ok(
        cli(
            "create-oauth2-credential-provider",
            "--name",
            name,
            "--credential-provider-vendor",
            vendor,
            "--client-id",
            "client-123",
            "--client-secret",
            "-",
            *extra,
            input="client-secret-value",
        )
    )


METADATA = (
    "--issuer",
    "https://auth.example.com",
    "--authorization-endpoint",
    "https://auth.example.com/authorize",
    "--token-endpoint",
    "https://auth.example.com/token",
)
CONFIG_JSON = json.dumps(
    {
        "customOauth2ProviderConfig": {
            "clientId": "client-123",
            "clientSecret": "client-secret-value",
            "oauthDiscovery": {
                "authorizationServerMetadata": {
                    "issuer": "https://auth.example.com",
                    "authorizationEndpoint": "https://auth.example.com/authorize",
                    "tokenEndpoint": "https://auth.example.com/token",
                    "responseTypes": ["code"],
                    "tokenEndpointAuthMethods": ["client_secret_post"],
                }
            },
        }
    }
)


def _tagged_workload(cli) -> str:
    arn = _workload(cli).json()["workloadIdentityArn"]
    _ok(cli("tag-resource", "--resource-arn", arn, "--tags", "team=ml,env=dev"))
    return arn


# Each case makes what it needs and returns the Result of the one command under test.
Run = Callable[[Any], Any]
CASES: list[tuple[str, str, Run]] = []


def case(operation: str, label: str) -> Callable[[Run], Run]:
    """Register a run of `operation`; its test id is `operation-label`."""

    def register(run: Run) -> Run:
        CASES.append((operation, label, run))
        return run

    return register


# --- API-key credential providers


@case("CreateApiKeyCredentialProvider", "plain")
def create_api_key(cli):
    return _api_key(cli)


@case("CreateApiKeyCredentialProvider", "tags")
def create_api_key_with_tags(cli):
    return _api_key(cli, "tagged", "--tags", "team=ml,env=dev")


@case("GetApiKeyCredentialProvider", "plain")
def get_api_key(cli):
    _api_key(cli)
    return cli("get-api-key-credential-provider", "--name", "openai")


@case("UpdateApiKeyCredentialProvider", "plain")
def update_api_key(cli):
    _api_key(cli)
    return cli("update-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-new")


@case("DeleteApiKeyCredentialProvider", "plain")
def delete_api_key(cli):
    _api_key(cli)
    return cli("delete-api-key-credential-provider", "--name", "openai")


@case("ListApiKeyCredentialProviders", "empty")
def list_api_keys_empty(cli):
    return cli("list-api-key-credential-providers")


@case("ListApiKeyCredentialProviders", "two")
def list_api_keys(cli):
    _api_key(cli, "a-key")
    _api_key(cli, "b-key")
    return cli("list-api-key-credential-providers")


@case("ListApiKeyCredentialProviders", "next-token")
def list_api_keys_one_page(cli):
    _api_key(cli, "a-key")
    _api_key(cli, "b-key")
    return cli("list-api-key-credential-providers", "--no-paginate", "--max-results", "1")


# --- OAuth2 credential providers


@case("CreateOauth2CredentialProvider", "custom-discovery")
def create_oauth2_discovery(cli):
    return _oauth2(cli)


@case("CreateOauth2CredentialProvider", "custom-metadata")
def create_oauth2_metadata(cli):
    return _oauth2(cli, "corp", "CustomOauth2", *METADATA)


@case("CreateOauth2CredentialProvider", "custom-json-config")
def create_oauth2_json(cli):
    pytest.importorskip("agentcore_identity_cli.oauth.catalogue")
    return cli(
        "create-oauth2-credential-provider",
        "--name",
        "corp",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--oauth2-provider-config-input",
        CONFIG_JSON,
    )


@case("CreateOauth2CredentialProvider", "google")
def create_oauth2_google(cli):
    return _oauth2(cli, "google", "GoogleOauth2")


@case("CreateOauth2CredentialProvider", "microsoft-tenant")
def create_oauth2_microsoft(cli):
    return _oauth2(cli, "entra", "MicrosoftOauth2", "--tenant-id", "contoso")


@case("CreateOauth2CredentialProvider", "scopes-and-tags")
def create_oauth2_scopes(cli):
    return _oauth2(cli, "gh", "GithubOauth2", "--scopes", "repo", "read:user", "--tags", "team=ml")


@case("GetOauth2CredentialProvider", "custom-discovery")
def get_oauth2_discovery(cli):
    _oauth2(cli)
    return cli("get-oauth2-credential-provider", "--name", "corp")


@case("GetOauth2CredentialProvider", "custom-metadata")
def get_oauth2_metadata(cli):
    _oauth2(cli, "corp", "CustomOauth2", *METADATA)
    return cli("get-oauth2-credential-provider", "--name", "corp")


@case("GetOauth2CredentialProvider", "google")
def get_oauth2_google(cli):
    _oauth2(cli, "google", "GoogleOauth2")
    return cli("get-oauth2-credential-provider", "--name", "google")


@case("UpdateOauth2CredentialProvider", "discovery-to-metadata")
def update_oauth2(cli):
    _oauth2(cli)
    return cli(
        "update-oauth2-credential-provider",
        "--name",
        "corp",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--client-id",
        "client-456",
        *METADATA,
    )


@case("DeleteOauth2CredentialProvider", "plain")
def delete_oauth2(cli):
    _oauth2(cli)
    return cli("delete-oauth2-credential-provider", "--name", "corp")


@case("ListOauth2CredentialProviders", "empty")
def list_oauth2_empty(cli):
    return cli("list-oauth2-credential-providers")


@case("ListOauth2CredentialProviders", "two")
def list_oauth2(cli):
    _oauth2(cli)
    _oauth2(cli, "google", "GoogleOauth2")
    return cli("list-oauth2-credential-providers")


@case("ListOauth2CredentialProviders", "next-token")
def list_oauth2_one_page(cli):
    _oauth2(cli)
    _oauth2(cli, "google", "GoogleOauth2")
    return cli("list-oauth2-credential-providers", "--no-paginate", "--max-results", "1")


# --- payment credential providers


@case("CreatePaymentCredentialProvider", "coinbase-cdp")
def create_payment_cdp(cli):
    return payment_support.create_cdp(cli)


@case("CreatePaymentCredentialProvider", "stripe-privy-tags")
def create_payment_privy(cli):
    return payment_support.create_privy(cli, "privy", "--tags", "team=pay")


@case("GetPaymentCredentialProvider", "coinbase-cdp-tags")
def get_payment_cdp(cli):
    payment_support.create_cdp(cli, "cdp", "--tags", "team=pay")
    return cli("get-payment-credential-provider", "--name", "cdp")


@case("GetPaymentCredentialProvider", "stripe-privy")
def get_payment_privy(cli):
    payment_support.create_privy(cli)
    return cli("get-payment-credential-provider", "--name", "privy")


@case("UpdatePaymentCredentialProvider", "keep-secrets")
def update_payment(cli):
    payment_support.create_privy(cli)
    return cli(
        "update-payment-credential-provider",
        "--name",
        "privy",
        "--credential-provider-vendor",
        "StripePrivy",
        "--app-id",
        "app-2",
        "--authorization-id",
        "auth-2",
    )


@case("DeletePaymentCredentialProvider", "plain")
def delete_payment(cli):
    payment_support.create_cdp(cli)
    return cli("delete-payment-credential-provider", "--name", "cdp")


@case("ListPaymentCredentialProviders", "empty")
def list_payment_empty(cli):
    return cli("list-payment-credential-providers")


@case("ListPaymentCredentialProviders", "next-token")
def list_payment_one_page(cli):
    payment_support.create_cdp(cli)
    payment_support.create_privy(cli)
    return cli("list-payment-credential-providers", "--no-paginate", "--max-results", "1")


@case("ListTagsForResource", "payment-provider")
def list_tags_payment(cli):
    arn = payment_support.create_cdp(cli, "cdp", "--tags", "team=pay").json()["credentialProviderArn"]
    return cli("list-tags-for-resource", "--resource-arn", arn)


# --- workload identities


@case("CreateWorkloadIdentity", "plain")
def create_workload(cli):
    return _workload(cli)


@case("CreateWorkloadIdentity", "return-urls-and-tags")
def create_workload_full(cli):
    urls = ("--allowed-resource-oauth2-return-urls", "https://app.example.com/cb", "myapp://done")
    return _workload(cli, "agent-one", *urls, "--tags", "team=ml")


@case("GetWorkloadIdentity", "plain")
def get_workload(cli):
    _workload(cli)
    return cli("get-workload-identity", "--name", "agent-one")


@case("GetWorkloadIdentity", "return-urls")
def get_workload_urls(cli):
    _workload(cli, "agent-one", "--allowed-resource-oauth2-return-urls", "https://app.example.com/cb")
    return cli("get-workload-identity", "--name", "agent-one")


@case("UpdateWorkloadIdentity", "return-urls")
def update_workload(cli):
    _workload(cli)
    urls = ("https://a.example.com/cb", "https://b.example.com/cb")
    return cli("update-workload-identity", "--name", "agent-one", "--allowed-resource-oauth2-return-urls", *urls)


@case("UpdateWorkloadIdentity", "clear-return-urls")
def update_workload_clear(cli):
    _workload(cli, "agent-one", "--allowed-resource-oauth2-return-urls", "https://a.example.com/cb")
    return cli("update-workload-identity", "--name", "agent-one")


@case("DeleteWorkloadIdentity", "plain")
def delete_workload(cli):
    _workload(cli)
    return cli("delete-workload-identity", "--name", "agent-one")


@case("ListWorkloadIdentities", "empty")
def list_workloads_empty(cli):
    return cli("list-workload-identities")


@case("ListWorkloadIdentities", "next-token")
def list_workloads_one_page(cli):
    _workload(cli, "agent-a")
    _workload(cli, "agent-b", "--allowed-resource-oauth2-return-urls", "https://a.example.com/cb")
    return cli("list-workload-identities", "--no-paginate", "--max-results", "1")


# --- consent portals


def _portal(cli, *extra: str) -> str:
    consent_portal_support.create_idp(cli)
    return str(consent_portal_support.create_portal(cli, "support", *extra).json()["consentPortalId"])


@case("CreateConsentPortal", "plain")
def create_portal(cli):
    consent_portal_support.create_idp(cli)
    return consent_portal_support.create_portal(cli)


@case("CreateConsentPortal", "description-audience-and-tags")
def create_portal_full(cli):
    arn = consent_portal_support.create_idp(cli)
    return consent_portal_support.create_portal(
        cli, "support", "--description", "Connect your accounts", "--tags", "team=ml", idp_arn=arn
    )


@case("GetConsentPortal", "by-id")
def get_portal(cli):
    return cli("get-consent-portal", "--consent-portal-identifier", _portal(cli, "--description", "d"))


@case("UpdateConsentPortal", "description")
def update_portal(cli):
    return cli("update-consent-portal", "--consent-portal-identifier", _portal(cli), "--description", "new")


@case("DeleteConsentPortal", "plain")
def delete_portal(cli):
    return cli("delete-consent-portal", "--consent-portal-identifier", _portal(cli))


@case("ListConsentPortals", "next-token")
def list_portals_one_page(cli):
    _portal(cli)
    consent_portal_support.create_portal(cli, "other")
    return cli("list-consent-portals", "--no-paginate", "--max-results", "1")


@case("ListTagsForResource", "consent-portal")
def list_tags_portal(cli):
    _portal(cli, "--tags", "team=ml")
    arn = _ok(cli("list-consent-portals")).json()["consentPortals"][0]["consentPortalArn"]
    return cli("list-tags-for-resource", "--resource-arn", arn)


# --- the token vault


@case("GetTokenVault", "fresh")
def get_token_vault(cli):
    return cli("get-token-vault")


@case("GetTokenVault", "by-id")
def get_token_vault_by_id(cli):
    _api_key(cli)
    return cli("get-token-vault", "--token-vault-id", "default")


@case("SetTokenVaultCMK", "service-managed")
def set_cmk_service(cli):
    _api_key(cli)
    return cli("set-token-vault-cmk", "--kms-configuration", "keyType=ServiceManagedKey")


@case("SetTokenVaultCMK", "customer-managed")
def set_cmk_customer(cli):
    _api_key(cli)
    return cli("set-token-vault-cmk", "--kms-configuration", '{"keyType": "CustomerManagedKey"}', env=PASSPHRASE)


@case("ResetTokenVaultKeyMaterial", "with-secrets")
def reset_key(cli):
    _api_key(cli)
    _workload(cli)
    return cli("reset-token-vault-key-material")


# --- tags on a workload identity


@case("TagResource", "workload")
def tag_workload(cli):
    arn = _workload(cli).json()["workloadIdentityArn"]
    return cli("tag-resource", "--resource-arn", arn, "--tags", "team=ml,env=dev")


@case("UntagResource", "workload")
def untag_workload(cli):
    arn = _tagged_workload(cli)
    return cli("untag-resource", "--resource-arn", arn, "--tag-keys", "team", "env")


@case("ListTagsForResource", "tagged")
def list_tags(cli):
    return cli("list-tags-for-resource", "--resource-arn", _tagged_workload(cli))


@case("ListTagsForResource", "untagged")
def list_tags_none(cli):
    arn = _workload(cli).json()["workloadIdentityArn"]
    return cli("list-tags-for-resource", "--resource-arn", arn)


@pytest.mark.parametrize(
    ("operation", "run"),
    [pytest.param(op, run, id=f"{op}-{case}") for op, case, run in CASES],
)
def test_json_output_matches_the_botocore_output_shape(cli, operation: str, run: Run):
    result = run(cli)
    assert result.exit_code == 0, result.stderr
    # An empty response prints nothing (as the AWS CLI); it is the empty structure.
    document = json.loads(result.stdout) if result.stdout else {}
    if not _operation(operation).output_shape.members:
        assert result.stdout == "", f"{operation} has an empty response but printed {result.stdout!r}"
    assert_matches_output_shape(operation, document)


def test_every_control_plane_operation_has_a_shape_case():
    listed = json.loads(resources.files("agentcore_identity_cli.data").joinpath("operations.json").read_text())
    control = {name for name, info in listed["operations"].items() if info["service"] == SERVICE}
    assert control, "operations.json lists no control-plane operation"
    assert control <= {op for op, _, _ in CASES}, sorted(control - {op for op, _, _ in CASES})


def _vendors() -> list[str]:
    try:
        from agentcore_identity_cli.oauth.catalogue import vendors
    except ImportError:
        return []
    return sorted(vendors())


@pytest.mark.parametrize("vendor", _vendors() or [pytest.param("none", marks=pytest.mark.skip("no catalogue"))])
def test_oauth2_provider_of_every_vendor_matches_the_output_shapes(cli, vendor: str):
    from agentcore_identity_cli.oauth.catalogue import vendor as lookup

    name = "p-" + vendor.lower()
    if vendor == "CustomOauth2":
        extra: tuple[str, ...] = ("--discovery-url", DISCOVERY)
    elif lookup(vendor).config_member == "includedOauth2ProviderConfig":
        extra = METADATA  # some need a tenant or domain; endpoints given work for all
    else:
        extra = ()
    created = _oauth2(cli, name, vendor, *extra)
    assert_matches_output_shape("CreateOauth2CredentialProvider", created.json())
    got = _ok(cli("get-oauth2-credential-provider", "--name", name)).json()
    assert got["credentialProviderVendor"] == vendor
    assert_matches_output_shape("GetOauth2CredentialProvider", got)
    listed = _ok(cli("list-oauth2-credential-providers")).json()
    assert_matches_output_shape("ListOauth2CredentialProviders", listed)
    assert "client-secret-value" not in created.stdout + json.dumps(got) + json.dumps(listed)


def test_max_items_adds_only_the_aws_cli_next_token_to_the_list_shape(cli):
    # As the AWS CLI: --max-items adds a top-level NextToken, which is not part of the response.
    for name in ("agent-a", "agent-b", "agent-c"):
        _workload(cli, name)
    body = _ok(cli("list-workload-identities", "--max-items", "2")).json()
    token = body.pop("NextToken")
    assert isinstance(token, str) and token
    assert_matches_output_shape("ListWorkloadIdentities", body)
