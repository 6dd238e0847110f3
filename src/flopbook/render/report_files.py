"""The files a report is written to, a row each: the option that names one (``--xlsx``),
the endings its name may have, what it is called in messages, the option's help, its media
type and its writer. `flopbook report` makes an option of each row,
:func:`~flopbook.render.reports.write_reports` writes them (``write_reports(report,
xlsx=..., html=...)``), the web app offers each as a download, and a path is checked against
its row's endings.

A kind of report file is one module of this package, found by name: its writer, and its row
as ``REPORT_FILE = ReportFile(...)`` with plain values (``writer`` names the function of the
module that writes the file). The rows are read from the modules' text, not by importing
them: `flopbook --help` reads this table to list the options, and a writer (XlsxWriter, the
page with its charts) is loaded only when its file is written. Rows come in the order of
their modules' names.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path

import flopbook.render  # the package this module is in (loaded before it): its folders


@dataclass(frozen=True)
class ReportFile:
    option: str  # "xlsx": --xlsx on the command line, write_reports(xlsx=...) in Python
    suffixes: tuple[str, ...]  # the endings a file name may have, the usual one first
    noun: str  # "the workbook", in messages
    help: str  # the option's help
    writer: str  # a function (report, path) that writes the file there: "module:function"
    media_type: str = "application/octet-stream"  # what the web app sends it as
    download: str = ""  # the web app's button for it (default: from noun and ending)
    charts: bool = False  # the file shows charts, which the report draws only for it


MARK = "REPORT_FILE = ReportFile("
"""How a module of this package starts the row of the kind of report file it writes."""


def _row(text: str, module: str, where: str) -> ReportFile:
    """The ``REPORT_FILE = ReportFile(...)`` statement of a module's ``text``, its values
    read as literals; ``writer`` becomes ``module:function``."""
    lines = text[text.index(MARK) :].splitlines()
    for end in range(1, len(lines) + 1):  # the statement ends where it first parses
        try:
            tree = ast.parse("\n".join(lines[:end]))
        except SyntaxError:
            continue
        call = tree.body[0].value  # type: ignore[attr-defined]
        break
    else:
        raise ValueError(f"{where}: {MARK}...) does not end")
    if call.args:
        raise ValueError(f"{where}: give ReportFile's values by name (option=..., ...)")
    values = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    names = {f.name for f in fields(ReportFile)}
    if not set(values) <= names:
        raise ValueError(f"{where}: ReportFile has no {sorted(set(values) - names)}")
    values["suffixes"] = tuple(values.get("suffixes", ()))
    values["writer"] = f"{module}:{values.get('writer', '')}"
    return ReportFile(**values)


def found_in(folders: Iterable[str | Path], package: str) -> tuple[ReportFile, ...]:
    """The rows of the modules in ``folders`` (a package's ``__path__``) that declare one."""
    rows: list[ReportFile] = []
    paths = sorted((p for f in folders for p in Path(f).glob("*.py")), key=lambda p: p.stem)
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if f"\n{MARK}" in text:
            row = _row(text, f"{package}.{path.stem}", str(path))
            if any(r.option == row.option for r in rows):
                raise ValueError(f"{path}: a second kind of report file called {row.option!r}")
            rows.append(row)
    return tuple(rows)


# this package's folders, as Python finds its modules (a test may add one)
REPORT_FILES: tuple[ReportFile, ...] = found_in(flopbook.render.__path__, "flopbook.render")

BY_OPTION = {f.option: f for f in REPORT_FILES}


def nothing_to_write_hint() -> str:
    """``give --xlsx OUT.xlsx and/or --html OUT.html``: every kind of report file."""
    return "give " + " and/or ".join(f"--{f.option} OUT{f.suffixes[0]}" for f in REPORT_FILES)
