"""Consent portals end to end on the local backend, through the CLI.

The five operations with the API's shapes (botocore's output shapes judge every JSON output),
the status the service reports (CREATING from a create, UPDATING from an update, ACTIVE
otherwise), ids and ARNs, tags on the portal's ARN, pagination, validation and exit codes;
and the local connections (--local-connections, --local-workload-name), which the aws backend
refuses before any call.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.audit_support import events
from tests.consent_portal_support import GATEWAY_ID, IDP_ARN, ROLE_ARN, create_idp, create_portal, ok
from tests.test_output_shapes import assert_matches_output_shape

PORTAL_ARN = "arn:aws:bedrock-agentcore:local:000000000000:consent-portal/"


def _provider(cli: Any, name: str, vendor: str = "GithubOauth2") -> None:
    ok(
        cli(
            "create-oauth2-credential-provider",
            "--name",
            name,
            "--credential-provider-vendor",
            vendor,
            "--client-id",
            "cid",
            "--client-secret",
            "-",
            input="s3cret",
        )
    )


def _connections(vault: Path) -> list[tuple[str, str, int]]:
    db = sqlite3.connect(vault)
    try:
        rows = db.execute("SELECT portal, provider, position FROM consent_portal_connections ORDER BY portal, position")
        return [tuple(row) for row in rows.fetchall()]
    finally:
        db.close()


# --- the operations -------------------------------------------------------------------------


def test_create_get_list_update_delete_with_the_status_the_service_reports(cli):
    idp = create_idp(cli)
    created = create_portal(cli, "support", "--description", "Connect your accounts").json()
    assert_matches_output_shape("CreateConsentPortal", created)
    portal_id = created["consentPortalId"]
    assert re.fullmatch(r"support-[A-Za-z0-9]{10}", portal_id)
    assert created["consentPortalArn"] == PORTAL_ARN + portal_id
    assert created["status"] == "CREATING"
    assert created["portalUrl"] == f"http://127.0.0.1:8734/consent-portals/{portal_id}"
    assert created["executionRoleArn"] == ROLE_ARN  # kept and shown, though nothing assumes it locally
    assert created["idpConfig"] == {"credentialProviderArn": idp, "scopes": ["openid", "email"]}
    assert created["sources"] == [{"identifier": GATEWAY_ID, "type": "agentcore-gateway"}]

    got = ok(cli("get-consent-portal", "--consent-portal-identifier", portal_id)).json()
    assert_matches_output_shape("GetConsentPortal", got)
    assert got == {**created, "status": "ACTIVE"}
    by_arn = ok(cli("get-consent-portal", "--consent-portal-identifier", created["consentPortalArn"])).json()
    assert by_arn == got

    listed = ok(cli("list-consent-portals")).json()
    assert_matches_output_shape("ListConsentPortals", listed)
    (summary,) = listed["consentPortals"]
    assert summary == {k: v for k, v in got.items() if k not in ("executionRoleArn", "idpConfig")}

    updated = ok(
        cli("update-consent-portal", "--consent-portal-identifier", portal_id, "--description", "Your accounts")
    ).json()
    assert_matches_output_shape("UpdateConsentPortal", updated)
    assert updated["status"] == "UPDATING"
    assert updated["description"] == "Your accounts"
    assert updated["idpConfig"] == created["idpConfig"] and updated["executionRoleArn"] == ROLE_ARN  # kept
    assert updated["updatedAt"] >= updated["createdAt"]
    role = "arn:aws:iam::123456789012:role/other"
    again = ok(
        cli(
            "update-consent-portal",
            "--consent-portal-identifier",
            portal_id,
            "--execution-role-arn",
            role,
            "--idp-config",
            json.dumps({"credentialProviderArn": idp, "scopes": ["openid"], "audience": "portal"}),
        )
    ).json()
    assert again["executionRoleArn"] == role
    assert again["idpConfig"] == {"credentialProviderArn": idp, "scopes": ["openid"], "audience": "portal"}
    assert again["description"] == "Your accounts"
    assert ok(cli("get-consent-portal", "--consent-portal-identifier", portal_id)).json()["status"] == "ACTIVE"

    deleted = cli("delete-consent-portal", "--consent-portal-identifier", portal_id)
    assert deleted.exit_code == 0 and deleted.stdout == ""
    missing = cli("get-consent-portal", "--consent-portal-identifier", portal_id)
    assert missing.exit_code == 254
    assert "(ResourceNotFoundException) when calling the GetConsentPortal operation" in missing.stderr
    assert "list-consent-portals" in missing.stderr
    assert ok(cli("list-consent-portals")).json() == {"consentPortals": []}


def test_a_portal_made_again_under_its_name_gets_a_new_id_and_the_old_one_is_gone(cli):
    create_idp(cli)
    first = create_portal(cli).json()["consentPortalId"]
    ok(cli("delete-consent-portal", "--consent-portal-identifier", first))
    second = create_portal(cli).json()["consentPortalId"]
    assert second != first
    assert cli("get-consent-portal", "--consent-portal-identifier", first).exit_code == 254
    ok(cli("get-consent-portal", "--consent-portal-identifier", second))


def test_identifiers_that_name_no_portal_of_this_vault(cli):
    create_idp(cli)
    portal_id = create_portal(cli).json()["consentPortalId"]
    for identifier in (
        "support-AAAAAAAAAA",
        "nosuch-abcdefghij",
        f"arn:aws:bedrock-agentcore:us-east-1:123456789012:consent-portal/{portal_id}",
    ):
        result = cli("get-consent-portal", "--consent-portal-identifier", identifier)
        assert result.exit_code == 254, identifier
        assert "ResourceNotFoundException" in result.stderr
    malformed = cli("delete-consent-portal", "--consent-portal-identifier", "support")
    assert malformed.exit_code == 254
    assert "ValidationException" in malformed.stderr and "consentPortalIdentifier" in malformed.stderr


def test_tags_on_the_portal_arn_and_gone_with_it(cli):
    create_idp(cli)
    created = create_portal(cli, "support", "--tags", "team=ml").json()
    arn = created["consentPortalArn"]
    assert ok(cli("list-tags-for-resource", "--resource-arn", arn)).json() == {"tags": {"team": "ml"}}
    ok(cli("tag-resource", "--resource-arn", arn, "--tags", "env=dev,owner=ops"))
    ok(cli("untag-resource", "--resource-arn", arn, "--tag-keys", "team", "owner"))
    assert ok(cli("list-tags-for-resource", "--resource-arn", arn)).json() == {"tags": {"env": "dev"}}
    ok(cli("delete-consent-portal", "--consent-portal-identifier", created["consentPortalId"]))
    gone = cli("list-tags-for-resource", "--resource-arn", arn)
    assert gone.exit_code == 254 and "Consent portal" in gone.stderr


def test_list_pages_with_the_aws_cli_options(cli):
    create_idp(cli)
    for name in ("portal-a", "portal-b", "portal-c"):
        create_portal(cli, name)
    page = ok(cli("list-consent-portals", "--max-items", "2")).json()
    assert [p["name"] for p in page["consentPortals"]] == ["portal-a", "portal-b"]
    rest = ok(cli("list-consent-portals", "--starting-token", page["NextToken"])).json()
    assert [p["name"] for p in rest["consentPortals"]] == ["portal-c"]
    small = ok(cli("list-consent-portals", "--page-size", "1")).json()
    assert [p["name"] for p in small["consentPortals"]] == ["portal-a", "portal-b", "portal-c"]
    one = ok(cli("list-consent-portals", "--no-paginate", "--max-results", "1")).json()
    assert len(one["consentPortals"]) == 1 and one["nextToken"]
    assert_matches_output_shape("ListConsentPortals", one)
    too_many = cli("list-consent-portals", "--no-paginate", "--max-results", "101")
    assert too_many.exit_code == 254 and "maxResults" in too_many.stderr


def test_text_and_table_output_like_the_other_lists(cli):
    create_idp(cli)
    portal_id = create_portal(cli).json()["consentPortalId"]
    text = ok(cli("list-consent-portals", "--output", "text")).stdout
    lines = text.splitlines()
    assert lines[0].startswith(f"CONSENTPORTALS\t{PORTAL_ARN}{portal_id}\t{portal_id}\t")
    assert lines[1] == f"SOURCES\t{GATEWAY_ID}\tagentcore-gateway"
    table = ok(cli("get-consent-portal", "--consent-portal-identifier", portal_id, "--output", "table")).stdout
    assert "GetConsentPortal" in table and portal_id in table and "credentialProviderArn" in table
    query = ok(cli("list-consent-portals", "--query", "consentPortals[].[name, status]", "--output", "text")).stdout
    assert query == "support\tACTIVE\n"


def test_the_sign_in_provider_must_be_an_openid_provider_of_this_vault(cli):
    create_idp(cli)
    _provider(cli, "github")
    refused = cli(
        "create-consent-portal",
        "--name",
        "p",
        "--execution-role-arn",
        ROLE_ARN,
        "--idp-config",
        f"credentialProviderArn={IDP_ARN}github,scopes=[openid]",
        "--sources",
        f"identifier={GATEWAY_ID},type=agentcore-gateway",
    )
    assert refused.exit_code == 254
    assert "ValidationException" in refused.stderr and "not an OpenID Connect provider" in refused.stderr
    typo = cli(
        "create-consent-portal",
        "--name",
        "p",
        "--execution-role-arn",
        ROLE_ARN,
        "--idp-config",
        f"credentialProviderArn={IDP_ARN}corp-idq,scopes=[openid]",
        "--sources",
        f"identifier={GATEWAY_ID},type=agentcore-gateway",
    )
    assert typo.exit_code == 254
    assert "ResourceNotFoundException" in typo.stderr and "did you mean 'corp-idp'?" in typo.stderr
    elsewhere = IDP_ARN.replace(":local:000000000000:", ":us-east-1:123456789012:") + "corp-idp"
    other = cli(
        "create-consent-portal",
        "--name",
        "p",
        "--execution-role-arn",
        ROLE_ARN,
        "--idp-config",
        f"credentialProviderArn={elsewhere},scopes=[openid]",
        "--sources",
        f"identifier={GATEWAY_ID},type=agentcore-gateway",
    )
    assert other.exit_code == 254 and "not the ARN of an OAuth2 credential provider of the local vault" in other.stderr
    assert ok(cli("list-consent-portals")).json() == {"consentPortals": []}
    portal_id = create_portal(cli).json()["consentPortalId"]
    update = cli(
        "update-consent-portal",
        "--consent-portal-identifier",
        portal_id,
        "--idp-config",
        f"credentialProviderArn={IDP_ARN}github,scopes=[openid]",
    )
    assert update.exit_code == 254 and "not an OpenID Connect provider" in update.stderr
    shown = ok(cli("get-consent-portal", "--consent-portal-identifier", portal_id)).json()
    assert shown["idpConfig"]["credentialProviderArn"] == IDP_ARN + "corp-idp"  # the update changed nothing


@pytest.mark.parametrize(
    ("argv", "member"),
    [
        (("--sources", f"identifier={GATEWAY_ID},type=lambda"), "sources[0].type"),
        (("--sources", "identifier=Not_A_Gateway,type=agentcore-gateway"), "sources[0].identifier"),
        (
            (
                "--sources",
                f"identifier={GATEWAY_ID},type=agentcore-gateway",
                f"identifier={GATEWAY_ID},type=agentcore-gateway",
            ),
            "sources",
        ),
        (("--execution-role-arn", "arn:aws:iam::123:role/x"), "executionRoleArn"),
        (("--name", "bad name"), "name"),
        (("--description", "x" * 513), "description"),
    ],
)
def test_the_service_checks_are_validation_exceptions_254(cli, argv: tuple[str, ...], member: str):
    create_idp(cli)
    base = {
        "--name": ["p"],
        "--execution-role-arn": [ROLE_ARN],
        "--idp-config": [f"credentialProviderArn={IDP_ARN}corp-idp,scopes=[openid]"],
        "--sources": [f"identifier={GATEWAY_ID},type=agentcore-gateway"],
    }
    base[argv[0]] = list(argv[1:])
    args = [word for flag, values in base.items() for word in (flag, *values)]
    result = cli("create-consent-portal", *args)
    assert result.exit_code == 254, result.stderr
    assert "ValidationException" in result.stderr and member in result.stderr
    assert ok(cli("list-consent-portals")).json() == {"consentPortals": []}


def test_a_missing_required_flag_is_252_and_a_duplicate_name_254(cli):
    create_idp(cli)
    missing = cli("create-consent-portal", "--name", "p", "--execution-role-arn", ROLE_ARN)
    assert missing.exit_code == 252 and "--idp-config" in missing.stderr
    no_scopes = cli(
        "create-consent-portal",
        "--name",
        "p",
        "--execution-role-arn",
        ROLE_ARN,
        "--idp-config",
        f'{{"credentialProviderArn": "{IDP_ARN}corp-idp", "scopes": []}}',
        "--sources",
        f"identifier={GATEWAY_ID},type=agentcore-gateway",
    )
    assert no_scopes.exit_code == 252 and "scopes" in no_scopes.stderr  # botocore's own minimum
    create_portal(cli, "p")
    again = cli(
        "create-consent-portal",
        "--name",
        "p",
        "--execution-role-arn",
        ROLE_ARN,
        "--idp-config",
        f"credentialProviderArn={IDP_ARN}corp-idp,scopes=[openid]",
        "--sources",
        f"identifier={GATEWAY_ID},type=agentcore-gateway",
    )
    assert again.exit_code == 254 and "ConflictException" in again.stderr


def test_sources_as_a_json_list_and_the_whole_request_from_cli_input_json(cli):
    create_idp(cli)
    sources = json.dumps([{"identifier": GATEWAY_ID, "type": "agentcore-gateway"}])
    created = ok(
        cli(
            "create-consent-portal",
            "--name",
            "json-portal",
            "--execution-role-arn",
            ROLE_ARN,
            "--idp-config",
            f"credentialProviderArn={IDP_ARN}corp-idp,scopes=[openid]",
            "--sources",
            sources,
        )
    ).json()
    assert created["sources"] == [{"identifier": GATEWAY_ID, "type": "agentcore-gateway"}]
    request = {
        "name": "from-input",
        "executionRoleArn": ROLE_ARN,
        "idpConfig": {"credentialProviderArn": IDP_ARN + "corp-idp", "scopes": ["openid"]},
        "sources": [{"identifier": GATEWAY_ID, "type": "agentcore-gateway"}],
    }
    from_input = ok(cli("create-consent-portal", "--cli-input-json", json.dumps(request))).json()
    assert from_input["name"] == "from-input" and from_input["status"] == "CREATING"
    skeleton = ok(cli("get-consent-portal", "--generate-cli-skeleton")).json()
    assert skeleton == {"consentPortalIdentifier": ""}


def test_changes_are_audited_with_the_portal_arn(cli, vault_file: Path):
    create_idp(cli)
    portal = create_portal(cli).json()
    ok(cli("update-consent-portal", "--consent-portal-identifier", portal["consentPortalId"], "--description", "d"))
    ok(cli("delete-consent-portal", "--consent-portal-identifier", portal["consentPortalId"]))
    mine = [(e["operation"], e["category"], e["target"], e["outcome"]) for e in events(vault_file)]
    arn = portal["consentPortalArn"]
    assert ("CreateConsentPortal", "change", arn, "success") in mine
    assert ("UpdateConsentPortal", "change", arn, "success") in mine
    assert ("DeleteConsentPortal", "change", arn, "success") in mine
    assert not any(op in ("GetConsentPortal", "ListConsentPortals") for op, *_ in mine)


# --- the local connections ------------------------------------------------------------------


def test_local_connections_are_kept_in_order_and_noted_on_stderr(cli, vault_file: Path):
    create_idp(cli)
    _provider(cli, "github")
    _provider(cli, "slack", "SlackOauth2")
    ok(cli("create-workload-identity", "--name", "support-agent"))
    created = create_portal(
        cli, "support", "--local-connections", "slack", "github", "--local-workload-name", "support-agent"
    )
    portal_id = created.json()["consentPortalId"]
    assert "localConnections" not in created.stdout  # the output stays the API's
    assert f"consent portal {portal_id} connects slack, github" in created.stderr
    assert "workload identity support-agent" in created.stderr
    assert _connections(vault_file) == [("support", "slack", 0), ("support", "github", 1)]
    got = ok(cli("get-consent-portal", "--consent-portal-identifier", portal_id))
    assert "connects slack, github" in got.stderr

    updated = ok(
        cli("update-consent-portal", "--consent-portal-identifier", portal_id, "--local-connections", "github")
    )
    assert "connects github;" in updated.stderr and "support-agent" in updated.stderr  # the workload stays
    assert _connections(vault_file) == [("support", "github", 0)]
    default = ok(cli("update-consent-portal", "--consent-portal-identifier", portal_id, "--local-workload-name", ""))
    assert "(the default)" in default.stderr
    cleared = ok(cli("update-consent-portal", "--consent-portal-identifier", portal_id, "--local-connections", ""))
    assert "connects nothing locally yet" in cleared.stderr and "--local-connections" in cleared.stderr
    assert _connections(vault_file) == []


def test_a_bad_connection_fails_the_whole_command_and_keeps_nothing(cli, vault_file: Path):
    create_idp(cli)
    _provider(cli, "github")
    unknown = create_portal_result = cli(
        "create-consent-portal",
        "--name",
        "p",
        "--execution-role-arn",
        ROLE_ARN,
        "--idp-config",
        f"credentialProviderArn={IDP_ARN}corp-idp,scopes=[openid]",
        "--sources",
        f"identifier={GATEWAY_ID},type=agentcore-gateway",
        "--local-connections",
        "githb",
    )
    assert create_portal_result.exit_code == 254
    assert "(ResourceNotFoundException) when calling the CreateConsentPortal operation" in unknown.stderr
    assert "did you mean 'github'?" in unknown.stderr
    assert ok(cli("list-consent-portals")).json() == {"consentPortals": []}
    portal_id = create_portal(cli, "p", "--local-connections", "github").json()["consentPortalId"]
    twice = cli(
        "update-consent-portal", "--consent-portal-identifier", portal_id, "--local-connections", "github,github"
    )
    assert twice.exit_code == 254 and "more than once" in twice.stderr
    workload = cli(
        "update-consent-portal",
        "--consent-portal-identifier",
        portal_id,
        "--description",
        "changed",
        "--local-workload-name",
        "nobody",
    )
    assert workload.exit_code == 254 and "Workload identity 'nobody' does not exist" in workload.stderr
    shown = ok(cli("get-consent-portal", "--consent-portal-identifier", portal_id)).json()
    assert "description" not in shown  # the update was rolled back with it
    assert _connections(vault_file) == [("p", "github", 0)]


def test_deleting_a_provider_or_the_portal_removes_the_connection(cli, vault_file: Path):
    create_idp(cli)
    _provider(cli, "github")
    _provider(cli, "slack", "SlackOauth2")
    portal_id = create_portal(cli, "p", "--local-connections", "github", "slack").json()["consentPortalId"]
    ok(cli("delete-oauth2-credential-provider", "--name", "github"))
    assert _connections(vault_file) == [("p", "slack", 1)]
    ok(cli("delete-consent-portal", "--consent-portal-identifier", portal_id))
    assert _connections(vault_file) == []
    ok(cli("get-oauth2-credential-provider", "--name", "slack"))  # the provider stays


def test_local_flags_are_refused_on_the_aws_backend_before_any_call(cli, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: a call would fail otherwise
    aws = ("--backend", "aws", "--region", "us-east-1")
    created = cli(
        *aws,
        "create-consent-portal",
        "--name",
        "p",
        "--execution-role-arn",
        ROLE_ARN,
        "--idp-config",
        f"credentialProviderArn={IDP_ARN}corp-idp,scopes=[openid]",
        "--sources",
        f"identifier={GATEWAY_ID},type=agentcore-gateway",
        "--local-connections",
        "github",
    )
    assert created.exit_code == 252
    assert "--local-connections is a local-backend extension" in created.stderr
    updated = cli(
        *aws,
        "update-consent-portal",
        "--consent-portal-identifier",
        "p-abcdefghij",
        "--local-connections",
        "github",
        "--local-workload-name",
        "agent",
    )
    assert updated.exit_code == 252
    assert "--local-connections and --local-workload-name are a local-backend extension" in updated.stderr
    assert "Could not connect" not in created.stderr + updated.stderr


def test_an_older_vault_takes_the_connections_table_on_first_use(cli, vault_file: Path):
    create_idp(cli)
    db = sqlite3.connect(vault_file)
    db.execute("DROP TABLE consent_portal_connections")
    db.execute("PRAGMA user_version = 5")
    db.commit()
    db.close()
    _provider(cli, "github")
    create_portal(cli, "p", "--local-connections", "github")
    assert _connections(vault_file) == [("p", "github", 0)]
