"""List commands page the AWS CLI way: --max-items, --starting-token, --page-size, --no-paginate.

The data (45 workload identities, 130 API-key providers) is made once through the CLI and
copied into each test's fresh home.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

WORKLOADS = [f"wi-{i:02d}" for i in range(45)]
PROVIDERS = [f"key-{i:03d}" for i in range(130)]

_seeded: dict[str, Path] = {}


@pytest.fixture
def seeded(cli, home: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """This test's home holds the 45 workload identities and 130 API-key providers."""
    template = _seeded.get("home")
    if template is None:
        for name in WORKLOADS:
            assert cli("create-workload-identity", "--name", name).exit_code == 0
        for name in PROVIDERS:
            result = cli("create-api-key-credential-provider", "--name", name, "--api-key", "-", input="k")
            assert result.exit_code == 0, result.stderr
        template = tmp_path_factory.mktemp("seeded") / "home"
        shutil.copytree(home, template)
        _seeded["home"] = template
    else:
        shutil.copytree(template, home)


def _workloads(cli, *args: str) -> dict:
    result = cli("list-workload-identities", *args)
    assert result.exit_code == 0, result.stderr
    return result.json()


def _providers(cli, *args: str) -> dict:
    result = cli("list-api-key-credential-providers", *args)
    assert result.exit_code == 0, result.stderr
    return result.json()


def _names(body: dict, key: str = "workloadIdentities") -> list[str]:
    return [item["name"] for item in body[key]]


def _walk(cli, command: str, key: str, *args: str) -> tuple[list[str], int]:
    """Follow NextToken with --starting-token to the end; the names seen and the call count."""
    seen: list[str] = []
    token: str | None = None
    calls = 0
    while True:
        extra = ("--starting-token", token) if token else ()
        result = cli(command, *args, *extra)
        assert result.exit_code == 0, result.stderr
        body = result.json()
        calls += 1
        seen.extend(item["name"] for item in body[key])
        assert "nextToken" not in body  # the service's token is followed, never shown
        token = body.get("NextToken")
        if not token:
            return seen, calls
        assert calls < 100, "pagination does not end"


# --- following nextToken ------------------------------------------------------------------


def test_plain_list_returns_every_workload_identity_across_service_pages(cli, seeded):
    # ListWorkloadIdentities answers at most 20 a call: 45 needs three calls.
    one_call = _workloads(cli, "--no-paginate")
    assert len(one_call["workloadIdentities"]) == 20
    assert "nextToken" in one_call

    body = _workloads(cli)
    assert _names(body) == WORKLOADS
    assert set(body) == {"workloadIdentities"}


def test_plain_list_returns_every_api_key_provider_past_the_100_page_limit(cli, seeded):
    one_call = _providers(cli, "--no-paginate")
    assert len(one_call["credentialProviders"]) == 100
    assert "nextToken" in one_call

    body = _providers(cli)
    assert _names(body, "credentialProviders") == PROVIDERS
    assert set(body) == {"credentialProviders"}


def test_page_size_changes_the_calls_not_the_result(cli, seeded):
    assert _names(_workloads(cli, "--page-size", "7")) == WORKLOADS
    assert _names(_providers(cli, "--page-size", "7"), "credentialProviders") == PROVIDERS
    assert _names(_workloads(cli, "--page-size", "1")) == WORKLOADS


def test_page_size_above_the_service_limit_is_the_services_validation_exception(cli, seeded):
    # A maximum is the service's to judge (botocore checks only minimums): as AWS answers.
    result = cli("list-workload-identities", "--page-size", "21")
    assert result.exit_code == 254
    assert "(ValidationException) when calling the ListWorkloadIdentities operation" in result.stderr
    assert "maxResults must be between 1 and 20" in result.stderr


# --- --max-items and --starting-token ----------------------------------------------------


def test_max_items_returns_that_many_and_a_top_level_next_token(cli, seeded):
    body = _workloads(cli, "--max-items", "10")
    assert _names(body) == WORKLOADS[:10]
    assert isinstance(body["NextToken"], str) and body["NextToken"]
    assert "nextToken" not in body


