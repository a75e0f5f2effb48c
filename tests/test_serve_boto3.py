"""boto3, unchanged, against `serve`: every operation of both services, paginators, tags,
and outputs equal to what the CLI prints for the same vault."""
# ruff: noqa: F811 - the fixtures are imported from their support modules

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from agentcore_identity_cli.backends.base import operations
from tests.jwks_server import Issuer, serve_issuer
from tests.oauth_server import AuthServer, oauth_server  # noqa: F401
from tests.payment_support import keys
from tests.serve_support import Served, serve_fixture  # noqa: F401

RETURN_URL = "http://localhost:8080/cb"
ROLE_ARN = "arn:aws:iam::123456789012:role/consent-portal"
GATEWAY_ID = "support-gateway-abcde12345"


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with serve_issuer() as running:
        yield running


class Calls:
    """The operations a boto3 client made, as botocore named them after each response."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def watch(self, client: Any) -> Any:
        client.meta.events.register("after-call", self._after)
        return client

    def _after(self, model: Any, **_: Any) -> None:
        self.names.add(model.name)


def _body(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def _epoch(value: Any) -> Any:
    """Timestamps of either representation as epoch seconds (to the microsecond)."""
    if isinstance(value, datetime):
        return round(value.timestamp(), 6)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        return round(parsed.timestamp(), 6) if parsed.tzinfo else value
    if isinstance(value, dict):
        return {k: _epoch(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_epoch(v) for v in value]
    return value


def _same_as_cli(cli: Any, response: dict[str, Any], *argv: str, ignore: tuple[str, ...] = ()) -> None:
    """The boto3 response equals the CLI's JSON for the same vault, timestamps aside.

    `ignore`: members that differ on purpose (the callback URL is serve's own while it runs).
    """
    local = cli(*argv, "--output", "json")
    assert local.exit_code == 0, local.stderr
    mine = {k: v for k, v in _body(response).items() if k not in ignore}
    theirs = {k: v for k, v in local.json().items() if k not in ignore}
    assert _epoch(mine) == _epoch(theirs)


def test_every_operation_of_both_services_through_boto3(
    serve: Served, cli: Any, oauth_server: AuthServer, issuer: Issuer
) -> None:
    calls = Calls()
    cp = calls.watch(serve.client("bedrock-agentcore-control"))
    dp = calls.watch(serve.client("bedrock-agentcore"))
    k = keys()

    # API key providers
    created = cp.create_api_key_credential_provider(name="openai", apiKey="sk-live-123", tags={"team": "ml"})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    _same_as_cli(
        cli, cp.get_api_key_credential_provider(name="openai"), "get-api-key-credential-provider", "--name", "openai"
    )
    cp.update_api_key_credential_provider(name="openai", apiKey="sk-live-456")
    _same_as_cli(cli, cp.list_api_key_credential_providers(), "list-api-key-credential-providers")

    # OAuth2 providers: a custom one on the test authorization server
    oauth = cp.create_oauth2_credential_provider(
        name="corp",
        credentialProviderVendor="CustomOauth2",
        oauth2ProviderConfigInput={
            "customOauth2ProviderConfig": {
                "oauthDiscovery": {"discoveryUrl": oauth_server.discovery_url},
                "clientId": "app",
                "clientSecret": "s3cret-client",
            }
        },
    )
    assert "s3cret-client" not in str(oauth)
    assert oauth["callbackUrl"].startswith(serve.url + "/identities/oauth2/callback/")  # hosted by serve
    _same_as_cli(
        cli,
        cp.get_oauth2_credential_provider(name="corp"),
        "get-oauth2-credential-provider",
        "--name",
        "corp",
        ignore=("callbackUrl",),
    )
    cp.update_oauth2_credential_provider(
        name="corp",
        credentialProviderVendor="CustomOauth2",
        oauth2ProviderConfigInput={
            "customOauth2ProviderConfig": {
                "oauthDiscovery": {"discoveryUrl": oauth_server.discovery_url},
                "clientId": "app",
                "clientSecret": "s3cret-client",
            }
        },
    )
    _same_as_cli(cli, cp.list_oauth2_credential_providers(), "list-oauth2-credential-providers")

    # Payment providers
    cdp = {
        "coinbaseCdpConfiguration": {"apiKeyId": "key-1", "apiKeySecret": k.cdp_pem, "walletSecret": k.wallet_secret}
    }
    cp.create_payment_credential_provider(
        name="cdp", credentialProviderVendor="CoinbaseCDP", providerConfigurationInput=cdp
    )
    _same_as_cli(
        cli, cp.get_payment_credential_provider(name="cdp"), "get-payment-credential-provider", "--name", "cdp"
    )
    cp.update_payment_credential_provider(
        name="cdp", credentialProviderVendor="CoinbaseCDP", providerConfigurationInput=cdp
    )
    _same_as_cli(cli, cp.list_payment_credential_providers(), "list-payment-credential-providers")

    # Consent portals, signing users in with the OAuth2 provider above
    portal = cp.create_consent_portal(
        name="support",
        executionRoleArn=ROLE_ARN,
        idpConfig={"credentialProviderArn": oauth["credentialProviderArn"], "scopes": ["openid", "email"]},
        sources=[{"identifier": GATEWAY_ID, "type": "agentcore-gateway"}],
        tags={"team": "ml"},
    )
    assert portal["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert portal["status"] == "CREATING"
    portal_id = portal["consentPortalId"]
    assert portal["portalUrl"] == f"{serve.url}/consent-portals/{portal_id}"  # its page on serve
    got = cp.get_consent_portal(consentPortalIdentifier=portal["consentPortalArn"])
    assert got["status"] == "ACTIVE"
    _same_as_cli(cli, got, "get-consent-portal", "--consent-portal-identifier", portal_id, ignore=("portalUrl",))
    updated = cp.update_consent_portal(consentPortalIdentifier=portal_id, description="Connect your accounts")
    assert (updated["ResponseMetadata"]["HTTPStatusCode"], updated["status"]) == (202, "UPDATING")
    listed = cp.list_consent_portals()["consentPortals"]
    assert [(p["consentPortalId"], p["description"], p["portalUrl"]) for p in listed] == [
        (portal_id, "Connect your accounts", portal["portalUrl"])
    ]
    assert cp.list_tags_for_resource(resourceArn=portal["consentPortalArn"])["tags"] == {"team": "ml"}

    # Workload identities
    cp.create_workload_identity(name="agent-1", allowedResourceOauth2ReturnUrls=[RETURN_URL])
    cp.update_workload_identity(name="agent-1", allowedResourceOauth2ReturnUrls=[RETURN_URL])
    _same_as_cli(cli, cp.get_workload_identity(name="agent-1"), "get-workload-identity", "--name", "agent-1")
    _same_as_cli(cli, cp.list_workload_identities(), "list-workload-identities")

    # Tags on a provider
    arn = created["credentialProviderArn"]
    cp.tag_resource(resourceArn=arn, tags={"env": "dev"})
    assert cp.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "ml", "env": "dev"}
    cp.untag_resource(resourceArn=arn, tagKeys=["team"])
    _same_as_cli(cli, cp.list_tags_for_resource(resourceArn=arn), "list-tags-for-resource", "--resource-arn", arn)

    # Data plane: workload tokens, then the resources they unlock
    token = dp.get_workload_access_token(workloadName="agent-1")["workloadAccessToken"]
    user_token = dp.get_workload_access_token_for_user_id(workloadName="agent-1", userId="alice")["workloadAccessToken"]
    trusted = cli("trusted-issuer", "add", "--issuer", issuer.url, "--audiences", "agent-api")  # the CLI, meanwhile
    assert trusted.exit_code == 0, trusted.stderr
    assert dp.get_workload_access_token_for_jwt(workloadName="agent-1", userToken=issuer.token())["workloadAccessToken"]
    key = dp.get_resource_api_key(workloadIdentityToken=token, resourceCredentialProviderName="openai")
    assert key["apiKey"] == "sk-live-456"
    m2m = dp.get_resource_oauth2_token(
        workloadIdentityToken=token, resourceCredentialProviderName="corp", scopes=["read"], oauth2Flow="M2M"
    )
    assert m2m["accessToken"]
    payment = dp.get_resource_payment_token(
        workloadIdentityToken=token,
        resourceCredentialProviderName="cdp",
        paymentTokenRequest={
            "coinbaseCdpTokenRequest": {"requestMethod": "GET", "requestPath": "/platform/v2/evm/accounts"}
        },
    )
    assert _body(payment)
    session = dp.get_resource_oauth2_token(
        workloadIdentityToken=user_token,
        resourceCredentialProviderName="corp",
        scopes=["read"],
        oauth2Flow="USER_FEDERATION",
        resourceOauth2ReturnUrl=RETURN_URL,
    )
    assert session["sessionStatus"] == "IN_PROGRESS"
    with pytest.raises(ClientError) as early:  # no consent yet: the service says what is missing
        dp.complete_resource_token_auth(sessionUri=session["sessionUri"], userIdentifier={"userId": "alice"})
    assert early.value.response["Error"]["Code"] in ("ValidationException", "AccessDeniedException")
    assert "CompleteResourceTokenAuth" in calls.names or early.value.operation_name == "CompleteResourceTokenAuth"
    calls.names.add(early.value.operation_name)

    # Token vault
    vault = cp.get_token_vault()
    _same_as_cli(cli, vault, "get-token-vault")
    assert cp.set_token_vault_cmk(kmsConfiguration={"keyType": "ServiceManagedKey"})["tokenVaultId"] == "default"
    cp.reset_token_vault_key_material(tokenVaultId="default")
    assert (
        dp.get_resource_api_key(
            workloadIdentityToken=dp.get_workload_access_token(workloadName="agent-1")["workloadAccessToken"],
            resourceCredentialProviderName="openai",
        )["apiKey"]
        == "sk-live-456"
    )  # the serve key and every secret were re-sealed
    with pytest.raises(ClientError) as stale:
        dp.get_resource_api_key(workloadIdentityToken=token, resourceCredentialProviderName="openai")
    assert stale.value.response["Error"]["Code"] in (
        "AccessDeniedException",
        "UnauthorizedException",
        "ValidationException",
    )

    # Deletes
    deleted = cp.delete_consent_portal(consentPortalIdentifier=portal_id)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert cp.list_consent_portals()["consentPortals"] == []
    for delete, name in (
        (cp.delete_api_key_credential_provider, "openai"),
        (cp.delete_oauth2_credential_provider, "corp"),
        (cp.delete_payment_credential_provider, "cdp"),
        (cp.delete_workload_identity, "agent-1"),
    ):
        assert delete(name=name)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert cp.list_api_key_credential_providers()["credentialProviders"] == []

    assert calls.names == set(operations()), sorted(set(operations()) ^ calls.names)


def test_paginators_walk_more_than_one_page(serve: Served) -> None:
    cp = serve.client("bedrock-agentcore-control")
    for i in range(7):
        cp.create_api_key_credential_provider(name=f"key-{i}", apiKey=f"sk-{i}")
        cp.create_workload_identity(name=f"agent-{i}")
    pages = list(cp.get_paginator("list_api_key_credential_providers").paginate(PaginationConfig={"PageSize": 3}))
    assert len(pages) == 3
    assert "nextToken" in pages[0]
    names = [p["name"] for page in pages for p in page["credentialProviders"]]
    assert names == [f"key-{i}" for i in range(7)]
    walked = cp.get_paginator("list_workload_identities").paginate(PaginationConfig={"PageSize": 2, "MaxItems": 5})
    assert [w["name"] for w in walked.build_full_result()["workloadIdentities"]] == [f"agent-{i}" for i in range(5)]


@pytest.mark.parametrize(
    ("kind", "create"),
    [
        (
            "apikey",
            lambda cp: cp.create_api_key_credential_provider(name="key-1", apiKey="sk")["credentialProviderArn"],
        ),
        (
            "oauth2",
            lambda cp: cp.create_oauth2_credential_provider(
                name="github",
                credentialProviderVendor="GithubOauth2",
                oauth2ProviderConfigInput={"githubOauth2ProviderConfig": {"clientId": "c", "clientSecret": "s"}},
            )["credentialProviderArn"],
        ),
        ("workload", lambda cp: cp.create_workload_identity(name="agent-1")["workloadIdentityArn"]),
        ("consentportal", lambda cp: _portal_arn(cp)),
        ("tokenvault", lambda cp: cp.get_token_vault()["tokenVaultId"] and _vault_arn()),
    ],
)
def test_tags_on_each_arn_kind_with_the_arn_encoded_in_the_path(serve: Served, kind: str, create: Any) -> None:
    cp = serve.client("bedrock-agentcore-control")
    arn = create(cp)
    cp.tag_resource(resourceArn=arn, tags={"team": "ml", "cost/centre": "a b"})
    assert cp.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "ml", "cost/centre": "a b"}
    cp.untag_resource(resourceArn=arn, tagKeys=["cost/centre"])
    assert cp.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "ml"}
    assert "%3A" in serve.wait_for_log("UntagResource 204")


def _portal_arn(cp: Any) -> str:
    idp = cp.create_oauth2_credential_provider(
        name="idp",
        credentialProviderVendor="CustomOauth2",
        oauth2ProviderConfigInput={
            "customOauth2ProviderConfig": {
                "oauthDiscovery": {"discoveryUrl": "https://idp.example.com/.well-known/openid-configuration"},
                "clientId": "c",
                "clientSecret": "s",
            }
        },
    )
    portal = cp.create_consent_portal(
        name="support",
        executionRoleArn=ROLE_ARN,
        idpConfig={"credentialProviderArn": idp["credentialProviderArn"], "scopes": ["openid"]},
        sources=[{"identifier": GATEWAY_ID, "type": "agentcore-gateway"}],
    )
    return str(portal["consentPortalArn"])


def _vault_arn() -> str:
    from agentcore_identity_cli.backends.local import arns

    return arns.token_vault_arn()


def _code(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_service_errors_carry_the_model_status_and_code(serve: Served) -> None:
    cp = serve.client("bedrock-agentcore-control")
    with pytest.raises(ClientError) as missing:
        cp.get_workload_identity(name="nobody")
    assert _code(missing) == ("ResourceNotFoundException", 404)
    assert "does not exist" in missing.value.response["Error"]["Message"]
    cp.create_workload_identity(name="dup")
    with pytest.raises(ClientError) as taken:
        cp.create_workload_identity(name="dup")
    assert _code(taken) == ("ConflictException", 409)
    with pytest.raises(ClientError) as invalid:  # botocore checks lengths; the service checks the pattern
        cp.create_workload_identity(name="bad name!")
    assert _code(invalid) == ("ValidationException", 400)
    with pytest.raises(ClientError) as bad_token:
        cp.list_workload_identities(nextToken="not-a-token")
    assert _code(bad_token) == ("ValidationException", 400)
    dp = serve.client("bedrock-agentcore")
    with pytest.raises(ClientError) as forged:
        dp.get_resource_api_key(workloadIdentityToken="x" * 40, resourceCredentialProviderName="openai")
    assert _code(forged)[1] in (400, 401, 403)
    # The server keeps serving after every refusal.
    assert cp.get_workload_identity(name="dup")["name"] == "dup"
