"""The policy engine on its own (agentcore_identity_cli/policy/): IAM's evaluation rules, the
negated forms, wildcards and the condition operators, decided without a vault."""

from __future__ import annotations

from typing import Any

import pytest

from agentcore_identity_cli.errors import ServiceError
from agentcore_identity_cli.policy.document import parse_policy
from agentcore_identity_cli.policy.evaluate import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, evaluate
from agentcore_identity_cli.policy.match import wildcard_match

ZENDESK = "arn:aws:bedrock-agentcore:local:000000000000:token-vault/default/apikeycredentialprovider/zendesk"
OPENAI = "arn:aws:bedrock-agentcore:local:000000000000:token-vault/default/apikeycredentialprovider/openai"


def _decide(statements: list[dict[str, Any]], resource: str = ZENDESK, action: str = "GetResourceApiKey", **ctx: str):
    policy = parse_policy({"Version": "2012-10-17", "Statement": statements})
    return evaluate(policy, action, resource, {k.lower(): v for k, v in ctx.items()}, workload="w")


def _stmt(effect: str = "Allow", action: Any = "*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": effect, "Action": action, "Resource": resource, **extra}


def test_no_policy_denies_when_enforcing_and_allows_when_not() -> None:
    assert evaluate(None, "GetResourceApiKey", ZENDESK, workload="w").decision == IMPLICIT_DENY
    assert evaluate(None, "GetResourceApiKey", ZENDESK, enforcing=False).decision == ALLOWED


def test_deny_wins_whatever_the_order_and_names_its_statement() -> None:
    decided = _decide([_stmt("Deny", Sid="No"), _stmt()])
    assert (decided.decision, decided.statement.sid if decided.statement else None) == (EXPLICIT_DENY, "No")
    assert _decide([_stmt(), _stmt("Deny")]).decision == EXPLICIT_DENY


def test_not_action_and_not_resource() -> None:
    assert _decide(
        [{"Effect": "Allow", "NotAction": "bedrock-agentcore:GetResourceOauth2Token", "Resource": "*"}]
    ).allowed
    assert not _decide(
        [{"Effect": "Allow", "NotAction": "bedrock-agentcore:GetResourceApiKey", "Resource": "*"}]
    ).allowed
    assert _decide([{"Effect": "Allow", "Action": "*", "NotResource": OPENAI}]).allowed
    assert not _decide([{"Effect": "Allow", "Action": "*", "NotResource": OPENAI}], resource=OPENAI).allowed


@pytest.mark.parametrize(
    ("pattern", "value", "ignore_case", "hit"),
    [
        ("a*c", "abbbc", False, True),
        ("a*c", "a:b/c", False, True),  # * crosses ':' and '/', as in IAM
        ("a?c", "abc", False, True),
        ("a?c", "abbc", False, False),
        ("ABC", "abc", False, False),
        ("ABC", "abc", True, True),
        ("a.c", "abc", False, False),  # regex characters are literal
    ],
)
def test_wildcards(pattern: str, value: str, ignore_case: bool, hit: bool) -> None:
    assert wildcard_match(pattern, value, ignore_case=ignore_case) is hit


