"""The data plane of the local backend: workload access tokens and resource credentials.

A workload proves who it is with a workload access token (signing.py) and exchanges it
for the credential it asks for. Every call checks the token: signature, expiry, and that
the workload identity still exists.
"""

from __future__ import annotations

from typing import Any

from agentcore_identity_cli.backends.local.signing import SigningMixin
from agentcore_identity_cli.backends.local.trust import TrustMixin


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
        workload = self.require("workload", params["workloadName"])
        claims = self.verify_user_token(params["userToken"])
        extra = {"user_iss": claims["iss"]}
        return {"workloadAccessToken": self.issue_workload_token(workload, str(claims["sub"]), extra)}

    def get_resource_api_key(self, params: dict[str, Any]) -> dict[str, Any]:
        """GetResourceApiKey: the API key of a provider, for a valid workload token."""
        self.verify_workload_token(params["workloadIdentityToken"])
        name = params["resourceCredentialProviderName"]
        self.require("apikey", name)
        return {"apiKey": self.open_secret("apikey", name, "apiKey")}
