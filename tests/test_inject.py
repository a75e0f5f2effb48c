"""`inject`: templates rendered with secrets, written 0600 and atomically, never over a stranger's file."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from tests.run_support import API_KEY, add_api_key

TEMPLATE = """\
# settings for the agent
openai:
  api_key: "{{ agentcore://api-key/openai }}"
  again: {{agentcore://api-key/openai}}
jinja_stays: "{{ other.placeholder }}"
"""
RENDERED = TEMPLATE.replace("{{ agentcore://api-key/openai }}", API_KEY).replace(
    "{{agentcore://api-key/openai}}", API_KEY
)


@pytest.fixture(autouse=True)
def openai(cli: Any) -> None:
    add_api_key(cli)


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml.tpl"
    path.write_text(TEMPLATE)
    return path


def test_stdin_to_stdout(cli: Any) -> None:
    result = cli("inject", input=TEMPLATE)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == RENDERED
    assert result.stderr == ""


def test_a_file_is_written_0600_whatever_the_umask_and_leaves_no_temporary_file(
    cli: Any, template: Path, tmp_path: Path
) -> None:
    out = tmp_path / "config.yaml"
    previous = os.umask(0)
    try:
        result = cli("inject", "-i", str(template), "-o", str(out))
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    assert out.read_text() == RENDERED
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml", "config.yaml.tpl", "home"]


def test_its_own_output_is_replaced_but_not_a_file_it_did_not_write(cli: Any, template: Path, tmp_path: Path) -> None:
    out = tmp_path / "config.yaml"
    assert cli("inject", "-i", str(template), "-o", str(out)).exit_code == 0
    again = cli("inject", "-i", str(template), "-o", str(out))  # its own output: fine
    assert again.exit_code == 0, again.stderr

    out.write_text("edited by hand\n")  # changed since: no longer inject's
    refused = cli("inject", "-i", str(template), "-o", str(out))
    assert refused.exit_code == 252
    assert "is not a file that inject wrote (or it was changed since)" in refused.stderr
    assert "Hint: pass --force to replace it" in refused.stderr
    assert out.read_text() == "edited by hand\n"

    theirs = tmp_path / "notes.txt"
    theirs.write_text("mine\n")
    assert cli("inject", "-i", str(template), "-o", str(theirs)).exit_code == 252
    assert theirs.read_text() == "mine\n"
    forced = cli("inject", "-i", str(template), "-o", str(theirs), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert theirs.read_text() == RENDERED


def test_a_refused_target_is_refused_before_any_secret_is_read(cli: Any, template: Path, tmp_path: Path) -> None:
    theirs = tmp_path / "notes.txt"
    theirs.write_text("mine\n")
    assert cli("inject", "-i", str(template), "-o", str(theirs)).exit_code == 252
    events = json.loads(cli("audit", "list", "--output", "json").stdout)["events"]
    assert not [e for e in events if e["operation"] == "GetResourceApiKey"]


def test_the_template_itself_is_not_overwritten(cli: Any, template: Path) -> None:
    result = cli("inject", "-i", str(template), "-o", str(template))
    assert result.exit_code == 252
    assert template.read_text() == TEMPLATE


def test_file_mode_sets_the_permissions_and_warns_when_others_may_read(
    cli: Any, template: Path, tmp_path: Path
) -> None:
    private = tmp_path / "private.yaml"
    assert cli("inject", "-i", str(template), "-o", str(private), "--file-mode", "0400").exit_code == 0
    assert stat.S_IMODE(private.stat().st_mode) == 0o400
    shared = tmp_path / "shared.yaml"
    result = cli("inject", "-i", str(template), "-o", str(shared), "--file-mode", "644")
    assert result.exit_code == 0
    assert stat.S_IMODE(shared.stat().st_mode) == 0o644
    assert "holds secrets and other users may read it (mode 0644)" in result.stderr


@pytest.mark.parametrize("mode", ["999", "4755", "rw", "-1", ""])
def test_a_bad_file_mode_is_a_usage_error(cli: Any, template: Path, tmp_path: Path, mode: str) -> None:
    result = cli("inject", "-i", str(template), "-o", str(tmp_path / "out"), "--file-mode", mode)
    assert result.exit_code == 252
    assert "--file-mode" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_missing_provider_writes_nothing(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    result = cli(
        "inject", "-o", str(out), input="a: {{ agentcore://api-key/openai }}\nb: {{ agentcore://api-key/opena }}\n"
    )
    assert result.exit_code == 254
    assert "did you mean 'openai'?" in result.stderr
    assert not out.exists()
    assert API_KEY not in result.stdout + result.stderr


def test_a_bad_reference_names_its_line(cli: Any) -> None:
    result = cli("inject", input="ok\n\nkey: {{ agentcore://api-kee/openai }}\n")
    assert result.exit_code == 252
    assert "Bad secret reference in the template on standard input, line 3" in result.stderr
    assert "did you mean 'agentcore://api-key/openai'?" in result.stderr


def test_a_template_without_references_passes_through(cli: Any) -> None:
    result = cli("inject", input="plain {{ text }}\n", tty=True)
    assert result.stdout == "plain {{ text }}\n"
    assert result.stderr == ""  # no secret printed: no caution


def test_secrets_printed_on_a_terminal_earn_a_caution(cli: Any) -> None:
    result = cli("inject", input="{{ agentcore://api-key/openai }}", tty=True)
    assert result.stdout == API_KEY
    assert "Warning: secrets printed on this terminal" in result.stderr


def test_unreadable_templates_and_targets_are_usage_errors(cli: Any, tmp_path: Path) -> None:
    assert cli("inject", "-i", str(tmp_path / "missing")).exit_code == 252
    assert cli("inject", "-i", str(tmp_path)).exit_code == 252
    (tmp_path / "binary").write_bytes(b"\xff\xfe")
    assert cli("inject", "-i", str(tmp_path / "binary")).exit_code == 252
    no_folder = cli("inject", "-o", str(tmp_path / "no" / "such" / "folder.yaml"), input="x")
    assert no_folder.exit_code == 252 and "does not exist" in no_folder.stderr
    folder = cli("inject", "-o", str(tmp_path), input="x")
    assert folder.exit_code == 252 and "it is a folder" in folder.stderr


def test_the_list_of_rendered_files_holds_no_secret(cli: Any, template: Path, tmp_path: Path, home: Path) -> None:
    assert cli("inject", "-i", str(template), "-o", str(tmp_path / "out.yaml")).exit_code == 0
    listing = home / "rendered-files.json"
    assert stat.S_IMODE(listing.stat().st_mode) == 0o600
    assert API_KEY not in listing.read_text()
    assert str(tmp_path / "out.yaml") in json.loads(listing.read_text())
