"""clientAuthenticationMethod on custom providers: PRIVATE_KEY_JWT client assertions checked by a
real authorization server (signature with the registered public key, aud, iss/sub, jti reuse,
expiry) on every kind of request, explicit methods over discovery, and the key kept sealed."""
# ruff: noqa: F811 - the fixtures are imported from tests/oauth_server.py

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc.jwk import ECKey, RSAKey

from tests.jwks_server import Issuer, serve_issuer
from tests.oauth_server import AuthServer, Browser, browser, oauth_server  # noqa: F401

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi"}


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with serve_issuer() as running:
        yield running


def _config(server: AuthServer, **extra: Any) -> str:
    inner = {"oauthDiscovery": {"discoveryUrl": server.discovery_url}, "clientId": "app", **extra}
    return json.dumps({"customOauth2ProviderConfig": inner})


def _create(cli, server: AuthServer, *args: str, input: str = "", **extra: Any):
    return cli(
        "create-oauth2-credential-provider",
        "--name",
        "corp",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--oauth2-provider-config-input",
        _config(server, **extra),
        *args,
        input=input,
    )


def _register(cli, server: AuthServer) -> dict[str, Any]:
    """The provider's public JWKS, registered for client `app` as its only authentication method."""
    shown = cli("oauth2-public-key", "--name", "corp", "--output", "json")
    assert shown.exit_code == 0, shown.stderr
    jwks = shown.json()
    client = server.clients["app"]
    client.jwks = jwks
    client.auth_methods = ["private_key_jwt"]
    return jwks


PKJ = {"clientAuthenticationMethod": "PRIVATE_KEY_JWT"}


@pytest.mark.parametrize(("alg", "kty"), [("RS256", "RSA"), ("PS256", "RSA"), ("ES256", "EC")])
def test_m2m_with_a_generated_key_passes_the_servers_checks(cli, oauth_server: AuthServer, alg: str, kty: str):
    extra = {"additionalHeaderClaims": {"x-env": "test"}, "additionalPayloadClaims": {"tenant": "t1"}}
    created = _create(cli, oauth_server, **PKJ, privateKeyJwtConfig={"signingAlgorithm": alg, **extra})
    assert created.exit_code == 0, created.stderr
    jwks = _register(cli, oauth_server)
    (key,) = jwks["keys"]
    assert key["kty"] == kty and key["alg"] == alg and not PRIVATE_MEMBERS & set(key)

    result = cli("token", "corp", "--oauth2-flow", "M2M", "--scopes", "read")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == oauth_server.tokens[-1].access_token
    (header, claims) = oauth_server.assertions[-1]
    assert header["alg"] == alg and header["kid"] == key["kid"] and header["x-env"] == "test"
    assert claims["iss"] == claims["sub"] == "app"
    assert claims["aud"] == oauth_server.url + "/token"
    assert 0 < claims["exp"] - claims["iat"] <= 60
    assert claims["tenant"] == "t1"
    (sent,) = oauth_server.token_requests("client_credentials")
    assert sent["auth"] == "private_key_jwt"
    assert sent["form"]["client_assertion_type"] == ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]


