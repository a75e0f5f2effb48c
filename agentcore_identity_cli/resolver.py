"""Resolving secret references to their values, all of them or none, on either backend.

Each reference goes the way agent code goes (docs/data-plane.md): a workload access token
for the workload and user it names (or the configured ones, identity.py), then the
credential:

| reference | local backend | aws backend |
| --- | --- | --- |
| api-key/P | GetResourceApiKey | GetResourceApiKey |
| oauth2/P | the engine of `token`: a login's token, refreshed, else M2M | GetResourceOauth2Token |
| workload-token/W | GetWorkloadAccessToken[ForUserId] | the same |

One workload access token is obtained per workload and user, and each distinct reference
is resolved once: the audit trail records one secret read per reference, naming its
provider, and one for the workload access token they went through. Access tokens with
less than MIN_TTL_SECONDS left are refreshed first, since the program they are handed to
cannot receive a new one while it runs.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from agentcore_identity_cli.backends.base import Backend
from agentcore_identity_cli.config import Settings
from agentcore_identity_cli.errors import AgentCoreIdentityError, ConfigError, ServiceError
from agentcore_identity_cli.identity import Caller, os_user, resolve_caller, workload_token
from agentcore_identity_cli.references import API_KEY, OAUTH2, WORKLOAD_TOKEN, Reference

MIN_TTL_SECONDS = 300.0
Call = Callable[[str, dict[str, Any]], dict[str, Any]]

# For a did-you-mean when the aws service answers that a name does not exist.
_LISTS = {
    API_KEY: ("ListApiKeyCredentialProviders", "credentialProviders"),
    OAUTH2: ("ListOauth2CredentialProviders", "credentialProviders"),
    WORKLOAD_TOKEN: ("ListWorkloadIdentities", "workloadIdentities"),
}


@dataclass(frozen=True)
class Resolved:
    """The value of one reference, and when it stops working when that is known."""

    reference: Reference
    value: str
    expires_at: float | None = None


class Resolver:
    """Resolves references on the backend the settings name."""

    def __init__(self, settings: Settings, call: Call, backend: Callable[[], Backend]) -> None:
        self.settings = settings
        self.call = call
        self.backend = backend
        self._tokens: dict[Caller, str] = {}

    def resolve_all(self, references: Iterable[Reference]) -> dict[Reference, Resolved]:
        """Every distinct reference resolved, or the first failure raised (nothing partial is used)."""
        resolved: dict[Reference, Resolved] = {}
        for reference in references:
            if reference not in resolved:
                resolved[reference] = self.resolve(reference)
        return resolved

    def resolve(self, reference: Reference) -> Resolved:
        """One reference; errors say which reference failed."""
        try:
            if reference.kind == API_KEY:
                return self._api_key(reference)
            if reference.kind == OAUTH2:
                return self._oauth2(reference)
            return self._workload_token(reference)
        except ServiceError as exc:
            if exc.code == "ResourceNotFoundException" and exc.hint is None:
                exc.hint = self._suggestion(reference)
            exc.message = f"{exc.message.rstrip('.')} (resolving {reference})."
            raise
        except AgentCoreIdentityError as exc:
            exc.message = f"{exc.message.rstrip('.')} (resolving {reference})."
            raise

    # --- the kinds ------------------------------------------------------------------------

    def _caller(self, reference: Reference, workload: str | None = None) -> Caller:
        return resolve_caller(self.settings, workload or reference.workload, reference.user)

    def _workload_access_token(self, caller: Caller) -> str:
        if caller not in self._tokens:
            self._tokens[caller] = workload_token(self.call, caller)
        return self._tokens[caller]

    def _api_key(self, reference: Reference) -> Resolved:
        token = self._workload_access_token(self._caller(reference))
        response = self.call(
            "GetResourceApiKey", {"workloadIdentityToken": token, "resourceCredentialProviderName": reference.name}
        )
        return Resolved(reference, str(response["apiKey"]))

    def _workload_token(self, reference: Reference) -> Resolved:
        caller = self._caller(reference, reference.name)
        token = workload_token(self.call, caller)  # a new one: it is the credential handed out
        return Resolved(reference, token, jwt_expiry(token))

    def _oauth2(self, reference: Reference) -> Resolved:
        if self.settings.backend == "local":
            return self._local_oauth2(reference)
        caller = self._caller(reference)
        flow = reference.flow or ("USER_FEDERATION" if reference.user else "M2M")
        request: dict[str, Any] = {
            "workloadIdentityToken": self._workload_access_token(caller),
            "resourceCredentialProviderName": reference.name,
            "scopes": list(reference.scopes or ()),
            "oauth2Flow": flow,
        }
        if reference.resources:
            request["resources"] = list(reference.resources)
        if reference.audiences:
            request["audiences"] = list(reference.audiences)
        response = self.call("GetResourceOauth2Token", request)
        if not response.get("accessToken"):
            user = caller.user_id or "USER"
            raise ConfigError(
                f"User '{user}' has not authorized the workload identity '{caller.workload_name}' for "
                f"'{reference.name}' yet.",
                hint=f"run: agentcore-identity --backend aws login {reference.name} --user-id {user} "
                f"--workload-name {caller.workload_name}",
            )
        value = str(response["accessToken"])
        return Resolved(reference, value, jwt_expiry(value))

    def _local_oauth2(self, reference: Reference) -> Resolved:
        from agentcore_identity_cli.backends.local.oauth_tokens import OAuth2TokensMixin

        backend = self.backend()
        assert isinstance(backend, OAuth2TokensMixin)
        caller = self._caller(reference)
        result = backend.oauth2_token(
            reference.name,
            flow=reference.flow,
            scopes=list(reference.scopes) if reference.scopes is not None else None,
            workload=None if caller.default_workload else caller.workload_name,
            user_id=caller.user_id or os_user(),
            resources=list(reference.resources) or None,
            audiences=list(reference.audiences) or None,
            min_ttl=MIN_TTL_SECONDS,
        )
        return Resolved(reference, result.access_token, result.token.expires_at)

    # --- hints ----------------------------------------------------------------------------

    def _suggestion(self, reference: Reference) -> str | None:
        """did you mean, from the names that exist (the local backend already says it)."""
        operation, key = _LISTS[reference.kind]
        try:
            names = [str(item["name"]) for item in self.call(operation, {}).get(key, [])]
        except AgentCoreIdentityError:
            return None
        close = difflib.get_close_matches(reference.name, names, n=1)
        return f"did you mean '{close[0]}'?" if close else None


def jwt_expiry(token: str) -> float | None:
    """The `exp` claim of a JWT, read without checking anything (only to warn); None otherwise."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def short_lived(resolved: Iterable[Resolved], now: float | None = None) -> list[tuple[Resolved, int]]:
    """The values that expire within MIN_TTL_SECONDS, with the seconds they have left."""
    now = time.time() if now is None else now
    return [
        (item, max(0, int(item.expires_at - now)))
        for item in resolved
        if item.expires_at is not None and item.expires_at - now < MIN_TTL_SECONDS
    ]
