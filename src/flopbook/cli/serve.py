"""`flopbook serve [FILE…]`."""

from __future__ import annotations

from typing import Annotated

import typer

from flopbook.cli import app
from flopbook.errors import InputError


@app.command("serve")
def serve_command(
    files: Annotated[
        list[str] | None,
        typer.Argument(help="Scenario files to open (inside --folder); the first is shown."),
    ] = None,
    port: Annotated[
        int, typer.Option(min=1, max=65535, help="The port to listen on. E.g. --port 8766")
    ] = 8765,
    folder: Annotated[
        str | None,  # text, not a Path: "" (refused) and "." (this folder) stay apart
        typer.Option(
            help="The only folder the app reads and writes files in (default: the current "
            "one). E.g. --folder scenarios/"
        ),
    ] = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the address; do not open a browser.")
    ] = False,
    host: Annotated[
        str | None,
        typer.Option(
            help="Listen on this address instead of 127.0.0.1 (this computer only): other "
            "computers can then reach the app. E.g. --host 0.0.0.0"
        ),
    ] = None,
) -> None:
    """A local web app: scenarios that recompute as you edit; the audit.

    Listens on 127.0.0.1 and opens the browser at an address with a token; files are read
    and written only inside --folder.

    Example: flopbook serve examples/fleet.yaml
    """
    if folder is not None and not folder.strip():
        raise InputError(
            "needs a folder name, not an empty one",
            field="--folder",
            hint="e.g. --folder . (this folder) or --folder scenarios/",
        )
    if folder is not None and folder.strip() != ".":
        # imported on use, so that `flopbook --help` stays fast
        from flopbook.cli.common import require_path

        require_path(folder, "--folder")  # a name no file system takes
    if host is not None and not host.strip():
        raise InputError("needs an address", field="--host", hint="e.g. --host 0.0.0.0")
    try:
        # imported on use: the web server is an optional extra, and `flopbook --help` stays fast
        from flopbook.web import serve
    except ImportError as exc:
        raise InputError(
            f"needs the web extra ({exc.name} is not installed)",
            field="serve",
            hint="pip install 'flopbook[web]'",
        ) from None
    serve(files or [], port=port, folder=folder or ".", open_browser=not no_browser, host=host)
