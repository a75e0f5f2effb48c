"""Shared machinery of the local backend: dispatch, rows, pages, sealed secrets, tags."""

from __future__ import annotations

import base64
import binascii
import difflib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agentcore_identity_cli.backends.base import snake_case
from agentcore_identity_cli.backends.local import arns
from agentcore_identity_cli.backends.local.keys import KeyRing
from agentcore_identity_cli.backends.local.vault import VaultStore
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
    "workload": ("Workload identity", "list-workload-identities"),
}


def timestamp(seconds: float) -> datetime:
    """A stored time as boto3 hands it out: an aware datetime in UTC."""
    return datetime.fromtimestamp(seconds, tz=UTC)


class LocalCore:
    """Shared machinery of the local backend: the store, the key, rows and pages."""

    name = "local"

    def __init__(self, vault_path: Path, prompt: Callable[[str], str] | None = None) -> None:
        self.store = VaultStore(vault_path)
        self.keys = KeyRing(self.store, prompt)

    def close(self) -> None:
        """Close the vault file."""
        self.store.close()

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
        try:
            result: dict[str, Any] = method(params)
        except ServiceError as exc:
            exc.operation = operation
            raise
        return result

    # --- rows -----------------------------------------------------------------------

    def require(self, kind: str, name: str) -> dict[str, Any]:
        """The row of a resource, or ResourceNotFoundException with a hint."""
        row = self.store.get(kind, name)
        if row is not None:
            return row
        label, list_command = KINDS[kind]
        close = difflib.get_close_matches(name, self.store.names(kind), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"run 'agentcore-identity {list_command}' to see the names"
        raise not_found(label, name, hint=hint)

    def refuse_existing(self, kind: str, name: str) -> None:
        """ConflictException when the name is taken."""
        if self.store.get(kind, name) is not None:
            raise conflict(KINDS[kind][0], name)

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

    def _aad(self, kind: str, name: str, field: str) -> bytes:
        from agentcore_identity_cli.backends.local.crypto import associated_data

        return associated_data(self.store.meta("vault_id") or "", kind, name, field)

    def seal_secret(self, kind: str, name: str, field: str, value: str) -> None:
        """Encrypt a secret and store it against its record."""
        from agentcore_identity_cli.backends.local.crypto import seal

        sealed = seal(self.keys.key(), value.encode(), self._aad(kind, name, field))
        self.store.put_secret(kind, name, field, sealed)

    def open_secret(self, kind: str, name: str, field: str) -> str:
        """Decrypt a stored secret; DecryptionFailure when it does not authenticate."""
        from agentcore_identity_cli.backends.local.crypto import SealError, open_sealed

        sealed = self.store.get_secret(kind, name, field)
        if sealed is None:
            raise decryption_failure(f"No {field} is stored for {KINDS[kind][0]} '{name}'.")
        try:
            return open_sealed(self.keys.key(), sealed, self._aad(kind, name, field)).decode()
        except SealError:
            raise decryption_failure(
                f"The stored {field} of {KINDS[kind][0]} '{name}' failed authentication: "
                "it was altered or copied from another record."
            ) from None

    # --- tags -----------------------------------------------------------------------

    def _tagged(self, arn: str) -> None:
        """Tags are kept only for resources that exist."""
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
