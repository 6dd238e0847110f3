"""Reports people share: a workbook with live formulas and a self-contained HTML page.

    >>> from flopbook.report import build_report
    >>> report = build_report(flopbook.case("deepseek-semianalysis"))
    >>> flopbook.write_reports(report, xlsx="deepseek.xlsx", html="deepseek.html")

A result becomes a :class:`~flopbook.report.document.Report` once; the writers render that
without knowing the model. A model kind joins by one function that turns its result into a
:class:`~flopbook.report.document.Block` (its inputs, its lines with formulas and the
engine's values), named in :data:`BLOCKS` by its declared kind (or the result's class
name); charts are optional (:data:`CHARTS`).
"""

from __future__ import annotations

from typing import Any

from flopbook.cases.result import CaseResult
from flopbook.models.registry import name_of
from flopbook.report.case import case_report
from flopbook.report.document import Report
from flopbook.report.inputs import InputBook
from flopbook.report.kinds import BLOCKS, CHARTS, block_for, blocks_for, charts_for

__all__ = ["BLOCKS", "CHARTS", "block_for", "blocks_for", "build_report", "charts_for"]


def build_report(
    result: Any, *, origin: str = "", summary: str = "", charts: bool = True
) -> Report:
    """A report of a reference case (``CaseResult``) or of any model result in BLOCKS.
    ``charts=False`` leaves the charts out (the workbook has none; drawing them is most of
    the time a report takes)."""
    if isinstance(result, CaseResult):
        report = case_report(result, charts=charts)
        if origin:
            report.origin = origin
        return report
    book = InputBook()
    kind = _kind(result)
    title = (
        getattr(result, "name", "")
        or getattr(getattr(result, "payer", None), "name", "")
        or kind.capitalize()
    )
    blocks = blocks_for(result, book, title)
    return Report(
        title=title,
        kind=kind,
        summary=summary,
        inputs=book.rows,
        constants=list(book.constants.values()),
        blocks=blocks,
        charts=charts_for(result, title) if charts else [],
        origin=origin,
        subjects=[result],
    )


# what a report calls the kind it shows, where not "<kind> scenario"
_REPORT_KIND = {
    "fund": "fund (payer)",
    "company": "company (payer)",
    "funding_verdict": "funding verdict",
}


def _kind(result: Any) -> str:
    name = name_of(result)
    return _REPORT_KIND.get(name, f"{name.lower()} scenario")
