"""`python -m agentcore_identity_cli`."""

from agentcore_identity_cli.cli.entry import run

if __name__ == "__main__":
    run()
