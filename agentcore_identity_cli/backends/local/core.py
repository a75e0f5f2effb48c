"""Shared machinery of the local backend: dispatch, rows, pages, sealed secrets, tags."""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agentcore_identity_cli.auditlog import CHANGE, READ, SECRET_READ, SUCCESS, classify
from agentcore_identity_cli.backends.base import snake_case
from agentcore_identity_cli.backends.local import arns
from agentcore_identity_cli.backends.local.audit import AuditScope, AuditTrail
from agentcore_identity_cli.backends.local.keys import KeyRing
from agentcore_identity_cli.backends.local.vault import VaultStore
from agentcore_identity_cli.debuglog import elapsed
from agentcore_identity_cli.errors import (
    ServiceError,
    conflict,
    decryption_failure,
    not_found,
    validation,
)

# kind -> (what the service calls it in messages, the list command that shows names)
KINDS: dict[str, tuple[str, str]] = {
    "apikey": ("API key credential provider", "list-api-key-credential-providers"),
    "oauth2": ("OAuth2 credential provider", "list-oauth2-credential-providers"),
    "payment": ("Payment credential provider", "list-payment-credential-providers"),
    "workload": ("Workload identity", "list-workload-identities"),
    "consentportal": ("Consent portal", "list-consent-portals"),
    "issuer": ("Trusted issuer", "trusted-issuer list"),
    "session": ("Session", ""),  # no listing: a session is known by its sessionUri
}


log = logging.getLogger(__name__)
_ERROR_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")


def _outcome(exc: Exception) -> str:
    """An error code, never text that could carry a value: anything else becomes the class name."""
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) and _ERROR_CODE.fullmatch(code) else type(exc).__name__


def timestamp(seconds: float) -> datetime:
    """A stored time as boto3 hands it out: an aware datetime in UTC."""
    return datetime.fromtimestamp(seconds, tz=UTC)


