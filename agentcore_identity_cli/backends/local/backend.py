"""The local backend: AgentCore Identity modelled faithfully on one vault file.

Each public method is named after the boto3 method, takes the AWS request shape and
returns the AWS response shape. Resource kinds share one table and the helpers in core.py;
each resource module says only what differs.
"""

from __future__ import annotations

from agentcore_identity_cli.backends.local.access import AccessMixin
from agentcore_identity_cli.backends.local.consent_portals import ConsentPortalsMixin
from agentcore_identity_cli.backends.local.core import LocalCore
from agentcore_identity_cli.backends.local.dataplane import DataPlaneMixin
from agentcore_identity_cli.backends.local.oauth_tokens import OAuth2TokensMixin
from agentcore_identity_cli.backends.local.payments import PaymentsMixin
from agentcore_identity_cli.backends.local.providers import ProvidersMixin
from agentcore_identity_cli.backends.local.sessions import SessionsMixin
from agentcore_identity_cli.backends.local.tokenvault import TokenVaultMixin
from agentcore_identity_cli.backends.local.workloads import WorkloadsMixin


class LocalBackend(
    AccessMixin,  # first: checks every data-plane call, then calls the mixin that answers it
    SessionsMixin,
    DataPlaneMixin,
    OAuth2TokensMixin,
    ProvidersMixin,
    PaymentsMixin,
    ConsentPortalsMixin,
    WorkloadsMixin,
    TokenVaultMixin,
    LocalCore,
):
    """Every operation the local vault implements."""
