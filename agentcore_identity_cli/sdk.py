"""The Python API for agent code: credentials fetched the way AgentCore agents fetch them.

    from agentcore_identity_cli import CredentialProvider, requires_api_key, requires_access_token

    CredentialProvider("openai").get_api_key()

    @requires_api_key(provider_name="openai")
    def call_model(prompt: str, *, api_key: str) -> str: ...

    @requires_access_token(provider_name="github", scopes=["repo"], auth_flow="USER_FEDERATION",
                           on_auth_url=print)
    async def list_repos(*, access_token: str) -> list[str]: ...

The decorators take the same arguments as those of the `bedrock-agentcore` SDK
(`bedrock_agentcore.identity.auth`), so agent code can switch by changing one import.
Each call obtains a workload access token for the configured workload and user (see
identity.py: arguments, then AGENTCORE_IDENTITY_WORKLOAD_NAME / AGENTCORE_IDENTITY_USER_ID,
then the profile; on the local backend a workload named after the OS user is created on
first use), then exchanges it with GetResourceApiKey or GetResourceOauth2Token, on the
backend the settings name (AGENTCORE_IDENTITY_BACKEND, the profile, or local).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar, cast

from agentcore_identity_cli.backends.base import Backend
from agentcore_identity_cli.config import Settings, resolve_settings
from agentcore_identity_cli.errors import AgentCoreIdentityError

F = TypeVar("F", bound=Callable[..., Any])
Flow = Literal["M2M", "USER_FEDERATION"]
AuthUrlHandler = Callable[[str], Any]

# How long get_access_token waits for a user to finish consent, and how often it asks.
DEFAULT_AUTH_TIMEOUT_SECONDS = 300.0
POLL_INTERVAL_SECONDS = 2.0


class AuthorizationTimeoutError(AgentCoreIdentityError):
    """The user did not finish the authorization in time."""


class CredentialProvider:
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
        self.name = name
        self.workload_name = workload_name
        self.user_id = user_id
        self._flags = {"backend": backend, "profile": profile, "region": region, "endpoint_url": endpoint_url}
        self._settings: Settings | None = None
        self._backend: Backend | None = None

    # --- plumbing -------------------------------------------------------------------

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

    def _workload_token(self) -> str:
        from agentcore_identity_cli.identity import resolve_caller, workload_token

        caller = resolve_caller(self.settings, self.workload_name, self.user_id)
        return workload_token(self._call, caller)

    def close(self) -> None:
        """Release the backend (the vault file or the AWS clients)."""
        if self._backend is not None:
            self._backend.close()
            self._backend = None

    # --- credentials ----------------------------------------------------------------

    def get_api_key(self) -> str:
        """The API key of this provider."""
        response = self._call(
            "GetResourceApiKey",
            {"workloadIdentityToken": self._workload_token(), "resourceCredentialProviderName": self.name},
        )
        return str(response["apiKey"])

    def get_access_token(
        self,
        scopes: list[str] | None = None,
        flow: Flow = "M2M",
        on_auth_url: AuthUrlHandler | None = None,
        *,
        force_authentication: bool = False,
        callback_url: str | None = None,
        custom_state: str | None = None,
        custom_parameters: dict[str, str] | None = None,
        timeout: float = DEFAULT_AUTH_TIMEOUT_SECONDS,
    ) -> str:
        """An OAuth access token of this provider.

        With USER_FEDERATION and no stored token for the user, the authorization URL is
        handed to `on_auth_url` (print it, send it to the user) and the call waits, asking
        again every few seconds, until the user has consented or `timeout` passes.
        """
        token = self._workload_token()
        params: dict[str, Any] = {
            "workloadIdentityToken": token,
            "resourceCredentialProviderName": self.name,
            "scopes": list(scopes or []),
            "oauth2Flow": flow,
            "resourceOauth2ReturnUrl": callback_url,
            "forceAuthentication": force_authentication or None,
            "customState": custom_state,
            "customParameters": custom_parameters,
        }
        response = self._call("GetResourceOauth2Token", params)
        if response.get("accessToken"):
            return str(response["accessToken"])
        url = response.get("authorizationUrl")
        if not url:
            raise AgentCoreIdentityError(f"No access token and no authorization URL came back for '{self.name}'.")
        if on_auth_url is not None:
            result = on_auth_url(str(url))
            if inspect.isawaitable(result):
                _run_awaitable(result)
        deadline = time.monotonic() + timeout
        poll = {**params, "sessionUri": response.get("sessionUri"), "forceAuthentication": None}
        while time.monotonic() < deadline:
            time.sleep(POLL_INTERVAL_SECONDS)
            response = self._call("GetResourceOauth2Token", poll)
            if response.get("accessToken"):
                return str(response["accessToken"])
            if response.get("sessionStatus") == "FAILED":
                raise AgentCoreIdentityError(f"The authorization for '{self.name}' failed.")
        raise AuthorizationTimeoutError(f"The user did not finish authorizing '{self.name}' within {timeout:.0f} s.")


def _run_awaitable(result: Awaitable[Any]) -> None:
    """Run an async on_auth_url handler, from sync code or from inside a running loop."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_as_coroutine(result))
        return
    task = loop.create_task(_as_coroutine(result))
    _PENDING.add(task)  # keep a reference until it is done, or it may be collected
    task.add_done_callback(_PENDING.discard)


_PENDING: set[asyncio.Task[Any]] = set()


async def _as_coroutine(result: Awaitable[Any]) -> Any:
    return await result


def _inject(func: F, into: str, fetch: Callable[[], str]) -> F:
    """Wrap a sync or async function so that `into=` receives a fresh credential."""
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            kwargs[into] = await asyncio.to_thread(fetch)
            return await func(*args, **kwargs)

        return cast(F, async_wrapper)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs[into] = fetch()
        return func(*args, **kwargs)

    return cast(F, wrapper)


def requires_api_key(*, provider_name: str, into: str = "api_key") -> Callable[[F], F]:
    """Decorator: call the function with the provider's API key as keyword `into`."""

    def fetch() -> str:
        provider = CredentialProvider(provider_name)
        try:
            return provider.get_api_key()
        finally:
            provider.close()

    def decorator(func: F) -> F:
        return _inject(func, into, fetch)

    return decorator


def requires_access_token(
    *,
    provider_name: str,
    into: str = "access_token",
    scopes: list[str],
    on_auth_url: AuthUrlHandler | None = None,
    auth_flow: Flow,
    callback_url: str | None = None,
    force_authentication: bool = False,
    token_poller: Any = None,
    custom_state: str | None = None,
    custom_parameters: dict[str, str] | None = None,
) -> Callable[[F], F]:
    """Decorator: call the function with an OAuth access token as keyword `into`.

    `token_poller` is accepted for compatibility with the bedrock-agentcore SDK; the wait
    for user consent is built in (see CredentialProvider.get_access_token).
    """
    del token_poller

    def fetch() -> str:
        provider = CredentialProvider(provider_name)
        try:
            return provider.get_access_token(
                scopes,
                auth_flow,
                on_auth_url,
                force_authentication=force_authentication,
                callback_url=callback_url,
                custom_state=custom_state,
                custom_parameters=custom_parameters,
            )
        finally:
            provider.close()

    def decorator(func: F) -> F:
        return _inject(func, into, fetch)

    return decorator
