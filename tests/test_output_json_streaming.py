"""A listing's JSON is written page by page (output.stream_json), byte for byte as the whole
document was: `--query @` still renders the whole document, so the two must agree."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentcore_identity_cli.backends.local.backend import LocalBackend
from agentcore_identity_cli.output import _iso, encode_indented, plain

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5, minutes=-30))])),
    st.binary(max_size=8),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(), st.integers(), st.booleans(), st.none()), inner, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(documents, st.sampled_from(["iso8601", "wire"]))
def test_the_indenting_encoder_writes_what_json_dumps_writes(document: Any, timestamp_format: str) -> None:
    expected = json.dumps(plain(document, timestamp_format), indent=4, ensure_ascii=False, default=_iso)
    assert encode_indented(document, "\n", timestamp_format) == expected


@pytest.mark.parametrize("document", [[{0: None}, {False: None}], [{1: "a"}, {True: "b"}, {1.0: "c"}]])
def test_keys_equal_in_python_but_not_in_json_are_written_as_json_writes_them(document: Any) -> None:
    # False == 0 and True == 1 == 1.0: a cache of member names must not take one for the other.
    expected = json.dumps(document, indent=4, ensure_ascii=False)
    assert encode_indented(document, "\n") == expected


@pytest.fixture
def providers(home: Path) -> int:
    backend = LocalBackend(home / "vault.db")
    count = 230  # three pages of the service's 100
    with backend.store.transaction():
        for number in range(count):
            backend.invoke("CreateApiKeyCredentialProvider", {"name": f"p-{number:03d}", "apiKey": "sk"})
    backend.close()
    return count


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--page-size", "7"],
        ["--max-items", "150"],  # cut short: the NextToken after the items
        ["--max-items", "30", "--page-size", "20", "--starting-token", "eyJuZXh0VG9rZW4iOiBudWxsLCAic2tpcCI6IDV9"],
    ],
    ids=["all", "page-size", "max-items", "resumed"],
)
def test_a_streamed_listing_is_the_whole_document_byte_for_byte(cli: Any, providers: int, options: list[str]) -> None:
    streamed = cli("list-api-key-credential-providers", "--output", "json", *options)
    whole = cli("list-api-key-credential-providers", "--output", "json", "--query", "@", *options)
    assert streamed.exit_code == whole.exit_code == 0, streamed.stderr + whole.stderr
    assert streamed.stdout == whole.stdout
    document = json.loads(streamed.stdout)
    if not options:
        assert len(document["credentialProviders"]) == providers


def test_an_empty_listing_streams_as_the_whole_document(cli: Any) -> None:
    streamed = cli("list-workload-identities", "--output", "json")
    whole = cli("list-workload-identities", "--output", "json", "--query", "@")
    assert streamed.stdout == whole.stdout == '{\n    "workloadIdentities": []\n}\n'


def test_wire_timestamps_stream_as_the_whole_document(cli: Any, providers: int, home: Path) -> None:
    assert cli("configure", "set", "cli_timestamp_format", "wire").exit_code == 0
    streamed = cli("list-api-key-credential-providers", "--output", "json", "--max-items", "3")
    whole = cli("list-api-key-credential-providers", "--output", "json", "--max-items", "3", "--query", "@")
    assert streamed.stdout == whole.stdout
    assert isinstance(json.loads(streamed.stdout)["credentialProviders"][0]["createdTime"], int | float)


def test_the_indenting_encoder_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError):
        encode_indented({"when": datetime.now(UTC).date()}, "\n")
