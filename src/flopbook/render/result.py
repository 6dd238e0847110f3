"""Any declared kind's result (the shared :class:`~flopbook.formula.result.Result`) for the
terminal, as JSON data and as CSV: ``flopbook run FILE``.

Laid out from the declaration alone: one row per output, one column per item and the
Total, then the kind's declared totals (the lowest coverage over the years, a compound
return). A kind needs nothing here of its own.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from flopbook import numbers
from flopbook.formula.result import TOTAL
from flopbook.quantity import summarize, unit_name
from flopbook.render.cells import metric_cell, share_names
from flopbook.safe_text import CsvWriter

if TYPE_CHECKING:
    from flopbook.formula.declaration import Total
    from flopbook.formula.result import Result
    from flopbook.quantity import Summary

__all__ = ["result_csv", "result_dict", "result_tables"]


def _cell(key: str, unit: str, s: Summary | None, sep: str = " ") -> str:
    if s is not None and s.unit == "" and key in share_names():
        return numbers.share(s, sep=sep)
    return metric_cell(key, numbers.declared_unit(unit), s, sep=sep)


def _label(label: str, key: str, unit: str) -> str:
    shown = "share" if unit == "" and key in share_names() else numbers.unit_label(unit)
    # escaped: rich would read a unit such as [tokens / year] as a style and drop it
    return escape(f"{label} [{shown}]" if shown else label)


def _totals(result: Result) -> list[Total]:
    """The declared totals that are figures of their own (not an output's Total column)."""
    return [t for t in result.kind.totals if t.of is None]


def _total_summary(result: Result, t: Total) -> Summary | None:
    value = result.total(t.key)
    return None if value is None else summarize(value, t.unit or None)


def result_tables(result: Result, *, title: str | None = None) -> list[Table]:
    """The outputs as one table (items and the Total as columns), and the declared totals
    as a second when the kind has any."""
    sampled = result.sampled
    table = Table(
        title=title if title is not None else (result.name or result.kind.label),
        caption=numbers.statistic_note() if sampled else None,
        caption_justify="left",
        show_lines=sampled,
    )
    table.add_column("", style="bold", min_width=18, max_width=40, overflow="fold")
    columns = result.all_columns if len(result.columns) > 1 else result.columns
    for c in columns:
        bold = c == TOTAL and len(result.columns) > 1
        table.add_column(escape(str(c)), justify="right", style="bold" if bold else "")
    for m in result.outputs:
        label = m.label + (" (avg)" if m.kind == "intensive" and len(columns) > 1 else "")
        cells = [
            _cell(m.key, result.unit(m.key, c), result.summary(m.key, c), sep="\n") for c in columns
        ]
        if m.key in result.partial and len(columns) > 1:
            cells[-1] += "*"
        table.add_row(_label(label, m.key, m.unit), *cells)
    tables = [table]
    totals = _totals(result)
    if totals:
        more = Table(title="Totals", show_header=False, caption_justify="left")
        more.add_column("", style="bold", min_width=18, max_width=40, overflow="fold")
        more.add_column("", justify="right")
        for t in totals:
            more.add_row(
                _label(t.label, t.key, t.unit), _cell(t.key, t.unit, _total_summary(result, t))
            )
        tables.append(more)
    return tables


def result_dict(result: Result) -> dict[str, Any]:
    """Plain data for JSON: the kind, the columns, every output's figure in each column
    (value and unit, with percentiles when sampled), and each declared total."""
    totals = []
    for t in _totals(result):
        s = _total_summary(result, t)
        totals.append(
            {
                "total": t.key,
                "label": t.label,
                "unit": unit_name(t.unit),
                "value": None if s is None else s.as_dict(),
            }
        )
    return {
        "name": result.name or None,
        "kind": result.kind.name,
        "label": result.kind.label,
        "columns": [str(c) for c in result.all_columns],
        "metrics": [
            {**row, "values": {str(c): v for c, v in row["values"].items()}}
            for row in result.rows_dict()
        ],
        "totals": totals,
    }


def result_csv(result: Result) -> str:
    """One row per output and column, then one per declared total (column ``Total``):
    metric, label, kind, column, unit, mean, p5, p50, p95."""
    buf = io.StringIO()
    w = CsvWriter(buf)
    w.writerow(["metric", "label", "kind", "column", "unit", "mean", "p5", "p50", "p95"])

    def row(key: str, label: str, kind: str, column: str, unit: str, s: Summary | None) -> None:
        stats = (
            ["", "", "", ""] if s is None else [f"{x:.10g}" for x in (s.mean, s.p5, s.p50, s.p95)]
        )
        w.writerow([key, label, kind, column, unit, *stats])

    for m in result.outputs:
        for c in result.all_columns:
            unit = numbers.unit_text(result.unit(m.key, c))
            row(m.key, m.label, m.kind, str(c), unit, result.summary(m.key, c))
    for t in _totals(result):
        row(t.key, t.label, "total", TOTAL, numbers.unit_text(t.unit), _total_summary(result, t))
    return buf.getvalue()
