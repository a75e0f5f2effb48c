"""`api-key P`, `token P` and the list commands are read without Typer (cli/fastpath.py), and
say exactly what the full command line says: every line below runs twice, once as written (read
without Typer) and once with `--` before the provider, or at the end of a listing (a line only
the full parser reads, with the same meaning), and both give the same exit code, stdout and
stderr.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from agentcore_identity_cli.cli import fastpath
from agentcore_identity_cli.cli.listings import LISTINGS
from tests.conftest import modules_loaded, run_into_closed_pipe
from tests.oauth_server import AuthServer, create_provider, oauth_server  # noqa: F401
from tests.terminal_support import answer_prompts

WITHOUT_TYPER = ["typer", "click", "rich", "pydantic"]


def _full_parser_line(args: list[str]) -> list[str]:
    """The same command line with `--` before the provider: only the full parser reads it."""
    if any(word in LISTINGS for word in args):
        return [*args, "--"]
    command = next(i for i, word in enumerate(args) if word in ("api-key", "token"))
    rest = args[command + 1 :]
    provider = next(i for i, word in enumerate(rest) if not word.startswith("-") and not _is_value(rest, i))
    moved = [*rest[:provider], *rest[provider + 1 :], "--", rest[provider]]
    return [*args[: command + 1], *moved]


def _is_value(words: list[str], i: int) -> bool:
    takes_value = {*fastpath.GLOBAL_VALUES, *fastpath.COMMAND_VALUES["token"]}
    return i > 0 and words[i - 1] in takes_value


def _same_both_ways(cli: Any, args: list[str], env: dict[str, str] | None = None) -> Any:
    full = _full_parser_line(args)
    assert fastpath.read(args) is not None, f"{args} should be read without Typer"
    assert fastpath.read(full) is None, f"{full} should be left to the full parser"
    fast, slow = cli(*args, env=env), cli(*full, env=env)
    assert (fast.exit_code, fast.stdout, _steady(fast.stderr)) == (slow.exit_code, slow.stdout, _steady(slow.stderr))
    return fast


def _steady(stderr: str) -> str:
    """--debug's log without its clock readings."""
    return re.sub(r"\d+(\.\d+)? ms|\d\d:\d\d:\d\d[.,]\d+", "#", stderr)


@pytest.fixture
def provider(cli: Any) -> str:
    result = cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-live-1")
    assert result.exit_code == 0, result.stderr
    assert cli("create-workload-identity", "--name", "support-agent").exit_code == 0
    assert cli("api-key", "--", "openai").exit_code == 0  # the default workload identity, made on first use
    return "openai"


API_KEY_LINES = [
    ["api-key", "openai"],
    ["--output", "json", "api-key", "openai"],
    ["api-key", "openai", "--output", "text"],
    ["api-key", "openai", "--output=yaml"],
    ["api-key", "openai", "--output", "table", "--color", "off"],
    ["api-key", "openai", "--query", "apiKey"],
    ["api-key", "--workload-name", "support-agent", "openai"],
    ["api-key", "openai", "--workload-name=support-agent", "--user-id", "alice"],
    ["api-key", "openai", "--workload-name", "no-such-agent"],
    ["api-key", "openai", "--region", "us-east-1", "--no-verify-ssl"],
    ["api-key", "openai", "--debug"],
    ["api-key", "openai", "--no-color", "--no-cli-pager", "--cli-binary-format", "base64"],
    # refusals: the usage errors of the global options, the service's, the configuration's
    ["api-key", "no-such-provider"],
    ["api-key", "no-such-provider", "--cli-error-format", "json"],
    ["api-key", "no-such-provider", "--cli-error-format", "legacy"],
    ["api-key", ""],
    ["api-key", "openai", "--output", "xml"],
    ["api-key", "openai", "--backend", "gcp"],
    ["api-key", "openai", "--color", "on", "--no-color"],
    ["api-key", "openai", "--cli-auto-prompt", "--no-cli-auto-prompt"],
    ["api-key", "openai", "--query", "apiKey["],
    ["api-key", "openai", "--cli-error-format", "csv"],
    ["api-key", "openai", "--profile", "no-such-profile"],
    ["--backend", "aws", "--endpoint-url", "http://127.0.0.1:9", "--no-sign-request", "api-key", "openai"],
]


