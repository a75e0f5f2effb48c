"""Workload identities: the identities agents run as."""

from __future__ import annotations

from typing import Any

from agentcore_identity_cli.backends.local import arns
from agentcore_identity_cli.backends.local.core import LocalCore, timestamp

KIND = "workload"
PAGE_LIMIT = 20  # ListWorkloadIdentities' maxResults ceiling


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": row["name"], "workloadIdentityArn": row["arn"]}
    urls = row["attrs"].get("allowedResourceOauth2ReturnUrls")
    if urls is not None:
        out["allowedResourceOauth2ReturnUrls"] = urls
    return out


def _full(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **_summary(row),
        "createdTime": timestamp(row["created"]),
        "lastUpdatedTime": timestamp(row["updated"]),
    }


def _listed(row: dict[str, Any]) -> dict[str, Any]:
    return {"name": row["name"], "workloadIdentityArn": row["arn"]}


class WorkloadsMixin(LocalCore):
    """CreateWorkloadIdentity and its siblings."""

    def create_workload_identity(self, params: dict[str, Any]) -> dict[str, Any]:
        """CreateWorkloadIdentity."""
        name = params["name"]
        with self.store.transaction():
            self.refuse_existing(KIND, name)
            attrs = {}
            if "allowedResourceOauth2ReturnUrls" in params:
                attrs["allowedResourceOauth2ReturnUrls"] = params["allowedResourceOauth2ReturnUrls"]
            row = self.store.insert(KIND, name, arns.workload_arn(name), attrs)
            if params.get("tags"):
                self.store.set_tags(row["arn"], params["tags"])
        return _summary(row)

    def get_workload_identity(self, params: dict[str, Any]) -> dict[str, Any]:
        """GetWorkloadIdentity."""
        return _full(self.require(KIND, params["name"]))

    def update_workload_identity(self, params: dict[str, Any]) -> dict[str, Any]:
        """UpdateWorkloadIdentity: the return URLs are replaced by the given list."""
        name = params["name"]
        with self.store.transaction():
            row = self.require(KIND, name)
            attrs = dict(row["attrs"])
            if "allowedResourceOauth2ReturnUrls" in params:
                attrs["allowedResourceOauth2ReturnUrls"] = params["allowedResourceOauth2ReturnUrls"]
            else:
                attrs.pop("allowedResourceOauth2ReturnUrls", None)
            self.store.update(KIND, name, attrs)
            updated = self.require(KIND, name)
        return _full(updated)

    def delete_workload_identity(self, params: dict[str, Any]) -> dict[str, Any]:
        """DeleteWorkloadIdentity."""
        return self.delete_resource(KIND, params["name"])

    def list_workload_identities(self, params: dict[str, Any]) -> dict[str, Any]:
        """ListWorkloadIdentities."""
        return self.list_resources(
            KIND,
            params,
            PAGE_LIMIT,
            "workloadIdentities",
            lambda r: {"name": r["name"], "workloadIdentityArn": r["arn"]},
        )
