"""`login` on the aws backend: AgentCore Identity's user-federation flow, over the wire.

The loopback endpoint of tests/aws_wire_server.py plays the service (UserFederation): its
authorizationUrl redirects the BROWSER script to the return URL registered on the workload
identity, with `?session_id=<sessionUri>`, where the CLI listens.
"""
# ruff: noqa: F811 - the browser fixture is imported from tests/oauth_server.py

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.aws_wire_server import ACCESS_KEY, SECRET_KEY, UserFederation, WireServer
from tests.oauth_server import Browser, browser  # noqa: F401

FLOW = [
    "GetWorkloadAccessTokenForUserId",
    "GetWorkloadIdentity",
    "GetResourceOauth2Token",
    "CompleteResourceTokenAuth",
    "GetResourceOauth2Token",
]


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def return_url() -> str:
    return f"http://127.0.0.1:{_free_port()}/oauth2/callback"


@pytest.fixture
def federation(return_url: str) -> UserFederation:
    return UserFederation(return_urls=["https://app.example.com/callback", return_url])


@pytest.fixture
def wire(federation: UserFederation) -> Iterator[WireServer]:
    with WireServer(federation=federation) as server:
        yield server
        assert server.failures == [], server.failures


@pytest.fixture
def login(cli: Any, wire: WireServer) -> Any:
    def run(*args: str, input: str = "") -> Any:
        return cli(
            "--backend", "aws", "--endpoint-url", wire.url, "--region", "us-east-1",
            "login", "corp", "--user-id", "alice", "--workload-name", "agent-1", *args,
            input=input,
        )  # fmt: skip

    return run


def test_login_runs_the_services_user_federation_flow(
    login: Any, wire: WireServer, federation: UserFederation, return_url: str, browser: Browser
) -> None:
    browser.mode("redirect")
    result = login("--scopes", "read write", "--timeout", "30")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "Logged in to 'corp' as user 'alice' (workload identity 'agent-1')" in result.stderr
    assert federation.access_token not in result.stderr
    assert "workloadAccessToken-value" not in result.stderr  # the workload token is not shown either

    assert wire.operations() == FLOW
    assert all(seen.headers["authorization"].startswith("AWS4-HMAC-SHA256 ") for seen in wire.requests)
    assert wire.requests[0].params == {"workloadName": "agent-1", "userId": "alice"}
    assert wire.requests[1].params == {"name": "agent-1"}
    start = wire.requests[2].params
    assert start == {
        "workloadIdentityToken": "workloadAccessToken-value",
        "resourceCredentialProviderName": "corp",
        "scopes": ["read", "write"],
        "oauth2Flow": "USER_FEDERATION",
        "resourceOauth2ReturnUrl": return_url,  # the loopback one of the two registered
    }
    assert wire.requests[3].params == {"sessionUri": federation.session_uri, "userIdentifier": {"userId": "alice"}}
    assert wire.requests[4].params == {**start, "sessionUri": federation.session_uri}

    (opened,) = [e["opened"] for e in browser.entries() if "opened" in e]
    assert opened.startswith(wire.url + "/identities/oauth2/authorize?request_uri=")
    (back,) = [e for e in browser.entries(wait_for="callback_status") if "callback_status" in e]
    assert back["callback_url"].startswith(return_url + "?session_id=")
    assert parse_qs(urlsplit(back["callback_url"]).query)["session_id"] == [federation.session_uri]
    assert back["callback_status"] == 200 and "Logged in" in back["callback_page"]


def test_a_token_answered_at_once_opens_no_browser(
    login: Any, wire: WireServer, federation: UserFederation, browser: Browser
) -> None:
    federation.at_once = True
    result = login()
    assert result.exit_code == 0, result.stderr
    assert "nothing to do" in result.stderr and federation.access_token not in result.stderr + result.stdout
    assert wire.operations() == FLOW[:3]
    assert wire.requests[2].params["scopes"] == []
    assert browser.entries() == []


def test_no_browser_prints_the_url_and_takes_the_pasted_return_address(
    login: Any, wire: WireServer, federation: UserFederation, return_url: str, browser: Browser
) -> None:
    pasted = f"{return_url}?session_id={quote(federation.session_uri, safe='')}\n"
    result = login("--no-browser", input=pasted)
    assert result.exit_code == 0, result.stderr
    assert wire.url + "/identities/oauth2/authorize?request_uri=" in result.stderr
    assert wire.operations() == FLOW
    assert browser.entries() == []


def test_a_return_with_another_session_is_not_completed(
    login: Any, wire: WireServer, return_url: str, browser: Browser
) -> None:
    result = login("--no-browser", input=f"{return_url}?session_id=urn:ietf:params:oauth:request_uri:other\n")
    assert result.exit_code == 254
    assert "another session" in result.stderr
    assert wire.operations() == FLOW[:3]


def test_no_loopback_return_url_on_the_workload_says_how_to_register_one(
    login: Any, wire: WireServer, federation: UserFederation, browser: Browser
) -> None:
    federation.return_urls = ["https://app.example.com/callback", "http://localhost/no-port"]
    result = login()
    assert result.exit_code == 253
    assert "no loopback return URL" in result.stderr
    assert (
        "agentcore-identity --backend aws update-workload-identity --name agent-1 "
        "--allowed-resource-oauth2-return-urls https://app.example.com/callback http://localhost/no-port "
        "http://127.0.0.1:8765/callback"
    ) in result.stderr
    assert wire.operations() == FLOW[:2]  # no session was started
    assert browser.entries() == []


def test_a_browser_that_never_comes_back_times_out(
    login: Any, wire: WireServer, federation: UserFederation, browser: Browser
) -> None:
    browser.mode("ignore")
    result = login("--timeout", "1")
    assert result.exit_code == 255
    assert "within 1 seconds" in result.stderr
    assert wire.operations() == FLOW[:3]
    assert federation.completed_with == []


def test_a_token_that_never_comes_times_out_after_polling(
    login: Any, wire: WireServer, federation: UserFederation, browser: Browser
) -> None:
    federation.hand_out = False
    browser.mode("redirect")
    result = login("--timeout", "3")
    assert result.exit_code == 255
    assert "did not hand out the token within 3 seconds" in result.stderr
    assert wire.operations()[:4] == FLOW[:4]
    assert wire.operations()[4:] == ["GetResourceOauth2Token"] * len(wire.operations()[4:])
    assert len(wire.operations()) >= 5
    (back,) = [e for e in browser.entries(wait_for="callback_status") if "callback_status" in e]
    assert back["callback_status"] == 400 and "Login failed" in back["callback_page"]


def test_device_is_refused_on_aws(login: Any, wire: WireServer) -> None:
    result = login("--device")
    assert result.exit_code == 252
    assert "--device is not available on the aws backend" in result.stderr
    assert wire.requests == []


def test_a_workload_name_is_required_on_aws(cli: Any) -> None:
    result = cli("--backend", "aws", "--region", "us-east-1", "login", "corp")
    assert result.exit_code == 253
    assert "--workload-name" in result.stderr
