"""Reports people share: a workbook with live formulas and a self-contained HTML page.

    >>> from flopbook.report import build_report
    >>> report = build_report(flopbook.case("deepseek-semianalysis"))
    >>> flopbook.write_reports(report, xlsx="deepseek.xlsx", html="deepseek.html")

A result becomes a :class:`~flopbook.report.document.Report` once; the writers render that
without knowing the model. A model kind joins by one function that turns its result into a
:class:`~flopbook.report.document.Block` (its inputs, its lines with formulas and the
engine's values), named in :data:`BLOCKS` by the result's class name; charts are optional
(:data:`CHARTS`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flopbook.errors import InputError

if TYPE_CHECKING:
    from flopbook.report.document import Block, Chart, Report
    from flopbook.report.inputs import InputBook

__all__ = ["BLOCKS", "CHARTS", "block_for", "blocks_for", "build_report", "charts_for"]

# declared kind (Result.kind.name) or result class name ->
# "module:function(result, book: InputBook, title: str) -> Block"
# (or a list of blocks, for a result that holds another, as a verdict holds its payer)
BLOCKS: dict[str, str] = {
    "fleet": "flopbook.report.fleet:fleet_block",
    "WorkloadResult": "flopbook.report.workload:workload_block",
    "PayerResult": "flopbook.report.funding:payer_block",
    "FundingVerdict": "flopbook.report.funding:funding_blocks",
}

# declared kind or result class name -> "module:function(result, title: str) -> list[Chart]"
CHARTS: dict[str, str] = {
    "fleet": "flopbook.report.charts:fleet_charts",
}


def _function(table: dict[str, str], result: Any) -> Callable[..., Any] | None:
    target = table.get(_key(result))
    if target is None:
        return None
    module, func = target.split(":")
    return getattr(importlib.import_module(module), func)


def blocks_for(result: Any, book: InputBook, title: str = "") -> list[Block]:
    """The report blocks of any result kind named in :data:`BLOCKS`."""
    make = _function(BLOCKS, result)
    if make is None:
        raise InputError(f"no report for a {_key(result)} yet",
                         hint="reports cover: " + ", ".join(BLOCKS))
    made = make(result, book, title)
    return made if isinstance(made, list) else [made]


def block_for(result: Any, book: InputBook, title: str = "") -> Block:
    """The (first) report block of any result kind named in :data:`BLOCKS`."""
    return blocks_for(result, book, title)[0]


def charts_for(result: Any, title: str = "") -> list[Chart]:
    """The result kind's own charts (:data:`CHARTS`), then the distributions of its headline
    outputs when its inputs are uncertain."""
    from flopbook.report.uncertainty import distribution_charts

    make = _function(CHARTS, result)
    return ([] if make is None else make(result, title)) + distribution_charts(result, title)


def build_report(result: Any, *, origin: str = "", summary: str = "",
                 charts: bool = True) -> Report:
    """A report of a reference case (``CaseResult``) or of any model result in BLOCKS.
    ``charts=False`` leaves the charts out (the workbook has none; drawing them is most of
    the time a report takes)."""
    from flopbook.cases.result import CaseResult
    from flopbook.report.document import Report
    from flopbook.report.inputs import InputBook

    if isinstance(result, CaseResult):
        from flopbook.report.case import case_report

        report = case_report(result, charts=charts)
        if origin:
            report.origin = origin
        return report
    book = InputBook()
    kind = _kind(result)
    title = getattr(result, "name", "") or getattr(
        getattr(result, "payer", None), "name", "") or kind.capitalize()
    blocks = blocks_for(result, book, title)
    return Report(title=title, kind=kind, summary=summary,
                  inputs=book.rows, constants=list(book.constants.values()),
                  blocks=blocks, charts=charts_for(result, title) if charts else [],
                  origin=origin,
                  subjects=[result])


def _key(result: Any) -> str:
    """What the tables above are keyed on: a declared kind's name, else the class name."""
    from flopbook.formula.result import Result

    return result.kind.name if isinstance(result, Result) else type(result).__name__


def _kind(result: Any) -> str:
    from flopbook.formula.result import Result

    if isinstance(result, Result):
        return f"{result.kind.name} scenario"
    name = type(result).__name__
    if name == "WorkloadResult":
        return f"{result.kind} scenario"
    if name == "PayerResult":
        return f"{result.kind} (payer)"
    if name == "FundingVerdict":
        return "funding verdict"
    return name.removesuffix("Result").lower() + " scenario"
