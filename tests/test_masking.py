"""The stream masker: secrets concealed wherever the reads split them, and nothing else held back."""

from __future__ import annotations

import random

from agentcore_identity_cli.masking import MASK, StreamMasker, masked_values

SECRET = b"sk-live-4f9a2c7e1b"
JWT = (
    "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiJhZ2VudCIsImV4cCI6MTcwMDAwMDAwMH0"
    ".MEUCIQDx3b1XfA9kq2pZr0u7wYvN5sT8cLmE4hJgKdR6oPqBzAIgaV"
)


def _run(masker: StreamMasker, chunks: list[bytes]) -> bytes:
    return b"".join(masker.feed(chunk) for chunk in chunks) + masker.finish()


def _split(data: bytes, sizes: list[int]) -> list[bytes]:
    chunks, position = [], 0
    for size in sizes:
        chunks.append(data[position : position + size])
        position += size
    chunks.append(data[position:])
    return chunks


def test_a_secret_split_into_one_byte_chunks_is_concealed() -> None:
    data = b"key=" + SECRET + b"\nnext line\n"
    out = _run(StreamMasker([SECRET]), [bytes([b]) for b in data])
    assert out == b"key=" + MASK + b"\nnext line\n"


def test_every_split_point_of_two_chunks_gives_the_same_output() -> None:
    data = b"a " + SECRET + b" b " + SECRET + SECRET + b" c"
    expected = b"a " + MASK + b" b " + MASK + MASK + b" c"
    for cut in range(len(data) + 1):
        assert _run(StreamMasker([SECRET]), [data[:cut], data[cut:]]) == expected, cut


def test_random_splits_of_a_long_stream_with_many_secrets() -> None:
    rng = random.Random(7)
    secrets = [SECRET, b"ghp_" + b"x" * 36, JWT.encode()]
    masker_values = masked_values([s.decode() for s in secrets])
    parts, expected = [], []
    for _ in range(300):
        text = bytes(rng.choice(b"abcdefsk-_.\n ") for _ in range(rng.randint(0, 40)))
        secret = rng.choice(secrets)
        parts += [text, secret]
        expected += [text, MASK]
    data = b"".join(parts)
    for _ in range(20):
        sizes = [rng.randint(1, 50) for _ in range(len(data) // 10)]
        out = _run(StreamMasker(masker_values), _split(data, sizes))
        assert out == b"".join(expected)


def test_a_secret_in_the_middle_of_a_long_line_is_concealed() -> None:
    line = b"x" * 100_000 + SECRET + b"y" * 100_000 + b"\n"
    out = _run(StreamMasker([SECRET]), _split(line, [4096] * 60))
    assert out == b"x" * 100_000 + MASK + b"y" * 100_000 + b"\n"


def test_output_that_cannot_start_a_secret_is_written_at_once() -> None:
    masker = StreamMasker([SECRET])
    assert masker.feed(b"Password: ") == b"Password: "  # a prompt without a newline is not held back
    assert not masker.holding
    assert masker.feed(b"line without end") == b"line without end"


def test_only_a_possible_start_of_a_secret_is_held_and_released_when_idle() -> None:
    masker = StreamMasker([SECRET])
    assert masker.feed(b"Continue? sk-") == b"Continue? "
    assert masker.holding
    assert masker.release() == b"sk-"  # the child went quiet: the tail is shown
    assert not masker.holding
    # The rest of the secret comes later: it is still concealed from where it continues.
    assert masker.feed(SECRET[3:] + b" done") == MASK + b" done"


def test_a_released_tail_that_is_not_a_secret_is_not_written_twice() -> None:
    masker = StreamMasker([SECRET])
    assert masker.feed(b"ask") == b"a"
    assert masker.release() == b"sk"
    assert masker.feed(b"ed\n") == b"ed\n"
    assert masker.finish() == b""


def test_a_jwt_is_concealed_whole_and_each_segment_alone() -> None:
    values = masked_values([JWT])
    header, claims, signature = JWT.split(".")
    data = f"token {JWT}\nheader {header}\nclaims {claims}\nsig {signature}\n".encode()
    out = _run(StreamMasker(values), [bytes([b]) for b in data])
    mask = MASK.decode()
    assert out.decode() == f"token {mask}\nheader {mask}\nclaims {mask}\nsig {mask}\n"


def test_the_longest_secret_wins_where_one_contains_another() -> None:
    short, long = b"abcdefgh", b"abcdefgh-and-more"
    for cut in range(1, len(long) + 3):
        data = b"<" + long + b">"
        assert _run(StreamMasker([short, long]), [data[:cut], data[cut:]]) == b"<" + MASK + b">", cut


def test_end_of_stream_writes_what_was_held() -> None:
    masker = StreamMasker([SECRET])
    assert masker.feed(b"tail sk-li") == b"tail "
    assert masker.finish() == b"sk-li"


def test_without_secrets_bytes_pass_through_unchanged() -> None:
    masker = StreamMasker([])
    assert masker.feed(b"\xff\x00anything") == b"\xff\x00anything"
    assert masker.finish() == b""


def test_short_jwt_segments_are_not_masked_alone() -> None:
    values = masked_values(["eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."])
    assert b"" not in values
    assert all(len(value) >= 8 for value in values)
