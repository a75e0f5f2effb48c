"""Workload access tokens: every check of their verification, and every claim of their issue.

A forger cannot sign (tests/test_signature_checks.py). These tests sign with the vault's own
key, as only the vault can, claims the vault never issues, so that each later check (key id,
issuer, audience, subject, expiry, the workload's existence) is the one that refuses, named by
its message. The clock is frozen where a boundary is checked to the second.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentcore_identity_cli.errors import ServiceError
from tests.audit_support import WORKLOAD_ARN, events

API_KEY = "sk-only-for-valid-tokens"
ISSUER_PREFIX = "urn:agentcore-identity:local:"
AUDIENCE = "agentcore-identity:token-vault"
DENIED = "An error occurred (AccessDeniedException) when calling the GetResourceApiKey operation: "


@pytest.fixture
def vault(cli, home: Path) -> Path:
    """Two workload identities and an API key provider; the signing key made the usual way."""
    for name in ("support-agent", "other-agent"):
        assert cli("create-workload-identity", "--name", name).exit_code == 0
    created = cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input=API_KEY)
    assert created.exit_code == 0, created.stderr
    assert cli("get-workload-access-token", "--workload-name", "support-agent").exit_code == 0
    return home / "vault.db"


@pytest.fixture
def backend(vault: Path) -> Iterator[Any]:
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    opened = LocalBackend(vault)
    try:
        yield opened
    finally:
        opened.close()


def _vault_id(vault: Path) -> str:
    db = sqlite3.connect(vault)
    try:
        return str(db.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()[0])
    finally:
        db.close()


def _part(token: str, index: int) -> dict[str, Any]:
    text = token.split(".")[index]
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    return value


def _claims(vault: Path, **changes: Any) -> dict[str, Any]:
    """The claims the vault issues for support-agent now, with `changes` (None removes a claim)."""
    now = int(time.time())
    claims = {
        "iss": ISSUER_PREFIX + _vault_id(vault),
        "aud": AUDIENCE,
        "sub": WORKLOAD_ARN + "support-agent",
        "workload": "support-agent",
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "jti": "a-token-signed-by-the-vault",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def _signed(backend: Any, claims: dict[str, Any], **header: Any) -> str:
    """`claims` signed with the vault's own signing key (its key id in the header unless told)."""
    from joserfc import jwt

    key = backend.signing_key()
    fields = {"alg": "ES256", "typ": "JWT", "kid": key.thumbprint(), **header}
    return str(jwt.encode({k: v for k, v in fields.items() if v is not None}, claims, key, algorithms=["ES256"]))


def _api_key(cli, token: str) -> Any:
    return cli(
        "get-resource-api-key",
        "--resource-credential-provider-name",
        "openai",
        "--workload-identity-token",
        "-",
        input=token,
    )


def _refused(cli, token: str, message: str) -> None:
    result = _api_key(cli, token)
    assert result.exit_code == 254, result.stderr
    assert result.stdout == ""
    assert DENIED + message in result.stderr, result.stderr
    assert API_KEY not in result.stderr


def test_a_token_signed_with_the_vaults_key_and_its_claims_is_accepted(cli, backend: Any, vault: Path):
    assert _api_key(cli, _signed(backend, _claims(vault))).json() == {"apiKey": API_KEY}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"aud": "another-service"}, "The workload access token is not valid (invalid_claim)."),
        ({"aud": None}, "The workload access token is not valid (missing_claim)."),
        ({"iss": ISSUER_PREFIX + "another-vault"}, "The workload access token is not valid (invalid_claim)."),
        ({"iss": None}, "The workload access token is not valid (missing_claim)."),
        ({"sub": None}, "The workload access token is not valid (missing_claim)."),
        ({"exp": None}, "The workload access token is not valid (missing_claim)."),
        ({"exp": -60}, "The workload access token has expired."),
        ({"nbf": +600}, "The workload access token is not valid (invalid_claim)."),
    ],
    ids=[
        "another-audience",
        "no-audience",
        "another-issuer",
        "no-issuer",
        "no-subject",
        "no-expiry",
        "expired",
        "not-yet-valid",
    ],
)
def test_a_token_signed_by_the_vault_with_a_claim_it_never_issues_is_refused(
    cli, backend: Any, vault: Path, changes: dict[str, Any], message: str
):
    now = int(time.time())  # times are given from now, when the test runs
    changes = {k: now + v if k in ("exp", "nbf") and v is not None else v for k, v in changes.items()}
    _refused(cli, _signed(backend, _claims(vault, **changes)), message)


