"""Every request member of the API is honoured or refused, never silently dropped.

- Every input member of every operation the tool speaks has a flag on its command (the
  paginated lists take nextToken/maxResults through the AWS CLI's paging options).
- Members that point at things only AWS has are refused by the local backend with a
  ValidationException that says why and names --backend aws, and nothing is stored; the
  same requests go to the service unchanged on the aws backend.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from agentcore_identity_cli.backends.base import operations, snake_case
from agentcore_identity_cli.backends.local.refusals import rules
from tests.conftest import ROOT
from tests.test_aws_backend import AWS, Stubs, _response, aws_env, stubs  # noqa: F401 - fixtures

# The AWS CLI pages a list for you: these members are its --starting-token and --page-size.
PAGING_FLAGS = {"nextToken": "--starting-token", "maxResults": "--page-size"}
KMS_ARN = "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012"


def _model(service: str) -> Any:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import generate_models
    finally:
        sys.path.pop(0)
    return generate_models.service_model(service)


def _command_tree() -> Any:
    import typer

    from agentcore_identity_cli.cli.app import load_commands
    from agentcore_identity_cli.cli.root import app

    load_commands(None)
    return typer.main.get_command(app)


def test_every_input_member_of_every_operation_has_a_flag():
    tree = _command_tree()
    gaps = []
    for operation, spec in operations().items():
        command = tree.commands.get(snake_case(operation).replace("_", "-"))
        assert command is not None, f"{operation} has no command"
        flags = {flag for param in command.params for flag in param.opts}
        members = _model(spec["service"]).operation_model(operation).input_shape.members
        for member in members:
            flag = PAGING_FLAGS.get(member) if spec.get("paginated") else None
            flag = flag or "--" + snake_case(member).replace("_", "-")
            if flag not in flags:
                gaps.append(f"{operation}.{member}: no {flag} on {command.name}")
    assert not gaps, "\n".join(gaps)


def _member_names(shape: Any, seen: set[str]) -> set[str]:
    if shape.name in seen:
        return set()
    seen.add(shape.name)
    names: set[str] = set()
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            names.add(name)
            names |= _member_names(member, seen)
    elif shape.type_name == "list":
        names |= _member_names(shape.member, seen)
    elif shape.type_name == "map":
        names |= _member_names(shape.value, seen)
    return names


def test_every_refusal_rule_names_members_the_api_has():
    """A rule that matches no member of the API is stale."""
    names: set[str] = set()
    enums: set[str] = set()
    for spec in {spec["service"] for spec in operations().values()}:
        model = _model(spec)
        for operation in model.operation_names:
            names |= _member_names(model.operation_model(operation).input_shape, set())
        enums |= {
            value for shape in model.shape_names for value in (getattr(model.shape_for(shape), "enum", None) or [])
        }
    for rule in rules():
        matching = {
            n
            for n in names
            if ("member" not in rule or n == rule["member"])
            and ("memberSuffix" not in rule or n.endswith(rule["memberSuffix"]))
        }
        assert matching, rule
        if "value" in rule:
            assert rule["value"] in enums, rule


def _custom(**extra: Any) -> str:
    config = {
        "customOauth2ProviderConfig": {
            "oauthDiscovery": {
                "authorizationServerMetadata": {
                    "issuer": "https://id.example.com",
                    "authorizationEndpoint": "https://id.example.com/authorize",
                    "tokenEndpoint": "https://id.example.com/token",
                }
            },
            "clientId": "cid",
            **extra,
        }
    }
    return json.dumps(config)


VPC = {
    "managedVpcResource": {
        "vpcIdentifier": "vpc-0123abcd",
        "subnetIds": ["subnet-0123abcd"],
        "endpointIpAddressType": "IPV4",
    }
}
OAUTH2 = ["create-oauth2-credential-provider", "--name", "refused", "--credential-provider-vendor", "CustomOauth2"]
PAYMENT = ["create-payment-credential-provider", "--name", "refused", "--credential-provider-vendor", "StripePrivy"]
PRIVY = {"appId": "app-1", "appSecret": "c2VjcmV0", "authorizationId": "auth-1"}

# (what is refused, argv, stdin, the get command that must still find nothing)
REFUSED = [
    (
        "apiKeySecretConfig",
        [
            "create-api-key-credential-provider",
            "--name",
            "refused",
            "--api-key-secret-config",
            "secretId=prod/openai,jsonKey=key",
        ],
        "",
    ),
    (
        "apiKeySecretSource=EXTERNAL",
        [
            "create-api-key-credential-provider",
            "--name",
            "refused",
            "--api-key-secret-source",
            "EXTERNAL",
            "--api-key",
            "-",
        ],
        "sk-1",
    ),
    (
        "clientSecretConfig",
        [*OAUTH2, "--oauth2-provider-config-input", _custom(clientSecretConfig={"secretId": "s", "jsonKey": "k"})],
        "",
    ),
    (
        "privateEndpoint",
        [*OAUTH2, "--oauth2-provider-config-input", _custom(clientSecret="cs", privateEndpoint=VPC)],
        "",
    ),
    (
        "privateEndpointOverrides",
        [
            *OAUTH2,
            "--oauth2-provider-config-input",
            _custom(clientSecret="cs", privateEndpointOverrides=[{"domain": "id.example.com", "privateEndpoint": VPC}]),
        ],
        "",
    ),
    (
        "certificateConfigurations",
        [
            *OAUTH2,
            "--oauth2-provider-config-input",
            _custom(clientSecret="cs", certificateConfigurations=[{"s3": {"uri": "s3://bucket/cert.pem"}}]),
        ],
        "",
    ),
    (
        "kmsKeySource",
        [
            *OAUTH2,
            "--oauth2-provider-config-input",
            _custom(
                clientAuthenticationMethod="PRIVATE_KEY_JWT",
                privateKeyJwtConfig={"privateKeySource": {"kmsKeySource": {"kmsKeyArn": KMS_ARN}}},
            ),
        ],
        "",
    ),
    (
        "clientAuthenticationMethod=AWS_IAM_ID_TOKEN_JWT",
        [
            *OAUTH2,
            "--oauth2-provider-config-input",
            _custom(clientSecret="cs", clientAuthenticationMethod="AWS_IAM_ID_TOKEN_JWT"),
        ],
        "",
    ),
    (
        "authorizationPrivateKeyConfig",
        [
            *PAYMENT,
            "--provider-configuration-input",
            json.dumps(
                {
                    "stripePrivyConfiguration": {
                        **PRIVY,
                        "authorizationPrivateKeyConfig": {"secretId": "s", "jsonKey": "k"},
                    }
                }
            ),
        ],
        "",
    ),
    (
        "kmsKeyArn",
        ["set-token-vault-cmk", "--kms-configuration", f"keyType=CustomerManagedKey,kmsKeyArn={KMS_ARN}"],
        "",
    ),
]


@pytest.mark.parametrize(("member", "argv", "stdin"), REFUSED, ids=[case[0] for case in REFUSED])
def test_members_only_aws_has_are_refused_locally_and_nothing_is_stored(cli, member, argv, stdin):
    result = cli("--output", "json", *argv, input=stdin)
    assert result.exit_code == 254, result.stderr
    assert "ValidationException" in result.stderr
    assert member.split("=")[0] in result.stderr
    assert "Use --backend aws" in result.stderr
    assert result.stdout == ""
    if argv[0].startswith("create-"):
        kind = argv[0][len("create-") :]
        assert cli("get-" + kind, "--name", "refused").exit_code == 254
    else:
        assert cli("--output", "json", "get-token-vault").json()["kmsConfiguration"]["keyType"] == "ServiceManagedKey"


def test_the_same_members_go_to_the_service_on_the_aws_backend(stubs: Stubs, cli):  # noqa: F811 - the fixture
    config = json.loads(
        _custom(
            clientSecret="cs", privateEndpoint=VPC, certificateConfigurations=[{"s3": {"uri": "s3://bucket/cert.pem"}}]
        )
    )
    params = {"name": "refused", "credentialProviderVendor": "CustomOauth2", "oauth2ProviderConfigInput": config}
    stubs.respond("CreateOauth2CredentialProvider", params, _response("CreateOauth2CredentialProvider", "refused"))
    result = cli(*AWS, "--output", "json", *OAUTH2, "--oauth2-provider-config-input", json.dumps(config))
    assert result.exit_code == 0, result.stderr
    stubs.assert_done()
