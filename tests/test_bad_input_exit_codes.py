"""Anything a user can type, or leave lying in the home folder, ends in a clean 252, 253 or 254.

Each test is a repro that once ended in "An unexpected error occurred" (exit 255).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from agentcore_identity_cli.cli.shorthand import MAX_NESTING

UNDECODABLE = b"\xff\xfe".decode("utf-8", "surrogateescape")  # what Python makes of $'\xff\xfe'


def _clean(result: Any) -> None:
    assert "unexpected error" not in result.stderr
    assert "Traceback" not in result.stderr


def test_deeply_nested_shorthand_tags_exit_252_naming_the_depth(cli: Any) -> None:
    result = cli("create-api-key-credential-provider", "--name", "p", "--api-key", "k", "--tags", "a={" * 2000)
    assert result.exit_code == 252
    assert f"nested more than {MAX_NESTING} levels deep" in result.stderr
    _clean(result)


def test_shorthand_nesting_within_the_limit_still_parses(cli: Any) -> None:
    result = cli("create-api-key-credential-provider", "--name", "p", "--api-key", "k", "--tags", "a={b=c}")
    # Tags are a flat map: the nested value is refused by the model, not by the parser.
    assert result.exit_code == 252
    assert "nested more than" not in result.stderr


def test_deeply_nested_json_tags_exit_252(cli: Any) -> None:
    result = cli("create-api-key-credential-provider", "--name", "p", "--api-key", "k", "--tags", '{"a":' * 5000)
    assert result.exit_code == 252
    assert "Error parsing parameter '--tags': Invalid JSON: nested too deeply" in result.stderr
    _clean(result)


@pytest.mark.parametrize(
    "args",
    [
        ("audit", "list", "--since", "9999999999d"),
        ("audit", "list", "--since", "999999d"),
        ("report", "access-review", "--since", "9999999999d"),
        ("report", "policy", "--max-age", "9999999999d"),
    ],
)
def test_duration_beyond_what_a_date_holds_exits_252(cli: Any, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.exit_code == 252
    assert f"Bad value for {args[2]}" in result.stderr
    _clean(result)


@pytest.mark.parametrize(
    "args",
    [
        ("token", UNDECODABLE),
        ("get-api-key-credential-provider", "--name", UNDECODABLE),
        ("get-api-key-credential-provider", f"--name={UNDECODABLE}"),
        ("create-api-key-credential-provider", "--name", "p", "--api-key", "s3cret" + UNDECODABLE),
    ],
)
def test_value_with_undecodable_bytes_exits_252_without_echoing_it(cli: Any, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.exit_code == 252
    assert "not UTF-8" in result.stderr or "unicode string" in result.stderr
    assert "s3cret" not in result.stderr
    _clean(result)


def test_vault_backup_to_a_path_with_undecodable_bytes_still_works(cli: Any, tmp_path: Path) -> None:
    assert cli("create-api-key-credential-provider", "--name", "p", "--api-key", "-", input="k").exit_code == 0
    target = str(tmp_path / ("backup-" + UNDECODABLE))
    result = cli("vault", "backup", target)
    assert result.exit_code == 0, result.stderr
    assert os.path.exists(os.fsencode(target))


@pytest.mark.parametrize("issuer", ["https://256.256.256.256/", "http://[::1"])
def test_trusted_issuer_with_an_invalid_url_exits_254_validation(cli: Any, issuer: str) -> None:
    result = cli("trusted-issuer", "add", "--issuer", issuer, "--audiences", "api")
    assert result.exit_code == 254
    assert "ValidationException" in result.stderr
    assert "is not a valid URL" in result.stderr
    _clean(result)


def test_query_that_does_not_fit_the_result_exits_255_like_the_aws_cli(cli: Any) -> None:
    created = cli("create-api-key-credential-provider", "--name", "hidden-name", "--api-key", "-", input="k")
    assert created.exit_code == 0
    result = cli("list-api-key-credential-providers", "--output", "json", "--query", "sort_by(@, &x)")
    assert result.exit_code == 255
    assert "--query sort_by(@, &x) could not be applied" in result.stderr
    assert "expected array, received object" in result.stderr
    # JMESPath's own message repeats the document, which may hold a token.
    assert "hidden-name" not in result.stderr
    _clean(result)


def test_binary_config_file_exits_253(cli: Any, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b"\xff\xfe\x00\x01binary\x80\x81")
    result = cli("list-api-key-credential-providers", env={"AGENTCORE_IDENTITY_CONFIG_FILE": str(config)})
    assert result.exit_code == 253
    assert "is not valid TOML" in result.stderr
    _clean(result)


def test_unreadable_home_exits_253(cli: Any, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home.mkdir(parents=True)
    if os.geteuid() != 0:
        home.chmod(0)
    else:
        # root reads any folder, so stand in for the kernel's refusal under this home.
        real_stat = os.stat

        def stat(path: Any, *args: Any, **kwargs: Any) -> Any:
            if str(os.fspath(path)).startswith(str(home)):
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_stat(path, *args, **kwargs)

        monkeypatch.setattr(os, "stat", stat)
    try:
        result = cli("list-api-key-credential-providers")
    finally:
        home.chmod(0o700)
    assert result.exit_code == 253
    assert "Permission denied" in result.stderr or "Cannot read" in result.stderr
    _clean(result)


def test_damaged_vault_pages_exit_253_with_the_restore_hint(cli: Any, home: Path) -> None:
    assert cli("create-api-key-credential-provider", "--name", "p", "--api-key", "-", input="k").exit_code == 0
    vault = home / "vault.db"
    size = vault.stat().st_size
    with vault.open("r+b") as handle:
        for page in range(1, size // 4096):  # every page but the header's
            handle.seek(page * 4096)
            handle.write(b"\xa5" * 4096)
    for args in (("list-api-key-credential-providers",), ("get-api-key-credential-provider", "--name", "p")):
        result = cli(*args)
        assert result.exit_code == 253, result.stderr
        assert "The vault file is damaged" in result.stderr
        assert "vault restore" in result.stderr
        _clean(result)


def _tamper(vault: Path, *statements: str) -> None:
    import sqlite3

    db = sqlite3.connect(vault)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "statements",
    [
        # A record's text that is not UTF-8, and one that is not JSON.
        ("UPDATE resources SET attrs = CAST(x'7b22ff' AS TEXT)",),
        ("UPDATE resources SET attrs = 'not json'",),
        # A schema whose text SQLite quotes in its error, bytes Python cannot decode.
        (
            "PRAGMA writable_schema=ON",
            "UPDATE sqlite_master SET sql = CAST(x'435245415445205441424c4593' AS TEXT) WHERE name = 'resources'",
        ),
    ],
    ids=["text-not-utf8", "attrs-not-json", "schema-not-utf8"],
)
def test_damaged_vault_records_exit_253_with_the_restore_hint(
    cli: Any, home: Path, statements: tuple[str, ...]
) -> None:
    assert cli("create-api-key-credential-provider", "--name", "p", "--api-key", "-", input="k").exit_code == 0
    _tamper(home / "vault.db", *statements)
    result = cli("get-api-key-credential-provider", "--name", "p")
    assert result.exit_code == 253, result.stderr
    assert "The vault file is damaged" in result.stderr
    assert "vault restore" in result.stderr
    _clean(result)


@pytest.mark.parametrize("value", ["99999999999999999999", "nan", "inf", "-5", "86401"])
@pytest.mark.parametrize("flag", ["--cli-read-timeout", "--cli-connect-timeout"])
def test_timeout_that_no_clock_can_hold_exits_252(cli: Any, flag: str, value: str) -> None:
    result = cli(flag, value, "trusted-issuer", "add", "--issuer", "http://127.0.0.1:9/", "--audiences", "api")
    assert result.exit_code == 252
    assert f"argument {flag}: the timeout must be 0 (no timeout) or a number of seconds up to 86400." in result.stderr
    _clean(result)
