"""The AWS CLI (v1, unchanged, in a virtual environment of its own) against `serve`.

Every identity resource kind, tags, the token vault and the data-plane commands, called through
`aws bedrock-agentcore-control ...` / `aws bedrock-agentcore ...` with the `serve --print-env`
settings, and checked against what `agentcore-identity` prints for the same call on the same
vault: the JSON documents must be equal, and so must the error line.

What must differ, and is normalised:
- timestamps, in their text only. The AWS CLI v1 prints a timestamp as it came over the wire
  unless `cli_timestamp_format` says otherwise; with `iso8601` (set here) it prints Python's
  isoformat, while this tool prints ISO 8601 with the offset too. Both are parsed, and the
  instants must be equal to the millisecond (rest-json carries epoch seconds on the wire).
- an OAuth2 provider's `callbackUrl`, in its port only: through serve it is serve's hosted
  callback (`http://127.0.0.1:PORT/identities/oauth2/callback/<id>`); this tool without serve
  reports the same URL without a port, because `login` listens on a random loopback port
  (RFC 8252 section 7.3). The id and the path must be equal.
- the exit code of a refused call: the AWS CLI v1 exits 255 for a service error, this tool 254
  (the AWS CLI v2's code, see the design's exit codes). The error line must be equal.
- `NextToken` of `--max-items`: each CLI encodes its own opaque `--starting-token`; both
  must be there, and each must resume its own listing.
The AWS CLI v1 also fetches any parameter that looks like an http(s) URL unless
`cli_follow_urlparam` is false (set here): return URLs are parameters.

The AWS CLI is found through AGENTCORE_TEST_AWS_CLI (.ci/run installs it and sets it).
"""
# ruff: noqa: F811 - the fixtures are imported from their support modules

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result
from tests.oauth_server import AuthServer, oauth_server  # noqa: F401
from tests.payment_support import keys
from tests.serve_support import Served, serve_fixture  # noqa: F401

AWS_CLI = os.environ.get("AGENTCORE_TEST_AWS_CLI", "")
CONTROL = "bedrock-agentcore-control"
DATA = "bedrock-agentcore"
_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)")

Aws = Callable[..., Result]


