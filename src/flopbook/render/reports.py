"""Writing a report's files (the workbook, the page: one of each kind in
:data:`~flopbook.render.report_files.REPORT_FILES`), each whole or not at all.

>>> report = flopbook.build_report(flopbook.case("deepseek-semianalysis"))
>>> flopbook.write_reports(report, xlsx="deepseek.xlsx", html="deepseek.html")
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from flopbook.errors import InputError, suggest
from flopbook.files import Outputs, check_target
from flopbook.render.excel import write_workbook as write_workbook
from flopbook.render.html import write_html as write_html
from flopbook.render.report_files import BY_OPTION, REPORT_FILES, nothing_to_write_hint
from flopbook.report.document import Report

__all__ = ["check_report_target", "write_reports"]


def check_report_target(
    path: str | Path, option: str, *, force: bool = False, protect: tuple[str | Path, ...] = ()
) -> Path:
    """The path of a report file of the kind ``option`` names (``html``), or an InputError
    saying why it cannot be written there."""
    suffixes = BY_OPTION[option].suffixes
    return check_target(path, option, force=force, protect=protect, suffixes=suffixes)


def writer(option: str) -> Callable[[Report, str], object]:
    """The function that writes a report file of the kind ``option`` names: the shipped
    writers by their name in this module (so that a caller may stand in for one here), any
    other loaded from the module its row names."""
    module, _, name = BY_OPTION[option].writer.partition(":")
    here = globals().get(name)
    found: Callable[[Report, str], object] = (
        here if callable(here) else getattr(importlib.import_module(module), name)
    )
    return found


def write_reports(
    report: Report,
    *,
    force: bool = False,
    protect: tuple[str | Path, ...] = (),
    **files: str | Path | None,
) -> list[Path]:
    """Write the report's files, each given by its kind: ``xlsx=`` (the workbook with live
    formulas) and/or ``html=`` (the page). Every target is checked before anything is
    written, and each file appears whole or not at all (see :mod:`flopbook.files`)."""
    for option in files:
        if option not in BY_OPTION:
            raise InputError(
                f"no kind of report file called {option!r}",
                hint=suggest(option, tuple(BY_OPTION)),
            )
    targets = [(f, files[f.option]) for f in REPORT_FILES if files.get(f.option) is not None]
    if not targets:
        raise InputError("nothing to write", hint=nothing_to_write_hint())
    paths = [
        check_report_target(p, f.option, force=force, protect=protect)
        for f, p in targets
        if p is not None
    ]
    for i, path in enumerate(paths):
        for j in range(i):
            if paths[j] == path:
                raise InputError(
                    f"{targets[j][0].noun} and {targets[i][0].noun} would be the same file",
                    file=str(targets[j][1]),
                    hint="give two different paths",
                )
    written = []
    with Outputs() as out:  # every file, or none
        for path, (f, _) in zip(paths, targets, strict=True):
            out.stage(path, _staged(writer(f.option), report))
            written.append(path)
    return written


def _staged(write: Callable[[Report, str], object], report: Report) -> Callable[[str], object]:
    return lambda tmp: write(report, tmp)
