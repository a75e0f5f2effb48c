"""`login --device`: the device authorization grant (RFC 8628) against a real server."""
# ruff: noqa: F811 - the server fixture is imported from tests/oauth_server.py

from __future__ import annotations

import threading
import time

from tests.oauth_server import AuthServer, create_provider, oauth_server  # noqa: F401


def _approve_in_background(server: AuthServer, approved: bool = True) -> threading.Thread:
    thread = threading.Thread(target=server.approve_device, kwargs={"approved": approved}, daemon=True)
    thread.start()
    return thread


def test_device_login_shows_the_codes_and_stores_the_tokens(cli, oauth_server: AuthServer):
    create_provider(cli, oauth_server)
    approver = _approve_in_background(oauth_server)
    result = cli("login", "corp", "--device", "--scopes", "read")
    approver.join()
    assert result.exit_code == 0, result.stderr
    (device,) = oauth_server.devices.values()
    assert f"one-time code: {device.user_code}" in result.stderr
    assert f"open {oauth_server.url}/device " in result.stderr
    assert f"{oauth_server.url}/device?user_code={device.user_code}" in result.stderr  # verification_uri_complete
    assert device.scope == "read"
    assert oauth_server.stats["token:urn:ietf:params:oauth:grant-type:device_code"] >= 1
    token = cli("token", "corp")
    assert token.exit_code == 0
    (issued,) = [t for t in oauth_server.tokens if t.user]
    assert token.stdout.strip() == issued.access_token


def test_device_login_polls_until_approved(cli, oauth_server: AuthServer):
    oauth_server.device_interval = 0.1
    create_provider(cli, oauth_server)

    def approve_later() -> None:
        time.sleep(0.6)
        oauth_server.approve_device()

    thread = threading.Thread(target=approve_later, daemon=True)
    thread.start()
    result = cli("login", "corp", "--device")
    thread.join()
    assert result.exit_code == 0, result.stderr
    polls = oauth_server.stats["token:urn:ietf:params:oauth:grant-type:device_code"]
    assert 3 <= polls <= 10  # authorization_pending a few times, at the interval asked


def test_slow_down_adds_five_seconds_to_the_interval(cli, oauth_server: AuthServer):
    oauth_server.slow_down_once = True
    create_provider(cli, oauth_server)

    def approve_after_slow_down() -> None:
        while not oauth_server.stats["slow_down"]:
            time.sleep(0.02)
        oauth_server.approve_device()

    approver = threading.Thread(target=approve_after_slow_down, daemon=True)
    approver.start()
    started = time.monotonic()
    result = cli("login", "corp", "--device")
    approver.join()
    assert result.exit_code == 0, result.stderr
    assert oauth_server.stats["slow_down"] == 1
    assert time.monotonic() - started >= 5.0


def test_denied_device_code_stops_with_access_denied(cli, oauth_server: AuthServer):
    create_provider(cli, oauth_server)
    approver = _approve_in_background(oauth_server, approved=False)
    result = cli("login", "corp", "--device")
    approver.join()
    assert result.exit_code == 254
    assert "access_denied" in result.stderr
    assert "denied" in result.stderr
    assert cli("token", "corp", "--oauth2-flow", "USER_FEDERATION").exit_code == 254


def test_expired_device_code_stops_with_expired_token(cli, oauth_server: AuthServer):
    oauth_server.device_expires_in = 0.3  # the user never shows up
    create_provider(cli, oauth_server)
    result = cli("login", "corp", "--device")
    assert result.exit_code == 254
    assert "expired_token" in result.stderr
    assert "login --device" in result.stderr


def test_device_login_gives_up_after_the_timeout(cli, oauth_server: AuthServer):
    oauth_server.device_interval = 0.5
    create_provider(cli, oauth_server)
    result = cli("login", "corp", "--device", "--timeout", "1")
    assert result.exit_code == 255
    assert "not approved within 1 seconds" in result.stderr


def test_device_login_needs_a_device_endpoint(cli, oauth_server: AuthServer):
    oauth_server.metadata_overrides["device_authorization_endpoint"] = None
    create_provider(cli, oauth_server)
    result = cli("login", "corp", "--device")
    assert result.exit_code == 254
    assert "no device authorization endpoint" in result.stderr
    assert "--no-browser" in result.stderr
