"""The AWS CLI's pagination of a list command: pages walked one by one, as botocore's PageIterator.

A list command hands the renderer a `Pages` object rather than one document, so that each
format can do what the AWS CLI does with it: json, table and yaml print the whole result
(`build_full_result`), text and yaml-stream print each page as it arrives. `--max-items`
cuts the last page short and leaves a `resume_token` (the `NextToken` to pass to
`--starting-token`), which tells where to resume and how many items of that page to skip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from agentcore_identity_cli.cli.context import decode_cli_token, encode_cli_token

# The member of a list response that carries the service's token of the next page.
SERVICE_TOKEN = "nextToken"


Fetch = Callable[[str | None, int | None], dict[str, Any]]


class Pages:
    """The pages of one listing, fetched lazily, each at most once.

    `fetch(token, page_size)` makes one call and returns its response. Iterating yields each
    response with its result list cut as --starting-token and --max-items say (the service's
    own `nextToken` left in it, as botocore leaves it); iterate once only.
    """

    def __init__(
        self,
        fetch: Fetch,
        key: str,
        *,
        max_items: int | None = None,
        starting_token: str | None = None,
        page_size: int | None = None,
        operation: str | None = None,
    ) -> None:
        self.key = key
        self.operation = operation
        self.resume_token: str | None = None
        self.non_aggregate_part: dict[str, Any] = {}
        self._fetch = fetch
        self._max_items = max_items
        self._starting_token = starting_token
        self._page_size = page_size
        self._started = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self._started:
            raise RuntimeError("the pages of a listing are fetched once")
        self._started = True
        key, max_items = self.key, self._max_items
        token, skip = decode_cli_token(self._starting_token)
        total = 0
        first = True
        while True:
            response = self._fetch(token, self._page_size)
            whole = response.get(key) or []
            items = whole[skip:]
            page = dict(response)
            if key in page:
                page[key] = items
            if first:
                self.non_aggregate_part = {k: v for k, v in response.items() if k not in (key, SERVICE_TOKEN)}
                first = False
            if max_items is not None and total + len(items) >= max_items:
                need = max_items - total
                if need < len(items):
                    page[key] = items[:need]
                    self.resume_token = encode_cli_token(token, skip + need)
                elif response.get(SERVICE_TOKEN):
                    self.resume_token = encode_cli_token(response[SERVICE_TOKEN], 0)
                yield page
                return
            yield page
            total += len(items)
            # Resumed with a smaller --page-size than the one that made the token, the
            # items to skip can run past this page: skip the rest on the next one.
            skip = max(0, skip - len(whole))
            token = response.get(SERVICE_TOKEN)
            if not token:
                return

    def build_full_result(self) -> dict[str, Any]:
        """Every page's items under the result key, the other members, and NextToken when cut short."""
        items: list[Any] = []
        for page in self:
            items.extend(page.get(self.key) or [])
        result: dict[str, Any] = {self.key: items, **self.non_aggregate_part}
        if self.resume_token is not None:
            result["NextToken"] = self.resume_token
        return result
