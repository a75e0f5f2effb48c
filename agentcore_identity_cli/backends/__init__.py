"""Backends: local (encrypted vault file) and aws (the real service through boto3)."""

from __future__ import annotations

from collections.abc import Callable

from agentcore_identity_cli.backends.base import Backend
from agentcore_identity_cli.config import Settings


def create_backend(settings: Settings, prompt: Callable[[str], str] | None = None) -> Backend:
    """The backend the settings name. boto3 is imported only for `aws`."""
    from agentcore_identity_cli.tls import Trust, set_trust

    # --ca-bundle / AWS_CA_BUNDLE / --no-verify-ssl for every HTTPS request of this invocation.
    set_trust(Trust.from_settings(settings))
    if settings.backend == "aws":
        from agentcore_identity_cli.backends.aws import AwsBackend

        return AwsBackend(settings)
    if settings.profile_explicit and not settings.profile_found:
        # Locally a profile can only come from the config file: a typo must not silently
        # fall back to the default vault.
        import difflib

        from agentcore_identity_cli.config import config_path, load_config
        from agentcore_identity_cli.errors import ConfigError

        known = sorted(load_config().get("profiles", {}))
        close = difflib.get_close_matches(settings.profile, known, n=1)
        raise ConfigError(
            f"The profile '{settings.profile}' is not in {config_path()}.",
            hint=f"did you mean '{close[0]}'?"
            if close
            else f"create it with: agentcore-identity --profile {settings.profile} configure set backend local",
        )
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    backend = LocalBackend(settings.vault_path, prompt)
    # --cli-read-timeout: each read of the OAuth engine's requests, and a cap on their deadline.
    backend.http_timeout = settings.read_timeout
    return backend
