"""A figure as its table cell says it, and the same text beside it in JSON (``"text"``).

The terminal tables and the JSON writer both read a figure through here, so that what a
program finds under ``"text"`` is what a person sees: ``$50.7M/year (47.6–63.1)``, ``64.2%``,
``$30.00k/GPU``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flopbook import numbers
from flopbook.models.funding import PAYER_ROWS
from flopbook.models.registry import KINDS
from flopbook.quantity import Summary

# Fleet rows that are shares, shown as percentages (their unit is a plain number)
SHARE_ROWS = ("breakeven_utilisation", "breakeven_utilisation_api", "margin_share")
# Workload figures that are shares (MFU 38.20%)
WORKLOAD_SHARES = frozenset({"mfu", "mbu", "margin"})
# A fleet's yearly cash flows: its internal rate of return
CASH_FLOW_SHARES = ("irr", "cost_of_equity", "wacc")


def metric_cell(key: str, unit: str, s: Summary | None, *, sep: str = " ") -> str:
    """A fleet or cash-flow figure as its table cell shows it: a share as a percentage
    (64.2%), every other figure in its row's unit ($50.7M/year)."""
    if key in SHARE_ROWS:
        return numbers.share(s, sep=sep)
    return numbers.summary(s, unit, sep=sep)


@lru_cache(maxsize=1)
def share_names() -> frozenset[str]:
    """Every input and output that is a share of something, by name: the fleet's share
    rows, the workloads' MFU and margin, the payer's share rows, and every declared input
    that is a share (``share=True``, or at most 100%)."""
    inputs = {
        name
        for kind in KINDS.values()
        for name, spec in kind.inputs.items()
        if "" in spec.units and (spec.share or spec.high == 1)
    }
    payer = {key for key, row in PAYER_ROWS.items() if row.kind == "share"}
    return frozenset({*SHARE_ROWS, *WORKLOAD_SHARES, *CASH_FLOW_SHARES, *payer, *inputs})


def _is_quantity(d: dict[str, Any]) -> bool:
    v = d.get("value")
    return (
        isinstance(d.get("unit"), str)
        and isinstance(v, int | float)
        and not isinstance(v, bool)
        and "text" not in d
    )


def _summary(d: dict[str, Any]) -> Summary:
    x = float(d["value"])
    return Summary(
        d["unit"],
        x,
        float(d.get("p5", x)),
        float(d.get("p50", x)),
        float(d.get("p95", x)),
        int(d.get("samples", 1)),
    )


def _text(d: dict[str, Any], name: str, row_unit: str | None) -> str:
    s = _summary(d)
    share = s.unit == "" and name.split(".")[0] in share_names()
    if row_unit is not None:  # a cell of a table row: as the table shows it
        # in the row's display unless the cell has another (a payer's total over years)
        unit = row_unit if numbers.unit_text(row_unit) == s.unit else s.unit
        return numbers.share(s) if share else metric_cell(name, numbers.declared_unit(unit), s)
    if share:
        return numbers.share(s)
    return numbers.summary_text(s)


_NAMES = ("metric", "row", "key", "name", "input", "output")


def with_text(data: Any, name: str = "", row_unit: str | None = None) -> Any:
    """``data`` with a ``"text"`` beside every quantity (``{"value": number, "unit": ...}``)
    that has none: the figure as the terminal shows it. Numbers are left as they are."""
    if isinstance(data, list):
        return [with_text(x, name, row_unit) for x in data]
    if not isinstance(data, dict):
        return data
    own = next((data[k] for k in _NAMES if isinstance(data.get(k), str)), None)
    here = own or name
    # a table row ({"metric", "unit", "values"}): its cells take the row's unit and name
    rows = isinstance(data.get("unit"), str) and any(
        isinstance(data.get(k), dict) for k in ("values", "by_year")
    )
    out = {}
    for k, v in data.items():
        if rows and k in ("values", "by_year", "total"):
            out[k] = _row_cells(v, here, data["unit"], single=k == "total")
        else:
            # a figure under a key is named by it ("npv"), items of a list by their own name
            out[k] = with_text(v, k if isinstance(v, dict) else here, row_unit)
    if _is_quantity(out):
        out["text"] = _text(out, here, row_unit)
    return out


def _row_cells(v: Any, name: str, unit: str, *, single: bool) -> Any:
    if v is None:
        return None
    if single:
        return with_text(v, name, unit)
    return {c: with_text(cell, name, unit) for c, cell in v.items()}
