"""How and where one invocation prints its result: format, timestamps, colour, width, pager.

Each choice is made as the AWS CLI v2 makes it, first match wins:

- format: --output, AGENTCORE_IDENTITY_OUTPUT, the profile's `output`; on the aws backend
  then AWS_DEFAULT_OUTPUT and the AWS profile's `output`; else table on a terminal, json
  otherwise.
- pager: none with --no-cli-pager; else AWS_PAGER (empty: none), the profile's `cli_pager`,
  on the aws backend the AWS profile's `cli_pager`; else none (v2 would run `less`).
- timestamps: the profile's `cli_timestamp_format`; on the aws backend the AWS profile's;
  else iso8601.
- colour: --color on/off, --no-color, NO_COLOR; auto: when stdout is a terminal (iostreams.py).

The AWS profile is the one the aws backend uses (backends/aws.py aws_profile_name), read from
the AWS CLI's config file (AWS_CONFIG_FILE, ~/.aws/config) by botocore, and only on that backend.
"""

from __future__ import annotations

import io
import os
from functools import cached_property
from typing import IO, TYPE_CHECKING, Any

from agentcore_identity_cli.config import OUTPUTS, TIMESTAMP_FORMATS, Settings
from agentcore_identity_cli.errors import ConfigError
from agentcore_identity_cli.iostreams import IOStreams

if TYPE_CHECKING:
    from agentcore_identity_cli.cli.paging import Pages

ENV_AWS_OUTPUT = "AWS_DEFAULT_OUTPUT"
ENV_AWS_PAGER = "AWS_PAGER"
DEFAULT_WIDTH = 80


class Display:
    """The output choices of one invocation, each worked out when first needed."""

    def __init__(self, settings: Settings, streams: IOStreams) -> None:
        self.settings = settings
        self.io = streams

    @cached_property
    def aws_config(self) -> dict[str, Any]:
        """On the aws backend, the settings of the AWS profile it uses; elsewhere none.

        A profile that does not exist or a config file that cannot be read is reported by
        the backend when it is used (exit 253), not here.
        """
        if self.settings.backend != "aws":
            return {}
        import botocore.session
        from botocore.exceptions import BotoCoreError

        from agentcore_identity_cli.backends.aws import aws_profile_name

        try:
            config: dict[str, Any] = botocore.session.Session(
                profile=aws_profile_name(self.settings)
            ).get_scoped_config()
        except BotoCoreError:
            return {}
        return config

    def _aws_profile(self) -> str:
        from agentcore_identity_cli.backends.aws import aws_profile_name

        return aws_profile_name(self.settings) or os.environ.get("AWS_PROFILE") or "default"

    @cached_property
    def output(self) -> str:
        """The output format."""
        if self.settings.output:
            return self.settings.output
        if self.settings.backend == "aws":
            if os.environ.get(ENV_AWS_OUTPUT):
                return _checked_output(os.environ[ENV_AWS_OUTPUT], ENV_AWS_OUTPUT)
            value = self.aws_config.get("output")
            if isinstance(value, str) and value:
                return _checked_output(value, f"the AWS profile '{self._aws_profile()}'")
        return "table" if self.io.stdout_is_tty else "json"

    @cached_property
    def pager(self) -> str | None:
        """The pager command, or None."""
        if self.settings.no_cli_pager:
            return None
        if ENV_AWS_PAGER in os.environ:
            return os.environ[ENV_AWS_PAGER]  # empty: no pager, whatever the profiles say
        value = self.settings.profile_values.get("cli_pager")
        if value is None and self.settings.backend == "aws":
            value = self.aws_config.get("cli_pager")
        return value if isinstance(value, str) else None

    @cached_property
    def timestamp_format(self) -> str:
        """iso8601 or wire."""
        value = self.settings.profile_values.get("cli_timestamp_format")
        where = f"profile '{self.settings.profile}'"
        if value is None and self.settings.backend == "aws":
            value, where = self.aws_config.get("cli_timestamp_format"), f"the AWS profile '{self._aws_profile()}'"
        if value is None:
            return "iso8601"
        if value not in TIMESTAMP_FORMATS:
            # The words of AWS CLI v2's awscli/customizations/timestampformat.py.
            raise ConfigError(
                f'Unknown cli_timestamp_format value: {value} (in {where}), valid values are "wire" or "iso8601"'
            )
        return str(value)

    @property
    def width(self) -> int | None:
        """The terminal's columns when stdout is one; None (no limit) otherwise."""
        if not self.io.stdout_is_tty:
            return None
        return terminal_width(self.io.stdout)

    def emit(self, result: dict[str, Any] | Pages, *, title: str | None = None) -> None:
        """Print a response, or a listing's pages, through the pager when there is one."""
        from agentcore_identity_cli.output import View, emit
        from agentcore_identity_cli.pager import output_stream

        view = View(
            fmt=self.output,
            query=self.settings.query,
            timestamp_format=self.timestamp_format,
            color=self.io.color,
            width=self.width,
            title=title,
        )
        with output_stream(self.io, self.pager if view.fmt != "off" else None) as stream:
            emit(result, view, stream)
        for note in view.notes:
            # After the pager has given the terminal back.
            self.io.warn(note)


def _checked_output(value: str, where: str) -> str:
    if value not in OUTPUTS:
        raise ConfigError(f"Unknown output format '{value}' in {where}: choose one of {', '.join(OUTPUTS)}.")
    return value


def terminal_width(stream: IO[str]) -> int:
    """COLUMNS when set, else the terminal's width, else 80."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(stream.fileno()).columns or DEFAULT_WIDTH
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return DEFAULT_WIDTH
