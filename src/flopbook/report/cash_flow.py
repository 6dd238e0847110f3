"""A fleet's yearly cash flows as a report block: one column per year, written from the
cash-flow declaration (:data:`flopbook.models.cash_flow.CASH_FLOW`).

Each cohort has a line per output, its formula written from the declaration with the
cohort's inputs pointing at the fleet block's cells (its capex, opex, used GPU-hours,
revenue and dates) and at the defined names of its useful life and residual value; each
year's total line adds the cohorts' lines. The NPV is the total of the present values, the
IRR the workbook's own ``IRR`` over the yearly net cash flows, and the payback the sum of
each year's part of it (see :func:`flopbook.models.cash_flow.payback`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from flopbook.formula.excel import Ref, excel_formula
from flopbook.models.cash_flow import CASH_FLOW, NOT_SUMMED, payback_parts, with_years
from flopbook.models.fleet import METRIC_BY_KEY, TOTAL, financing_place
from flopbook.quantity import Quantity, magnitudes, registry, summarize
from flopbook.report.document import Block, Line

if TYPE_CHECKING:
    from flopbook.models.cash_flow import CashFlows
    from flopbook.models.fleet import FleetResult
    from flopbook.quantity import Summary
    from flopbook.report.inputs import InputBook

__all__ = ["cash_flow_block"]

_FROM_FLEET = ("gpus", "capex", "opex", "used_gpu_hours", "revenue")
_DATES = ("acquired", "retired")


def _refs(result: FleetResult, column: str, book: InputBook, fleet: int) -> dict[str, Ref]:
    """What each input of one cohort's yearly formulas is in the workbook."""
    ureg = registry()
    item: Any = result._extensive[column]  # a SkuMetrics: the SKU, its assumptions
    refs: dict[str, Ref] = {}
    for k in _FROM_FLEET:
        if not item.is_none(k):
            refs[k] = Ref(f"{{#{fleet}:{k}@{column}}}", ureg.Unit(METRIC_BY_KEY[k].unit))
    for k in _DATES:
        if k in item.sku.inputs:
            refs[k] = Ref(f"{{#{fleet}:in_{k}@{column}}}", ureg.Unit("year"))
    for k in ("useful_life", "residual_value"):
        place = f"skus.{column}.assumptions.{k}"
        row = book.row(place) if book.has(place) else book.row(f"assumptions.{k}")
        refs[k] = Ref(row.name, item.a.inputs[k].value.units)
    for k, inp in item.financing.items():  # the cohort's own loan or lease, else the fleet's
        unit: Any = inp.value.units
        found = financing_place(item.sku, k, result.financing)
        assert found is not None, "a financing in force has its row"
        refs[k] = Ref(book.row(found).name, unit)
    assert result.assumptions is not None
    rate: Any = result.assumptions.inputs["cost_of_capital"].value.units
    refs["cost_of_capital"] = Ref(book.row("assumptions.cost_of_capital").name, rate)
    # equity is discounted at the fleet's cost of equity, or at the cost of capital
    if "cost_of_equity" in result.financing:
        equity: Any = result.financing["cost_of_equity"].value.units
        refs["cost_of_equity"] = Ref(book.row("financing.cost_of_equity").name, equity)
    else:
        refs["cost_of_equity"] = refs["cost_of_capital"]
    return refs


def _first(value: Any, unit: str) -> float | None:
    if value is None:
        return None
    return float(magnitudes(value, unit)[0])