@pytest.mark.parametrize("args", API_KEY_LINES, ids=lambda args: " ".join(args))
def test_api_key_says_what_the_full_command_line_says(args: list[str], provider: str, cli: Any) -> None:
    _same_both_ways(cli, args)


def test_the_bare_key_is_printed_for_scripts(provider: str, cli: Any) -> None:
    result = _same_both_ways(cli, ["api-key", "openai"])
    assert (result.exit_code, result.stdout) == (0, "sk-live-1\n")


TOKEN_LINES = [
    ["token", "corp"],
    ["token", "corp", "--output", "json", "--query", "tokenType"],
    ["token", "corp", "--oauth2-flow", "m2m"],
    ["token", "--oauth2-flow", "PASSWORD", "corp"],
    ["token", "corp", "--workload-name", "support-agent", "--user-id", "alice"],
    ["token", "no-such-provider"],
    ["--backend", "aws", "token", "corp"],
]


@pytest.mark.parametrize("args", TOKEN_LINES, ids=lambda args: " ".join(args))
def test_token_says_what_the_full_command_line_says(
    args: list[str],
    provider: str,
    cli: Any,
    oauth_server: AuthServer,  # noqa: F811
) -> None:
    create_provider(cli, oauth_server)  # the first line fetches the M2M token, the second reads the cache
    _same_both_ways(cli, args)


SETTINGS_FROM_THE_ENVIRONMENT = [
    {"AGENTCORE_IDENTITY_OUTPUT": "table"},  # not typed on the line: api-key still prints the bare key
    {"AGENTCORE_IDENTITY_OUTPUT": "yaml", "NO_COLOR": "1"},
    {"AGENTCORE_IDENTITY_BACKEND": "aws", "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_REGION": "us-east-1"},
    {"AGENTCORE_IDENTITY_PROFILE": "no-such-profile"},
    {"AWS_CLI_AUTO_PROMPT": "on"},
    {"AWS_CLI_ERROR_FORMAT": "json", "AGENTCORE_IDENTITY_VAULT": "/nonexistent/vault.db"},
]


@pytest.mark.parametrize("env", SETTINGS_FROM_THE_ENVIRONMENT, ids=lambda env: " ".join(env))
@pytest.mark.parametrize("args", [["api-key", "openai"], ["list-workload-identities"]], ids=" ".join)
def test_settings_from_the_environment_act_alike(args: list[str], env: dict[str, str], provider: str, cli: Any) -> None:
    _same_both_ways(cli, args, env)


LIST_LINES = [
    *([name, "--output", "json"] for name in LISTINGS),
    *([name] for name in LISTINGS),  # json: the output is not a terminal
    ["list-api-key-credential-providers", "--output", "text"],
    ["list-api-key-credential-providers", "--output", "table"],
    ["list-api-key-credential-providers", "--output", "yaml"],
    ["list-workload-identities", "--query", "workloadIdentities[].name", "--output", "text"],
    ["list-api-key-credential-providers", "--query", "length(credentialProviders)"],
    ["list-api-key-credential-providers", "--query", "credentialProviders[?"],
    ["list-oauth2-credential-providers", "--output", "table", "--color", "on"],
    ["list-workload-identities", "--profile", "no-such-profile"],
    ["list-workload-identities", "--debug"],
    ["--backend", "aws", "--endpoint-url", "http://127.0.0.1:9", "--no-sign-request", "list-consent-portals"],
]


@pytest.mark.parametrize("args", LIST_LINES, ids=lambda args: " ".join(args))
def test_a_listing_says_what_the_full_command_line_says(args: list[str], provider: str, cli: Any) -> None:
    for number in range(3):
        cli("create-api-key-credential-provider", "--name", f"key-{number}", "--api-key", "-", input="sk")
    _same_both_ways(cli, args)


