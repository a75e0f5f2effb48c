"""Where the vault key comes from; the first source that applies wins.

1. ``AGENTCORE_IDENTITY_VAULT_KEY``: the key itself, base64 (for CI).
2. A passphrase, when the vault was created with one: ``AGENTCORE_IDENTITY_PASSPHRASE`` or
   a hidden prompt; Argon2id turns it into a key that unwraps the vault key.
3. A key file beside the vault, 0600 in a 0700 folder, created on first use.

The key is loaded only when a secret is sealed or opened, so listing needs none. A key
check value in the vault tells a wrong key apart from a tampered secret.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from agentcore_identity_cli.backends.local import crypto
from agentcore_identity_cli.backends.local.vault import (
    VaultStore,
    _check_private,
    check_private_if_present,
    identity_file_path,
    key_file_path,
    read_identity_file,
    remove_stale_temp_files,
    vault_hex,
    write_identity_file,
)
from agentcore_identity_cli.config import ENV_PASSPHRASE, ENV_VAULT_KEY
from agentcore_identity_cli.errors import ConfigError

log = logging.getLogger(__name__)

KEY_CHECK_PLAINTEXT = b"agentcore-identity vault key check"


def _decode_key(text: str, source: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != crypto.KEY_BYTES:
        raise ConfigError(
            f"{source} must hold a base64-encoded 32-byte key.",
            hint='make one with: python -c "import os,base64;print(base64.b64encode(os.urandom(32)).decode())"',
        )
    return key


def write_key_file(path: Path, key: bytes) -> None:
    """Write a key file 0600, never leaving it readable by others even for a moment."""
    import secrets

    tmp = path.with_name(path.name + f".{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(key).decode() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class KeyRing:
    """Finds, checks and caches the vault key of one store."""

    def __init__(
        self, store: VaultStore, prompt: Callable[[str], str] | None = None, *, key_path: Path | None = None
    ) -> None:
        self.store = store
        self.prompt = prompt
        self._key: bytes | None = None
        # The key check the cached key was checked against: another process that rotates the
        # key changes it, and this process then loads the new key instead of using a stale one.
        self._check: str | None = None
        self.source: str | None = None
        # `vault restore` checks a backup, opened under another name, against this vault's key file.
        self._key_path = key_path
        # Called with a vault key made for this vault, inside the transaction that records it.
        self.on_new_key: Callable[[bytes], None] | None = None
        # Called with the vault's existing key each time it is loaded and checked.
        self.on_loaded: Callable[[bytes], None] | None = None

    @property
    def key_path(self) -> Path:
        """The key file of this vault."""
        return self._key_path or key_file_path(self.store.path)

    @property
    def loaded_key(self) -> bytes | None:
        """The key if this process has loaded it already; never loads it (nor prompts)."""
        return self._key

    def forget(self) -> None:
        """Drop the cached key, so that the next use loads and checks it again."""
        self._key, self._check, self.source = None, None, None

    def open(self, read: Callable[[], tuple[bytes, bytes] | None]) -> bytes | None:
        """Open the sealed value `read()` returns with its associated data (None when there is
        none), or raise SealError.

        Outside a write transaction, another process can rotate the key between reading the
        value and loading the key, pairing an old ciphertext with the new key or the reverse.
        A failure that coincides with a change of the key check is that race, not tampering:
        the value and the key are read once more.
        """
        for attempt in (1, 2):
            check = self.store.meta("key_check")
            found = read()
            if found is None:
                return None
            sealed, aad = found
            try:
                return crypto.open_sealed(self.key(), sealed, aad)
            except crypto.SealError:
                if attempt == 2 or self.store.meta("key_check") == check:
                    raise
        raise AssertionError("unreachable")

    @property
    def next_key_path(self) -> Path:
        """Where a rotation writes the new key before its transaction commits."""
        return self.key_path.with_name(self.key_path.name + ".next")

    def _passphrase(self) -> str:
        value = os.environ.get(ENV_PASSPHRASE)
        if value:
            return value
        if self.prompt is None:
            raise ConfigError(
                "This vault is protected by a passphrase and none was given.",
                hint=f"set {ENV_PASSPHRASE}, or run the command on a terminal to be asked",
            )
        return self.prompt("Vault passphrase")

    def _kdf(self) -> crypto.KdfParams:
        salt = self.store.meta("kdf_salt")
        assert salt is not None
        return crypto.KdfParams(
            salt=vault_hex(salt),
            memory_kib=int(self.store.meta("kdf_memory_kib") or 0),
            iterations=int(self.store.meta("kdf_iterations") or 0),
            lanes=int(self.store.meta("kdf_lanes") or 1),
        )

    def _load(self) -> tuple[bytes, str]:
        env_key = os.environ.get(ENV_VAULT_KEY)
        if env_key:
            return _decode_key(env_key, ENV_VAULT_KEY), "environment"
        wrapped = self.store.meta("wrapped_key")
        if wrapped:
            kek = self._kdf().derive(self._passphrase())
            try:
                key = crypto.open_sealed(kek, vault_hex(wrapped), b"wrapped-vault-key")
            except crypto.SealError:
                raise ConfigError("The passphrase does not open this vault.") from None
            return key, "passphrase"
        path = self.key_path
        if path.exists():
            _check_private(path, "key file")
            return _decode_key(path.read_text(), f"The key file {path}"), "key-file"
        if self.next_key_path.exists():
            # A rotation committed but stopped before renaming its key file.
            _check_private(self.next_key_path, "key file")
            return _decode_key(self.next_key_path.read_text(), f"The key file {self.next_key_path}"), "key-file"
        if self.store.meta("key_check") is not None:
            raise ConfigError(
                f"The vault {self.store.path} is sealed, and its key file {path} is missing.",
                hint=f"restore the key file, or set {ENV_VAULT_KEY} to the vault key",
            )
        passphrase = os.environ.get(ENV_PASSPHRASE)
        key = crypto.new_key()
        if passphrase:
            self.protect_with_passphrase(key, passphrase)
            return key, "passphrase"
        write_key_file(path, key)
        return key, "key-file"

    def protect_with_passphrase(self, key: bytes, passphrase: str) -> None:
        """Store the vault key wrapped by a key derived from a passphrase."""
        params = crypto.KdfParams(salt=os.urandom(16))
        kek = params.derive(passphrase)
        self.store.set_meta("kdf_salt", params.salt.hex())
        self.store.set_meta("kdf_memory_kib", str(params.memory_kib))
        self.store.set_meta("kdf_iterations", str(params.iterations))
        self.store.set_meta("kdf_lanes", str(params.lanes))
        self.store.set_meta("wrapped_key", crypto.seal(kek, key, b"wrapped-vault-key").hex())

    def key(self) -> bytes:
        """The vault key, checked against the vault; loaded again only after a rotation."""
        check = self.store.meta("key_check")
        if self._key is not None:
            if check == self._check:
                return self._key
            # Another process (or connection) rotated the key since it was loaded here.
            self.forget()
        if self._key_path is None:
            remove_stale_temp_files(self.store.path)
            if self.next_key_path.exists():
                self._remove_stale_next_key()
        if self.store.meta("key_check") is None:
            # First use: the key is made under the vault's write lock, so processes that
            # race to create it agree on one key.
            with self.store.transaction():
                if self.store.meta("key_check") is None:
                    # Before the key file: a key file is then never without its vault's id.
                    self._record_identity()
                key, source = self._load()
                if self.store.meta("key_check") is None:
                    check = crypto.seal(key, KEY_CHECK_PLAINTEXT, b"key-check").hex()
                    self.store.set_meta("key_check", check)
                    self.store.set_meta("key_source", source)
                    self._key, self._check, self.source = key, check, source
                    # Made inside a caller's transaction that then rolls back: not kept.
                    self.store.on_rollback(self.forget)
                    if self.on_new_key is not None:
                        self.on_new_key(key)
                    log.debug("vault key made (%s)", source)
                    return key
        key, source = self._load()
        check = self.store.meta("key_check") or ""
        try:
            crypto.open_sealed(key, vault_hex(check), b"key-check")
        except crypto.SealError:
            recovered = self._finish_rotation(source)
            if recovered is not None:
                self._key, self._check, self.source = recovered, check, source
                return recovered
            raise ConfigError(
                f"The vault key from {source.replace('-', ' ')} does not open the vault {self.store.path}.",
                hint=f"use the key the vault was created with ({ENV_VAULT_KEY} or {self.key_path})",
            ) from None
        # A vault made before the id file existed gets one now; a restored vault, its new id.
        self._record_identity()
        self._key, self._check, self.source = key, check, source
        log.debug("vault key from %s", source)
        if self.on_loaded is not None:
            self.on_loaded(key)
        return key

    def _record_identity(self) -> None:
        """Note beside the vault which vault its key belongs to (see vault._check_identity)."""
        if self._key_path is not None:
            return  # a staged copy being checked against another vault's key
        path = identity_file_path(self.store.path)
        vault_id = self.store.meta("vault_id")
        if vault_id and read_identity_file(path) != vault_id:
            write_identity_file(path, vault_id)

    def _remove_stale_next_key(self) -> None:
        """Remove the new key of a rotation that was killed before its commit.

        A rotation writes that file only while it holds the vault's write lock, and commits
        before letting go of it. So, under the same lock, a file that does not open the key
        check belongs to a rotation that will never commit, not to one in progress in another
        process (that one makes this wait); a file that does open it is a committed rotation's
        key waiting for its rename, which loading finishes.
        """
        path = self.next_key_path
        with self.store.transaction():
            check_private_if_present(path, "key file")
            try:
                text = path.read_text()
            except FileNotFoundError:
                return
            try:
                key = _decode_key(text, f"The key file {path}")
                crypto.open_sealed(key, bytes.fromhex(self.store.meta("key_check") or ""), b"key-check")
            except (ConfigError, crypto.SealError, ValueError):
                path.unlink(missing_ok=True)

    def _finish_rotation(self, source: str) -> bytes | None:
        """After a rotation that committed but did not rename its key file, finish it."""
        path = self.next_key_path
        if source != "key-file" or not path.exists():
            return None
        key = _decode_key(path.read_text(), f"The key file {path}")
        check = self.store.meta("key_check") or ""
        try:
            crypto.open_sealed(key, vault_hex(check), b"key-check")
        except crypto.SealError:
            return None
        _promote(path, self.key_path)
        return key

    def rotate(self, reseal: Callable[[bytes, bytes], None]) -> None:
        """Replace the vault key. `reseal(old, new)` re-encrypts every secret.

        Crash safety: a new key file is written aside first, inside the transaction that
        switches the database to the new key; only after the commit is the key file renamed
        into place. Killed before the commit, the old key still opens the vault and the next
        command that loads the key removes the file aside; killed after it, the next run
        finds the new key file aside and finishes the rename.
        """
        old = self.key()
        old_check = self._check
        new = crypto.new_key()
        source = self.source or "key-file"
        if source == "environment":
            raise ConfigError(
                f"The vault key comes from {ENV_VAULT_KEY}; it cannot be rotated in place.",
                hint="unset it to use the key file, or re-create the vault with a new key",
            )

        def rolled_back() -> None:
            self.next_key_path.unlink(missing_ok=True)
            self._key, self._check = old, old_check

        try:
            with self.store.transaction():
                if source == "key-file":
                    # Written under the write lock, so that another process can tell a file
                    # left by a killed rotation from one in use (see _remove_stale_next_key).
                    write_key_file(self.next_key_path, new)
                reseal(old, new)
                if source == "passphrase":
                    self.protect_with_passphrase(new, self._passphrase())
                new_check = crypto.seal(new, KEY_CHECK_PLAINTEXT, b"key-check").hex()
                self.store.set_meta("key_check", new_check)
                self.store.set_meta("key_updated", repr(time.time()))
                # The rest of a caller's transaction (its audit event) already uses the new key;
                # the key file moves only once that outermost transaction has committed.
                self._key, self._check = new, new_check
                self.store.on_rollback(rolled_back)
                if source == "key-file":
                    self.store.after_commit(lambda: _promote(self.next_key_path, self.key_path))
        except BaseException:
            rolled_back()
            raise

    def use_passphrase(self, passphrase: str) -> None:
        """Protect the vault key with a passphrase instead of the key file."""
        key = self.key()
        with self.store.transaction():
            self.protect_with_passphrase(key, passphrase)
            self.store.set_meta("key_source", "passphrase")
            # Only once the wrapped key is committed may the key file go.
            self.store.after_commit(lambda: self.key_path.unlink(missing_ok=True))
        self.source = "passphrase"

    def use_key_file(self) -> None:
        """Keep the vault key in the key file instead of under a passphrase."""
        key = self.key()
        write_key_file(self.key_path, key)
        with self.store.transaction():
            for name in ("wrapped_key", "kdf_salt", "kdf_memory_kib", "kdf_iterations", "kdf_lanes"):
                self.store.db.execute("DELETE FROM meta WHERE key = ?", (name,))
            self.store.set_meta("key_source", "key-file")
        self.source = "key-file"


def _promote(new: Path, current: Path) -> None:
    """Rename the rotated key file into place; another process may have done it first."""
    try:
        os.replace(new, current)
    except FileNotFoundError:
        pass
