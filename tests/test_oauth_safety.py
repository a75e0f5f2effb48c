"""Safety of the OAuth engine: no secrets in --debug or errors, the provider's error shown,
a one-shot loopback listener, and no OAuth libraries loaded by control-plane commands."""
# ruff: noqa: F811 - the fixtures are imported from tests/oauth_server.py

from __future__ import annotations

import subprocess
import sys
import threading

import httpx
import pytest

from agentcore_identity_cli.oauth.listener import LoopbackListener
from tests.conftest import run_process
from tests.oauth_server import AuthServer, Browser, browser, create_provider, oauth_server  # noqa: F401


def _secrets(server: AuthServer) -> list[str]:
    values = ["s3cret-client"]
    for token in server.tokens:
        values.append(token.access_token)
        if token.refresh_token:
            values.append(token.refresh_token)
    return values


def test_debug_logs_the_flow_but_never_a_secret(cli, oauth_server: AuthServer, browser: Browser):
    oauth_server.expires_in["authorization_code"] = 30
    create_provider(cli, oauth_server)
    assert cli("login", "corp", "--scopes", "openid").exit_code == 0
    m2m = run_process("--debug", "token", "corp", "--oauth2-flow", "M2M")
    user = run_process("--debug", "token", "corp")  # refreshes: the token expires within 60 s
    assert m2m.exit_code == 0 and user.exit_code == 0, m2m.stderr + user.stderr
    assert "client credentials grant at" in m2m.stderr
    assert "refresh token grant at" in user.stderr
    for secret in _secrets(oauth_server):
        assert secret not in m2m.stderr
        assert secret not in user.stderr


def test_the_providers_error_description_is_shown(cli, oauth_server: AuthServer, browser: Browser):
    create_provider(cli, oauth_server)
    browser.mode("deny")
    result = cli("login", "corp")
    assert result.exit_code == 254
    assert "refused the authorization request: access_denied (" in result.stderr


def test_errors_never_carry_the_client_secret(cli, oauth_server: AuthServer):
    create_provider(cli, oauth_server, secret="definitely-wrong-secret")
    result = cli("--debug", "token", "corp", "--oauth2-flow", "M2M")
    assert result.exit_code == 254
    assert "definitely-wrong-secret" not in result.stderr + result.stdout


def test_pkce_is_sent_even_for_vendors_that_do_not_need_it(cli, oauth_server: AuthServer, browser: Browser):
    # LinkedIn's catalogue entry says pkce: false; the verifier is sent all the same.
    result = cli(
        "create-oauth2-credential-provider",
        "--name",
        "li",
        "--credential-provider-vendor",
        "LinkedinOauth2",
        "--client-id",
        "app",
        "--client-secret",
        "-",
        "--authorization-endpoint",
        oauth_server.url + "/authorize",
        "--token-endpoint",
        oauth_server.url + "/token",
        input="s3cret-client",
    )
    assert result.exit_code == 0, result.stderr
    assert cli("login", "li").exit_code == 0
    (authorize,) = oauth_server.authorize_requests
    assert authorize["code_challenge_method"] == "S256"


CREATE_GITHUB = [
    "create-oauth2-credential-provider",
    "--name",
    "gh",
    "--credential-provider-vendor",
    "GithubOauth2",
    "--client-id",
    "c",
    "--client-secret",
    "-",
]


@pytest.mark.parametrize(
    "command", [CREATE_GITHUB, ["list-oauth2-credential-providers"], ["get-token-vault"]], ids=lambda c: c[0]
)
def test_control_plane_commands_do_not_import_the_oauth_libraries(command: list[str]):
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "agentcore_identity_cli", *command],
        input="client-secret-value",
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if "|" in line}
    assert "httpx" not in imported
    assert not any(name.startswith("authlib") for name in imported)


def test_listener_answers_one_redirect_and_closes():
    with LoopbackListener() as listener:
        url = listener.redirect_uri
        assert url.startswith("http://127.0.0.1:") and url.endswith("/callback")
        assert httpx.get(url.replace("/callback", "/favicon.ico"), timeout=5).status_code == 404

        answers: list[httpx.Response] = []
        browser_thread = threading.Thread(target=lambda: answers.append(httpx.get(url + "?code=c&state=s", timeout=5)))
        browser_thread.start()
        assert listener.wait(5) == {"code": "c", "state": "s"}
        listener.finish(True, "done")
        browser_thread.join()
        assert answers[0].status_code == 200 and "Logged in" in answers[0].text
    with pytest.raises(httpx.TransportError):
        httpx.get(url + "?code=again&state=s", timeout=2)


def test_listener_listens_on_loopback_only():
    with LoopbackListener() as listener:
        assert listener._server is not None
        assert listener._server.server_address[0] == "127.0.0.1"
