"""A workload access token whose claims or signature were tampered with gets nothing.

Each test takes a real token from the vault (GetWorkloadAccessToken, -ForUserId, -ForJWT),
edits one claim the verification or the authorization relies on, signs the result every way
someone without the vault's signing key can (the original signature, garbage, none, `alg:
none`, another vault's key with this vault's key id), and presents it to GetResourceApiKey and
GetResourceOauth2Token. Each must be refused by the signature check itself: the assertion is on
its message, so these tests fail if the check is ever skipped, even where a later check (the
issuer, the audience, the workload's ARN) would have refused the token for another reason.
"""
# ruff: noqa: F811 - the fixtures are imported from tests/oauth_server.py

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.jwks_server import Issuer, serve_issuer
from tests.jwt_forgery import ORIGINAL, SIGNATURES, Claims, claims_of, forge
from tests.oauth_server import AuthServer, create_provider, oauth_server  # noqa: F401

API_KEY = "sk-live-never-for-a-forger"
# What the signature check says when the signature does not verify: with this vault's key
# id, or with another key id (a retired key's, or a forger's).
SIGNATURE_REFUSED = (
    "The workload access token is not valid: its signature does not verify with this vault's signing key",
    "The workload access token is not valid: it names a signing key this vault no longer uses",
)
OTHER_AGENT_ARN = (
    "arn:aws:bedrock-agentcore:local:000000000000:workload-identity-directory/default/workload-identity/other-agent"
)


@pytest.fixture
def vault(cli, oauth_server: AuthServer) -> AuthServer:
    """Two workload identities, an API key provider and an OAuth2 provider (client credentials)."""
    for name in ("support-agent", "other-agent"):
        assert cli("create-workload-identity", "--name", name).exit_code == 0
    created = cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input=API_KEY)
    assert created.exit_code == 0, created.stderr
    create_provider(cli, oauth_server)
    return oauth_server


@pytest.fixture
def other_vault_key(tmp_path: Path) -> Iterator[Any]:
    """The token signing key of another vault on this machine."""
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    backend = LocalBackend(tmp_path / "other-vault" / "vault.db")
    try:
        yield backend.signing_key()
    finally:
        backend.close()


def _wat(cli, *args: str, env: dict[str, str] | None = None) -> str:
    result = cli(*args, "--query", "workloadAccessToken", "--output", "text", env=env)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def _workload_token(cli) -> str:
    return _wat(cli, "get-workload-access-token", "--workload-name", "support-agent")


def _user_token(cli) -> str:
    return _wat(cli, "get-workload-access-token-for-user-id", "--workload-name", "support-agent", "--user-id", "bob")


def _expired_token(cli, home: Path) -> str:
    """A token the vault signed an hour ago for a minute (no command issues one in the past)."""
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    _workload_token(cli)  # the signing key exists, made the usual way
    backend = LocalBackend(home / "vault.db")
    try:
        past = int(time.time()) - 3600
        row = backend.store.get("workload", "support-agent")
        return backend.issue_workload_token(row, None, {"iat": past, "nbf": past, "exp": past + 60})
    finally:
        backend.close()


def _api_key(cli, token: str) -> Any:
    return cli(
        "get-resource-api-key",
        "--resource-credential-provider-name",
        "openai",
        "--workload-identity-token",
        "-",
        input=token,
    )


def _oauth2_token(cli, token: str) -> Any:
    return cli(
        "get-resource-oauth2-token",
        "--resource-credential-provider-name",
        "corp",
        "--scopes",
        "read",
        "--oauth2-flow",
        "M2M",
        "--workload-identity-token",
        "-",
        input=token,
    )


OPERATIONS: dict[str, Callable[[Any, str], Any]] = {
    "GetResourceApiKey": _api_key,
    "GetResourceOauth2Token": _oauth2_token,
}


def _refusals(cli, token: str, server: AuthServer, secrets: tuple[str, ...]) -> list[str]:
    """What went wrong when `token` was presented to each operation (empty: refused properly)."""
    problems = []
    for operation, call in OPERATIONS.items():
        tokens_before = server.stats["token:client_credentials"]
        result = call(cli, token)
        expected = f"An error occurred (AccessDeniedException) when calling the {operation} operation: "
        if result.exit_code != 254 or not any(expected + refused in result.stderr for refused in SIGNATURE_REFUSED):
            problems.append(f"{operation}: exit {result.exit_code}, {result.stderr.strip() or result.stdout.strip()}")
        if result.stdout or any(secret in result.stderr for secret in secrets) or token in result.stderr:
            problems.append(f"{operation}: a secret or the token was printed")
        if server.stats["token:client_credentials"] != tokens_before:
            problems.append(f"{operation}: the authorization server was asked for a token")
    return problems


