"""The token store of the local vault: rows in `oauth2_tokens`, sealed values in `secrets`.

A token is keyed by (workload identity, provider, user id, scopes, flow); its id is a hash
of that key. The readable metadata (type, scope, expiry, vendor extras) is the row; the
token values are one sealed bundle in `secrets`, field ``oauth2Token:<id>`` of the
provider's record, bound to it by the AEAD associated data. `_lock` serialises refreshes of
one token across processes.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentcore_identity_cli.backends.local.core import LocalCore
from agentcore_identity_cli.backends.local.vault import ensure_private_dir
from agentcore_identity_cli.errors import ConfigError

if TYPE_CHECKING:
    from agentcore_identity_cli.oauth.tokens import TokenSet

OAUTH2 = "oauth2"
USER_FEDERATION = "USER_FEDERATION"
M2M = "M2M"
TOKEN_FIELD = "oauth2Token:"


def scopes_key(scopes: list[str] | tuple[str, ...]) -> str:
    """Scopes as one canonical string: sorted, unique, space-separated."""
    return " ".join(sorted(set(scopes)))


def token_id(workload: str, provider: str, user_id: str, scopes: str, flow: str) -> str:
    """The row id of one token key; it also names the sealed field and the lock file."""
    import hashlib

    return hashlib.sha256("\x1f".join((workload, provider, user_id, scopes, flow)).encode()).hexdigest()[:32]


WORKLOAD_KIND = "workload"


@dataclass
class StoredToken:
    """One row of the store with its opened token."""

    id: str
    provider: str
    workload: str
    user_id: str
    scopes: str
    flow: str
    attrs: dict[str, Any]
    token: TokenSet


class TokenStoreMixin(LocalCore):
    """Rows, sealed values and per-token locks."""

    http_timeout: float | None = None

    def _find_user_token(self, provider: str, workload: str, user_id: str, scopes: list[str] | None) -> str | None:
        """The id of the user token that serves these scopes (None: the most recent login)."""
        rows = self.store.db.execute(
            "SELECT id, scopes FROM oauth2_tokens WHERE provider = ? AND workload = ? AND user_id = ? AND flow = ? "
            "ORDER BY obtained DESC",
            (provider, workload, user_id, USER_FEDERATION),
        ).fetchall()
        if not rows:
            return None
        if scopes is None:
            return str(rows[0][0])
        wanted = set(scopes)
        exact = scopes_key(scopes)
        for tid, stored in rows:
            if stored == exact:
                return str(tid)
        for tid, stored in rows:
            if wanted <= set(stored.split()):
                return str(tid)
        return None

    def _load(self, tid: str) -> StoredToken | None:
        from agentcore_identity_cli.oauth.tokens import TokenSet

        hit = self.store.db.execute(
            "SELECT provider, workload, user_id, scopes, flow, attrs FROM oauth2_tokens WHERE id = ?", (tid,)
        ).fetchone()
        if hit is None:
            return None
        provider, workload, user_id, scopes, flow, attrs_text = hit
        attrs = json.loads(attrs_text)
        bundle = self.open_secret(OAUTH2, provider, TOKEN_FIELD + tid)
        token = TokenSet.from_storage(attrs, bundle)
        return StoredToken(tid, provider, workload, user_id, scopes, flow, attrs, token)

    def _save(
        self, tid: str, row: dict[str, Any], workload: str, user_id: str, scopes: str, flow: str, token: TokenSet
    ) -> None:
        attrs = {**token.public_attrs(), "providerUpdated": row["updated"]}
        with self.store.transaction():
            self.store.db.execute(
                "INSERT INTO oauth2_tokens (id, provider, workload, user_id, scopes, flow, obtained, expires, attrs) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET obtained = excluded.obtained, "
                "expires = excluded.expires, attrs = excluded.attrs",
                (
                    tid,
                    row["name"],
                    workload,
                    user_id,
                    scopes,
                    flow,
                    token.obtained_at,
                    token.expires_at,
                    json.dumps(attrs),
                ),
            )
            self.seal_secret(OAUTH2, row["name"], TOKEN_FIELD + tid, token.secret_bundle())
            self._purge_orphans()

    def _delete(self, provider: str, tid: str) -> None:
        self.store.db.execute("DELETE FROM oauth2_tokens WHERE id = ?", (tid,))
        self.store.db.execute(
            "DELETE FROM secrets WHERE kind = ? AND name = ? AND field = ?", (OAUTH2, provider, TOKEN_FIELD + tid)
        )

    def forget_owned(self, kind: str, name: str) -> None:
        """Tokens of a deleted workload identity or provider, and the provider's cached metadata."""
        if kind == WORKLOAD_KIND:
            self.store.db.execute("DELETE FROM oauth2_tokens WHERE workload = ?", (name,))
            self._purge_orphans()
        elif kind == OAUTH2:
            self.store.db.execute("DELETE FROM oauth2_tokens WHERE provider = ?", (name,))
            row = self.store.get(OAUTH2, name)
            discovery = (row or {}).get("attrs", {}).get("config", {}).get("oauthDiscovery", {}).get("discoveryUrl")
            still_used = any(
                other["attrs"].get("config", {}).get("oauthDiscovery", {}).get("discoveryUrl") == discovery
                for other in self.store.page(OAUTH2, None, 1_000_000)
                if other["name"] != name
            )
            if discovery and not still_used:
                self.store.db.execute("DELETE FROM oauth2_metadata WHERE url = ?", (discovery,))
        super().forget_owned(kind, name)

    def _purge_orphans(self) -> None:
        """Sealed token values whose row went with a deleted workload identity."""
        self.store.db.execute(
            "DELETE FROM secrets WHERE kind = ? AND field LIKE ? "
            "AND substr(field, ?) NOT IN (SELECT id FROM oauth2_tokens)",
            (OAUTH2, TOKEN_FIELD + "%", len(TOKEN_FIELD) + 1),
        )

    @contextmanager
    def _lock(self, tid: str) -> Iterator[None]:
        """An exclusive lock on one token across processes (fcntl), or the vault's write lock
        where fcntl does not exist."""
        try:
            import fcntl  # noqa: F401
        except ImportError:  # pragma: no cover - not POSIX
            with self.store.transaction():
                yield
            return
        fd = self._lock_file(tid)
        try:
            yield
        finally:
            os.close(fd)

    def _lock_file(self, tid: str) -> int:
        """The lock file of one token, opened and locked exclusively; waits while another process
        holds it, up to two HTTP timeouts and half a minute (ConfigError after that)."""
        import fcntl

        folder = self.store.path.with_name(self.store.path.name + ".locks")
        ensure_private_dir(folder)
        fd = os.open(folder / f"{tid}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            deadline = time.monotonic() + 2 * (self.http_timeout or 30.0) + 30.0
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return fd
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise ConfigError(
                            "Another process has been refreshing this token for too long.",
                            hint=f"check for a stuck agentcore-identity process; the lock is in {folder}",
                        ) from None
                    time.sleep(0.05)
        except BaseException:
            os.close(fd)
            raise
