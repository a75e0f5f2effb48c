"""A tiny agent that gets its API key from agentcore-identity instead of the environment.

Run it against the local vault:

    printf 'sk-demo' | agentcore-identity create-api-key-credential-provider --name MyAPICredentialProvider --api-key -
    python examples/api_key_agent.py

With `AGENTCORE_IDENTITY_BACKEND=aws` (and a workload name, see docs/data-plane.md) the same
code fetches the key from Amazon Bedrock AgentCore Identity.
"""

from __future__ import annotations

import asyncio

from agentcore_identity_cli import CredentialProvider, requires_api_key


@requires_api_key(provider_name="MyAPICredentialProvider")
async def answer(question: str, *, api_key: str) -> str:
    # A real agent would call its model here with the key; this one only shows it has one.
    return f"would ask the model {question!r} with a key of {len(api_key)} characters"


def main() -> None:
    key = CredentialProvider("MyAPICredentialProvider").get_api_key()
    print(f"fetched a key of {len(key)} characters")
    print(asyncio.run(answer("What is AgentCore Identity?")))


if __name__ == "__main__":
    main()
