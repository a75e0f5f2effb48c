"""Validation where AWS does it.

botocore checks a request before sending it (required and unknown members, types, minimum
lengths and values): that is the client's "Parameter validation failed" (exit 252), on
either backend. Patterns, enums and maximums are the service's: the aws backend sends the
request and AWS answers; the local backend answers a ValidationException (exit 254) in
plain words, whichever door the request came in by: the CLI, boto3 or the AWS CLI through
`serve`, and the aws backend pointed at `serve`.
"""
# ruff: noqa: F811 - the fixtures are imported from their support modules

from __future__ import annotations

import copy
import json
import re
import time
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator

from agentcore_identity_cli.backends.base import operations
from agentcore_identity_cli.errors import ParamValidationError
from agentcore_identity_cli.models.base import validate_request
from agentcore_identity_cli.models.constraints import Constraint, describe_pattern, pattern_descriptions
from agentcore_identity_cli.models.generated import request_model
from tests.conftest import ROOT
from tests.serve_support import Served, serve_fixture  # noqa: F401
from tests.test_serve_clients_awscli import CONTROL, Aws, aws, same_error  # noqa: F401

BAD_NAME_LINE = (
    "An error occurred (ValidationException) when calling the CreateApiKeyCredentialProvider operation: "
    "1 validation error detected: name may contain only letters, digits, '-' and '_' (1 to 128 characters)"
)
AWS_ARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/search"


def _copy(service: str) -> dict[str, Any]:
    path = ROOT / "agentcore_identity_cli" / "data" / "models" / f"{service}.json"
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def _model_patterns() -> set[str]:
    """Every pattern of the pinned models, and those the generator corrects."""
    import sys

    found = {
        shape["pattern"]
        for service in ("bedrock-agentcore-control", "bedrock-agentcore")
        for shape in _copy(service)["shapes"].values()
        if "pattern" in shape
    }
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import generate_models
    finally:
        sys.path.pop(0)
    found |= {fix["pattern"] for fix in generate_models.SERVICE_CORRECTIONS.values() if "pattern" in fix}
    return found


