"""`audit list`: filters, pages and formats, on the local trail and on CloudTrail."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.audit_support import APIKEY_ARN, WORKLOAD_ARN, events, execute


@pytest.fixture
def trail(cli, vault_file: Path) -> Path:
    """Six events: four changes by the test's user, one failure, one read by another user."""
    assert cli("create-workload-identity", "--name", "support-agent").exit_code == 0
    assert cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-1").exit_code == 0
    assert (
        cli("create-api-key-credential-provider", "--name", "anthropic", "--api-key", "-", input="sk-2").exit_code == 0
    )
    assert cli("delete-api-key-credential-provider", "--name", "missing").exit_code == 254
    token = cli(
        "get-workload-access-token",
        "--workload-name",
        "support-agent",
        "--query",
        "workloadAccessToken",
        "--output",
        "text",
        env={"LOGNAME": "alice", "USER": "alice"},
    ).stdout.strip()
    assert token
    # Pretend the first event happened ten days ago (listing does not check the chain).
    ten_days_ago = (datetime.now(UTC) - timedelta(days=10)).isoformat(timespec="microseconds")
    execute(vault_file, ("UPDATE audit_events SET time = ? WHERE seq = 1", (ten_days_ago,)))
    return vault_file


def _ids(result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [event["eventId"] for event in result.json()["events"]]


def test_lists_every_event_newest_first_with_the_same_columns(cli, trail: Path):
    result = cli("audit", "list")
    assert _ids(result) == ["5", "4", "3", "2", "1"]
    newest = result.json()["events"][0]
    assert list(newest) == [
        "eventId",
        "eventTime",
        "user",
        "workload",
        "userId",
        "operation",
        "category",
        "target",
        "outcome",
        "toolVersion",
    ]
    assert newest["operation"] == "GetWorkloadAccessToken"
    assert newest["user"] == "alice"
    assert newest["workload"] == "support-agent"
    assert newest["category"] == "secret-read"
    assert datetime.fromisoformat(newest["eventTime"]).utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--since", "7d"), ["5", "4", "3", "2"]),
        (("--until", "7d"), ["1"]),
        (("--since", "2000-01-01", "--until", "2000-02-01T00:00:00Z"), []),
        (("--operation", "CreateApiKeyCredentialProvider"), ["3", "2"]),
        (("--operation", "create-api-key-credential-provider"), ["3", "2"]),
        (("--target", "openai"), ["2"]),
        (("--target", APIKEY_ARN + "anthropic"), ["3"]),
        (("--target", "support-agent"), ["5", "1"]),
        (("--outcome", "failure"), ["4"]),
        (("--outcome", "ResourceNotFoundException"), ["4"]),
        (("--outcome", "success", "--category", "change"), ["3", "2", "1"]),
        (("--user", "alice"), ["5"]),
        (("--workload", "support-agent"), ["5"]),
        (("--category", "secret-read"), ["5"]),
    ],
)
def test_filters(cli, trail: Path, args: tuple[str, ...], expected: list[str]):
    assert _ids(cli("audit", "list", *args)) == expected


def test_pages_resume_where_they_stopped(cli, trail: Path):
    first = cli("audit", "list", "--max-items", "2", "--page-size", "1")
    assert _ids(first) == ["5", "4"]
    token = first.json()["NextToken"]
    second = cli("audit", "list", "--max-items", "2", "--starting-token", token)
    assert _ids(second) == ["3", "2"]
    rest = cli("audit", "list", "--starting-token", second.json()["NextToken"])
    assert _ids(rest) == ["1"]
    assert "NextToken" not in rest.json()


def test_query_table_and_text_output(cli, trail: Path):
    queried = cli("audit", "list", "--query", "events[?outcome!='success'].[eventId, operation]", "--output", "json")
    assert queried.json() == [["4", "DeleteApiKeyCredentialProvider"]]
    table = cli("audit", "list", "--query", "events[].{id: eventId, op: operation}", "--output", "table")
    assert table.exit_code == 0
    assert "CreateWorkloadIdentity" in table.stdout and "GetWorkloadAccessToken" in table.stdout
    text = cli("audit", "list", "--operation", "CreateWorkloadIdentity", "--output", "text")
    assert text.stdout.startswith("EVENTS\t")
    assert WORKLOAD_ARN + "support-agent" in text.stdout


@pytest.mark.parametrize(
    "args",
    [("--since", "yesterday"), ("--until", "12x"), ("--category", "everything"), ("--starting-token", "bad")],
)
def test_bad_values_exit_252(cli, trail: Path, args: tuple[str, ...]):
    result = cli("audit", "list", *args)
    assert result.exit_code == 252, result.stderr
    assert len(events(trail)) == 5


# --- the aws backend: CloudTrail -----------------------------------------------------------


def _record(event_id: str, name: str, when: datetime, *, error: str | None = None, **request: str) -> dict:
    detail = {
        "eventID": event_id,
        "eventName": name,
        "userAgent": "aws-cli/2.15 agentcore-identity/0.1.0 Botocore/1.40",
        "userIdentity": {"arn": "arn:aws:iam::123456789012:user/alice"},
        "requestParameters": {"apiKey": "HIDDEN_DUE_TO_SECURITY_REASONS", **request},
    }
    if error:
        detail["errorCode"] = error
    return {
        "EventId": event_id,
        "EventName": name,
        "EventTime": when,
        "EventSource": "bedrock-agentcore.amazonaws.com",
        "Username": "alice",
        "Resources": [
            {
                "ResourceType": "AWS::BedrockAgentCore::ApiKeyCredentialProvider",
                "ResourceName": request.get(
                    "arn", "arn:aws:acps:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/openai"
                ),
            }
        ],
        "CloudTrailEvent": json.dumps(detail),
    }


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch):
    import botocore.session
    from botocore.stub import Stubber

    client = botocore.session.get_session().create_client(
        "cloudtrail", region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret"
    )
    stubber = Stubber(client)
    monkeypatch.setattr("agentcore_identity_cli.backends.cloudtrail.cloudtrail_client", lambda settings: client)
    with stubber:
        yield stubber
    stubber.assert_no_pending_responses()


