"""Start-up: the local path never imports boto3 or botocore; the aws path imports botocore only.

Each command runs in a fresh interpreter, so sys.modules shows exactly what it imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import json, sys
from agentcore_identity_cli.cli.app import main
code = main(json.loads(sys.argv[1]))
loaded = sorted(name for name in ("boto3", "botocore", "s3transfer") if name in sys.modules)
print("\\n" + json.dumps({"code": code, "loaded": loaded}))
"""


def _run(args: list[str], stdin: str = "") -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1"},
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


LOCAL_COMMANDS = [
    ["--version"],
    ["--help"],
    ["list-api-key-credential-providers"],
    ["create-api-key-credential-provider", "--name", "openai", "--api-key", "-"],
    ["create-workload-identity", "--name", "agent-1"],
    ["get-token-vault"],
    ["get-api-key-credential-provider", "--name", "nosuch"],  # an error path too
    ["configure", "list"],
]


@pytest.mark.parametrize("args", LOCAL_COMMANDS, ids=[" ".join(args[:1]) for args in LOCAL_COMMANDS])
def test_a_local_command_imports_neither_boto3_nor_botocore(args: list[str], home: Path) -> None:
    result = _run(args, stdin="sk-123\n")
    assert result["code"] in (0, 254)
    assert result["loaded"] == []


def test_the_aws_backend_imports_botocore_but_not_boto3(home: Path) -> None:
    result = _run(
        ["--backend", "aws", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9", "get-token-vault"]
    )
    assert result["code"] in (253, 255)  # no credentials, or nothing listening: either way, no boto3
    assert result["loaded"] == ["botocore"]
