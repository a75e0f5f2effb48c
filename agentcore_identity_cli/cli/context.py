"""The context object handed to every command, and the one path a request travels.

flags -> request dict -> pydantic model (AWS constraints) -> backend.invoke -> response
-> --query -> renderer. The backend is created on first use, so commands that never
touch it (help, configure) never open the vault or import boto3.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentcore_identity_cli.backends.base import Backend
from agentcore_identity_cli.config import Settings
from agentcore_identity_cli.errors import UsageError
from agentcore_identity_cli.iostreams import IOStreams

if TYPE_CHECKING:
    from agentcore_identity_cli.cli.display import Display
    from agentcore_identity_cli.cli.paging import Pages


@dataclass
class CliInput:
    """The members a --cli-input-json/--cli-input-yaml gave, and whether to only print the
    output skeleton (--generate-cli-skeleton output)."""

    members: dict[str, Any] = field(default_factory=dict)
    skeleton_output: bool = False

    def has(self, member: str) -> bool:
        """Whether the input gives this member (a JSON null counts as not given)."""
        return self.members.get(member) is not None

    def get(self, member: str) -> Any:
        """The member as the input gives it, or None."""
        return self.members.get(member)

    def fill(self, params: dict[str, Any]) -> dict[str, Any]:
        """The request: members given by flags, then those of the input that the flags left out."""
        given = {key: value for key, value in params.items() if value is not None}
        return {**given, **{key: value for key, value in self.members.items() if key not in given}}


@dataclass
class Paging:
    """The AWS CLI's pagination options of a list command."""

    max_items: int | None = None
    starting_token: str | None = None
    page_size: int | None = None
    no_paginate: bool = False
    max_results: int | None = None  # the API's own members: either one means --no-paginate
    next_token: str | None = None

    def single_call(self) -> bool:
        """True for one call of the operation; refuses the options that only paginating uses.

        As the AWS CLI (awscli/customizations/paginate.py): --max-results or --next-token turn
        pagination off, and --starting-token, --page-size and --max-items do not go with it.
        """
        single = self.no_paginate or self.max_results is not None or self.next_token is not None
        used = [
            flag
            for flag, value in (
                ("--starting-token", self.starting_token),
                ("--page-size", self.page_size),
                ("--max-items", self.max_items),
            )
            if value is not None
        ]
        if single and used:
            raise UsageError(
                f"Error during pagination: Cannot specify --no-paginate along with pagination arguments: "
                f"{', '.join(used)}"
            )
        return single


@dataclass
class AppContext:
    """Settings, streams and the lazily created backend of one invocation."""

    settings: Settings
    io: IOStreams
    # --cli-input-json/--cli-input-yaml and --generate-cli-skeleton output of an operation command.
    cli_input: CliInput = field(default_factory=CliInput)
    _backend: Backend | None = field(default=None, repr=False)
    _display: Display | None = field(default=None, repr=False)
    # The last operation called and its response: a table of that response is titled with it.
    _last_call: tuple[str, dict[str, Any]] | None = field(default=None, repr=False)

    def backend(self) -> Backend:
        """The backend, created once per process on first use."""
        if self._backend is None:
            from agentcore_identity_cli.backends import create_backend

            prompt = self.io.prompt_secret if self.io.can_prompt else None
            self._backend = create_backend(self.settings, prompt=prompt)
        return self._backend

    def close(self) -> None:
        """Release the backend."""
        if self._backend is not None:
            self._backend.close()
            self._backend = None

    @property
    def display(self) -> Display:
        """How this invocation prints: format, timestamps, colour, width, pager (cli/display.py)."""
        if self._display is None:
            from agentcore_identity_cli.cli.display import Display

            self._display = Display(self.settings, self.io)
        return self._display

    @property
    def output(self) -> str:
        """The output format: flag, environment or profile (then the AWS CLI's, on the aws backend); else
        table on a terminal, json otherwise."""
        return self.display.output

    @property
    def bare_credential(self) -> bool:
        """Whether `api-key` and `token` print the credential alone, for `$(...)`.

        Only --output json|table or --query typed on this command line ask for a document;
        a profile's or the environment's `output` must not put a table into `$(...)`.
        """
        if self.settings.query is not None:
            return False
        return not self.settings.source("output").from_flag or self.settings.output == "text"

    # --- the request path -----------------------------------------------------------

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Validate a request against the API's constraints and run it on the backend.

        Members of --cli-input-json/--cli-input-yaml fill those the flags left out; with
        --generate-cli-skeleton output, a request that passes validation gets the sample
        response, and nothing is called.
        """
        from agentcore_identity_cli.client import validated_call

        params = self.cli_input.fill(params)
        if self.cli_input.skeleton_output:
            from agentcore_identity_cli.cli.cliinput import output_skeleton
            from agentcore_identity_cli.models.base import validate_request
            from agentcore_identity_cli.models.generated import request_model

            validate_request(request_model(operation), params)
            response = output_skeleton(operation)
        else:
            response = validated_call(self.backend(), operation, params)
        self._last_call = (operation, response)
        return response

    def call_paginated(
        self, operation: str, params: dict[str, Any], key: str, paging: Paging
    ) -> dict[str, Any] | Pages:
        """The listing's pages, walked as they are printed (--max-items/--starting-token/--page-size);
        one response for --no-paginate."""
        if self.cli_input.skeleton_output:
            return self.call(operation, params)  # one sample page, as the AWS CLI prints it
        if paging.single_call():
            return self.call(operation, {**params, "maxResults": paging.max_results, "nextToken": paging.next_token})
        from agentcore_identity_cli.cli.paging import Pages

        return Pages(
            lambda token, size: self.call(operation, {**params, "nextToken": token, "maxResults": size}),
            key,
            max_items=paging.max_items,
            starting_token=paging.starting_token,
            page_size=paging.page_size,
            operation=operation,
        )

    def emit(self, response: dict[str, Any] | Pages, *, title: str | None = None) -> None:
        """Apply --query and print the response (or a listing's pages) in the chosen format.

        A table is titled with the operation's name when the response is the last call's.
        """
        if title is None:
            title = getattr(response, "operation", None)
            if self._last_call is not None and response is self._last_call[1]:
                title = self._last_call[0]
        self.display.emit(response, title=title)

    def print_credential(self, value: str) -> None:
        """The bare credential and a newline, whatever the terminal: `api-key` and `token` for `$(...)`."""
        self.io.stdout.write(value + "\n")


def encode_cli_token(service_token: str | None, skip: int) -> str:
    """The --starting-token the AWS CLI way: where to resume, and how many to skip there."""
    raw = json.dumps({"nextToken": service_token, "skip": skip}).encode()
    return base64.b64encode(raw).decode()


def decode_cli_token(token: str | None) -> tuple[str | None, int]:
    """Inverse of encode_cli_token; a service token on its own is accepted too."""
    if token is None:
        return None, 0
    try:
        data = json.loads(base64.b64decode(token, validate=True))
    except (binascii.Error, ValueError):
        data = None
    if isinstance(data, dict) and "skip" in data:
        service_token, skip = data.get("nextToken"), data["skip"]
        if type(skip) is int and skip >= 0 and (service_token is None or isinstance(service_token, str)):
            return service_token, skip
        raise UsageError("Bad value for --starting-token: pass the NextToken that an earlier call printed.")
    if not token.strip():
        raise UsageError("Bad value for --starting-token: it is empty.")
    return token, 0