def _check_forgeries(
    cli, server: AuthServer, token: str, edit: Callable[[Claims], None], other_key: Any, *, skip_original: bool
) -> None:
    problems = []
    for how in SIGNATURES:
        if how == ORIGINAL and skip_original:
            continue
        forged = forge(token, edit, how, other_key)
        secrets = (API_KEY, *(t.access_token for t in server.tokens))
        problems += [f"{how}: {problem}" for problem in _refusals(cli, forged, server, secrets)]
    assert not problems, "\n".join(problems)


def _unchanged(claims: Claims) -> None:
    pass


def _set(**values: Any) -> Callable[[Claims], None]:
    def edit(claims: Claims) -> None:
        claims.update(values)

    return edit


def _drop(name: str) -> Callable[[Claims], None]:
    def edit(claims: Claims) -> None:
        del claims[name]

    return edit


def _shift(**seconds: int) -> Callable[[Claims], None]:
    def edit(claims: Claims) -> None:
        for name, delta in seconds.items():
            claims[name] += delta

    return edit


def _also_audience(claims: Claims) -> None:
    claims["aud"] = [claims["aud"], "another-service"]


# name -> (the kind of token forged, the edit). Every claim the verification reads (iss, aud,
# sub, exp, nbf, iat) and every one that decides what the caller may have (workload, user_id,
# jti) is edited at least once.
FORGERIES: dict[str, tuple[str, Callable[[Claims], None]]] = {
    "another-workload": ("workload", _set(sub=OTHER_AGENT_ARN, workload="other-agent")),
    "another-workload-name-only": ("workload", _set(workload="other-agent")),
    "another-user": ("user", _set(user_id="admin")),
    "a-user-added": ("workload", _set(user_id="admin")),
    "the-user-removed": ("user", _drop("user_id")),
    "a-later-exp": ("workload", _shift(exp=24 * 3600)),
    "an-expired-token-given-a-later-exp": ("expired", _shift(exp=2 * 3600)),
    "an-earlier-iat-and-nbf": ("workload", _shift(iat=-600, nbf=-600)),
    "another-audience-added": ("workload", _also_audience),
    "another-issuer": ("workload", _set(iss="urn:agentcore-identity:local:another-vault")),
    "another-jti": ("workload", _set(jti="chosen-by-the-forger")),
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_forged_workload_token_is_refused_by_the_signature_check(
    cli, vault: AuthServer, other_vault_key: Any, home: Path, forgery: str
):
    kind, edit = FORGERIES[forgery]
    token = {"workload": _workload_token, "user": _user_token}.get(kind, lambda c: _expired_token(c, home))(cli)
    _check_forgeries(cli, vault, token, edit, other_vault_key, skip_original=False)


@pytest.mark.parametrize("kind", ["workload", "user"])
def test_unedited_claims_with_any_other_signature_are_refused(cli, vault: AuthServer, other_vault_key: Any, kind: str):
    token = _workload_token(cli) if kind == "workload" else _user_token(cli)
    # The token as issued works: what refuses the others is their signature alone.
    assert _api_key(cli, token).json() == {"apiKey": API_KEY}
    assert _oauth2_token(cli, token).exit_code == 0
    _check_forgeries(cli, vault, token, _unchanged, other_vault_key, skip_original=True)


def test_token_signed_by_another_vault_with_its_own_key_id_is_refused(cli, vault: AuthServer, tmp_path: Path):
    """Another vault's genuine token, naming a workload of the same name, is not this vault's."""
    other = {"AGENTCORE_IDENTITY_HOME": str(tmp_path / "another-home")}
    assert cli("create-workload-identity", "--name", "support-agent", env=other).exit_code == 0
    theirs = _wat(cli, "get-workload-access-token", "--workload-name", "support-agent", env=other)
    assert claims_of(theirs)["sub"] == claims_of(_workload_token(cli))["sub"]  # the same ARN in both vaults
    assert _refusals(cli, theirs, vault, (API_KEY,)) == []


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with serve_issuer() as running:
        yield running


@pytest.mark.parametrize(
    "forgery",
    [
        "another-user",  # the workload acts for someone the issuer never vouched for
        "another-user-issuer",
        "another-users-jwt",  # the jti finds the JWT another user's token was obtained for
    ],
)
def test_forged_token_obtained_for_a_user_jwt_is_refused(
    cli, vault: AuthServer, other_vault_key: Any, issuer: Issuer, forgery: str
):
    trusted = cli("trusted-issuer", "add", "--issuer", issuer.url, "--audiences", "agent-api")
    assert trusted.exit_code == 0, trusted.stderr

    def for_jwt(user: str) -> str:
        return _wat(
            cli,
            "get-workload-access-token-for-jwt",
            "--workload-name",
            "support-agent",
            "--user-token",
            issuer.token(sub=user),
        )

    alice, bob = for_jwt("alice"), for_jwt("bob")
    edits = {
        "another-user": _set(user_id="bob"),
        "another-user-issuer": _set(user_iss="https://idp.example.com"),
        "another-users-jwt": _set(jti=claims_of(bob)["jti"]),
    }
    _check_forgeries(cli, vault, alice, edits[forgery], other_vault_key, skip_original=False)
