"""ON_BEHALF_OF_TOKEN_EXCHANGE on the local vault: the user's JWT (the one a workload access
token was obtained for) exchanged at a real authorization server with RFC 8693 token exchange
or the RFC 7523 JWT authorization grant; actors, NO_CLIENT, resources and audiences, caching,
and the JWT kept sealed."""
# ruff: noqa: F811 - the fixtures are imported from tests/oauth_server.py

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.jwks_server import Issuer, serve_issuer
from tests.oauth_server import AuthServer, create_provider, oauth_server  # noqa: F401

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with serve_issuer() as running:
        yield running


def _provider(cli, server: AuthServer, issuer: Issuer, exchange: dict[str, Any], **extra: Any) -> None:
    server.subject_keys = issuer.jwks()
    config = {
        "customOauth2ProviderConfig": {
            "oauthDiscovery": {"discoveryUrl": server.discovery_url},
            "clientId": "app",
            "onBehalfOfTokenExchangeConfig": exchange,
            **extra,
        }
    }
    result = cli(
        "create-oauth2-credential-provider",
        "--name",
        "corp",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--oauth2-provider-config-input",
        json.dumps(config),
        "--client-secret",
        "-",
        input="s3cret-client",
    )
    assert result.exit_code == 0, result.stderr
    assert cli("create-workload-identity", "--name", "support-agent").exit_code == 0
    trusted = cli("trusted-issuer", "add", "--issuer", issuer.url, "--audiences", "agent-api")
    assert trusted.exit_code == 0, trusted.stderr


def _wat_for_jwt(cli, user_jwt: str) -> str:
    result = cli(
        "get-workload-access-token-for-jwt",
        "--workload-name",
        "support-agent",
        "--user-token",
        "-",
        "--query",
        "workloadAccessToken",
        "--output",
        "text",
        input=user_jwt,
    )
    assert result.exit_code == 0, result.stderr
    assert user_jwt not in result.stdout
    return result.stdout.strip()


def _exchange(cli, wat: str, *extra: str):
    return cli(
        "get-resource-oauth2-token",
        "--resource-credential-provider-name",
        "corp",
        "--scopes",
        "read",
        "--oauth2-flow",
        "ON_BEHALF_OF_TOKEN_EXCHANGE",
        "--workload-identity-token",
        "-",
        *extra,
        input=wat,
    )


NONE_ACTOR = {"grantType": "TOKEN_EXCHANGE", "tokenExchangeGrantTypeConfig": {"actorTokenContent": "NONE"}}


def test_token_exchange_sends_the_users_jwt_with_resources_and_audiences(cli, oauth_server: AuthServer, issuer):
    _provider(cli, oauth_server, issuer, NONE_ACTOR)
    user_jwt = issuer.token()
    wat = _wat_for_jwt(cli, user_jwt)
    targets = ("--resources", "https://api.one.example/", "https://api.two.example/", "--audiences", "a1", "a2")
    result = _exchange(cli, wat, *targets)
    assert result.exit_code == 0, result.stderr
    (issued,) = [t for t in oauth_server.tokens if t.user == "alice"]
    assert result.json() == {"accessToken": issued.access_token}
    (sent,) = oauth_server.token_requests(TOKEN_EXCHANGE)
    form = sent["form"]
    assert form["subject_token"] == [user_jwt]
    assert form["subject_token_type"] == ["urn:ietf:params:oauth:token-type:jwt"]
    assert form["requested_token_type"] == ["urn:ietf:params:oauth:token-type:access_token"]
    assert form["resource"] == ["https://api.one.example/", "https://api.two.example/"]
    assert form["audience"] == ["a1", "a2"]
    assert form["scope"] == ["read"]
    assert "actor_token" not in form
    assert sent["auth"] == "client_secret_basic"

    # Cached per (workload, provider, user, scopes, flow, resources, audiences).
    again = _exchange(cli, _wat_for_jwt(cli, issuer.token()), *targets)
    assert again.json() == result.json()
    assert len(oauth_server.token_requests(TOKEN_EXCHANGE)) == 1
    other = _exchange(cli, wat, "--resources", "https://api.three.example/")
    assert other.exit_code == 0, other.stderr
    assert other.json() != result.json()
    assert oauth_server.token_requests(TOKEN_EXCHANGE)[-1]["form"]["resource"] == ["https://api.three.example/"]