def test_every_request_authenticates_with_the_assertion(
    cli, oauth_server: AuthServer, browser: Browser, issuer: Issuer
):
    exchange = {"grantType": "TOKEN_EXCHANGE", "tokenExchangeGrantTypeConfig": {"actorTokenContent": "NONE"}}
    assert _create(cli, oauth_server, **PKJ, onBehalfOfTokenExchangeConfig=exchange).exit_code == 0
    _register(cli, oauth_server)
    oauth_server.subject_keys = issuer.jwks()
    assert cli("trusted-issuer", "add", "--issuer", issuer.url, "--audiences", "agent-api").exit_code == 0

    steps = [
        ("token", "corp", "--oauth2-flow", "M2M"),  # client credentials
        ("login", "corp", "--scopes", "read"),  # authorization code
        ("token", "corp", "--oauth2-flow", "USER_FEDERATION", "--force-refresh"),  # refresh
        ("logout", "corp"),  # revocation
    ]
    for args in steps:
        result = cli(*args)
        assert result.exit_code == 0, (args, result.stderr)
    exchanged = cli("token", "corp", "--user-token", "-", input=issuer.token())
    assert exchanged.exit_code == 0, exchanged.stderr

    import threading

    approver = threading.Thread(target=oauth_server.approve_device)
    approver.start()
    device = cli("login", "corp", "--device", "--scopes", "read")
    approver.join()
    assert device.exit_code == 0, device.stderr

    seen = {(r["path"], r["form"].get("grant_type", ["-"])[0]) for r in oauth_server.requests}
    assert {
        ("/token", "client_credentials"),
        ("/token", "authorization_code"),
        ("/token", "refresh_token"),
        ("/revoke", "-"),
        ("/token", "urn:ietf:params:oauth:grant-type:token-exchange"),
        ("/device_authorization", "-"),
        ("/token", "urn:ietf:params:oauth:grant-type:device_code"),
    } <= seen
    assert {r["auth"] for r in oauth_server.requests} == {"private_key_jwt"}
    assert oauth_server.stats["revoked"] >= 1
    jtis = [claims["jti"] for _, claims in oauth_server.assertions]
    assert len(jtis) == len(set(jtis)) == len(oauth_server.requests)
    assert {claims["aud"] for _, claims in oauth_server.assertions} == {oauth_server.url + "/token"}


def test_a_replayed_assertion_is_refused(cli, oauth_server: AuthServer):
    assert _create(cli, oauth_server, **PKJ).exit_code == 0
    _register(cli, oauth_server)
    assert cli("token", "corp", "--oauth2-flow", "M2M").exit_code == 0
    (sent,) = oauth_server.token_requests("client_credentials")
    replay = httpx.post(oauth_server.url + "/token", data={k: v[0] for k, v in sent["form"].items()})
    assert replay.status_code in (400, 401) and replay.json()["error"] == "invalid_client"
    assert "jti" in replay.json()["error_description"]


def test_an_expired_assertion_is_refused(cli, oauth_server: AuthServer):
    assert _create(cli, oauth_server, **PKJ).exit_code == 0
    _register(cli, oauth_server)
    oauth_server.clock_offset = 120  # the server's clock two minutes ahead: the assertion has expired
    result = cli("token", "corp", "--oauth2-flow", "M2M")
    assert result.exit_code == 254
    assert "invalid_client" in result.stderr
    oauth_server.clock_offset = 0
    assert cli("token", "corp", "--oauth2-flow", "M2M").exit_code == 0


def test_an_assertion_signed_with_another_key_is_refused(cli, oauth_server: AuthServer):
    assert _create(cli, oauth_server, **PKJ).exit_code == 0
    other = RSAKey.generate_key(2048, private=True)
    oauth_server.clients["app"].jwks = {"keys": [other.as_dict(private=False)]}
    oauth_server.clients["app"].auth_methods = ["private_key_jwt"]
    result = cli("token", "corp", "--oauth2-flow", "M2M")
    assert result.exit_code == 254 and "invalid_client" in result.stderr


def test_a_given_private_key_is_used_and_never_shown(cli, oauth_server: AuthServer, tmp_path: Path, home: Path):
    key = ECKey.generate_key("P-256", private=True)
    pem = key.as_pem(private=True).decode()
    (tmp_path / "key.pem").write_text(pem)
    created = _create(
        cli,
        oauth_server,
        "--private-key",
        f"file://{tmp_path / 'key.pem'}",
        "--debug",
        **PKJ,
        privateKeyJwtConfig={"signingAlgorithm": "ES256"},
    )
    assert created.exit_code == 0, created.stderr
    config = created.json()["oauth2ProviderConfigOutput"]["customOauth2ProviderConfig"]
    assert config["clientAuthenticationMethod"] == "PRIVATE_KEY_JWT"
    assert config["privateKeyJwtConfig"] == {"signingAlgorithm": "ES256"}
    jwks = _register(cli, oauth_server)
    assert jwks["keys"][0]["kid"] == key.thumbprint()
    result = cli("token", "corp", "--oauth2-flow", "M2M", "--debug")
    assert result.exit_code == 0, result.stderr

    body = "".join(pem.splitlines()[1:-1])
    for text in (created.stdout, created.stderr, result.stderr, cli("audit", "list", "--output", "json").stdout):
        assert body[:40] not in text and "PRIVATE KEY" not in text
    for path in home.rglob("*"):
        if path.is_file():
            assert b"PRIVATE KEY" not in path.read_bytes(), path

    rotated = cli("reset-token-vault-key-material")
    assert rotated.exit_code == 0, rotated.stderr
    assert cli("oauth2-public-key", "--name", "corp", "--output", "json").json() == jwks
    assert cli("token", "corp", "--oauth2-flow", "M2M", "--force-refresh").exit_code == 0


