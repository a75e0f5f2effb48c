"""The hosted OAuth2 callback: the whole user-federation (3LO) flow through `serve`, as on AWS.

boto3 (unchanged, against serve) plays the agent and the application; a real headless Chromium
plays the user at the test authorization server's consent page; serve is the callback.
"""
# ruff: noqa: F811 - the fixtures are imported from their support modules

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.browser_support import ReturnUrlServer, chromium, return_url_server, user_logs_in  # noqa: F401
from tests.oauth_server import AuthServer, oauth_server  # noqa: F401
from tests.serve_support import Served, serve_fixture  # noqa: F401

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _provider(serve: Served, oauth: AuthServer, name: str = "corp") -> dict[str, Any]:
    control = serve.client("bedrock-agentcore-control")
    config = {
        "oauthDiscovery": {"discoveryUrl": oauth.discovery_url},
        "clientId": "app",
        "clientSecret": "s3cret-client",
    }
    response: dict[str, Any] = control.create_oauth2_credential_provider(
        name=name,
        credentialProviderVendor="CustomOauth2",
        oauth2ProviderConfigInput={"customOauth2ProviderConfig": config},
    )
    return response


def _workload_token(serve: Served, return_url: str, user: str = "alice") -> str:
    control = serve.client("bedrock-agentcore-control")
    try:
        control.create_workload_identity(name="agent", allowedResourceOauth2ReturnUrls=[return_url])
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "ConflictException"
        control.update_workload_identity(name="agent", allowedResourceOauth2ReturnUrls=[return_url])
    dp = serve.client("bedrock-agentcore")
    return str(dp.get_workload_access_token_for_user_id(workloadName="agent", userId=user)["workloadAccessToken"])


def _user_federation(serve: Served, return_url: str, user: str = "alice") -> tuple[Any, dict[str, Any]]:
    """The data-plane client and a USER_FEDERATION request for `user` returning to `return_url`."""
    request = {
        "workloadIdentityToken": _workload_token(serve, return_url, user),
        "resourceCredentialProviderName": "corp",
        "scopes": ["read"],
        "oauth2Flow": "USER_FEDERATION",
        "resourceOauth2ReturnUrl": return_url,
    }
    return serve.client("bedrock-agentcore"), request


def _completes_as(serve: Served, user: str) -> Any:
    """The application's return-URL handler: it knows `user` is at the browser, and says so."""
    dp = serve.client("bedrock-agentcore")

    def on_visit(query: dict[str, str]) -> str:
        dp.complete_resource_token_auth(sessionUri=query["session_id"], userIdentifier={"userId": user})
        return "completed"

    return on_visit


def test_callback_url_is_served_at_serves_address_with_a_uuid(serve: Served, oauth_server: AuthServer):
    created = _provider(serve, oauth_server)
    assert re.fullmatch(re.escape(serve.url) + "/identities/oauth2/callback/" + UUID, created["callbackUrl"])
    control = serve.client("bedrock-agentcore-control")
    assert control.get_oauth2_credential_provider(name="corp")["callbackUrl"] == created["callbackUrl"]
    other = _provider(serve, oauth_server, "other")
    assert other["callbackUrl"] != created["callbackUrl"]  # one per provider, as the service issues them
    control.delete_oauth2_credential_provider(name="other")
    again = _provider(serve, oauth_server, "other")
    assert again["callbackUrl"] != other["callbackUrl"]  # a new provider under an old name: a new URL


def test_user_federation_runs_through_serves_callback_to_the_return_url(
    serve: Served, oauth_server: AuthServer, chromium: Any, return_url_server: Any
):
    callback_url = _provider(serve, oauth_server)["callbackUrl"]
    app: ReturnUrlServer = return_url_server(_completes_as(serve, "alice"))
    dp, request = _user_federation(serve, app.url)
    started = dp.get_resource_oauth2_token(**request, customState="opaque-app-state")
    assert started["sessionStatus"] == "IN_PROGRESS"
    session_uri = started["sessionUri"]
    authorize = parse_qs(urlsplit(started["authorizationUrl"]).query)
    assert authorize["redirect_uri"] == [callback_url]  # serve's callback, not a per-session port
    assert authorize["code_challenge_method"] == ["S256"]

    visit = user_logs_in(chromium, started["authorizationUrl"])

    # The provider sent the browser to serve, serve sent it on to the application.
    assert visit.url.startswith(app.url + "?")
    assert "completed" in visit.text, app.errors
    (query,) = app.visits
    assert query == {"session_id": session_uri, "state": "opaque-app-state"}
    token = dp.get_resource_oauth2_token(**request, sessionUri=session_uri)
    (issued,) = [t for t in oauth_server.tokens if t.user]
    assert token["accessToken"] == issued.access_token
    again = dp.get_resource_oauth2_token(**{k: v for k, v in request.items() if k != "resourceOauth2ReturnUrl"})
    assert again["accessToken"] == issued.access_token  # kept for (agent, corp, alice): no second consent
    # The refresh token stays in the vault: nothing any client saw carries it.
    if issued.refresh_token:
        assert issued.refresh_token not in repr([started, token, again, visit.url, visit.text])
    # The serve log names the page, never the code or the state.
    code_request = next(r for r in oauth_server.requests if r["form"].get("grant_type") == ["authorization_code"])
    assert code_request["form"]["redirect_uri"] == [callback_url]
    log = serve.wait_for_log("OAuth2Callback 302")
    assert code_request["form"]["code"][0] not in log