def test_m2m_actor_token_is_a_client_credentials_token_with_the_actor_scopes(cli, oauth_server: AuthServer, issuer):
    exchange = {
        "grantType": "TOKEN_EXCHANGE",
        "tokenExchangeGrantTypeConfig": {"actorTokenContent": "M2M", "actorTokenScopes": ["actor.act"]},
    }
    _provider(cli, oauth_server, issuer, exchange)
    result = _exchange(cli, _wat_for_jwt(cli, issuer.token()))
    assert result.exit_code == 0, result.stderr
    (m2m,) = oauth_server.token_requests("client_credentials")
    assert m2m["form"]["scope"] == ["actor.act"]
    actor = next(t for t in oauth_server.tokens if t.user is None)
    (sent,) = oauth_server.token_requests(TOKEN_EXCHANGE)
    assert sent["form"]["actor_token"] == [actor.access_token]
    assert sent["form"]["actor_token_type"] == ["urn:ietf:params:oauth:token-type:access_token"]


def test_no_client_sends_no_client_credentials(cli, oauth_server: AuthServer, issuer):
    oauth_server.clients["app"].auth_methods.append("none")
    exchange = {**NONE_ACTOR, "onBehalfOfAuthenticationConfig": {"clientAuthenticationMethod": "NO_CLIENT"}}
    _provider(cli, oauth_server, issuer, exchange)
    result = _exchange(cli, _wat_for_jwt(cli, issuer.token()))
    assert result.exit_code == 0, result.stderr
    (sent,) = oauth_server.token_requests(TOKEN_EXCHANGE)
    assert sent["auth"] == "none"
    assert sent["form"]["client_id"] == ["app"]
    assert "client_secret" not in sent["form"] and "client_assertion" not in sent["form"]


def test_jwt_authorization_grant_sends_the_users_jwt_as_assertion(cli, oauth_server: AuthServer, issuer):
    _provider(cli, oauth_server, issuer, {"grantType": "JWT_AUTHORIZATION_GRANT"})
    user_jwt = issuer.token()
    result = _exchange(cli, _wat_for_jwt(cli, user_jwt), "--resources", "https://api.example/")
    assert result.exit_code == 0, result.stderr
    (sent,) = oauth_server.token_requests(JWT_BEARER)
    assert sent["form"]["assertion"] == [user_jwt]
    assert sent["form"]["scope"] == ["read"]
    assert sent["form"]["resource"] == ["https://api.example/"]
    assert any(t.user == "alice" for t in oauth_server.tokens)


@pytest.mark.parametrize("how", ["user-id", "workload"])
def test_a_workload_token_not_obtained_for_a_jwt_is_refused(cli, oauth_server: AuthServer, issuer, how: str):
    _provider(cli, oauth_server, issuer, NONE_ACTOR)
    args = ["get-workload-access-token", "--workload-name", "support-agent"]
    if how == "user-id":
        args = ["get-workload-access-token-for-user-id", "--workload-name", "support-agent", "--user-id", "alice"]
    wat = cli(*args, "--query", "workloadAccessToken", "--output", "text").stdout.strip()
    result = _exchange(cli, wat)
    assert result.exit_code == 254
    assert "AccessDeniedException" in result.stderr
    assert "GetWorkloadAccessTokenForJWT" in result.stderr
    assert oauth_server.token_requests(TOKEN_EXCHANGE) == []


def test_aws_iam_actor_is_refused_locally_naming_the_aws_backend(cli, oauth_server: AuthServer, tmp_path: Path):
    exchange = {
        "grantType": "TOKEN_EXCHANGE",
        "tokenExchangeGrantTypeConfig": {"actorTokenContent": "AWS_IAM_ID_TOKEN_JWT"},
    }
    config = {
        "customOauth2ProviderConfig": {
            "oauthDiscovery": {"discoveryUrl": oauth_server.discovery_url},
            "clientId": "app",
            "clientSecret": "x",
            "onBehalfOfTokenExchangeConfig": exchange,
        }
    }
    result = cli(
        "create-oauth2-credential-provider",
        "--name",
        "corp",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--oauth2-provider-config-input",
        "file://" + _write(tmp_path, json.dumps(config)),
    )
    assert result.exit_code == 254
    assert "ValidationException" in result.stderr and "--backend aws" in result.stderr