def cash_flow_block(
    result: FleetResult, point: FleetResult, book: InputBook, fleet: int = 0
) -> Block:
    """The yearly block of ``result`` (its summaries) at ``point``'s values (the inputs the
    workbook uses); ``fleet`` is the index of the fleet's own block in the report."""
    flows, at = result.cash_flows, point.cash_flows
    assert flows is not None and at is not None and result.period is not None
    ureg = registry()
    period = result.period
    years = at.columns
    columns = [*years, TOTAL]
    start = book.add(
        "period.start",
        "period_start",
        "First year of the cash flows",
        value=Quantity(float(period.first), "year"),
        raw=period.first,
    ).name
    end = book.add(
        "period.end",
        "period_end",
        "Last year of the cash flows",
        value=Quantity(float(period.last), "year"),
        raw=period.last,
    ).name
    shared = {
        "calendar_year": Ref("{calendar_year}", ureg.Unit("year")),
        "period_start": Ref(start, ureg.Unit("year")),
        "period_end": Ref(f"({end}+1)", ureg.Unit("year")),  # the end of the last year
    }
    lines = [
        Line(
            "calendar_year",
            "Year",
            "year",
            "input",
            "the first year, then one more each column",
            {
                y: (start if i == 0 else f"{{calendar_year@{years[i - 1]}}}+1")
                for i, y in enumerate(years)
            }
            | {TOTAL: None},
            {y: float(y) for y in years} | {TOTAL: None},
            {},
        )
    ]
    cohort_lines: dict[str, list[str]] = {o.key: [] for o in CASH_FLOW.outputs}
    rates: dict[str, str] = {}  # a cohort's loan-drawn line -> its loan rate's defined name
    for i, c in enumerate(result.columns):
        refs = {**_refs(result, c, book, fleet), **shared}
        if "debt_rate" in refs:
            rates[f"debt_drawn_{i}"] = refs["debt_rate"].text
        equity_rate = refs["cost_of_equity"].text
        form = with_years(at.forms[c])
        cells = {o.key: Ref(f"{{{o.key}_{i}}}", ureg.Unit(o.unit)) for o in CASH_FLOW.outputs}
        for o in CASH_FLOW.outputs:
            text = excel_formula(CASH_FLOW, o.key, form, refs, cells)
            if text is None:
                continue
            key = f"{o.key}_{i}"
            cohort_lines[o.key].append(key)
            values = {y: _first(at.by_year[y].get(o.key, c), o.unit) for y in years}
            summaries = {y: _summary(flows.by_year[y].get(o.key, c), o.unit) for y in years}
            formulas: dict[str, str | None] = {y: text for y in years}
            if o.key in NOT_SUMMED:
                formulas[TOTAL], values[TOTAL], summaries[TOTAL] = None, None, None
            else:
                formulas[TOTAL] = f"SUM({{{key}@{years[0]}}}:{{{key}@{years[-1]}}})"
                values[TOTAL] = float(np.nansum([values[y] or 0.0 for y in years]))
                summaries[TOTAL] = None
            lines.append(
                Line(
                    key, f"{c}: {o.label}", o.unit, "extensive", o.doc, formulas, values, summaries
                )
            )
    for o in CASH_FLOW.outputs:
        parts = cohort_lines[o.key]
        if not parts:
            continue
        formulas = {y: "+".join(f"{{{k}}}" for k in parts) for y in years}
        values = {c: _first(at.get(o.key, c), o.unit) for c in columns}
        summaries = {c: flows.summary(o.key, c) for c in columns}
        if o.key in NOT_SUMMED:
            formulas[TOTAL] = None
        else:
            formulas[TOTAL] = f"SUM({{{o.key}@{years[0]}}}:{{{o.key}@{years[-1]}}})"
        lines.append(Line(o.key, o.label, o.unit, "extensive", o.doc, formulas, values, summaries))
    lines += _results(at, flows, years)
    if at.wacc() is not None:
        lines.append(_wacc(at, flows, rates, equity_rate))
    notes = [
        "Each year's column adds the cohorts' lines; the Total adds the years (GPUs in "
        "service, a stock, has none). Capex is paid in the year a cohort is acquired; it is "
        "sold at book value when retired or at the end of the period.",
        "Year y is discounted by (1 + cost of capital)^-(y - first year), as IRR() takes its "
        "first value undiscounted.",
    ]
    if flows.has_debt:
        notes.append(
            "The loan is drawn in the year a cohort is acquired and repaid in the whole years "
            "after it; what is still owed when the period ends is repaid in its last year. "
            "Cash flow to equity = net cash flow + loan drawn - interest - principal."
        )
    d = flows.to_dict()
    for why in (d["irr_undefined"], d["payback_undefined"]):
        if why:
            notes.append(why[0].upper() + why[1:] + ".")
    highlights = [o.key for o in CASH_FLOW.outputs if cohort_lines[o.key]]
    highlights += [
        ln.key
        for ln in lines
        if ln.key in ("npv", "irr", "npv_equity", "irr_equity", "wacc", "payback")
    ]
    return Block(
        "Cash flows by year",
        columns,
        lines,
        highlights,
        notes,
        sampled=result.sampled,
        engine=at,
    )


def _wacc(at: CashFlows, flows: CashFlows, rates: dict[str, str], equity: str) -> Line:
    """The WACC the financing implies: each cohort's loan at its rate, the rest of the
    capex at the cost of equity, over the capex."""
    none: dict[str, Any] = {y: None for y in at.columns}
    loans = "+".join(f"{{{k}@{TOTAL}}}*{rate}" for k, rate in rates.items())
    capex, drawn = f"{{capex_paid@{TOTAL}}}", f"{{debt_drawn@{TOTAL}}}"
    wacc, point = flows.wacc(), at.wacc()
    assert wacc is not None and point is not None
    return Line(
        "wacc",
        "WACC implied (before tax)",
        "",
        "single",
        "(loan x its rate + (capex - loan) x cost of equity) / capex, over the owned cohorts",
        {**none, TOTAL: f"({loans}+({capex}-{drawn})*{equity})/{capex}"},
        {**none, TOTAL: float(magnitudes(point, "")[0])},
        {**none, TOTAL: summarize(wacc, "")},
        percent=True,
    )


