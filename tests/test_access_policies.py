"""Least privilege on the local vault: access policies put, got, deleted and enforced.

Every test drives the real CLI on a temporary vault and checks what a user sees: the exit
code, the AccessDeniedException naming the action and resource, and the audit event.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.access_support import (
    allow,
    api_key,
    apikey_arn,
    deny,
    events,
    own_tokens,
    policy,
    put,
    token,
    workload_arn,
)


@pytest.fixture
def vault(cli: Any) -> None:
    for name in ("support", "billing"):
        assert cli("create-workload-identity", "--name", name).exit_code == 0
    for name, key in (("zendesk", "sk-zendesk"), ("openai", "sk-openai"), ("stripe", "sk-stripe")):
        created = cli("create-api-key-credential-provider", "--name", name, "--api-key", "-", input=key)
        assert created.exit_code == 0, created.stderr


def test_a_vault_without_policies_allows_everything_as_before_and_status_says_so(cli: Any, vault: None) -> None:
    assert cli("vault", "status", "--query", "accessMode", "--output", "text").stdout.strip() == "default-allow"
    got = api_key(cli, "support", "stripe")
    assert got.exit_code == 0 and got.json() == {"apiKey": "sk-stripe"}


def test_the_policy_allows_one_provider_and_every_other_is_access_denied(cli: Any, vault: None, tmp_path: Path):
    assert (
        put(
            cli,
            tmp_path,
            "support",
            policy(own_tokens("support"), allow("bedrock-agentcore:GetResourceApiKey", apikey_arn("zendesk"))),
        ).exit_code
        == 0
    )
    assert cli("vault", "status", "--query", "accessMode", "--output", "text").stdout.strip() == "enforcing"
    assert api_key(cli, "support", "zendesk").json() == {"apiKey": "sk-zendesk"}
    refused = api_key(cli, "support", "openai")
    assert refused.exit_code == 254
    assert "An error occurred (AccessDeniedException) when calling the GetResourceApiKey operation" in refused.stderr
    assert "bedrock-agentcore:GetResourceApiKey" in refused.stderr and apikey_arn("openai") in refused.stderr
    assert "sk-openai" not in refused.stderr + refused.stdout
    # The refusal is in the audit trail, with its outcome, workload and target; the secret is not.
    (event,) = [
        e
        for e in events(cli)
        if e["target"] == apikey_arn("openai") and e["operation"] != "CreateApiKeyCredentialProvider"
    ]
    assert (event["operation"], event["workload"], event["outcome"]) == (
        "GetResourceApiKey",
        "support",
        "AccessDeniedException",
    )
    assert "sk-" not in str(events(cli))


def test_an_explicit_deny_wins_over_an_allow(cli: Any, vault: None, tmp_path: Path) -> None:
    document = policy(
        own_tokens("support"),
        allow("bedrock-agentcore:*", "*", "Everything"),
        deny("bedrock-agentcore:GetResourceApiKey", apikey_arn("stripe"), "NoPayments"),
    )
    assert put(cli, tmp_path, "support", document).exit_code == 0
    assert api_key(cli, "support", "openai").exit_code == 0
    refused = api_key(cli, "support", "stripe")
    assert refused.exit_code == 254
    assert "explicitly denied by Statement[2] (Sid NoPayments)" in refused.stderr
    simulated = cli(
        "simulate-access",
        "--workload-name",
        "support",
        "--action",
        "GetResourceApiKey",
        "--resource",
        apikey_arn("stripe"),
    ).json()
    assert simulated["evalDecision"] == "explicitDeny"
    assert simulated["matchedStatements"] == [{"sid": "NoPayments", "statementIndex": 2, "effect": "Deny"}]


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("bedrock-agentcore:GetResource*", apikey_arn("zen*")),
        ("bedrock-agentcore:getresourceapikey", apikey_arn("zendes?")),  # actions match case-insensitively
        ("*", "arn:aws:bedrock-agentcore:*:*:token-vault/default/apikeycredentialprovider/zendesk"),
    ],
)
def test_wildcards_in_actions_and_resources(cli: Any, vault: None, tmp_path: Path, action: str, resource: str):
    assert put(cli, tmp_path, "support", policy(own_tokens("support"), allow(action, resource))).exit_code == 0
    assert api_key(cli, "support", "zendesk").exit_code == 0
    assert api_key(cli, "support", "openai").exit_code == 254


def test_resource_arns_match_case_sensitively(cli: Any, vault: None, tmp_path: Path) -> None:
    assert (
        put(cli, tmp_path, "support", policy(own_tokens("support"), allow("*", apikey_arn("ZENDESK")))).exit_code == 0
    )
    assert api_key(cli, "support", "zendesk").exit_code == 254


def test_a_policy_naming_another_workloads_provider_grants_only_its_own_workload(
    cli: Any, vault: None, tmp_path: Path
) -> None:
    # billing's policy names stripe; support has a policy without it: support cannot use stripe.
    assert put(cli, tmp_path, "billing", policy(own_tokens("billing"), allow("*", apikey_arn("stripe")))).exit_code == 0
    assert (
        put(cli, tmp_path, "support", policy(own_tokens("support"), allow("*", apikey_arn("zendesk")))).exit_code == 0
    )
    assert api_key(cli, "billing", "stripe").exit_code == 0
    assert api_key(cli, "support", "stripe").exit_code == 254
    # A statement in support's policy naming billing's workload ARN does not let support act as billing.
    assert (
        put(cli, tmp_path, "support", policy(own_tokens("support"), allow("*", workload_arn("billing")))).exit_code == 0
    )
    assert token(cli, "billing").exit_code == 0  # billing's own policy decides billing's token
    assert api_key(cli, "support", "stripe").exit_code == 254


def test_a_workload_without_a_policy_in_an_enforcing_vault_gets_no_token(cli: Any, vault: None, tmp_path: Path):
    assert put(cli, tmp_path, "billing", policy(own_tokens("billing"))).exit_code == 0
    refused = token(cli, "support")
    assert refused.exit_code == 254
    assert "bedrock-agentcore:GetWorkloadAccessToken on resource: " + workload_arn("support") in refused.stderr
    assert "has no access policy" in refused.stderr
    assert "put-workload-access-policy --workload-name support" in refused.stderr  # the hint


def test_the_workload_token_calls_need_their_own_allow(cli: Any, vault: None, tmp_path: Path) -> None:
    only_plain = allow("bedrock-agentcore:GetWorkloadAccessToken", workload_arn("support"))
    assert put(cli, tmp_path, "support", policy(only_plain)).exit_code == 0
    assert token(cli, "support").exit_code == 0
    for_user = cli("get-workload-access-token-for-user-id", "--workload-name", "support", "--user-id", "alice")
    assert for_user.exit_code == 254
    assert "bedrock-agentcore:GetWorkloadAccessTokenForUserId" in for_user.stderr


def test_a_deleted_provider_is_not_found_and_one_created_again_is_allowed_again(
    cli: Any, vault: None, tmp_path: Path
) -> None:
    assert (
        put(cli, tmp_path, "support", policy(own_tokens("support"), allow("*", apikey_arn("zendesk")))).exit_code == 0
    )
    assert cli("delete-api-key-credential-provider", "--name", "zendesk").exit_code == 0
    gone = api_key(cli, "support", "zendesk")
    assert gone.exit_code == 254 and "ResourceNotFoundException" in gone.stderr
    # A provider that is not allowed is refused before the vault says whether it exists.
    unknown = api_key(cli, "support", "nosuch")
    assert "AccessDeniedException" in unknown.stderr
    assert cli("create-api-key-credential-provider", "--name", "zendesk", "--api-key", "-", input="sk-2").exit_code == 0
    assert api_key(cli, "support", "zendesk").json() == {"apiKey": "sk-2"}


def test_a_default_deny_vault_refuses_before_any_policy_exists(cli: Any, vault: None, tmp_path: Path) -> None:
    made = cli("vault", "init", "--default-deny", "--output", "json")
    assert made.exit_code == 0 and made.json()["accessMode"] == "default-deny"
    assert token(cli, "support").exit_code == 254
    assert put(cli, tmp_path, "support", policy(own_tokens("support"), allow("*", apikey_arn("openai")))).exit_code == 0
    assert api_key(cli, "support", "openai").exit_code == 0
    # Deleting the last policy leaves the vault denying (it was made default-deny).
    assert cli("delete-workload-access-policy", "--workload-name", "support").exit_code == 0
    assert cli("vault", "status", "--query", "accessMode", "--output", "text").stdout.strip() == "default-deny"
    assert token(cli, "support").exit_code == 254
    # Each change of who may do what is in the audit trail, and the chain still verifies.
    operations = [e["operation"] for e in events(cli)]
    for change in ("SetVaultDefaultDeny", "PutWorkloadAccessPolicy", "DeleteWorkloadAccessPolicy"):
        assert change in operations
    assert cli("audit", "verify").exit_code == 0


def test_deleting_the_last_policy_returns_a_vault_to_default_allow(cli: Any, vault: None, tmp_path: Path) -> None:
    assert put(cli, tmp_path, "support", policy(own_tokens("support"))).exit_code == 0
    assert api_key(cli, "support", "openai").exit_code == 254
    assert cli("delete-workload-access-policy", "--workload-name", "support").exit_code == 0
    assert api_key(cli, "support", "openai").exit_code == 0
    missing = cli("get-workload-access-policy", "--workload-name", "support")
    assert missing.exit_code == 254 and "ResourceNotFoundException" in missing.stderr


def test_put_then_get_returns_the_document_and_a_deleted_workload_takes_its_policy(
    cli: Any, vault: None, tmp_path: Path
) -> None:
    document = policy(own_tokens("support"))
    assert put(cli, tmp_path, "support", document).exit_code == 0
    shown = cli("get-workload-access-policy", "--workload-name", "support", "--output", "json").json()
    assert shown["policyDocument"] == document and shown["workloadIdentityArn"] == workload_arn("support")
    assert cli("delete-workload-identity", "--name", "support").exit_code == 0
    assert cli("vault", "status", "--query", "counts.workloadAccessPolicies", "--output", "text").stdout.strip() == "0"
    assert put(cli, tmp_path, "nosuch", document).exit_code == 254


def test_conditions_on_resource_and_principal_tags(cli: Any, vault: None, tmp_path: Path) -> None:
    assert cli("tag-resource", "--resource-arn", apikey_arn("zendesk"), "--tags", "team=support").exit_code == 0
    assert cli("tag-resource", "--resource-arn", apikey_arn("openai"), "--tags", "team=research").exit_code == 0
    by_team = allow(
        "bedrock-agentcore:GetResourceApiKey", "*", Condition={"StringEquals": {"aws:ResourceTag/team": "support"}}
    )
    assert put(cli, tmp_path, "support", policy(own_tokens("support"), by_team)).exit_code == 0
    assert api_key(cli, "support", "zendesk").exit_code == 0
    assert api_key(cli, "support", "openai").exit_code == 254
    assert api_key(cli, "support", "stripe").exit_code == 254  # no tag: StringEquals is false
    frozen = deny("*", "*", "Frozen", Condition={"StringEquals": {"aws:PrincipalTag/state": "frozen"}})
    assert put(cli, tmp_path, "support", policy(own_tokens("support"), by_team, frozen)).exit_code == 0
    assert cli("tag-resource", "--resource-arn", workload_arn("support"), "--tags", "state=frozen").exit_code == 0
    assert token(cli, "support").exit_code == 254


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "is not JSON"),
        ('{"Version": "2012-10-17"}', "has no Statement"),
        ('{"Statement": [{"Effect": "Permit", "Action": "*", "Resource": "*"}]}', "Effect must be 'Allow' or 'Deny'"),
        ('{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}', "Statement[0].Action[0]"),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "bedrock-agentcore:GetResourceApikeys", "Resource": "*"}]}',
            "Did you mean 'bedrock-agentcore:GetResourceApiKey'?",
        ),
        ('{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "zendesk"}]}', "is not an ARN"),
        ('{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}', "identity policy"),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", '
            '"Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}',
            "unknown condition operator 'IpAddress'",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", '
            '"Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}}]}',
            "no meaning on the local vault",
        ),
    ],
)
def test_a_malformed_policy_is_refused_with_where_and_why(cli: Any, vault: None, document: str, message: str):
    result = cli("put-workload-access-policy", "--workload-name", "support", "--policy-document", document)
    assert result.exit_code == 254
    assert "MalformedPolicyDocumentException" in result.stderr and "PutWorkloadAccessPolicy" in result.stderr
    assert message in result.stderr
    assert cli("vault", "status", "--query", "accessMode", "--output", "text").stdout.strip() == "default-allow"


@pytest.mark.parametrize(
    "args",
    [
        ("put-workload-access-policy", "--workload-name", "w", "--policy-document", "{}"),
        ("get-workload-access-policy", "--workload-name", "w"),
        ("delete-workload-access-policy", "--workload-name", "w"),
        ("simulate-access", "--workload-name", "w", "--action", "GetResourceApiKey", "--resource", "*"),
    ],
)
def test_the_aws_backend_refuses_with_252_and_points_at_iam(cli: Any, args: tuple[str, ...]) -> None:
    result = cli("--backend", "aws", "--region", "us-east-1", *args)
    assert result.exit_code == 252
    assert "IAM" in result.stderr


def test_simulate_access_in_each_mode(cli: Any, vault: None, tmp_path: Path) -> None:
    def simulate(resource: str) -> dict[str, Any]:
        result = cli(
            "simulate-access",
            "--workload-name",
            "support",
            "--action",
            "bedrock-agentcore:GetResourceApiKey",
            "--resource",
            resource,
            "--output",
            "json",
        )
        assert result.exit_code == 0, result.stderr
        decided: dict[str, Any] = result.json()
        return decided

    open_vault = simulate(apikey_arn("openai"))
    assert (open_vault["evalDecision"], open_vault["accessMode"]) == ("allowed", "default-allow")
    assert (
        put(
            cli, tmp_path, "support", policy(own_tokens("support"), allow("*", apikey_arn("openai"), "OpenAI"))
        ).exit_code
        == 0
    )
    allowed = simulate(apikey_arn("openai"))
    assert allowed["evalDecision"] == "allowed"
    assert allowed["matchedStatements"] == [{"sid": "OpenAI", "statementIndex": 1, "effect": "Allow"}]
    implicit = simulate(apikey_arn("stripe"))
    assert (implicit["evalDecision"], implicit["matchedStatements"]) == ("implicitDeny", [])
    # Simulating records nothing.
    assert not [e for e in events(cli) if e["operation"].lower().startswith("simulate")]


def test_every_example_policy_in_the_security_docs_is_accepted(cli: Any, vault: None) -> None:
    import json
    import re

    text = (Path(__file__).parent.parent / "docs" / "security.md").read_text()
    section = text[text.index("## Least privilege") : text.index("## Compliance reports and CI")]
    examples = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", section, re.DOTALL)]
    assert len(examples) >= 6
    for example in examples:
        document = example if "Statement" in example else policy(example)  # a lone statement
        result = cli(
            "put-workload-access-policy", "--workload-name", "support", "--policy-document", json.dumps(document)
        )
        assert result.exit_code == 0, (example, result.stderr)


def test_payment_tokens_are_checked_too(cli: Any, vault: None, tmp_path: Path) -> None:
    from tests.payment_support import create_privy

    create_privy(cli)
    payment_arn = "arn:aws:bedrock-agentcore:local:000000000000:token-vault/default/paymentcredentialprovider/privy"
    request = '{"stripePrivyTokenRequest": {"requestPath": "/v1/wallets", "requestBody": "{}"}}'

    def pay() -> Any:
        got = token(cli, "support")
        assert got.exit_code == 0, got.stderr
        return cli(
            "get-resource-payment-token",
            "--resource-credential-provider-name",
            "privy",
            "--payment-token-request",
            request,
            "--workload-identity-token",
            "-",
            input=got.stdout.strip(),
        )

    assert put(cli, tmp_path, "support", policy(own_tokens("support"), allow("*", apikey_arn("*")))).exit_code == 0
    refused = pay()
    assert refused.exit_code == 254
    assert f"bedrock-agentcore:GetResourcePaymentToken on resource: {payment_arn}" in refused.stderr
    allowed = allow("bedrock-agentcore:GetResourcePaymentToken", payment_arn)
    assert put(cli, tmp_path, "support", policy(own_tokens("support"), allowed)).exit_code == 0
    paid = pay()
    assert paid.exit_code == 0, paid.stderr
    assert paid.json()["paymentTokenResponse"]["stripePrivyTokenResponse"]["basicAuthToken"]


@pytest.mark.parametrize(
    ("action", "resource", "said"),
    [
        ("GetResourceApikeys", apikey_arn("openai"), "Did you mean 'bedrock-agentcore:GetResourceApiKey'?"),
        ("GetResourceApiKey", "openai", "--resource 'openai' is not an ARN"),
        ("GetResource*", apikey_arn("openai"), "without wildcards"),
    ],
)
def test_simulate_access_refuses_a_request_that_is_not_one(
    cli: Any, vault: None, action: str, resource: str, said: str
):
    result = cli("simulate-access", "--workload-name", "support", "--action", action, "--resource", resource)
    assert result.exit_code == 254
    assert "ValidationException" in result.stderr and "SimulateAccess" in result.stderr and said in result.stderr
