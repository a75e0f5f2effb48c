"""Option types shared by several commands, so each is declared once."""

from __future__ import annotations

from typing import Annotated

import typer

from agentcore_identity_cli.cli.context import Paging
from agentcore_identity_cli.cli.listings import print_listing
from agentcore_identity_cli.cli.root import command, get_context

Tags = Annotated[
    str | None,
    typer.Option("--tags", help="Tags: JSON, shorthand Key=Value,Key2=Value2, or file://PATH."),
]
MaxItems = Annotated[
    int | None,
    typer.Option("--max-items", min=1, help="The total number of items to return; prints a NextToken to resume."),
]
StartingToken = Annotated[
    str | None, typer.Option("--starting-token", help="Resume from the NextToken of an earlier --max-items call.")
]
PageSize = Annotated[int | None, typer.Option("--page-size", min=1, help="Items per service call.")]
NoPaginate = Annotated[
    bool, typer.Option("--no-paginate", help="Make one call and print its nextToken instead of following it.")
]
# The API's own members, undocumented as in the AWS CLI: either one makes a single call.
MaxResults = Annotated[
    int | None, typer.Option("--max-results", min=1, hidden=True, help="maxResults of a single call (--no-paginate).")
]
NextToken = Annotated[
    str | None, typer.Option("--next-token", hidden=True, help="nextToken of a single call (--no-paginate).")
]


def list_command(name: str, help_text: str) -> None:
    """Register a list command (cli/listings.py): it follows nextToken, with the AWS CLI's pagination options."""

    @command(name, help_text)
    def list_resources(
        ctx: typer.Context,
        max_items: MaxItems = None,
        starting_token: StartingToken = None,
        page_size: PageSize = None,
        no_paginate: NoPaginate = False,
        max_results: MaxResults = None,
        next_token: NextToken = None,
    ) -> None:
        pages = Paging(
            max_items=max_items,
            starting_token=starting_token,
            page_size=page_size,
            no_paginate=no_paginate,
            max_results=max_results,
            next_token=next_token,
        )
        print_listing(get_context(ctx), name, pages)
