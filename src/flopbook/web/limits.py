"""How much a request may send: a page's form at most a few megabytes, an upload at most
:data:`MAX_UPLOAD` bytes. Counted as the body arrives, so a request that says nothing of its
length (or lies about it) is stopped at the cap, not after it was stored."""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from flopbook.safe_yaml import MAX_BYTES

__all__ = ["MAX_FORM", "MAX_UPLOAD", "BodyLimit"]

MAX_UPLOAD = 50 * 1024 * 1024
"""The largest workbook upload, in bytes (50 MiB)."""

MAX_FORM = 3 * MAX_BYTES + 64 * 1024
"""The largest body of any other request: a scenario's text is at most the YAML reader's
:data:`~flopbook.safe_yaml.MAX_BYTES` (4 MiB), and a form sends it percent-encoded."""

UPLOAD_PATHS = ("/audit",)


class _TooLarge(BaseException):
    """Raised from inside the app's read of the body; a BaseException, so that no view's
    ``except Exception`` (which shows an error in the page) takes it for its own."""


class BodyLimit:
    """ASGI middleware: a body past its cap gets 413 and one line saying the cap."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = scope["path"] in UPLOAD_PATHS
        cap = MAX_UPLOAD + 64 * 1024 if upload else MAX_FORM  # room for the form's own parts
        what = "a workbook upload" if upload else "a request"
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > cap:
                await _refuse(what, cap)(scope, receive, send)
                return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise _TooLarge
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except _TooLarge:
            if not started:
                await _refuse(what, cap)(scope, receive, send)


def _refuse(what: str, cap: int) -> PlainTextResponse:
    mib = (MAX_UPLOAD if what.startswith("a workbook") else MAX_FORM) // (1024 * 1024)
    return PlainTextResponse(
        f"{what} may be at most {mib} MB — see docs/limits.md", status_code=413
    )
