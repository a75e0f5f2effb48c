"""One refresh at a time, decided inside this process where every step can be watched.

tests/test_refresh_lock.py races real processes. Here "another process" is a second backend on
the same vault, which refreshes at the one moment that matters: after this one found the token
stale and before it holds the token's lock. The lock file is held, from the test, through a
file descriptor of its own (flock locks conflict between open files, in one process too), and
the clock is a fake one where the wait is measured to the second.
"""
# ruff: noqa: F811 - the fixtures are imported from tests/oauth_server.py

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agentcore_identity_cli.errors import ConfigError, ServiceError
from tests.oauth_server import AuthServer, Browser, browser, create_provider, oauth_server  # noqa: F401


@pytest.fixture
def backends(home: Path) -> Iterator[Callable[[], Any]]:
    """Open backends on the test's vault (each one is another process's view of it)."""
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    opened: list[Any] = []

    def backend() -> Any:
        opened.append(LocalBackend(home / "vault.db"))
        return opened[-1]

    yield backend
    for each in opened:
        each.close()


def _rows(vault: Path) -> list[tuple[str, str, str, str, str, str]]:
    db = sqlite3.connect(vault)
    try:
        return db.execute("SELECT id, provider, workload, user_id, scopes, flow FROM oauth2_tokens").fetchall()
    finally:
        db.close()


def _lock_folder(home: Path) -> Path:
    return home / "vault.db.locks"


def _another_process_first(mine: Any, other: Any, action: Callable[[Any], Any]) -> None:
    """Make `other` do `action` just before `mine` takes a token's lock."""
    take = mine._lock_file

    def late(tid: str) -> int:
        action(other)
        return take(tid)

    mine._lock_file = late


def _login(cli, server: AuthServer, expires_in: int) -> None:
    server.expires_in["authorization_code"] = expires_in
    create_provider(cli, server)
    result = cli("login", "corp", "--scopes", "openid", "offline_access")
    assert result.exit_code == 0, result.stderr


def test_a_token_is_known_by_a_hash_of_its_key_which_names_its_row_sealed_value_and_lock(
    cli, oauth_server: AuthServer, home: Path
):
    create_provider(cli, oauth_server)
    assert cli("token", "corp", "--oauth2-flow", "M2M").exit_code == 0
    ((tid, provider, workload, user, scopes, flow),) = _rows(home / "vault.db")
    key = "\x1f".join((workload, provider, user, scopes, flow))
    assert tid == hashlib.sha256(key.encode()).hexdigest()[:32]
    db = sqlite3.connect(home / "vault.db")
    try:
        fields = [row[0] for row in db.execute("SELECT field FROM secrets WHERE kind = 'oauth2'")]
    finally:
        db.close()
    assert f"oauth2Token:{tid}" in fields
    folder = _lock_folder(home)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [p.name for p in folder.iterdir()] == [f"{tid}.lock"]
    assert stat.S_IMODE((folder / f"{tid}.lock").stat().st_mode) == 0o600


@pytest.fixture
def held(home: Path) -> Iterator[Callable[[], Callable[[], None]]]:
    """Hold the lock of the one token in the vault, as a process in the middle of a refresh would."""
    fds: list[int] = []

    def hold() -> Callable[[], None]:
        (lock,) = _lock_folder(home).iterdir()
        fd = os.open(lock, os.O_RDWR)
        fds.append(fd)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return lambda: fcntl.flock(fd, fcntl.LOCK_UN)

    yield hold
    for fd in fds:
        os.close(fd)


def test_a_fetch_waits_while_another_holds_the_tokens_lock(cli, oauth_server: AuthServer, backends: Any, held: Any):
    create_provider(cli, oauth_server)
    assert cli("token", "corp", "--oauth2-flow", "M2M").exit_code == 0
    release = held()
    done: list[str] = []
    waiting = threading.Thread(
        target=lambda: done.append(backends().oauth2_token("corp", flow="M2M", force=True).access_token)
    )
    waiting.start()
    waiting.join(0.5)
    assert waiting.is_alive() and oauth_server.stats["token:client_credentials"] == 1
    release()
    waiting.join(10)
    assert done == [oauth_server.tokens[-1].access_token]
    assert oauth_server.stats["token:client_credentials"] == 2


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """time.monotonic at 0, one second further at every time.sleep; returns the sleeps asked."""
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += 1.0

    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    monkeypatch.setattr(time, "sleep", sleep)
    return sleeps


