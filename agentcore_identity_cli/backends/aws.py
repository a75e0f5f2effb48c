"""The aws backend: every operation on Amazon Bedrock AgentCore Identity through botocore.

One mapping serves every operation: the operations table (data/operations.json) names the
botocore service, and the client method is the operation's snake_case name. Requests and
responses are already the AWS shapes, so the only translation is of errors, into the
exit codes of errors.py.

botocore is used directly rather than through boto3: the clients are the very classes
boto3 builds, without boto3's import and session set-up on every start. This module is
imported only when the aws backend is chosen, and each client is created on first use.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import botocore.session
from botocore import UNSIGNED
from botocore import exceptions as boto
from botocore.client import BaseClient
from botocore.config import Config

from agentcore_identity_cli import __version__
from agentcore_identity_cli.backends.base import operations, service_data, snake_case
from agentcore_identity_cli.config import Settings
from agentcore_identity_cli.errors import (
    AgentCoreIdentityError,
    ConfigError,
    ParamValidationError,
    ServiceError,
    UsageError,
)
from agentcore_identity_cli.tls import TRUST_HINT, Trust, warn_unverified

logger = logging.getLogger(__name__)

# Error codes that mean the caller's credentials have run out, not that the service refused.
EXPIRED_CODES = frozenset({"ExpiredTokenException", "ExpiredToken"})
# Errors of the credential chain and of the AWS config files: the environment is wrong.
CREDENTIAL_ERRORS: tuple[type[Exception], ...] = (
    boto.NoCredentialsError,
    boto.PartialCredentialsError,
    boto.CredentialRetrievalError,
    boto.TokenRetrievalError,
    boto.SSOError,
    boto.LoginError,
    boto.NoAuthTokenError,
    boto.RefreshWithMFAUnsupportedError,
    boto.UnknownCredentialError,
)
CONFIG_FILE_ERRORS: tuple[type[Exception], ...] = (
    boto.InvalidConfigError,
    boto.ConfigParseError,
    boto.ConfigNotFound,
    boto.InvalidRetryConfigurationError,
    boto.InvalidEndpointConfigurationError,
)
# What the service answers a request that carries no signature.
UNSIGNED_CODES = frozenset(
    {"MissingAuthenticationTokenException", "MissingAuthenticationToken", "AccessDeniedException"}
)
# The list command that shows the names a get/update/delete of each family takes.
LIST_COMMANDS = {
    "ApiKeyCredentialProvider": "list-api-key-credential-providers",
    "ConsentPortal": "list-consent-portals",
    "Oauth2CredentialProvider": "list-oauth2-credential-providers",
    "PaymentCredentialProvider": "list-payment-credential-providers",
    "WorkloadIdentity": "list-workload-identities",
}


def aws_profile_name(settings: Settings) -> str | None:
    """The AWS named profile for these settings; None leaves the choice to botocore.

    The tool profile's `aws_profile` wins; otherwise an explicit `--profile NAME` (or
    AGENTCORE_IDENTITY_PROFILE) selects the AWS profile of the same name, as `aws
    --profile NAME` would. Without either, botocore reads AWS_PROFILE or uses "default".
    """
    if settings.aws_profile:
        return settings.aws_profile
    if settings.profile_explicit:
        return settings.profile
    return None


def _timeout(value: float | None, flag: str) -> float | None:
    """A socket timeout as the AWS CLI reads it: 0 means wait forever."""
    if value is None:
        return None
    if value < 0:
        raise UsageError(f"argument {flag}: the timeout must be 0 (no timeout) or a number of seconds.")
    return value or None


class AwsBackend:
    """AgentCore Identity itself: the control plane and the data plane through botocore."""

    name = "aws"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.profile = aws_profile_name(settings)
        self._read_timeout = _timeout(settings.read_timeout, "--cli-read-timeout")
        self._connect_timeout = _timeout(settings.connect_timeout, "--cli-connect-timeout")
        self.trust = Trust.from_settings(settings)
        self._session: botocore.session.Session | None = None
        self._clients: dict[str, BaseClient] = {}
        self._undo_logging: Callable[[], None] | None = None
        if settings.debug:
            from agentcore_identity_cli.backends.aws_logging import install_debug_logging

            self._undo_logging = install_debug_logging()

    # --- clients ----------------------------------------------------------------------

    def _config(self) -> Config:
        """Timeouts and signing from the global options; retries as the user's AWS config sets them.

        botocore resolves the retry mode and attempts from AWS_RETRY_MODE / AWS_MAX_ATTEMPTS
        or the profile (standard mode by default, as the AWS CLI v2), so they are not fixed here.
        --no-sign-request sends requests unsigned, so no credentials are looked for, as in the AWS CLI.
        """
        options: dict[str, Any] = {"user_agent_extra": f"agentcore-identity/{__version__}"}
        if self.settings.read_timeout is not None:
            options["read_timeout"] = self._read_timeout
        if self.settings.connect_timeout is not None:
            options["connect_timeout"] = self._connect_timeout
        if not self.settings.sign_request:
            options["signature_version"] = UNSIGNED
        return Config(**options)

    def create_client(self, session: botocore.session.Session, service: str, **kwargs: Any) -> BaseClient:
        """A client of `session` with this backend's configuration and TLS trust.

        `verify` is the AWS CLI's: False for --no-verify-ssl, the --ca-bundle (or AWS_CA_BUNDLE)
        path, or None, which lets botocore read `ca_bundle` from the AWS profile.
        """
        verify = self.trust.botocore_verify()
        client = session.create_client(service, config=self._config(), verify=verify, **kwargs)
        if verify is False:
            # Our own line instead of urllib3's, which would name its source file on every host.
            warnings.filterwarnings("ignore", message="Unverified HTTPS request")
            client.meta.events.register("before-send", _warn_if_unverified)
        return client

    def client(self, service: str) -> BaseClient:
        """The botocore client of a service, created once, on first use."""
        client = self._clients.get(service)
        if client is None:
            if self._session is None:
                self._session = botocore.session.Session(profile=self.profile)
                use_pinned_models(self._session)
            client = self.create_client(
                self._session, service, region_name=self.settings.region, endpoint_url=self.settings.endpoint_url
            )
            logger.debug(
                "aws backend: %s client, region %s, endpoint %s, AWS profile %s",
                service,
                client.meta.region_name,
                client.meta.endpoint_url,
                self.profile or "(botocore default)",
            )
            self._clients[service] = client
        return client

    # --- the one mapping --------------------------------------------------------------

    def invoke(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Call the operation on its service; the response without ResponseMetadata."""
        spec = operations().get(operation)
        if spec is None:
            raise ServiceError(
                "UnsupportedOperation", f"The aws backend does not know {operation}.", operation=operation
            )
        service: str = spec["service"]
        try:
            method = getattr(self.client(service), snake_case(operation))
            response: dict[str, Any] = method(**params)
        except (boto.ClientError, boto.BotoCoreError) as exc:
            error = self._translate(exc, operation, service)
            if isinstance(exc, boto.ValidationError | boto.ParamValidationError):
                raise error from None  # botocore's text quotes request values, which may be secrets
            raise error from exc  # --debug's traceback then shows botocore's side too
        return {key: value for key, value in response.items() if key != "ResponseMetadata"}

    def close(self) -> None:
        """Close the HTTP connections of the clients and restore logging."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        if self._undo_logging is not None:
            self._undo_logging()
            self._undo_logging = None

    # --- errors -----------------------------------------------------------------------

    def _translate(self, exc: Exception, operation: str, service: str) -> AgentCoreIdentityError:
        """A botocore failure as the typed error of errors.py; most specific first."""
        if isinstance(exc, boto.ClientError):
            return self._client_error(exc, operation)
        if isinstance(exc, boto.ParamValidationError):
            return ParamValidationError(_without_values(str(exc)))
        if isinstance(exc, boto.InvalidRegionError):
            return ConfigError(str(exc), hint="pass a region name such as us-east-1 with --region")
        if isinstance(exc, boto.ValidationError):
            return ParamValidationError(f"Parameter validation failed for {operation}: {type(exc).__name__}")
        if isinstance(exc, boto.ProfileNotFound):
            return self._profile_not_found(exc)
        if isinstance(exc, boto.NoRegionError):
            return ConfigError(
                f"You must specify a region for the aws backend ({service}).",
                hint="pass --region, set AWS_REGION, set 'region' in the AWS profile with 'aws configure', "
                "or set it in this tool's profile with 'agentcore-identity configure set region REGION'",
            )
        if isinstance(exc, boto.UnauthorizedSSOTokenError | boto.SSOTokenLoadError):
            return ConfigError(str(exc), hint=f"run 'aws sso login{self._profile_flag()}'")
        if isinstance(exc, CREDENTIAL_ERRORS):
            return ConfigError(
                f"{exc} for the aws backend (AWS profile: {self.profile or 'default chain'}).",
                hint="run 'aws configure' (or 'aws sso login'), set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, or choose an AWS profile with --profile",
            )
        if isinstance(exc, CONFIG_FILE_ERRORS):
            return ConfigError(str(exc), hint="fix the AWS config file (AWS_CONFIG_FILE, ~/.aws/config)")
        if isinstance(exc, boto.ReadTimeoutError):
            return AgentCoreIdentityError(
                str(exc), hint="the service did not answer in time; raise --cli-read-timeout, or retry"
            )
        if isinstance(exc, boto.ConnectTimeoutError):
            return AgentCoreIdentityError(str(exc), hint="check the network or proxy, or raise --cli-connect-timeout")
        if isinstance(exc, boto.SSLError):
            return AgentCoreIdentityError(str(exc), hint=TRUST_HINT)
        if isinstance(exc, boto.HTTPClientError | boto.ConnectionError):
            return AgentCoreIdentityError(
                str(exc), hint="check --endpoint-url and --region, and that the endpoint is reachable"
            )
        return AgentCoreIdentityError(f"{type(exc).__name__}: {exc}")

    def _client_error(self, exc: boto.ClientError, operation: str) -> AgentCoreIdentityError:
        error = exc.response.get("Error", {})
        code = error.get("Code") or "Unknown"
        message = error.get("Message") or ""
        op = exc.operation_name or operation
        if code in EXPIRED_CODES:
            return ConfigError(
                f"An error occurred ({code}) when calling the {op} operation: {message}",
                hint=f"refresh the credentials: 'aws sso login{self._profile_flag()}', or "
                "'aws configure' for long-term keys",
            )
        hint = _service_hint(code, op)
        if not self.settings.sign_request and code in UNSIGNED_CODES:
            hint = "the request was sent unsigned (--no-sign-request); drop it to sign with your AWS credentials"
        return ServiceError(code, message, operation=op, hint=hint)

    def _profile_not_found(self, exc: boto.ProfileNotFound) -> ConfigError:
        name = exc.kwargs.get("profile") or self.profile
        create = f"create it with 'aws configure --profile {name}'"
        if self.settings.aws_profile:
            where = f"named by aws_profile in this tool's profile '{self.settings.profile}'"
            hint = (
                f"{create}, or change it with "
                f"'agentcore-identity --profile {self.settings.profile} configure set aws_profile NAME'"
            )
        elif self.settings.profile_explicit:
            where = (
                "selected by --profile (or AGENTCORE_IDENTITY_PROFILE): "
                "the aws backend uses the AWS profile of the same name"
            )
            hint = (
                f"{create}, or name another AWS profile with "
                f"'agentcore-identity --profile {name} configure set aws_profile NAME'"
            )
        else:
            where = "named by AWS_PROFILE"
            hint = f"{create}, or unset AWS_PROFILE"
        return ConfigError(f"The AWS profile '{name}' could not be found; it was {where}.", hint=hint)

    def _profile_flag(self) -> str:
        return f" --profile {self.profile}" if self.profile else ""


def use_pinned_models(session: botocore.session.Session) -> None:
    """Let botocore build the identity services' clients from the pinned copy (data/models/).

    The same statement of the API as the request checks, and a fraction of botocore's own model
    of those services (every other operation, and documentation strings) to read at start-up.
    Everything else (endpoint rules, retries, partitions) still comes from botocore's data.
    """
    loader = session.get_component("data_loader")
    load = loader.load_service_model
    pinned = {entry["service"] for entry in operations().values()}

    def load_service_model(service_name: str, type_name: str, api_version: str | None = None) -> Any:
        if type_name == "service-2" and service_name in pinned:
            return service_data(service_name)
        return load(service_name, type_name, api_version)

    loader.load_service_model = load_service_model


def _warn_if_unverified(request: Any, **_: Any) -> None:
    """botocore's before-send hook: the AWS CLI's warning before an unverified HTTPS request."""
    parts = urlsplit(request.url)
    if parts.scheme == "https" and parts.hostname:
        warn_unverified(parts.hostname)


def _service_hint(code: str, operation: str) -> str | None:
    if code == "ResourceNotFoundException":
        for noun, command in LIST_COMMANDS.items():
            if operation.endswith(noun):
                return f"run 'agentcore-identity --backend aws {command}' to see the names"
        return None
    if code in ("AccessDeniedException", "UnauthorizedException"):
        return f"the caller needs the IAM permission bedrock-agentcore:{operation} (see docs/aws.md)"
    if code in ("UnrecognizedClientException", "InvalidSignatureException"):
        return "the AWS credentials are not valid; check them with 'aws sts get-caller-identity'"
    return None


def _without_values(report: str) -> str:
    """botocore's validation report without the values it quotes: they may be secrets."""
    import re

    return re.sub(r", value: .*?, type:", ", type:", report)