def _summary(value: Any, unit: str) -> Summary | None:
    return None if value is None else summarize(value, unit)


def _results(at: CashFlows, flows: CashFlows, years: list[str]) -> list[Line]:
    """NPV, IRR and payback: one figure each, in the Total column."""
    first, last = years[0], years[-1]
    none = {y: None for y in years}
    d, point = flows.to_dict(), at.to_dict()
    out = [
        Line(
            "npv",
            "NPV at the cost of capital",
            "USD",
            "single",
            "the sum of the years' present values",
            {**none, TOTAL: f"{{present_value@{TOTAL}}}"},
            {**none, TOTAL: point["npv"]["value"]},
            {**none, TOTAL: summarize(flows.npv(), "USD")},
        )
    ]
    if point["irr"] is not None:
        rates, _ = flows.irr()
        kept = rates[~np.isnan(rates)]
        out.append(
            Line(
                "irr",
                "IRR",
                "",
                "single",
                "the rate at which the NPV of the yearly net cash flows is zero",
                {**none, TOTAL: f"IRR({{cash_flow@{first}}}:{{cash_flow@{last}}})"},
                {**none, TOTAL: point["irr"]["value"]},
                {**none, TOTAL: summarize(Quantity(kept, ""), "") if d["irr"] else None},
                percent=True,
            )
        )
    if point.get("equity") is not None:
        equity, at_point = d["equity"], point["equity"]
        npv_equity = flows.equity_npv()
        assert npv_equity is not None, "a fleet with a loan has equity's present values"
        out.append(
            Line(
                "npv_equity",
                "NPV to equity at the cost of "
                + ("capital" if flows.cost_of_equity is None else "equity"),
                "USD",
                "single",
                "the sum of the years' present values to equity",
                {**none, TOTAL: f"{{equity_present_value@{TOTAL}}}"},
                {**none, TOTAL: at_point["npv"]["value"]},
                {**none, TOTAL: summarize(npv_equity, "USD")},
            )
        )
        if at_point["irr"] is not None:
            rates, _ = flows.irr("equity_cash_flow")
            kept = rates[~np.isnan(rates)]
            out.append(
                Line(
                    "irr_equity",
                    "IRR to equity",
                    "",
                    "single",
                    "the rate at which the NPV of the yearly cash flows to equity is zero",
                    {
                        **none,
                        TOTAL: f"IRR({{equity_cash_flow@{first}}}:{{equity_cash_flow@{last}}})",
                    },
                    {**none, TOTAL: at_point["irr"]["value"]},
                    {**none, TOTAL: summarize(Quantity(kept, ""), "") if equity["irr"] else None},
                    percent=True,
                )
            )
    cum: dict[str, str | None] = {
        y: ("{cash_flow}" if i == 0 else f"{{cumulative@{years[i - 1]}}}+{{cash_flow}}")
        for i, y in enumerate(years)
    }
    cf = at.flows()[:, 0]
    values = dict(zip(years, np.cumsum(cf).tolist(), strict=True))
    out.append(
        Line(
            "cumulative",
            "Cumulative net cash flow",
            "USD",
            "extensive",
            "the net cash flows so far",
            {**cum, TOTAL: None},
            {**values, TOTAL: None},
            {},
        )
    )
    if point["payback"] is not None:
        parts = dict(zip(years, payback_parts(cf).tolist(), strict=True))
        out.append(
            Line(
                "payback_part",
                "Part of the payback",
                "year",
                "extensive",
                "1 for a year that ends below zero; the share of its flow the crossing year takes",
                {
                    y: "IF({cumulative}<0,1,IF({cumulative}-{cash_flow}<0,"
                    "({cash_flow}-{cumulative})/{cash_flow},0))"
                    for y in years
                }
                | {TOTAL: None},
                {**parts, TOTAL: None},
                {},
            )
        )
        out.append(
            Line(
                "payback",
                "Payback (years from the start of the first year)",
                "year",
                "single",
                "the sum of the years' parts",
                {**none, TOTAL: f"SUM({{payback_part@{first}}}:{{payback_part@{last}}})"},
                {**none, TOTAL: point["payback"]["value"]},
                {**none, TOTAL: None},
            )
        )
    return out
