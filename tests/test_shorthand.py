"""Structured parameters: AWS shorthand, JSON and file://, and the errors a user sees for each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentcore_identity_cli.cli.shorthand import ShorthandError, parse_shorthand

# --- the grammar ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("k=v,k2=v2", {"k": "v", "k2": "v2"}, id="pairs"),
        pytest.param("Key=Value", {"Key": "Value"}, id="one-pair"),
        pytest.param(" k = v , k2 = v2 ", {"k": "v", "k2": "v2"}, id="spaces-around"),
        pytest.param("k=v,\n  k2=v2\n", {"k": "v", "k2": "v2"}, id="newlines"),
        pytest.param("k=v,\r\nk2=v2", {"k": "v", "k2": "v2"}, id="crlf"),
        pytest.param("owner=Jane Doe", {"owner": "Jane Doe"}, id="space-inside-value"),
        pytest.param("a={b=c,d=e}", {"a": {"b": "c", "d": "e"}}, id="nested-structure"),
        pytest.param("a={b={c=d}},e=f", {"a": {"b": {"c": "d"}}, "e": "f"}, id="deeply-nested"),
        pytest.param("a={}", {"a": {}}, id="empty-structure"),
        pytest.param("k=[a,b,c]", {"k": ["a", "b", "c"]}, id="list"),
        pytest.param("k=[ a , b ]", {"k": ["a", "b"]}, id="list-with-spaces"),
        pytest.param("k=[]", {"k": []}, id="empty-list"),
        pytest.param("k=[{a=b},{c=d}]", {"k": [{"a": "b"}, {"c": "d"}]}, id="list-of-structures"),
        pytest.param("a={l=[x,y]},b=[1,2]", {"a": {"l": ["x", "y"]}, "b": ["1", "2"]}, id="list-in-structure"),
        pytest.param("k='a,b',k2=c", {"k": "a,b", "k2": "c"}, id="single-quoted-comma"),
        pytest.param('k="a,b=c]}",k2=d', {"k": "a,b=c]}", "k2": "d"}, id="double-quoted-specials"),
        pytest.param('k="it\'s"', {"k": "it's"}, id="quote-in-other-quotes"),
        pytest.param('k=["a,b",c]', {"k": ["a,b", "c"]}, id="quoted-in-list"),
        pytest.param(
            "url=https://example.com/cb?x=1&y=2",
            {"url": "https://example.com/cb?x=1&y=2"},
            id="url-with-query",
        ),
        pytest.param(
            "url=https://example.com:8443/a/b#frag,next=1",
            {"url": "https://example.com:8443/a/b#frag", "next": "1"},
            id="url-then-pair",
        ),
        pytest.param("url='https://x/cb?a=1,b=2'", {"url": "https://x/cb?a=1,b=2"}, id="quoted-url-with-comma"),
        pytest.param("k=", {"k": ""}, id="empty-value"),
        pytest.param("k==v", {"k": "=v"}, id="equals-in-value"),
        pytest.param("a.b-c_d:e/f=v", {"a.b-c_d:e/f": "v"}, id="key-characters"),
    ],
)
def test_shorthand_parses(text, expected):
    assert parse_shorthand(text, "--x") == expected


@pytest.mark.parametrize(
    ("text", "position", "reason"),
    [
        pytest.param("k=v,,k2=v2", 4, "expected a key", id="double-comma"),
        pytest.param("k=v,", 4, "expected a key", id="trailing-comma"),
        pytest.param("=v", 0, "expected a key", id="no-key"),
        pytest.param("k", 1, "expected '='", id="no-equals"),
        pytest.param("k=v}", 3, "expected ','", id="stray-brace"),
        pytest.param("a={b=c", 6, "expected ','", id="unclosed-structure"),
        pytest.param("a=[x,y", 6, "expected ']'", id="unclosed-list"),
        pytest.param("k='open", 2, "unterminated quoted value", id="unterminated-quote"),
        pytest.param("a={b=c}x", 7, "expected ','", id="text-after-structure"),
    ],
)
def test_shorthand_error_names_the_position_with_a_caret(text, position, reason):
    with pytest.raises(ShorthandError) as caught:
        parse_shorthand(text, "--tags")
    message = caught.value.message
    assert message.startswith("Error parsing parameter '--tags': ")
    assert reason in message
    assert f"at position {position}" in message
    lines = message.splitlines()
    assert lines[-2] == text
    assert lines[-1] == " " * position + "^"
    assert caught.value.exit_code == 252


def test_shorthand_error_on_a_later_line_puts_the_caret_under_that_line():
    text = "team=ml,\nenv=dev,,\nowner=me"
    with pytest.raises(ShorthandError) as caught:
        parse_shorthand(text, "--tags")
    lines = caught.value.message.splitlines()
    assert lines[-2] == "env=dev,,"
    assert lines[-1] == "        ^"


# --- through the CLI: what a user types and sees -----------------------------------------


def _workload_tags(cli, *tag_args: str) -> dict:
    created = cli("create-workload-identity", "--name", "agent-one", *tag_args)
    assert created.exit_code == 0, created.stderr
    arn = created.json()["workloadIdentityArn"]
    listed = cli("list-tags-for-resource", "--resource-arn", arn)
    assert listed.exit_code == 0, listed.stderr
    return listed.json()["tags"]


def test_tags_in_shorthand(cli):
    assert _workload_tags(cli, "--tags", "team=ml,env=dev") == {"team": "ml", "env": "dev"}


def test_tags_in_shorthand_with_spaces_and_a_value_with_spaces(cli):
    tags = _workload_tags(cli, "--tags", " team = ml , owner = Jane Doe ")
    assert tags == {"team": "ml", "owner": "Jane Doe"}


def test_tags_in_shorthand_with_a_url_value(cli):
    tags = _workload_tags(cli, "--tags", "docs=https://wiki.example.com/agents/one,team=ml")
    assert tags == {"docs": "https://wiki.example.com/agents/one", "team": "ml"}


def test_tags_in_json(cli):
    assert _workload_tags(cli, "--tags", '{"team": "ml", "cost center": "42"}') == {"team": "ml", "cost center": "42"}


def test_tags_from_a_json_file(cli, tmp_path: Path):
    path = tmp_path / "tags.json"
    path.write_text(json.dumps({"team": "ml", "env": "prod"}, indent=2) + "\n")
    assert _workload_tags(cli, "--tags", f"file://{path}") == {"team": "ml", "env": "prod"}


def test_tags_from_a_shorthand_file_over_several_lines(cli, tmp_path: Path):
    path = tmp_path / "tags.txt"
    path.write_text("team=ml,\nenv=prod\n")
    assert _workload_tags(cli, "--tags", f"file://{path}") == {"team": "ml", "env": "prod"}


def test_tags_from_a_shorthand_file_with_windows_line_endings(cli, tmp_path: Path):
    path = tmp_path / "tags.txt"
    path.write_bytes(b"team=ml,\r\nenv=prod\r\n")
    assert _workload_tags(cli, "--tags", f"file://{path}") == {"team": "ml", "env": "prod"}


def test_tag_resource_takes_shorthand_json_and_file(cli, tmp_path: Path):
    arn = cli("create-workload-identity", "--name", "agent-one").json()["workloadIdentityArn"]
    path = tmp_path / "more.json"
    path.write_text('{"c": "3"}')
    for tags in ("a=1", '{"b": "2"}', f"file://{path}"):
        result = cli("tag-resource", "--resource-arn", arn, "--tags", tags)
        assert result.exit_code == 0, result.stderr
    assert cli("list-tags-for-resource", "--resource-arn", arn).json() == {"tags": {"a": "1", "b": "2", "c": "3"}}


def test_kms_configuration_in_shorthand(cli):
    result = cli("set-token-vault-cmk", "--kms-configuration", "keyType=ServiceManagedKey")
    assert result.exit_code == 0, result.stderr
    assert result.json()["kmsConfiguration"] == {"keyType": "ServiceManagedKey"}


def test_nested_shorthand_with_lists_urls_and_quoted_commas_reaches_the_api(cli):
    pytest.importorskip("agentcore_identity_cli.oauth.catalogue")
    config = (
        "customOauth2ProviderConfig={clientId='abc,def',oauthDiscovery={authorizationServerMetadata={"
        "issuer=https://auth.example.com,"
        "authorizationEndpoint=https://auth.example.com/authorize?prompt=consent,"
        "tokenEndpoint=https://auth.example.com/token,"
        "responseTypes=[code, token]}}}"
    )
    created = cli(
        "create-oauth2-credential-provider",
        "--name",
        "corp",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--oauth2-provider-config-input",
        config,
        "--client-secret",
        "-",
        input="s3cret-value",
    )
    assert created.exit_code == 0, created.stderr
    got = cli("get-oauth2-credential-provider", "--name", "corp").json()
    custom = got["oauth2ProviderConfigOutput"]["customOauth2ProviderConfig"]
    assert custom["clientId"] == "abc,def"
    assert custom["oauthDiscovery"]["authorizationServerMetadata"] == {
        "issuer": "https://auth.example.com",
        "authorizationEndpoint": "https://auth.example.com/authorize?prompt=consent",
        "tokenEndpoint": "https://auth.example.com/token",
        "responseTypes": ["code", "token"],
    }
    assert "s3cret-value" not in json.dumps(got)


# --- errors through the CLI -------------------------------------------------------------


def test_bad_shorthand_exits_252_showing_the_value_and_a_caret_and_creates_nothing(cli):
    result = cli("create-workload-identity", "--name", "agent-one", "--tags", "team=ml,,env=dev")
    assert result.exit_code == 252
    assert result.stdout == ""
    assert "Error parsing parameter '--tags'" in result.stderr
    assert "at position 8" in result.stderr
    lines = result.stderr.splitlines()
    index = lines.index("team=ml,,env=dev")
    assert lines[index + 1] == " " * 8 + "^"
    assert "Traceback" not in result.stderr
    assert cli("list-workload-identities").json() == {"workloadIdentities": []}


def test_bad_shorthand_in_a_file_shows_the_line_it_is_on(cli, tmp_path: Path):
    path = tmp_path / "tags.txt"
    path.write_text("team=ml,\nenv=dev}\n")
    result = cli("create-workload-identity", "--name", "agent-one", "--tags", f"file://{path}")
    assert result.exit_code == 252
    lines = result.stderr.splitlines()
    index = lines.index("env=dev}")
    assert lines[index + 1] == " " * 7 + "^"


def test_invalid_json_exits_252_with_a_clear_message(cli):
    result = cli("create-workload-identity", "--name", "agent-one", "--tags", '{"team": "ml",}')
    assert result.exit_code == 252
    assert result.stdout == ""
    assert "Error parsing parameter '--tags': Invalid JSON:" in result.stderr
    assert "line 1 column 15" in result.stderr
    assert 'JSON received: {"team": "ml",}' in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_json_in_a_file_exits_252_with_a_clear_message(cli, tmp_path: Path):
    path = tmp_path / "tags.json"
    path.write_text('{\n  "team": "ml"\n  "env": "dev"\n}\n')
    result = cli("create-workload-identity", "--name", "agent-one", "--tags", f"file://{path}")
    assert result.exit_code == 252
    assert "Invalid JSON" in result.stderr
    assert "line 3" in result.stderr


def test_invalid_json_holding_a_client_secret_is_not_echoed(cli):
    config = '{"customOauth2ProviderConfig": {"clientId": "abc", "clientSecret": "TOP-SECRET-42",}}'
    result = cli(
        "create-oauth2-credential-provider",
        "--name",
        "corp",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--oauth2-provider-config-input",
        config,
    )
    assert result.exit_code == 252
    assert "Invalid JSON" in result.stderr
    assert "TOP-SECRET-42" not in result.stderr + result.stdout


def test_bad_shorthand_holding_a_client_secret_is_not_echoed(cli):
    config = "customOauth2ProviderConfig={clientId=abc,clientSecret=TOP-SECRET-42,oauthDiscovery={"
    result = cli(
        "create-oauth2-credential-provider",
        "--name",
        "corp",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--oauth2-provider-config-input",
        config,
    )
    assert result.exit_code == 252
    assert "Error parsing parameter '--oauth2-provider-config-input'" in result.stderr
    assert "at position" in result.stderr
    assert "TOP-SECRET-42" not in result.stderr + result.stdout


def test_missing_file_exits_252_naming_it(cli, tmp_path: Path):
    missing = tmp_path / "nope.json"
    result = cli("create-workload-identity", "--name", "agent-one", "--tags", f"file://{missing}")
    assert result.exit_code == 252
    assert f"Unable to load paramfile file://{missing}" in result.stderr


@pytest.mark.parametrize(
    "tags",
    [
        pytest.param('["team", "ml"]', id="json-list"),
        pytest.param('{"team": 1}', id="json-number-value"),
        pytest.param("team=[ml]", id="shorthand-list-value"),
        pytest.param("team={a=b}", id="shorthand-structure-value"),
    ],
)
def test_well_formed_but_wrong_shape_exits_252_naming_the_parameter(cli, tags):
    result = cli("create-workload-identity", "--name", "agent-one", "--tags", tags)
    assert result.exit_code == 252
    assert "Parameter validation failed" in result.stderr
    assert "tags" in result.stderr
    assert cli("list-workload-identities").json() == {"workloadIdentities": []}
