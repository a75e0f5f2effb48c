"""User-federation sessions: GetResourceOauth2Token, CompleteResourceTokenAuth, on the local vault.

The service's sequence, reproduced on one machine:

1. An agent asks `get-resource-oauth2-token --oauth2-flow USER_FEDERATION` with a workload
   access token for a user. With a stored token for (workload, provider, user, scopes), it
   gets the token (refreshed if needed). Otherwise, or with `--force-authentication`, it
   gets an `authorizationUrl`, a `sessionUri` (`urn:ietf:params:oauth:request_uri:...`) and
   `sessionStatus: IN_PROGRESS`.
2. The user opens the URL. The provider redirects to the provider's callback URL,
   `.../identities/oauth2/callback/<uuid>` (fixed when the session starts). With `serve`
   running, that is serve's own address, and serve is the callback, as the service is
   (server/callback.py): it checks `state`, exchanges the code with the PKCE verifier, keeps
   the tokens sealed in the session, not yet under any user ("AUTHORIZED"), and sends the
   browser on to the session's `resourceOauth2ReturnUrl` with `session_id=<sessionUri>`
   (and `state=<customState>` when one was given). Without `serve` the callback is on a
   loopback port chosen when the session starts, where
   `agentcore-identity login PROVIDER --session-uri S` listens and does the same.
3. The application confirms who consented: `complete-resource-token-auth --session-uri S
   --user-identifier userId=U` (or `userToken=JWT` from a trusted issuer). The user must be
   the one the session was started for; the tokens then move to (workload, provider, user,
   scopes), and the session is COMPLETED. This step is what stops a user from planting
   their consent into someone else's session.
4. The agent asks again with `--session-uri S` and receives the access token.

Sessions live ten minutes. A session is a row of kind "session" whose secrets (state,
PKCE verifier, the authorization URL, which carries the state, and the tokens in between) are
sealed like every other secret; deleting the provider or the workload identity deletes its
sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from agentcore_identity_cli.backends.local import arns
from agentcore_identity_cli.backends.local.core import LocalCore
from agentcore_identity_cli.errors import ServiceError, not_found, validation

KIND = "session"
URI_PREFIX = "urn:ietf:params:oauth:request_uri:"
SESSION_TTL_SECONDS = 600
IN_PROGRESS, AUTHORIZED, COMPLETED, FAILED = "IN_PROGRESS", "AUTHORIZED", "COMPLETED", "FAILED"


def _free_loopback_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _state_digest(state: str) -> str:
    """What a session keeps in the clear to be found by its `state` (the state itself is sealed)."""
    return hashlib.sha256(state.encode()).hexdigest()


def _with_query(url: str, session_uri: str, custom_state: str | None, error: str | None = None) -> str:
    """The return URL with `session_id` (and `state`, the caller's customState; `error`, the
    provider's refusal) added to its query."""
    parts = urlsplit(url)
    extra = [("session_id", session_uri)]
    if custom_state is not None:
        extra.append(("state", custom_state))
    if error is not None:
        extra.append(("error", error if re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", error) else "server_error"))
    query = "&".join(q for q in (parts.query, urlencode(extra)) if q)
    return urlunsplit(parts._replace(query=query))


def _access_denied(message: str) -> ServiceError:
    return ServiceError("AccessDeniedException", message)


class SessionsMixin(LocalCore):
    """Sessions of the user-federation flow (needs the OAuth engine and the signing mixins)."""

    # Provided by the other mixins of LocalBackend.
    begin_user_authorization: Any
    oauth2_token: Any
    verify_workload_token: Any
    verify_user_token: Any
    subject_token: Any
    _store_user_token: Any
    _with_client: Any

    # --- the data-plane operations --------------------------------------------------

    def get_resource_oauth2_token(self, params: dict[str, Any]) -> dict[str, Any]:
        """GetResourceOauth2Token: M2M, or a user's token, or a session to obtain one."""
        claims = self.verify_workload_token(params["workloadIdentityToken"])
        provider = params["resourceCredentialProviderName"]
        self.require("oauth2", provider)
        workload = str(claims["workload"])
        user = claims.get("user_id")
        scopes = list(params.get("scopes") or [])
        flow = params["oauth2Flow"]
        targets = {"resources": params.get("resources"), "audiences": params.get("audiences")}
        if flow == "M2M":
            result = self.oauth2_token(
                provider, flow="M2M", scopes=scopes or None, workload=workload, user_id=user, **targets
            )
            return {"accessToken": result.access_token}
        if flow == "ON_BEHALF_OF_TOKEN_EXCHANGE":
            subject = self.subject_token(claims)
            result = self.oauth2_token(
                provider,
                flow=flow,
                scopes=scopes or None,
                workload=workload,
                user_id=user,
                subject_token=subject,
                **targets,
            )
            return {"accessToken": result.access_token}
        if flow != "USER_FEDERATION":
            raise validation(f"The local backend does not support oauth2Flow {flow}.")
        if user is None:
            raise validation(
                "USER_FEDERATION needs a workload access token for a user: use "
                "get-workload-access-token-for-user-id or get-workload-access-token-for-jwt."
            )
        if params.get("sessionUri"):
            return self._session_answer(params["sessionUri"], workload, str(user), provider)
        self._check_return_url(workload, params.get("resourceOauth2ReturnUrl"))
        if not params.get("forceAuthentication"):
            try:
                result = self.oauth2_token(
                    provider, flow="USER_FEDERATION", scopes=scopes or None, workload=workload, user_id=user
                )
                return {"accessToken": result.access_token}
            except ServiceError as exc:
                if exc.code != "ResourceNotFoundException":
                    raise
        return self._start_session(provider, workload, str(user), scopes, params)

    def complete_resource_token_auth(self, params: dict[str, Any]) -> dict[str, Any]:
        """CompleteResourceTokenAuth: bind a consented session to the user who consented."""
        identifier = params["userIdentifier"]
        if identifier.get("userToken"):
            user = str(self.verify_user_token(identifier["userToken"])["sub"])
        elif identifier.get("userId"):
            user = str(identifier["userId"])
        else:
            raise validation("userIdentifier needs userId or userToken.")
        session = self._session(params["sessionUri"])
        attrs = session["attrs"]
        if attrs["userId"] != user:
            raise _access_denied("This session was not started for that user.")
        if attrs["status"] == COMPLETED:
            return {}
        if attrs["status"] != AUTHORIZED:
            raise validation(
                "The user has not finished the authorization of this session yet "
                f"(run: agentcore-identity login {attrs['provider']} --session-uri {params['sessionUri']})."
            )
        from agentcore_identity_cli.oauth.tokens import TokenSet

        with self.store.transaction():
            bundle = json.loads(self.open_secret(KIND, session["name"], "tokens"))
            token = TokenSet.from_storage(bundle["attrs"], bundle["secret"])
            row = self.require("oauth2", attrs["provider"])
            self._store_user_token(row, attrs["workload"], user, tuple(attrs["scopes"]), token)
            self._set_status(session, COMPLETED)
        return {}

    # --- used by `login --session-uri` --------------------------------------------

    def session_for_login(self, session_uri: str) -> dict[str, Any]:
        """What the local callback needs: provider, authorization URL, redirect port."""
        session = self._session(session_uri)
        attrs = session["attrs"]
        if attrs["status"] != IN_PROGRESS:
            raise validation(f"This session is {attrs['status']}; start a new one.")
        return {
            "provider": attrs["provider"],
            "authorizationUrl": self._authorization_url(session),
            "redirectUri": attrs["redirectUri"],
            "returnUrl": attrs.get("returnUrl"),
        }

    def receive_session_callback(self, session_uri: str, callback: dict[str, str]) -> None:
        """The provider's redirect for a session: check state, exchange the code, keep the tokens."""
        from agentcore_identity_cli.oauth import flows

        session = self._session(session_uri)
        attrs = session["attrs"]
        if attrs["status"] != IN_PROGRESS:
            # A replayed redirect must not spend the code again (nor fail a finished session).
            raise validation(f"This session is {attrs['status']}; start a new one.")
        pending = flows.PendingAuthorization(
            url=self._authorization_url(session),
            state=self.open_secret(KIND, session["name"], "state"),
            code_verifier=self.open_secret(KIND, session["name"], "codeVerifier"),
            redirect_uri=attrs["redirectUri"],
            scopes=tuple(attrs["scopes"]),
        )
        try:
            code = flows.code_from_callback(pending, callback)
            row = self.require("oauth2", attrs["provider"])
            token = self._with_client(row, lambda cfg: flows.exchange_code(cfg, pending, code))
        except ServiceError:
            with self.store.transaction():
                self._set_status(self._session(session_uri), FAILED)
            raise
        bundle = json.dumps({"attrs": token.public_attrs(), "secret": token.secret_bundle()})
        with self.store.transaction():
            current = self._session(session_uri)
            self.seal_secret(KIND, current["name"], "tokens", bundle)
            self._set_status(current, AUTHORIZED)

    # --- used by serve's hosted callback (server/callback.py) --------------------------

    def receive_oauth2_callback(self, callback_id: str, callback: dict[str, str]) -> dict[str, str | None]:
        """The provider's redirect to a hosted callback URL: find the session by its `state`,
        check it belongs to the provider of this URL, exchange the code, keep the tokens.

        Returns where the browser goes next: `returnUrl` (with `session_id` and the custom
        state in its query) or None when the session named no return URL, and `sessionUri`.
        ValidationException when no session waits for this state at this URL.
        """
        state = callback.get("state") or ""
        session = self._session_by_state(state) if state else None
        if session is None:
            raise validation("No authorization session is waiting for this callback (unknown or used state).")
        provider_row = self.store.get("oauth2", session["attrs"]["provider"])
        if provider_row is None or arns.callback_id(provider_row["arn"], provider_row["created"]) != callback_id:
            raise validation("This callback URL belongs to another credential provider than the session.")
        session_uri = str(session["arn"])
        custom_state = (
            self.open_secret(KIND, session["name"], "customState") if session["attrs"].get("hasCustomState") else None
        )
        return_url = session["attrs"].get("returnUrl")
        try:
            self.receive_session_callback(session_uri, callback)
        except ServiceError:
            if not return_url or not callback.get("error"):
                raise
            # The user declined (or the provider refused): the application hears it at its
            # return URL, as its own redirect would; the session has failed.
            refused = _with_query(return_url, session_uri, custom_state, callback["error"])
            return {"sessionUri": session_uri, "returnUrl": refused}
        return {
            "sessionUri": session_uri,
            "returnUrl": _with_query(return_url, session_uri, custom_state) if return_url else None,
        }

    def _session_by_state(self, state: str) -> dict[str, Any] | None:
        digest = _state_digest(state)
        for row in self.store.page(KIND, None, 1_000_000):
            attrs = row["attrs"]
            if attrs["status"] == IN_PROGRESS and hmac.compare_digest(attrs.get("stateDigest", ""), digest):
                return self._session(str(row["arn"]))
        return None

    # --- internals --------------------------------------------------------------------

    def _check_return_url(self, workload: str, url: str | None) -> None:
        if url is None:
            return
        allowed = self.require("workload", workload)["attrs"].get("allowedResourceOauth2ReturnUrls") or []
        if url not in allowed:
            raise validation(
                f"resourceOauth2ReturnUrl {url} is not one of the allowedResourceOauth2ReturnUrls of workload "
                f"identity '{workload}'."
            )

    def _start_session(
        self, provider: str, workload: str, user: str, scopes: list[str], params: dict[str, Any]
    ) -> dict[str, Any]:
        provider_row = self.require("oauth2", provider)
        ident = arns.callback_id(provider_row["arn"], provider_row["created"])
        # Served: serve's hosted callback. Otherwise a loopback port fixed now, where
        # `login --session-uri` will listen, on the same path (RFC 8252: any loopback port).
        base = self.callback_base or f"{arns.LOOPBACK}:{_free_loopback_port()}"
        redirect_uri = arns.callback_url(ident, base)
        # RFC 8707 resource indicators and audiences, then the caller's own parameters.
        extra = [("resource", value) for value in params.get("resources") or []]
        extra += [("audience", value) for value in params.get("audiences") or []]
        extra += sorted((params.get("customParameters") or {}).items())
        authorization = self.begin_user_authorization(
            provider, redirect_uri=redirect_uri, scopes=scopes or None, workload=workload, user_id=user, extra=extra
        )
        import secrets

        session_id = secrets.token_urlsafe(24)
        session_uri = URI_PREFIX + session_id
        attrs = {
            "provider": provider,
            "workload": workload,
            "userId": user,
            "scopes": list(authorization.scopes),
            "redirectUri": redirect_uri,
            "returnUrl": params.get("resourceOauth2ReturnUrl"),
            "hasCustomState": params.get("customState") is not None,
            "stateDigest": _state_digest(authorization.pending.state),
            "status": IN_PROGRESS,
            "expiresAt": time.time() + SESSION_TTL_SECONDS,
        }
        with self.store.transaction():
            self.store.insert(KIND, session_id, session_uri, attrs)
            self.seal_secret(KIND, session_id, "state", authorization.pending.state)
            self.seal_secret(KIND, session_id, "codeVerifier", authorization.pending.code_verifier)
            # It carries the state: kept sealed, like the state.
            self.seal_secret(KIND, session_id, "authorizationUrl", authorization.url)
            if params.get("customState") is not None:
                # Sensitive in the API's model: sealed like the rest, and gone with the session.
                self.seal_secret(KIND, session_id, "customState", params["customState"])
        return {"authorizationUrl": authorization.url, "sessionUri": session_uri, "sessionStatus": IN_PROGRESS}

    def _session(self, session_uri: str) -> dict[str, Any]:
        if not session_uri.startswith(URI_PREFIX):
            raise validation("sessionUri must start with urn:ietf:params:oauth:request_uri:.")
        row = self.store.get(KIND, session_uri[len(URI_PREFIX) :])
        if row is None:
            raise not_found("Session", session_uri)
        if row["attrs"]["status"] != COMPLETED and row["attrs"]["expiresAt"] < time.time():
            row["attrs"]["status"] = FAILED
        return row

    def _set_status(self, session: dict[str, Any], status: str) -> None:
        attrs = {**session["attrs"], "status": status}
        self.store.update(KIND, session["name"], attrs)
        if status in (COMPLETED, FAILED):
            # Nothing of a finished session stays sealed in the vault.
            for field in ("state", "codeVerifier", "authorizationUrl", "tokens", "customState"):
                self.store.db.execute(
                    "DELETE FROM secrets WHERE kind = ? AND name = ? AND field = ?", (KIND, session["name"], field)
                )

    def _session_answer(self, session_uri: str, workload: str, user: str, provider: str) -> dict[str, Any]:
        session = self._session(session_uri)
        attrs = session["attrs"]
        if attrs["workload"] != workload or attrs["userId"] != user or attrs["provider"] != provider:
            raise _access_denied("This session belongs to another workload, user or provider.")
        if attrs["status"] == COMPLETED:
            result = self.oauth2_token(
                provider, flow="USER_FEDERATION", scopes=list(attrs["scopes"]) or None, workload=workload, user_id=user
            )
            return {"accessToken": result.access_token}
        if attrs["status"] == FAILED:
            return {"sessionUri": session_uri, "sessionStatus": FAILED}
        return {
            "authorizationUrl": self._authorization_url(session),
            "sessionUri": session_uri,
            "sessionStatus": IN_PROGRESS,
        }

    def _authorization_url(self, session: dict[str, Any]) -> str:
        """The authorization URL of a session (in its attributes for a session started by an
        earlier version, which kept it in the clear)."""
        legacy = session["attrs"].get("authorizationUrl")
        return str(legacy) if legacy else self.open_secret(KIND, session["name"], "authorizationUrl")

    def forget_owned(self, kind: str, name: str) -> None:
        """The sessions of a deleted provider or workload identity go with it."""
        field = {"oauth2": "provider", "workload": "workload"}.get(kind)
        if field is not None:
            for row in self.store.page(KIND, None, 1_000_000):
                if row["attrs"][field] == name:
                    self.store.delete(KIND, row["name"], row["arn"])
        super().forget_owned(kind, name)
