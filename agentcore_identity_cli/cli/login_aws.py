"""`login` on the aws backend: AgentCore Identity's own user-federation flow.

A workload access token for the user; a loopback listener at a return URL registered on the
workload identity; GetResourceOauth2Token (USER_FEDERATION) and the browser on the
authorizationUrl it returns; the service's redirect to the return URL with the session;
CompleteResourceTokenAuth for that session; then GetResourceOauth2Token again until the
token is there. The service keeps the tokens; nothing is stored locally.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from agentcore_identity_cli.cli.browser import await_redirect, spinner
from agentcore_identity_cli.errors import EXIT_SERVICE, AgentCoreIdentityError, ConfigError

if TYPE_CHECKING:
    from agentcore_identity_cli.cli.context import AppContext

SESSION_PARAM = "session_id"  # the query parameter the service adds to the return URL
POLL_SECONDS = 2.0
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
SUGGESTED_RETURN_URL = "http://127.0.0.1:8765/callback"


class SessionFailedError(AgentCoreIdentityError):
    """The service ended a user-federation session without a token."""

    exit_code = EXIT_SERVICE


def loopback_return_url(urls: list[str]) -> tuple[str, int, str] | None:
    """The first `http://127.0.0.1:PORT/...` or `http://localhost:PORT/...` URL, as (url, port, path)."""
    from urllib.parse import urlsplit

    for url in urls:
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            continue
        if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and port:
            return url, port, parts.path or "/"
    return None


def _no_return_url(workload: str, registered: list[str]) -> ConfigError:
    urls = " ".join([*registered, SUGGESTED_RETURN_URL])
    return ConfigError(
        f"The workload identity '{workload}' has no loopback return URL (http://127.0.0.1:PORT/PATH or "
        "http://localhost:PORT/PATH) among its allowedResourceOauth2ReturnUrls, so the browser cannot be "
        "sent back to this machine.",
        hint="register one (the list is replaced, so keep the URLs already there): "
        f"agentcore-identity --backend aws update-workload-identity --name {workload} "
        f"--allowed-resource-oauth2-return-urls {urls}",
    )


def aws_login(
    app_ctx: AppContext,
    provider: str,
    scopes: list[str] | None,
    workload_name: str | None,
    user_id: str | None,
    *,
    no_browser: bool,
    timeout: float,
) -> None:
    """AgentCore Identity's user-federation flow, with this machine as the application:

    1. GetWorkloadAccessTokenForUserId for (workload, user);
    2. GetWorkloadIdentity: listen on a loopback return URL registered on the workload;
    3. GetResourceOauth2Token (USER_FEDERATION, that return URL): a token at once, or an
       authorizationUrl and a sessionUri; the browser is sent to the authorizationUrl;
    4. the service sends the browser back to the return URL with `?session_id=<sessionUri>`;
       the session must be the one this login started, and is bound to the user with
       CompleteResourceTokenAuth(sessionUri, userIdentifier={"userId": user});
    5. GetResourceOauth2Token with the sessionUri, every 2 s, until the accessToken comes.

    The tokens stay in the service's token vault; nothing secret is printed.
    """
    from agentcore_identity_cli.identity import Caller, os_user, resolve_caller, workload_token
    from agentcore_identity_cli.oauth.http import OAuthTimeoutError
    from agentcore_identity_cli.oauth.listener import LoopbackListener

    io = app_ctx.io
    resolved = resolve_caller(app_ctx.settings, workload_name, user_id)
    workload, user = resolved.workload_name, resolved.user_id or os_user()
    token = workload_token(app_ctx.call, Caller(workload, user, False))
    registered = [
        str(url)
        for url in app_ctx.call("GetWorkloadIdentity", {"name": workload}).get("allowedResourceOauth2ReturnUrls") or []
    ]
    chosen = loopback_return_url(registered)
    if chosen is None:
        raise _no_return_url(workload, registered)
    return_url, port, path = chosen
    request: dict[str, Any] = {
        "workloadIdentityToken": token,
        "resourceCredentialProviderName": provider,
        "scopes": scopes or [],
        "oauth2Flow": "USER_FEDERATION",
        "resourceOauth2ReturnUrl": return_url,
    }
    listener = LoopbackListener(port=port, path=path, expect=(SESSION_PARAM,))
    try:
        listener.start()  # listening before the session exists, so that a busy port fails first
    except OSError as exc:
        raise ConfigError(
            f"Cannot listen on 127.0.0.1:{port} for the return URL {return_url}: {exc.strerror or exc}.",
            hint="stop what uses that port, or register another loopback return URL on the workload identity",
        ) from None
    done = f"Logged in to '{provider}' as user '{user}' (workload identity '{workload}')"
    try:
        first = app_ctx.call("GetResourceOauth2Token", request)
        if first.get("accessToken"):
            io.warn(f"{done}: AgentCore Identity already holds a token for these scopes; nothing to do.")
            return
        url, session = first.get("authorizationUrl"), first.get("sessionUri")
        if first.get("sessionStatus") == "FAILED" or not url or not session:
            raise SessionFailedError("AgentCore Identity did not start a login session (sessionStatus FAILED).")
        deadline = time.monotonic() + timeout  # one budget for the browser and the polling
        try:
            params = await_redirect(app_ctx, listener, provider, str(url), no_browser=no_browser, timeout=timeout)
            if params.get("error"):
                raise SessionFailedError(f"The authorization failed: {params['error']}.")
            if params.get(SESSION_PARAM) != session:
                raise SessionFailedError(
                    "The browser came back with another session than the one this login started; "
                    "nothing was completed.",
                    hint=f"run the login again; the return URL must carry ?{SESSION_PARAM}=<the session URI>",
                )
            app_ctx.call("CompleteResourceTokenAuth", {"sessionUri": session, "userIdentifier": {"userId": user}})
            with spinner(app_ctx, "Waiting for AgentCore Identity... (Ctrl-C to cancel)"):
                while True:
                    answer = app_ctx.call("GetResourceOauth2Token", {**request, "sessionUri": session})
                    if answer.get("accessToken"):
                        break
                    if answer.get("sessionStatus") == "FAILED":
                        raise SessionFailedError("AgentCore Identity reports the login session as FAILED.")
                    if time.monotonic() + POLL_SECONDS > deadline:
                        raise OAuthTimeoutError(
                            f"AgentCore Identity did not hand out the token within {timeout:g} seconds.",
                            hint="run the login again, with a longer --timeout",
                        )
                    time.sleep(POLL_SECONDS)
        except AgentCoreIdentityError as exc:
            listener.finish(False, exc.message)
            raise
        listener.finish(True, f"agentcore-identity is logged in to '{provider}'. You can close this tab.")
    finally:
        listener.close()
    io.warn(f"{done}: the token is in AgentCore Identity's token vault (get it with get-resource-oauth2-token).")
