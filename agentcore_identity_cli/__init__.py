"""agentcore-identity: credentials for AI agents, on a local encrypted vault or on AWS."""

__version__ = "0.1.0"
