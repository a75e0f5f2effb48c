"""`inject [-i TEMPLATE] [-o OUT] [--file-mode 0600] [--force]`

Renders a template, replacing each `{{ agentcore://... }}` with the secret it names, for
configuration files that a program reads. Every reference is resolved before anything is
written; the output goes to stdout, or to OUT written atomically with mode 0600 (see
secretfiles.py: an existing OUT is replaced only if inject wrote it, unless --force).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agentcore_identity_cli.cli.root import command, get_context
from agentcore_identity_cli.cli.secretenv import terminal_caution

MAX_TEMPLATE_BYTES = 4 * 1024 * 1024


@command("inject", "Render a template, replacing {{ agentcore://... }} references with the secrets they name.")
def inject(
    ctx: typer.Context,
    in_file: Annotated[
        Path | None,
        typer.Option("--in-file", "-i", help="The template (default: standard input).", show_default=False),
    ] = None,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out-file", "-o", help="Write the result to this file (default: standard output).", show_default=False
        ),
    ] = None,
    file_mode: Annotated[
        str, typer.Option("--file-mode", help="Permissions of the file written with -o, in octal.")
    ] = "0600",
    force: Annotated[
        bool, typer.Option("--force", help="Replace OUT even when it is not a file that inject wrote.")
    ] = False,
) -> None:
    from agentcore_identity_cli.config import default_vault_path
    from agentcore_identity_cli.references import template_references
    from agentcore_identity_cli.resolver import Resolver, short_lived
    from agentcore_identity_cli.secretfiles import (
        RenderedFiles,
        check_target,
        parse_mode,
        read_text_file,
        read_text_stream,
        write_secret_file,
    )

    app_ctx = get_context(ctx)
    mode = parse_mode(file_mode)
    registry = RenderedFiles(default_vault_path().parent)
    if out_file is not None:
        check_target(out_file, registry, force=force)  # refused before any secret is fetched
    if in_file is None:
        source = "the template on standard input"
        template = read_text_stream(app_ctx.io.stdin, source, MAX_TEMPLATE_BYTES)
    else:
        source = str(in_file)
        template = read_text_file(in_file, f"-i {in_file}", MAX_TEMPLATE_BYTES)
    found = template_references(template, source)
    resolver = Resolver(app_ctx.settings, app_ctx.call, app_ctx.backend)
    values = resolver.resolve_all(reference for _, reference in found)
    for item, seconds in short_lived(values.values()):
        app_ctx.io.warn(f"Warning: the value of {item.reference} expires in {seconds} s.")
    pieces: list[str] = []
    position = 0
    for match, reference in found:
        pieces.append(template[position : match.start()])
        pieces.append(values[reference].value)
        position = match.end()
    pieces.append(template[position:])
    rendered = "".join(pieces)
    if out_file is None:
        if found:
            terminal_caution(app_ctx, "secrets")
        app_ctx.io.stdout.write(rendered)
        app_ctx.io.stdout.flush()
        return
    write_secret_file(out_file, rendered, mode, registry, force=force)
    if mode & 0o077:
        app_ctx.io.warn(f"Warning: {out_file} holds secrets and other users may read it (mode {mode:04o}).")
