"""The Python API for agent code: credentials fetched the way AgentCore agents fetch them.

    from agentcore_identity_cli import CredentialProvider, requires_access_token, requires_api_key, requires_wat

    CredentialProvider("openai").get_api_key()

    @requires_api_key(provider_name="openai")
    def call_model(prompt: str, *, api_key: str) -> str: ...

    @requires_access_token(provider_name="github", scopes=["repo"], auth_flow="USER_FEDERATION",
                           on_auth_url=print)
    async def list_repos(*, access_token: str) -> list[str]: ...

    @requires_wat()
    def call_downstream(*, identity_wat: str) -> None: ...

The decorators have exactly the parameters of the `bedrock-agentcore` SDK's
(`bedrock_agentcore.identity.auth`), and send the same GetResourceOauth2Token request, so
agent code can switch by changing one import (tests/test_sdk_parity.py holds us to it).

The workload access token comes, as in the SDK, from the AgentCore Runtime's request
context when there is one (`BedrockAgentCoreContext`, read only when the SDK is already
loaded); otherwise it is obtained for the configured workload and user (see identity.py:
arguments, then AGENTCORE_IDENTITY_WORKLOAD_NAME / AGENTCORE_IDENTITY_USER_ID, then the
profile; on the local backend a workload named after the OS user is created on first use),
on the backend the settings name (AGENTCORE_IDENTITY_BACKEND, the profile, or local).
The SDK's local-development path instead creates a workload identity and a random user id
and remembers them in `./.agentcore.json`; ours uses the settings above and writes no file.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any, Literal, Protocol, TypeVar, cast

from agentcore_identity_cli.backends.base import Backend
from agentcore_identity_cli.config import Settings, resolve_settings
from agentcore_identity_cli.errors import AgentCoreIdentityError

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
Flow = Literal["M2M", "USER_FEDERATION", "ON_BEHALF_OF_TOKEN_EXCHANGE"]
AuthUrlHandler = Callable[[str], Any]

# How long get_access_token waits for a user to finish consent (the SDK's default poller
# waits 600 s), and how often it asks.
DEFAULT_AUTH_TIMEOUT_SECONDS = 600.0
POLL_INTERVAL_SECONDS = 2.0


class TokenPoller(Protocol):
    """What `token_poller=` takes: the SDK's `TokenPoller` or anything with this method."""

    async def poll_for_token(self) -> str:
        """Wait until the user has consented; return the access token."""
        ...


class AuthorizationTimeoutError(AgentCoreIdentityError):
    """The user did not finish the authorization in time."""


def _runtime_context() -> Any:
    """The SDK's BedrockAgentCoreContext, when the SDK is loaded (importing it would load boto3)."""
    module = sys.modules.get("bedrock_agentcore.runtime.context")
    return getattr(module, "BedrockAgentCoreContext", None)


def context_workload_access_token() -> str | None:
    """The workload access token the AgentCore Runtime handed this request, if any."""
    context = _runtime_context()
    return context.get_workload_access_token() if context is not None else None


def _context_callback_url() -> str | None:
    context = _runtime_context()
    return context.get_oauth2_callback_url() if context is not None else None


