"""Least privilege on the local vault: access policies of workload identities, enforced.

A local-only extension (on AWS, IAM decides): each workload identity may have one access
policy in the IAM policy language (agentcore_identity_cli/policy/). Once the vault holds any
policy, or was made with `vault init --default-deny`, every data-plane call is decided as
IAM decides it: an explicit Deny wins, then an Allow is needed. A vault without policies
allows everything, as before.

The check is a layer in front of the data plane: this mixin comes first in LocalBackend's
bases, so each data-plane method checks and then calls the one it overrides (super()), and
`oauth2_token` (the engine `token`, `run`/`inject` and the Python API use on the local vault)
is checked the same way. Whoever asks for a workload's token acts as that workload, so the
workload-token calls are decided on the named workload's own ARN. A refusal is an
AccessDeniedException naming the action and resource; the operation's audit event records it
with that outcome.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from agentcore_identity_cli.auditlog import CHANGE, SECRET_READ
from agentcore_identity_cli.backends.local import arns
from agentcore_identity_cli.backends.local.dataplane import DataPlaneMixin
from agentcore_identity_cli.backends.local.oauth_tokens import (
    DeviceLogin,
    OAuth2TokensMixin,
    TokenResult,
    UserAuthorization,
)
from agentcore_identity_cli.backends.local.payments import PaymentsMixin
from agentcore_identity_cli.backends.local.sessions import SessionsMixin
from agentcore_identity_cli.backends.local.signing import access_denied
from agentcore_identity_cli.errors import ServiceError, not_found, validation
from agentcore_identity_cli.oauth.tokens import REFRESH_MARGIN
from agentcore_identity_cli.policy import actions
from agentcore_identity_cli.policy.document import Policy, parse_policy
from agentcore_identity_cli.policy.evaluate import Decision, evaluate

POLICY = "accesspolicy"  # kind of the rows that keep policies, named after their workload
DEFAULT_DENY = "access_default_deny"  # meta key: "1" when the vault denies without a policy
DEFAULT_ALLOW_MODE = "default-allow"
ENFORCING_MODE = "enforcing"
DEFAULT_DENY_MODE = "default-deny"


@contextmanager
def _named(operation: str) -> Iterator[None]:
    """Errors of these local operations (called directly, not through `invoke`) name the operation,
    so that they read like every other: "when calling the PutWorkloadAccessPolicy operation"."""
    try:
        yield
    except ServiceError as exc:
        exc.operation = exc.operation or operation
        raise


def policy_arn(workload: str) -> str:
    """The key of a policy row; not a resource ARN the service knows, so arns.parse ignores it
    (it cannot be tagged or mistaken for a workload identity)."""
    return f"arn:{arns.PARTITION}:{arns.SERVICE}:{arns.REGION}:{arns.ACCOUNT}:local-access-policy/{workload}"


class AccessMixin(SessionsMixin, DataPlaneMixin, OAuth2TokensMixin, PaymentsMixin):
    """Access policies of workload identities, and the check in front of every data-plane call."""

    # --- the policies -------------------------------------------------------------------

    def put_workload_access_policy(self, workload: str, document: str | dict[str, Any]) -> dict[str, Any]:
        """Attach (or replace) the access policy of a workload identity."""
        with _named("PutWorkloadAccessPolicy"):
            policy = parse_policy(document)  # validated before anything is recorded
        text = json.dumps(policy.document, sort_keys=True)
        with (
            _named("PutWorkloadAccessPolicy"),
            self.audited("PutWorkloadAccessPolicy", workload=workload, category=CHANGE),
        ):
            self.require("workload", workload)
            if self.store.get(POLICY, workload) is None:
                self.store.insert(POLICY, workload, policy_arn(workload), {"document": text})
            else:
                self.store.update(POLICY, workload, {"document": text})
        return self.get_workload_access_policy(workload)

    def get_workload_access_policy(self, workload: str) -> dict[str, Any]:
        """The access policy of a workload identity; ResourceNotFoundException when it has none."""
        with _named("GetWorkloadAccessPolicy"):
            self.require("workload", workload)
            row = self.store.get(POLICY, workload)
            if row is None:
                raise not_found("Access policy of workload identity", workload, hint=self._put_hint(workload))
        return {
            "workloadName": workload,
            "workloadIdentityArn": arns.workload_arn(workload),
            "policyDocument": json.loads(row["attrs"]["document"]),
            "lastUpdatedTime": datetime.fromtimestamp(row["updated"], tz=UTC),
        }

    def delete_workload_access_policy(self, workload: str) -> dict[str, Any]:
        """Detach the access policy of a workload identity."""
        with (
            _named("DeleteWorkloadAccessPolicy"),
            self.audited("DeleteWorkloadAccessPolicy", workload=workload, category=CHANGE),
        ):
            self.require("workload", workload)
            row = self.store.get(POLICY, workload)
            if row is None:
                raise not_found("Access policy of workload identity", workload)
            self.store.delete(POLICY, workload, row["arn"])
        return {}

    def workload_access_policies(self) -> dict[str, dict[str, Any]]:
        """Every attached policy document, by workload name (for `export`)."""
        rows = self.store.page(POLICY, None, self.store.count(POLICY) + 1)
        return {row["name"]: json.loads(row["attrs"]["document"]) for row in rows}

    def workload_policy(self, workload: str) -> Policy | None:
        """The parsed policy of a workload identity, None when it has none."""
        row = self.store.get(POLICY, workload)
        return parse_policy(row["attrs"]["document"]) if row else None

    def forget_owned(self, kind: str, name: str) -> None:
        # A workload identity's policy goes with it, as an inline IAM policy goes with its role.
        if kind == "workload":
            row = self.store.get(POLICY, name)
            if row is not None:
                self.store.delete(POLICY, name, row["arn"])
        super().forget_owned(kind, name)

    # --- the mode ---------------------------------------------------------------------------

    def access_mode(self) -> str:
        """default-deny (made so), enforcing (it holds a policy) or default-allow (as before policies)."""
        if self.store.meta(DEFAULT_DENY) == "1":
            return DEFAULT_DENY_MODE
        return ENFORCING_MODE if self.store.count(POLICY) else DEFAULT_ALLOW_MODE

    def set_default_deny(self) -> None:
        """Make the vault deny every data-plane call that no policy allows, from now on."""
        with self.audited("SetVaultDefaultDeny", target=arns.token_vault_arn(), category=CHANGE):
            self.store.set_meta(DEFAULT_DENY, "1")

    # --- decisions --------------------------------------------------------------------------

    def request_context(self, workload: str, resource: str) -> dict[str, str]:
        """The condition keys of a request, lower-cased: tags of the resource and of the caller, the time."""
        now = time.time()
        context = {
            "aws:currenttime": datetime.fromtimestamp(now, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:epochtime": str(int(now)),
        }
        for key, value in self.store.tags(resource).items():
            context[f"aws:resourcetag/{key.lower()}"] = value
        for key, value in self.store.tags(arns.workload_arn(workload)).items():
            context[f"aws:principaltag/{key.lower()}"] = value
        return context

    def decide(self, workload: str, action: str, resource: str) -> Decision:
        """What the vault decides for `workload` calling `action` on `resource` (nothing recorded)."""
        mode = self.access_mode()
        if mode == DEFAULT_ALLOW_MODE:
            return evaluate(None, action, resource, enforcing=False, workload=workload)
        context = self.request_context(workload, resource)
        return evaluate(self.workload_policy(workload), action, resource, context, workload=workload)

    def authorize(self, workload: str, action: str, resource: str, *, operation: str | None = None) -> None:
        """AccessDeniedException unless the vault allows the call; the audit event names both.

        Inside an operation its event records the refusal; alone (the OAuth2 engine called
        directly), a refusal is recorded as one `operation` event.
        """
        self.audit_caller(workload)
        self.audit_target(resource)
        decision = self.decide(workload, action, resource)
        if decision.allowed:
            return
        error = access_denied(
            f"Workload identity '{workload}' is not authorized to perform: {decision.action} on resource: "
            f"{resource} because {decision.reason}."
        )
        if decision.statement is None:  # implicit: say how to allow it; an explicit Deny is deliberate
            error.hint = (
                self._put_hint(workload)
                if self.store.get(POLICY, workload) is None
                else f"add an Allow statement for it to the policy (get-workload-access-policy --workload-name "
                f"{workload}); simulate-access shows what decides"
            )
        if self._audit_scope is None and operation is not None:
            with self.audited(operation, workload=workload, target=resource, category=SECRET_READ):
                raise error
        raise error

    @staticmethod
    def _put_hint(workload: str) -> str:
        return (
            f"attach one with: agentcore-identity put-workload-access-policy --workload-name {workload} "
            "--policy-document file://policy.json (see docs/security.md, Least privilege)"
        )

    def _authorize_provider(self, claims: dict[str, Any], kind: str, name: str) -> None:
        self.authorize(str(claims["workload"]), actions.PROVIDER_ACTIONS[kind], arns.provider_arn(kind, name))

    # --- the checked data plane -------------------------------------------------------------

    def get_workload_access_token(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["workloadName"]
        self.authorize(name, actions.GET_WORKLOAD_ACCESS_TOKEN, arns.workload_arn(name))
        return super().get_workload_access_token(params)

    def get_workload_access_token_for_user_id(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["workloadName"]
        self.authorize(name, actions.GET_WORKLOAD_ACCESS_TOKEN_FOR_USER_ID, arns.workload_arn(name))
        return super().get_workload_access_token_for_user_id(params)

    def get_workload_access_token_for_jwt(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["workloadName"]
        self.authorize(name, actions.GET_WORKLOAD_ACCESS_TOKEN_FOR_JWT, arns.workload_arn(name))
        return super().get_workload_access_token_for_jwt(params)

    def get_resource_api_key(self, params: dict[str, Any]) -> dict[str, Any]:
        claims = self.verify_workload_token(params["workloadIdentityToken"])
        self._authorize_provider(claims, "apikey", params["resourceCredentialProviderName"])
        return super().get_resource_api_key(params)

    def get_resource_oauth2_token(self, params: dict[str, Any]) -> dict[str, Any]:
        claims = self.verify_workload_token(params["workloadIdentityToken"])
        self._authorize_provider(claims, "oauth2", params["resourceCredentialProviderName"])
        return super().get_resource_oauth2_token(params)

    def get_resource_payment_token(self, params: dict[str, Any]) -> dict[str, Any]:
        claims = self.verify_workload_token(params["workloadIdentityToken"])
        self._authorize_provider(claims, "payment", params["resourceCredentialProviderName"])
        return super().get_resource_payment_token(params)

    def oauth2_token(
        self,
        provider: str,
        *,
        flow: str | None = None,
        scopes: list[str] | None = None,
        workload: str | None = None,
        user_id: str | None = None,
        force: bool = False,
        resources: list[str] | None = None,
        audiences: list[str] | None = None,
        subject_token: str | None = None,
        min_ttl: float = REFRESH_MARGIN,
    ) -> TokenResult:
        """The OAuth2 engine's entry point (`token`, `run`, the Python API), checked like GetResourceOauth2Token."""
        name = self.resolve_workload(workload)
        arn = arns.provider_arn("oauth2", provider)
        self.authorize(name, actions.GET_RESOURCE_OAUTH2_TOKEN, arn, operation="OAuth2Token")
        # SessionsMixin declares oauth2_token as Any; the engine's answer is a TokenResult.
        result: TokenResult = super().oauth2_token(
            provider,
            flow=flow,
            scopes=scopes,
            workload=name,
            user_id=user_id,
            force=force,
            resources=resources,
            audiences=audiences,
            subject_token=subject_token,
            min_ttl=min_ttl,
        )
        return result

    def begin_user_authorization(
        self,
        provider: str,
        *,
        redirect_uri: str,
        scopes: list[str] | None = None,
        workload: str | None = None,
        user_id: str | None = None,
        extra: Sequence[tuple[str, str]] = (),
    ) -> UserAuthorization:
        """`login`: refused before the browser opens when the workload may not use the provider
        (the token it would store could never be handed out)."""
        name = self._login_allowed(provider, workload)
        started: UserAuthorization = super().begin_user_authorization(
            provider, redirect_uri=redirect_uri, scopes=scopes, workload=name, user_id=user_id, extra=extra
        )
        return started

    def begin_device_authorization(
        self,
        provider: str,
        *,
        scopes: list[str] | None = None,
        workload: str | None = None,
        user_id: str | None = None,
    ) -> DeviceLogin:
        """`login --device`: refused before a code is asked for, as a browser login is."""
        name = self._login_allowed(provider, workload)
        return super().begin_device_authorization(provider, scopes=scopes, workload=name, user_id=user_id)

    def _login_allowed(self, provider: str, workload: str | None) -> str:
        name = self.resolve_workload(workload)
        arn = arns.provider_arn("oauth2", provider)
        self.authorize(name, actions.GET_RESOURCE_OAUTH2_TOKEN, arn, operation="OAuth2Login")
        return name

    # --- review -----------------------------------------------------------------------------

    def simulate_access(self, workload: str, action: str, resource: str) -> dict[str, Any]:
        """The decision for one request, as IAM's policy simulator answers it (nothing recorded)."""
        with _named("SimulateAccess"):
            self.require("workload", workload)
        action = actions.qualified(action)
        _check_request(action, resource)
        decision = self.decide(workload, action, resource)
        return {"workloadName": workload, "accessMode": self.access_mode(), **decision.output()}


def _check_request(action: str, resource: str) -> None:
    """ValidationException unless the simulated request names one known action and one ARN: the
    policy's own checks, without wildcards (a request is concrete)."""
    import re

    if any(c in action + resource for c in "*?"):
        error = validation("simulate-access takes one action and one resource ARN, without wildcards.")
    else:
        try:
            parse_policy({"Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
            return
        except ServiceError as exc:
            flags = {"Action": "--action", "Resource": "--resource"}
            message = re.sub(r"Statement\[0\]\.(Action|Resource)\[0\]", lambda m: flags[m[1]], exc.message)
            error = validation(message.replace(" (wildcards * and ? allowed), or '*'", ""))
    error.operation = "SimulateAccess"
    raise error
