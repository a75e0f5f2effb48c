"""agentcore-identity: credentials for AI agents, on a local encrypted vault or on AWS.

The Python API for agent code (see sdk.py) is importable from here:

    from agentcore_identity_cli import CredentialProvider, requires_access_token, requires_api_key, requires_wat
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["CredentialProvider", "__version__", "requires_access_token", "requires_api_key", "requires_wat"]

_SDK_NAMES = {"CredentialProvider", "requires_access_token", "requires_api_key", "requires_wat"}


def __getattr__(name: str) -> Any:
    # Imported on first use, so the command line does not pay for the Python API.
    if name in _SDK_NAMES:
        from agentcore_identity_cli import sdk

        return getattr(sdk, name)
    raise AttributeError(f"module 'agentcore_identity_cli' has no attribute {name!r}")