@pytest.mark.parametrize(("http_timeout", "waited"), [(10.0, 50), (None, 90)])
def test_a_lock_held_past_two_timeouts_and_half_a_minute_is_a_config_error(
    cli, oauth_server: AuthServer, home: Path, backends: Any, held: Any, fake_clock: list[float], http_timeout, waited
):
    create_provider(cli, oauth_server)
    assert cli("token", "corp", "--oauth2-flow", "M2M").exit_code == 0
    held()
    backend = backends()
    backend.http_timeout = http_timeout
    with pytest.raises(ConfigError) as refused:
        backend.oauth2_token("corp", flow="M2M", force=True)
    assert refused.value.message == "Another process has been refreshing this token for too long."
    assert str(_lock_folder(home)) in (refused.value.hint or "")
    # Polled every 50 ms; given up at the first look past the deadline, not at it.
    assert fake_clock == [0.05] * (waited + 1)
    assert oauth_server.stats["token:client_credentials"] == 1
    assert _open_lock_files(home) == 1  # the test's own: the waiting side closed the file it opened


def _open_lock_files(home: Path) -> int:
    """How many descriptors of this process point at a lock file (the test's own included)."""
    folder = str(_lock_folder(home))
    count = 0
    for fd in Path(f"/proc/{os.getpid()}/fd").iterdir():
        try:
            count += os.readlink(fd).startswith(folder)
        except OSError:
            continue
    return count


def test_a_user_token_another_process_refreshed_while_this_one_waited_is_not_refreshed_again(
    cli, oauth_server: AuthServer, browser: Browser, backends: Any
):
    _login(cli, oauth_server, expires_in=30)
    mine, other = backends(), backends()
    _another_process_first(mine, other, lambda b: b.oauth2_token("corp"))
    result = mine.oauth2_token("corp")
    assert oauth_server.stats["refresh"] == 1
    assert result.source == "cache"
    assert result.access_token == oauth_server.tokens[-1].access_token


def test_a_forced_refresh_that_another_process_just_did_is_not_done_twice(
    cli, oauth_server: AuthServer, browser: Browser, backends: Any
):
    _login(cli, oauth_server, expires_in=3600)
    mine, other = backends(), backends()
    _another_process_first(mine, other, lambda b: b.oauth2_token("corp", force=True))
    result = mine.oauth2_token("corp", force=True)
    assert oauth_server.stats["refresh"] == 1
    assert (result.source, result.access_token) == ("cache", oauth_server.tokens[-1].access_token)
    # Without a race, a forced refresh refreshes.
    assert backends().oauth2_token("corp", force=True).source == "refreshed"
    assert oauth_server.stats["refresh"] == 2


def test_a_fresh_user_token_is_served_without_the_lock_and_a_stale_one_is_refreshed_once(
    cli, oauth_server: AuthServer, browser: Browser, backends: Any
):
    _login(cli, oauth_server, expires_in=3600)
    backend = backends()
    backend._lock_file = lambda tid: pytest.fail("a fresh token needs no lock")
    fresh = backend.oauth2_token("corp")
    assert (fresh.source, oauth_server.stats["refresh"]) == ("cache", 0)
    assert fresh.scopes == ("offline_access", "openid")


def test_a_refreshed_token_keeps_its_owner_scopes_and_the_extras_it_came_with(
    cli, oauth_server: AuthServer, browser: Browser, backends: Any
):
    _login(cli, oauth_server, expires_in=30)
    before = backends()._load(_rows_id(backends()))
    result = backends().oauth2_token("corp")
    assert result.source == "refreshed"
    assert (result.provider, result.workload, result.user_id, result.flow) == (
        "corp",
        before.workload,
        before.user_id,
        "USER_FEDERATION",
    )
    assert result.scopes == ("offline_access", "openid")
    after = backends()._load(before.id)
    assert after.token.scope == "openid offline_access"
    assert after.token.extras == before.token.extras
    assert after.token.access_token == oauth_server.tokens[-1].access_token != before.token.access_token


def _rows_id(backend: Any) -> str:
    ((tid,),) = backend.store.db.execute("SELECT id FROM oauth2_tokens").fetchall()
    return str(tid)


def test_a_user_token_removed_while_waiting_for_the_lock_asks_for_a_login(
    cli, oauth_server: AuthServer, browser: Browser, backends: Any
):
    _login(cli, oauth_server, expires_in=30)
    mine, other = backends(), backends()
    _another_process_first(mine, other, lambda b: b.oauth2_logout("corp"))
    with pytest.raises(ServiceError) as refused:
        mine.oauth2_token("corp")
    assert refused.value.code == "ResourceNotFoundException"
    assert refused.value.message == "The stored token of provider 'corp' was removed while waiting."
    assert refused.value.hint == "run `agentcore-identity login corp`"
    assert oauth_server.stats["refresh"] == 0


