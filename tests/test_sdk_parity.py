"""The Python API against the official `bedrock-agentcore` SDK: same decorators, same
parameters, same requests on the wire.

The signature tests compare parameter names, kinds, order and defaults, so a parameter the
SDK adds (or renames, or re-defaults) fails here until ours follows. Annotations are not
compared as text: the SDK writes `Optional[List[str]]` where we write `list[str] | None`,
and its `token_poller` is its own `TokenPoller` class where ours is a protocol that the
SDK's pollers satisfy. What an annotation decides for a caller is checked on its own: the
values `auth_flow` accepts.

The wire tests run the SDK's decorator and ours, with the same arguments, against one
loopback endpoint that speaks the AWS protocol (tests/aws_wire_server.py, reached through
botocore's own AWS_ENDPOINT_URL_BEDROCK_AGENTCORE), inside a Runtime request context that
holds a workload access token, and compare what each sent.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import typing
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.aws_wire_server import ACCESS_KEY, SECRET_KEY, WireServer

sdk_auth = pytest.importorskip("bedrock_agentcore.identity.auth")

from bedrock_agentcore import identity as sdk_identity  # noqa: E402
from bedrock_agentcore.runtime.context import BedrockAgentCoreContext  # noqa: E402

from agentcore_identity_cli import sdk as ours  # noqa: E402

RUNTIME_WAT = "wat-minted-by-the-runtime"


def _shape(func: Callable[..., Any]) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(func).parameters.values()]


@pytest.mark.parametrize("name", sorted(sdk_identity.__all__))
def test_every_sdk_decorator_exists_with_the_same_parameters(name: str) -> None:
    theirs = getattr(sdk_identity, name)
    mine = getattr(ours, name, None)
    assert mine is not None, f"bedrock_agentcore.identity.{name} has no counterpart in agentcore_identity_cli.sdk"
    assert _shape(mine) == _shape(theirs)


def test_the_decorators_are_importable_from_the_package() -> None:
    import agentcore_identity_cli

    for name in sdk_identity.__all__:
        assert getattr(agentcore_identity_cli, name) is getattr(ours, name)


def test_auth_flow_accepts_the_flows_the_sdk_accepts() -> None:
    def flows(func: Callable[..., Any], namespace: dict[str, Any]) -> set[str]:
        hint = typing.get_type_hints(func, namespace)["auth_flow"]
        return set(typing.get_args(hint))

    assert flows(ours.requires_access_token, vars(ours)) == flows(sdk_auth.requires_access_token, vars(sdk_auth))
    assert flows(ours.requires_access_token, vars(ours)) == {"M2M", "USER_FEDERATION", "ON_BEHALF_OF_TOKEN_EXCHANGE"}


# --- the same requests on the wire ----------------------------------------------------------


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Iterator[WireServer]:
    """The endpoint, and both clients pointed at it: the SDK through boto3, ours on the aws backend."""
    with WireServer() as server:
        for key, value in {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE": server.url,
            "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL": server.url,
            "AGENTCORE_IDENTITY_BACKEND": "aws",
            "AGENTCORE_IDENTITY_REGION": "us-east-1",
        }.items():
            monkeypatch.setenv(key, value)
        yield server
        assert server.failures == [], server.failures


def _in_runtime_request(call: Callable[[], Any]) -> Any:
    """Run `call` as the AgentCore Runtime runs a request: with a workload access token in context."""

    def run() -> Any:
        BedrockAgentCoreContext.set_workload_access_token(RUNTIME_WAT)
        return call()

    return contextvars.copy_context().run(run)


def _sent(wire: WireServer, operation: str) -> list[dict[str, Any]]:
    sent = [seen.params for seen in wire.requests if seen.operation == operation]
    wire.requests.clear()
    return sent


TOKEN_CASES: dict[str, dict[str, Any]] = {
    "m2m": {"scopes": ["read"], "auth_flow": "M2M"},
    "m2m-no-scopes-empty-lists": {"scopes": [], "auth_flow": "M2M", "resources": [], "audiences": []},
    "on-behalf-of": {
        "scopes": ["read", "write"],
        "auth_flow": "ON_BEHALF_OF_TOKEN_EXCHANGE",
        "resources": ["https://api.example.com/"],
        "audiences": ["api://downstream", "api://other"],
    },
    "user-federation-all-options": {
        "scopes": ["repo"],
        "auth_flow": "USER_FEDERATION",
        "callback_url": "https://app.example.com/oauth2/callback",
        "force_authentication": True,
        "custom_state": "state-123",
        "custom_parameters": {"prompt": "consent", "access_type": "offline"},
        "resources": ["https://api.example.com/"],
    },
}


@pytest.mark.parametrize("kwargs", list(TOKEN_CASES.values()), ids=list(TOKEN_CASES))
def test_requires_access_token_sends_what_the_sdk_sends(wire: WireServer, kwargs: dict[str, Any]) -> None:
    sent: dict[str, list[dict[str, Any]]] = {}
    tokens: dict[str, str] = {}
    for who, module in (("sdk", sdk_auth), ("ours", ours)):

        @module.requires_access_token(provider_name="github", **kwargs)
        def call(*, access_token: str) -> str:
            return access_token

        tokens[who] = _in_runtime_request(call)
        sent[who] = _sent(wire, "GetResourceOauth2Token")

    assert sent["ours"] == sent["sdk"]
    assert len(sent["ours"]) == 1
    assert sent["ours"][0]["workloadIdentityToken"] == RUNTIME_WAT
    assert tokens["ours"] == tokens["sdk"]


def test_async_functions_send_the_same_request_too(wire: WireServer) -> None:
    kwargs = TOKEN_CASES["on-behalf-of"]
    sent = {}
    for who, module in (("sdk", sdk_auth), ("ours", ours)):

        @module.requires_access_token(provider_name="github", into="token", **kwargs)
        async def call(*, token: str) -> str:
            return token

        assert _in_runtime_request(lambda call=call: asyncio.run(call()))
        sent[who] = _sent(wire, "GetResourceOauth2Token")
    assert sent["ours"] == sent["sdk"]


def test_requires_api_key_sends_what_the_sdk_sends(wire: WireServer) -> None:
    sent, keys = {}, {}
    for who, module in (("sdk", sdk_auth), ("ours", ours)):

        @module.requires_api_key(provider_name="openai")
        def call(*, api_key: str) -> str:
            return api_key

        keys[who] = _in_runtime_request(call)
        sent[who] = _sent(wire, "GetResourceApiKey")
    assert (
        sent["ours"]
        == sent["sdk"]
        == [{"resourceCredentialProviderName": "openai", "workloadIdentityToken": RUNTIME_WAT}]
    )
    assert keys["ours"] == keys["sdk"]


def test_requires_wat_injects_the_runtime_token_as_the_sdk_does(wire: WireServer) -> None:
    for module in (sdk_auth, ours):

        @module.requires_wat()
        def call(*, identity_wat: str) -> str:
            return identity_wat

        assert _in_runtime_request(call) == RUNTIME_WAT
    assert wire.requests == []  # the Runtime's token is used as it is