@pytest.mark.parametrize("mode", ["on", "on-partial", "off"])
def test_a_listing_with_auto_prompt_on_is_left_to_the_full_parser(mode: str, provider: str, cli: Any) -> None:
    """Auto-prompt `on` asks for a listing's options (and needs a terminal): Typer's command does that."""
    args = ["list-api-key-credential-providers", "--output", "json"]
    env = {"AWS_CLI_AUTO_PROMPT": mode}
    fast, slow = cli(*args, env=env), cli(*args, "--", env=env)
    assert (fast.exit_code, fast.stdout, fast.stderr) == (slow.exit_code, slow.stdout, slow.stderr)
    assert fast.exit_code == (252 if mode == "on" else 0)  # on: no terminal to ask on


def test_ctrl_d_at_the_passphrase_prompt_is_an_interruption_both_ways(cli: Any) -> None:
    env = {"AGENTCORE_IDENTITY_PASSPHRASE": "correct horse battery staple"}
    assert cli("vault", "init", "--passphrase", env=env).exit_code == 0
    created = cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk", env=env)
    assert created.exit_code == 0
    without = {k: v for k, v in os.environ.items() if k != "AGENTCORE_IDENTITY_PASSPHRASE"}
    # On a terminal, with no passphrase in the environment: asked for it, and Ctrl-D typed.
    fast = answer_prompts(["api-key", "openai"], ["\x04"], without)
    slow = answer_prompts(["api-key", "--", "openai"], ["\x04"], without)
    assert fast == slow
    assert fast[0] == 130 and fast[1].startswith("Vault passphrase:"), fast