@pytest.mark.parametrize("kid", [None, "another-key-id"], ids=["no-key-id", "another-key-id"])
def test_a_good_signature_under_another_key_id_is_refused(cli, backend: Any, vault: Path, kid: str | None):
    _refused(cli, _signed(backend, _claims(vault), kid=kid), "The workload access token was signed with a retired key.")


def test_a_token_whose_subject_is_another_workload_is_refused(cli, backend: Any, vault: Path):
    token = _signed(backend, _claims(vault, sub=WORKLOAD_ARN + "other-agent"))
    _refused(cli, token, "The workload identity of this token no longer exists.")


def test_a_token_naming_no_workload_is_refused_even_with_a_workload_called_none(cli, backend: Any, vault: Path):
    """A missing `workload` claim names no workload at all, not one that happens to be called "None"."""
    assert cli("create-workload-identity", "--name", "None").exit_code == 0
    token = _signed(backend, _claims(vault, workload=None, sub=WORKLOAD_ARN + "None"))
    _refused(cli, token, "The workload identity of this token no longer exists.")


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set the clock (time.time, which the signing and the JWT checks read) to a given second."""

    def at(second: int) -> None:
        monkeypatch.setattr(time, "time", lambda: float(second))

    return at


def test_expiry_allows_five_seconds_of_clock_skew_and_no_more(cli, backend: Any, vault: Path, frozen: Any):
    issued = int(time.time())
    token = _signed(backend, _claims(vault, iat=issued, nbf=issued, exp=issued + 60))
    frozen(issued + 60 + 4)
    assert _api_key(cli, token).json() == {"apiKey": API_KEY}
    frozen(issued + 60 + 5)
    _refused(cli, token, "The workload access token has expired.")


def test_not_before_allows_five_seconds_of_clock_skew_and_no_more(cli, backend: Any, vault: Path, frozen: Any):
    now = int(time.time())
    frozen(now)
    assert _api_key(cli, _signed(backend, _claims(vault, nbf=now + 5))).json() == {"apiKey": API_KEY}
    _refused(
        cli, _signed(backend, _claims(vault, nbf=now + 6)), "The workload access token is not valid (invalid_claim)."
    )


def test_every_claim_and_header_member_of_an_issued_token(cli, backend: Any, vault: Path, frozen: Any):
    now = int(time.time())
    frozen(now)
    first = _token(cli, "get-workload-access-token", "--workload-name", "support-agent")
    second = _token(
        cli, "get-workload-access-token-for-user-id", "--workload-name", "support-agent", "--user-id", "bob"
    )
    assert _part(first, 0) == {"alg": "ES256", "typ": "JWT", "kid": backend.signing_key().thumbprint()}
    claims = _part(first, 1)
    jti = claims.pop("jti")
    assert claims == {
        "iss": ISSUER_PREFIX + _vault_id(vault),
        "aud": AUDIENCE,
        "sub": WORKLOAD_ARN + "support-agent",
        "workload": "support-agent",
        "iat": now,
        "nbf": now,
        "exp": now + 15 * 60,
    }
    user_claims = _part(second, 1)
    assert user_claims["user_id"] == "bob"
    assert len(jti) >= 20 and user_claims["jti"] != jti  # random, one per token


def _token(cli, *args: str, env: dict[str, str] | None = None) -> str:
    result = cli(*args, "--query", "workloadAccessToken", "--output", "text", env=env)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("seconds", ["10", "43200"])
def test_the_shortest_and_longest_lifetimes_are_accepted(cli, vault: Path, seconds: str):
    env = {"AGENTCORE_IDENTITY_WORKLOAD_TOKEN_TTL": seconds}
    claims = _part(_token(cli, "get-workload-access-token", "--workload-name", "support-agent", env=env), 1)
    assert claims["exp"] - claims["iat"] == int(seconds)


@pytest.mark.parametrize(
    ("seconds", "message"),
    [
        ("9", "AGENTCORE_IDENTITY_WORKLOAD_TOKEN_TTL must be between 10 and 43200 seconds"),
        ("43201", "AGENTCORE_IDENTITY_WORKLOAD_TOKEN_TTL must be between 10 and 43200 seconds"),
        ("15m", "AGENTCORE_IDENTITY_WORKLOAD_TOKEN_TTL must be a whole number of seconds, not '15m'."),
    ],
)
def test_a_lifetime_out_of_bounds_is_a_configuration_error_naming_the_bounds(
    cli, vault: Path, seconds: str, message: str
):
    env = {"AGENTCORE_IDENTITY_WORKLOAD_TOKEN_TTL": seconds}
    result = cli("get-workload-access-token", "--workload-name", "support-agent", env=env)
    assert result.exit_code == 253
    assert message in result.stderr


def test_the_audit_event_of_a_secret_read_names_the_tokens_workload_and_user(cli, vault: Path):
    token = _token(cli, "get-workload-access-token-for-user-id", "--workload-name", "support-agent", "--user-id", "bob")
    assert _api_key(cli, token).json() == {"apiKey": API_KEY}
    event = events(vault)[-1]
    assert (event["operation"], event["workload"], event["user_id"]) == ("GetResourceApiKey", "support-agent", "bob")


def test_the_signing_key_is_sealed_under_the_vault_key_bound_to_its_record(cli, vault: Path, backend: Any):
    """The on-disk form every version must read: AES-256-GCM under the vault key, format byte 1,
    12-byte nonce, associated data naming the vault and the signing key's record."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from joserfc.jwk import ECKey

    db = sqlite3.connect(vault)
    try:
        sealed = bytes.fromhex(db.execute("SELECT value FROM meta WHERE key = 'signing_key'").fetchone()[0])
    finally:
        db.close()
    aad = "\x1f".join(("agentcore-identity/v1", _vault_id(vault), "vault", "signing-key", "privateKey")).encode()
    assert sealed[:1] == b"\x01"
    pem = AESGCM(backend.keys.key()).decrypt(sealed[1:13], sealed[13:], aad)
    key = ECKey.import_key(pem)
    assert key.as_dict(private=True)["crv"] == "P-256"
    assert key.thumbprint() == backend.signing_key().thumbprint()