def test_explicit_client_secret_post_overrides_discovery(cli, oauth_server: AuthServer):
    created = _create(
        cli,
        oauth_server,
        "--client-secret",
        "-",
        input="s3cret-client",
        clientAuthenticationMethod="CLIENT_SECRET_POST",
    )
    assert created.exit_code == 0, created.stderr
    assert cli("token", "corp", "--oauth2-flow", "M2M").exit_code == 0
    assert oauth_server.auth_methods_seen == ["client_secret_post:app"]


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"clientAuthenticationMethod": "AWS_IAM_ID_TOKEN_JWT"}, "--backend aws"),
        (
            {
                **PKJ,
                "privateKeyJwtConfig": {
                    "privateKeySource": {
                        "kmsKeySource": {"kmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/" + "1" * 36}
                    }
                },
            },
            "--backend aws",
        ),
        ({**PKJ, "privateKeyJwtConfig": {"additionalPayloadClaims": {"aud": "elsewhere"}}}, "cannot set aud"),
    ],
)
def test_what_the_local_vault_cannot_do_is_refused(cli, oauth_server: AuthServer, extra: dict[str, Any], needle: str):
    result = _create(cli, oauth_server, "--client-secret", "-", input="s3cret-client", **extra)
    assert result.exit_code == 254
    assert "ValidationException" in result.stderr and needle in result.stderr


def test_private_key_flag_is_refused_on_the_aws_backend(cli, oauth_server: AuthServer, tmp_path: Path):
    (tmp_path / "key.pem").write_text(RSAKey.generate_key(2048, private=True).as_pem(private=True).decode())
    result = _create(cli, oauth_server, "--backend", "aws", "--private-key", f"file://{tmp_path / 'key.pem'}", **PKJ)
    assert result.exit_code == 252
    assert "local-backend extension" in result.stderr


def test_a_key_that_does_not_fit_the_algorithm_is_refused(cli, oauth_server: AuthServer, tmp_path: Path):
    (tmp_path / "key.pem").write_text(ECKey.generate_key("P-256", private=True).as_pem(private=True).decode())
    result = _create(cli, oauth_server, "--private-key", f"file://{tmp_path / 'key.pem'}", **PKJ)
    assert result.exit_code == 254
    assert "RS256 needs an RSA key" in result.stderr
    assert cli("get-oauth2-credential-provider", "--name", "corp").exit_code == 254  # nothing half-created


def test_provider_output_carries_the_client_authentication_members_in_the_api_shape(cli, oauth_server: AuthServer):
    from tests.test_output_shapes import assert_matches_output_shape

    members = {
        **PKJ,
        "privateKeyJwtConfig": {"signingAlgorithm": "PS256", "additionalPayloadClaims": {"tenant": "t1"}},
        "onBehalfOfTokenExchangeConfig": {
            "grantType": "TOKEN_EXCHANGE",
            "tokenExchangeGrantTypeConfig": {"actorTokenContent": "M2M", "actorTokenScopes": ["act"]},
            "onBehalfOfAuthenticationConfig": {"clientAuthenticationMethod": "NO_CLIENT"},
        },
    }
    created = _create(cli, oauth_server, **members)
    assert created.exit_code == 0, created.stderr
    assert_matches_output_shape("CreateOauth2CredentialProvider", created.json())
    shown = cli("get-oauth2-credential-provider", "--name", "corp", "--output", "json").json()
    assert_matches_output_shape("GetOauth2CredentialProvider", shown)
    config = shown["oauth2ProviderConfigOutput"]["customOauth2ProviderConfig"]
    assert {key: config[key] for key in members} == members
