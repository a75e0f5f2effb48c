"""Identity resources have the ARNs the service hands out, and every one of them can be tagged.

Vaults of schema 3 and older stored `arn:aws:acps:...` for credential providers and the
token vault; migration 4 rewrites resources and tags, and leaves the hash-chained audit
events as recorded, readable under the new form.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from agentcore_identity_cli.backends.local import arns
from agentcore_identity_cli.backends.local.vault import SCHEMA_VERSION

PREFIX = "arn:aws:bedrock-agentcore:local:000000000000:"
ARN_KINDS = [
    ("create-api-key-credential-provider", ["--api-key", "-"], "sk-x", "token-vault/default/apikeycredentialprovider/"),
    (
        "create-oauth2-credential-provider",
        ["--credential-provider-vendor", "GithubOauth2", "--client-id", "cid", "--client-secret", "-"],
        "cs-x",
        "token-vault/default/oauth2credentialprovider/",
    ),
    ("create-workload-identity", [], "", "workload-identity-directory/default/workload-identity/"),
]


def _arn_of(response: dict[str, object]) -> str:
    arn = response.get("credentialProviderArn") or response.get("workloadIdentityArn")
    assert isinstance(arn, str), response
    return arn


@pytest.mark.parametrize(("command", "flags", "secret", "path"), ARN_KINDS, ids=[c[0] for c in ARN_KINDS])
def test_each_kind_has_the_service_arn_form_and_can_be_tagged(cli, command, flags, secret, path):
    created = cli(command, "--name", "thing-1", *flags, input=secret)
    assert created.exit_code == 0, created.stderr
    arn = _arn_of(created.json())
    assert arn == PREFIX + path + "thing-1"
    tagged = cli("tag-resource", "--resource-arn", arn, "--tags", "team=payments,env=dev")
    assert tagged.exit_code == 0, tagged.stderr
    assert cli("untag-resource", "--resource-arn", arn, "--tag-keys", "env").exit_code == 0
    listed = cli("list-tags-for-resource", "--resource-arn", arn)
    assert listed.exit_code == 0, listed.stderr
    assert listed.json() == {"tags": {"team": "payments"}}


def test_the_token_vault_arn_can_be_tagged(cli):
    arn = PREFIX + "token-vault/default"
    assert cli("tag-resource", "--resource-arn", arn, "--tags", "owner=platform").exit_code == 0
    assert cli("list-tags-for-resource", "--resource-arn", arn).json() == {"tags": {"owner": "platform"}}


def test_the_legacy_acps_form_is_refused_by_tag_resource_as_the_service_does(cli):
    assert cli("create-api-key-credential-provider", "--name", "old", "--api-key", "-", input="k").exit_code == 0
    legacy = "arn:aws:acps:local:000000000000:token-vault/default/apikeycredentialprovider/old"
    result = cli("tag-resource", "--resource-arn", legacy, "--tags", "a=b")
    assert result.exit_code == 254
    assert "(ValidationException)" in result.stderr
    assert "resourceArn must be the ARN of an AgentCore resource" in result.stderr


def _write_schema_3_vault(vault_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A vault as schema 3 wrote it: acps ARNs on providers, their tags and their audit events,
    and sealed values without versions (schema 5 added those)."""
    from agentcore_identity_cli.backends.local.backend import LocalBackend
    from agentcore_identity_cli.backends.local.vault import SEALED_CHANGE_TRIGGERS, VaultStore

    with monkeypatch.context() as patch:
        patch.setattr(arns, "_PREFIX", "arn:aws:acps:local:000000000000:")
        patch.setattr(VaultStore, "next_secret_version", lambda self: 0)  # version 0: sealed as schema 3 did
        backend = LocalBackend(vault_file)
        for trigger in SEALED_CHANGE_TRIGGERS:
            backend.store.db.execute(f"DROP TRIGGER {trigger}")
        try:
            backend.invoke("CreateApiKeyCredentialProvider", {"name": "openai", "apiKey": "sk-old"})
            backend.invoke("CreateWorkloadIdentity", {"name": "agent-one"})
            old_arn = arns.provider_arn("apikey", "openai")
            assert old_arn.startswith("arn:aws:acps:")
            backend.store.set_tags(old_arn, {"team": "ml"})
            assert backend.open_secret("apikey", "openai", "apiKey") == "sk-old"
        finally:
            backend.close()
    db = sqlite3.connect(vault_file)
    for statement in (
        "ALTER TABLE secrets DROP COLUMN version",
        "ALTER TABLE audit_events DROP COLUMN sealed",
        "DROP TABLE sealed_changes",
        "DROP TABLE consent_portal_connections",
        "DELETE FROM meta WHERE key = 'secret_version'",
        "PRAGMA user_version = 3",
    ):
        db.execute(statement)
    db.commit()
    db.close()


