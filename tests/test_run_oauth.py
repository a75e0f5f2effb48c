"""`run` with OAuth and workload-token references, against a real authorization server.

The authorization server runs on 127.0.0.1 in this process; `run` and its child are real
processes.
"""
# ruff: noqa: F811 - the fixtures are imported from tests/oauth_server.py

from __future__ import annotations

import json
import sys
from typing import Any

from tests.oauth_server import AuthServer, Browser, browser, create_provider, oauth_server  # noqa: F401
from tests.run_support import MASK, run_cli, sha256

HASH = "import hashlib, os; print(hashlib.sha256(os.environ['TOKEN'].encode()).hexdigest())"
PRINT = "import os; print(os.environ['TOKEN'])"


def test_an_m2m_reference_hands_the_child_a_client_credentials_token(cli: Any, oauth_server: AuthServer) -> None:
    create_provider(cli, oauth_server)
    ref = "TOKEN=agentcore://oauth2/corp?flow=M2M&scopes=read,write"
    hashed = run_cli("run", "--env", ref, "--", sys.executable, "-c", HASH)
    assert hashed.returncode == 0, hashed.stderr
    (issued,) = oauth_server.tokens
    assert hashed.stdout.decode().strip() == sha256(issued.access_token)
    assert issued.scope == "read write"
    printed = run_cli("run", "--env", ref, "--", sys.executable, "-c", PRINT)
    assert printed.stdout.decode() == MASK + "\n"
    assert oauth_server.stats["token:client_credentials"] == 1  # the second run used the stored token
    # Each run: one secret-read event naming the provider, no workload access token needed.
    events = json.loads(run_cli("audit", "list", "--category", "secret-read", "--output", "json").stdout)["events"]
    assert [e["operation"] for e in events] == ["OAuth2Token", "OAuth2Token"]
    assert {e["target"].rsplit("/", 2)[-2:] == ["oauth2credentialprovider", "corp"] for e in events} == {True}
    assert oauth_server.tokens[0].access_token not in json.dumps(events)


def test_a_stored_token_with_less_than_five_minutes_left_is_fetched_again_first(
    cli: Any, oauth_server: AuthServer
) -> None:
    oauth_server.expires_in["client_credentials"] = 240
    create_provider(cli, oauth_server)
    first = cli("token", "corp", "--oauth2-flow", "M2M").stdout.strip()
    assert cli("token", "corp", "--oauth2-flow", "M2M").stdout.strip() == first  # `token`: fresh enough
    result = run_cli("run", "--env", "TOKEN=agentcore://oauth2/corp?flow=M2M", "--", sys.executable, "-c", HASH)
    assert result.returncode == 0, result.stderr
    assert oauth_server.stats["token:client_credentials"] == 2  # run: not with 4 minutes left
    assert result.stdout.decode().strip() == sha256(oauth_server.tokens[-1].access_token)
    # A new token from this server lasts 4 minutes too: run says so, without the token.
    stderr = result.stderr.decode()
    assert "Warning: the value of agentcore://oauth2/corp?flow=M2M expires in" in stderr
    assert "a running program cannot be given a new one" in stderr
    assert oauth_server.tokens[-1].access_token not in stderr


def test_a_login_token_with_less_than_five_minutes_left_is_refreshed_first(
    cli: Any, oauth_server: AuthServer, browser: Browser
) -> None:
    oauth_server.expires_in["authorization_code"] = 240
    create_provider(cli, oauth_server)
    assert cli("login", "corp", "--scopes", "openid", "offline_access").exit_code == 0
    assert cli("token", "corp").exit_code == 0
    assert oauth_server.stats["refresh"] == 0  # `token` refreshes within a minute of expiry only
    result = run_cli("run", "--env", "TOKEN=agentcore://oauth2/corp", "--", sys.executable, "-c", HASH)
    assert result.returncode == 0, result.stderr
    assert oauth_server.stats["refresh"] == 1
    assert result.stdout.decode().strip() == sha256(oauth_server.tokens[-1].access_token)


def test_a_token_with_time_left_is_used_as_stored(cli: Any, oauth_server: AuthServer, browser: Browser) -> None:
    create_provider(cli, oauth_server)
    assert cli("login", "corp", "--scopes", "openid", "offline_access").exit_code == 0
    result = run_cli("run", "--env", "TOKEN=agentcore://oauth2/corp", "--", sys.executable, "-c", HASH)
    assert result.returncode == 0, result.stderr
    assert oauth_server.stats["refresh"] == 0
    assert result.stderr == b""
    assert result.stdout.decode().strip() == sha256(oauth_server.tokens[-1].access_token)


def test_an_unknown_oauth2_provider_fails_with_a_suggestion(cli: Any, oauth_server: AuthServer) -> None:
    create_provider(cli, oauth_server)
    result = run_cli("run", "--env", "TOKEN=agentcore://oauth2/crop", "--", sys.executable, "-c", "print('ran')")
    assert result.returncode == 254
    assert result.stdout == b""
    assert "did you mean 'corp'?" in result.stderr.decode()


JWT_PARTS = """
import base64, json, os
token = os.environ["TOKEN"]
header, claims, signature = token.split(".")
print(token)
print(header)
print(claims)
print(signature)
print(json.dumps(json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))))
"""


def test_a_workload_token_is_a_jwt_masked_whole_and_by_segment(cli: Any) -> None:
    assert cli("create-workload-identity", "--name", "support-agent").exit_code == 0
    result = run_cli(
        "run", "--env", "TOKEN=agentcore://workload-token/support-agent?user=alice",
        "--", sys.executable, "-c", JWT_PARTS,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert lines[:4] == [MASK] * 4
    claims = json.loads(lines[4])  # the decoded claims are not the token
    assert claims["workload"] == "support-agent"
    assert claims["user_id"] == "alice"
