"""Who is asking: the workload identity and user id that credentials are fetched for.

First match wins: an explicit argument (flag or Python argument), then the environment
(`AGENTCORE_IDENTITY_WORKLOAD_NAME`, `AGENTCORE_IDENTITY_USER_ID`), then the profile
(`workload_name`, `user_id`), then the defaults: on the local backend a workload identity
named after the OS user (`local-<user>`), created on first use, and the OS user name as the
user id.
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agentcore_identity_cli.config import Settings
from agentcore_identity_cli.errors import ConfigError, ServiceError

ENV_WORKLOAD = "AGENTCORE_IDENTITY_WORKLOAD_NAME"
ENV_USER = "AGENTCORE_IDENTITY_USER_ID"


def os_user() -> str:
    """The name of the OS user running this process."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid-{os.getuid()}"


def default_workload_name() -> str:
    """`local-<user>`, reduced to the characters a workload name allows."""
    return "local-" + (re.sub(r"[^A-Za-z0-9_.-]", "-", os_user()) or "user")


@dataclass(frozen=True)
class Caller:
    """The workload identity and user a credential is fetched for."""

    workload_name: str
    user_id: str | None
    default_workload: bool


def resolve_caller(settings: Settings, workload_name: str | None = None, user_id: str | None = None) -> Caller:
    """Arguments, then environment, then profile, then the local defaults."""
    profile = settings.profile_values
    workload = workload_name or os.environ.get(ENV_WORKLOAD) or profile.get("workload_name")
    user = user_id or os.environ.get(ENV_USER) or profile.get("user_id")
    if workload:
        return Caller(str(workload), str(user) if user else None, False)
    if settings.backend != "local":
        raise ConfigError(
            "No workload identity is configured for the aws backend.",
            hint=f"pass --workload-name, set {ENV_WORKLOAD}, or run: "
            "agentcore-identity configure set workload_name NAME",
        )
    return Caller(default_workload_name(), str(user) if user else os_user(), True)


Call = Callable[[str, dict[str, Any]], dict[str, Any]]


def workload_token(call: Call, caller: Caller) -> str:
    """A workload access token for the caller, creating the default local workload if needed.

    `call(operation, params)` runs one validated operation on the backend. The default
    workload is looked up (a read, which the audit trail does not record) and created before
    the token is asked for, so a first use records the creation, not a failed token request.
    """
    if caller.default_workload:
        _ensure_workload(call, caller.workload_name)
    return _token(call, caller)


def _ensure_workload(call: Call, name: str) -> None:
    try:
        call("GetWorkloadIdentity", {"name": name})
        return
    except ServiceError as exc:
        if exc.code != "ResourceNotFoundException":
            raise
    try:
        call("CreateWorkloadIdentity", {"name": name})
    except ServiceError as exc:
        if exc.code != "ConflictException":  # another process made it first: fine
            raise


def _token(call: Call, caller: Caller) -> str:
    if caller.user_id is None:
        response = call("GetWorkloadAccessToken", {"workloadName": caller.workload_name})
    else:
        response = call(
            "GetWorkloadAccessTokenForUserId", {"workloadName": caller.workload_name, "userId": caller.user_id}
        )
    return str(response["workloadAccessToken"])
