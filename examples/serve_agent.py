"""Agent code written with the bedrock-agentcore SDK, run offline against `agentcore-identity serve`.

Nothing in it names this tool: the same file runs against Amazon Bedrock AgentCore Identity
when the endpoint variables are not set. Against the local vault:

    agentcore-identity serve &                      # the local vault as an AgentCore Identity endpoint
    eval "$(agentcore-identity serve --print-env)"  # endpoints, the vault's access key, a region
    printf 'sk-demo' | agentcore-identity create-api-key-credential-provider --name MyAPICredentialProvider --api-key -
    python examples/serve_agent.py

On its first run the SDK creates a workload identity and a user id through serve and keeps
them in .agentcore.json in the current folder (its local-development path); later runs reuse them.
"""

from __future__ import annotations

import asyncio

from bedrock_agentcore.identity.auth import requires_api_key


@requires_api_key(provider_name="MyAPICredentialProvider")
async def answer(question: str, *, api_key: str) -> str:
    # A real agent would call its model here with the key; this one only shows it has one.
    return f"would ask the model {question!r} with a key of {len(api_key)} characters"


def main() -> None:
    print(asyncio.run(answer("What is AgentCore Identity?")))


if __name__ == "__main__":
    main()