@pytest.mark.parametrize("unbuffered", ["1", None], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize("end", [[], ["--"]], ids=["read without Typer", "read by Typer"])
def test_a_reader_gone_before_the_key_is_printed_is_no_failure(
    end: list[str], unbuffered: str | None, provider: str, home: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = unbuffered  # the key is written inside the command
    assert run_into_closed_pipe(["api-key", *end, "openai"], env) == (0, b"")


REFUSALS = [
    (
        ["--backend", "gcp", "list-workload-identities"],
        "argument --backend: Invalid choice 'gcp', valid choices are: local | aws",
    ),
    (
        ["--backend", "aws", "--region", "us-east-1", "token", "openai"],
        "`token` runs the OAuth flows on this machine and needs the local backend.",
    ),
]


@pytest.mark.parametrize(("args", "words"), REFUSALS, ids=["backend-choice", "token-on-aws"])
def test_a_refusal_is_a_usage_error_in_its_words_both_ways(args: list[str], words: str, cli: Any) -> None:
    result = _same_both_ways(cli, args)
    assert result.exit_code == 252
    assert words in result.stderr


def test_user_id_does_not_go_with_a_user_token(cli: Any) -> None:
    """The user of an exchange is the one the JWT names (refused before the JWT is read)."""
    result = cli("token", "corp", "--user-token", "-", "--user-id", "bob", input="not.read.here")
    assert result.exit_code == 252
    assert "--user-id cannot be combined with the exchange" in result.stderr


NOT_READ_HERE = [
    [],
    ["api-key"],
    ["token"],
    ["api-key", "--help"],
    ["api-key", "-h"],
    ["api-key", "help"],
    ["help", "api-key"],
    ["api-key", "openai", "extra"],
    ["api-key", "--", "openai"],
    ["api-key", "-openai"],
    ["api-key", "openai", "--user-id"],
    ["api-key", "openai", "--user-id", "--debug"],
    ["api-key", "openai", "--user-id", "a", "--user-id", "b"],
    ["--output", "json", "--output", "text", "api-key", "openai"],
    ["api-key", "openai", "--oauth2-flow", "M2M"],  # a token option
    ["api-key", "openai", "--force-refresh"],
    ["token", "corp", "--force-refresh=yes"],
    ["token", "corp", "--scopes", "read"],
    ["token", "corp", "--user-token", "-"],
    ["--cli-read-timeout", "5", "api-key", "openai"],
    ["--version", "api-key", "openai"],
    ["--debug=1", "api-key", "openai"],
    ["api-key", "open\udcffai"],
    ["get-api-key-credential-provider", "--name", "openai"],
    ["openai", "api-key"],
    ["list-api-key-credential-providers", "--max-items", "1"],
    ["list-api-key-credential-providers", "--page-size", "5"],
    ["list-api-key-credential-providers", "--no-paginate"],
    ["list-api-key-credential-providers", "--starting-token", "abc"],
    ["list-api-key-credential-providers", "--cli-input-json", "{}"],
    ["list-api-key-credential-providers", "--generate-cli-skeleton"],
    ["list-api-key-credential-providers", "openai"],
    ["list-api-key-credential-providers", "help"],
    ["list-api-key-credential-providers", "--workload-name", "w"],
    ["list-things"],
]


@pytest.mark.parametrize("args", NOT_READ_HERE, ids=repr)
def test_any_other_line_is_left_to_the_full_parser(args: list[str]) -> None:
    assert fastpath.read(args) is None


def test_what_the_reader_takes() -> None:
    assert fastpath.read(["--profile", "ci", "--output=json", "token", "--force-refresh", "corp", "--user-id=bob"]) == (
        "token",
        {"profile": "ci", "output": "json"},
        {"force_refresh": True, "provider": "corp", "user_id": "bob"},
    )
    assert fastpath.read(["--debug", "api-key", "openai", "--workload-name", "w"]) == (
        "api-key",
        {"debug": True},
        {"provider": "openai", "workload_name": "w"},
    )


@pytest.mark.parametrize(
    "args",
    [["api-key", "openai"], ["api-key", "--output", "json", "openai"], ["list-api-key-credential-providers"]],
)
def test_api_key_and_a_listing_import_neither_typer_nor_pydantic(args: list[str], provider: str, home: Path) -> None:
    assert modules_loaded(args, WITHOUT_TYPER) == (0, [])


def test_a_cached_token_imports_neither_typer_nor_pydantic(cli: Any, oauth_server: AuthServer, home: Path) -> None:  # noqa: F811
    create_provider(cli, oauth_server)
    assert cli("token", "corp").exit_code == 0
    assert modules_loaded(["token", "corp"], WITHOUT_TYPER) == (0, [])


def test_a_mistake_on_a_line_read_without_typer_is_still_a_usage_error(provider: str, cli: Any) -> None:
    result = cli("api-key", "openai", "--output", "xml")
    assert result.exit_code == 252
    assert "argument --output: Invalid choice 'xml'" in result.stderr


def test_the_reader_knows_the_options_as_the_full_parser_declares_them() -> None:
    """A flag read here takes a value exactly when the Typer command's does, under the same name."""
    import typer

    from agentcore_identity_cli.cli.app import load_commands
    from agentcore_identity_cli.cli.globalopts import GLOBAL_OPTIONS
    from agentcore_identity_cli.cli.root import app

    for flag in fastpath.GLOBAL_VALUES:
        assert GLOBAL_OPTIONS[flag] is True, flag
    for flag in fastpath.GLOBAL_SWITCHES:
        assert GLOBAL_OPTIONS[flag] is False, flag
    load_commands()
    group: Any = typer.main.get_command(app)
    for name, values in fastpath.COMMAND_VALUES.items():
        params = {opt: param for param in group.commands[name].params for opt in param.opts}
        for flag, dest in {**values, **fastpath.COMMAND_SWITCHES.get(name, {})}.items():
            assert flag in params, (name, flag)
            assert params[flag].name == dest, (name, flag)
            assert params[flag].is_flag == (flag in fastpath.COMMAND_SWITCHES.get(name, {})), (name, flag)
        positional = [param.name for param in group.commands[name].params if not param.opts[0].startswith("-")]
        assert positional == (["provider"] if name in fastpath.TAKES_PROVIDER else []), name
