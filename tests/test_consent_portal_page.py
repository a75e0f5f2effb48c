"""The consent portal's page on `serve`, driven by a real headless Chromium on a phone-sized screen.

The test authorization server (tests/oauth_server.py) is both the portal's OpenID Connect
provider and the provider of its one connection. A user signs in, connects the provider, and
`get-resource-oauth2-token` for that user then returns the token without a new consent;
disconnected, it asks again. Another user sees none of the first one's connections; requests
without the CSRF token or from another site are refused. The screenshots of the sign-in,
connections and error pages are taken on every run; with AGENTCORE_UPDATE_SCREENSHOTS=1 they
are written to docs/images/consent-portal/, which docs/consent-portal.md embeds (a test run
changes no file of the project otherwise).
"""
# ruff: noqa: F811 - the fixtures are imported from their support modules

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.browser_support import chromium  # noqa: F401
from tests.conftest import ROOT
from tests.consent_portal_support import create_idp, create_portal, ok
from tests.oauth_server import AuthServer, create_provider, oauth_server  # noqa: F401
from tests.serve_support import Served, serve_fixture  # noqa: F401

SHOTS = ROOT / "docs" / "images" / "consent-portal"
PHONE = {"width": 390, "height": 844}
WORKLOAD = "support-agent"


@dataclass
class Portal:
    """A portal served by `serve`, and every page text the browser saw."""

    url: str
    serve: Served
    oauth: AuthServer
    seen: list[str] = field(default_factory=list)

    def keep(self, page: Any) -> None:
        self.seen.append(page.content())


