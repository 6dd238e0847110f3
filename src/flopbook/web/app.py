"""The web application: its routes, and the guards every request passes (see
:mod:`flopbook.web.guard` and :mod:`flopbook.web.limits`)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from flopbook.web import audit_page, browse, compare, export, workbench
from flopbook.web.guard import Folder, TokenGuard
from flopbook.web.limits import BodyLimit

__all__ = ["create_app"]

STATIC = Path(__file__).parent / "static"


def create_app(
    *,
    token: str,
    folder: str | Path = ".",
    files: Sequence[str] = (),
    hosts: Sequence[str] = ("127.0.0.1", "localhost"),
) -> Starlette:
    """The app, answering only requests with ``token`` (or its cookie) sent to one of
    ``hosts``, reading and writing files only inside ``folder``; ``files`` (names inside
    the folder) are offered first, the first one opened."""
    where = Folder(folder)
    # a file named on the command line is read from the working directory, and must be inside
    # the folder like any other
    opened = [
        where.relative(
            where.path(
                os.path.relpath(Path(f).resolve(), where.root),
                suffixes=workbench.SCENARIO_SUFFIXES,
            )
        )
        for f in files
    ]
    uploads = audit_page.Uploads()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            uploads.close()

    routes = [
        Route("/", workbench.home),
        Route("/run", workbench.recompute, methods=["POST"]),
        Route("/edit", workbench.edit_field, methods=["POST"]),
        Route("/chart", workbench.chart, methods=["POST"]),
        Route("/sensitivity", workbench.sensitivity, methods=["POST"]),
        Route("/save", workbench.save, methods=["POST"]),
        Route("/download/{fmt}", export.download, methods=["POST"]),
        Route("/compare", compare.compare_page),
        Route("/compare/run", compare.compare_run, methods=["POST"]),
        Route("/audit", audit_page.audit_form, methods=["GET"]),
        Route("/audit", audit_page.audit_upload, methods=["POST"]),
        Route("/audit/{key}/fixed.xlsx", audit_page.fixed_copy),
        Route("/catalog", browse.catalog_page),
        Route("/cases", browse.cases_page),
        Route("/cases/{name}", browse.case_page),
        Route("/claims", browse.claims_form, methods=["GET"]),
        Route("/claims", browse.claims_check, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts)),
            Middleware(TokenGuard, token=token),
            Middleware(BodyLimit),
        ],
        lifespan=lifespan,
    )
    app.state.folder = where
    app.state.files = opened
    app.state.uploads = uploads
    return app
