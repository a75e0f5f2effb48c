"""The data plane of the local backend: workload access tokens and resource credentials.

A workload proves who it is with a workload access token (signing.py) and exchanges it
for the credential it asks for. Every call checks the token: signature, expiry, and that
the workload identity still exists.

A token obtained for a user's JWT (GetWorkloadAccessTokenForJWT) can later be exchanged for
a token on the user's behalf (ON_BEHALF_OF_TOKEN_EXCHANGE), which needs that JWT again. The
JWT is sealed in the vault under the workload identity's record (field
``subjectToken:<expiry>:<jti>``, bound by the AEAD associated data) for as long as the
workload access token lives, and found again by the token's ``jti``; it never enters the
workload access token, an output or the audit trail. Expired ones are purged when the next
one is kept.
"""

from __future__ import annotations

import time
from typing import Any

from agentcore_identity_cli.backends.local.signing import SigningMixin, access_denied, token_ttl
from agentcore_identity_cli.backends.local.trust import TrustMixin

SUBJECT_FIELD = "subjectToken:"


class DataPlaneMixin(SigningMixin, TrustMixin):
    """GetWorkloadAccessToken*, GetResourceApiKey."""

    def get_workload_access_token(self, params: dict[str, Any]) -> dict[str, Any]:
        """GetWorkloadAccessToken: a token for the workload acting on its own behalf."""
        workload = self.require("workload", params["workloadName"])
        return {"workloadAccessToken": self.issue_workload_token(workload, None, {})}

    def get_workload_access_token_for_user_id(self, params: dict[str, Any]) -> dict[str, Any]:
        """GetWorkloadAccessTokenForUserId: a token for the workload acting for a user."""
        workload = self.require("workload", params["workloadName"])
        return {"workloadAccessToken": self.issue_workload_token(workload, params["userId"], {})}

    def get_workload_access_token_for_jwt(self, params: dict[str, Any]) -> dict[str, Any]:
        """GetWorkloadAccessTokenForJWT: the user is whoever a trusted issuer's token says."""
        import secrets

        workload = self.require("workload", params["workloadName"])
        claims = self.verify_user_token(params["userToken"])
        jti = secrets.token_urlsafe(16)
        extra = {"user_iss": claims["iss"], "jti": jti}
        with self.store.transaction():
            self._keep_subject_token(workload["name"], jti, params["userToken"])
            token = self.issue_workload_token(workload, str(claims["sub"]), extra)
        return {"workloadAccessToken": token}

    def _keep_subject_token(self, workload: str, jti: str, user_token: str) -> None:
        now = int(time.time())
        expiry = now + token_ttl() + 5
        for field in self.store.secret_fields("workload", workload, SUBJECT_FIELD):
            if int(field.split(":")[1]) < now:
                self.store.delete_secret("workload", workload, field)
        self.seal_secret("workload", workload, f"{SUBJECT_FIELD}{expiry}:{jti}", user_token)

    def subject_token(self, claims: dict[str, Any]) -> str:
        """The user's JWT a verified workload access token was obtained for; AccessDeniedException
        when it was obtained otherwise (by user id, or for no user)."""
        if "user_iss" not in claims or "jti" not in claims:
            how = "for a user id" if claims.get("user_id") else "for no user"
            raise access_denied(
                "ON_BEHALF_OF_TOKEN_EXCHANGE exchanges the user's JWT, so it needs a workload access token "
                f"obtained with GetWorkloadAccessTokenForJWT; this one was obtained {how}."
            )
        workload = str(claims["workload"])
        fields = self.store.secret_fields("workload", workload, SUBJECT_FIELD)
        hit = next((field for field in fields if field.endswith(f":{claims['jti']}")), None)
        if hit is None:
            raise access_denied("The user's JWT behind this workload access token is no longer kept; get a new token.")
        return self.open_secret("workload", workload, hit)

    def get_resource_api_key(self, params: dict[str, Any]) -> dict[str, Any]:
        """GetResourceApiKey: the API key of a provider, for a valid workload token."""
        self.verify_workload_token(params["workloadIdentityToken"])
        name = params["resourceCredentialProviderName"]
        self.require("apikey", name)
        return {"apiKey": self.open_secret("apikey", name, "apiKey")}
