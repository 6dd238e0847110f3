"""The page machinery every view shares: templates, and the one-line error a page shows.

A mistake in what the user typed or sent is an :class:`~flopbook.errors.InputError`, shown
in the page in the command line's words, with its line of the scenario where it has one.
An error of a library or the system is one line too; anything else is logged with its
traceback on the server's terminal and shown as one line saying it is a bug. The server
carries on either way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from flopbook.errors import FlopbookError, InputError
from flopbook.safe_text import shorten

__all__ = ["ENV", "compute", "error_fragment", "error_line", "page", "problem"]

T = TypeVar("T")

# One model computation at a time: the models share one unit registry (pint) and caches of
# compiled formulas, which are not safe to use from two threads at once. A recompute is
# NumPy and Python work that holds the interpreter most of the time anyway, so the requests
# queue here for about what they would wait for the interpreter.
_COMPUTING = threading.Lock()


def _locked(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with _COMPUTING:
        return fn(*args, **kwargs)


async def compute(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a worker thread, one computation at a time."""
    return await run_in_threadpool(_locked, fn, *args, **kwargs)


HERE = Path(__file__).parent
ENV = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
log = logging.getLogger("flopbook.web")

NAV = [
    ("/", "Workbench"),
    ("/compare", "Compare"),
    ("/audit", "Audit a workbook"),
    ("/catalog", "Catalog"),
    ("/cases", "Cases"),
    ("/claims", "Check a claim"),
]


def page(request: Request, template: str, **context: Any) -> HTMLResponse:
    """A whole page (or, for a fragment template, the fragment)."""
    html = ENV.get_template(template).render(
        request=request, nav=NAV, path=request.url.path, **context
    )
    return HTMLResponse(html)


def error_line(exc: BaseException) -> str:
    """One line for an error, as the command line would print it (after ``error:``)."""
    if isinstance(exc, FlopbookError):
        return str(exc)
    module = type(exc).__module__.split(".")[0]
    if isinstance(exc, MemoryError):
        return "not enough memory for this input; try fewer samples or a smaller file"
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to compute (see docs/limits.md)"
    if module == "pint":
        return f"a unit problem: {shorten(str(exc), 120)}"
    if module == "yaml":
        return "not valid YAML: " + shorten(getattr(exc, "problem", None) or str(exc), 120)
    if module in ("xlsxwriter", "openpyxl", "matplotlib", "numpy", "formulas", "zipfile"):
        return f"{module} could not finish: {shorten(str(exc), 120)}"
    if isinstance(exc, FloatingPointError | OverflowError | ZeroDivisionError):
        return f"a number out of range: {shorten(str(exc), 80)}"
    log.exception("unexpected error")
    return (
        f"unexpected error ({shorten(str(exc), 80) or type(exc).__name__}); this is a bug in "
        "flopbook — the server's terminal shows the traceback; please report it"
    )


def error_fragment(exc: BaseException, text: str | None = None) -> str:
    """The error as HTML: the one line, and the lines of ``text`` around the line it names."""
    line = exc.line if isinstance(exc, InputError) else None
    excerpt: list[tuple[int, str, bool]] = []
    if text is not None and line:
        lines = text.splitlines()
        for n in range(max(1, line - 2), min(len(lines), line + 2) + 1):
            excerpt.append((n, lines[n - 1][:200], n == line))
    return ENV.get_template("_error.html").render(message=error_line(exc), excerpt=excerpt)


def problem(
    request: Request, exc: BaseException, text: str | None = None, status: int = 200
) -> HTMLResponse:
    """The error fragment for an htmx request (sent with status 200, so that the page shows
    it where the result would have been), or a whole page for a plain form's request."""
    html = error_fragment(exc, text)
    if "hx-request" not in request.headers:
        html = ENV.get_template("error_page.html").render(
            request=request, nav=NAV, path=request.url.path, fragment=html
        )
    return HTMLResponse(html, status_code=status)