def test_another_user_completing_the_session_is_denied(
    serve: Served, oauth_server: AuthServer, chromium: Any, return_url_server: Any
):
    _provider(serve, oauth_server)
    app: ReturnUrlServer = return_url_server(_completes_as(serve, "mallory"))
    dp, request = _user_federation(serve, app.url, user="alice")
    started = dp.get_resource_oauth2_token(**request)

    visit = user_logs_in(chromium, started["authorizationUrl"])

    assert visit.status == 500
    (error,) = app.errors
    assert isinstance(error, ClientError) and error.response["Error"]["Code"] == "AccessDeniedException"
    pending = dp.get_resource_oauth2_token(**request, sessionUri=started["sessionUri"])
    assert "accessToken" not in pending and pending["sessionStatus"] == "IN_PROGRESS"


def test_a_declined_consent_goes_back_to_the_return_url_with_the_error(
    serve: Served, oauth_server: AuthServer, chromium: Any, return_url_server: Any
):
    _provider(serve, oauth_server)
    app: ReturnUrlServer = return_url_server(lambda query: "declined")
    dp, request = _user_federation(serve, app.url)
    started = dp.get_resource_oauth2_token(**request, customState="opaque-app-state")

    visit = user_logs_in(chromium, started["authorizationUrl"], approve=False)

    assert visit.url.startswith(app.url + "?") and "declined" in visit.text
    (query,) = app.visits
    assert query == {"session_id": started["sessionUri"], "state": "opaque-app-state", "error": "access_denied"}
    failed = dp.get_resource_oauth2_token(**request, sessionUri=started["sessionUri"])
    assert failed == {**failed, "sessionStatus": "FAILED"} and "accessToken" not in failed
    assert not [r for r in oauth_server.requests if r["form"].get("grant_type") == ["authorization_code"]]


def test_a_return_url_off_the_allow_list_is_refused(serve: Served, oauth_server: AuthServer):
    _provider(serve, oauth_server)
    wat = _workload_token(serve, "http://127.0.0.1:9/registered")
    dp = serve.client("bedrock-agentcore")
    with pytest.raises(ClientError) as caught:
        dp.get_resource_oauth2_token(
            workloadIdentityToken=wat,
            resourceCredentialProviderName="corp",
            scopes=["read"],
            oauth2Flow="USER_FEDERATION",
            resourceOauth2ReturnUrl="https://evil.example.com/steal",
        )
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_callback_with_an_unknown_state_is_refused_and_serve_keeps_serving(serve: Served, oauth_server: AuthServer):
    callback_url = _provider(serve, oauth_server)["callbackUrl"]
    page = httpx.get(callback_url, params={"code": "stolen-code", "state": "forged"}, timeout=10)
    assert page.status_code == 400
    assert "No authorization session is waiting" in page.text
    assert "stolen-code" not in page.text
    assert "stolen-code" not in serve.wait_for_log("OAuth2Callback 400")
    assert page.headers["cache-control"] == "no-store"
    control = serve.client("bedrock-agentcore-control")
    assert control.list_oauth2_credential_providers()["credentialProviders"]


def test_a_forged_state_does_not_reach_a_session_in_progress(
    serve: Served, oauth_server: AuthServer, return_url_server: Any
):
    """With a session waiting for its callback, a redirect whose state is not that session's
    is refused before any code exchange, and the session keeps waiting for the real one."""
    callback_url = _provider(serve, oauth_server)["callbackUrl"]
    app: ReturnUrlServer = return_url_server(_completes_as(serve, "alice"))
    dp = serve.client("bedrock-agentcore")
    started = dp.get_resource_oauth2_token(
        workloadIdentityToken=_workload_token(serve, app.url),
        resourceCredentialProviderName="corp",
        scopes=["read"],
        oauth2Flow="USER_FEDERATION",
        resourceOauth2ReturnUrl=app.url,
    )
    assert started["sessionStatus"] == "IN_PROGRESS"
    real_state = parse_qs(urlsplit(started["authorizationUrl"]).query)["state"][0]
    page = httpx.get(callback_url, params={"code": "stolen-code", "state": real_state[:-4] + "AAAA"}, timeout=10)
    assert page.status_code == 400
    assert not [r for r in oauth_server.requests if r["form"].get("grant_type") == ["authorization_code"]]
    again = dp.get_resource_oauth2_token(
        workloadIdentityToken=_workload_token(serve, app.url),
        resourceCredentialProviderName="corp",
        scopes=["read"],
        oauth2Flow="USER_FEDERATION",
        sessionUri=started["sessionUri"],
    )
    assert again["sessionStatus"] == "IN_PROGRESS"
