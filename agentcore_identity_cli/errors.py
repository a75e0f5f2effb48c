"""Error types that carry the AWS error code and the exit code, mapped in one place.

Exit codes are the AWS CLI v2's, so that scripts can branch on them:
0 success, 130 interrupted, 252 bad command line, 253 bad environment or configuration,
254 the service (either backend) refused, 255 anything else.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INTERRUPTED = 130
EXIT_USAGE = 252
EXIT_CONFIG = 253
EXIT_SERVICE = 254
EXIT_OTHER = 255


class AgentCoreIdentityError(Exception):
    """Base of every error this tool reports; never carries a secret in its message."""

    exit_code = EXIT_OTHER

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def render(self) -> str:
        """The line(s) written to stderr."""
        return self.message


class UsageError(AgentCoreIdentityError):
    """The command line is wrong: unknown flag, bad value, a secret that cannot be read."""

    exit_code = EXIT_USAGE


class ParamValidationError(UsageError):
    """A request failed the API's constraints before any call was made."""


class ConfigError(AgentCoreIdentityError):
    """The environment or configuration is wrong: vault locked, bad config, no credentials."""

    exit_code = EXIT_CONFIG


class ServiceError(AgentCoreIdentityError):
    """The service refused, with an AWS error code (ResourceNotFoundException, ...)."""

    exit_code = EXIT_SERVICE

    def __init__(self, code: str, message: str, *, operation: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code
        self.operation = operation

    def render(self) -> str:
        if self.operation is None:  # refused by a flow of this tool, not by one AWS operation
            return f"An error occurred ({self.code}): {self.message}"
        return f"An error occurred ({self.code}) when calling the {self.operation} operation: {self.message}"


class RetiredTokenError(ServiceError):
    """AccessDeniedException for a workload access token signed with a key the vault retired.

    The vault replaces its signing key when its key is rotated; a caller that obtained the
    token itself can ask for a new one (see sdk.py), where a forged token stays refused.
    """

    def __init__(self, message: str) -> None:
        super().__init__("AccessDeniedException", message)


def not_found(kind: str, name: str, *, hint: str | None = None) -> ServiceError:
    """ResourceNotFoundException for a named resource."""
    return ServiceError("ResourceNotFoundException", f"{kind} '{name}' does not exist.", hint=hint)


def conflict(kind: str, name: str) -> ServiceError:
    """ConflictException for a name already taken."""
    return ServiceError("ConflictException", f"{kind} '{name}' already exists.")


def validation(message: str) -> ServiceError:
    """ValidationException raised by a backend after the request reached it."""
    return ServiceError("ValidationException", message)


def decryption_failure(message: str) -> ServiceError:
    """DecryptionFailure: a sealed value did not open (tampered, or moved to another record)."""
    return ServiceError("DecryptionFailure", message)


class CommandExit(Exception):  # noqa: N818 - not an error: the way a command hands back an exit code
    """Ends the command with this exit code and prints nothing (`run` passes on its child's)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code