class _Client:
    """Settings, the backend and the workload access token, shared by the credential calls."""

    def __init__(
        self,
        *,
        workload_name: str | None = None,
        user_id: str | None = None,
        backend: str | None = None,
        profile: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
    ) -> None:
        self.workload_name = workload_name
        self.user_id = user_id
        self._flags = {"backend": backend, "profile": profile, "region": region, "endpoint_url": endpoint_url}
        self._settings: Settings | None = None
        self._backend: Backend | None = None

    @property
    def settings(self) -> Settings:
        """The resolved settings (arguments > environment > profile > defaults)."""
        if self._settings is None:
            self._settings = resolve_settings(self._flags)
        return self._settings

    def _call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        from agentcore_identity_cli.backends import create_backend
        from agentcore_identity_cli.client import validated_call

        if self._backend is None:
            self._backend = create_backend(self.settings)
        return validated_call(self._backend, operation, params)

    def _call_as_workload(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        """Call with the workload access token in `request`, taking a new one when the local vault
        rotated its key (and so retired the token's signing key) since this client obtained it.

        The Runtime's token is not ours to renew: its refusal is final.
        """
        from agentcore_identity_cli.errors import RetiredTokenError

        try:
            return self._call(operation, request)
        except RetiredTokenError:
            if self._uses_context_token():
                raise
            request["workloadIdentityToken"] = self.get_workload_access_token()
            return self._call(operation, request)

    def _uses_context_token(self) -> bool:
        # Explicit arguments name who is asking; otherwise the Runtime's token wins, as in the SDK.
        return self.workload_name is None and self.user_id is None and context_workload_access_token() is not None

    def get_workload_access_token(self) -> str:
        """The workload access token: the Runtime's, or one for the configured workload and user."""
        if self._uses_context_token():
            return str(context_workload_access_token())
        from agentcore_identity_cli.identity import resolve_caller, workload_token

        caller = resolve_caller(self.settings, self.workload_name, self.user_id)
        return workload_token(self._call, caller)

    def close(self) -> None:
        """Release the backend (the vault file or the AWS clients)."""
        if self._backend is not None:
            self._backend.close()
            self._backend = None


class CredentialProvider(_Client):
    """A credential provider, seen from agent code."""

    def __init__(
        self,
        name: str,
        *,
        workload_name: str | None = None,
        user_id: str | None = None,
        backend: str | None = None,
        profile: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
    ) -> None:
        super().__init__(
            workload_name=workload_name,
            user_id=user_id,
            backend=backend,
            profile=profile,
            region=region,
            endpoint_url=endpoint_url,
        )
        self.name = name

    def get_api_key(self) -> str:
        """The API key of this provider."""
        response = self._call_as_workload(
            "GetResourceApiKey",
            {"workloadIdentityToken": self.get_workload_access_token(), "resourceCredentialProviderName": self.name},
        )
        return str(response["apiKey"])

    def get_access_token(
        self,
        scopes: list[str] | None = None,
        flow: Flow = "M2M",
        on_auth_url: AuthUrlHandler | None = None,
        *,
        resources: list[str] | None = None,
        audiences: list[str] | None = None,
        force_authentication: bool = False,
        callback_url: str | None = None,
        custom_state: str | None = None,
        custom_parameters: dict[str, str] | None = None,
        token_poller: TokenPoller | None = None,
        timeout: float = DEFAULT_AUTH_TIMEOUT_SECONDS,
    ) -> str:
        """An OAuth access token of this provider (see access_token for the arguments)."""
        return _run_sync(
            self.access_token(
                scopes,
                flow,
                on_auth_url,
                resources=resources,
                audiences=audiences,
                force_authentication=force_authentication,
                callback_url=callback_url,
                custom_state=custom_state,
                custom_parameters=custom_parameters,
                token_poller=token_poller,
                timeout=timeout,
            )
        )

    async def access_token(
        self,
        scopes: list[str] | None = None,
        flow: Flow = "M2M",
        on_auth_url: AuthUrlHandler | None = None,
        *,
        resources: list[str] | None = None,
        audiences: list[str] | None = None,
        force_authentication: bool = False,
        callback_url: str | None = None,
        custom_state: str | None = None,
        custom_parameters: dict[str, str] | None = None,
        token_poller: TokenPoller | None = None,
        timeout: float = DEFAULT_AUTH_TIMEOUT_SECONDS,
    ) -> str:
        """An OAuth access token of this provider, awaited.

        The request is the SDK's: `resources`, `audiences`, `callback_url` (else the
        Runtime's), `force_authentication`, `custom_state` and `custom_parameters` are sent
        only when set. When the user must consent, the authorization URL goes to
        `on_auth_url` (a function or a coroutine function), then `token_poller` waits if
        given; otherwise the call asks again every few seconds until the user has consented,
        the session fails, or `timeout` passes. On the local backend this process also acts
        as the session's callback (what `login PROVIDER --session-uri S` does), and completes
        the session for the user the workload access token names, so the user only has to
        open the URL on this machine.
        """
        token = await asyncio.to_thread(self.get_workload_access_token)
        request: dict[str, Any] = {
            "resourceCredentialProviderName": self.name,
            "scopes": scopes,
            "oauth2Flow": flow,
            "workloadIdentityToken": token,
        }
        callback_url = callback_url or _context_callback_url()
        optional = {
            "resources": resources,
            "audiences": audiences,
            "resourceOauth2ReturnUrl": callback_url,
            "forceAuthentication": force_authentication,
            "customState": custom_state,
            "customParameters": custom_parameters,
        }
        request.update({key: value for key, value in optional.items() if value})
        response = await asyncio.to_thread(self._call_as_workload, "GetResourceOauth2Token", request)
        if response.get("accessToken"):
            return str(response["accessToken"])
        url = response.get("authorizationUrl")
        if not url:
            raise AgentCoreIdentityError(f"No access token and no authorization URL came back for '{self.name}'.")
        if force_authentication:
            request["forceAuthentication"] = False  # only the first request forces a new consent
        session_uri = response.get("sessionUri")
        if session_uri:
            request["sessionUri"] = session_uri
        if session_uri and token_poller is None and self.settings.backend == "local":
            await self._act_as_local_callback(str(session_uri), str(url), on_auth_url, timeout)
            return await self._poll(request, timeout, first_delay=0.0)
        await _notify(on_auth_url, str(url))
        if token_poller is not None:
            return await token_poller.poll_for_token()
        return await self._poll(request, timeout)

    async def _act_as_local_callback(
        self, session_uri: str, url: str, on_auth_url: AuthUrlHandler | None, timeout: float
    ) -> None:
        """Receive the provider's redirect for a local session, then complete the session."""
        from urllib.parse import urlsplit

        from agentcore_identity_cli.oauth.listener import LoopbackListener

        backend: Any = self._backend
        session = await asyncio.to_thread(backend.session_for_login, session_uri)
        redirect = urlsplit(session["redirectUri"])
        with LoopbackListener(port=redirect.port or 0, path=redirect.path) as listener:
            await _notify(on_auth_url, url)
            params = await asyncio.to_thread(listener.wait, timeout)
            try:
                await asyncio.to_thread(backend.receive_session_callback, session_uri, params)
            except AgentCoreIdentityError as exc:
                listener.finish(False, exc.message)
                raise
            listener.finish(True, f"Authorization for '{self.name}' received. You can close this tab.")
        if not self._uses_context_token():
            from agentcore_identity_cli.identity import resolve_caller

            user = resolve_caller(self.settings, self.workload_name, self.user_id).user_id
            if user is not None:
                await asyncio.to_thread(
                    self._call,
                    "CompleteResourceTokenAuth",
                    {"sessionUri": session_uri, "userIdentifier": {"userId": user}},
                )

    async def _poll(self, request: dict[str, Any], timeout: float, first_delay: float = POLL_INTERVAL_SECONDS) -> str:
        deadline = time.monotonic() + timeout
        delay = first_delay
        while time.monotonic() < deadline:
            await asyncio.sleep(delay)
            delay = POLL_INTERVAL_SECONDS
            response = await asyncio.to_thread(self._call_as_workload, "GetResourceOauth2Token", request)
            if response.get("accessToken"):
                return str(response["accessToken"])
            if response.get("sessionStatus") == "FAILED":
                raise AgentCoreIdentityError(f"The authorization for '{self.name}' failed.")
        raise AuthorizationTimeoutError(f"The user did not finish authorizing '{self.name}' within {timeout:.0f} s.")


async def _notify(on_auth_url: AuthUrlHandler | None, url: str) -> None:
    """Hand the authorization URL to the handler, awaiting it when it is async; without one,
    show it on stderr (the SDK's poller logs it there too), or nobody could consent."""
    if on_auth_url is None:
        print(f"Open this URL to authorize the agent:\n\n    {url}\n", file=sys.stderr)
        return
    result = on_auth_url(url)
    if inspect.isawaitable(result):
        await result


def _run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from sync code; inside a running loop, on a thread of its own (as the SDK does)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    import concurrent.futures

    context = contextvars.copy_context()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(context.run, asyncio.run, coroutine).result()


def _inject(func: F, into: str, fetch: Callable[[], Coroutine[Any, Any, str]]) -> F:
    """Wrap a sync or async function so that keyword `into` receives a fresh credential."""
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            kwargs[into] = await fetch()
            return await func(*args, **kwargs)

        return cast(F, async_wrapper)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs[into] = _run_sync(fetch())
        return func(*args, **kwargs)

    return cast(F, wrapper)


def requires_access_token(
    *,
    provider_name: str,
    into: str = "access_token",
    scopes: list[str],
    resources: list[str] | None = None,
    audiences: list[str] | None = None,
    on_auth_url: AuthUrlHandler | None = None,
    auth_flow: Flow,
    callback_url: str | None = None,
    force_authentication: bool = False,
    token_poller: TokenPoller | None = None,
    custom_state: str | None = None,
    custom_parameters: dict[str, str] | None = None,
) -> Callable[[F], F]:
    """Decorator: call the function with an OAuth access token as keyword `into`.

    `auth_flow` is "M2M" (the workload's own client-credentials token), "USER_FEDERATION"
    (a user's token, after their consent) or "ON_BEHALF_OF_TOKEN_EXCHANGE" (the user's token
    exchanged for one the provider issues to this workload). `resources` and `audiences`
    go to the provider as the RFC 8707 / token-exchange parameters of those names. See
    CredentialProvider.access_token for the consent wait.
    """

    async def fetch() -> str:
        provider = CredentialProvider(provider_name)
        try:
            return await provider.access_token(
                scopes,
                auth_flow,
                on_auth_url,
                resources=resources,
                audiences=audiences,
                force_authentication=force_authentication,
                callback_url=callback_url,
                custom_state=custom_state,
                custom_parameters=custom_parameters,
                token_poller=token_poller,
            )
        finally:
            provider.close()

    def decorator(func: F) -> F:
        return _inject(func, into, fetch)

    return decorator


def requires_api_key(*, provider_name: str, into: str = "api_key") -> Callable[[F], F]:
    """Decorator: call the function with the provider's API key as keyword `into`."""

    async def fetch() -> str:
        provider = CredentialProvider(provider_name)
        try:
            return await asyncio.to_thread(provider.get_api_key)
        finally:
            provider.close()

    def decorator(func: F) -> F:
        return _inject(func, into, fetch)

    return decorator


def requires_wat(*, into: str = "identity_wat") -> Callable[[F], F]:
    """Decorator: call the function with the workload access token as keyword `into`.

    Inside the AgentCore Runtime this is the token the Runtime minted for the request (the
    SDK's `requires_wat` reads only that, and fails elsewhere). Outside it, this one
    obtains a token for the configured workload and user from the backend, so the same code
    runs on a laptop: send it on as the `X-Amz-Bedrock-AgentCore-Identity-WAT` header, or
    give it to `get-resource-*` calls of your own.
    """

    async def fetch() -> str:
        client = _Client()
        try:
            return await asyncio.to_thread(client.get_workload_access_token)
        finally:
            client.close()

    def decorator(func: F) -> F:
        return _inject(func, into, fetch)

    return decorator
