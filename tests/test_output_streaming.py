"""text and yaml-stream print each page of a listing as it arrives, as the AWS CLI does.

The aws backend lists from a loopback endpoint speaking the service's wire protocol
(tests/aws_wire_server.py) that holds back its second page until the test lets it go: the
first page must be on stdout by then for text and yaml-stream (AWS CLI's TextFormatter and
v2's StreamedYAMLFormatter), and nothing for json, which prints the whole result at the end.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.aws_wire_server import ACCESS_KEY, SECRET_KEY, WireServer


class HeldServer(WireServer):
    """Answers the first page at once and any later page only once `release` is set."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.release = threading.Event()

    def _page(self, route: Any, params: dict[str, Any]) -> Any:
        if params.get("nextToken"):
            self.release.wait(60)
        return super()._page(route, params)


@pytest.fixture
def held() -> Iterator[HeldServer]:
    server = HeldServer(items=4, page_size=2)
    with server:
        yield server
        server.release.set()
        assert server.failures == [], server.failures


def _start(server: WireServer, fmt: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "1",
    }
    args = ["--backend", "aws", "--region", "us-east-1", "--endpoint-url", server.url, "--output", fmt]
    return subprocess.Popen(
        [sys.executable, "-m", "agentcore_identity_cli", *args, "list-workload-identities"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _lines(proc: subprocess.Popen[str]) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    return lines


def _wait_for_second_request(server: WireServer) -> None:
    deadline = time.monotonic() + 30
    while len(server.requests) < 2:
        assert time.monotonic() < deadline, "the second page was never asked for"
        time.sleep(0.02)


def _take(lines: queue.Queue[str], count: int) -> list[str]:
    return [lines.get(timeout=30) for _ in range(count)]


def _rest(lines: queue.Queue[str]) -> list[str]:
    """The lines still to come once the process has ended."""
    rest = []
    while True:
        try:
            rest.append(lines.get(timeout=5))
        except queue.Empty:
            return rest


@pytest.mark.parametrize(
    ("fmt", "first_page_lines", "item_marker"),
    [("yaml-stream", 6, "  - name: "), ("text", 2, "WORKLOADIDENTITIES\t")],
)
def test_each_page_is_printed_before_the_next_one_arrives(held: HeldServer, fmt, first_page_lines, item_marker):
    proc = _start(held, fmt)
    lines = _lines(proc)
    _wait_for_second_request(held)
    first = _take(lines, first_page_lines)  # printed while the second page is held back
    assert sum(line.startswith(item_marker) for line in first) == 2
    assert proc.poll() is None
    held.release.set()
    assert proc.wait(timeout=60) == 0
    rest = _rest(lines)
    assert sum(line.startswith(item_marker) for line in first + rest) == 4
    if fmt == "yaml-stream":
        assert first[0].startswith("- nextToken: ")  # the page as the service sent it
        assert rest[0] == "- workloadIdentities:\n"


def test_json_prints_only_once_every_page_is_in(held: HeldServer):
    proc = _start(held, "json")
    lines = _lines(proc)
    _wait_for_second_request(held)
    time.sleep(0.5)
    assert lines.empty()
    held.release.set()
    assert proc.wait(timeout=60) == 0
    document = "".join(_rest(lines))
    assert document.count('"name"') == 4
