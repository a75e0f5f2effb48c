"""Values from files and stdin are read up to their member's maximum, and only from regular files."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import run_process

API_KEY_MAX = 65536  # CreateApiKeyCredentialProviderRequest.apiKey max_length
UNTYPED_MAX = 128 * 1024


def test_api_key_from_dev_zero_file_is_refused_252_as_not_a_regular_file(cli):
    result = cli("create-api-key-credential-provider", "--name", "k", "--api-key", "file:///dev/zero")
    assert result.exit_code == 252
    assert "--api-key" in result.stderr
    assert "not a regular file" in result.stderr


def test_api_key_from_dev_zero_on_stdin_exits_252_naming_the_flag_without_reading_it_all():
    started = time.monotonic()
    with open("/dev/zero", "rb") as zero:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "agentcore_identity_cli",
                "create-api-key-credential-provider",
                "--name",
                "k",
                "--api-key",
                "-",
            ],
            stdin=zero,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 252
    assert "--api-key" in proc.stderr
    assert f"maximum of {API_KEY_MAX} characters" in proc.stderr
    assert "unexpected" not in proc.stderr.lower()
    assert time.monotonic() - started < 30


def test_file_naming_a_fifo_is_refused_at_once_with_252(tmp_path: Path):
    fifo = tmp_path / "key.fifo"
    os.mkfifo(fifo)
    started = time.monotonic()
    result = run_process("create-api-key-credential-provider", "--name", "k", "--api-key", f"file://{fifo}", timeout=30)
    assert result.exit_code == 252
    assert "--api-key" in result.stderr and "not a regular file" in result.stderr
    assert time.monotonic() - started < 20


def test_file_naming_a_folder_is_refused_with_252(cli, tmp_path: Path):
    result = cli("create-api-key-credential-provider", "--name", "k", "--api-key", f"file://{tmp_path}")
    assert result.exit_code == 252
    assert "--api-key" in result.stderr


def test_api_key_file_one_character_over_the_member_maximum_is_refused(cli, tmp_path: Path):
    path = tmp_path / "key"
    path.write_text("k" * (API_KEY_MAX + 1))
    result = cli("create-api-key-credential-provider", "--name", "k", "--api-key", f"file://{path}")
    assert result.exit_code == 252
    assert f"--api-key is longer than its maximum of {API_KEY_MAX} characters" in result.stderr
    assert "kkkk" not in result.stderr


def test_api_key_file_at_the_member_maximum_with_final_newline_is_accepted(cli, tmp_path: Path):
    path = tmp_path / "key"
    path.write_text("é" * API_KEY_MAX + "\n")  # characters, not bytes, are counted
    result = cli("create-api-key-credential-provider", "--name", "k", "--api-key", f"file://{path}")
    assert result.exit_code == 0, result.stderr


def test_api_key_on_stdin_at_the_maximum_is_accepted_and_one_over_is_refused(cli):
    at_max = cli("create-api-key-credential-provider", "--name", "a", "--api-key", "-", input="k" * API_KEY_MAX)
    assert at_max.exit_code == 0, at_max.stderr
    over = cli("create-api-key-credential-provider", "--name", "b", "--api-key", "-", input="k" * (API_KEY_MAX + 1))
    assert over.exit_code == 252
    assert "--api-key" in over.stderr


def test_user_token_on_stdin_is_bounded_by_its_own_member_maximum(cli):
    result = cli("get-workload-access-token-for-jwt", "--workload-name", "w", "--user-token", "-", input="a" * 200_000)
    assert result.exit_code == 252
    assert "--user-token is longer than its maximum of 131072 characters" in result.stderr


def test_structured_file_over_the_untyped_cap_is_refused(cli, tmp_path: Path):
    path = tmp_path / "tags.json"
    path.write_text('{"a": "' + "b" * UNTYPED_MAX + '"}')
    result = cli(
        "create-api-key-credential-provider", "--name", "k", "--api-key", "-", "--tags", f"file://{path}", input="key"
    )
    assert result.exit_code == 252
    assert "--tags" in result.stderr and f"maximum of {UNTYPED_MAX} characters" in result.stderr


def test_plain_parameter_from_a_fifo_is_refused_too(tmp_path: Path):
    fifo = tmp_path / "name.fifo"
    os.mkfifo(fifo)
    result = run_process("get-api-key-credential-provider", "--name", f"file://{fifo}", timeout=30)
    assert result.exit_code == 252
    assert "--name" in result.stderr and "not a regular file" in result.stderr