def test_a_stale_user_token_without_a_refresh_token_asks_for_a_new_login(
    cli, oauth_server: AuthServer, browser: Browser, backends: Any
):
    oauth_server.add_client(grant_types=("authorization_code",))  # a client that gets no refresh token
    _login(cli, oauth_server, expires_in=30)
    with pytest.raises(ServiceError) as refused:
        backends().oauth2_token("corp")
    assert refused.value.code == "UnauthorizedException"
    assert refused.value.message == "The token of provider 'corp' has expired and came without a refresh token."
    assert refused.value.hint == "run `agentcore-identity login corp` again"


def test_a_first_client_credentials_token_another_process_fetched_meanwhile_is_used(
    cli, oauth_server: AuthServer, backends: Any
):
    create_provider(cli, oauth_server)
    mine, other = backends(), backends()
    _another_process_first(mine, other, lambda b: b.oauth2_token("corp", flow="M2M"))
    result = mine.oauth2_token("corp", flow="M2M")
    assert oauth_server.stats["token:client_credentials"] == 1
    assert (result.source, result.access_token) == ("cache", oauth_server.tokens[-1].access_token)


def test_a_forced_client_credentials_fetch_another_process_just_did_is_not_done_twice(
    cli, oauth_server: AuthServer, backends: Any
):
    create_provider(cli, oauth_server)
    assert cli("token", "corp", "--oauth2-flow", "M2M").exit_code == 0
    mine, other = backends(), backends()
    _another_process_first(mine, other, lambda b: b.oauth2_token("corp", flow="M2M", force=True))
    result = mine.oauth2_token("corp", flow="M2M", force=True)
    assert oauth_server.stats["token:client_credentials"] == 2
    assert (result.source, result.access_token) == ("cache", oauth_server.tokens[-1].access_token)
    forced = backends().oauth2_token("corp", flow="M2M", force=True)
    assert (forced.source, oauth_server.stats["token:client_credentials"]) == ("new", 3)


def test_a_client_credentials_token_is_fetched_again_once_its_provider_changes(
    cli, oauth_server: AuthServer, backends: Any
):
    create_provider(cli, oauth_server)
    first = backends().oauth2_token("corp", flow="M2M")
    assert (first.source, backends().oauth2_token("corp", flow="M2M").source) == ("new", "cache")
    updated = cli(
        "update-oauth2-credential-provider",
        "--name",
        "corp",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--discovery-url",
        oauth_server.discovery_url,
        "--client-id",
        "app",
        "--client-secret",
        "-",
        input="s3cret-client",
    )
    assert updated.exit_code == 0, updated.stderr
    again = backends().oauth2_token("corp", flow="M2M")
    assert (again.source, oauth_server.stats["token:client_credentials"]) == ("new", 2)
    assert (again.provider, again.flow, again.user_id) == ("corp", "M2M", None)


def _refresh_answers(monkeypatch: pytest.MonkeyPatch, change: Callable[[Any], Any]) -> None:
    """The provider's answer to a refresh, changed as some providers answer (no scope, an error)."""
    from agentcore_identity_cli.oauth import flows

    real = flows.refresh
    monkeypatch.setattr(flows, "refresh", lambda cfg, refresh_token: change(real(cfg, refresh_token)))


def _sealed_tokens(home: Path) -> int:
    db = sqlite3.connect(home / "vault.db")
    try:
        return int(db.execute("SELECT COUNT(*) FROM secrets WHERE field LIKE 'oauth2Token:%'").fetchone()[0])
    finally:
        db.close()


def test_a_refresh_answered_without_a_scope_keeps_the_logins_scope(
    cli, oauth_server: AuthServer, browser: Browser, backends: Any, monkeypatch: pytest.MonkeyPatch
):
    _login(cli, oauth_server, expires_in=30)

    def without_scope(token: Any) -> Any:
        token.scope = None
        return token

    _refresh_answers(monkeypatch, without_scope)
    assert backends().oauth2_token("corp").source == "refreshed"
    backend = backends()
    assert backend._load(_rows_id(backend)).token.scope == "openid offline_access"


