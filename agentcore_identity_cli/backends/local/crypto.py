"""Authenticated encryption of vault secrets (AES-256-GCM) and passphrase wrapping.

Every secret is sealed under the vault key with a fresh 96-bit nonce and associated data
that names the vault, the record and the field, so a ciphertext copied onto another record
(or into another vault) fails to open instead of handing out the wrong secret.

`cryptography` is imported on first use: listing the vault needs no key and no cipher.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

KEY_BYTES = 32
NONCE_BYTES = 12
FORMAT_V1 = b"\x01"


class SealError(Exception):
    """A sealed value did not open: wrong key, tampered bytes or wrong record."""


def new_key() -> bytes:
    """A random 256-bit key."""
    return os.urandom(KEY_BYTES)


def associated_data(vault_id: str, *parts: str) -> bytes:
    """The context a ciphertext is bound to."""
    return "\x1f".join(("agentcore-identity/v1", vault_id, *parts)).encode()


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt and authenticate; the result carries its format byte and nonce."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_V1 + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    """Decrypt a value made by `seal`, or raise SealError."""
    if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != FORMAT_V1:
        raise SealError("not a sealed value of a known format")
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body, aad)
    except InvalidTag:
        raise SealError("authentication failed") from None


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters, stored with the vault so they can be raised later.

    19 MiB, 2 passes: OWASP's minimum for Argon2id, and small enough that a command stays
    within its memory budget.
    """

    salt: bytes
    memory_kib: int = 19 * 1024
    iterations: int = 2
    lanes: int = 1

    def derive(self, passphrase: str) -> bytes:
        """The key-encryption key for this passphrase."""
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

        kdf = Argon2id(
            salt=self.salt,
            length=KEY_BYTES,
            iterations=self.iterations,
            lanes=self.lanes,
            memory_cost=self.memory_kib,
        )
        return kdf.derive(passphrase.encode())
