"""One refresh at a time: processes that find the same token stale at the same instant send the
token endpoint one request between them, and all print the token it answered.

The race is made certain rather than likely. The processes start the command together (a
barrier, tests/race_support.py), and the authorization server holds every request of the grant
until all of them have arrived, or for HOLD_SECONDS (tests/oauth_server.py `hold`). Processes
that do not wait for each other's refresh therefore all reach the endpoint, every run; ones that
wait for the lock but do not look at the token again once they hold it reach it one after the
other. Either way the endpoint sees more than one request, and the test fails.
"""
# ruff: noqa: F811 - the fixtures are imported from tests/oauth_server.py

from __future__ import annotations

from pathlib import Path

from tests.oauth_server import AuthServer, Browser, browser, create_provider, oauth_server  # noqa: F401
from tests.race_support import Outcome, run_together

PROCESSES = 4
# Long enough for every process to reach the endpoint after the barrier however loaded the
# machine; a correct run waits this long once, for the requests that never come.
HOLD_SECONDS = 2.0


def _all_print_the_one_new_token(outcomes: list[Outcome], server: AuthServer) -> None:
    assert [o.exit_code for o in outcomes] == [0] * PROCESSES, [o.stderr for o in outcomes]
    assert [o.stderr for o in outcomes] == [""] * PROCESSES
    assert {o.stdout for o in outcomes} == {server.tokens[-1].access_token + "\n"}


def test_processes_refreshing_one_expired_user_token_at_once_send_one_refresh(
    cli, oauth_server: AuthServer, browser: Browser, tmp_path: Path
):
    oauth_server.expires_in["authorization_code"] = 30  # within the refresh margin: stale at once
    create_provider(cli, oauth_server)
    assert cli("login", "corp", "--scopes", "openid", "offline_access").exit_code == 0
    oauth_server.hold("refresh_token", PROCESSES, HOLD_SECONDS)
    outcomes = run_together(["token", "corp"], PROCESSES, tmp_path)
    assert oauth_server.stats["token:refresh_token"] == 1
    _all_print_the_one_new_token(outcomes, oauth_server)
    assert oauth_server.live_refresh_tokens() == [oauth_server.tokens[-1].refresh_token]  # the rotated one


def test_processes_fetching_one_expired_client_credentials_token_at_once_send_one_request(
    cli, oauth_server: AuthServer, tmp_path: Path
):
    oauth_server.expires_in["client_credentials"] = 30  # within the refresh margin: stale at once
    create_provider(cli, oauth_server)
    assert cli("token", "corp", "--oauth2-flow", "M2M").exit_code == 0
    del oauth_server.expires_in["client_credentials"]  # the next one lasts an hour
    oauth_server.hold("client_credentials", PROCESSES, HOLD_SECONDS)
    outcomes = run_together(["token", "corp", "--oauth2-flow", "M2M"], PROCESSES, tmp_path)
    assert oauth_server.stats["token:client_credentials"] == 2  # the first token, then one for all
    _all_print_the_one_new_token(outcomes, oauth_server)


def test_processes_fetching_the_first_client_credentials_token_at_once_send_one_request(
    cli, oauth_server: AuthServer, tmp_path: Path
):
    create_provider(cli, oauth_server)
    oauth_server.hold("client_credentials", PROCESSES, HOLD_SECONDS)
    outcomes = run_together(["token", "corp", "--oauth2-flow", "M2M"], PROCESSES, tmp_path)
    assert oauth_server.stats["token:client_credentials"] == 1
    _all_print_the_one_new_token(outcomes, oauth_server)
