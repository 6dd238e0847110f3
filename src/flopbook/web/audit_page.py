"""Audit an uploaded workbook: its sheets as grids with the findings on their cells, and the
corrected copy to download.

An upload is capped (:data:`flopbook.web.limits.MAX_UPLOAD`), stored in a private temporary
folder under a name the server chooses (the user's file name is only shown, never used as a
path), and audited in a worker process with a time limit, through the same reader as
``flopbook audit`` with its hostile-file protections (zip bombs, macros, links to other
files, sizes, cells). Only the last few uploads are kept, and all of them go when the
server stops.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from flopbook.audit import batch
from flopbook.audit.findings import AuditResult, Finding
from flopbook.audit.formula import a1
from flopbook.audit.recompute import write_fixed
from flopbook.audit.workbook import read
from flopbook.errors import InputError, WorkbookError
from flopbook.render.audit import value as cell_text
from flopbook.web.limits import MAX_UPLOAD
from flopbook.web.pages import compute, page, problem

__all__ = ["Uploads", "audit_form", "audit_upload", "fixed_copy"]

TIME_LIMIT = 120.0
"""Seconds one uploaded workbook may take to audit."""

KEEP = 8
"""Uploads kept for their corrected copy; older ones are deleted."""

GRID_ROWS = 200
GRID_COLUMNS = 40


@dataclass
class Upload:
    id: str
    name: str  # as the user named it: shown, never opened
    path: Path
    result: AuditResult


class Uploads:
    """The recent uploads, in a folder only this process may read."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="flopbook-serve-"))
        os.chmod(self.root, 0o700)
        self.items: OrderedDict[str, Upload] = OrderedDict()
        self.lock = threading.Lock()

    def new_path(self) -> tuple[str, Path]:
        key = secrets.token_urlsafe(12)
        return key, self.root / f"{key}.xlsx"

    def add(self, item: Upload) -> None:
        with self.lock:
            self.items[item.id] = item
            while len(self.items) > KEEP:
                _, old = self.items.popitem(last=False)
                for p in (old.path, old.path.with_suffix(".fixed.xlsx")):
                    p.unlink(missing_ok=True)

    def get(self, key: str) -> Upload:
        with self.lock:
            if key not in self.items:
                raise InputError("this upload is no longer kept", hint="upload the workbook again")
            return self.items[key]

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


async def audit_form(request: Request) -> Response:
    return page(request, "audit.html", upload=None, max_mb=MAX_UPLOAD // (1024 * 1024))


def _audit(path: Path) -> AuditResult:
    settings = batch.Settings(use_config=False, time_limit=TIME_LIMIT)
    pool = batch.ProcessPool(1, TIME_LIMIT)
    try:
        (book,) = batch.run([str(path)], settings, pool)
    finally:
        pool.close()
    if book.error is not None or book.result is None:
        raise WorkbookError((book.error or "could not be audited").removeprefix(f"{path}: "))
    return book.result


@dataclass
class GridCell:
    text: str
    formula: str | None
    codes: list[str]


@dataclass
class Grid:
    sheet: str
    columns: list[str]
    rows: list[tuple[int, list[GridCell | None]]]
    cut: bool


def _grids(path: Path, findings: list[Finding]) -> list[Grid]:
    """Each sheet's cells (the first rows and columns of a large one), each marked with the
    codes of the findings on it."""
    book = read(str(path))
    marks: dict[tuple[str, str], list[str]] = {}
    for f in findings:
        for cell in [f.cell, *f.related]:
            marks.setdefault((f.sheet, cell), []).append(f.code)
    grids = []
    for name, sheet in book.sheets.items():
        cells = set(sheet.values) | set(sheet.formulas)
        if not cells:
            continue
        last_row = min(max(r for r, _ in cells), GRID_ROWS)
        last_col = min(max(c for _, c in cells), GRID_COLUMNS)
        columns = [a1(1, c).rstrip("0123456789") for c in range(1, last_col + 1)]
        rows = []
        for r in range(1, last_row + 1):
            line: list[GridCell | None] = []
            for c in range(1, last_col + 1):
                pos = (r, c)
                if pos not in cells:
                    line.append(None)
                    continue
                where = a1(r, c)
                line.append(
                    GridCell(
                        cell_text(sheet.value(pos)),
                        sheet.formulas.get(pos),
                        marks.get((name, where), []),
                    )
                )
            rows.append((r, line))
        cut = max(r for r, _ in cells) > GRID_ROWS or max(c for _, c in cells) > GRID_COLUMNS
        grids.append(Grid(name, columns, rows, cut))
    return grids


async def audit_upload(request: Request) -> Response:
    uploads: Uploads = request.app.state.uploads
    try:
        form = await request.form(max_files=1, max_fields=4)
        given = form.get("book")
        if not isinstance(given, UploadFile) or not given.filename:
            raise InputError("no workbook was sent", field="book", hint="choose an .xlsx file")
        shown = os.path.basename(given.filename)[:120]
        if not shown.lower().endswith(batch.SUFFIXES):
            raise InputError(
                "is not an Excel workbook",
                file=shown,
                hint="upload an .xlsx or .xlsm file (a .xls or .csv: save it as .xlsx first)",
            )
        key, path = uploads.new_path()
        with open(path, "wb") as out:
            size = 0
            while chunk := await given.read(1 << 20):
                size += len(chunk)
                if size > MAX_UPLOAD:
                    raise InputError(
                        f"is more than {MAX_UPLOAD // (1024 * 1024)} MB",
                        file=shown,
                        hint="audit it on the command line: flopbook audit FILE",
                    )
                out.write(chunk)
        try:
            result = await run_in_threadpool(_audit, path)
        except InputError as exc:
            raise InputError(exc.message, file=shown, hint=exc.hint) from None
        grids = await compute(_grids, path, result.findings)
        uploads.add(Upload(key, shown, path, result))
    except Exception as exc:  # shown in the page; the server carries on
        return problem(request, exc)
    return page(
        request,
        "_audit_result.html",
        upload=Upload(key, shown, path, result),
        grids=grids,
        fixable=any(f.fix is not None for f in result.findings),
    )


async def fixed_copy(request: Request) -> Response:
    """The corrected copy of an upload (``audit --fix``): each changed cell commented."""
    uploads: Uploads = request.app.state.uploads
    try:
        item = uploads.get(request.path_params["key"])
        out = item.path.with_suffix(".fixed.xlsx")
        done = await compute(write_fixed, str(item.path), item.result, str(out), True)
        if not done.written:
            raise InputError("nothing to correct; no copy written", file=item.name)
        body = out.read_bytes()
    except Exception as exc:  # shown as a page; the server carries on
        return problem(request, exc, status=400)
    stem = item.name.rsplit(".", 1)[0]
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in stem)[:80] or "workbook"
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{safe}-fixed.xlsx"'},
    )
