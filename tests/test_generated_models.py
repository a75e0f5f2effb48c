"""The request models are generated from botocore's service models and kept current."""

from __future__ import annotations

import re
import subprocess
import sys

import botocore
import pytest

from tests.conftest import ROOT


def _generated_from() -> str:
    header = (ROOT / "agentcore_identity_cli" / "models" / "generated" / "__init__.py").read_text().splitlines()[0]
    match = re.search(r"botocore (\S+?)\.?$", header)
    assert match, header
    return match.group(1)


def test_generated_models_are_current():
    if _generated_from() != botocore.__version__:
        pytest.skip(f"models generated from botocore {_generated_from()}, {botocore.__version__} installed")
    result = subprocess.run(
        [sys.executable, "scripts/generate_models.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr + "\nrun: python scripts/generate_models.py"


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
