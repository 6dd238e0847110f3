"""What keeps the local web app to its user: a token, the hosts it answers, and one folder.

- **A token.** The URL the server opens carries a random token; the first visit trades it
  for a cookie (``HttpOnly``, ``SameSite=Strict``), so another page in the same browser, or
  another local program, cannot drive the app: a cross-site request carries no such cookie,
  and a request without the cookie or the token is refused.
- **Hosts.** Only requests addressed to the host the server was bound to are answered, so
  a web page whose name resolves to 127.0.0.1 (DNS rebinding) is refused too.
- **One folder.** Every file the app reads or writes by name is inside the folder it was
  started with (``--folder``, default the current one): a name that leads outside it,
  through ``..``, an absolute path or a symbolic link, is refused before anything is opened.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from flopbook.errors import InputError

__all__ = ["COOKIE", "Folder", "TokenGuard", "new_token"]

COOKIE = "flopbook_token"


def new_token() -> str:
    """A random token, 32 bytes of the system's randomness."""
    return secrets.token_urlsafe(32)


class TokenGuard:
    """ASGI middleware: a request passes with the token cookie; a request with the token in
    its query gets the cookie and is sent to the same address without the token (so the token
    is not left in the history or the address bar); every other request is refused (403)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    def _ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        origin = request.headers.get("origin")
        if (
            origin
            and request.method not in ("GET", "HEAD")
            and _host(origin) != _host("//" + request.headers.get("host", ""))
        ):
            # a form another site posts here: refused even with the cookie
            refused = PlainTextResponse(
                "flopbook serve: a request from another site is refused", status_code=403
            )
            await refused(scope, receive, send)
            return
        if self._ok(request.cookies.get(COOKIE)):
            await self.app(scope, receive, send)
            return
        response: Response
        if self._ok(request.query_params.get("token")) and request.method == "GET":
            rest = [(k, v) for k, v in parse_qsl(request.url.query) if k != "token"]
            target = URL(path=request.url.path, query=urlencode(rest))
            response = RedirectResponse(str(target), status_code=303)
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
        else:
            response = PlainTextResponse(
                "flopbook serve: this page needs the address the server printed when it "
                "started (it carries a token); open that address",
                status_code=403,
            )
        await response(scope, receive, send)


class Folder:
    """The one folder the app reads and writes by name."""

    def __init__(self, root: str | Path) -> None:
        path = Path(root).expanduser()
        try:
            found = path.is_dir()
        except OSError as exc:  # a name too long, a loop of links
            raise InputError(
                f"cannot be opened ({exc.strerror or exc})", field="--folder", file=str(root)[:80]
            ) from None
        if not found:
            raise InputError(
                "is not a folder", field="--folder", file=str(root), hint="give an existing folder"
            )
        self.root = path.resolve()

    def path(self, name: str, *, suffixes: tuple[str, ...] = ()) -> Path:
        """``name`` inside the folder, or an InputError naming it when it leads outside (an
        absolute path, ``..``, a symbolic link out) or does not end in one of ``suffixes``."""
        text = name.strip()
        if not text:
            raise InputError("needs a file name", field="file", hint="e.g. my-fleet.yaml")
        if "\x00" in text or len(text) > 1000:
            raise InputError("is not a file name", field="file", hint="e.g. my-fleet.yaml")
        given = Path(text)
        full = (self.root / given).resolve()
        if given.is_absolute() or not full.is_relative_to(self.root):
            raise InputError(
                f"is outside the folder {self.root}",
                file=_short(text),
                hint="name a file inside the folder the server was started with (--folder)",
            )
        if suffixes and full.suffix.lower() not in suffixes:
            raise InputError(
                f"needs a name ending in {' or '.join(suffixes)}",
                file=_short(text),
                hint=f"e.g. scenario{suffixes[0]}",
            )
        return full

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def scenarios(self, limit: int = 200) -> list[str]:
        """YAML files in the folder and the folders just below it (not hidden ones), by name:
        what the app offers to open."""
        found: list[str] = []
        for pattern in ("*.yaml", "*.yml", "*/*.yaml", "*/*.yml"):
            for p in sorted(self.root.glob(pattern)):
                rel = self.relative(p)
                if p.is_file() and not any(part.startswith(".") for part in Path(rel).parts):
                    found.append(rel)
                if len(found) >= limit:
                    return found
        return found


def _host(url: str) -> str:
    return (urlsplit(url).netloc or "").lower()


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:79] + "…"