class LocalCore:
    """Shared machinery of the local backend: the store, the key, rows and pages."""

    name = "local"
    # The address of `serve` (http://HOST:PORT) when it serves this vault: the OAuth2
    # callback URLs are then the ones it hosts. None for the CLI and the Python API.
    callback_base: str | None = None

    def __init__(self, vault_path: Path, prompt: Callable[[str], str] | None = None) -> None:
        self.store = VaultStore(vault_path)
        self.keys = KeyRing(self.store, prompt)
        self.audit = AuditTrail(self.store, self.keys)
        self.keys.on_loaded = self._key_loaded
        # Per thread: the Python API may run calls of one backend from worker threads.
        self._audit_local = threading.local()

    def close(self) -> None:
        """Close the vault file."""
        self.store.close()

    @property
    def _audit_scope(self) -> AuditScope | None:
        scope: AuditScope | None = getattr(self._audit_local, "scope", None)
        return scope

    @_audit_scope.setter
    def _audit_scope(self, scope: AuditScope | None) -> None:
        self._audit_local.scope = scope

    def invoke(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Dispatch an AWS operation to the method of the same (boto3) name."""
        method = getattr(self, snake_case(operation), None)
        if method is None:
            raise ServiceError(
                "UnsupportedOperation",
                f"The local backend does not implement {operation}.",
                operation=operation,
                hint="use --backend aws for this operation",
            )
        from agentcore_identity_cli.backends.local.refusals import refusal
        from agentcore_identity_cli.client import judge_request

        try:
            # What the service judges before it acts (patterns, enums, maximums); nothing
            # happened yet, so nothing is audited.
            judge_request(operation, params)
            with self.audited(operation, params=params):
                refused = refusal(params)
                if refused is not None:
                    raise refused
                result: dict[str, Any] = method(params)
        except ServiceError as exc:
            exc.operation = operation
            raise
        return result

    # --- audit ----------------------------------------------------------------------

    @contextmanager
    def audited(
        self,
        operation: str,
        *,
        params: dict[str, Any] | None = None,
        target: str | None = None,
        workload: str | None = None,
        user_id: str | None = None,
        category: str | None = None,
        transaction: bool | None = None,
    ) -> Iterator[AuditScope]:
        """Record one audit event for the work done inside the block.

        `invoke` runs every operation inside one; code that acts for a caller outside
        `invoke` (a command with no AWS operation, a flow that opens a secret itself) wraps
        its work in one too. The class comes from data/audit.json unless `category` says:
        - change: the block runs in one write transaction and the event is appended in it,
          so the change and its event commit together; do network I/O before the block;
        - secret-read: the event is appended, in its own transaction, before the block's
          result reaches the caller;
        - read: nothing is recorded, unless the block opens a secret (then a secret-read).
        A failure is recorded with its error code, in its own transaction after the failed
        one rolled back. Inside another audited block, this one adds to the outer event.
        """
        outer = self._audit_scope
        if outer is not None:
            if category in (CHANGE, SECRET_READ) and outer.category == READ:
                outer.category = category
            outer.note_target(target, strong=category == SECRET_READ)
            outer.note_caller(workload, user_id)
            yield outer
            return
        scope = AuditScope(operation, category or classify(operation))
        scope.note_target(target, strong=True)
        scope.note_caller(workload, user_id)
        if params:
            # Named in the request itself; a workload token is never looked into here.
            scope.note_caller(params.get("workloadName"), params.get("userId"))
        wrap = scope.category == CHANGE if transaction is None else transaction
        self._audit_scope = scope
        started = time.perf_counter()
        try:
            if wrap:
                with self.store.transaction():
                    yield scope
                    self.audit.append(scope, SUCCESS)
            else:
                yield scope
                if scope.category != READ:
                    with self.store.transaction():
                        self.audit.append(scope, SUCCESS)
            log.debug("%s (%s): %s in %s", operation, scope.category, SUCCESS, elapsed(started))
        except Exception as exc:
            if scope.category != READ:
                self._record_failure(scope, exc)
            log.debug("%s (%s): %s in %s", operation, scope.category, _outcome(exc), elapsed(started))
            raise
        finally:
            self._audit_scope = None

    def _record_failure(self, scope: AuditScope, exc: Exception) -> None:
        if isinstance(exc, sqlite3.OperationalError):
            return  # the vault is locked or unwritable: recording would fail the same way
        try:
            with self.store.transaction():
                self.audit.append(scope, _outcome(exc))
        except sqlite3.Error as error:
            log.warning("could not record the failed %s in the audit trail: %s", scope.operation, error)

    def audit_target(self, arn: str | None, *, strong: bool = False) -> None:
        """Name the resource the current operation acts on (first named wins, a secret's over others)."""
        if self._audit_scope is not None:
            self._audit_scope.note_target(arn, strong=strong)

    def audit_caller(self, workload: str | None = None, user_id: str | None = None) -> None:
        """Name the workload identity and user the current operation acts for.

        Call it once a workload access token is verified, so that the event says who asked.
        """
        if self._audit_scope is not None:
            self._audit_scope.note_caller(workload, user_id)

    def audit_secret_read(self, arn: str, operation: str = "OpenSecret") -> Any:
        """A block that opens a secret of `arn` for a caller: recorded as a secret read.

        Inside an operation it marks that operation's event; alone, it records one
        `OpenSecret` event (or `operation`). open_secret uses it, so every decryption of a
        stored secret is in the trail.
        """
        return self.audited(operation, target=arn, category=SECRET_READ)

    def resource_arn(self, kind: str, name: str) -> str:
        """The ARN of a resource, whether or not it exists (for the audit trail)."""
        if kind in arns.PROVIDER_KINDS:
            return arns.provider_arn(kind, name)
        if kind == "workload":
            return arns.workload_arn(name)
        row = self.store.get(kind, name)
        return str(row["arn"]) if row else f"{kind}/{name}"

    # --- rows -----------------------------------------------------------------------

    @property
    def vault_id(self) -> str:
        """The vault's random id, made with the vault: what tells one vault from another."""
        return self.store.meta("vault_id") or ""

    def require(self, kind: str, name: str) -> dict[str, Any]:
        """The row of a resource, or ResourceNotFoundException with a hint."""
        if self._audit_scope is not None and kind in KINDS:
            self._audit_scope.note_target(self.resource_arn(kind, name))
        row = self.store.get(kind, name)
        if row is not None:
            return row
        label, list_command = KINDS[kind]
        close = difflib.get_close_matches(name, self.store.names(kind), n=1)
        hint = f"did you mean '{close[0]}'?" if close else None
        if hint is None and list_command:
            hint = f"run 'agentcore-identity {list_command}' to see the names"
        raise not_found(label, name, hint=hint)

    def forget_owned(self, kind: str, name: str) -> None:
        """Delete what a resource about to be deleted owns (tokens, sessions, cached metadata).

        Each mixin that keeps such things extends this and calls super(); the delete
        operations call it inside their transaction, so nothing outlives its owner.
        """

    def refuse_existing(self, kind: str, name: str) -> None:
        """ConflictException when the name is taken."""
        if self._audit_scope is not None and kind in KINDS:
            self._audit_scope.note_target(self.resource_arn(kind, name))
        if self.store.get(kind, name) is not None:
            raise conflict(KINDS[kind][0], name)

    def delete_resource(self, kind: str, name: str) -> dict[str, Any]:
        """A Delete* operation: the row, what it owns, its sealed secrets and its tags, in one transaction."""
        with self.store.transaction():
            row = self.require(kind, name)
            self.forget_owned(kind, row["name"])
            self.store.delete(kind, row["name"], row["arn"])
        return {}

    def list_resources(
        self, kind: str, params: dict[str, Any], limit: int, member: str, summary: Callable[[dict[str, Any]], Any]
    ) -> dict[str, Any]:
        """A List* operation: one page of `summary(row)` under `member`, and nextToken when there is more."""
        rows, token = self.page(kind, params, limit)
        out: dict[str, Any] = {member: [summary(row) for row in rows]}
        if token:
            out["nextToken"] = token
        return out

    def page(self, kind: str, params: dict[str, Any], limit: int) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a list operation and the token for the next, if any."""
        after = decode_token(params.get("nextToken"))
        size = int(params.get("maxResults") or limit)
        rows = self.store.page(kind, after, size + 1)
        more = len(rows) > size
        rows = rows[:size]
        token = encode_token(rows[-1]["name"]) if more and rows else None
        return rows, token

    # --- secrets --------------------------------------------------------------------

    def _aad(self, kind: str, name: str, field: str, version: int) -> bytes:
        from agentcore_identity_cli.backends.local.crypto import associated_data

        vault_id = self.store.meta("vault_id") or ""
        if version == 0:  # sealed before values had versions (schema 4 and older)
            return associated_data(vault_id, kind, name, field)
        return associated_data(vault_id, kind, name, field, f"version={version}")

    def seal_secret(self, kind: str, name: str, field: str, value: str) -> None:
        """Encrypt a secret and store it against its record, under a new version."""
        self.audit_target(self.resource_arn(kind, name), strong=True)
        with self.store.transaction():  # the version counter and the value move together
            self.store_sealed(kind, name, field, value.encode(), self.keys.key())

    def store_sealed(self, kind: str, name: str, field: str, plain: bytes, key: bytes) -> None:
        """Seal `plain` under `key` with a new version and store it (inside a transaction)."""
        from agentcore_identity_cli.backends.local.crypto import seal

        version = self.store.next_secret_version()
        sealed = seal(key, plain, self._aad(kind, name, field, version))
        self.store.put_secret(kind, name, field, sealed, version)

    def open_sealed_value(self, kind: str, name: str, field: str) -> bytes | None:
        """The plaintext of a stored value, None when there is none; SealError when it does not open."""

        def read() -> tuple[bytes, bytes] | None:
            found = self.store.get_sealed(kind, name, field)
            return (found[0], self._aad(kind, name, field, found[1])) if found else None

        return self.keys.open(read)

    def open_secret(self, kind: str, name: str, field: str) -> str:
        """Decrypt a stored secret; DecryptionFailure when it does not authenticate."""
        from agentcore_identity_cli.backends.local.crypto import SealError

        with self.audit_secret_read(self.resource_arn(kind, name)):
            try:
                plain = self.open_sealed_value(kind, name, field)
            except SealError:
                raise decryption_failure(
                    f"The stored {field} of {KINDS[kind][0]} '{name}' failed authentication: "
                    "it was altered, rolled back, or copied from another record."
                ) from None
            if plain is None:
                raise decryption_failure(f"No {field} is stored for {KINDS[kind][0]} '{name}'.")
            return plain.decode()

    def reseal_all(self, old: bytes, new: bytes) -> None:
        """Re-encrypt every sealed value from key `old` to key `new`, keeping its version."""
        from agentcore_identity_cli.backends.local.crypto import SealError, open_sealed, seal

        for kind, name, field, sealed, version in self.store.all_secrets():
            aad = self._aad(kind, name, field, version)
            try:
                plain = open_sealed(old, sealed, aad)
            except SealError:
                raise decryption_failure(
                    f"The stored {field} of '{name}' failed authentication; nothing was rotated. "
                    "The vault was altered: restore it from a backup."
                ) from None
            self.store.put_secret(kind, name, field, seal(new, plain, aad), version)

    def _key_loaded(self, key: bytes) -> None:
        if self.store.meta("legacy_secrets") is not None:
            self.upgrade_unversioned(key)

    def upgrade_unversioned(self, key: bytes) -> None:
        """Give a version to every value sealed before values had one (the first time the key opens
        a vault migrated to schema 5), so that none of them can be rolled back unnoticed."""
        from agentcore_identity_cli.backends.local.crypto import SealError, open_sealed

        with self.store.transaction():
            if self.store.meta("legacy_secrets") is None:
                return  # another process did it first
            for kind, name, field, sealed, version in self.store.all_secrets():
                if version != 0:
                    continue
                try:
                    plain = open_sealed(key, sealed, self._aad(kind, name, field, 0))
                except SealError:
                    continue  # left as it is: reading it reports the damage, as before
                self.store_sealed(kind, name, field, plain, key)
            self.store.db.execute("DELETE FROM meta WHERE key = 'legacy_secrets'")

    # --- tags -----------------------------------------------------------------------

    def _tagged(self, arn: str) -> None:
        """Tags are kept only for resources that exist."""
        self.audit_target(arn)
        parsed = arns.parse(arn)
        if parsed is None:
            raise validation(f"'{arn}' is not the ARN of a resource in the local vault.")
        kind, name = parsed
        if kind == "tokenvault":
            return
        if self.store.find_arn(arn) is None:
            raise not_found(KINDS[kind][0], name)

    def tag_resource(self, params: dict[str, Any]) -> dict[str, Any]:
        """TagResource."""
        with self.store.transaction():
            self._tagged(params["resourceArn"])
            merged = {**self.store.tags(params["resourceArn"]), **params["tags"]}
            if len(merged) > 50:
                raise validation("A resource can have at most 50 tags.")
            self.store.set_tags(params["resourceArn"], params["tags"])
        return {}

    def untag_resource(self, params: dict[str, Any]) -> dict[str, Any]:
        """UntagResource."""
        with self.store.transaction():
            self._tagged(params["resourceArn"])
            self.store.remove_tags(params["resourceArn"], params["tagKeys"])
        return {}

    def list_tags_for_resource(self, params: dict[str, Any]) -> dict[str, Any]:
        """ListTagsForResource."""
        self._tagged(params["resourceArn"])
        return {"tags": self.store.tags(params["resourceArn"])}


def encode_token(after: str) -> str:
    """An opaque pagination token: the last name of the page."""
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode()


def decode_token(token: str | None) -> str | None:
    """The name a page starts after; ValidationException for a token we did not make."""
    if not token:
        return None
    try:
        after = json.loads(base64.urlsafe_b64decode(token.encode()))["after"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise validation("The nextToken is not valid: pass the token a previous call returned.") from None
    if not isinstance(after, str):
        raise validation("The nextToken is not valid: pass the token a previous call returned.")
    return after
