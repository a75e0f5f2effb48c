"""`login`: authorization code + PKCE in a browser (the BROWSER script), the loopback listener,
`--no-browser` with a pasted redirect, and `logout`."""
# ruff: noqa: F811 - the fixtures are imported from tests/oauth_server.py

from __future__ import annotations

import os
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

from agentcore_identity_cli.identity import default_workload_name, os_user
from tests.oauth_server import AuthServer, Browser, browser, create_provider, oauth_server  # noqa: F401


def test_login_runs_code_with_pkce_and_stores_the_tokens(cli, oauth_server: AuthServer, browser: Browser):
    create_provider(cli, oauth_server)
    result = cli("login", "corp", "--scopes", "openid", "offline_access", "read")
    assert result.exit_code == 0, result.stderr
    assert "Logged in to 'corp'" in result.stderr
    assert result.stdout == ""
    (opened,) = [e["opened"] for e in browser.entries() if "opened" in e]
    query = parse_qs(urlsplit(opened).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["state"][0]) >= 32
    assert query["scope"] == ["openid offline_access read"]
    redirect = urlsplit(query["redirect_uri"][0])
    # The provider's callbackUrl, on the listener's random port (RFC 8252 section 7.3).
    callback = urlsplit(cli("get-oauth2-credential-provider", "--name", "corp").json()["callbackUrl"])
    assert (redirect.hostname, redirect.path) == ("127.0.0.1", callback.path)
    assert callback.port is None and callback.path.startswith("/identities/oauth2/callback/")
    assert oauth_server.stats["token:authorization_code"] == 1
    page = next(e for e in browser.entries(wait_for="callback_status") if "callback_status" in e)
    assert page["callback_status"] == 200 and "Logged in" in page["callback_page"]

    token = cli("token", "corp")
    assert token.exit_code == 0, token.stderr
    (issued,) = [t for t in oauth_server.tokens if t.user]
    assert token.stdout.strip() == issued.access_token
    assert oauth_server.stats["token:refresh_token"] == 0  # fresh: no refresh needed


def test_login_creates_the_default_workload_identity_for_the_os_user(cli, oauth_server: AuthServer, browser: Browser):
    create_provider(cli, oauth_server)
    assert cli("login", "corp").exit_code == 0
    got = cli("get-workload-identity", "--name", default_workload_name())
    assert got.exit_code == 0, got.stderr
    assert f"as user '{os_user()}'" in cli("login", "corp").stderr


def test_tokens_are_kept_per_user_and_workload(cli, oauth_server: AuthServer, browser: Browser):
    create_provider(cli, oauth_server)
    assert cli("create-workload-identity", "--name", "agent-1").exit_code == 0
    assert cli("login", "corp", "--user-id", "bob").exit_code == 0
    assert cli("login", "corp", "--user-id", "carol", "--workload-name", "agent-1").exit_code == 0
    bob = cli("token", "corp", "--user-id", "bob").stdout
    carol = cli("token", "corp", "--user-id", "carol", "--workload-name", "agent-1").stdout
    assert bob != carol
    # carol has no login for the default workload: that is an M2M token, not hers.
    assert cli("token", "corp", "--user-id", "carol", "--oauth2-flow", "USER_FEDERATION").exit_code == 254


def test_user_flow_without_a_login_says_to_log_in(cli, oauth_server: AuthServer):
    create_provider(cli, oauth_server)
    result = cli("token", "corp", "--oauth2-flow", "USER_FEDERATION")
    assert result.exit_code == 254
    assert "agentcore-identity login corp" in result.stderr


def test_state_mismatch_is_rejected(cli, oauth_server: AuthServer, browser: Browser):
    create_provider(cli, oauth_server)
    browser.mode("tamper-state")
    result = cli("login", "corp")
    assert result.exit_code == 254
    assert "state does not match" in result.stderr
    assert oauth_server.stats["token:authorization_code"] == 0  # the code was never exchanged
    page = next(e for e in browser.entries(wait_for="callback_status") if "callback_status" in e)
    assert page["callback_status"] == 400 and "Login failed" in page["callback_page"]
    assert cli("token", "corp", "--oauth2-flow", "USER_FEDERATION").exit_code == 254


