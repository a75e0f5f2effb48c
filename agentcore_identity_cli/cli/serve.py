"""`serve`: the local vault as an AgentCore Identity endpoint for the AWS CLI, boto3 and the SDK."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated

import typer

from agentcore_identity_cli.cli.root import command, get_context
from agentcore_identity_cli.errors import UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8734


@command("serve", "Serve the local vault over AWS's wire protocol (SigV4, rest-json) on one port.")
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback unless --allow-remote).")] = (
        DEFAULT_HOST
    ),
    port: Annotated[int, typer.Option("--port", help="Port to listen on; 0 picks a free one.")] = DEFAULT_PORT,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Allow a --host that other machines can reach.")
    ] = False,
    allow_any_credentials: Annotated[
        bool,
        typer.Option("--allow-any-credentials", help="Accept requests signed with any key, or none (sandboxes only)."),
    ] = False,
    print_env: Annotated[
        bool, typer.Option("--print-env", help="Print the shell lines that point clients here, and exit.")
    ] = False,
) -> None:
    """Run the endpoint until SIGTERM or Ctrl-C, or print its client settings."""
    import sys

    from agentcore_identity_cli.backends import create_backend
    from agentcore_identity_cli.backends.local.backend import LocalBackend
    from agentcore_identity_cli.backends.local.providers import is_loopback
    from agentcore_identity_cli.server import app as server
    from agentcore_identity_cli.server.auth import vault_access_key

    app_ctx = get_context(ctx)
    if app_ctx.settings.backend != "local":
        raise UsageError("serve serves the local vault; drop --backend aws (clients reach AWS directly).")
    if not 0 <= port <= 65535:
        raise UsageError(f"argument --port: {port} is not a port number (0-65535).")
    if not is_loopback(host) and not allow_remote:
        raise UsageError(
            f"--host {host} can be reached from other machines.",
            hint="add --allow-remote if that is what you want, or keep the default 127.0.0.1",
        )
    prompt = _remembering(app_ctx.io.prompt_secret) if app_ctx.io.can_prompt else None
    if print_env and port == 0:
        raise UsageError("--print-env needs the --port that serve listens on, not 0.")
    backend = create_backend(app_ctx.settings, prompt=prompt)
    assert isinstance(backend, LocalBackend)  # the local backend was checked above
    try:
        key = vault_access_key(backend)
    finally:
        backend.close()  # requests use the pool's connections
    if print_env:
        sys.stdout.write("\n".join(server.env_lines(f"http://{server.url_host(host)}:{port}", key)) + "\n")
        return
    sock = server.bind(host, port)
    bound = sock.getsockname()[1]
    base_url = f"http://{server.url_host(host)}:{bound}"
    state = server.ServerState(
        settings=app_ctx.settings,
        pool=server.BackendPool(app_ctx.settings, base_url, prompt),
        key=key,
        base_url=base_url,
        allow_any_credentials=allow_any_credentials,
        debug=app_ctx.settings.debug,
    )
    err = sys.stderr
    if not is_loopback(host):
        err.write(f"Warning: listening on {host}, reachable from other machines; only SigV4 guards the vault.\n")
    if allow_any_credentials:
        err.write("Warning: --allow-any-credentials: requests signed with any key, or none, are served.\n")
    err.write(f"Listening on {base_url}\n")
    where = f" --host {host}" if host != DEFAULT_HOST else ""
    err.write(f'Point clients here: eval "$(agentcore-identity serve --print-env{where} --port {bound})"\n')
    err.flush()
    raise typer.Exit(server.run_server(state, sock))


def _remembering(prompt: Callable[[str], str]) -> Callable[[str], str]:
    """A prompt that asks each question once: the passphrase typed at start-up opens the
    vault for every connection of the pool, which runs where no terminal can be asked."""
    answers: dict[str, str] = {}
    lock = threading.Lock()

    def ask(label: str) -> str:
        with lock:
            if label not in answers:
                answers[label] = prompt(label)
            return answers[label]

    return ask
