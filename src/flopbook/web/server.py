"""Running the app: uvicorn on 127.0.0.1 (another host only when asked, with a warning), the
address with its token printed and opened in the browser."""

from __future__ import annotations

import errno
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from flopbook.errors import InputError
from flopbook.web.app import create_app
from flopbook.web.guard import new_token

__all__ = ["LOCAL", "serve"]

LOCAL = "127.0.0.1"


def serve(
    files: Sequence[str] = (),
    *,
    port: int = 8765,
    folder: str | Path = ".",
    open_browser: bool = True,
    host: str | None = None,
) -> None:
    """Serve the app until interrupted."""
    bind = LOCAL if host is None else host.strip()
    if not 0 < port < 65536:
        raise InputError(f"must be between 1 and 65535, got {port}", field="--port")
    if host is not None:
        _check_address(bind, port)
    _check_free(bind, port)
    hosts = [LOCAL, "localhost"] if host is None else ["*"]
    token = new_token()
    app = create_app(token=token, folder=folder, files=files, hosts=hosts)
    shown = "localhost" if bind in (LOCAL, "0.0.0.0", "::") else bind
    url = f"http://{LOCAL if host is None else shown}:{port}/?token={token}"
    if host is not None:
        print(
            f"flopbook: warning: serving on {bind}, not only this computer: anyone who can "
            "reach it and learns the address below can read and write files in the folder",
            file=sys.stderr,
        )
    config = uvicorn.Config(app, host=bind, port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)

    def announce() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            print(f"flopbook serve: open {url}  (Ctrl+C stops it)", file=sys.stderr)
            if open_browser:
                webbrowser.open(url)

    threading.Thread(target=announce, daemon=True).start()
    try:
        server.run()
    except SystemExit:  # uvicorn's own exit when it cannot bind (taken since the check)
        if server.started:
            raise
        raise _in_use(bind, port) from None


def _in_use(bind: str, port: int) -> InputError:
    return InputError(
        f"cannot listen on {bind}:{port} (in use, or not allowed)",
        field="--port",
        hint=f"give another port, e.g. --port {port + 1 if port < 65535 else 8765}",
    )


def _check_address(host: str, port: int) -> None:
    """An InputError naming --host when ``host`` is no address of this computer's networks."""
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise InputError(
            f"{host[:40]!r} is not an address to listen on",
            field="--host",
            hint="e.g. --host 0.0.0.0 (every network of this computer)",
        ) from None


def _check_free(bind: str, port: int) -> None:
    """One line when the port is taken, before uvicorn says it in its own words."""
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            s.bind((bind, port))
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                raise InputError(
                    f"{bind[:40]!r} is not an address of this computer",
                    field="--host",
                    hint="e.g. --host 0.0.0.0 (every network of this computer)",
                ) from None
            raise _in_use(bind, port) from None
