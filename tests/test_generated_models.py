"""The request models are generated from botocore's service models and kept current."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings

import botocore

from tests.conftest import ROOT


def test_generated_models_and_operations_table_match_the_pinned_copy():
    """Whatever botocore is installed, the models and the table follow data/models/ alone."""
    result = subprocess.run(
        [sys.executable, "scripts/generate_models.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr + "\nrun: python scripts/generate_models.py"


def Version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_the_copy_is_no_newer_than_the_oldest_botocore_the_install_allows():
    """A fresh install must get a botocore at least as new as the copy, so the aws backend
    knows every operation the CLI offers."""
    import tomllib

    copy = json.loads((ROOT / "agentcore_identity_cli" / "data" / "models" / "bedrock-agentcore.json").read_text())
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    floors = {}
    for spec in dependencies:
        match = re.fullmatch(r"(boto3|botocore)>=([0-9.]+)", spec)
        if match:
            floors[match.group(1)] = Version(match.group(2))
    assert floors.get("botocore", (0,)) >= Version(copy["botocore"]), dependencies
    assert floors.get("boto3", (0,)) >= Version(copy["botocore"]), dependencies
    assert Version(botocore.__version__) >= Version(copy["botocore"])


def test_newer_botocore_identity_members_are_reported_not_failed():
    """The installed botocore may know operations or members the copy lacks: that is news
    for whoever refreshes the copy (--update-copy), shown as a warning, never a failure."""
    result = subprocess.run(
        [sys.executable, "scripts/generate_models.py", "--compare-installed"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    report = result.stdout.strip()
    assert report
    if "not in the copy" in report:
        warnings.warn(
            UserWarning("the installed botocore's identity API is newer than the copy:\n" + report), stacklevel=1
        )


def test_compare_installed_names_what_the_copy_lacks(tmp_path):
    """The report finds an operation and a member that a trimmed copy lacks."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import generate_models
    finally:
        sys.path.pop(0)
    pinned = generate_models.load_copy("bedrock-agentcore")
    del pinned["operations"]["GetResourcePaymentToken"]
    del pinned["shapes"]["GetResourceOauth2TokenRequest"]["members"]["audiences"]
    (tmp_path / "bedrock-agentcore.json").write_text(json.dumps(pinned))
    control = generate_models.load_copy("bedrock-agentcore-control")
    (tmp_path / "bedrock-agentcore-control.json").write_text(json.dumps(control))
    original = generate_models.COPY
    generate_models.COPY = tmp_path
    try:
        report = generate_models.compare_installed()
    finally:
        generate_models.COPY = original
    assert any("GetResourcePaymentToken: operation not in the copy" in line for line in report), report
    assert any("GetResourceOauth2Token input: member audiences not in the copy" in line for line in report), report


def test_every_operation_has_a_request_model():
    import json

    from agentcore_identity_cli.models.generated import REQUESTS

    table = json.loads((ROOT / "agentcore_identity_cli" / "data" / "operations.json").read_text())["operations"]
    assert set(REQUESTS) == set(table)
    from agentcore_identity_cli.models.generated import request_model

    for operation in table:
        assert request_model(operation).__name__ == operation + "Request"


def test_sensitive_members_are_secret_strings():
    from pydantic import SecretStr

    from agentcore_identity_cli.models.generated.apikey import CreateApiKeyCredentialProviderRequest

    request = CreateApiKeyCredentialProviderRequest(name="x", apiKey=SecretStr("sk-123"))
    assert "sk-123" not in repr(request)
    assert request.to_aws()["apiKey"] == "sk-123"
