"""A user JWT with forged claims, a foreign signature or a confused algorithm proves no one.

The user's JWT reaches the vault by three doors: GetWorkloadAccessTokenForJWT, the userToken
of CompleteResourceTokenAuth, and `token --user-token` (the exchange on the user's behalf).
Each test starts from a token a real issuer on loopback signed (tests/jwks_server.py), edits
what the verification reads (iss, aud, client_id, sub, exp, nbf), signs the result every way
someone without the issuer's private key can, and checks that each door refuses it with the
message of the check that should refuse it. The signature check's message is asserted where
only the signature is wrong, so these tests fail if that check is ever skipped, even where a
later check would have caught the token anyway.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from joserfc.jwk import RSAKey

from tests.jwks_server import Issuer, serve_issuer
from tests.jwt_forgery import (
    ALG_NONE,
    ALG_NONE_SIGNED,
    NO_SIGNATURE,
    NON_EMPTY_SIGNATURES,
    ORIGINAL,
    Claims,
    forge,
    hmac_signed,
    parts,
    signed_with,
    with_signature,
)

SIGNATURE_REFUSED = "The user token's signature does not verify with the issuer's keys."
UNSIGNED_REFUSED = "The user token is unsigned (alg 'none'); it is refused."
SESSION_URI = "urn:ietf:params:oauth:request_uri:no-such-session"


@pytest.fixture
def issuers(cli) -> Iterator[tuple[Issuer, Issuer]]:
    """Two trusted issuers (tokens for `agent-api`, or from the client `web-app`) and a workload."""
    with serve_issuer() as first, serve_issuer() as second:
        for issuer in (first, second):
            added = cli(
                "trusted-issuer", "add", "--issuer", issuer.url, "--audiences", "agent-api",
                "--allowed-clients", "web-app",
            )  # fmt: skip
            assert added.exit_code == 0, added.stderr
        assert cli("create-workload-identity", "--name", "support-agent").exit_code == 0
        yield first, second


@pytest.fixture
def attacker_key() -> RSAKey:
    """A key of the forger's own, never published by any trusted issuer."""
    return RSAKey.generate_key(2048, auto_kid=True)


def _for_jwt(cli, token: str) -> Any:
    return cli(
        "get-workload-access-token-for-jwt", "--workload-name", "support-agent", "--user-token", "-", input=token
    )


def _complete(cli, token: str, tmp_path: Path) -> Any:
    identifier = tmp_path / "user-identifier.json"
    identifier.write_text(json.dumps({"userToken": token}))
    return cli(
        "complete-resource-token-auth", "--session-uri", SESSION_URI, "--user-identifier", f"file://{identifier}"
    )


def _exchange(cli, token: str, tmp_path: Path) -> Any:
    return cli("token", "corp", "--user-token", "-", input=token)


# door -> (how a token is presented, what its refusals start with)
DOORS: dict[str, tuple[Callable[[Any, str, Path], Any], str]] = {
    "GetWorkloadAccessTokenForJWT": (
        lambda cli, token, _: _for_jwt(cli, token),
        "An error occurred (AccessDeniedException) when calling the GetWorkloadAccessTokenForJWT operation: ",
    ),
    "CompleteResourceTokenAuth": (
        _complete,
        "An error occurred (AccessDeniedException) when calling the CompleteResourceTokenAuth operation: ",
    ),
    "token --user-token": (_exchange, "An error occurred (AccessDeniedException): "),
}


def _refusals(cli, token: str, message: str, tmp_path: Path, doors: tuple[str, ...] = tuple(DOORS)) -> list[str]:
    """What went wrong when `token` was presented at each door (empty: refused with `message`)."""
    problems = []
    for door in doors:
        present, prefix = DOORS[door]
        result = present(cli, token, tmp_path)
        if result.exit_code != 254 or prefix + message not in result.stderr:
            problems.append(f"{door}: exit {result.exit_code}, {result.stderr.strip() or result.stdout.strip()}")
        if result.stdout or any(len(part) > 16 and part in result.stderr for part in token.split(".")):
            problems.append(f"{door}: printed something, or the token")
    return problems


def _nothing_kept(home: Path) -> None:
    """No user JWT was kept for an exchange: no workload access token was issued for one."""
    with sqlite3.connect(home / "vault.db") as db:
        assert db.execute("SELECT COUNT(*) FROM secrets WHERE field LIKE 'subjectToken:%'").fetchone()[0] == 0


def _set(**values: Any) -> Callable[[Claims], None]:
    def edit(claims: Claims) -> None:
        claims.update(values)

    return edit


def _keep(_: Any) -> None:
    pass


# A forgery: from the two issuers, a genuine token, the edit of its claims and of its header.
Forgery = tuple[str, Callable[[Claims], None], Callable[[dict[str, Any]], None]]