@pytest.mark.parametrize("error", ["invalid_grant", "invalid_token", "unauthorized_client"])
def test_a_refresh_token_the_provider_refuses_is_deleted_with_its_sealed_value(
    cli, oauth_server: AuthServer, browser: Browser, backends: Any, home: Path, monkeypatch: pytest.MonkeyPatch, error
):
    from agentcore_identity_cli.oauth.http import OAuthProviderError

    _login(cli, oauth_server, expires_in=30)
    assert _sealed_tokens(home) == 1

    def refused(token: Any) -> Any:
        raise OAuthProviderError("token refresh", error, "the grant was revoked")

    _refresh_answers(monkeypatch, refused)
    with pytest.raises(OAuthProviderError) as caught:
        backends().oauth2_token("corp")
    assert (
        caught.value.message == f"The authorization server refused the token refresh: {error} (the grant was revoked)"
    )
    assert caught.value.hint == "run `agentcore-identity login corp` again"
    assert _rows(home / "vault.db") == [] and _sealed_tokens(home) == 0


def test_any_other_refusal_of_a_refresh_keeps_the_token(
    cli, oauth_server: AuthServer, browser: Browser, backends: Any, home: Path, monkeypatch: pytest.MonkeyPatch
):
    from agentcore_identity_cli.oauth.http import OAuthProviderError

    _login(cli, oauth_server, expires_in=30)

    def unavailable(token: Any) -> Any:
        raise OAuthProviderError("token refresh", "temporarily_unavailable")

    _refresh_answers(monkeypatch, unavailable)
    with pytest.raises(OAuthProviderError) as caught:
        backends().oauth2_token("corp")
    assert caught.value.error == "temporarily_unavailable" and caught.value.hint is None
    assert len(_rows(home / "vault.db")) == 1 and _sealed_tokens(home) == 1


def test_a_user_token_refresh_waits_for_that_tokens_lock(
    cli, oauth_server: AuthServer, browser: Browser, backends: Any, held: Any
):
    _login(cli, oauth_server, expires_in=30)
    release = held()
    done: list[str] = []
    waiting = threading.Thread(target=lambda: done.append(backends().oauth2_token("corp").source))
    waiting.start()
    waiting.join(0.5)
    assert waiting.is_alive() and oauth_server.stats["refresh"] == 0
    release()
    waiting.join(10)
    assert done == ["refreshed"] and oauth_server.stats["refresh"] == 1


def test_a_user_token_removed_between_finding_and_reading_it_is_not_found(
    cli, oauth_server: AuthServer, browser: Browser, backends: Any
):
    _login(cli, oauth_server, expires_in=30)
    mine, other = backends(), backends()
    find = mine._find_user_token

    def found_then_gone(*args: Any) -> Any:
        tid = find(*args)
        other.oauth2_logout("corp")
        return tid

    mine._find_user_token = found_then_gone
    with pytest.raises(ServiceError) as missing:
        mine.oauth2_token("corp", flow="USER_FEDERATION")
    assert (missing.value.code, missing.value.message) == (
        "ResourceNotFoundException",
        "OAuth2 token 'corp' does not exist.",
    )


def test_a_new_client_credentials_token_says_whose_it_is_and_a_fresh_one_needs_no_lock(
    cli, oauth_server: AuthServer, backends: Any, home: Path
):
    create_provider(cli, oauth_server)
    new = backends().oauth2_token("corp", flow="M2M")
    ((_, provider, workload, user, scopes, flow),) = _rows(home / "vault.db")
    assert (new.source, new.provider, new.workload, new.user_id, new.flow) == ("new", "corp", workload, None, "M2M")
    assert (provider, user, flow) == ("corp", "", "M2M")
    assert new.scopes == tuple(scopes.split())
    again = backends()
    again._lock_file = lambda tid: pytest.fail("a fresh client-credentials token needs no lock")
    cached = again.oauth2_token("corp", flow="M2M")
    assert (cached.source, cached.access_token, oauth_server.stats["token:client_credentials"]) == (
        "cache",
        new.access_token,
        1,
    )


def test_a_browser_login_returns_the_token_with_its_provider_workload_user_and_scopes(
    cli, oauth_server: AuthServer, backends: Any
):
    import httpx

    create_provider(cli, oauth_server)
    backend = backends()
    started = backend.begin_user_authorization(
        "corp", redirect_uri="http://127.0.0.1:9/callback", scopes=["openid", "offline_access"], user_id="ana"
    )
    # The user allows on the server's consent page (a form posted back to the authorization URL).
    answer = httpx.post(started.url, data={"user": "alice", "confirm": "yes"}, follow_redirects=False)
    assert answer.status_code in (302, 303), answer.text
    params = dict(httpx.URL(answer.headers["location"]).params)
    result = backend.complete_user_authorization(started, params)
    assert (result.source, result.provider, result.workload, result.user_id, result.flow) == (
        "new",
        "corp",
        started.workload,
        "ana",
        "USER_FEDERATION",
    )
    assert result.scopes == ("offline_access", "openid")
    assert backends().oauth2_token("corp", user_id="ana").access_token == result.access_token
