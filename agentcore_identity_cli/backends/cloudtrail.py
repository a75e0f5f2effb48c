"""The audit trail of the aws backend: CloudTrail's record of AgentCore calls.

`audit list --backend aws` reads LookupEvents for the AgentCore event source and shows
each event with the same members as a local one (auditlog.EVENT_COLUMNS). LookupEvents
takes one lookup attribute, so the event source is filtered by CloudTrail and the other
filters here. botocore is imported on first use only; the client, its configuration and
the mapping of botocore errors to exit codes are the aws backend's (backends/aws.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

from agentcore_identity_cli.auditlog import SUCCESS, EventFilter, classify

EVENT_SOURCE = "bedrock-agentcore.amazonaws.com"
MAX_RESULTS = 50  # LookupEvents' ceiling
_TOOL_AGENT = re.compile(r"agentcore-identity/(\S+)")


def cloudtrail_client(backend: Any) -> Any:
    """A CloudTrail client with the aws backend's AWS profile, region, timeouts, TLS trust, signing and user agent.

    Not its --endpoint-url: that names an AgentCore endpoint, not CloudTrail's.
    """
    import botocore.session

    from agentcore_identity_cli.backends.aws import aws_profile_name

    session = botocore.session.Session(profile=aws_profile_name(backend.settings))
    return backend.create_client(session, "cloudtrail", region_name=backend.settings.region)


def _member(document: dict[str, Any], name: str) -> dict[str, Any]:
    value = document.get(name)
    return value if isinstance(value, dict) else {}


def event_from_cloudtrail(record: dict[str, Any]) -> dict[str, Any]:
    """One LookupEvents record in the columns of a local audit event."""
    try:
        detail = json.loads(record.get("CloudTrailEvent") or "{}")
    except ValueError:
        detail = {}
    if not isinstance(detail, dict):
        detail = {}
    request = _member(detail, "requestParameters")
    identity = _member(detail, "userIdentity")
    target = next(
        (
            r.get("ResourceName")
            for r in record.get("Resources") or []
            if str(r.get("ResourceName", "")).startswith("arn:")
        ),
        None,
    )
    if target is None:
        target = next(
            (r.get("ARN") for r in detail.get("resources") or [] if isinstance(r, dict) and r.get("ARN")),
            None,
        )
    agent = _TOOL_AGENT.search(str(detail.get("userAgent") or ""))
    operation = str(record.get("EventName") or detail.get("eventName") or "")
    return {
        "eventId": record.get("EventId") or detail.get("eventID"),
        "eventTime": record.get("EventTime"),
        "user": record.get("Username") or identity.get("arn"),
        "workload": request.get("workloadName"),
        "userId": request.get("userId"),
        "operation": operation,
        "category": classify(operation) if operation else None,
        "target": target,
        "outcome": detail.get("errorCode") or SUCCESS,
        "toolVersion": agent.group(1) if agent else None,
    }


class CloudTrailEvents:
    """Pages of AgentCore events from CloudTrail, newest first, as CloudTrail returns them."""

    def __init__(self, backend: Any, client: Any = None) -> None:
        self.backend = backend  # the AwsBackend: its settings, client config and error mapping
        self._client = client

    def page_events(
        self, where: EventFilter, token: str | None, size: int | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One LookupEvents page, filtered, and the token of the next."""
        from botocore.exceptions import BotoCoreError, ClientError

        request: dict[str, Any] = {
            "LookupAttributes": [{"AttributeKey": "EventSource", "AttributeValue": EVENT_SOURCE}],
            "MaxResults": min(size or MAX_RESULTS, MAX_RESULTS),
        }
        if where.since is not None:
            request["StartTime"] = where.since
        if where.until is not None:
            request["EndTime"] = where.until
        if token:
            request["NextToken"] = token
        try:
            if self._client is None:
                self._client = cloudtrail_client(self.backend)
            response = self._client.lookup_events(**request)
        except (ClientError, BotoCoreError) as exc:
            raise self.backend._translate(exc, "LookupEvents", "cloudtrail") from None
        events = [event_from_cloudtrail(record) for record in response.get("Events") or []]
        return [event for event in events if where.matches(event)], response.get("NextToken")