def _forgery(name: str, first: Issuer, second: Issuer) -> Forgery:
    """Each genuine token is refused as it is (wrong audience or client, expired, not yet
    valid) or names someone else: the edit makes it look acceptable."""
    now = int(time.time())
    if name == "sub":
        return first.token(sub="mallory"), _set(sub="alice"), _keep
    if name == "aud":
        return first.token(aud="another-api"), _set(aud="agent-api"), _keep
    if name == "client_id":
        return first.token(aud=None, client_id="other-app"), _set(client_id="web-app"), _keep
    if name == "exp":
        return first.token(iat=now - 7200, exp=now - 3600), _set(exp=now + 3600), _keep
    if name == "nbf":
        return first.token(nbf=now + 3600), _set(nbf=now - 60), _keep
    if name == "iss":  # the second issuer's token, relabelled as the first's and naming the first's key
        return second.token(), _set(iss=first.url), lambda header: header.update(kid=first.keys[0].kid)
    assert name == "unchanged"
    return first.token(), _keep, _keep


@pytest.mark.parametrize("forgery", ["sub", "aud", "client_id", "exp", "nbf", "iss", "unchanged"])
def test_forged_user_jwt_is_refused_by_the_signature_check(
    cli, issuers: tuple[Issuer, Issuer], attacker_key: RSAKey, home: Path, tmp_path: Path, forgery: str
):
    token, edit, header_edit = _forgery(forgery, *issuers)
    problems = []
    for how in NON_EMPTY_SIGNATURES:
        if how == ORIGINAL and forgery == "unchanged":
            assert _for_jwt(cli, token).exit_code == 0  # the genuine token is accepted
            continue
        forged = forge(token, edit, how, attacker_key, header_edit=header_edit)
        message = UNSIGNED_REFUSED if how == ALG_NONE_SIGNED else SIGNATURE_REFUSED
        problems += [f"{how}: {problem}" for problem in _refusals(cli, forged, message, tmp_path)]
    assert not problems, "\n".join(problems)
    if forgery != "unchanged":
        _nothing_kept(home)


@pytest.mark.parametrize("how", [NO_SIGNATURE, ALG_NONE])
def test_a_user_jwt_without_a_signature_is_refused(
    cli, issuers: tuple[Issuer, Issuer], home: Path, tmp_path: Path, how: str
):
    first, _ = issuers
    forged = forge(first.token(sub="mallory"), _set(sub="alice"), how, None)
    # The API's pattern wants three non-empty parts: the service's doors refuse its form first
    # (a ValidationException naming userToken), before any check of the vault...
    for door in ("GetWorkloadAccessTokenForJWT", "CompleteResourceTokenAuth"):
        result = DOORS[door][0](cli, forged, tmp_path)
        assert result.exit_code == 254, result.stderr
        assert "(ValidationException)" in result.stderr and "userToken must be a JWT" in result.stderr
        assert "AccessDeniedException" not in result.stderr
    # ...and `token` (no API in between) has the vault's checks refuse it.
    message = UNSIGNED_REFUSED if how == ALG_NONE else SIGNATURE_REFUSED
    assert _refusals(cli, forged, message, tmp_path, ("token --user-token",)) == []
    _nothing_kept(home)


@pytest.mark.parametrize("spelling", ["none", "None", "NONE", "nOnE"])
def test_alg_none_in_any_spelling_is_refused(cli, issuers: tuple[Issuer, Issuer], tmp_path: Path, spelling: str):
    first, _ = issuers
    header, claims, signature = parts(first.token())
    forged = with_signature({**header, "alg": spelling}, claims, signature)
    assert _refusals(cli, forged, UNSIGNED_REFUSED, tmp_path) == []


@pytest.mark.parametrize("key_index", [0, 1], ids=["rsa-public-key", "ec-public-key"])
@pytest.mark.parametrize("form", ["pem", "jwk"])
def test_hs256_keyed_with_the_issuers_public_key_is_refused(
    cli, issuers: tuple[Issuer, Issuer], home: Path, tmp_path: Path, key_index: int, form: str
):
    """Algorithm confusion: the public key, which anyone can fetch, used as an HMAC secret."""
    first, _ = issuers
    key = first.keys[key_index]
    secret = key.as_pem(private=False) if form == "pem" else json.dumps(key.as_dict(private=False)).encode()
    header, claims, _ = parts(first.token(sub="mallory"))
    forged = hmac_signed(secret, header, {**claims, "sub": "alice"})
    assert _refusals(cli, forged, "The user token's algorithm HS256 is not accepted.", tmp_path) == []
    _nothing_kept(home)


def test_a_key_id_not_in_the_jwks_is_refused_after_one_refetch(
    cli, issuers: tuple[Issuer, Issuer], attacker_key: RSAKey, tmp_path: Path
):
    first, _ = issuers
    assert _for_jwt(cli, first.token()).exit_code == 0  # the JWKS is cached
    fetches = first.jwks_fetches
    header, claims, _ = parts(first.token())
    forged = signed_with(attacker_key, {**header, "kid": attacker_key.kid}, {**claims, "sub": "admin"})
    message = f"The user token's key id {attacker_key.kid!r} is not in the issuer's JWKS."
    assert _refusals(cli, forged, message, tmp_path) == []
    assert first.jwks_fetches == fetches + len(DOORS)  # one refetch per token presented, no more


def test_a_token_without_a_key_id_signed_by_another_key_is_refused(
    cli, issuers: tuple[Issuer, Issuer], attacker_key: RSAKey, tmp_path: Path
):
    first, _ = issuers
    header, claims, _ = parts(first.token())
    forged = signed_with(attacker_key, {"alg": header["alg"]}, {**claims, "sub": "admin"})
    assert _refusals(cli, forged, SIGNATURE_REFUSED, tmp_path) == []
