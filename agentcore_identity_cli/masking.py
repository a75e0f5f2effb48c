"""Masking secrets in a stream of bytes, as it flows: what `run` does to its child's output.

Every occurrence of a secret is replaced by MASK, wherever the reads of the pipe split it.
Bytes are written on as soon as they cannot be the start of a secret; only a tail that is a
prefix of some secret is held back, until the next read shows whether the secret follows.
So output is never held back line by line, and a prompt without a newline appears at once,
unless it happens to end with the first characters of a secret: such a tail is let go after
IDLE_SECONDS without more output (see StreamMasker.release), and the masker remembers it,
so that a secret completed by a later write is still concealed from that point on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = b"<concealed by agentcore-identity>"
# How long a possible start of a secret is held back when the child writes nothing more
# (an interactive prompt): long enough for a write split by the pipe to arrive whole.
IDLE_SECONDS = 0.2
# A JWT is masked whole and segment by segment (header, claims, signature), since programs
# print decoded or split tokens; segments shorter than this are too common to mask.
MIN_SEGMENT = 8
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){2,4}")


def masked_values(secrets: Iterable[str]) -> list[bytes]:
    """The byte strings to conceal for these secrets: each one, and each segment of a JWT."""
    found: set[bytes] = set()
    for secret in secrets:
        if not secret:
            continue
        found.add(secret.encode())
        if _JWT.fullmatch(secret):
            found.update(part.encode() for part in secret.split(".") if len(part) >= MIN_SEGMENT)
    return sorted(found, key=len, reverse=True)


class StreamMasker:
    """Conceals secrets in one stream. feed() each read; finish() at end of stream."""

    def __init__(self, secrets: Iterable[bytes], mask: bytes = MASK) -> None:
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)
        self.mask = mask
        # Longest first, so that at one position the longest secret wins.
        self._pattern = re.compile(b"|".join(re.escape(s) for s in self.secrets)) if self.secrets else None
        self._longest = len(self.secrets[0]) if self.secrets else 0
        self._starts = frozenset(s[0] for s in self.secrets)
        self._held = b""  # a tail that may be the start of a secret
        self._shown = 0  # how many bytes of _held were already written (released when idle)

    @property
    def holding(self) -> bool:
        """Whether bytes are held back waiting for more output."""
        return len(self._held) > self._shown

    def feed(self, data: bytes) -> bytes:
        """The bytes that can be written now, secrets concealed."""
        if self._pattern is None:
            return data
        return self._process(self._held + data, final=False)

    def release(self) -> bytes:
        """Write out what is held (the child went quiet), still watching whether a secret follows."""
        out = self._held[self._shown :]
        self._shown = len(self._held)
        return out

    def finish(self) -> bytes:
        """End of stream: what is left."""
        if self._pattern is None:
            return b""
        return self._process(self._held, final=True)

    def _process(self, buffer: bytes, *, final: bool) -> bytes:
        assert self._pattern is not None
        shown = self._shown
        out: list[bytes] = []
        position = 0
        for match in self._pattern.finditer(buffer):
            if not final and self._may_grow(buffer[match.start() :]):
                break  # a longer secret may be under way: decide when more arrives
            out.append(buffer[max(position, shown) : max(match.start(), shown)])
            out.append(self.mask)  # also when its first bytes were already released
            position = match.end()
        hold = len(buffer) if final else self._hold_from(buffer, position)
        out.append(buffer[max(position, shown) : max(hold, shown)])
        self._held = buffer[hold:]
        self._shown = max(0, shown - hold)
        return b"".join(out)

    def _may_grow(self, tail: bytes) -> bool:
        """Whether `tail`, which begins with a whole secret, is a proper prefix of a longer one."""
        return len(tail) < self._longest and any(len(s) > len(tail) and s.startswith(tail) for s in self.secrets)

    def _hold_from(self, buffer: bytes, start: int) -> int:
        """Where the longest tail of buffer[start:] that is a proper prefix of a secret begins."""
        first = max(start, len(buffer) - self._longest + 1)
        for index in range(first, len(buffer)):
            if buffer[index] in self._starts:
                tail = buffer[index:]
                if any(len(s) > len(tail) and s.startswith(tail) for s in self.secrets):
                    return index
        return len(buffer)