SOURCE = [{"AttributeKey": "EventSource", "AttributeValue": "bedrock-agentcore.amazonaws.com"}]
SINCE = datetime(2025, 1, 1, tzinfo=UTC)
UNTIL = datetime(2025, 2, 1, tzinfo=UTC)


def test_aws_backend_reads_cloudtrail_with_the_same_columns(cli, stubbed, vault_file: Path):
    when = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
    stubbed.add_response(
        "lookup_events",
        {
            "Events": [
                _record("e-2", "GetResourceApiKey", when, workloadName="support-agent", userId="bob"),
                _record("e-1", "CreateApiKeyCredentialProvider", when - timedelta(hours=1), error="ConflictException"),
            ],
            "NextToken": "page-2",
        },
        {"LookupAttributes": SOURCE, "MaxResults": 50, "StartTime": SINCE, "EndTime": UNTIL},
    )
    stubbed.add_response(
        "lookup_events",
        {"Events": [_record("e-0", "ListWorkloadIdentities", when - timedelta(hours=2))]},
        {"LookupAttributes": SOURCE, "MaxResults": 50, "StartTime": SINCE, "EndTime": UNTIL, "NextToken": "page-2"},
    )
    result = cli(
        "--backend",
        "aws",
        "--region",
        "us-east-1",
        "audit",
        "list",
        "--since",
        "2025-01-01T00:00:00Z",
        "--until",
        "2025-02-01T00:00:00Z",
    )
    assert result.exit_code == 0, result.stderr
    listed = result.json()["events"]
    assert listed[0] == {
        "eventId": "e-2",
        "eventTime": "2025-01-15T12:00:00+00:00",
        "user": "alice",
        "workload": "support-agent",
        "userId": "bob",
        "operation": "GetResourceApiKey",
        "category": "secret-read",
        "target": "arn:aws:acps:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/openai",
        "outcome": "success",
        "toolVersion": "0.1.0",
    }
    assert [(e["eventId"], e["outcome"], e["category"]) for e in listed[1:]] == [
        ("e-1", "ConflictException", "change"),
        ("e-0", "success", "read"),
    ]
    assert "HIDDEN" not in result.stdout
    assert not vault_file.exists()  # the aws backend never opens the local vault


def test_aws_filters_apply_to_cloudtrail_events_and_pages_resume(cli, stubbed):
    when = datetime(2025, 1, 15, tzinfo=UTC)
    page = {
        "Events": [
            _record("e-3", "GetResourceApiKey", when, workloadName="support-agent"),
            _record("e-2", "CreateWorkloadIdentity", when),
            _record("e-1", "GetResourceApiKey", when, workloadName="other-agent"),
        ],
        "NextToken": "page-2",
    }
    expected = {"LookupAttributes": SOURCE, "MaxResults": 50, "StartTime": SINCE}
    stubbed.add_response("lookup_events", page, expected)
    first = cli(
        "--backend",
        "aws",
        "--region",
        "us-east-1",
        "audit",
        "list",
        "--since",
        "2025-01-01",
        "--operation",
        "get-resource-api-key",
        "--max-items",
        "1",
    )
    assert first.exit_code == 0, first.stderr
    assert [e["eventId"] for e in first.json()["events"]] == ["e-3"]
    stubbed.add_response("lookup_events", page, expected)
    stubbed.add_response("lookup_events", {"Events": []}, {**expected, "NextToken": "page-2"})
    rest = cli(
        "--backend",
        "aws",
        "--region",
        "us-east-1",
        "audit",
        "list",
        "--since",
        "2025-01-01",
        "--operation",
        "GetResourceApiKey",
        "--starting-token",
        first.json()["NextToken"],
    )
    assert rest.exit_code == 0, rest.stderr
    assert [e["eventId"] for e in rest.json()["events"]] == ["e-1"]


def test_aws_errors_keep_their_code_and_exit_254(cli, stubbed):
    stubbed.add_client_error("lookup_events", service_error_code="AccessDeniedException", service_message="no")
    result = cli("--backend", "aws", "--region", "us-east-1", "audit", "list")
    assert result.exit_code == 254
    assert "(AccessDeniedException) when calling the LookupEvents operation" in result.stderr


def test_aws_access_review_reads_cloudtrail(cli, stubbed):
    when = datetime.now(UTC) - timedelta(days=1)
    stubbed.add_response(
        "lookup_events",
        {
            "Events": [
                _record("e-2", "GetResourceApiKey", when, workloadName="support-agent"),
                _record("e-1", "GetResourceApiKey", when, workloadName="support-agent", error="AccessDeniedException"),
                _record("e-0", "CreateWorkloadIdentity", when),
            ]
        },
    )
    result = cli("--backend", "aws", "--region", "us-east-1", "report", "access-review", "--since", "7d")
    assert result.exit_code == 0, result.stderr
    (row,) = result.json()["accesses"]
    assert (row["user"], row["workload"], row["reads"], row["failedReads"]) == ("alice", "support-agent", 1, 1)


def test_aws_without_a_region_is_a_configuration_error(cli):
    result = cli("--backend", "aws", "audit", "list")
    assert result.exit_code == 253
    assert "region" in result.stderr