def test_a_tampered_signing_key_is_a_decryption_failure(cli, vault: Path):
    db = sqlite3.connect(vault, isolation_level=None)
    try:
        sealed = bytearray.fromhex(db.execute("SELECT value FROM meta WHERE key = 'signing_key'").fetchone()[0])
        sealed[-1] ^= 1
        db.execute("UPDATE meta SET value = ? WHERE key = 'signing_key'", (sealed.hex(),))
    finally:
        db.close()
    result = cli("get-workload-access-token", "--workload-name", "support-agent")
    assert result.exit_code == 254
    assert (
        "An error occurred (DecryptionFailure) when calling the GetWorkloadAccessToken operation: "
        "The vault's token signing key failed authentication.\n"
    ) in result.stderr


def _forged(header: dict[str, Any], claims: dict[str, Any]) -> str:
    """Header and claims with a signature that verifies with no key."""

    def part(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}.c2lnbmF0dXJlLXRoYXQtdmVyaWZpZXMtbm90aGluZw"


RETIRED = "The workload access token is not valid: it names a signing key this vault no longer uses"
NOT_VERIFIED = "The workload access token is not valid: its signature does not verify with this vault's signing key"


def test_a_token_of_a_retired_signing_key_is_told_apart_from_a_forgery(cli, backend: Any, vault: Path):
    """The SDK asks for a new token when, and only when, the refusal is a RetiredTokenError."""
    from agentcore_identity_cli.errors import RetiredTokenError

    issued = _token(cli, "get-workload-access-token", "--workload-name", "support-agent")
    assert cli("reset-token-vault-key-material", "--token-vault-id", "default").exit_code == 0
    with pytest.raises(RetiredTokenError) as retired:
        backend.verify_workload_token(issued)
    assert retired.value.message.startswith(RETIRED)
    current = backend.signing_key().thumbprint()
    claims = _claims(vault)
    for header in ({"alg": "ES256"}, {"alg": "ES256", "kid": current}, {"alg": "ES256", "kid": 5}, ["ES256"]):
        with pytest.raises(ServiceError) as refused:
            backend.verify_workload_token(_forged(header, claims))
        assert type(refused.value) is ServiceError, header
        assert refused.value.message.startswith(NOT_VERIFIED), header


@pytest.mark.parametrize("extra", range(20))
def test_the_key_id_of_a_header_of_any_length_is_read(backend: Any, vault: Path, extra: int):
    """The unverified header is read however long it is (base64url without padding)."""
    from agentcore_identity_cli.errors import RetiredTokenError

    header = {"alg": "ES256", "kid": "a-key-this-vault-retired", "x": "p" * extra}
    with pytest.raises(RetiredTokenError):
        backend.verify_workload_token(_forged(header, _claims(vault)))


@pytest.mark.parametrize("seconds", ["9", "15m"])
def test_a_lifetime_out_of_bounds_says_how_to_set_it(cli, vault: Path, seconds: str):
    env = {"AGENTCORE_IDENTITY_WORKLOAD_TOKEN_TTL": seconds}
    result = cli("get-workload-access-token", "--workload-name", "support-agent", env=env)
    hint = (
        "set AGENTCORE_IDENTITY_WORKLOAD_TOKEN_TTL to a number of seconds from 10 to 43200, or unset it for 15 minutes"
    )
    assert hint in result.stderr