@pytest.mark.parametrize(
    ("condition", "context", "allowed"),
    [
        ({"StringEquals": {"aws:ResourceTag/team": "support"}}, {"aws:ResourceTag/team": "support"}, True),
        ({"StringEquals": {"aws:ResourceTag/team": ["a", "support"]}}, {"aws:ResourceTag/team": "support"}, True),
        ({"StringEquals": {"aws:ResourceTag/team": "support"}}, {}, False),  # missing key: false
        ({"StringNotEquals": {"aws:ResourceTag/team": "support"}}, {}, True),  # negated, missing: true
        ({"StringNotEquals": {"aws:ResourceTag/team": ["a", "b"]}}, {"aws:ResourceTag/team": "a"}, False),
        ({"StringEqualsIfExists": {"aws:ResourceTag/team": "support"}}, {}, True),
        ({"StringEqualsIgnoreCase": {"aws:ResourceTag/team": "SUPPORT"}}, {"aws:ResourceTag/team": "support"}, True),
        ({"StringLike": {"aws:ResourceTag/team": "sup*"}}, {"aws:ResourceTag/team": "support"}, True),
        ({"StringNotLike": {"aws:ResourceTag/team": "sup*"}}, {"aws:ResourceTag/team": "support"}, False),
        ({"Null": {"aws:ResourceTag/team": "true"}}, {}, True),
        ({"Null": {"aws:ResourceTag/team": "false"}}, {}, False),
        ({"NumericLessThan": {"aws:EpochTime": "2000000000"}}, {"aws:EpochTime": "1900000000"}, True),
        ({"NumericGreaterThanEquals": {"aws:EpochTime": 2000000000}}, {"aws:EpochTime": "1900000000"}, False),
        (
            {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
            {"aws:CurrentTime": "2029-12-31T23:59:59Z"},
            True,
        ),
        ({"DateGreaterThan": {"aws:CurrentTime": "2030-01-01"}}, {"aws:CurrentTime": "2029-12-31T23:59:59Z"}, False),
        ({"Bool": {"aws:PrincipalTag/admin": True}}, {"aws:PrincipalTag/admin": "true"}, True),
        (  # two operators: both must hold
            {"StringEquals": {"aws:ResourceTag/team": "support"}, "Null": {"aws:PrincipalTag/frozen": "true"}},
            {"aws:ResourceTag/team": "support", "aws:PrincipalTag/frozen": "yes"},
            False,
        ),
    ],
)
def test_condition_operators(condition: dict[str, Any], context: dict[str, str], allowed: bool) -> None:
    assert _decide([_stmt(Condition=condition)], **context).allowed is allowed


def test_condition_keys_are_case_insensitive() -> None:
    statement = _stmt(Condition={"StringEquals": {"AWS:RESOURCETAG/Team": "support"}})
    assert _decide([statement], **{"aws:resourcetag/team": "support"}).allowed


@pytest.mark.parametrize(
    ("document", "said"),
    [
        ({"Statement": []}, "Statement is empty"),
        ({"Statement": [_stmt(), {"Sid": "A", **_stmt()}, {"Sid": "A", **_stmt()}]}, "more than one"),
        ({"Version": "2020-01-01", "Statement": _stmt()}, "Version must be"),
        ({"Statement": _stmt(), "Extra": 1}, "unknown member(s) Extra"),
        ({"Statement": {"Effect": "Allow", "Action": "*"}}, "exactly one of Resource or NotResource"),
        ({"Statement": {**_stmt(), "NotAction": "*"}}, "exactly one of Action or NotAction"),
        ({"Statement": _stmt(resource="arn:aws:bedrock-agentcore:*:*:${aws:username}")}, "policy variables"),
        ({"Statement": _stmt(Condition={"NullIfExists": {"aws:EpochTime": "true"}})}, "unknown condition operator"),
        ({"Statement": _stmt(Condition={"DateLessThan": {"aws:CurrentTime": "soon"}})}, "not a valid value"),
        ({"Statement": _stmt(Condition={"NumericEquals": {"aws:EpochTime": "x"}})}, "not a valid value"),
        ({"Statement": _stmt(action=[])}, "Action is empty"),
    ],
)
def test_malformed_documents(document: dict[str, Any], said: str) -> None:
    with pytest.raises(ServiceError) as refused:
        parse_policy(document)
    assert refused.value.code == "MalformedPolicyDocumentException"
    assert said in refused.value.message


def test_a_document_larger_than_iams_limit_is_refused() -> None:
    with pytest.raises(ServiceError, match="the limit is 10240"):
        parse_policy('{"Statement": []}' + " " * 10240)
