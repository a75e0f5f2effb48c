"""The bedrock-agentcore SDK, unchanged, as agent code uses it, against `serve`.

Each agent is a separate Python process (the SDK reads its endpoints when it is imported) whose
environment points at serve with only `BEDROCK_AGENTCORE_CP_ENDPOINT`,
`BEDROCK_AGENTCORE_DP_ENDPOINT` and the AWS credentials and region of `serve --print-env`.
The test side looks at the same vault through this tool's CLI.
"""
# ruff: noqa: F811 - the fixtures are imported from their support modules

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

from tests.browser_support import ReturnUrlServer, chromium, return_url_server, user_logs_in  # noqa: F401
from tests.oauth_server import AuthServer, create_provider, oauth_server  # noqa: F401
from tests.serve_support import Served, serve_fixture  # noqa: F401

AGENT_TIMEOUT = 120


def agent_env(serve: Served) -> dict[str, str]:
    """This process's environment minus every AWS endpoint setting, plus the SDK's endpoints."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "BEDROCK_AGENTCORE_"))}
    for name in (
        "BEDROCK_AGENTCORE_CP_ENDPOINT",
        "BEDROCK_AGENTCORE_DP_ENDPOINT",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_REGION",
    ):
        env[name] = serve.env[name]
    return env


def run_agent(serve: Served, folder: Path, code: str) -> subprocess.CompletedProcess[str]:
    script = folder / "agent.py"
    script.write_text(textwrap.dedent(code))
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=folder,
        env=agent_env(serve),
        capture_output=True,
        text=True,
        timeout=AGENT_TIMEOUT,
        check=False,
    )


def last_json(proc: subprocess.CompletedProcess[str]) -> Any:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_identity_client_sets_up_providers_and_workloads_that_the_cli_sees(serve: Served, cli: Any, tmp_path: Path):
    result = last_json(
        run_agent(
            serve,
            tmp_path,
            """
            import json
            from botocore.exceptions import ClientError
            from bedrock_agentcore.services.identity import IdentityClient, UserIdIdentifier

            client = IdentityClient("us-east-1")
            created = client.create_api_key_credential_provider({"name": "search", "apiKey": "sk-live-123"})
            workload = client.create_workload_identity("support-agent", ["http://127.0.0.1:9/return"])
            client.update_workload_identity("support-agent", ["http://127.0.0.1:9/return", "https://app.example.com/r"])
            fetched = client.get_workload_identity("support-agent")
            wat = client.get_workload_access_token("support-agent", user_id="alice")["workloadAccessToken"]
            import asyncio
            key = asyncio.run(client.get_api_key(provider_name="search", agent_identity_token=wat))
            try:
                client.complete_resource_token_auth(
                    "urn:ietf:params:oauth:request_uri:nosuchsession", UserIdIdentifier(user_id="alice")
                )
                denied = None
            except ClientError as exc:
                denied = exc.response["Error"]["Code"]
            print(json.dumps({
                "providerArn": created["credentialProviderArn"],
                "workloadArn": workload["workloadIdentityArn"],
                "returnUrls": fetched["allowedResourceOauth2ReturnUrls"],
                "key": key,
                "complete": denied,
            }))
            """,
        )
    )
    assert result["key"] == "sk-live-123"
    assert result["complete"] == "ResourceNotFoundException"
    provider = cli("get-api-key-credential-provider", "--name", "search").json()
    assert provider["credentialProviderArn"] == result["providerArn"]
    workload = cli("get-workload-identity", "--name", "support-agent").json()
    assert workload["workloadIdentityArn"] == result["workloadArn"]
    assert workload["allowedResourceOauth2ReturnUrls"] == result["returnUrls"]


def test_requires_api_key_on_the_sdks_local_development_path(serve: Served, cli: Any, tmp_path: Path):
    created = cli("create-api-key-credential-provider", "--name", "search", "--api-key", "-", input="sk-live-123")
    assert created.exit_code == 0, created.stderr
    code = """
        import json
        from bedrock_agentcore.identity.auth import requires_api_key

        @requires_api_key(provider_name="search")
        def call_search(query, *, api_key):
            return {"query": query, "key": api_key}

        print(json.dumps(call_search("weather")))
        """
    first = last_json(run_agent(serve, tmp_path, code))
    assert first == {"query": "weather", "key": "sk-live-123"}
    # The SDK created a workload identity through serve and kept it, with a user id, in .agentcore.json.
    local = json.loads((tmp_path / ".agentcore.json").read_text())
    names = [w["name"] for w in cli("list-workload-identities").json()["workloadIdentities"]]
    assert local["workload_identity_name"] in names
    # A second run reuses them: no second workload identity.
    assert last_json(run_agent(serve, tmp_path, code)) == first
    assert len(cli("list-workload-identities").json()["workloadIdentities"]) == len(names)


def test_requires_access_token_m2m_against_a_real_authorization_server(
    serve: Served, cli: Any, oauth_server: AuthServer, tmp_path: Path
):
    create_provider(cli, oauth_server)
    result = last_json(
        run_agent(
            serve,
            tmp_path,
            """
            import asyncio, json
            from bedrock_agentcore.identity.auth import requires_access_token

            @requires_access_token(provider_name="corp", scopes=["read"], auth_flow="M2M")
            async def list_items(*, access_token):
                return access_token

            print(json.dumps({"token": asyncio.run(list_items())}))
            """,
        )
    )
    (issued,) = [t for t in oauth_server.tokens if t.user is None]
    assert result["token"] == issued.access_token
    assert issued.scope == "read"
    assert oauth_server.stats["token:client_credentials"] == 1


def test_requires_access_token_user_federation_with_a_real_browser(
    serve: Served, cli: Any, oauth_server: AuthServer, chromium: Any, return_url_server: Any, tmp_path: Path
):
    create_provider(cli, oauth_server)
    dp = serve.client("bedrock-agentcore")

    def complete_for_alice(query: dict[str, str]) -> str:
        # The application knows alice is the one at this browser (its own login), and says so.
        dp.complete_resource_token_auth(sessionUri=query["session_id"], userIdentifier={"userId": "alice"})
        return "completed"

    app: ReturnUrlServer = return_url_server(complete_for_alice)
    workload = cli("create-workload-identity", "--name", "agent", "--allowed-resource-oauth2-return-urls", app.url)
    assert workload.exit_code == 0, workload.stderr
    # The SDK's local-development configuration: which workload identity, which user.
    (tmp_path / ".agentcore.json").write_text(json.dumps({"workload_identity_name": "agent", "user_id": "alice"}))
    script = tmp_path / "agent.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import json, sys
            from bedrock_agentcore.identity.auth import requires_access_token

            def send_link_to_user(url):
                print("AUTH_URL " + url, flush=True)

            @requires_access_token(
                provider_name="corp",
                scopes=["read"],
                auth_flow="USER_FEDERATION",
                on_auth_url=send_link_to_user,
                callback_url={app.url!r},
            )
            def read_calendar(*, access_token):
                return access_token

            print("TOKEN " + read_calendar(), flush=True)
            print("TOKEN " + read_calendar(), flush=True)
            """
        )
    )
    agent = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=agent_env(serve),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    errors: list[str] = []
    threading.Thread(target=lambda: errors.extend(agent.stderr or []), daemon=True).start()
    try:
        assert agent.stdout is not None
        # The SDK prints what it found in .agentcore.json first; the link comes after.
        first = ""
        while not first.startswith("AUTH_URL "):
            first = agent.stdout.readline()
            assert first, ("the agent ended without asking for consent", errors)
        visit = user_logs_in(chromium, first.split(" ", 1)[1].strip())
        assert visit.url.startswith(app.url) and "completed" in visit.text, app.errors
        out, _ = agent.communicate(timeout=AGENT_TIMEOUT)
    finally:
        if agent.poll() is None:
            agent.kill()
            agent.wait()
    assert agent.returncode == 0, "".join(errors)
    tokens = [line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("TOKEN ")]
    (issued,) = [t for t in oauth_server.tokens if t.user]
    assert tokens == [issued.access_token, issued.access_token]  # the second call needed no consent
    assert len(oauth_server.authorize_requests) == 1


def test_the_serve_example_runs_a_decorated_function_against_serve(serve: Served, cli: Any, tmp_path: Path):
    example = Path(__file__).resolve().parent.parent / "examples" / "serve_agent.py"
    created = cli(
        "create-api-key-credential-provider", "--name", "MyAPICredentialProvider", "--api-key", "-", input="sk-demo"
    )
    assert created.exit_code == 0, created.stderr
    proc = subprocess.run(
        [sys.executable, str(example)],
        cwd=tmp_path,
        env=agent_env(serve),
        capture_output=True,
        text=True,
        timeout=AGENT_TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "with a key of 7 characters" in proc.stdout
    serve.wait_for_log("GetResourceApiKey 200")
