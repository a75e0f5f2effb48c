"""Backends: local (encrypted vault file) and aws (the real service through boto3)."""

from __future__ import annotations

from collections.abc import Callable

from agentcore_identity_cli.backends.base import Backend
from agentcore_identity_cli.config import Settings


def create_backend(settings: Settings, prompt: Callable[[str], str] | None = None) -> Backend:
    """The backend the settings name. boto3 is imported only for `aws`."""
    if settings.backend == "aws":
        from agentcore_identity_cli.backends.aws import AwsBackend

        return AwsBackend(settings)
    from agentcore_identity_cli.backends.local.backend import LocalBackend

    return LocalBackend(settings.vault_path, prompt)
