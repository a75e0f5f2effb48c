"""The payment credentials we compute, checked against the vendors' own published libraries.

- Coinbase CDP: cdp-sdk's `cdp.auth.utils.jwt` (generate_jwt, generate_wallet_jwt) makes the
  same JWTs from the same inputs; ours must carry the same header and claims (less the
  random nonce/jti and the clock) and verify with the key's public half under PyJWT, the
  JWT library cdp-sdk itself uses.
- Stripe/Privy: privy-client's `privy.lib.authorization` formats the signature payload and
  signs it; ours must sign the very bytes it formats, its signature must verify over the
  payload we build, and its client must send the basic auth header we compute.

The vendor libraries come with the `test` extra; without them those tests are skipped
and the checks with the public keys alone still run.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from agentcore_identity_cli.backends.local import payment_tokens as tokens
from agentcore_identity_cli.errors import ServiceError
from tests.payment_support import keys

PATH = "/platform/v2/evm/accounts"
BODY = '{"name": "treasury", "accountPolicy": {"z": 1, "a": [3, {"y": true, "b": null}]}}'
PRIVY_PATH = "/v1/wallets/wallet-1/rpc"
PRIVY_BODY = (
    '{"method": "personal_sign", "params": {"message": "hello", "encoding": "utf-8"}, "chain_type": "ethereum"}'
)


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    head, payload, _ = token.split(".")
    pad = lambda part: part + "=" * (-len(part) % 4)  # noqa: E731
    return json.loads(base64.urlsafe_b64decode(pad(head))), json.loads(base64.urlsafe_b64decode(pad(payload)))


def _cdp() -> Any:
    return pytest.importorskip("cdp.auth.utils.jwt", reason="cdp-sdk is in the test extra")


def _pyjwt() -> Any:
    return pytest.importorskip("jwt", reason="PyJWT comes with cdp-sdk")


def _privy() -> Any:
    return pytest.importorskip("privy.lib.authorization", reason="privy-client is in the test extra")


# --- Coinbase CDP: the bearer JWT -------------------------------------------------------


@pytest.mark.parametrize("form", ["ec-pem", "ed25519-base64"])
def test_cdp_bearer_token_matches_cdp_sdks_jwt_and_verifies_with_the_public_key(form: str):
    cdp, pyjwt = _cdp(), _pyjwt()
    k = keys()
    secret, public, alg = (
        (k.cdp_pem, k.cdp_pem_public, "ES256") if form == "ec-pem" else (k.cdp_ed25519, k.cdp_ed25519_public, "EdDSA")
    )
    ours = tokens.cdp_bearer_token("key-1", secret, "GET", tokens.CDP_HOST, PATH)
    theirs = cdp.generate_jwt(
        cdp.JwtOptions(
            api_key_id="key-1",
            api_key_secret=secret,
            request_method="GET",
            request_host=tokens.CDP_HOST,
            request_path=PATH,
        )
    )
    our_header, our_claims = _unverified(ours)
    their_header, their_claims = _unverified(theirs)
    assert our_header.pop("nonce").isdigit() and len(their_header.pop("nonce")) == 16
    assert our_header == their_header == {"alg": alg, "kid": "key-1", "typ": "JWT"}
    assert their_claims.pop("aud") is None  # cdp-sdk writes a null audience; we leave it out
    for claims in (our_claims, their_claims):
        assert claims.pop("exp") - claims.pop("nbf") == 120
    assert our_claims == their_claims == {"sub": "key-1", "iss": "cdp", "uris": [f"GET {tokens.CDP_HOST}{PATH}"]}
    decoded = pyjwt.decode(ours, public, algorithms=[alg])
    assert abs(decoded["nbf"] - time.time()) < 30


def test_cdp_bearer_uri_leaves_out_the_query_string_as_cdp_sdk_does():
    cdp = _cdp()
    k = keys()
    path = "/platform/v2/evm/accounts?pageSize=10&pageToken=abc"
    ours = tokens.cdp_bearer_token("key-1", k.cdp_pem, "GET", "api.example.com", path)
    theirs = cdp.generate_jwt(
        cdp.JwtOptions(
            api_key_id="key-1",
            api_key_secret=k.cdp_pem,
            request_method="GET",
            request_host="api.example.com",
            request_path=path,
        )
    )
    assert _unverified(ours)[1]["uris"] == _unverified(theirs)[1]["uris"] == ["GET api.example.com" + PATH]


def test_cdp_bearer_token_signature_does_not_verify_with_another_key():
    pyjwt = _pyjwt()
    ours = tokens.cdp_bearer_token("key-1", keys().cdp_pem, "GET", tokens.CDP_HOST, PATH)
    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.decode(ours, ec.generate_private_key(ec.SECP256R1()).public_key(), algorithms=["ES256"])


# --- Coinbase CDP: the wallet auth JWT --------------------------------------------------


@pytest.mark.parametrize("body", [BODY, None, "{}"], ids=["body", "no-body", "empty-object"])
def test_cdp_wallet_token_matches_cdp_sdks_wallet_jwt(body: str | None):
    cdp, pyjwt = _cdp(), _pyjwt()
    k = keys()
    ours = tokens.cdp_wallet_token(k.wallet_secret, "POST", tokens.CDP_HOST, PATH, body)
    theirs = cdp.generate_wallet_jwt(
        cdp.WalletJwtOptions(
            wallet_auth_key=k.wallet_secret,
            request_method="POST",
            request_host=tokens.CDP_HOST,
            request_path=PATH,
            request_data=json.loads(body) if body else {},
        )
    )
    our_header, our_claims = _unverified(ours)
    their_header, their_claims = _unverified(theirs)
    assert our_header == their_header == {"alg": "ES256", "typ": "JWT"}
    for claims in (our_claims, their_claims):
        assert claims.pop("iat") == claims.pop("nbf")
        assert len(claims.pop("jti")) == 36  # a UUID
    assert our_claims == their_claims
    assert ("reqHash" in our_claims) is (body == BODY)
    pyjwt.decode(ours, k.wallet_public, algorithms=["ES256"])


def test_cdp_request_hash_is_sha256_of_the_sorted_compact_body():
    expected = hashlib.sha256(json.dumps(json.loads(BODY), sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    assert tokens.cdp_request_hash(BODY) == expected
    assert tokens.cdp_request_hash('{"b": 1, "a": 2}') == tokens.cdp_request_hash('{"a":2,"b":1}')


@pytest.mark.parametrize("body", ["[1, 2]", "not json"])
def test_cdp_wallet_body_must_be_a_json_object(body: str):
    with pytest.raises(ServiceError) as caught:
        tokens.cdp_wallet_token(keys().wallet_secret, "POST", tokens.CDP_HOST, PATH, body)
    assert caught.value.code == "ValidationException"


# --- Stripe / Privy ---------------------------------------------------------------------


def test_privy_basic_auth_is_the_header_privy_client_sends():
    pytest.importorskip("privy", reason="privy-client is in the test extra")
    from privy import PrivyAPI

    client = PrivyAPI(app_id="app-1", app_secret="s3cret")
    try:
        assert client.auth_headers["Authorization"] == "Basic " + tokens.privy_basic_auth("app-1", "s3cret")
    finally:
        client.close()


def test_privy_signature_covers_the_payload_privy_client_formats():
    privy = _privy()
    k = keys()
    signed = tokens.privy_authorization("app-1", k.privy_key, tokens.PRIVY_HOST, PRIVY_PATH, PRIVY_BODY)
    theirs = privy.format_request_for_authorization_signature(
        privy.WalletAPIRequestSignatureInput(
            method="POST",
            url=f"https://{tokens.PRIVY_HOST}{PRIVY_PATH}",
            body=json.loads(PRIVY_BODY),
            headers={"privy-app-id": "app-1", "privy-request-expiry": str(signed.request_expiry)},
        )
    )
    ours = tokens.privy_signature_payload(
        "app-1", "POST", f"https://{tokens.PRIVY_HOST}{PRIVY_PATH}", PRIVY_BODY, signed.request_expiry
    )
    assert ours == theirs
    # Our signature verifies over their bytes with the public half of the authorization key.
    k.privy_public.verify(base64.b64decode(signed.signature), theirs, ec.ECDSA(hashes.SHA256()))
    # And theirs, made with the same key, verifies over ours.
    their_signature = privy.generate_authorization_signature(k.privy_key.removeprefix("wallet-auth:"), ours)
    k.privy_public.verify(base64.b64decode(their_signature), ours, ec.ECDSA(hashes.SHA256()))


def test_privy_request_expiry_is_privy_clients_default_window_and_header():
    privy = _privy()
    before = time.time_ns() // 1_000_000
    signed = tokens.privy_authorization("app-1", keys().privy_key, tokens.PRIVY_HOST, PRIVY_PATH, PRIVY_BODY)
    after = time.time_ns() // 1_000_000
    from privy.lib.request_expiry import DEFAULT_REQUEST_EXPIRY_MS

    assert before + DEFAULT_REQUEST_EXPIRY_MS <= signed.request_expiry <= after + DEFAULT_REQUEST_EXPIRY_MS
    prepared = privy.prepare_request(
        app_id="app-1",
        method="POST",
        url=f"https://{tokens.PRIVY_HOST}{PRIVY_PATH}",
        body=json.loads(PRIVY_BODY),
        request_expiry=signed.request_expiry,
    )
    assert prepared.headers["privy-request-expiry"] == str(signed.request_expiry)


def test_privy_empty_body_is_signed_as_privy_client_signs_it():
    privy = _privy()
    url = f"https://{tokens.PRIVY_HOST}/v1/wallets/w-1"
    headers = {"privy-app-id": "app-1", "privy-request-expiry": "1"}
    theirs = privy.format_request_for_authorization_signature(
        privy.WalletAPIRequestSignatureInput(method="POST", url=url, body={}, headers=headers)
    )
    assert tokens.privy_signature_payload("app-1", "POST", url, "{}", 1) == theirs


def test_privy_signature_fails_for_another_request():
    k = keys()
    signed = tokens.privy_authorization("app-1", k.privy_key, tokens.PRIVY_HOST, PRIVY_PATH, PRIVY_BODY, now_ms=0)
    other = tokens.privy_signature_payload(
        "app-1", "POST", f"https://{tokens.PRIVY_HOST}{PRIVY_PATH}", '{"method": "other"}', signed.request_expiry
    )
    with pytest.raises(InvalidSignature):
        k.privy_public.verify(base64.b64decode(signed.signature), other, ec.ECDSA(hashes.SHA256()))


# --- keys the vendors would not accept ---------------------------------------------------


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (tokens.check_cdp_api_key, "not-a-key"),
        (tokens.check_cdp_api_key, base64.b64encode(b"x" * 32).decode()),
        (tokens.check_cdp_wallet_secret, "bm90IGEga2V5"),
        (tokens.check_privy_key, "wallet-auth:bm90IGEga2V5"),
    ],
)
def test_a_malformed_key_is_a_validation_error_that_does_not_repeat_it(check: Any, value: str):
    with pytest.raises(ServiceError) as caught:
        check(value)
    assert caught.value.code == "ValidationException"
    assert value not in str(caught.value)


def test_a_cdp_key_on_another_curve_is_refused():
    from cryptography.hazmat.primitives import serialization

    pem = (
        ec.generate_private_key(ec.SECP384R1())
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
        .decode()
    )
    with pytest.raises(ServiceError, match="P-256"):
        tokens.check_cdp_api_key(pem)