def test_provider_without_exchange_config_says_what_is_missing(cli, oauth_server: AuthServer, issuer):
    _provider(cli, oauth_server, issuer, NONE_ACTOR)
    update = cli(
        "update-oauth2-credential-provider",
        "--name",
        "corp",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--discovery-url",
        oauth_server.discovery_url,
        "--client-id",
        "app",
    )
    assert update.exit_code == 0, update.stderr
    result = _exchange(cli, _wat_for_jwt(cli, issuer.token()))
    assert result.exit_code == 254
    assert "onBehalfOfTokenExchangeConfig" in result.stderr


def test_the_users_jwt_is_sealed_never_in_the_vault_audit_or_output(cli, oauth_server: AuthServer, issuer, home):
    _provider(cli, oauth_server, issuer, NONE_ACTOR)
    user_jwt = issuer.token()
    wat = _wat_for_jwt(cli, user_jwt)
    result = _exchange(cli, wat, "--debug")
    assert result.exit_code == 0, result.stderr
    assert user_jwt not in result.stdout + result.stderr
    assert user_jwt.split(".")[1] not in wat  # not carried inside the workload access token either
    audit = cli("audit", "list", "--output", "json")
    assert audit.exit_code == 0, audit.stderr
    assert user_jwt not in audit.stdout
    signature = user_jwt.split(".")[2].encode()
    for path in Path(home).rglob("*"):
        if path.is_file():
            assert signature not in path.read_bytes(), path


def test_token_command_exchanges_a_user_token(cli, oauth_server: AuthServer, issuer):
    _provider(cli, oauth_server, issuer, NONE_ACTOR)
    user_jwt = issuer.token()
    result = cli("token", "corp", "--user-token", "-", "--audiences", "api", "--output", "json", input=user_jwt)
    assert result.exit_code == 0, result.stderr
    (sent,) = oauth_server.token_requests(TOKEN_EXCHANGE)
    assert sent["form"]["subject_token"] == [user_jwt]
    assert sent["form"]["audience"] == ["api"]
    assert result.json()["accessToken"] == next(t for t in oauth_server.tokens if t.user == "alice").access_token
    untrusted = cli("token", "corp", "--user-token", "-", input=issuer.token(iss="https://evil.example"))
    assert untrusted.exit_code == 254


def test_m2m_passes_resources_and_audiences(cli, oauth_server: AuthServer):
    create_provider(cli, oauth_server)
    assert cli("create-workload-identity", "--name", "support-agent").exit_code == 0
    wat = cli(
        "get-workload-access-token",
        "--workload-name",
        "support-agent",
        "--query",
        "workloadAccessToken",
        "--output",
        "text",
    ).stdout.strip()
    result = cli(
        "get-resource-oauth2-token",
        "--resource-credential-provider-name",
        "corp",
        "--scopes",
        "read",
        "--oauth2-flow",
        "M2M",
        "--resources",
        "https://r1.example/",
        "https://r2.example/",
        "--audiences",
        "aud-1",
        "--workload-identity-token",
        "-",
        input=wat,
    )
    assert result.exit_code == 0, result.stderr
    (sent,) = oauth_server.token_requests("client_credentials")
    assert sent["form"]["resource"] == ["https://r1.example/", "https://r2.example/"]
    assert sent["form"]["audience"] == ["aud-1"]


def _write(folder: Path, text: str) -> str:
    path = folder / "config.json"
    path.write_text(text)
    return str(path)


def test_each_workload_token_exchanges_its_own_users_jwt(cli, oauth_server: AuthServer, issuer):
    """Two users' JWTs kept for one workload: each workload access token finds its own."""
    _provider(cli, oauth_server, issuer, NONE_ACTOR)
    alice_jwt, bob_jwt = issuer.token(sub="alice"), issuer.token(sub="bob")
    alice_wat = _wat_for_jwt(cli, alice_jwt)
    bob_wat = _wat_for_jwt(cli, bob_jwt)
    assert _exchange(cli, bob_wat).exit_code == 0
    assert _exchange(cli, alice_wat).exit_code == 0
    subjects = [sent["form"]["subject_token"] for sent in oauth_server.token_requests(TOKEN_EXCHANGE)]
    assert subjects == [[bob_jwt], [alice_jwt]]
