"""The aws backend on botocore's Stubber: every operation's request, checked against the service model.

Each operation of data/operations.json is driven through the CLI command that makes it
(or, for the data plane, which has no command yet, through the same AppContext.call the
commands use). The Stubber sits on the real botocore client the backend creates: it
checks the exact parameters, botocore validates them against the input shape, and the
stubbed response (built from the output shape) must come out of the CLI unchanged,
without ResponseMetadata.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from agentcore_identity_cli.backends.aws import AwsBackend
from agentcore_identity_cli.backends.base import operations, snake_case
from agentcore_identity_cli.cli.context import AppContext
from agentcore_identity_cli.config import Settings, resolve_settings
from agentcore_identity_cli.errors import ConfigError, ParamValidationError, ServiceError
from agentcore_identity_cli.iostreams import IOStreams
from agentcore_identity_cli.output import jsonable
from tests.aws_wire_server import ACCESS_KEY, SECRET_KEY, example, item_name

CONTROL = "bedrock-agentcore-control"
DATA = "bedrock-agentcore"
WI_ARN = (
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity-directory/default/workload-identity/agent-1"
)
KMS_ARN = "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl"
AWS = ("--backend", "aws", "--region", "us-east-1")
ROLE_ARN = "arn:aws:iam::123456789012:role/consent-portal"
IDP_ARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/corp-idp"


@dataclass
class Case:
    """One operation: the command that makes it and the exact parameters it must send."""

    operation: str
    params: dict[str, Any]
    argv: list[str] | None = None  # None: no command; called through AppContext.call
    input: str = ""


# The command lines keep a flag and its value together.
# fmt: off
CASES = [
    Case(
        "CreateApiKeyCredentialProvider",
        {"name": "openai", "apiKey": "sk-live-123", "tags": {"team": "ml"}},
        ["create-api-key-credential-provider", "--name", "openai", "--api-key", "-", "--tags", "team=ml"],
        "sk-live-123\n",
    ),
    Case("GetApiKeyCredentialProvider", {"name": "openai"}, ["get-api-key-credential-provider", "--name", "openai"]),
    Case(
        "UpdateApiKeyCredentialProvider",
        {"name": "openai", "apiKey": "sk-live-456"},
        ["update-api-key-credential-provider", "--name", "openai", "--api-key", "-"],
        "sk-live-456\n",
    ),
    Case(
        "DeleteApiKeyCredentialProvider", {"name": "openai"}, ["delete-api-key-credential-provider", "--name", "openai"]
    ),
    Case("ListApiKeyCredentialProviders", {}, ["list-api-key-credential-providers"]),
    Case(
        "CreatePaymentCredentialProvider",
        {
            "name": "cdp",
            "credentialProviderVendor": "CoinbaseCDP",
            "providerConfigurationInput": {
                "coinbaseCdpConfiguration": {
                    "apiKeyId": "key-1",
                    "apiKeySecret": "cdp-s3cret",
                    "walletSecret": "w4llet",
                }
            },
            "tags": {"team": "pay"},
        },
        [
            "create-payment-credential-provider", "--name", "cdp", "--credential-provider-vendor", "CoinbaseCDP",
            "--api-key-id", "key-1", "--api-key-secret", "-", "--wallet-secret", "w4llet",
            "--tags", "team=pay",
        ],
        "cdp-s3cret\n",
    ),
    Case("GetPaymentCredentialProvider", {"name": "cdp"}, ["get-payment-credential-provider", "--name", "cdp"]),
    Case(
        "UpdatePaymentCredentialProvider",
        {
            "name": "privy",
            "credentialProviderVendor": "StripePrivy",
            "providerConfigurationInput": {
                "stripePrivyConfiguration": {
                    "appId": "app-1",
                    "authorizationId": "auth-1",
                    "appSecretSource": "EXTERNAL",
                    "appSecretConfig": {"secretId": "privy/app", "jsonKey": "secret"},
                    "authorizationPrivateKey": "wallet-auth:a2V5",
                }
            },
        },
        [
            "update-payment-credential-provider", "--name", "privy", "--credential-provider-vendor", "StripePrivy",
            "--provider-configuration-input",
            '{"stripePrivyConfiguration": {"appId": "app-1", "authorizationId": "auth-1",'
            ' "appSecretSource": "EXTERNAL", "appSecretConfig": {"secretId": "privy/app", "jsonKey": "secret"}}}',
            "--authorization-private-key", "-",
        ],
        "wallet-auth:a2V5\n",
    ),
    Case(
        "DeletePaymentCredentialProvider", {"name": "cdp"}, ["delete-payment-credential-provider", "--name", "cdp"]
    ),
    Case("ListPaymentCredentialProviders", {}, ["list-payment-credential-providers"]),
    Case(
        "CreateConsentPortal",
        {
            "name": "support",
            "executionRoleArn": ROLE_ARN,
            "idpConfig": {"credentialProviderArn": IDP_ARN, "scopes": ["openid", "email"], "audience": "portal"},
            "sources": [{"identifier": "support-gateway-abcde12345", "type": "agentcore-gateway"}],
            "description": "Connect your accounts",
            "tags": {"team": "ml"},
        },
        [
            "create-consent-portal", "--name", "support", "--execution-role-arn", ROLE_ARN,
            "--idp-config", f"credentialProviderArn={IDP_ARN},scopes=[openid,email],audience=portal",
            "--sources", "identifier=support-gateway-abcde12345,type=agentcore-gateway",
            "--description", "Connect your accounts", "--tags", "team=ml",
        ],
    ),
    Case(
        "GetConsentPortal",
        {"consentPortalIdentifier": "support-abcde12345"},
        ["get-consent-portal", "--consent-portal-identifier", "support-abcde12345"],
    ),
    Case(
        "UpdateConsentPortal",
        {
            # The model's pattern takes the portal's id (its ARN passes locally, a documented extension).
            "consentPortalIdentifier": "support-abcde12345",
            "executionRoleArn": ROLE_ARN,
            "idpConfig": {"credentialProviderArn": IDP_ARN, "scopes": ["openid"]},
            "description": "",
        },
        [
            "update-consent-portal", "--consent-portal-identifier", "support-abcde12345",
            "--execution-role-arn", ROLE_ARN,
            "--idp-config", json.dumps({"credentialProviderArn": IDP_ARN, "scopes": ["openid"]}),
            "--description", "",
        ],
    ),
    Case(
        "DeleteConsentPortal",
        {"consentPortalIdentifier": "support-abcde12345"},
        ["delete-consent-portal", "--consent-portal-identifier", "support-abcde12345"],
    ),
    Case("ListConsentPortals", {}, ["list-consent-portals"]),
    Case(
        "CreateOauth2CredentialProvider",
        {
            "name": "github",
            "credentialProviderVendor": "GithubOauth2",
            "oauth2ProviderConfigInput": {
                "githubOauth2ProviderConfig": {"clientId": "cid", "clientSecret": "gh-s3cret"}
            },
        },
        [
            "create-oauth2-credential-provider",
            "--name",
            "github",
            "--credential-provider-vendor",
            "GithubOauth2",
            "--client-id",
            "cid",
            "--client-secret",
            "-",
        ],
        "gh-s3cret\n",
    ),
    Case("GetOauth2CredentialProvider", {"name": "github"}, ["get-oauth2-credential-provider", "--name", "github"]),
    Case(
        "UpdateOauth2CredentialProvider",
        {
            "name": "corp",
            "credentialProviderVendor": "CustomOauth2",
            "oauth2ProviderConfigInput": {
                "customOauth2ProviderConfig": {
                    "clientId": "cid",
                    "clientSecret": "corp-s3cret",
                    "oauthDiscovery": {"discoveryUrl": "https://idp.example.com/.well-known/openid-configuration"},
                }
            },
        },
        [
            "update-oauth2-credential-provider",
            "--name",
            "corp",
            "--credential-provider-vendor",
            "CustomOauth2",
            "--discovery-url",
            "https://idp.example.com/.well-known/openid-configuration",
            "--client-id",
            "cid",
            "--client-secret",
            "-",
        ],
        "corp-s3cret\n",
    ),
    Case(
        "DeleteOauth2CredentialProvider", {"name": "github"}, ["delete-oauth2-credential-provider", "--name", "github"]
    ),
    Case("ListOauth2CredentialProviders", {}, ["list-oauth2-credential-providers"]),
    Case(
        "CreateWorkloadIdentity",
        {
            "name": "agent-1",
            "allowedResourceOauth2ReturnUrls": ["https://a.example.com/cb", "https://b.example.com/cb"],
            "tags": {"env": "dev"},
        },
        [
            "create-workload-identity",
            "--name",
            "agent-1",
            "--allowed-resource-oauth2-return-urls",
            "https://a.example.com/cb",
            "https://b.example.com/cb",
            "--tags",
            '{"env": "dev"}',
        ],
    ),
    Case("GetWorkloadIdentity", {"name": "agent-1"}, ["get-workload-identity", "--name", "agent-1"]),
    Case(
        "UpdateWorkloadIdentity",
        {"name": "agent-1", "allowedResourceOauth2ReturnUrls": ["https://c.example.com/cb"]},
        [
            "update-workload-identity",
            "--name",
            "agent-1",
            "--allowed-resource-oauth2-return-urls",
            "https://c.example.com/cb",
        ],
    ),
    Case("DeleteWorkloadIdentity", {"name": "agent-1"}, ["delete-workload-identity", "--name", "agent-1"]),
    Case("ListWorkloadIdentities", {}, ["list-workload-identities"]),
    Case("GetTokenVault", {}, ["get-token-vault"]),
    Case(
        "SetTokenVaultCMK",
        {"tokenVaultId": "default", "kmsConfiguration": {"keyType": "CustomerManagedKey", "kmsKeyArn": KMS_ARN}},
        [
            "set-token-vault-cmk",
            "--token-vault-id",
            "default",
            "--kms-configuration",
            f"keyType=CustomerManagedKey,kmsKeyArn={KMS_ARN}",
        ],
    ),
    Case("ResetTokenVaultKeyMaterial", {"tokenVaultId": "default"}, ["reset-token-vault-key-material"]),
    Case(
        "TagResource",
        {"resourceArn": WI_ARN, "tags": {"team": "ml", "env": "dev"}},
        ["tag-resource", "--resource-arn", WI_ARN, "--tags", "team=ml,env=dev"],
    ),
    Case(
        "UntagResource",
        {"resourceArn": WI_ARN, "tagKeys": ["team", "env"]},
        ["untag-resource", "--resource-arn", WI_ARN, "--tag-keys", "team", "env"],
    ),
    Case("ListTagsForResource", {"resourceArn": WI_ARN}, ["list-tags-for-resource", "--resource-arn", WI_ARN]),
    Case(
        "GetWorkloadAccessToken",
        {"workloadName": "agent-1"},
        ["get-workload-access-token", "--workload-name", "agent-1"],
    ),
    Case(
        "GetWorkloadAccessTokenForUserId",
        {"workloadName": "agent-1", "userId": "alice"},
        ["get-workload-access-token-for-user-id", "--workload-name", "agent-1", "--user-id", "alice"],
    ),
    Case(
        "GetWorkloadAccessTokenForJWT",
        {"workloadName": "agent-1", "userToken": JWT},
        ["get-workload-access-token-for-jwt", "--workload-name", "agent-1", "--user-token", "-"],
        JWT + "\n",
    ),
    Case(
        "GetResourceApiKey",
        {"workloadIdentityToken": "wit-123", "resourceCredentialProviderName": "openai"},
        ["get-resource-api-key", "--resource-credential-provider-name", "openai", "--workload-identity-token", "-"],
        "wit-123\n",
    ),
    Case(
        "GetResourceOauth2Token",
        {
            "workloadIdentityToken": "wit-123",
            "resourceCredentialProviderName": "github",
            "scopes": ["repo", "read:user"],
            "oauth2Flow": "USER_FEDERATION",
            "resourceOauth2ReturnUrl": "https://a.example.com/cb",
            "forceAuthentication": False,
            "customParameters": {"prompt": "consent"},
        },
        [
            "get-resource-oauth2-token", "--resource-credential-provider-name", "github",
            "--scopes", "repo", "read:user", "--oauth2-flow", "USER_FEDERATION",
            "--resource-oauth2-return-url", "https://a.example.com/cb", "--no-force-authentication",
            "--custom-parameters", "prompt=consent", "--workload-identity-token", "-",
        ],
        "wit-123\n",
    ),
    Case(
        "GetResourcePaymentToken",
        {
            "workloadIdentityToken": "wit-123",
            "resourceCredentialProviderName": "cdp",
            "paymentTokenRequest": {
                "coinbaseCdpTokenRequest": {
                    "requestMethod": "POST",
                    "requestPath": "/platform/v2/evm/accounts",
                    "includeWalletAuthToken": True,
                    "requestBody": '{"name":"a"}',
                }
            },
        },
        [
            "get-resource-payment-token", "--resource-credential-provider-name", "cdp", "--payment-token-request",
            '{"coinbaseCdpTokenRequest": {"requestMethod": "POST", "requestPath": "/platform/v2/evm/accounts",'
            ' "includeWalletAuthToken": true, "requestBody": "{\\"name\\":\\"a\\"}"}}',
            "--workload-identity-token", "-",
        ],
        "wit-123\n",
    ),
    Case(
        "CompleteResourceTokenAuth",
        {"userIdentifier": {"userId": "alice"}, "sessionUri": "urn:ietf:params:oauth:request_uri:abc-123"},
        [
            "complete-resource-token-auth", "--session-uri", "urn:ietf:params:oauth:request_uri:abc-123",
            "--user-identifier", "userId=alice",
        ],
    ),
]
# fmt: on


@dataclass
class Stubs:
    """Stubbers for the clients the backend creates, with responses queued before they exist."""

    queued: dict[str, list[tuple[str, Any, Any]]] = field(default_factory=lambda: defaultdict(list))
    clients: dict[str, Any] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    stubbers: dict[str, Stubber] = field(default_factory=dict)

    def respond(self, operation: str, params: dict[str, Any], response: dict[str, Any]) -> None:
        service = operations()[operation]["service"]
        self.queued[service].append((snake_case(operation), ("response", response), params))

    def fail(self, operation: str, params: dict[str, Any], code: str, message: str, status: int) -> None:
        service = operations()[operation]["service"]
        self.queued[service].append((snake_case(operation), ("error", code, message, status), params))

    def attach(self, service: str, client: Any) -> None:
        self.created.append(service)
        self.clients[service] = client
        stubber = Stubber(client)
        for method, outcome, params in self.queued[service]:
            if outcome[0] == "response":
                stubber.add_response(method, outcome[1], params)
            else:
                _, code, message, status = outcome
                stubber.add_client_error(method, code, message, status, expected_params=params)
        stubber.activate()
        self.stubbers[service] = stubber

    def assert_done(self) -> None:
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials, no instance metadata look-ups, one attempt per call."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")


@pytest.fixture
def stubs(monkeypatch: pytest.MonkeyPatch) -> Stubs:
    """Every botocore client created during the test gets a Stubber with the queued responses."""
    registry = Stubs()
    original = botocore.session.Session.create_client

    def create_client(self: botocore.session.Session, service_name: str, *args: Any, **kwargs: Any) -> Any:
        client = original(self, service_name, *args, **kwargs)
        registry.attach(service_name, client)
        return client

    monkeypatch.setattr(botocore.session.Session, "create_client", create_client)
    return registry


def _response(operation: str, name: str = "example") -> dict[str, Any]:
    """A full response of the operation, from the output shape, with ResponseMetadata as boto3 adds it.

    A list's response is its last page: no nextToken.
    """
    service = operations()[operation]["service"]
    model = botocore.session.get_session().get_service_model(service).operation_model(operation)
    body = example(model.output_shape, name=name, wire=False) if model.output_shape else {}
    if operations()[operation].get("paginated"):
        body.pop("nextToken", None)
    return {**body, "ResponseMetadata": {"RequestId": "req-1", "HTTPStatusCode": 200, "HTTPHeaders": {}}}


def _aws_context() -> AppContext:
    return AppContext(settings=Settings(backend="aws", region="us-east-1"), io=IOStreams())


def test_every_operation_of_the_table_has_a_case_and_a_client_method() -> None:
    assert sorted(case.operation for case in CASES) == sorted(operations())
    session = botocore.session.get_session()
    for operation, spec in operations().items():
        model = session.get_service_model(spec["service"])
        assert operation in model.operation_names
        client_methods = {botocore.xform_name(name) for name in model.operation_names}
        assert snake_case(operation) in client_methods


def test_operations_without_a_case_command_have_no_command_yet() -> None:
    from agentcore_identity_cli.cli.app import COMMAND_MODULES

    for case in CASES:
        if case.argv is None:
            command = snake_case(case.operation).replace("_", "-")
            assert command not in COMMAND_MODULES, f"{command} exists now: drive {case.operation} through it"


@pytest.mark.parametrize("case", CASES, ids=[case.operation for case in CASES])
def test_each_operation_sends_exactly_its_parameters_and_prints_the_response_unchanged(
    case: Case, stubs: Stubs, cli: Any
) -> None:
    response = _response(case.operation, name=case.params.get("name", "example"))
    stubs.respond(case.operation, case.params, response)
    expected = jsonable({k: v for k, v in response.items() if k != "ResponseMetadata"})
    if case.argv is not None:
        result = cli(*AWS, "--output", "json", *case.argv, input=case.input)
        assert result.exit_code == 0, result.stderr
        assert (json.loads(result.stdout) if result.stdout else {}) == expected
        assert stubs.created == [operations()[case.operation]["service"]]  # only the client it needs
    else:
        ctx = _aws_context()
        try:
            assert jsonable(ctx.call(case.operation, case.params)) == expected
        finally:
            ctx.close()
        assert stubs.created == [DATA]
    stubs.assert_done()


def test_a_list_follows_next_token_to_the_end(stubs: Stubs, cli: Any) -> None:
    first, second = _response("ListWorkloadIdentities"), _response("ListWorkloadIdentities")
    first["workloadIdentities"][0]["name"], first["nextToken"] = item_name(0), "token-1"
    second["workloadIdentities"][0]["name"] = item_name(1)
    stubs.respond("ListWorkloadIdentities", {"maxResults": 1}, first)
    stubs.respond("ListWorkloadIdentities", {"maxResults": 1, "nextToken": "token-1"}, second)
    result = cli(*AWS, "list-workload-identities", "--page-size", "1")
    assert result.exit_code == 0, result.stderr
    body = result.json()
    assert [item["name"] for item in body["workloadIdentities"]] == [item_name(0), item_name(1)]
    assert "nextToken" not in body and "NextToken" not in body
    stubs.assert_done()


def test_get_missing_provider_exits_254_with_the_service_code_and_message(stubs: Stubs, cli: Any) -> None:
    stubs.fail("GetApiKeyCredentialProvider", {"name": "githb"}, "ResourceNotFoundException", "Not found: githb", 404)
    result = cli(*AWS, "get-api-key-credential-provider", "--name", "githb")
    assert result.exit_code == 254
    assert (
        "An error occurred (ResourceNotFoundException) when calling the GetApiKeyCredentialProvider "
        "operation: Not found: githb"
    ) in result.stderr
    assert "list-api-key-credential-providers" in result.stderr  # the hint
    assert "Traceback" not in result.stderr


def test_access_denied_names_the_iam_action(stubs: Stubs, cli: Any) -> None:
    stubs.fail("GetTokenVault", {}, "AccessDeniedException", "not authorized", 403)
    result = cli(*AWS, "get-token-vault")
    assert result.exit_code == 254
    assert "bedrock-agentcore:GetTokenVault" in result.stderr


def test_an_expired_token_is_a_configuration_error_253(stubs: Stubs, cli: Any) -> None:
    stubs.fail("ListWorkloadIdentities", {}, "ExpiredTokenException", "The security token is expired", 403)
    result = cli(*AWS, "list-workload-identities")
    assert result.exit_code == 253
    assert "ExpiredTokenException" in result.stderr and "aws sso login" in result.stderr


def test_botocore_validation_exits_252_without_repeating_the_value() -> None:
    backend = AwsBackend(Settings(backend="aws", region="us-east-1"))
    try:
        with pytest.raises(ParamValidationError) as raised:
            backend.invoke("CreateApiKeyCredentialProvider", {"name": "x", "apiKey": ["sk-never-printed"]})
    finally:
        backend.close()
    assert raised.value.exit_code == 252
    assert "apiKey" in raised.value.message and "sk-never-printed" not in raised.value.message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__  # no chained botocore text


def test_redaction_covers_every_form_a_secret_takes_in_a_log_line() -> None:
    from agentcore_identity_cli.backends.aws_logging import redact_text

    line = (
        "params: {'body': b'{\"name\": \"x\", \"clientSecret\": \"cs-1\"}', 'apiKey': 'sk-2'} "
        "headers={'Authorization': b'AWS4-HMAC-SHA256 Credential=AKID/x, Signature=abc123', "
        "'X-Amz-Security-Token': b'tok-3'} url=https://h/p?X-Amz-Signature=ff00&X-Amz-Credential=AKID%2Fx "
        '"customParameters": {"k": "cp-4"}'
    )
    redacted = redact_text(line)
    for secret in ("cs-1", "sk-2", "abc123", "tok-3", "ff00", "AKID%2Fx", "cp-4", "AWS4-HMAC-SHA256 Credential"):
        assert secret not in redacted
    assert "name" in redacted and "https://h/p" in redacted  # what is not secret stays
    signing = redact_text("x-amz-security-token:tok-5\n" + "ab" * 32, signing=True)
    assert "tok-5" not in signing and "ab" * 32 not in signing


def test_an_unknown_operation_is_refused_without_a_call() -> None:
    backend = AwsBackend(Settings(backend="aws", region="us-east-1"))
    with pytest.raises(ServiceError, match="does not know"):
        backend.invoke("DeleteEverything", {})
    assert backend._clients == {}


def test_clients_are_created_once_per_service_on_first_use(stubs: Stubs) -> None:
    stubs.respond("GetTokenVault", {}, _response("GetTokenVault"))
    stubs.respond("GetTokenVault", {}, _response("GetTokenVault"))
    stubs.respond("GetWorkloadAccessToken", {"workloadName": "agent-1"}, _response("GetWorkloadAccessToken"))
    backend = AwsBackend(Settings(backend="aws", region="us-east-1"))
    assert stubs.created == []  # nothing before the first call
    backend.invoke("GetTokenVault", {})
    backend.invoke("GetTokenVault", {})
    assert stubs.created == [CONTROL]
    backend.invoke("GetWorkloadAccessToken", {"workloadName": "agent-1"})
    assert stubs.created == [CONTROL, DATA]
    backend.close()
    stubs.assert_done()


# --- AWS configuration ------------------------------------------------------------------


def _aws_config(home: Path, text: str) -> None:
    (home.parent / "aws-config").write_text(text)


def test_profile_selects_the_aws_profile_of_the_same_name(stubs: Stubs, cli: Any, home: Path) -> None:
    _aws_config(home, "[profile dev]\nregion = eu-west-1\n")
    stubs.respond("GetTokenVault", {}, _response("GetTokenVault"))
    result = cli("--backend", "aws", "--profile", "dev", "get-token-vault")
    assert result.exit_code == 0, result.stderr
    assert stubs.clients[CONTROL].meta.region_name == "eu-west-1"


def test_aws_profile_in_the_tool_profile_wins_over_the_same_name(stubs: Stubs, cli: Any, home: Path) -> None:
    _aws_config(home, "[profile dev]\nregion = eu-west-1\n[profile corp-admin]\nregion = ap-southeast-2\n")
    assert cli("--profile", "dev", "configure", "set", "aws_profile", "corp-admin").exit_code == 0
    assert cli("--profile", "dev", "configure", "set", "backend", "aws").exit_code == 0
    stubs.respond("GetTokenVault", {}, _response("GetTokenVault"))
    result = cli("--profile", "dev", "get-token-vault")
    assert result.exit_code == 0, result.stderr
    assert stubs.clients[CONTROL].meta.region_name == "ap-southeast-2"


def test_region_flag_wins_over_the_aws_profile(stubs: Stubs, cli: Any, home: Path) -> None:
    _aws_config(home, "[profile dev]\nregion = eu-west-1\n")
    stubs.respond("GetTokenVault", {}, _response("GetTokenVault"))
    result = cli("--backend", "aws", "--profile", "dev", "--region", "us-west-2", "get-token-vault")
    assert result.exit_code == 0, result.stderr
    assert stubs.clients[CONTROL].meta.region_name == "us-west-2"


def test_aws_environment_variables_are_honoured(stubs: Stubs, cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL", "http://127.0.0.1:9")
    stubs.respond("GetTokenVault", {}, _response("GetTokenVault"))
    result = cli("--backend", "aws", "get-token-vault")
    assert result.exit_code == 0, result.stderr
    assert stubs.clients[CONTROL].meta.region_name == "eu-central-1"
    assert stubs.clients[CONTROL].meta.endpoint_url == "http://127.0.0.1:9"


def test_timeouts_reach_the_botocore_config_and_zero_means_none(stubs: Stubs, cli: Any) -> None:
    stubs.respond("GetTokenVault", {}, _response("GetTokenVault"))
    result = cli(*AWS, "--cli-read-timeout", "0", "--cli-connect-timeout", "7", "get-token-vault")
    assert result.exit_code == 0, result.stderr
    config = stubs.clients[CONTROL].meta.config
    assert config.read_timeout is None and config.connect_timeout == 7
    assert "agentcore-identity/" in config.user_agent_extra


def test_a_negative_timeout_is_a_usage_error(cli: Any) -> None:
    result = cli(*AWS, "--cli-read-timeout", "-1", "get-token-vault")
    assert result.exit_code == 252
    assert "--cli-read-timeout" in result.stderr


def test_unknown_aws_profile_exits_253_naming_the_fix(cli: Any) -> None:
    result = cli("--backend", "aws", "--profile", "nosuch", "get-token-vault")
    assert result.exit_code == 253
    assert "The AWS profile 'nosuch' could not be found" in result.stderr
    assert "aws configure --profile nosuch" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_region_exits_253_naming_the_fix(cli: Any) -> None:
    result = cli("--backend", "aws", "get-token-vault")
    assert result.exit_code == 253
    assert "--region" in result.stderr and "aws configure" in result.stderr


def test_backend_from_the_environment_variable(stubs: Stubs, cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTCORE_IDENTITY_BACKEND", "aws")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    stubs.respond("ListApiKeyCredentialProviders", {}, _response("ListApiKeyCredentialProviders"))
    result = cli("list-api-key-credential-providers")
    assert result.exit_code == 0, result.stderr
    assert stubs.created == [CONTROL]


def test_without_an_explicit_profile_botocore_chooses(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = resolve_settings({"backend": "aws"})
    assert AwsBackend(settings).profile is None
    monkeypatch.setenv("AGENTCORE_IDENTITY_PROFILE", "ci")
    assert AwsBackend(resolve_settings({"backend": "aws"})).profile == "ci"


def test_the_python_api_gets_a_config_error_for_an_unknown_aws_profile() -> None:
    backend = AwsBackend(Settings(backend="aws", region="us-east-1", profile="ghost", profile_explicit=True))
    with pytest.raises(ConfigError):
        backend.invoke("GetTokenVault", {})
