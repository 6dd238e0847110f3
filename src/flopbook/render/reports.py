"""Writing a report's files: the workbook and the page, each whole or not at all.

>>> report = flopbook.build_report(flopbook.case("deepseek-semianalysis"))
>>> flopbook.write_reports(report, xlsx="deepseek.xlsx", html="deepseek.html")
"""

from __future__ import annotations

from pathlib import Path

from flopbook.errors import InputError
from flopbook.files import Outputs, check_target
from flopbook.render.excel import write_workbook
from flopbook.render.html import write_html
from flopbook.report.document import Report

__all__ = ["write_reports"]


def write_reports(
    report: Report,
    *,
    xlsx: str | Path | None = None,
    html: str | Path | None = None,
    force: bool = False,
    protect: tuple[str | Path, ...] = (),
) -> list[Path]:
    """Write the workbook and/or the page. Every target is checked before anything is
    written, and each file appears whole or not at all (see :mod:`flopbook.files`)."""
    targets = [(p, kind) for p, kind in ((xlsx, "xlsx"), (html, "html")) if p is not None]
    if not targets:
        raise InputError("nothing to write", hint="give --xlsx OUT.xlsx and/or --html OUT.html")
    paths = [check_target(p, kind, force=force, protect=protect) for p, kind in targets]
    if len(paths) == 2 and paths[0] == paths[1]:
        raise InputError(
            "the workbook and the page would be the same file",
            file=str(xlsx),
            hint="give two different paths",
        )
    written = []
    with Outputs() as out:  # both files, or neither
        for path, (_, kind) in zip(paths, targets, strict=True):
            if kind == "xlsx":
                out.stage(path, lambda tmp: write_workbook(report, tmp))
            else:
                out.stage(path, lambda tmp: write_html(report, tmp))
            written.append(path)
    return written
