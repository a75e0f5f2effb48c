"""Consent portals on the local vault: CreateConsentPortal and its siblings, and the local connections.

A consent portal is a page where an end user signs in with the organisation's OpenID Connect
provider (`idpConfig`: an OAuth2 credential provider of this vault and the scopes to ask) and
connects the downstream accounts an agent may use on their behalf. On AWS the accounts to
connect come from the portal's source, an AgentCore gateway and its targets; a gateway cannot
be resolved locally, so the `sources` are kept and shown as given, and the portal's
connections are named by a local-only setting instead (`--local-connections`): OAuth2
credential providers of this vault, in the `consent_portal_connections` table, with the
workload identity whose tokens they are (`--local-workload-name`; by default the default
workload identity, `local-<OS user>`). `executionRoleArn` is kept and shown, and not used:
there is no IAM here.

A portal is a row of `resources` (kind `consentportal`) named by the portal's name; its id is
the name, '-' and ten random letters and digits, so a portal deleted and created again under
the same name gets another id and ARN, as on AWS. Its `portalUrl` is its page on `serve`
(server/portal.py), at serve's own address while the vault is served, else at serve's default
one. Nothing has to be provisioned, so a portal is ACTIVE once made: the create and update
responses report CREATING and UPDATING, as the service does, and every read afterwards ACTIVE.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

from agentcore_identity_cli.auditlog import CHANGE
from agentcore_identity_cli.backends.local import arns
from agentcore_identity_cli.backends.local.core import LocalCore, timestamp
from agentcore_identity_cli.errors import ServiceError, not_found, validation

KIND = "consentportal"
OAUTH2 = "oauth2"
WORKLOAD = "workload"
PAGE_LIMIT = 100  # ListConsentPortals' maxResults ceiling
ID_SUFFIX_LENGTH = 10
_ID_ALPHABET = string.ascii_letters + string.digits
CREATING, ACTIVE, UPDATING = "CREATING", "ACTIVE", "UPDATING"
# The vendors AWS documents as OAuth2-only: they can back a connection, not a portal's sign-in.
OAUTH2_ONLY_VENDORS = ("GithubOauth2", "SlackOauth2", "SalesforceOauth2", "AtlassianOauth2", "LinkedinOauth2")
# The members of a portal kept as the request gave them (and returned as they were given).
_KEPT = ("executionRoleArn", "idpConfig", "sources", "description")


@dataclass(frozen=True)
class LocalConnections:
    """What a portal connects locally: OAuth2 credential providers, for one workload identity."""

    providers: tuple[str, ...]
    workload: str | None  # None: the default workload identity (local-<OS user>)


def _new_id(name: str) -> str:
    suffix = "".join(secrets.choice(_ID_ALPHABET) for _ in range(ID_SUFFIX_LENGTH))
    return f"{name}-{suffix}"


def _identifier_id(identifier: str) -> str | None:
    """The portal id an identifier (an id, or a portal ARN of this vault) names; None for another ARN."""
    if not identifier.startswith("arn:"):
        return identifier
    parsed = arns.parse(identifier)
    return parsed[1] if parsed is not None and parsed[0] == KIND else None


class ConsentPortalsMixin(LocalCore):
    """The consent portal operations, and the local connections of a portal."""

    # --- the operations ---------------------------------------------------------------

    def create_consent_portal(self, params: dict[str, Any]) -> dict[str, Any]:
        """CreateConsentPortal: the portal, ACTIVE at once; the response says CREATING, as the service's."""
        name = params["name"]
        portal_id = _new_id(name)
        arn = arns.consent_portal_arn(portal_id)
        self.audit_target(arn)
        with self.store.transaction():
            self._idp_provider(params["idpConfig"])
            self.refuse_existing(KIND, name)
            attrs = {"id": portal_id, **{key: params[key] for key in _KEPT if key in params}}
            row = self.store.insert(KIND, name, arn, attrs)
            if params.get("tags"):
                self.store.set_tags(row["arn"], params["tags"])
        return self._full(row, CREATING)

    def get_consent_portal(self, params: dict[str, Any]) -> dict[str, Any]:
        """GetConsentPortal."""
        return self._full(self.consent_portal(params["consentPortalIdentifier"]), ACTIVE)

    def update_consent_portal(self, params: dict[str, Any]) -> dict[str, Any]:
        """UpdateConsentPortal: the members given replace the stored ones; the others stay."""
        with self.store.transaction():
            row = self.consent_portal(params["consentPortalIdentifier"])
            if "idpConfig" in params:
                self._idp_provider(params["idpConfig"])
            attrs = {**row["attrs"], **{key: params[key] for key in _KEPT if key in params}}
            self.store.update(KIND, row["name"], attrs)
            row = self.require(KIND, row["name"])
        return self._full(row, UPDATING)

    def delete_consent_portal(self, params: dict[str, Any]) -> dict[str, Any]:
        """DeleteConsentPortal: the portal, its local connections and its tags. The tokens users
        connected stay: they belong to the workload identity, whose agent uses them."""
        with self.store.transaction():
            row = self.consent_portal(params["consentPortalIdentifier"])
            return self.delete_resource(KIND, row["name"])

    def list_consent_portals(self, params: dict[str, Any]) -> dict[str, Any]:
        """ListConsentPortals."""
        return self.list_resources(KIND, params, PAGE_LIMIT, "consentPortals", self._summary)

    # --- the local connections (a local-only extension) --------------------------------

    def set_consent_portal_connections(
        self, identifier: str, providers: list[str] | None, workload: str | None, *, set_workload: bool
    ) -> LocalConnections:
        """Name the OAuth2 credential providers a portal connects (None: keep them), and the workload
        identity their tokens are kept for (when `set_workload`; None: the default one)."""
        with self.audited("SetConsentPortalConnections", category=CHANGE):
            row = self.consent_portal(identifier)
            if providers is not None:
                repeated = sorted({name for name in providers if providers.count(name) > 1})
                if repeated:
                    raise validation(f"A connection is named more than once: {', '.join(repeated)}.")
                for provider in providers:
                    self.require(OAUTH2, provider)
                self.store.db.execute("DELETE FROM consent_portal_connections WHERE portal = ?", (row["name"],))
                self.store.db.executemany(
                    "INSERT INTO consent_portal_connections (portal, provider, position) VALUES (?, ?, ?)",
                    [(row["name"], provider, index) for index, provider in enumerate(providers)],
                )
            if set_workload:
                if workload is not None:
                    self.require(WORKLOAD, workload)
                attrs = {key: value for key, value in row["attrs"].items() if key != "localWorkloadName"}
                if workload is not None:
                    attrs["localWorkloadName"] = workload
                self.store.update(KIND, row["name"], attrs)
            return self.consent_portal_connections(self.require(KIND, row["name"]))

    def consent_portal_connections(self, row: dict[str, Any]) -> LocalConnections:
        """The local connections of a portal row."""
        providers = self.store.db.execute(
            "SELECT provider FROM consent_portal_connections WHERE portal = ? ORDER BY position", (row["name"],)
        ).fetchall()
        workload = row["attrs"].get("localWorkloadName")
        return LocalConnections(tuple(str(name) for (name,) in providers), workload if workload else None)

    # --- rows -------------------------------------------------------------------------

    def consent_portal(self, identifier: str) -> dict[str, Any]:
        """The row of the portal an id or ARN names; ResourceNotFoundException otherwise."""
        portal_id = _identifier_id(identifier)
        if portal_id:
            self.audit_target(arns.consent_portal_arn(portal_id))
        name = portal_id[: -(ID_SUFFIX_LENGTH + 1)] if portal_id else None
        row = self.store.get(KIND, name) if name else None
        if row is None or row["attrs"].get("id") != portal_id:
            raise not_found(
                "Consent portal", identifier, hint="run 'agentcore-identity list-consent-portals' to see the ids"
            )
        return row

    def _idp_provider(self, idp: dict[str, Any]) -> dict[str, Any]:
        """The OAuth2 credential provider of idpConfig: one of this vault's, able to sign users in."""
        arn = idp["credentialProviderArn"]
        parsed = arns.parse(arn)
        if parsed is None or parsed[0] != OAUTH2:
            raise ServiceError(
                "ValidationException",
                f"idpConfig.credentialProviderArn {arn} is not the ARN of an OAuth2 credential provider "
                "of the local vault.",
                hint="use the credentialProviderArn that get-oauth2-credential-provider prints",
            )
        row = self.require(OAUTH2, parsed[1])
        vendor = row["attrs"].get("vendor")
        if vendor in OAUTH2_ONLY_VENDORS:
            raise validation(
                f"OAuth2 credential provider '{row['name']}' ({vendor}) cannot sign users in to a consent portal: "
                "it is not an OpenID Connect provider. It can be one of the portal's connections instead."
            )
        return row

    def _summary(self, row: dict[str, Any]) -> dict[str, Any]:
        return self._out(row, ACTIVE, full=False)

    def _full(self, row: dict[str, Any], status: str) -> dict[str, Any]:
        return self._out(row, status, full=True)

    def _out(self, row: dict[str, Any], status: str, *, full: bool) -> dict[str, Any]:
        """A portal in the members' order of the API's shapes (ConsentPortalSummary without the
        execution role and idpConfig)."""
        attrs = row["attrs"]
        out: dict[str, Any] = {
            "sources": attrs["sources"],
            "consentPortalArn": row["arn"],
            "consentPortalId": attrs["id"],
            "createdAt": timestamp(row["created"]),
        }
        if "description" in attrs:
            out["description"] = attrs["description"]
        if full:
            out["executionRoleArn"] = attrs["executionRoleArn"]
            out["idpConfig"] = attrs["idpConfig"]
        out["name"] = row["name"]
        out["portalUrl"] = arns.portal_url(attrs["id"], self.callback_base)
        out["status"] = status
        out["updatedAt"] = timestamp(row["updated"])
        return out