@pytest.fixture
def aws(serve: Served, tmp_path: Path) -> Aws:
    """aws(service, command, *args) -> Result: the AWS CLI with serve's settings and nothing else."""
    if not AWS_CLI or not Path(AWS_CLI).exists():
        pytest.skip("the AWS CLI v1 is not installed (AGENTCORE_TEST_AWS_CLI; .ci/run installs it)")
    folder = tmp_path / "aws-cli"
    folder.mkdir()
    config = folder / "config"
    config.write_text("[default]\ncli_timestamp_format = iso8601\ncli_follow_urlparam = false\n")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "credentials"),
        **serve.env,
    }

    def run(*args: str) -> Result:
        proc = subprocess.run(
            [AWS_CLI, *args, "--output", "json"], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


def normalise(document: Any) -> Any:
    """Timestamps as instants (to the millisecond), callback URLs without their port."""
    if isinstance(document, dict):
        return {k: _callback(v) if k == "callbackUrl" else normalise(v) for k, v in document.items()}
    if isinstance(document, list):
        return [normalise(v) for v in document]
    if isinstance(document, str) and _ISO.fullmatch(document):
        instant = datetime.fromisoformat(document.replace("Z", "+00:00"))
        return instant.replace(microsecond=instant.microsecond // 1000 * 1000)
    return document


def _callback(url: str) -> str:
    return re.sub(r"^http://127\.0\.0\.1(:\d+)?/", "http://127.0.0.1/", url)


def ok(result: Result) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else {}


def same(aws: Aws, cli: Any, service: str, *args: str) -> Any:
    """The same call through the AWS CLI and through this tool: equal documents."""
    theirs = ok(aws(service, *args))
    ours = ok(cli(*args))
    assert ("NextToken" in theirs) == ("NextToken" in ours)
    assert normalise(_without_next_token(theirs)) == normalise(_without_next_token(ours))
    return theirs


def _without_next_token(document: Any) -> Any:
    return {k: v for k, v in document.items() if k != "NextToken"}


def same_error(aws: Aws, cli: Any, service: str, *args: str) -> str:
    """The same failing call: the same error line (exit 255 from the AWS CLI v1, 254 from this tool)."""
    theirs, ours = aws(service, *args), cli(*args)
    assert (theirs.exit_code, ours.exit_code) == (255, 254), (theirs.stderr, ours.stderr)
    line = theirs.stderr.strip().splitlines()[0]
    assert line.startswith("An error occurred (")
    # Ours may warn first (a token given on the command line); the error line is the same.
    assert line in ours.stderr.splitlines()
    return line


def test_api_key_providers_and_their_tags(aws: Aws, cli: Any):
    created = ok(aws(CONTROL, "create-api-key-credential-provider", "--name", "search", "--api-key", "sk-1"))
    local = ok(cli("create-api-key-credential-provider", "--name", "other", "--api-key", "-", input="sk-2"))
    assert sorted(created) == sorted(local)  # the same members
    fetched = same(aws, cli, CONTROL, "get-api-key-credential-provider", "--name", "search")
    assert {k: fetched[k] for k in created} == created
    ok(aws(CONTROL, "update-api-key-credential-provider", "--name", "search", "--api-key", "sk-3"))
    same(aws, cli, CONTROL, "get-api-key-credential-provider", "--name", "search")
    listed = same(aws, cli, CONTROL, "list-api-key-credential-providers")
    assert [p["name"] for p in listed["credentialProviders"]] == ["other", "search"]
    first = same(aws, cli, CONTROL, "list-api-key-credential-providers", "--max-items", "1")
    assert [p["name"] for p in first["credentialProviders"]] == ["other"]
    rest = ok(aws(CONTROL, "list-api-key-credential-providers", "--starting-token", first["NextToken"]))
    assert [p["name"] for p in rest["credentialProviders"]] == ["search"]

    arn = created["credentialProviderArn"]
    ok(aws(CONTROL, "tag-resource", "--resource-arn", arn, "--tags", "team=search,env=dev"))
    tags = same(aws, cli, CONTROL, "list-tags-for-resource", "--resource-arn", arn)
    assert tags == {"tags": {"team": "search", "env": "dev"}}
    ok(aws(CONTROL, "untag-resource", "--resource-arn", arn, "--tag-keys", "env"))
    assert same(aws, cli, CONTROL, "list-tags-for-resource", "--resource-arn", arn) == {"tags": {"team": "search"}}

    assert ok(aws(CONTROL, "delete-api-key-credential-provider", "--name", "search")) == {}
    line = same_error(aws, cli, CONTROL, "get-api-key-credential-provider", "--name", "search")
    assert "(ResourceNotFoundException) when calling the GetApiKeyCredentialProvider operation" in line


def test_oauth2_providers(aws: Aws, cli: Any, serve: Served):
    metadata = {
        "issuer": "https://auth.example.com",
        "authorizationEndpoint": "https://auth.example.com/authorize",
        "tokenEndpoint": "https://auth.example.com/token",
    }
    config = {
        "customOauth2ProviderConfig": {
            "oauthDiscovery": {"authorizationServerMetadata": metadata},
            "clientId": "app",
            "clientSecret": "s3cret",
        }
    }
    create = ("--credential-provider-vendor", "CustomOauth2", "--oauth2-provider-config-input", json.dumps(config))
    created = ok(aws(CONTROL, "create-oauth2-credential-provider", "--name", "corp", *create))
    # The callback URL is serve's hosted callback, whichever client asks.
    assert created["callbackUrl"].startswith(serve.url + "/identities/oauth2/callback/")
    fetched = same(aws, cli, CONTROL, "get-oauth2-credential-provider", "--name", "corp")
    assert "s3cret" not in json.dumps(fetched)
    config["customOauth2ProviderConfig"]["clientId"] = "app-2"
    update = ("--credential-provider-vendor", "CustomOauth2", "--oauth2-provider-config-input", json.dumps(config))
    updated = ok(aws(CONTROL, "update-oauth2-credential-provider", "--name", "corp", *update))
    assert normalise(updated) == normalise(ok(cli("get-oauth2-credential-provider", "--name", "corp")))
    same(aws, cli, CONTROL, "list-oauth2-credential-providers")
    ok(aws(CONTROL, "delete-oauth2-credential-provider", "--name", "corp"))
    same_error(aws, cli, CONTROL, "get-oauth2-credential-provider", "--name", "corp")


def test_payment_providers(aws: Aws, cli: Any, tmp_path: Path):
    k = keys()
    config = {
        "coinbaseCdpConfiguration": {"apiKeyId": "key-1", "apiKeySecret": k.cdp_pem, "walletSecret": k.wallet_secret}
    }
    path = tmp_path / "payment.json"
    path.write_text(json.dumps(config))
    create = ("--credential-provider-vendor", "CoinbaseCDP", "--provider-configuration-input", f"file://{path}")
    created = ok(aws(CONTROL, "create-payment-credential-provider", "--name", "cdp", *create))
    assert k.wallet_secret not in json.dumps(created)
    same(aws, cli, CONTROL, "get-payment-credential-provider", "--name", "cdp")
    config["coinbaseCdpConfiguration"]["apiKeyId"] = "key-2"
    path.write_text(json.dumps(config))
    ok(aws(CONTROL, "update-payment-credential-provider", "--name", "cdp", *create))
    fetched = same(aws, cli, CONTROL, "get-payment-credential-provider", "--name", "cdp")
    assert "key-2" in json.dumps(fetched)
    same(aws, cli, CONTROL, "list-payment-credential-providers")
    ok(aws(CONTROL, "delete-payment-credential-provider", "--name", "cdp"))
    same_error(aws, cli, CONTROL, "get-payment-credential-provider", "--name", "cdp")


def test_workload_identities_and_the_token_vault(aws: Aws, cli: Any):
    urls = ("--allowed-resource-oauth2-return-urls", "https://app.example.com/return")
    created = ok(aws(CONTROL, "create-workload-identity", "--name", "agent", *urls))
    assert created["allowedResourceOauth2ReturnUrls"] == ["https://app.example.com/return"]
    same(aws, cli, CONTROL, "get-workload-identity", "--name", "agent")
    more = (*urls, "http://127.0.0.1:8765/return")
    ok(aws(CONTROL, "update-workload-identity", "--name", "agent", *more))
    same(aws, cli, CONTROL, "get-workload-identity", "--name", "agent")
    same(aws, cli, CONTROL, "list-workload-identities")
    arn = created["workloadIdentityArn"]
    ok(aws(CONTROL, "tag-resource", "--resource-arn", arn, "--tags", "owner=ops"))
    same(aws, cli, CONTROL, "list-tags-for-resource", "--resource-arn", arn)
    line = same_error(aws, cli, CONTROL, "create-workload-identity", "--name", "agent")
    assert "(ConflictException)" in line
    ok(aws(CONTROL, "delete-workload-identity", "--name", "agent"))
    same_error(aws, cli, CONTROL, "get-workload-identity", "--name", "agent")

    vault = same(aws, cli, CONTROL, "get-token-vault")
    assert vault["kmsConfiguration"]["keyType"] == "ServiceManagedKey"
    same(aws, cli, CONTROL, "set-token-vault-cmk", "--kms-configuration", "keyType=ServiceManagedKey")
    vault_arn = "arn:aws:bedrock-agentcore:local:000000000000:token-vault/default"
    ok(aws(CONTROL, "tag-resource", "--resource-arn", vault_arn, "--tags", "tier=gold"))
    assert same(aws, cli, CONTROL, "list-tags-for-resource", "--resource-arn", vault_arn) == {"tags": {"tier": "gold"}}


def test_data_plane_commands(aws: Aws, cli: Any, oauth_server: AuthServer):
    ok(cli("create-api-key-credential-provider", "--name", "search", "--api-key", "-", input="sk-live-1"))
    ok(cli("create-workload-identity", "--name", "agent"))
    # Workload access tokens are minted per call: each client's must work with the other.
    theirs = ok(aws(DATA, "get-workload-access-token", "--workload-name", "agent"))["workloadAccessToken"]
    ours = ok(cli("get-workload-access-token", "--workload-name", "agent"))["workloadAccessToken"]
    for token in (theirs, ours):
        key = same(
            aws, cli, DATA, "get-resource-api-key", "--workload-identity-token", token,
            "--resource-credential-provider-name", "search",
        )  # fmt: skip
        assert key == {"apiKey": "sk-live-1"}
    for_user = ok(aws(DATA, "get-workload-access-token-for-user-id", "--workload-name", "agent", "--user-id", "alice"))
    line = same_error(
        aws, cli, DATA, "get-resource-api-key", "--workload-identity-token", for_user["workloadAccessToken"],
        "--resource-credential-provider-name", "nosuch",
    )  # fmt: skip
    assert "(ResourceNotFoundException) when calling the GetResourceApiKey operation" in line

    ok(cli("create-oauth2-credential-provider", "--name", "corp", "--credential-provider-vendor", "CustomOauth2",
           "--discovery-url", oauth_server.discovery_url, "--client-id", "app", "--client-secret", "-",
           input="s3cret-client"))  # fmt: skip
    m2m = ok(
        aws(DATA, "get-resource-oauth2-token", "--workload-identity-token", theirs,
            "--resource-credential-provider-name", "corp", "--scopes", "read", "--oauth2-flow", "M2M")
    )  # fmt: skip
    (issued,) = [t for t in oauth_server.tokens if t.user is None]
    assert m2m == {"accessToken": issued.access_token}
    # The same call through this tool answers from the vault's cache: the same token.
    same(aws, cli, DATA, "get-resource-oauth2-token", "--workload-identity-token", theirs,
         "--resource-credential-provider-name", "corp", "--scopes", "read", "--oauth2-flow", "M2M")  # fmt: skip
    started = ok(
        aws(DATA, "get-resource-oauth2-token", "--workload-identity-token", for_user["workloadAccessToken"],
            "--resource-credential-provider-name", "corp", "--scopes", "read", "--oauth2-flow", "USER_FEDERATION")
    )  # fmt: skip
    assert started["sessionStatus"] == "IN_PROGRESS" and started["sessionUri"].startswith("urn:ietf:params:oauth")
    line = same_error(
        aws, cli, DATA, "complete-resource-token-auth", "--session-uri", started["sessionUri"],
        "--user-identifier", "userId=mallory",
    )  # fmt: skip
    assert "(AccessDeniedException) when calling the CompleteResourceTokenAuth operation" in line


def test_endpoint_url_flag_works_without_the_endpoint_variables(serve: Served, aws: Aws, cli: Any):
    ok(cli("create-workload-identity", "--name", "agent"))
    env = {k: v for k, v in serve.env.items() if not k.startswith("AWS_ENDPOINT_URL")}
    proc = subprocess.run(
        [AWS_CLI, CONTROL, "list-workload-identities", "--endpoint-url", serve.url, "--output", "json"],
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(serve.home), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == ok(cli("list-workload-identities"))
