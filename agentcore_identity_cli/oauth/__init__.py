"""OAuth 2.0 support: the vendor catalogue of AgentCore Identity credential providers."""
