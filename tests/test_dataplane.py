"""Workload access tokens, user JWTs from trusted issuers, and resource API keys."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.jwks_server import Issuer, hs256_token, serve_issuer, unsigned_token


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with serve_issuer() as running:
        yield running


@pytest.fixture
def setup(cli) -> None:
    assert cli("create-workload-identity", "--name", "support-agent").exit_code == 0
    assert cli("create-workload-identity", "--name", "other-agent").exit_code == 0
    created = cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-openai-1")
    assert created.exit_code == 0


def _token(cli, *args: str, env: dict[str, str] | None = None) -> str:
    result = cli(*args, "--query", "workloadAccessToken", "--output", "text", env=env)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def _api_key(cli, token: str):
    return cli(
        "get-resource-api-key",
        "--resource-credential-provider-name",
        "openai",
        "--workload-identity-token",
        "-",
        input=token,
    )


def test_workload_token_is_a_short_lived_jwt_naming_the_workload(cli, setup):
    result = cli("get-workload-access-token", "--workload-name", "support-agent")
    assert result.exit_code == 0
    assert set(result.json()) == {"workloadAccessToken"}
    claims = _claims(result.json()["workloadAccessToken"])
    assert claims["sub"].endswith(":workload-identity-directory/default/workload-identity/support-agent")
    assert 0 < claims["exp"] - claims["iat"] <= 15 * 60
    assert "user_id" not in claims


def _claims(token: str) -> dict:
    import base64
    import json

    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_token_for_user_id_carries_the_user(cli, setup):
    token = _token(cli, "get-workload-access-token-for-user-id", "--workload-name", "support-agent", "--user-id", "bob")
    assert _claims(token)["user_id"] == "bob"


def test_ttl_is_configurable(cli, setup):
    token = _token(
        cli,
        "get-workload-access-token",
        "--workload-name",
        "support-agent",
        env={"AGENTCORE_IDENTITY_WORKLOAD_TOKEN_TTL": "60"},
    )
    claims = _claims(token)
    assert claims["exp"] - claims["iat"] == 60


def test_token_for_missing_workload_is_not_found(cli, setup):
    result = cli("get-workload-access-token", "--workload-name", "supprt-agent")
    assert result.exit_code == 254
    assert "did you mean 'support-agent'" in result.stderr


def test_resource_api_key_for_a_valid_token(cli, setup):
    token = _token(cli, "get-workload-access-token", "--workload-name", "support-agent")
    result = _api_key(cli, token)
    assert result.exit_code == 0, result.stderr
    assert result.json() == {"apiKey": "sk-openai-1"}


def test_forged_token_is_refused(cli, setup, tmp_path: Path):
    token = _token(cli, "get-workload-access-token", "--workload-name", "support-agent")
    header, _, signature = token.split(".")
    import base64
    import json

    claims = _claims(token)
    claims["workload"] = "other-agent"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    result = _api_key(cli, f"{header}.{forged_payload}.{signature}")
    assert result.exit_code == 254
    assert "(AccessDeniedException)" in result.stderr
    assert "sk-openai-1" not in result.stdout


def test_token_from_another_vault_is_refused(cli, setup, tmp_path: Path):
    token = _token(cli, "get-workload-access-token", "--workload-name", "support-agent")
    other_home = tmp_path / "other"
    env = {"AGENTCORE_IDENTITY_HOME": str(other_home)}
    cli("create-workload-identity", "--name", "support-agent", env=env)
    cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-other", env=env)
    result = cli(
        "get-resource-api-key",
        "--resource-credential-provider-name",
        "openai",
        "--workload-identity-token",
        "-",
        input=token,
        env=env,
    )
    assert result.exit_code == 254


def test_unsigned_token_is_refused(cli, setup):
    token = _token(cli, "get-workload-access-token", "--workload-name", "support-agent")
    _, payload, _ = token.split(".")
    import base64

    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    assert _api_key(cli, f"{none_header}.{payload}.").exit_code == 254


def test_expired_token_is_refused(cli, setup, home: Path):
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    backend = LocalBackend(home / "vault.db")
    row = backend.store.get("workload", "support-agent")
    past = int(time.time()) - 3600
    token = backend.issue_workload_token(row, None, {"iat": past, "nbf": past, "exp": past + 60})
    backend.close()
    result = _api_key(cli, token)
    assert result.exit_code == 254
    assert "expired" in result.stderr


def test_token_of_a_deleted_workload_is_refused(cli, setup):
    token = _token(cli, "get-workload-access-token", "--workload-name", "support-agent")
    cli("delete-workload-identity", "--name", "support-agent")
    result = _api_key(cli, token)
    assert result.exit_code == 254
    assert "no longer exists" in result.stderr


def test_key_rotation_invalidates_earlier_tokens(cli, setup):
    token = _token(cli, "get-workload-access-token", "--workload-name", "support-agent")
    assert cli("reset-token-vault-key-material", "--token-vault-id", "default").exit_code == 0
    assert _api_key(cli, token).exit_code == 254
    fresh = _token(cli, "get-workload-access-token", "--workload-name", "support-agent")
    assert _api_key(cli, fresh).json() == {"apiKey": "sk-openai-1"}


def test_missing_provider_with_valid_token_is_not_found(cli, setup):
    token = _token(cli, "get-workload-access-token", "--workload-name", "support-agent")
    result = cli(
        "get-resource-api-key",
        "--resource-credential-provider-name",
        "anthropic",
        "--workload-identity-token",
        "-",
        input=token,
    )
    assert result.exit_code == 254
    assert "ResourceNotFoundException" in result.stderr


# --- user JWTs --------------------------------------------------------------------------


def _trust(cli, issuer: Issuer, *extra: str):
    result = cli("trusted-issuer", "add", "--issuer", issuer.url, "--audiences", "agent-api", *extra)
    assert result.exit_code == 0, result.stderr
    return result


def _for_jwt(cli, user_token: str):
    return cli(
        "get-workload-access-token-for-jwt", "--workload-name", "support-agent", "--user-token", "-", input=user_token
    )


def test_trusted_issuer_by_discovery_and_a_valid_user_token(cli, setup, issuer: Issuer):
    added = _trust(cli, issuer).json()
    assert added["jwksUri"] == issuer.url + "/jwks"
    result = _for_jwt(cli, issuer.token())
    assert result.exit_code == 0, result.stderr
    claims = _claims(result.json()["workloadAccessToken"])
    assert claims["user_id"] == "alice"
    assert claims["user_iss"] == issuer.url
    listed = cli("trusted-issuer", "list").json()["trustedIssuers"]
    assert [entry["issuer"] for entry in listed] == [issuer.url]


def test_ec_signed_user_token_is_accepted(cli, setup, issuer: Issuer):
    _trust(cli, issuer)
    assert _for_jwt(cli, issuer.token(key_index=1, alg="ES256")).exit_code == 0


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("alg_none", "unsigned"),
        ("hs256", "algorithm HS256"),
        ("expired", "expired"),
        ("not_yet_valid", "not valid"),
        ("wrong_audience", "not meant for this vault"),
        ("untrusted_issuer", "not trusted"),
        ("unknown_kid", "key id"),
        ("bad_signature", "signature"),
    ],
)
def test_bad_user_tokens_are_refused(cli, setup, issuer: Issuer, case: str, message: str):
    _trust(cli, issuer)
    now = int(time.time())
    tokens = {
        "alg_none": lambda: unsigned_token(issuer) + "c2lnbmF0dXJl",
        "hs256": lambda: hs256_token(issuer),
        "expired": lambda: issuer.token(exp=now - 3600, iat=now - 7200),
        "not_yet_valid": lambda: issuer.token(nbf=now + 3600),
        "wrong_audience": lambda: issuer.token(aud="someone-else"),
        "untrusted_issuer": lambda: issuer.token(iss="https://evil.example.com"),
        "unknown_kid": lambda: _with_kid(issuer.token(), "no-such-key"),
        "bad_signature": lambda: _tamper(issuer.token()),
    }
    result = _for_jwt(cli, tokens[case]())
    assert result.exit_code == 254, result.stderr
    assert "AccessDeniedException" in result.stderr or "ValidationException" in result.stderr
    assert message in result.stderr


def _with_kid(token: str, kid: str) -> str:
    import base64
    import json

    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    data["kid"] = kid
    new_header = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{new_header}.{payload}.{signature}"


def _tamper(token: str) -> str:
    import base64
    import json

    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_issuer_key_rotation_is_picked_up_with_one_refetch(cli, setup, issuer: Issuer):
    _trust(cli, issuer)
    assert _for_jwt(cli, issuer.token()).exit_code == 0
    fetches = issuer.jwks_fetches
    issuer.rotate()
    assert _for_jwt(cli, issuer.token(key_index=2)).exit_code == 0
    assert issuer.jwks_fetches == fetches + 1
    assert _for_jwt(cli, issuer.token(key_index=2)).exit_code == 0
    assert issuer.jwks_fetches == fetches + 1  # cached


def test_allowed_clients_accept_a_token_by_client_id(cli, setup, issuer: Issuer):
    cli("trusted-issuer", "add", "--issuer", issuer.url, "--allowed-clients", "web-app")
    assert _for_jwt(cli, issuer.token(aud=None, client_id="web-app")).exit_code == 0
    assert _for_jwt(cli, issuer.token(aud=None, client_id="other-app")).exit_code == 254


def test_unsigned_token_without_signature_fails_the_api_pattern(cli, setup, issuer: Issuer):
    _trust(cli, issuer)
    result = _for_jwt(cli, unsigned_token(issuer))
    assert result.exit_code == 254
    assert "(ValidationException)" in result.stderr
    assert "userToken must be a JWT: three base64url parts separated by '.'" in result.stderr


def test_trusted_issuer_needs_an_audience_or_client(cli, issuer: Issuer):
    result = cli("trusted-issuer", "add", "--issuer", issuer.url)
    assert result.exit_code == 254
    assert "--audiences" in result.stderr


def test_removed_issuer_is_no_longer_trusted(cli, setup, issuer: Issuer):
    _trust(cli, issuer)
    assert cli("trusted-issuer", "remove", "--issuer", issuer.url).exit_code == 0
    assert _for_jwt(cli, issuer.token()).exit_code == 254


def test_user_token_on_the_command_line_warns(cli, setup, issuer: Issuer):
    _trust(cli, issuer)
    token = issuer.token()
    result = cli("get-workload-access-token-for-jwt", "--workload-name", "support-agent", "--user-token", token)
    assert result.exit_code == 0
    assert "Warning" in result.stderr and token not in result.stderr


# --- api-key and the Python API ---------------------------------------------------------


def test_api_key_command_prints_the_bare_key_for_scripts(cli, setup):
    result = cli("api-key", "openai")
    assert (result.exit_code, result.stdout) == (0, "sk-openai-1\n")


def test_api_key_command_creates_the_default_workload_on_first_use(cli, setup):
    from agentcore_identity_cli.identity import default_workload_name

    cli("api-key", "openai")
    names = [w["name"] for w in cli("list-workload-identities").json()["workloadIdentities"]]
    assert default_workload_name() in names


def test_api_key_command_acts_as_the_configured_workload(cli, setup):
    result = cli("api-key", "openai", env={"AGENTCORE_IDENTITY_WORKLOAD_NAME": "ghost-agent"})
    assert result.exit_code == 254
    assert "ghost-agent" in result.stderr


def test_python_api_matches_the_sdk_example(cli, setup):
    from agentcore_identity_cli import CredentialProvider

    provider = CredentialProvider("openai")
    try:
        assert provider.get_api_key() == "sk-openai-1"
    finally:
        provider.close()


def test_requires_api_key_decorates_sync_and_async_functions(cli, setup):
    import asyncio

    from agentcore_identity_cli import requires_api_key

    @requires_api_key(provider_name="openai")
    def call(prompt: str, *, api_key: str = "") -> str:
        return f"{prompt}:{api_key}"

    @requires_api_key(provider_name="openai", into="key")
    async def acall(*, key: str = "") -> str:
        return key

    assert call("hi") == "hi:sk-openai-1"
    assert asyncio.run(acall()) == "sk-openai-1"
    assert call.__name__ == "call"


def test_example_agent_runs(cli, home: Path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    cli("create-api-key-credential-provider", "--name", "MyAPICredentialProvider", "--api-key", "-", input="sk-demo")
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "api_key_agent.py")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "sk-demo" not in result.stdout  # the example never prints the key itself
    assert "key of 7 characters" in result.stdout


def test_trust_list_changes_are_audited(cli, issuer: Issuer):
    _trust(cli, issuer)
    cli("trusted-issuer", "remove", "--issuer", issuer.url)
    events = cli("audit", "list", "--output", "json").json()["events"]
    operations = [e["operation"] for e in events]
    assert "AddTrustedIssuer" in operations and "RemoveTrustedIssuer" in operations
    assert all(e["target"].endswith(issuer.url) for e in events if e["operation"].endswith("TrustedIssuer"))


def test_api_key_command_acts_as_the_profile_workload(cli, setup):
    cli("configure", "set", "workload_name", "ghost-agent")
    result = cli("api-key", "openai")
    assert result.exit_code == 254
    assert "ghost-agent" in result.stderr
    cli("configure", "set", "workload_name", "support-agent")
    assert cli("api-key", "openai").stdout == "sk-openai-1\n"
