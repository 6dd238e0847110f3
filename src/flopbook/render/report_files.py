"""The files a report is written to, a row each: the option that names one (``--xlsx``),
the endings its name may have, what it is called in messages, the option's help, and its
writer. `flopbook report` makes an option of each row, :func:`~flopbook.render.reports.
write_reports` writes them (``write_reports(report, xlsx=..., html=...)``), and a path is
checked against its row's endings. A new kind of report file is its writer and a row here
(and its section in docs/reports.md).

Plain data, importing nothing: `flopbook --help` reads it to list the options. A writer is
named as ``module:function`` and loaded only when its file is written.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportFile:
    option: str  # "xlsx": --xlsx on the command line, write_reports(xlsx=...) in Python
    suffixes: tuple[str, ...]  # the endings a file name may have, the usual one first
    noun: str  # "the workbook", in messages
    help: str  # the option's help
    writer: str  # "module:function", a function (report, path) that writes the file there
    charts: bool = False  # the file shows charts, which the report draws only for it


REPORT_FILES: tuple[ReportFile, ...] = (
    ReportFile(
        "xlsx",
        (".xlsx",),
        "the workbook",
        "Write a workbook with live formulas (Inputs, Calculations, Results) to this .xlsx "
        "file. E.g. --xlsx out/fleet.xlsx",
        "flopbook.render.excel:write_workbook",
    ),
    ReportFile(
        "html",
        (".html", ".htm"),
        "the page",
        "Write a self-contained HTML report (tables, charts, sources) to this .html file. "
        "E.g. --html out/fleet.html",
        "flopbook.render.html:write_html",
        charts=True,
    ),
)

BY_OPTION = {f.option: f for f in REPORT_FILES}


def nothing_to_write_hint() -> str:
    """``give --xlsx OUT.xlsx and/or --html OUT.html``: every kind of report file."""
    return "give " + " and/or ".join(f"--{f.option} OUT{f.suffixes[0]}" for f in REPORT_FILES)