def _constraints(annotation: Any, seen: set[int]) -> list[Constraint]:
    """Every Constraint reachable from a request model's annotation."""
    import typing

    from pydantic import BaseModel

    if id(annotation) in seen:
        return []
    seen.add(id(annotation))
    found = [item for item in getattr(annotation, "__metadata__", ()) if isinstance(item, Constraint)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for info in annotation.model_fields.values():
            found += [item for item in info.metadata if isinstance(item, Constraint)]
            found += _constraints(info.annotation, seen)
    for arg in typing.get_args(annotation):
        found += _constraints(arg, seen)
    return found


# --- the plain words --------------------------------------------------------------------


def test_every_pattern_of_the_models_has_a_plain_description_and_no_description_is_stale():
    patterns = _model_patterns()
    missing = sorted(patterns - set(pattern_descriptions()))
    assert not missing, f"describe these patterns in agentcore_identity_cli/data/patterns.json: {missing}"
    assert not sorted(set(pattern_descriptions()) - patterns), "descriptions of patterns no model has"
    for description in pattern_descriptions().values():
        assert description.startswith(("may ", "must ")), description


def test_every_pattern_the_request_models_check_is_one_of_the_described():
    used = {
        constraint.pattern
        for operation in operations()
        for constraint in _constraints(request_model(operation), set())
        if constraint.pattern
    }
    assert used and used <= set(pattern_descriptions())
    assert describe_pattern("[a-zA-Z0-9\\-_]+") == "may contain only letters, digits, '-' and '_'"


def test_rules_read_in_plain_words_with_their_limits():
    assert Constraint("string", min=1, max=128, pattern="[a-zA-Z0-9\\-_]+").rule() == (
        "may contain only letters, digits, '-' and '_' (1 to 128 characters)"
    )
    assert Constraint("string", min=0, max=2048).rule() == "must be at most 2048 characters long"
    assert Constraint("integer", min=1, max=20).rule() == "must be between 1 and 20"
    assert Constraint("map", min=0, max=50).rule() == "must have at most 50 entries"
    vendors = Constraint("string", enum=("GoogleOauth2", "GithubOauth2"))
    assert vendors.rule("GitHubOauth2") == "must be one of: GoogleOauth2, GithubOauth2 (did you mean 'GithubOauth2'?)"
    assert vendors.rule("Nothing") == "must be one of: GoogleOauth2, GithubOauth2"


# --- the client's checks are botocore's ---------------------------------------------------


def _variants(shape: Any) -> list[dict[str, Any]]:
    """Requests botocore must judge: the skeleton, each required member left out, an unknown
    member, an empty string and a wrong type in each top-level member, a value below its minimum."""
    from botocore.utils import ArgumentGenerator

    skeleton = ArgumentGenerator(use_member_names=True).generate_skeleton(shape)
    found = [skeleton, {**skeleton, "notAMember": 1}, {}]
    for name in shape.required_members:
        found.append({key: value for key, value in skeleton.items() if key != name})
    for name, member in shape.members.items():
        if member.type_name == "string":
            found.append({**skeleton, name: ""})
            found.append({**skeleton, name: 7})
        elif member.type_name in ("integer", "long"):
            found.append({**skeleton, name: 0})
            found.append({**skeleton, name: 10**6})
        elif member.type_name in ("list", "map", "structure"):
            found.append({**skeleton, name: "text"})
    return found


def _unions(shape: Any, seen: set[str]) -> bool:
    if shape.name in seen:
        return False
    seen.add(shape.name)
    if shape.type_name == "structure":
        return bool(shape.metadata.get("union")) or any(_unions(m, seen) for m in shape.members.values())
    if shape.type_name == "list":
        return _unions(shape.member, seen)
    if shape.type_name == "map":
        return _unions(shape.value, seen)
    return False


@pytest.mark.parametrize("operation", sorted(operations()))
def test_the_client_refuses_exactly_what_botocore_refuses_in_botocores_words(operation: str):
    """botocore's own ParamValidator is the oracle, on its model of the operation."""
    service = operations()[operation]["service"]
    shape = botocore.session.get_session().get_service_model(service).operation_model(operation).input_shape
    with_union = _unions(shape, set())
    for params in _variants(shape):
        report = ParamValidator().validate(copy.deepcopy(params), shape)
        try:
            validate_request(request_model(operation), copy.deepcopy(params))
            ours = None
        except ParamValidationError as exc:
            ours = exc.message
        assert (ours is None) == (not report.has_errors()), (params, ours, report.generate_report())
        if ours is not None and not with_union:
            # botocore quotes values (a secret, maybe); ours names only their type.
            theirs = re.sub(r", value: .*?, type:", ", type:", report.generate_report())
            assert sorted(ours.splitlines()[1:]) == sorted(theirs.splitlines()), params


def test_a_minimum_is_the_clients_parameter_validation_on_both_backends(cli):
    for backend in ("local", "aws"):
        result = cli("--backend", backend, "--region", "us-east-1", "get-api-key-credential-provider", "--name", "")
        assert result.exit_code == 252, result.stderr
        assert "Parameter validation failed:\nInvalid length for parameter name, value: 0, valid min length: 1" in (
            result.stderr
        )


# --- the local backend judges as the service ---------------------------------------------


def test_an_enum_value_gets_a_did_you_mean(cli):
    result = cli(
        "create-oauth2-credential-provider",
        "--name",
        "gh",
        "--credential-provider-vendor",
        "GitHubOauth2",
        "--oauth2-provider-config-input",
        '{"githubOauth2ProviderConfig": {"clientId": "abc"}}',
        "--client-secret",
        "-",
        input="s3cret",
    )
    assert result.exit_code == 254
    assert "(ValidationException)" in result.stderr
    assert "credentialProviderVendor must be one of: GoogleOauth2, GithubOauth2," in result.stderr
    assert "(did you mean 'GithubOauth2'?)" in result.stderr
    assert "s3cret" not in result.stderr


def test_a_maximum_is_the_services_and_every_failure_is_listed(cli):
    listed = cli("list-workload-identities", "--page-size", "50")
    assert listed.exit_code == 254
    assert "1 validation error detected: maxResults must be between 1 and 20" in listed.stderr
    tags = json.dumps({f"k{i}": "v" for i in range(51)})
    result = cli("create-workload-identity", "--name", "x y", "--tags", tags)
    assert result.exit_code == 254
    assert (
        "2 validation errors detected: name may contain only letters, digits, '_', '.' and '-' "
        "(3 to 255 characters); tags must have at most 50 entries"
    ) in result.stderr


def test_a_secrets_pattern_failure_never_shows_the_secret(cli, tmp_path):
    wallet = tmp_path / "wallet"
    wallet.write_text("d2FsbGV0")
    result = cli(
        "create-payment-credential-provider",
        "--name",
        "cdp",
        "--credential-provider-vendor",
        "CoinbaseCDP",
        "--api-key-id",
        "id-1",
        "--api-key-secret",
        "-",
        "--wallet-secret",
        f"file://{wallet}",
        input="not base64 at all!!",
    )
    assert result.exit_code == 254
    assert "apiKeySecret may contain only base64 characters" in result.stderr
    assert "not base64 at all" not in result.stderr


# --- serve answers the same ValidationException to every client ----------------------------


def test_serve_answers_boto3_the_same_plain_validation_exception(serve: Served, cli):
    client = serve.client(CONTROL)
    with pytest.raises(ClientError) as refused:
        client.create_api_key_credential_provider(name="bad name!", apiKey="k")
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Message"] == BAD_NAME_LINE.split(" operation: ", 1)[1]
    with pytest.raises(ClientError) as enum:
        client.set_token_vault_cmk(kmsConfiguration={"keyType": "CustomerManagedkey"})
    assert "(did you mean 'CustomerManagedKey'?)" in enum.value.response["Error"]["Message"]


def test_serve_answers_the_aws_cli_the_error_line_this_tool_prints(aws: Aws, cli):
    line = same_error(aws, cli, CONTROL, "create-api-key-credential-provider", "--name", "bad name!", "--api-key", "k")
    assert line == BAD_NAME_LINE


# --- the aws backend refuses nothing the service would judge ------------------------------


@pytest.fixture
def aws_backend(serve: Served, cli: Any) -> Any:
    """This tool on the aws backend, pointed at serve with serve's access key."""

    def run(*args: str, input: str = "") -> Any:
        return cli("--backend", "aws", "--endpoint-url", serve.url, *args, input=input, env=serve.env)

    return run


def test_the_aws_backend_sends_what_the_service_judges_and_prints_its_answer(serve: Served, aws_backend: Any):
    result = aws_backend("create-api-key-credential-provider", "--name", "bad name!", "--api-key", "-", input="k")
    assert result.exit_code == 254
    assert BAD_NAME_LINE in result.stderr
    serve.wait_for_log("CreateApiKeyCredentialProvider 400")  # it went over the wire
    listed = aws_backend("list-workload-identities", "--page-size", "50")
    assert listed.exit_code == 254
    assert "maxResults must be between 1 and 20" in listed.stderr
    serve.wait_for_log("ListWorkloadIdentities 400")


def test_a_valid_aws_arn_reaches_the_service_on_the_aws_backend(serve: Served, aws_backend: Any):
    for arn in (AWS_ARN, "arn:aws:s3:::a-bucket-of-this-length"):
        result = aws_backend("list-tags-for-resource", "--resource-arn", arn)
        assert result.exit_code == 254, result.stderr
        assert "An error occurred (ValidationException) when calling the ListTagsForResource operation: " in (
            result.stderr
        )
        assert "Parameter validation failed" not in result.stderr, result.stderr
        assert "[a-z" not in result.stderr and "(?:" not in result.stderr, result.stderr
    # Both answers are on serve's log (its reader thread may lag behind the second one).
    deadline = time.monotonic() + 10
    while serve.log().count("ListTagsForResource 400") < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert serve.log().count("ListTagsForResource 400") == 2


def test_the_aws_backend_still_checks_what_botocore_checks(serve: Served, aws_backend: Any):
    result = aws_backend("get-workload-identity", "--name", "ab")
    assert result.exit_code == 252
    assert "Invalid length for parameter name, value: 2, valid min length: 3" in result.stderr
    assert "GetWorkloadIdentity" not in serve.log()


def test_a_vendor_the_convenience_flags_cannot_build_for_gets_a_did_you_mean_too(cli):
    """The flags that build the configuration need a vendor they know: a usage error, with the hint."""
    oauth2 = cli(
        "create-oauth2-credential-provider",
        *("--name", "gh", "--credential-provider-vendor", "GitHubOauth2", "--client-id", "abc"),
        *("--client-secret", "-"),
        input="s3cret",
    )
    assert oauth2.exit_code == 252
    assert "Hint: did you mean 'GithubOauth2'?" in oauth2.stderr
    payment = cli(
        "create-payment-credential-provider",
        *("--name", "cdp", "--credential-provider-vendor", "coinbasecdp", "--api-key-id", "id-1"),
    )
    assert payment.exit_code == 252
    assert "Hint: did you mean 'CoinbaseCDP'?" in payment.stderr
