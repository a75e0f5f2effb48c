"""The Python API's decorators on the local vault, used as agent code uses them: M2M and
user-federation tokens from a real authorization server on loopback, API keys, and the
workload access token itself, into sync and async functions."""
# ruff: noqa: F811 - the fixtures are imported from tests/oauth_server.py

from __future__ import annotations

import asyncio
import threading
import webbrowser
from typing import Any

import pytest

from agentcore_identity_cli import requires_access_token, requires_api_key, requires_wat
from agentcore_identity_cli.errors import AgentCoreIdentityError
from tests.oauth_server import AuthServer, Browser, browser, create_provider, oauth_server  # noqa: F401


@pytest.fixture
def agent(cli: Any, oauth_server: AuthServer, monkeypatch: pytest.MonkeyPatch) -> AuthServer:
    """A provider `corp` on the test server; the agent runs as workload support-agent for alice."""
    create_provider(cli, oauth_server)
    assert cli("create-workload-identity", "--name", "support-agent").exit_code == 0
    monkeypatch.setenv("AGENTCORE_IDENTITY_WORKLOAD_NAME", "support-agent")
    monkeypatch.setenv("AGENTCORE_IDENTITY_USER_ID", "alice")
    return oauth_server


class UserAtTheBrowser:
    """on_auth_url as a desktop agent passes it: open the URL in the browser and return at once."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str) -> None:
        self.urls.append(url)
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()


def test_m2m_token_goes_into_sync_and_async_functions(agent: AuthServer):
    @requires_access_token(provider_name="corp", scopes=["read"], auth_flow="M2M")
    def sync_tool(query: str, *, access_token: str) -> tuple[str, str]:
        return query, access_token

    @requires_access_token(provider_name="corp", scopes=["read"], auth_flow="M2M", into="bearer")
    async def async_tool(*, bearer: str) -> str:
        return bearer

    query, token = sync_tool("q")
    assert query == "q"
    assert token == agent.tokens[-1].access_token
    assert asyncio.run(async_tool()) == token  # cached for the workload until shortly before expiry
    assert agent.stats["token:client_credentials"] == 1
    assert sync_tool.__name__ == "sync_tool"


def test_a_sync_tool_called_from_async_code_still_gets_its_token(agent: AuthServer):
    @requires_access_token(provider_name="corp", scopes=["read"], auth_flow="M2M")
    def sync_tool(*, access_token: str) -> str:
        return access_token

    async def agent_loop() -> str:
        return sync_tool()  # a running loop: the token is fetched on a thread of its own

    assert asyncio.run(agent_loop()) == agent.tokens[-1].access_token


def test_user_federation_injects_the_token_alice_consented_to_with_login(cli: Any, agent: AuthServer, browser: Browser):
    login = cli("login", "corp", "--scopes", "read")
    assert login.exit_code == 0, login.stderr
    urls: list[str] = []

    @requires_access_token(provider_name="corp", scopes=["read"], auth_flow="USER_FEDERATION", on_auth_url=urls.append)
    def list_repos(*, access_token: str) -> str:
        return access_token

    (issued,) = [t for t in agent.tokens if t.user]
    assert list_repos() == issued.access_token
    assert urls == []  # consent was already given


def test_user_federation_sends_the_user_to_consent_then_injects_their_token(
    cli: Any, agent: AuthServer, browser: Browser
):
    user = UserAtTheBrowser()

    @requires_access_token(provider_name="corp", scopes=["read"], auth_flow="USER_FEDERATION", on_auth_url=user)
    def list_repos(*, access_token: str) -> str:
        return access_token

    token = list_repos()
    (issued,) = [t for t in agent.tokens if t.user]
    assert token == issued.access_token
    assert len(user.urls) == 1 and user.urls[0].startswith(agent.url + "/authorize?")
    assert "code_challenge=" in user.urls[0]
    assert browser.entries(wait_for="callback_page")  # the browser's page said it worked
    assert list_repos() == token  # stored for (support-agent, corp, alice): no second consent
    assert len(user.urls) == 1
    # The token is alice's only: bob is asked to consent for himself.
    bob = cli(
        "get-workload-access-token-for-user-id",
        "--workload-name",
        "support-agent",
        "--user-id",
        "bob",
        "--query",
        "workloadAccessToken",
        "--output",
        "text",
    )
    other = cli(
        "get-resource-oauth2-token",
        "--resource-credential-provider-name",
        "corp",
        "--scopes",
        "read",
        "--oauth2-flow",
        "USER_FEDERATION",
        "--workload-identity-token",
        "-",
        input=bob.stdout.strip(),
    )
    assert other.json()["sessionStatus"] == "IN_PROGRESS"


def test_user_federation_in_an_async_tool_with_an_async_url_handler(agent: AuthServer, browser: Browser):
    seen: list[str] = []

    async def send_link_to_user(url: str) -> None:
        seen.append(url)
        await asyncio.sleep(0)
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

    @requires_access_token(
        provider_name="corp", scopes=["read"], auth_flow="USER_FEDERATION", on_auth_url=send_link_to_user
    )
    async def list_repos(*, access_token: str) -> str:
        return access_token

    token = asyncio.run(list_repos())
    (issued,) = [t for t in agent.tokens if t.user]
    assert token == issued.access_token
    assert len(seen) == 1


def test_force_authentication_asks_again_even_with_a_stored_token(cli: Any, agent: AuthServer, browser: Browser):
    assert cli("login", "corp", "--scopes", "read").exit_code == 0
    user = UserAtTheBrowser()

    @requires_access_token(
        provider_name="corp", scopes=["read"], auth_flow="USER_FEDERATION", on_auth_url=user, force_authentication=True
    )
    def list_repos(*, access_token: str) -> str:
        return access_token

    token = list_repos()
    assert len(user.urls) == 1
    assert token == [t for t in agent.tokens if t.user][-1].access_token
    assert len([t for t in agent.tokens if t.user]) == 2


def test_a_denied_consent_fails_the_call(agent: AuthServer, browser: Browser):
    browser.mode("deny")
    called = []

    @requires_access_token(
        provider_name="corp", scopes=["read"], auth_flow="USER_FEDERATION", on_auth_url=UserAtTheBrowser()
    )
    def list_repos(*, access_token: str) -> None:
        called.append(access_token)

    with pytest.raises(AgentCoreIdentityError) as failure:
        list_repos()
    assert "refused the authorization request: access_denied" in str(failure.value)
    assert called == []


def test_a_custom_token_poller_decides_when_the_token_is_ready(agent: AuthServer):
    class Poller:
        async def poll_for_token(self) -> str:
            return "token-from-my-poller"

    urls: list[str] = []

    @requires_access_token(
        provider_name="corp",
        scopes=["read"],
        auth_flow="USER_FEDERATION",
        on_auth_url=urls.append,
        token_poller=Poller(),
    )
    def list_repos(*, access_token: str) -> str:
        return access_token

    assert list_repos() == "token-from-my-poller"
    assert len(urls) == 1


def test_a_return_url_that_the_workload_does_not_allow_is_refused(agent: AuthServer):
    @requires_access_token(
        provider_name="corp", scopes=["read"], auth_flow="USER_FEDERATION", callback_url="https://evil.example/cb"
    )
    def list_repos(*, access_token: str) -> str:
        return access_token

    with pytest.raises(AgentCoreIdentityError, match="allowedResourceOauth2ReturnUrls"):
        list_repos()


def test_requires_api_key_into_sync_and_async_functions(cli: Any, monkeypatch: pytest.MonkeyPatch):
    assert (
        cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-123").exit_code == 0
    )

    @requires_api_key(provider_name="openai")
    def ask(prompt: str, *, api_key: str) -> str:
        return f"{prompt}:{api_key}"

    @requires_api_key(provider_name="openai", into="key")
    async def ask_async(*, key: str) -> str:
        return key

    assert ask("hi") == "hi:sk-123"
    assert asyncio.run(ask_async()) == "sk-123"


def test_requires_wat_injects_a_token_the_vault_accepts(cli: Any, monkeypatch: pytest.MonkeyPatch):
    assert (
        cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-123").exit_code == 0
    )
    assert cli("create-workload-identity", "--name", "support-agent").exit_code == 0
    monkeypatch.setenv("AGENTCORE_IDENTITY_WORKLOAD_NAME", "support-agent")
    monkeypatch.setenv("AGENTCORE_IDENTITY_USER_ID", "alice")

    @requires_wat()
    def downstream(*, identity_wat: str) -> str:
        return identity_wat

    @requires_wat(into="wat")
    async def downstream_async(*, wat: str) -> str:
        return wat

    for wat in (downstream(), asyncio.run(downstream_async())):
        claims = _claims(wat)
        assert (claims["workload"], claims["user_id"]) == ("support-agent", "alice")
        key = cli(
            "get-resource-api-key",
            "--resource-credential-provider-name",
            "openai",
            "--workload-identity-token",
            "-",
            input=wat,
        )
        assert key.exit_code == 0, key.stderr
        assert key.json() == {"apiKey": "sk-123"}


def _claims(token: str) -> dict[str, Any]:
    import base64
    import json

    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def test_without_a_url_handler_the_url_is_shown_on_stderr(agent: AuthServer, browser: Browser, capfd: Any):
    import re

    @requires_access_token(provider_name="corp", scopes=["read"], auth_flow="USER_FEDERATION")
    def list_repos(*, access_token: str) -> str:
        return access_token

    def user_reads_stderr() -> None:
        for _ in range(200):
            found = re.search(r"(http://\S+/authorize\?\S+)", capfd.readouterr().err)
            if found:
                webbrowser.open(found.group(1))
                return
            threading.Event().wait(0.05)

    reader = threading.Thread(target=user_reads_stderr, daemon=True)
    reader.start()
    assert list_repos() == [t for t in agent.tokens if t.user][-1].access_token
    reader.join(timeout=10)


def test_the_python_api_on_the_local_path_loads_neither_boto3_nor_botocore(cli: Any):
    import subprocess
    import sys

    assert cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-1").exit_code == 0
    probe = (
        "import sys\n"
        "from agentcore_identity_cli import requires_api_key, requires_wat\n"
        "@requires_api_key(provider_name='openai')\n"
        "def ask(*, api_key): return api_key\n"
        "@requires_wat()\n"
        "def wat(*, identity_wat): return identity_wat\n"
        "assert ask() == 'sk-1' and wat()\n"
        "print(sorted(m for m in ('boto3', 'botocore') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
