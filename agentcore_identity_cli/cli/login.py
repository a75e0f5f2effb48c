"""`login`, `logout` and `token`: OAuth 2.0 tokens of a provider.

`login PROVIDER` runs the authorization code flow with PKCE in the user's browser (a
loopback listener on 127.0.0.1, any port, on the path of the provider's callbackUrl,
receives the redirect), or the device flow with `--device`.
On the aws backend it runs AgentCore Identity's own user-federation flow instead (see
cli/login_aws.py): the service talks to the provider and keeps the tokens.
`token PROVIDER` prints a fresh access token for `$(...)`: the user's (refreshed when it
expires within 60 s) once a login exists, else a client-credentials (M2M) token; with
`--user-token` (a JWT of a trusted issuer), that JWT exchanged on the user's behalf
(ON_BEHALF_OF_TOKEN_EXCHANGE).
`logout PROVIDER` deletes the user's tokens and revokes them where the provider can.
The protocol work is in oauth/; the storage in backends/local/oauth_tokens.py.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentcore_identity_cli.cli.browser import await_redirect, spinner
from agentcore_identity_cli.cli.credentials import caller_of, local_oauth_backend, print_token
from agentcore_identity_cli.cli.root import command, get_context
from agentcore_identity_cli.errors import AgentCoreIdentityError, UsageError

if TYPE_CHECKING:
    from agentcore_identity_cli.backends.local.oauth_tokens import OAuth2TokensMixin, TokenResult
    from agentcore_identity_cli.cli.context import AppContext

Provider = Annotated[str, typer.Argument(help="Name of the OAuth2 credential provider.", show_default=False)]
Scopes = Annotated[
    list[str] | None,
    typer.Option(
        "--scopes",
        help="Scopes to ask for: several values after one flag, or a JSON list (default: the provider's).",
    ),
]
UserId = Annotated[str | None, typer.Option("--user-id", help="User the tokens are for (default: the OS user).")]
WorkloadName = Annotated[
    str | None,
    typer.Option(
        "--workload-name",
        help="Workload identity the tokens belong to (default: local-<OS user>; required on the aws backend).",
    ),
]


def _scopes(values: list[str] | None) -> list[str] | None:
    from agentcore_identity_cli.cli.params import scope_list

    return scope_list(values)


def _browser_login(
    app_ctx: AppContext,
    backend: OAuth2TokensMixin,
    provider: str,
    scopes: list[str] | None,
    workload: str | None,
    user: str,
    *,
    no_browser: bool,
    timeout: float,
) -> TokenResult:
    from agentcore_identity_cli.backends.local import arns
    from agentcore_identity_cli.oauth.listener import LoopbackListener

    # The provider's callbackUrl path on a random loopback port (RFC 8252 section 7.3): the
    # one URL registered with the authorization server serves login and served sessions alike.
    row = backend.require("oauth2", provider)
    path = arns.CALLBACK_PATH + arns.callback_id(row["arn"], row["created"])
    with LoopbackListener(path=path) as listener:  # listening before the browser is opened
        auth = backend.begin_user_authorization(
            provider, redirect_uri=listener.redirect_uri, scopes=scopes, workload=workload, user_id=user
        )
        params = await_redirect(app_ctx, listener, provider, auth.url, no_browser=no_browser, timeout=timeout)
        try:
            result = backend.complete_user_authorization(auth, params)
        except AgentCoreIdentityError as exc:
            listener.finish(False, exc.message)
            raise
        listener.finish(True, f"agentcore-identity is logged in to '{provider}'. You can close this tab.")
    return result


def _device_login(
    app_ctx: AppContext,
    backend: OAuth2TokensMixin,
    provider: str,
    scopes: list[str] | None,
    workload: str | None,
    user: str,
    *,
    timeout: float,
) -> TokenResult:
    from agentcore_identity_cli.oauth.http import OAuthTimeoutError

    io = app_ctx.io
    login = backend.begin_device_authorization(provider, scopes=scopes, workload=workload, user_id=user)
    device = login.device
    io.warn(f"First copy your one-time code: {device.user_code}")
    io.warn(f"Then open {device.verification_uri} in a browser, on any device, and enter the code.")
    if device.verification_uri_complete:
        io.warn(f"(Or open {device.verification_uri_complete}, which carries the code.)")
    deadline = time.monotonic() + timeout

    def sleep(seconds: float) -> None:
        if time.monotonic() + seconds > deadline:
            raise OAuthTimeoutError(f"The device login was not approved within {timeout:g} seconds.")
        time.sleep(seconds)

    with spinner(app_ctx, "Waiting for the approval... (Ctrl-C to cancel)"):
        return backend.complete_device_authorization(login, sleep=sleep)


def _session_login(app_ctx: AppContext, provider: str, session_uri: str, *, no_browser: bool, timeout: float) -> None:
    """The local stand-in for the service's callback: receive the provider's redirect for a
    session started by get-resource-oauth2-token, and keep the consent for
    complete-resource-token-auth."""
    from urllib.parse import urlsplit

    from agentcore_identity_cli.oauth.listener import LoopbackListener

    backend: Any = local_oauth_backend(app_ctx, "login --session-uri")
    session = backend.session_for_login(session_uri)
    if session["provider"] != provider:
        raise UsageError(f"That session is for provider '{session['provider']}', not '{provider}'.")
    io = app_ctx.io
    redirect = urlsplit(session["redirectUri"])
    with LoopbackListener(port=redirect.port or 0, path=redirect.path) as listener:
        url = session["authorizationUrl"]
        params = await_redirect(app_ctx, listener, provider, url, no_browser=no_browser, timeout=timeout)
        try:
            backend.receive_session_callback(session_uri, params)
        except AgentCoreIdentityError as exc:
            listener.finish(False, exc.message)
            raise
        listener.finish(True, f"Authorization for '{provider}' received. You can close this tab.")
    io.warn(
        "Authorization received. The application completes the session with:\n"
        f"    agentcore-identity complete-resource-token-auth --session-uri {session_uri} --user-identifier userId=USER"
    )


def _expiry(result: TokenResult) -> str:
    if result.token.expires_at is None:
        return "it does not say when it expires"
    seconds = int(result.token.expires_at - time.time())
    return f"it expires in {seconds // 60} min {seconds % 60} s" if seconds >= 0 else "it has expired"


@command("login", "Log in to an OAuth2 provider in the browser (code + PKCE), or with --device; store the tokens.")
def login(
    ctx: typer.Context,
    provider: Provider,
    scopes: Scopes = None,
    user_id: UserId = None,
    workload_name: WorkloadName = None,
    device: Annotated[
        bool, typer.Option("--device", help="Device flow (RFC 8628): a code to enter on another device.")
    ] = False,
    no_browser: Annotated[
        bool,
        typer.Option("--no-browser", help="Print the URL instead of opening a browser; accept the redirect pasted."),
    ] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=1, help="Seconds to wait for the user to finish.")] = 300,
    session_uri: Annotated[
        str | None,
        typer.Option(
            "--session-uri",
            help="Act as the callback of a get-resource-oauth2-token session (USER_FEDERATION) on this machine.",
        ),
    ] = None,
) -> None:
    app_ctx = get_context(ctx)
    if session_uri is not None:
        _session_login(app_ctx, provider, session_uri, no_browser=no_browser, timeout=timeout)
        return
    if device and no_browser:
        raise UsageError("--device and --no-browser cannot be combined: the device flow opens no browser.")
    if app_ctx.settings.backend == "aws":
        if device:
            raise UsageError(
                "--device is not available on the aws backend: AgentCore Identity runs the authorization code "
                "flow itself.",
                hint="use --no-browser on a host without a browser, and open the URL on any machine",
            )
        from agentcore_identity_cli.cli.login_aws import aws_login

        aws_login(app_ctx, provider, _scopes(scopes), workload_name, user_id, no_browser=no_browser, timeout=timeout)
        return
    backend = local_oauth_backend(app_ctx, "login")
    workload, user = caller_of(app_ctx, workload_name, user_id)
    wanted = _scopes(scopes)
    if device:
        result = _device_login(app_ctx, backend, provider, wanted, workload, user, timeout=timeout)
    else:
        result = _browser_login(
            app_ctx, backend, provider, wanted, workload, user, no_browser=no_browser, timeout=timeout
        )
    stored = "an access token and a refresh token"
    if not result.token.refresh_token:
        stored = "an access token (no refresh token)"
    app_ctx.io.warn(
        f"Logged in to '{provider}' as user '{result.user_id}' (workload identity '{result.workload}'): "
        f"{stored} stored in the vault; {_expiry(result)}."
    )


@command("logout", "Delete the stored OAuth2 tokens of a provider for a user, and revoke them where possible.")
def logout(ctx: typer.Context, provider: Provider, user_id: UserId = None, workload_name: WorkloadName = None) -> None:
    app_ctx = get_context(ctx)
    backend = local_oauth_backend(app_ctx, "logout")
    workload, user = caller_of(app_ctx, workload_name, user_id)
    result = backend.oauth2_logout(provider, workload=workload, user_id=user)
    for warning in result.warnings:
        app_ctx.io.warn(warning)
    if result.deleted == 0:
        app_ctx.io.warn(f"No tokens of '{provider}' are stored for user '{user}'; nothing to do.")
    else:
        app_ctx.io.warn(
            f"Logged out of '{provider}': {result.deleted} stored token set(s) deleted, "
            f"{result.revoked} token(s) revoked."
        )


@command("token", "Print an OAuth2 access token of a provider (for scripts: $(agentcore-identity token NAME)).")
def token(
    ctx: typer.Context,
    provider: Provider,
    oauth2_flow: Annotated[
        str | None,
        typer.Option(
            "--oauth2-flow",
            help="USER_FEDERATION (a login's token), M2M (client credentials) or ON_BEHALF_OF_TOKEN_EXCHANGE "
            "(--user-token exchanged); default: the exchange with --user-token, else USER_FEDERATION once "
            "logged in, else M2M.",
        ),
    ] = None,
    scopes: Scopes = None,
    user_id: UserId = None,
    workload_name: WorkloadName = None,
    force_refresh: Annotated[
        bool, typer.Option("--force-refresh", help="Refresh (or fetch again) even when the token is still fresh.")
    ] = False,
    user_token: Annotated[
        str | None,
        typer.Option(
            "--user-token",
            help="ON_BEHALF_OF_TOKEN_EXCHANGE: the user's JWT from a trusted issuer; '-' reads stdin, "
            "file://PATH a file; prompted for on a terminal.",
        ),
    ] = None,
    resources: Annotated[
        list[str] | None, typer.Option("--resources", help="Resources (RFC 8707) the token is for (M2M, exchange).")
    ] = None,
    audiences: Annotated[
        list[str] | None, typer.Option("--audiences", help="Audiences the token is for (M2M, exchange).")
    ] = None,
) -> None:
    print_token(
        get_context(ctx),
        provider,
        oauth2_flow=oauth2_flow,
        scopes=scopes,
        user_id=user_id,
        workload_name=workload_name,
        force_refresh=force_refresh,
        user_token=user_token,
        resources=resources,
        audiences=audiences,
    )
