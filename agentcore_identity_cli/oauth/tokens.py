"""Tokens as the engine keeps them: the secret part (sealed in the vault) apart from the rest.

A :class:`TokenSet` is built from a normalised token response. Its secret values (access,
refresh and ID tokens) travel as one sealed bundle; everything else (type, scope, expiry,
vendor extras such as Salesforce's ``instance_url``) stays readable so that expiry checks
and listings need no key. :meth:`TokenSet.describe` is the safe view printed by ``token
--output json``: the access token under ``accessToken`` and no other secret.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Seconds before expiry at which a token counts as expired: it is refreshed (or fetched
# again) then, so a caller never receives a token that dies in flight.
REFRESH_MARGIN = 60.0

_SECRET_FIELDS = ("access_token", "refresh_token", "id_token")
# Response members never kept readable or printed, whatever the vendor calls them.
_SECRET_MARKERS = ("token", "secret", "code", "signature", "password")


@dataclass
class TokenSet:
    """One token response, normalised."""

    access_token: str
    token_type: str = "Bearer"
    refresh_token: str | None = None
    id_token: str | None = None
    expires_at: float | None = None
    scope: str | None = None
    obtained_at: float = field(default_factory=time.time)
    extras: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_response(cls, data: dict[str, Any], *, now: float | None = None) -> TokenSet:
        """A token set from a token endpoint's (normalised) JSON answer."""
        now = time.time() if now is None else now
        access = data.get("access_token")
        if not isinstance(access, str) or not access:
            from agentcore_identity_cli.oauth.http import OAuthNetworkError

            raise OAuthNetworkError("The token endpoint answered without an access_token.")
        expires_at: float | None = None
        expires_in = data.get("expires_in")
        try:
            if expires_in not in (None, ""):
                expires_at = now + float(expires_in)
        except (TypeError, ValueError):
            expires_at = None
        extras = {
            key: value
            for key, value in data.items()
            if key not in ("token_type", "expires_in", "scope", "expires_at")
            and isinstance(value, (str, int, float, bool))
            and not any(marker in key.lower() for marker in _SECRET_MARKERS)
        }
        scope = data.get("scope")
        return cls(
            access_token=access,
            token_type=str(data.get("token_type") or "Bearer"),
            refresh_token=_opt(data.get("refresh_token")),
            id_token=_opt(data.get("id_token")),
            expires_at=expires_at,
            scope=scope if isinstance(scope, str) else None,
            obtained_at=now,
            extras=extras,
        )

    def expires_within(self, seconds: float, *, now: float | None = None) -> bool:
        """True when the token is expired or expires within `seconds`; unknown expiry never expires."""
        if self.expires_at is None:
            return False
        return self.expires_at - (time.time() if now is None else now) <= seconds

    @property
    def fresh(self) -> bool:
        """Good for at least REFRESH_MARGIN more seconds."""
        return not self.expires_within(REFRESH_MARGIN)

    # --- storage ------------------------------------------------------------------

    def secret_bundle(self) -> str:
        """The secret values, as the one string that is sealed in the vault."""
        return json.dumps({k: getattr(self, k) for k in _SECRET_FIELDS if getattr(self, k)}, sort_keys=True)

    def public_attrs(self) -> dict[str, Any]:
        """Everything but the secrets, kept readable in the vault."""
        return {
            "tokenType": self.token_type,
            "expiresAt": self.expires_at,
            "scope": self.scope,
            "obtainedAt": self.obtained_at,
            "extras": self.extras,
            "hasRefreshToken": self.refresh_token is not None,
        }

    @classmethod
    def from_storage(cls, attrs: dict[str, Any], bundle: str) -> TokenSet:
        """Inverse of public_attrs + secret_bundle."""
        secrets = json.loads(bundle)
        return cls(
            access_token=secrets["access_token"],
            refresh_token=secrets.get("refresh_token"),
            id_token=secrets.get("id_token"),
            token_type=attrs.get("tokenType") or "Bearer",
            expires_at=attrs.get("expiresAt"),
            scope=attrs.get("scope"),
            obtained_at=attrs.get("obtainedAt") or time.time(),
            extras=dict(attrs.get("extras") or {}),
        )

    # --- output -------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """The safe fields with the access token under `accessToken` (what `token --output json` prints)."""
        out: dict[str, Any] = {"accessToken": self.access_token, "tokenType": self.token_type}
        if self.expires_at is not None:
            out["expiresAt"] = datetime.fromtimestamp(self.expires_at, tz=UTC).replace(microsecond=0)
            out["expiresIn"] = max(0, int(self.expires_at - time.time()))
        if self.scope:
            out["scope"] = self.scope
        for key, value in sorted(self.extras.items()):
            out.setdefault(_camel(key), value)
        return out


def _opt(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
