"""IAM's wildcard matching: `*` any run of characters (even across ':' and '/'), `?` any one."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1024)
def _pattern(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """Whether `value` matches `pattern` as IAM matches actions (ignore_case) and resources."""
    return _pattern(pattern, ignore_case).fullmatch(value) is not None
