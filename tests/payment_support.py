"""Keys in the vendors' formats and payment providers made through the CLI, for the payment tests.

Every key is generated for the test run: CDP API key secrets as an EC P-256 PEM or as
base64 of an Ed25519 seed and public key (CDP's two forms), CDP wallet secrets and Privy
authorization keys as base64 DER PKCS#8 P-256 (Privy's with its `wallet-auth:` prefix).
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

APP_SECRET = "privy-app-s3cret-value"


@dataclass(frozen=True)
class Keys:
    """One set of payment secrets and the public keys that verify what they sign."""

    cdp_pem: str
    cdp_pem_public: ec.EllipticCurvePublicKey
    cdp_ed25519: str
    cdp_ed25519_public: ed25519.Ed25519PublicKey
    wallet_secret: str
    wallet_public: ec.EllipticCurvePublicKey
    privy_key: str
    privy_public: ec.EllipticCurvePublicKey


def _pkcs8_b64(key: ec.EllipticCurvePrivateKey) -> str:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return base64.b64encode(der).decode()


@cache
def keys() -> Keys:
    """Fresh keys, made once per test run."""
    api = ec.generate_private_key(ec.SECP256R1())
    pem = api.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()
    edwards = ed25519.Ed25519PrivateKey.generate()
    ed_b64 = base64.b64encode(edwards.private_bytes_raw() + edwards.public_key().public_bytes_raw()).decode()
    wallet = ec.generate_private_key(ec.SECP256R1())
    privy = ec.generate_private_key(ec.SECP256R1())
    return Keys(
        pem,
        api.public_key(),
        ed_b64,
        edwards.public_key(),
        _pkcs8_b64(wallet),
        wallet.public_key(),
        "wallet-auth:" + _pkcs8_b64(privy),
        privy.public_key(),
    )


def secret_file(name: str, value: str) -> str:
    """A file:// reference to a 0600 file holding `value`, beside the test's home folder."""
    folder = Path(os.environ["AGENTCORE_IDENTITY_HOME"]).parent / "secrets"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / name
    path.write_text(value + "\n")
    path.chmod(0o600)
    return f"file://{path}"


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return result


def create_cdp(cli: Any, name: str = "cdp", *extra: str, ed25519_key: bool = False) -> Any:
    """A CoinbaseCDP provider: the API key secret on stdin, the wallet secret from a file."""
    k = keys()
    return ok(
        cli(
            "create-payment-credential-provider",
            "--name",
            name,
            "--credential-provider-vendor",
            "CoinbaseCDP",
            "--api-key-id",
            "key-1",
            "--api-key-secret",
            "-",
            "--wallet-secret",
            secret_file("wallet", k.wallet_secret),
            *extra,
            input=k.cdp_ed25519 if ed25519_key else k.cdp_pem,
        )
    )


def create_privy(cli: Any, name: str = "privy", *extra: str) -> Any:
    """A StripePrivy provider: the app secret on stdin, the authorization key from a file."""
    return ok(
        cli(
            "create-payment-credential-provider",
            "--name",
            name,
            "--credential-provider-vendor",
            "StripePrivy",
            "--app-id",
            "app-1",
            "--authorization-id",
            "auth-1",
            "--app-secret",
            "-",
            "--authorization-private-key",
            secret_file("privy", keys().privy_key),
            *extra,
            input=APP_SECRET,
        )
    )