def test_consent_denied_shows_the_providers_error(cli, oauth_server: AuthServer, browser: Browser):
    create_provider(cli, oauth_server)
    browser.mode("deny")
    result = cli("login", "corp")
    assert result.exit_code == 254
    assert "access_denied" in result.stderr


def test_login_gives_up_after_the_timeout(cli, oauth_server: AuthServer, browser: Browser):
    create_provider(cli, oauth_server)
    browser.mode("ignore")
    started = time.monotonic()
    result = cli("login", "corp", "--timeout", "1")
    assert time.monotonic() - started < 10
    assert result.exit_code == 255
    assert "No answer from the browser within 1 seconds" in result.stderr
    assert "Traceback" not in result.stderr


def test_listener_is_closed_after_the_login(cli, oauth_server: AuthServer, browser: Browser):
    import httpx

    create_provider(cli, oauth_server)
    assert cli("login", "corp").exit_code == 0
    (opened,) = [e["opened"] for e in browser.entries() if "opened" in e]
    redirect_uri = parse_qs(urlsplit(opened).query)["redirect_uri"][0]
    try:
        httpx.get(redirect_uri + "?code=x&state=y", timeout=2)
    except httpx.TransportError:
        return
    raise AssertionError("the redirect listener still answers after the login")


def test_no_browser_accepts_the_redirected_url_pasted_on_stdin(oauth_server: AuthServer, browser: Browser, cli):
    """An SSH host: the URL goes to stderr, the user approves elsewhere and pastes the redirect."""
    import httpx

    create_provider(cli, oauth_server)
    proc = subprocess.Popen(
        [sys.executable, "-m", "agentcore_identity_cli", "login", "corp", "--no-browser", "--timeout", "30"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "BROWSER": "/bin/false"},
    )
    assert proc.stderr is not None and proc.stdin is not None
    url = ""
    while not url:
        line = proc.stderr.readline()
        assert line, "login ended before printing the URL"
        if line.strip().startswith("http://"):
            url = line.strip()
    # The user's browser, on another machine: consent, and the address bar shows the redirect.
    with httpx.Client(follow_redirects=False) as client:
        page = client.get(url)
        action = page.text.split('action="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        redirect = client.post(oauth_server.url + action, data={"confirm": "yes"}).headers["location"]
    proc.stdin.write("not a url\n" + redirect + "\n")
    proc.stdin.flush()
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Logged in to 'corp'" in err
    assert "not the address the browser was sent to" in err
    assert oauth_server.stats["token:authorization_code"] == 1
    assert not [e for e in browser.entries() if "opened" in e]  # no browser was started


def test_logout_deletes_and_revokes_the_tokens(cli, oauth_server: AuthServer, browser: Browser):
    create_provider(cli, oauth_server)
    assert cli("login", "corp", "--scopes", "read").exit_code == 0
    assert len(oauth_server.live_refresh_tokens()) == 1
    result = cli("logout", "corp")
    assert result.exit_code == 0, result.stderr
    assert "2 token(s) revoked" in result.stderr
    assert oauth_server.stats["revoked"] == 2
    assert oauth_server.live_refresh_tokens() == []
    assert cli("token", "corp", "--oauth2-flow", "USER_FEDERATION").exit_code == 254
    again = cli("logout", "corp")
    assert again.exit_code == 0 and "nothing to do" in again.stderr


def test_logout_without_a_revocation_endpoint_warns(cli, oauth_server: AuthServer, browser: Browser):
    oauth_server.metadata_overrides["revocation_endpoint"] = None
    create_provider(cli, oauth_server)
    assert cli("login", "corp").exit_code == 0
    result = cli("logout", "corp")
    assert result.exit_code == 0
    assert "no revocation endpoint" in result.stderr
    assert oauth_server.stats["revoked"] == 0


def test_login_session_uri_on_the_aws_backend_is_refused_clearly(cli):
    # plain `login` on aws runs the service's flow (tests/test_aws_login.py); --session-uri is local
    result = cli("--backend", "aws", "login", "corp", "--session-uri", "urn:ietf:params:oauth:request_uri:x")
    assert result.exit_code == 252
    assert "local backend" in result.stderr