@pytest.fixture
def portal(serve: Served, cli: Any, oauth_server: AuthServer) -> Portal:
    create_idp(cli, discovery_url=oauth_server.discovery_url)
    create_provider(cli, oauth_server, "tools", "--scopes", "read")  # what Connect asks for
    ok(cli("create-workload-identity", "--name", WORKLOAD))
    created = create_portal(
        cli,
        "support",
        "--description",
        "Connect the accounts the support agent may use for you.",
        "--local-connections",
        "tools",
        "--local-workload-name",
        WORKLOAD,
    ).json()
    return Portal(f"{serve.url}/consent-portals/{created['consentPortalId']}", serve, oauth_server)


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    """A fresh browser context (its own cookies) with a phone's viewport, as a factory."""
    contexts: list[Any] = []

    def make() -> Any:
        context = chromium.new_context(viewport=PHONE, device_scale_factor=1)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def _shot(page: Any, name: str) -> None:
    image = page.screenshot(full_page=True)
    assert image.startswith(b"\x89PNG")
    if os.environ.get("AGENTCORE_UPDATE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / f"{name}.png").write_bytes(image)


def _sign_in(portal: Portal, context: Any, user: str, *, shot: bool = False) -> Any:
    page = context.new_page()
    page.goto(portal.url)
    portal.keep(page)
    assert page.get_by_role("heading", name="support").is_visible()
    if shot:
        _shot(page, "sign-in")
    page.get_by_role("button", name="Sign in with corp-idp").click()
    page.wait_for_url(re.compile(r"/authorize\?"))
    page.get_by_label("Sign in as").fill(user)
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(portal.url)
    portal.keep(page)
    assert page.get_by_text(f"Signed in as {user}").is_visible()
    return page


def _consent_at_provider(portal: Portal, page: Any, *, approve: bool = True) -> None:
    page.wait_for_url(re.compile(r"/authorize\?"))
    page.get_by_role("button", name="Allow" if approve else "Deny").click()
    page.wait_for_load_state("load")
    portal.keep(page)


def _state(page: Any) -> str:
    return str(page.locator("ul.connections li .state").inner_text())


def _token(cli: Any, user: str) -> dict[str, Any]:
    wat = ok(cli("get-workload-access-token-for-user-id", "--workload-name", WORKLOAD, "--user-id", user))
    result = ok(
        cli(
            "get-resource-oauth2-token",
            "--resource-credential-provider-name",
            "tools",
            "--oauth2-flow",
            "USER_FEDERATION",
            "--scopes",
            "read",
            "--workload-identity-token",
            "-",
            input=wat.json()["workloadAccessToken"],
        )
    )
    answer: dict[str, Any] = result.json()
    return answer


def test_sign_in_connect_then_the_agent_gets_the_token_without_a_new_consent(portal: Portal, phone: Any, cli: Any):
    context = phone()
    page = _sign_in(portal, context, "alice", shot=True)
    assert _state(page) == "Not connected"
    cookie = next(c for c in context.cookies() if c["name"] == "agentcore_portal")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"].startswith("/consent-portals/")
    assert 0 < cookie["expires"] - time.time() <= 15 * 60 + 5  # short-lived
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits a phone

    page.get_by_role("button", name="Connect").click()
    _consent_at_provider(portal, page)
    page.wait_for_url(portal.url)
    portal.keep(page)
    assert page.get_by_role("status").inner_text().strip() == "tools is connected."
    assert _state(page).startswith("Connected")
    _shot(page, "connections")

    consents = portal.oauth.stats["token:authorization_code"]
    answer = _token(cli, "alice")
    assert answer["accessToken"].startswith("at-")
    assert "authorizationUrl" not in answer
    assert portal.oauth.stats["token:authorization_code"] == consents  # no new consent was needed

    # Nothing secret in any page the browser was shown, nor in serve's log.
    for text in portal.seen:
        assert answer["accessToken"] not in text and "s3cret-client" not in text
    log = portal.serve.log()
    assert "ConsentPortal" in log and answer["accessToken"] not in log
    assert "code=" not in log and "state=" not in log and "session_id=" not in log

    page.get_by_role("button", name="Disconnect").click()
    page.wait_for_url(portal.url)
    assert "tools is disconnected." in page.get_by_role("status").inner_text()
    assert _state(page) == "Not connected"
    again = _token(cli, "alice")
    assert "accessToken" not in again
    assert again["sessionStatus"] == "IN_PROGRESS" and again["authorizationUrl"]  # it asks again


def test_another_user_sees_none_of_the_first_users_connections(portal: Portal, phone: Any, cli: Any):
    alice = _sign_in(portal, phone(), "alice")
    alice.get_by_role("button", name="Connect").click()
    _consent_at_provider(portal, alice)
    alice.wait_for_url(portal.url)
    assert _state(alice).startswith("Connected")

    bob = _sign_in(portal, phone(), "bob")
    assert _state(bob) == "Not connected"
    assert "alice" not in bob.content()
    assert "accessToken" not in _token(cli, "bob")
    assert _token(cli, "alice")["accessToken"]


def test_requests_without_the_csrf_token_or_from_another_site_are_refused(portal: Portal, phone: Any):
    context = phone()
    page = _sign_in(portal, context, "alice")
    page.get_by_role("button", name="Connect").click()
    _consent_at_provider(portal, page)
    page.wait_for_url(portal.url)
    token = page.locator('form[action$="/disconnect"] input[name="csrf_token"]').get_attribute("value")
    same = {"Origin": portal.serve.url}

    missing = context.request.post(portal.url + "/disconnect", form={"provider": "tools"}, headers=same)
    assert missing.status == 403 and "Request refused" in missing.text()
    forged = context.request.post(
        portal.url + "/disconnect", form={"provider": "tools", "csrf_token": "x" * 43}, headers=same
    )
    assert forged.status == 403
    form = {"provider": "tools", "csrf_token": token}
    cross_origin = context.request.post(portal.url + "/disconnect", form=form, headers={"Origin": "http://evil.test"})
    assert cross_origin.status == 403
    cross_site = context.request.post(
        portal.url + "/disconnect", form=form, headers={**same, "Sec-Fetch-Site": "cross-site"}
    )
    assert cross_site.status == 403
    page.reload()
    assert _state(page).startswith("Connected")  # none of them changed anything
    unknown = context.request.get(portal.url + "/connected?session_id=urn:ietf:params:oauth:request_uri:x&state=y")
    assert unknown.status == 400 and "Unknown connection attempt" in unknown.text()

    # A page on another site that posts the form: the browser sends no cookie (SameSite=Lax).
    attacker = phone().new_page()
    attacker.set_content(
        f'<form method="post" action="{portal.url}/disconnect"><input name="provider" value="tools">'
        f'<input name="csrf_token" value="{token}"><button>Win a prize</button></form>'
    )
    attacker.get_by_role("button", name="Win a prize").click()
    attacker.wait_for_load_state("load")
    assert attacker.get_by_role("heading").first.inner_text() in ("Request refused", "Your session has expired")
    page.reload()
    assert _state(page).startswith("Connected")

    # The real form, from the page itself, works.
    page.get_by_role("button", name="Disconnect").click()
    page.wait_for_url(portal.url)
    assert _state(page) == "Not connected"


def test_pages_for_declined_consent_an_expired_session_and_an_unknown_portal(portal: Portal, phone: Any):
    context = phone()
    page = _sign_in(portal, context, "alice")
    page.get_by_role("button", name="Connect").click()
    _consent_at_provider(portal, page, approve=False)
    assert page.get_by_role("heading", name="tools: consent was declined").is_visible()
    assert "access_denied" in page.inner_text("body")
    _shot(page, "declined")
    page.get_by_role("link", name="Back to the portal").click()
    page.wait_for_url(portal.url)
    assert _state(page) == "Not connected"

    # Signed out, the old session cookie opens nothing.
    stale = [c for c in context.cookies() if c["name"] == "agentcore_portal"]
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(portal.url)
    assert page.get_by_role("button", name="Sign in with corp-idp").is_visible()
    context.add_cookies(stale)
    page.goto(portal.url + "/connected?session_id=x&state=y")
    assert page.get_by_role("heading", name="Your session has expired").is_visible()
    _shot(page, "expired-session")

    unknown = context.new_page()
    response = unknown.goto(portal.serve.url + "/consent-portals/nosuch-abcdefghij")
    assert response is not None and response.status == 404
    assert unknown.get_by_role("heading", name="No such consent portal").is_visible()
    _shot(unknown, "unknown-portal")


def test_the_pages_are_labelled_and_a_keyboard_reaches_every_control(portal: Portal, phone: Any):
    page = _sign_in(portal, phone(), "alice")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator('meta[name="viewport"]').count() == 1
    names = []
    for _ in range(3):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert names[:2] == ["Sign out", "Connect"]
    described = page.get_by_role("button", name="Connect").get_attribute("aria-describedby")
    assert described and page.locator(f"#{described}").inner_text().endswith("tools")


@pytest.mark.parametrize(
    ("knob", "value"),
    [
        ("id_token_overrides", {"nonce": "not-the-one-sent"}),
        ("id_token_overrides", {"aud": "another-client"}),
        ("id_token_overrides", {"iss": "https://elsewhere.example"}),
        ("id_token_overrides", {"exp": 1_000_000}),
        ("id_token_signer", "another-key"),
    ],
)
def test_an_id_token_that_does_not_verify_signs_nobody_in(portal: Portal, phone: Any, knob: str, value: Any):
    if value == "another-key":
        from joserfc.jwk import ECKey

        value = ECKey.generate_key("P-256", parameters={"kid": "idp-1"})
    setattr(portal.oauth, knob, value)
    page = phone().new_page()
    page.goto(portal.url)
    page.get_by_role("button", name="Sign in with corp-idp").click()
    page.wait_for_url(re.compile(r"/authorize\?"))
    page.get_by_role("button", name="Allow").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="That did not work").is_visible()
    assert "Signed in as" not in page.content()
    assert not [c for c in page.context.cookies() if c["name"] == "agentcore_portal"]


def test_a_sign_in_finished_in_another_browser_is_refused(portal: Portal, phone: Any):
    """Login CSRF: the identity provider's redirect is bound to the browser that started the sign-in."""
    started = phone().new_page()
    started.goto(portal.url)
    started.get_by_role("button", name="Sign in with corp-idp").click()
    started.wait_for_url(re.compile(r"/authorize\?"))
    other = phone().new_page()
    other.goto(started.url)  # the attacker's own authorization, finished in the victim's browser
    other.get_by_role("button", name="Allow").click()
    other.wait_for_load_state("load")
    assert other.get_by_role("heading", name="Sign-in refused").is_visible()
    assert not [c for c in other.context.cookies() if c["name"] == "agentcore_portal"]
