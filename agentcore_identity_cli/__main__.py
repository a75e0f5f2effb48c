"""`python -m agentcore_identity_cli`."""

from agentcore_identity_cli.cli.app import run

if __name__ == "__main__":
    run()
