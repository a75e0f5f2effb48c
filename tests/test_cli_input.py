"""The AWS CLI's whole-request options on every operation command.

`--generate-cli-skeleton` prints what the AWS CLI prints (the AWS CLI v1 is the oracle for
`input` and `output`, byte for byte; `yaml-input` follows the AWS CLI v2's source);
`--cli-input-json` / `--cli-input-yaml` fill the members the flags leave out, as the AWS
CLI's cliinput customization does; secrets inside them are treated as secrets.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from agentcore_identity_cli.backends.base import operations
from agentcore_identity_cli.cli.cliinput import command_operations
from agentcore_identity_cli.server.protocol import service_model
from tests.serve_support import Served, serve_fixture  # noqa: F401
from tests.test_serve_clients_awscli import AWS_CLI

# Operations whose input has no enum: the AWS CLI picks an enum's placeholder at random.
NO_ENUM_INPUT = (
    "get-token-vault",
    "get-workload-identity",
    "tag-resource",
    "untag-resource",
    "list-workload-identities",
)
SKELETON_COMMANDS = sorted(command_operations())


def _aws_cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if not AWS_CLI or not Path(AWS_CLI).exists():
        pytest.skip("the AWS CLI v1 is not installed (AGENTCORE_TEST_AWS_CLI; .ci/run installs it)")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "not-used",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    return subprocess.run([AWS_CLI, *args], env=env, capture_output=True, text=True, timeout=60, check=False)


def _service(command: str) -> str:
    return (
        "bedrock-agentcore-control"
        if operations()[command_operations()[command]]["service"].endswith("control")
        else "bedrock-agentcore"
    )


# --- skeletons -------------------------------------------------------------------------


@pytest.mark.parametrize("command", NO_ENUM_INPUT)
def test_the_input_skeleton_is_the_aws_clis_byte_for_byte(cli, command: str, tmp_path: Path):
    theirs = _aws_cli(_service(command), command, "--generate-cli-skeleton", tmp_path=tmp_path)
    assert theirs.returncode == 0, theirs.stderr
    ours = cli(command, "--generate-cli-skeleton")
    assert ours.exit_code == 0, ours.stderr
    assert ours.stdout == theirs.stdout
    assert cli(command, "--generate-cli-skeleton", "input").stdout == theirs.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("get-token-vault",),
        ("get-workload-identity", "--name", "agent"),
        ("list-workload-identities",),
        ("get-api-key-credential-provider", "--name", "openai"),
    ],
)
def test_the_output_skeleton_is_the_aws_clis_byte_for_byte(cli, args: tuple[str, ...], tmp_path: Path):
    theirs = _aws_cli(_service(args[0]), *args, "--generate-cli-skeleton", "output", tmp_path=tmp_path)
    assert theirs.returncode == 0, theirs.stderr
    ours = cli(*args, "--generate-cli-skeleton", "output", "--output", "json")
    assert ours.exit_code == 0, ours.stderr
    assert ours.stdout == theirs.stdout


def _same_shape(ours: Any, theirs: Any, path: str = "") -> None:
    """Equal documents, except the enum placeholders, which the AWS CLI draws at random."""
    assert type(ours) is type(theirs), path
    if isinstance(ours, dict):
        assert list(ours) == list(theirs), path
        for key in ours:
            _same_shape(ours[key], theirs[key], f"{path}.{key}")
    elif isinstance(ours, list):
        assert len(ours) == len(theirs), path
        for a, b in zip(ours, theirs, strict=True):
            _same_shape(a, b, path + "[]")


@pytest.mark.parametrize("command", SKELETON_COMMANDS)
def test_every_operation_prints_an_input_skeleton_of_its_model(cli, command: str, home: Path):
    from botocore.utils import ArgumentGenerator

    operation = command_operations()[command]
    shape = service_model(operations()[operation]["service"]).operation_model(operation).input_shape
    result = cli(command, "--generate-cli-skeleton")
    assert result.exit_code == 0, result.stderr
    _same_shape(json.loads(result.stdout), _plain(ArgumentGenerator().generate_skeleton(shape)))
    as_yaml = cli(command, "--generate-cli-skeleton", "yaml-input")
    assert as_yaml.exit_code == 0, as_yaml.stderr
    _same_shape(_plain(YAML(typ="safe", pure=True).load(as_yaml.stdout)), json.loads(result.stdout))
    assert not (home / "vault.db").exists()  # nothing was called, no vault was opened


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value))


def test_the_yaml_skeleton_says_what_is_required_and_the_valid_values(cli):
    result = cli("create-oauth2-credential-provider", "--generate-cli-skeleton", "yaml-input")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("name: ''") and lines[0].endswith("# [REQUIRED]")
    vendor = next(line for line in lines if line.startswith("credentialProviderVendor:"))
    assert "# [REQUIRED] Valid values are: GoogleOauth2, GithubOauth2," in vendor
    tags = next(line for line in lines if line.startswith("tags:"))
    assert "#" not in tags


def test_the_skeleton_makes_no_flag_required_and_calls_nothing(cli, home: Path):
    result = cli("--backend", "aws", "create-api-key-credential-provider", "--generate-cli-skeleton")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "name": "",
        "apiKey": "",
        "apiKeySecretConfig": {"secretId": "", "jsonKey": ""},
        "apiKeySecretSource": json.loads(result.stdout)["apiKeySecretSource"],
        "tags": {"KeyName": ""},
    }
    assert json.loads(result.stdout)["apiKeySecretSource"] in ("MANAGED", "EXTERNAL")
    assert not (home / "vault.db").exists()


def test_the_output_skeleton_validates_the_flags_first(cli, home: Path):
    missing = cli("get-workload-identity", "--generate-cli-skeleton", "output")
    assert missing.exit_code == 252
    assert "--name" in missing.stderr
    short = cli("get-workload-identity", "--name", "ab", "--generate-cli-skeleton", "output")
    assert short.exit_code == 252
    assert "Invalid length for parameter name, value: 2, valid min length: 3" in short.stderr
    queried = cli("get-token-vault", "--generate-cli-skeleton", "output", "--query", "kmsConfiguration.keyType")
    assert queried.stdout == '"keyType"\n'
    assert not (home / "vault.db").exists()
    bad = cli("get-token-vault", "--generate-cli-skeleton", "inputs")
    assert bad.exit_code == 252
    assert "'inputs' is not one of 'input', 'yaml-input', 'output'" in bad.stderr


# --- input -----------------------------------------------------------------------------


def test_input_json_fills_what_the_flags_leave_out_and_flags_win(cli):
    created = cli(
        "create-api-key-credential-provider",
        "--cli-input-json",
        '{"name": "one", "tags": {"team": "ml"}}',
        "--api-key",
        "-",
        input="sk-1",
    )
    assert created.exit_code == 0, created.stderr
    assert created.json()["name"] == "one"
    cli("create-workload-identity", "--name", "agent")
    fetched = cli("get-workload-identity", "--cli-input-json", '{"name": "nobody"}', "--name", "agent")
    assert fetched.exit_code == 0, fetched.stderr
    assert fetched.json()["name"] == "agent"
    arn = created.json()["credentialProviderArn"]
    tags = cli("list-tags-for-resource", "--cli-input-json", json.dumps({"resourceArn": arn}))
    assert tags.json() == {"tags": {"team": "ml"}}


def test_input_from_a_file_and_as_yaml(cli, tmp_path: Path):
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"name": "agent", "allowedResourceOauth2ReturnUrls": ["https://a.example/cb"]}))
    created = cli("create-workload-identity", "--cli-input-json", f"file://{request}")
    assert created.exit_code == 0, created.stderr
    assert created.stderr == ""
    document = tmp_path / "update.yaml"
    document.write_text("name: agent  # the one above\nallowedResourceOauth2ReturnUrls:\n- https://b.example/cb\n")
    updated = cli("update-workload-identity", "--cli-input-yaml", f"file://{document}")
    assert updated.exit_code == 0, updated.stderr
    assert updated.json()["allowedResourceOauth2ReturnUrls"] == ["https://b.example/cb"]


def test_a_filled_skeleton_is_a_valid_input(cli, tmp_path: Path):
    skeleton = json.loads(cli("create-workload-identity", "--generate-cli-skeleton").stdout)
    skeleton.update(name="from-skeleton", allowedResourceOauth2ReturnUrls=["https://a.example/cb"], tags={"k": "v"})
    path = tmp_path / "filled.json"
    path.write_text(json.dumps(skeleton))
    assert cli("create-workload-identity", "--cli-input-json", f"file://{path}").exit_code == 0
    yaml_skeleton = cli("create-workload-identity", "--generate-cli-skeleton", "yaml-input").stdout
    filled = yaml_skeleton.replace("name: ''", "name: from-yaml").replace("KeyName: ''", "k: v")
    filled = filled.replace("- ''", "- https://a.example/cb")
    result = cli("create-workload-identity", "--cli-input-yaml", filled)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--cli-input-json", '{"name": "x", "foo": 1}'),
            'Unknown parameter in input: "foo", must be one of: name, allowedResourceOauth2ReturnUrls, tags',
        ),
        (("--cli-input-json", "[1, 2]"), "Invalid type: expecting map, received <class 'list'>"),
        (("--cli-input-yaml", "- a"), "Invalid type: expecting map, received <class 'list'>"),
        (("--cli-input-json", "{}", "--cli-input-yaml", "{}"), "Only one --cli-input- parameter may be specified."),
        (("--cli-input-json", "{}"), 'Missing required parameter in input: "name"'),
        (("--cli-input-json", '{"name": 5}'), "Invalid type for parameter name, type: <class 'int'>"),
        (("--cli-input-json", "file:///nonexistent/request.json"), "Unable to load paramfile"),
    ],
)
def test_bad_input_is_a_usage_error_naming_the_problem(cli, args: tuple[str, ...], message: str):
    result = cli("create-workload-identity", *args)
    assert result.exit_code == 252
    assert message in result.stderr


def test_a_member_the_service_judges_is_judged_by_it(cli):
    result = cli("create-workload-identity", "--cli-input-json", '{"name": "no spaces please"}')
    assert result.exit_code == 254
    assert "ValidationException" in result.stderr


# --- secrets inside the input ------------------------------------------------------------


def test_a_secret_typed_in_the_input_is_warned_about_and_never_repeated(cli):
    literal = cli("create-api-key-credential-provider", "--cli-input-json", '{"name": "k1", "apiKey": "sk-typed"}')
    assert literal.exit_code == 0, literal.stderr
    assert "Warning: the apiKey in --cli-input-json given on the command line can be seen by other users" in (
        literal.stderr
    )
    assert "--cli-input-json file://PATH" in literal.stderr
    assert "sk-typed" not in literal.stderr + literal.stdout
    as_yaml = cli("create-api-key-credential-provider", "--cli-input-yaml", "name: k2\napiKey: sk-typed\n")
    assert "the apiKey in --cli-input-yaml given on the command line" in as_yaml.stderr
    broken = cli("create-api-key-credential-provider", "--cli-input-json", '{"name": "k3", "apiKey": "sk-typed"')
    assert broken.exit_code == 252
    assert "sk-typed" not in broken.stderr
    broken_yaml = cli("create-api-key-credential-provider", "--cli-input-yaml", 'apiKey: "sk-typed\n')
    assert broken_yaml.exit_code == 252
    assert "sk-typed" not in broken_yaml.stderr
    assert cli("api-key", "k1").stdout.strip() == "sk-typed"


def test_a_secret_from_a_file_input_is_not_warned_about(cli, tmp_path: Path):
    path = tmp_path / "provider.json"
    path.write_text(json.dumps({"name": "quiet", "apiKey": "sk-file"}))
    result = cli("create-api-key-credential-provider", "--cli-input-json", f"file://{path}")
    assert result.exit_code == 0
    assert result.stderr == ""


def test_the_secret_flags_merge_with_the_input(cli, tmp_path: Path):
    """The friendlier flags (stdin, files, prompts) fill or replace their member of the input."""
    path = tmp_path / "gh.json"
    path.write_text(
        json.dumps(
            {
                "name": "gh",
                "credentialProviderVendor": "GithubOauth2",
                "oauth2ProviderConfigInput": {"githubOauth2ProviderConfig": {"clientId": "abc"}},
            }
        )
    )
    created = cli(
        "create-oauth2-credential-provider",
        "--cli-input-json",
        f"file://{path}",
        "--client-secret",
        "-",
        input="from-stdin",
    )
    assert created.exit_code == 0, created.stderr
    config = json.loads(path.read_text())
    config["oauth2ProviderConfigInput"]["githubOauth2ProviderConfig"]["clientSecret"] = "in-the-file"
    config["name"] = "gh2"
    path.write_text(json.dumps(config))
    replaced = cli(
        "create-oauth2-credential-provider", "--cli-input-json", f"file://{path}", "--client-secret", "-", input="wins"
    )
    assert replaced.exit_code == 0, replaced.stderr
    no_secret = cli(
        "create-oauth2-credential-provider",
        "--cli-input-json",
        f"file://{path}",
        "--name",
        "gh3",
        "--scopes",
        "repo",
        "user",
    )
    assert no_secret.exit_code == 0, no_secret.stderr
    arn = no_secret.json()["credentialProviderArn"]
    tags = cli("list-tags-for-resource", "--resource-arn", arn).json()["tags"]
    assert tags == {"agentcore-identity:default-scopes": "repo user"}
    key = cli(
        "create-api-key-credential-provider",
        "--cli-input-json",
        '{"name": "piped"}',
        "--api-key",
        "-",
        input="sk-piped",
    )
    assert key.exit_code == 0, key.stderr
    assert cli("api-key", "piped").stdout.strip() == "sk-piped"


def test_a_missing_secret_is_still_asked_for_when_the_input_lacks_it(cli):
    result = cli("create-api-key-credential-provider", "--cli-input-json", '{"name": "nokey"}')
    assert result.exit_code == 252
    assert "--api-key is required and there is no terminal" in result.stderr


def test_payment_configuration_from_the_input_with_secrets_from_stdin(cli, tmp_path: Path):
    from tests.payment_support import keys

    secrets = keys()
    path = tmp_path / "cdp.json"
    path.write_text(
        json.dumps(
            {
                "name": "cdp",
                "credentialProviderVendor": "CoinbaseCDP",
                "providerConfigurationInput": {
                    "coinbaseCdpConfiguration": {"apiKeyId": "key-1", "walletSecret": secrets.wallet_secret}
                },
            }
        )
    )
    result = cli(
        "create-payment-credential-provider",
        "--cli-input-json",
        f"file://{path}",
        "--api-key-secret",
        "-",
        input=secrets.cdp_ed25519,
    )
    assert result.exit_code == 0, result.stderr
    assert result.json()["name"] == "cdp"


# --- every operation command has them, on both backends ----------------------------------


def test_every_operation_command_takes_the_three_options():
    import typer

    from agentcore_identity_cli.cli.app import load_commands
    from agentcore_identity_cli.cli.root import app

    load_commands(None)
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    for name, command in commands.items():
        flags = {opt for param in command.params for opt in getattr(param, "opts", [])}
        expected = name in command_operations()
        for flag in ("--cli-input-json", "--cli-input-yaml", "--generate-cli-skeleton"):
            assert (flag in flags) == expected, (name, flag)
    assert set(command_operations()) <= set(commands)


def test_the_input_goes_to_the_aws_backend_too(serve: Served, cli):
    result = cli(
        "--backend",
        "aws",
        "--endpoint-url",
        serve.url,
        "create-workload-identity",
        "--cli-input-json",
        '{"name": "over-the-wire", "allowedResourceOauth2ReturnUrls": ["https://a.example/cb"]}',
        env=serve.env,
    )
    assert result.exit_code == 0, result.stderr
    assert cli("get-workload-identity", "--name", "over-the-wire").exit_code == 0
