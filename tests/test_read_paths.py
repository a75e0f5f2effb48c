"""The read commands load no pydantic: their requests pass the plain checks generated from the
same service model as the pydantic models (models/generated/checks.py), and Typer reads their
option values without its pydantic adapters (cli/coercion.py). What the plain checks cannot
pass goes to the models, so every refusal keeps the models' words.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agentcore_identity_cli.errors import ParamValidationError, ServiceError
from agentcore_identity_cli.models.base import check_service_constraints, validate_request
from agentcore_identity_cli.models.generated import request_model
from agentcore_identity_cli.models.generated.checks import FLAT
from agentcore_identity_cli.models.plain import plain_request
from tests.conftest import modules_loaded
from tests.oauth_server import AuthServer, create_provider, oauth_server  # noqa: F401

PROBE = """
import json, sys
from agentcore_identity_cli.cli.app import main
codes = [main(json.loads(arg)) for arg in sys.argv[1:]]
print("\\n" + json.dumps({"codes": codes, "pydantic": "pydantic" in sys.modules}))
"""


def _run(*commands: list[str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *(json.dumps(c) for c in commands)],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture
def provider(cli: Any) -> str:
    result = cli("create-api-key-credential-provider", "--name", "openai", "--api-key", "-", input="sk-1")
    assert result.exit_code == 0, result.stderr
    cli("api-key", "openai")  # the default workload identity, made on first use (a write)
    return "openai"


READS = [
    ["get-api-key-credential-provider", "--name", "openai", "--output", "json"],
    ["list-api-key-credential-providers", "--max-items", "1", "--page-size", "5", "--output", "json"],
    ["--cli-read-timeout", "2.5", "list-workload-identities", "--output", "text"],
    ["api-key", "openai"],
    ["get-token-vault"],
]


@pytest.mark.parametrize("args", READS, ids=[a[0] if a[0] != "--cli-read-timeout" else a[2] for a in READS])
def test_a_read_command_does_not_import_pydantic(args: list[str], provider: str, home: Path) -> None:
    result = _run(args)
    assert result == {"codes": [0], "pydantic": False}


def test_a_refused_read_still_answers_in_the_models_words(provider: str, cli: Any) -> None:
    bad = cli("get-api-key-credential-provider", "--name", "bad name!")
    assert bad.exit_code == 254
    assert "name may contain only letters, digits, '-' and '_'" in bad.stderr
    low = cli("list-api-key-credential-providers", "--max-results", "0")  # Typer's own conversion refuses it
    assert low.exit_code == 252
    assert "Invalid value for '--max-results': Input should be greater than or equal to 1" in low.stderr


CLIENT_CODE = ("agentcore_identity_cli.oauth.flows", "authlib", "httpx")


def test_a_cached_m2m_token_loads_no_oauth_client_code(cli: Any, oauth_server: AuthServer, home: Path) -> None:  # noqa: F811
    """The loop `$(agentcore-identity token P)` reads the cache: no OAuth library is imported."""
    create_provider(cli, oauth_server)
    assert cli("token", "corp").exit_code == 0  # fetched, and cached
    assert modules_loaded(["token", "corp"], CLIENT_CODE) == (0, [])
    assert oauth_server.stats["token:client_credentials"] == 1


def test_a_write_still_validates_with_the_models(home: Path) -> None:
    result = _run(["create-workload-identity", "--name", "agent-1"])
    assert result == {"codes": [0], "pydantic": True}


# --- the plain checks agree with the models --------------------------------------------


def _sample(kind: str, constraint: Any) -> Any:
    if kind == "boolean":
        return True
    if kind == "integer":
        return constraint.min if constraint is not None and constraint.min is not None else 5
    if constraint is not None and constraint.enum:
        return constraint.enum[0]
    if constraint is not None and constraint.pattern and "arn:" in constraint.pattern:
        return "arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity-directory/default"
    return "abc-12345XY"


@pytest.mark.parametrize("operation", sorted(FLAT))
def test_what_the_plain_checks_pass_the_models_pass_alike(operation: str) -> None:
    members = FLAT[operation]
    params = {name: _sample(kind, constraint) for name, (kind, _, constraint) in members.items()}
    model = request_model(operation)
    for request in (params, {k: v for k, v in params.items() if members[k][1]}):
        passed = plain_request(operation, request)
        if passed is not None:
            assert passed == validate_request(model, request).to_aws()
            assert list(passed) == list(validate_request(model, request).to_aws())
        if plain_request(operation, request, service=True) is not None:
            check_service_constraints(model, request)  # refuses nothing


@pytest.mark.parametrize(
    "params",
    [
        {},  # the required name missing
        {"name": ""},  # below botocore's minimum
        {"name": 5},  # not a string
        {"name": "openai", "extra": "x"},  # not a member
    ],
)
def test_what_the_plain_checks_refuse_the_models_refuse(params: dict[str, Any]) -> None:
    assert plain_request("GetApiKeyCredentialProvider", params) is None
    with pytest.raises(ParamValidationError):
        validate_request(request_model("GetApiKeyCredentialProvider"), params)


def test_a_service_check_the_plain_checks_fail_is_the_models_to_word() -> None:
    params = {"name": "bad name!"}
    assert plain_request("GetApiKeyCredentialProvider", params) == params  # botocore would send it
    assert plain_request("GetApiKeyCredentialProvider", params, service=True) is None
    with pytest.raises(ServiceError):
        check_service_constraints(request_model("GetApiKeyCredentialProvider"), params)


def test_a_number_of_another_type_is_left_to_the_models() -> None:
    # pydantic's lax mode takes "5" for an integer; the plain checks leave that to it.
    assert plain_request("ListApiKeyCredentialProviders", {"maxResults": "5"}) is None
    assert plain_request("ListApiKeyCredentialProviders", {"maxResults": True}) is None
    assert plain_request("ListApiKeyCredentialProviders", {"maxResults": 5}) == {"maxResults": 5}


def test_version_alone_is_answered_before_the_command_line_is_built() -> None:
    """`--version` by itself imports neither Typer nor rich; after a command it is Typer's option."""
    from agentcore_identity_cli import __version__

    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "agentcore_identity_cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (0, f"agentcore-identity {__version__}\n")
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time")}
    assert not {name for name in imported if name.split(".")[0] in ("typer", "rich", "pydantic")}
    after = subprocess.run(
        [sys.executable, "-m", "agentcore_identity_cli", "list-workload-identities", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (after.returncode, after.stdout) == (0, f"agentcore-identity {__version__}\n")