def test_starting_token_resumes_without_gap_or_repeat(cli, seeded):
    first = _workloads(cli, "--max-items", "10")
    second = _workloads(cli, "--max-items", "10", "--starting-token", first["NextToken"])
    assert _names(second) == WORKLOADS[10:20]
    rest = _workloads(cli, "--starting-token", second["NextToken"])
    assert _names(rest) == WORKLOADS[20:]
    assert "NextToken" not in rest


def test_walking_with_max_items_visits_every_name_exactly_once(cli, seeded):
    seen, calls = _walk(cli, "list-workload-identities", "workloadIdentities", "--max-items", "10")
    assert seen == WORKLOADS
    assert calls == 5


def test_walking_with_max_items_splitting_pages_visits_every_name_exactly_once(cli, seeded):
    # --page-size 7 with --max-items 10: the second page of each call is cut after 3 items.
    seen, calls = _walk(cli, "list-workload-identities", "workloadIdentities", "--max-items", "10", "--page-size", "7")
    assert seen == WORKLOADS
    assert calls == 5


def test_walking_api_key_providers_with_max_items_visits_every_name_exactly_once(cli, seeded):
    seen, _ = _walk(
        cli, "list-api-key-credential-providers", "credentialProviders", "--max-items", "33", "--page-size", "7"
    )
    assert seen == PROVIDERS
    seen, _ = _walk(cli, "list-api-key-credential-providers", "credentialProviders", "--max-items", "60")
    assert seen == PROVIDERS


def test_max_items_equal_to_a_page_boundary_then_resume(cli, seeded):
    first = _workloads(cli, "--max-items", "20")
    assert _names(first) == WORKLOADS[:20]
    assert _names(_workloads(cli, "--starting-token", first["NextToken"])) == WORKLOADS[20:]


def test_max_items_of_everything_prints_no_next_token(cli, seeded):
    body = _workloads(cli, "--max-items", "45")
    assert _names(body) == WORKLOADS
    assert "NextToken" not in body
    body = _workloads(cli, "--max-items", "1000")
    assert _names(body) == WORKLOADS
    assert "NextToken" not in body


def test_resuming_with_a_smaller_page_size_than_the_token_was_made_with(cli, seeded):
    # The token says "7 into the page that starts after wi-06"; pages of 2 must not repeat.
    first = _workloads(cli, "--max-items", "10", "--page-size", "7")
    assert _names(first) == WORKLOADS[:10]
    second = _workloads(cli, "--max-items", "3", "--page-size", "2", "--starting-token", first["NextToken"])
    assert _names(second) == WORKLOADS[10:13]
    rest = _workloads(cli, "--page-size", "2", "--starting-token", second["NextToken"])
    assert _names(rest) == WORKLOADS[13:]


def test_resuming_with_a_larger_page_size(cli, seeded):
    first = _workloads(cli, "--max-items", "10", "--page-size", "3")
    rest = _workloads(cli, "--page-size", "20", "--starting-token", first["NextToken"])
    assert _names(rest) == WORKLOADS[10:]


def test_next_token_works_with_query_and_text_output(cli, seeded):
    # As the AWS CLI, text applies --query to each page and then to {"NextToken": {"NextToken": ...}}:
    # the page has no NextToken (None), the token comes last.
    token = cli("list-workload-identities", "--max-items", "5", "--query", "NextToken", "--output", "text")
    assert token.exit_code == 0
    none, resume = token.stdout.splitlines()
    assert none == "None"
    result = cli(
        "list-workload-identities",
        "--max-items",
        "5",
        "--starting-token",
        resume,
        "--query",
        "workloadIdentities[].name",
        "--output",
        "text",
    )
    # The query of the resume token matches nothing: "None", as the AWS CLI prints it.
    assert result.stdout == "\t".join(WORKLOADS[5:10]) + "\nNone\n"


# --- --no-paginate ------------------------------------------------------------------------


