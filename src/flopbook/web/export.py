"""Take a result away: every kind of report file (the workbook with live formulas, the HTML
report, and any other in :data:`~flopbook.render.report_files.REPORT_FILES`), JSON and CSV —
each written by the same writer as ``flopbook report`` and ``--format``."""

from __future__ import annotations

import os
import re
import tempfile
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from flopbook.errors import InputError
from flopbook.formula.result import Result
from flopbook.models.registry import name_of
from flopbook.quantity import sampling
from flopbook.render import data
from flopbook.render.funding import funding_csv
from flopbook.render.report_files import BY_OPTION
from flopbook.render.reports import writer
from flopbook.render.workload import workload_csv
from flopbook.report import build_report
from flopbook.web.downloads import BY_FORMAT, DOWNLOADS
from flopbook.web.pages import compute, problem
from flopbook.web.scenarios import run_text
from flopbook.web.workbench import read_form, samples_of

__all__ = ["FORMATS", "download"]

FORMATS = {d.format: d.media_type for d in DOWNLOADS}
"""Each format a scenario downloads as, and its media type."""


def stem(name: str) -> str:
    """A file name made from a scenario's name: letters, digits, dots and dashes only."""
    base = os.path.basename(name).rsplit(".", 1)[0]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip("-.")[:80] or "scenario"


def _file_name(name: str, fmt: str) -> str:
    kind = BY_OPTION.get(fmt)
    return stem(name) + (kind.suffixes[0] if kind is not None else f".{fmt}")


def _csv(result: Any) -> str:
    if isinstance(result, Result):
        return data.fleet_csv(result)
    if name_of(result) in ("training", "inference"):
        return workload_csv(result)
    return funding_csv(result, None)


def render(text: str, name: str, fmt: str, samples: int) -> bytes:
    """The scenario's result in ``fmt``, as the file's bytes."""
    if fmt not in BY_FORMAT:
        raise InputError(f"unknown format {fmt!r}", field="format", hint=", ".join(FORMATS))
    run = run_text(text, name, samples=samples)
    if fmt == "json":
        return data.to_json(run.result.to_dict()).encode("utf-8")
    if fmt == "csv":
        return _csv(run.result).encode("utf-8")
    kind = BY_OPTION[fmt]
    if run.report is None and not isinstance(run.result, Result):
        raise InputError(
            f"no {fmt} report yet for a workload with model: or architecture:",
            hint="download its JSON or CSV",
        )
    with sampling(samples):
        report = build_report(run.result, origin=name, summary=run.summary, charts=kind.charts)
    # each kind's writer writes a file, as for `flopbook report`; it is read back whole
    with tempfile.TemporaryDirectory(prefix="flopbook-web-") as tmp:
        path = os.path.join(tmp, "result" + kind.suffixes[0])
        writer(kind.option)(report, path)
        with open(path, "rb") as f:
            return f.read()


async def download(request: Request) -> Response:
    fmt = request.path_params["fmt"]
    form = await read_form(request)
    text = form.get("text", "")
    name = form.get("name") or "scenario.yaml"
    try:
        body = await compute(render, text, name, fmt, samples_of(form))
    except Exception as exc:  # shown as a page; the server carries on
        return problem(request, exc, text, status=400)
    return Response(
        body,
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{_file_name(name, fmt)}"'},
    )