def test_a_schema_3_vault_migrates_its_arns_and_keeps_tags_audit_and_secrets(cli, home, vault_file, monkeypatch):
    _write_schema_3_vault(vault_file, monkeypatch)
    new_arn = PREFIX + "token-vault/default/apikeycredentialprovider/openai"
    old_arn = "arn:aws:acps:local:000000000000:token-vault/default/apikeycredentialprovider/openai"

    got = cli("get-api-key-credential-provider", "--name", "openai")
    assert got.exit_code == 0, got.stderr
    assert got.json()["credentialProviderArn"] == new_arn
    db = sqlite3.connect(vault_file)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("SELECT COUNT(*) FROM resources WHERE arn LIKE 'arn:aws:acps:%'").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM tags WHERE arn LIKE 'arn:aws:acps:%'").fetchone()[0] == 0
    # The recorded events are left as they were: the chain covers their targets.
    assert db.execute("SELECT COUNT(*) FROM audit_events WHERE target = ?", (old_arn,)).fetchone()[0] >= 2
    db.close()

    assert cli("list-tags-for-resource", "--resource-arn", new_arn).json() == {"tags": {"team": "ml"}}
    assert cli("tag-resource", "--resource-arn", new_arn, "--tags", "env=dev").exit_code == 0
    assert cli("list-tags-for-resource", "--resource-arn", new_arn).json() == {"tags": {"team": "ml", "env": "dev"}}

    verified = cli("audit", "verify", "--output", "json")
    assert verified.exit_code == 0, verified.stderr
    assert verified.json()["chain"] == "intact"
    # Events recorded under the legacy form are found by the new ARN.
    listed = cli("audit", "list", "--target", new_arn, "--output", "json")
    assert listed.exit_code == 0, listed.stderr
    operations = [event["operation"] for event in listed.json()["events"]]
    assert "CreateApiKeyCredentialProvider" in operations and "OpenSecret" in operations
    assert cli("delete-api-key-credential-provider", "--name", "openai").exit_code == 0
    assert cli("audit", "verify", "--output", "json").json()["chain"] == "intact"


def test_reports_count_secret_reads_recorded_under_the_legacy_form(cli, vault_file, monkeypatch):
    _write_schema_3_vault(vault_file, monkeypatch)
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    backend = LocalBackend(vault_file)
    try:
        by_target, _ = backend.audit.last_used()
    finally:
        backend.close()
    assert PREFIX + "token-vault/default/apikeycredentialprovider/openai" in by_target
    assert not any(target.startswith("arn:aws:acps:") for target in by_target)


AWS_ARNS = [
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/openai",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/github",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/paymentcredentialprovider/cdp",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity-directory/default/workload-identity/agent-1",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default",
]