def test_no_paginate_with_max_results_makes_one_call_and_shows_the_service_token(cli, seeded):
    body = _workloads(cli, "--no-paginate", "--max-results", "5")
    assert _names(body) == WORKLOADS[:5]
    assert isinstance(body["nextToken"], str) and body["nextToken"]
    assert "NextToken" not in body


def test_max_results_alone_makes_one_call_as_in_the_aws_cli(cli, seeded):
    body = _workloads(cli, "--max-results", "5")
    assert _names(body) == WORKLOADS[:5]
    assert body["nextToken"]


def test_no_paginate_token_can_be_passed_back_as_next_token_or_starting_token(cli, seeded):
    body = _workloads(cli, "--no-paginate", "--max-results", "5")
    again = _workloads(cli, "--no-paginate", "--max-results", "5", "--next-token", body["nextToken"])
    assert _names(again) == WORKLOADS[5:10]
    rest = _workloads(cli, "--starting-token", body["nextToken"])
    assert _names(rest) == WORKLOADS[5:]


def test_no_paginate_on_the_last_page_has_no_token(cli, seeded):
    body = _workloads(cli, "--no-paginate", "--max-results", "20")
    body = _workloads(cli, "--no-paginate", "--max-results", "20", "--next-token", body["nextToken"])
    body = _workloads(cli, "--no-paginate", "--max-results", "20", "--next-token", body["nextToken"])
    assert _names(body) == WORKLOADS[40:]
    assert "nextToken" not in body


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--no-paginate", "--page-size", "5"), "--page-size"),
        (("--no-paginate", "--max-items", "5"), "--max-items"),
        (("--no-paginate", "--starting-token", "abc"), "--starting-token"),
        (("--no-paginate", "--page-size", "1", "--max-items", "2"), "--page-size, --max-items"),
        (("--max-results", "5", "--max-items", "2"), "--max-items"),
    ],
)
def test_no_paginate_with_a_pagination_option_is_a_usage_error_worded_as_the_aws_cli(cli, seeded, args, named):
    result = cli("list-workload-identities", *args)
    assert result.exit_code == 252
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"Error during pagination: Cannot specify --no-paginate along with pagination arguments: {named}"
    )


# --- bad values ---------------------------------------------------------------------------


@pytest.mark.parametrize("garbage", ["garbage", "not a token!!", base64.b64encode(b"hello world").decode()])
def test_garbage_starting_token_is_a_validation_error_that_says_so(cli, seeded, garbage):
    # As the AWS CLI: a token it cannot decode goes to the service, which refuses it (254).
    result = cli("list-workload-identities", "--starting-token", garbage)
    assert result.exit_code == 254
    assert result.stdout == ""
    assert "(ValidationException) when calling the ListWorkloadIdentities operation" in result.stderr
    assert "token" in result.stderr.lower()
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "forged",
    [
        {"nextToken": None, "skip": -3},
        {"nextToken": 5, "skip": 1},
        {"nextToken": None, "skip": "two"},
        {"nextToken": None, "skip": True},
    ],
)
def test_malformed_starting_token_of_this_tool_is_a_usage_error(cli, seeded, forged):
    token = base64.b64encode(json.dumps(forged).encode()).decode()
    result = cli("list-workload-identities", "--starting-token", token)
    assert result.exit_code == 252
    assert "--starting-token" in result.stderr
    assert result.stdout == ""


def test_empty_starting_token_is_refused_rather_than_starting_over(cli, seeded):
    # A script that passes an empty $TOKEN at the end must not loop from the start forever.
    result = cli("list-workload-identities", "--starting-token", "")
    assert result.exit_code == 252
    assert "--starting-token" in result.stderr
    assert "empty" in result.stderr


@pytest.mark.parametrize("value", ["0", "-1"])
def test_max_items_below_one_is_refused(cli, seeded, value):
    result = cli("list-workload-identities", "--max-items", value)
    assert result.exit_code == 252
    assert "--max-items" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("value", ["0", "abc"])
def test_bad_page_size_is_refused(cli, seeded, value):
    result = cli("list-workload-identities", "--page-size", value)
    assert result.exit_code == 252
    assert "--page-size" in result.stderr
