"""A login that asks for offline_access asks the user to consent, as OpenID Connect requires
for a refresh token (certified servers drop the scope otherwise)."""
# ruff: noqa: F811 - the fixtures are imported from tests/oauth_server.py

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.oauth_server import AuthServer, Browser, browser, create_provider, oauth_server  # noqa: F401


def _opened_query(browser: Browser) -> dict[str, list[str]]:
    (opened,) = [e["opened"] for e in browser.entries() if "opened" in e]
    return parse_qs(urlsplit(opened).query)


def test_offline_access_adds_prompt_consent(cli, oauth_server: AuthServer, browser: Browser):
    create_provider(cli, oauth_server)
    assert cli("login", "corp", "--scopes", "openid", "offline_access").exit_code == 0
    assert _opened_query(browser)["prompt"] == ["consent"]


def test_without_offline_access_there_is_no_prompt(cli, oauth_server: AuthServer, browser: Browser):
    create_provider(cli, oauth_server)
    assert cli("login", "corp", "--scopes", "openid", "read").exit_code == 0
    assert "prompt" not in _opened_query(browser)


def test_an_error_outside_one_operation_names_no_operation(cli, oauth_server: AuthServer):
    create_provider(cli, oauth_server)
    result = cli("token", "corp", "--oauth2-flow", "USER_FEDERATION")
    assert result.exit_code == 254
    assert "unknown operation" not in result.stderr