@pytest.mark.parametrize("arn", AWS_ARNS, ids=["apikey", "oauth2", "payment", "workload", "token-vault"])
def test_every_kind_is_tagged_through_the_service_on_the_aws_backend(arn, cli, monkeypatch):
    """The same three commands send each ARN kind to the service unchanged (Stubber checks the request)."""
    from tests.test_aws_backend import AWS, Stubs, _response

    for name, value in (
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ):
        monkeypatch.setenv(name, value)
    stubs = Stubs()
    import botocore.session

    original = botocore.session.Session.create_client

    def create_client(self, service_name, *args, **kwargs):
        client = original(self, service_name, *args, **kwargs)
        stubs.attach(service_name, client)
        return client

    monkeypatch.setattr(botocore.session.Session, "create_client", create_client)
    listed = {**_response("ListTagsForResource"), "tags": {"team": "ml"}}
    calls = [
        (
            "TagResource",
            {"resourceArn": arn, "tags": {"team": "ml"}},
            _response("TagResource"),
            ["tag-resource", "--tags", "team=ml"],
        ),
        (
            "UntagResource",
            {"resourceArn": arn, "tagKeys": ["env"]},
            _response("UntagResource"),
            ["untag-resource", "--tag-keys", "env"],
        ),
        ("ListTagsForResource", {"resourceArn": arn}, listed, ["list-tags-for-resource"]),
    ]
    for operation, params, response, argv in calls:
        stubs.queued.clear()  # each command makes its own client
        stubs.respond(operation, params, response)
        result = cli(*AWS, "--output", "json", *argv, "--resource-arn", arn)
        assert result.exit_code == 0, result.stderr
        stubs.assert_done()
    assert result.json() == {"tags": {"team": "ml"}}


# --- where the service keeps each secret ---------------------------------------------------

SECRET_ARN = re.compile(
    r"^arn:aws:secretsmanager:local:000000000000:secret:bedrock-agentcore-identity!default/"
    r"(?P<path>[a-z0-9]+/[A-Za-z0-9_/-]+)-(?P<suffix>[A-Za-z0-9]{6})$"
)


def _secret_arns(cli) -> list[str]:
    from tests.payment_support import create_cdp, ok

    found = []
    created = ok(cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-1"))
    found.append(created.json()["apiKeySecretArn"]["secretArn"])
    created = ok(
        cli(
            "create-oauth2-credential-provider", "--name", "github", "--credential-provider-vendor", "GithubOauth2",
            "--client-id", "cid", "--client-secret", "-", input="cs-1",
        )
    )  # fmt: skip
    found.append(created.json()["clientSecretArn"]["secretArn"])
    config = create_cdp(cli).json()["providerConfigurationOutput"]["coinbaseCdpConfiguration"]
    found += [config["apiKeySecretArn"]["secretArn"], config["walletSecretArn"]["secretArn"]]
    return found


def _reads(cli) -> list[str]:
    apikey = cli("get-api-key-credential-provider", "--name", "openai").json()
    oauth2 = cli("get-oauth2-credential-provider", "--name", "github").json()
    cdp = cli("get-payment-credential-provider", "--name", "cdp").json()["providerConfigurationOutput"]
    config = cdp["coinbaseCdpConfiguration"]
    return [
        apikey["apiKeySecretArn"]["secretArn"],
        oauth2["clientSecretArn"]["secretArn"],
        config["apiKeySecretArn"]["secretArn"],
        config["walletSecretArn"]["secretArn"],
    ]


def test_secret_arns_end_as_secrets_manager_ones_and_differ_between_vaults(cli, home, monkeypatch, tmp_path):
    first = _secret_arns(cli)
    assert all(SECRET_ARN.match(arn) for arn in first), first
    assert [SECRET_ARN.match(arn)["path"] for arn in first] == [
        "apikey/openai",
        "oauth2/github",
        "payment/cdp/apiKeySecret",
        "payment/cdp/walletSecret",
    ]
    assert _reads(cli) == first  # stable across reads
    updated = cli("update-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-2").json()
    assert updated["apiKeySecretArn"]["secretArn"] == first[0]  # a new value, the same secret

    monkeypatch.setenv("AGENTCORE_IDENTITY_HOME", str(tmp_path / "other-home"))
    second = _secret_arns(cli)
    for mine, theirs in zip(first, second, strict=True):
        assert SECRET_ARN.match(mine)["path"] == SECRET_ARN.match(theirs)["path"]
        assert mine != theirs


def test_a_provider_created_again_gets_a_new_secret_arn(cli):
    def create() -> str:
        created = cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-1")
        assert created.exit_code == 0, created.stderr
        return str(created.json()["apiKeySecretArn"]["secretArn"])

    before = create()
    assert cli("delete-api-key-credential-provider", "--name", "openai").exit_code == 0
    assert create() != before
