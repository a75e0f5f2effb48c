"""The command line: Typer commands, one module per resource group; no logic."""
