"""Runners for fleet cases: a fleet checked against published figures, and a published fleet
table rebuilt as printed (with its errors), corrected, and compared."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from flopbook.calc import evaluate, parse
from flopbook.cases.result import CaseResult, Check, Discrepancy, Figure, Grid, Source
from flopbook.cases.spec import CaseFileBase, CheckMeta
from flopbook.errors import InputError
from flopbook.fleet_file import fleet_from_document
from flopbook.labels import unit_from_label
from flopbook.models.fleet import Fleet
from flopbook.numbers import compact_usd
from flopbook.quantity import magnitudes, q, registry, unit_name

if TYPE_CHECKING:
    import pint

    from flopbook.models.fleet import FleetResult
    from flopbook.scenario import Document


class CheckSpec(CheckMeta):
    """A published figure to hold the model against."""

    model_config = ConfigDict(extra="forbid")
    label: str
    published: str  # a quantity, e.g. "1.6B USD"
    model: str  # fleet.<metric> | table.<row>.published_total | table.<row>.corrected_total
    only: str | None = None  # a SKU filter for fleet.<metric>
    column: str = "Total"
    capital_cost: Literal["depreciation", "annuity"] | None = None
    # the fleet rerun with some shared assumptions replaced (e.g. utilisation: 70%), so one
    # case can hold the same cluster at several utilisations against one published price
    assumptions: dict[str, Any] = Field(default_factory=dict)
    source: str  # a key of `sources`
    tolerance: str | None = "3%"  # None: shown as a comparison, not a test
    derived: bool = False
    note: str | None = None


class RowSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: Literal[
        "gpus", "server_cost_per_gpu", "server_capex", "operation_per_gpu", "operation", "ownership"
    ]
    label: str
    printed_unit: str  # the unit as printed in the label, e.g. "$m/hr"
    total: Literal["sum_all", "sum_total_columns"]  # how the published Total was computed


class TableSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    source: str
    columns: list[str]
    total_columns: list[str]  # the columns the published Total formula covers
    rows: list[RowSpec]


class CaseFile(CaseFileBase):
    fleet: dict[str, Any]
    published_table: TableSpec | None = None
    checks: list[CheckSpec] = Field(default_factory=list)


# ---- rows of a published fleet table, computed from the model ---------------------------

# The rows a published fleet table may have, each an expression of the fleet's outputs (and
# its useful life) in the calc language: evaluated on the model's samples here, written as a
# workbook formula by report/case.py from the same text. Intensive rows weight by GPUs.
ROWS: dict[str, tuple[str, str, str]] = {
    # row: (kind, expression, unit)
    "gpus": ("extensive", "gpus", "GPU"),
    "server_cost_per_gpu": ("intensive", "server_cost_per_gpu", "USD/GPU"),
    "server_capex": ("extensive", "capex", "USD"),
    "operation_per_gpu": ("intensive", "opex_per_gpu * useful_life", "USD/GPU"),
    "operation": ("extensive", "opex * useful_life", "USD"),
    "ownership": ("extensive", "capex + opex * useful_life", "USD"),
}


def row_value(row: str, result: FleetResult, column: str, life: pint.Quantity) -> pint.Quantity:
    """A published table's row for one column (or the Total) of a fleet result."""

    _, text, unit = ROWS[row]
    expr = parse(text)
    names: dict[str, pint.Quantity] = {}
    for n in expr.names():
        if n == "useful_life" or n in result.kind.output:
            value = life if n == "useful_life" else result.get(n, column)
            if value is None:  # the row reads an output this column does not have
                raise InputError(f"the row {row!r} needs {n}, which {column} does not have")
            names[n] = value
    return evaluate(expr, names, simplify=False).to(unit)


def _mean(x: pint.Quantity | None, unit: str) -> float:
    """The mean in ``unit``; NaN (shown as n/a) for a figure the model does not have."""
    return math.nan if x is None else float(magnitudes(x, unit).mean())


def _cell(x: float, printed: float, unit: str) -> str:
    # printed in the table's own scale ($k, $m), as it was published; the JSON has the value
    v = x / printed
    return Figure(
        f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}", {"value": x, "unit": unit_name(unit)}
    )


def _load(doc: Document) -> tuple[CaseFile, Fleet]:
    spec = doc.validate(CaseFile)
    fleet = fleet_from_document(doc, ("fleet",))
    for i, c in enumerate(spec.checks):
        if c.source not in spec.sources:
            raise doc.error(
                InputError(f"unknown source {c.source!r}", hint="use a key of sources:"),
                ("checks", i, "source"),
            )
    return spec, fleet


def run_fleet_case(doc: Document) -> CaseResult:
    spec, fleet = _load(doc)
    sources = spec.source_map()
    result = fleet.run()
    out = CaseResult(
        spec.name,
        spec.title,
        spec.summary.strip(),
        list(sources.values()),
        fleets=[(fleet.name or spec.title, result)],
        notes=spec.notes,
    )
    out.checks = [_check(c, fleet, {}, sources, doc, i) for i, c in enumerate(spec.checks)]
    return out


def run_published_table(doc: Document) -> CaseResult:
    spec, fleet = _load(doc)
    table = spec.published_table
    if table is None:
        raise InputError("a published-fleet-table case needs published_table:", file=doc.file)
    sources = spec.source_map()
    result = fleet.run()
    life = fleet.assumptions["useful_life"]
    cols = table.columns
    missing = [c for c in cols if c not in result.columns]
    if missing:
        raise doc.error(
            InputError(f"column {missing[0]!r} is not a SKU of the fleet"),
            ("published_table", "columns"),
        )
    omitted = [c for c in cols if c not in table.total_columns]

    grid = Grid(
        table.title,
        [*cols, "Total"],
        [],
        caption=f"Rebuilt from {sources[table.source].cite()}; per-column values are "
        "the model's inputs, totals follow the published formulas.",
    )
    corrected_grid = Grid(
        "The same table, corrected",
        [*cols, "Total"],
        [],
        caption="Extensive rows add all columns; per-GPU rows are weighted "
        "by GPU count; the ownership line is shown per year.",
    )
    found: list[Discrepancy] = []
    totals: dict[str, dict[str, float]] = {}
    years = _mean(life, "year")
    for i, row in enumerate(table.rows):
        kind, _, unit = ROWS[row.key]
        printed = unit_from_label(row.printed_unit)
        scale = printed.scale if printed else 1.0
        values = {c: _mean(row_value(row.key, result, c, life), unit) for c in cols}
        summed = table.total_columns if row.total == "sum_total_columns" else cols
        published_total = sum(values[c] for c in summed)
        correct_total = _mean(row_value(row.key, result, "Total", life), unit)
        totals[row.key] = {"published_total": published_total, "corrected_total": correct_total}
        label = f"{row.label} ({row.printed_unit})"
        grid.rows.append(
            (
                label,
                row.printed_unit,
                [_cell(values[c], scale, unit) for c in cols]
                + [_cell(published_total, scale, unit)],
            )
        )
        where = f"{row.label}, Total"
        if kind == "extensive" and omitted and row.total == "sum_total_columns":
            grid.flagged.add((i, len(cols)))
            found.append(
                Discrepancy(
                    "FB101",
                    f"Total omits the {', '.join(omitted)} column",
                    where,
                    f"The Total adds only {', '.join(table.total_columns)}; the "
                    f"{', '.join(omitted)} column is left out (a column added after the Total "
                    "formula was written).",
                    compact_usd(published_total) if unit == "USD" else f"{published_total:,.0f}",
                    compact_usd(correct_total) if unit == "USD" else f"{correct_total:,.0f}",
                )
            )
        if kind == "intensive":
            grid.flagged.add((i, len(cols)))
            found.append(
                Discrepancy(
                    "FB102",
                    f"Per-GPU row '{row.label}' is summed",
                    where,
                    "A per-GPU figure cannot be added across columns; its total is the "
                    "GPU-weighted average (column totals of the extensive row / total GPUs).",
                    f"${published_total / 1e3:,.1f}k",
                    f"${correct_total / 1e3:,.1f}k",
                )
            )
        if printed and row.key == "ownership":
            stated = registry().Unit(printed.unit)
            if not (registry().Quantity(1, "USD").check(stated.dimensionality)):
                grid.flagged.add((i, -1))
                per_year = correct_total / years
                found.append(
                    Discrepancy(
                        "FB105",
                        f"'{row.label}' labelled {row.printed_unit}",
                        row.label,
                        f"The line is server capex + {years:g} years of operation: dollars over "
                        f"the whole {years:g}-year ownership, neither per hour nor per year. As a "
                        f"yearly TCO it is (capex + {years:g} years of operation) / {years:g}.",
                        f"{_cell(published_total, scale, unit)} {row.printed_unit}",
                        f"{compact_usd(per_year)} per year",
                    )
                )
        corrected_values = [_cell(values[c], scale, unit) for c in cols] + [
            _cell(correct_total, scale, unit)
        ]
        if row.key == "ownership":
            corrected_grid.rows.append(
                (
                    f"TCO per year ($m/yr, {years:g}-year ownership)",
                    "$m/yr",
                    [_cell(values[c] / years, 1e6, "USD/year") for c in cols]
                    + [_cell(correct_total / years, 1e6, "USD/year")],
                )
            )
        else:
            corrected_grid.rows.append(
                (f"{row.label} ({row.printed_unit})", row.printed_unit, corrected_values)
            )

    out = CaseResult(
        spec.name,
        spec.title,
        spec.summary.strip(),
        list(sources.values()),
        grids=[grid, corrected_grid],
        discrepancies=found,
        notes=spec.notes,
    )
    out.fleets = [("Corrected model: all SKUs", result)]
    hoppers = [c for c in spec.checks if c.only]
    for only in dict.fromkeys(c.only for c in hoppers):
        out.fleets.append((f"Corrected model: {only} only", fleet.run(only=only)))
    out.checks = [_check(c, fleet, totals, sources, doc, i) for i, c in enumerate(spec.checks)]
    return out


def _with_assumptions(fleet: Fleet, overrides: dict[str, Any], doc: Document, i: int) -> Fleet:
    """The fleet with some shared assumptions replaced, for one check."""
    try:
        merged = fleet.assumptions.merged(overrides)
    except InputError as exc:
        raise doc.error(exc, ("checks", i, "assumptions")) from None
    # the SKUs are already restated to the fleet's dollars: no dollars_of again
    return Fleet(
        fleet.skus,
        merged,
        name=fleet.name,
        description=fleet.description,
        period=fleet.period,
        financing=fleet.financing or None,
    )


def _check(
    c: CheckSpec,
    fleet: Fleet,
    totals: dict[str, dict[str, float]],
    sources: dict[str, Source],
    doc: Document,
    i: int,
) -> Check:
    try:
        published = q(c.published)
    except InputError as exc:
        raise doc.error(exc, ("checks", i, "published")) from None
    unit = f"{published.units:~P}"
    kind, _, rest = c.model.partition(".")
    if kind == "fleet":
        if c.assumptions:
            fleet = _with_assumptions(fleet, c.assumptions, doc, i)
        value = fleet.run(only=c.only, capital_cost=c.capital_cost).get(rest, c.column)
        if value is None:
            raise doc.error(
                InputError(f"the model has no {rest} for {c.column}"), ("checks", i, "model")
            )
        model = _mean(value, unit)
    elif kind == "table" and rest.rsplit(".", 1)[0] in totals:
        row, which = rest.rsplit(".", 1)
        model = totals[row][which] * float(q(1, "USD").to(unit).magnitude[0])
    else:
        raise doc.error(
            InputError(
                f"cannot read model reference {c.model!r}",
                hint="use fleet.<metric> or table.<row>.published_total",
            ),
            ("checks", i, "model"),
        )
    tol = None if c.tolerance is None else float(q(c.tolerance).to("").magnitude[0])
    return Check(
        c.label,
        float(published.magnitude[0]),
        model,
        unit,
        sources[c.source],
        tol,
        c.derived,
        c.note,
        c.category,
        c.tolerance_reason,
    )
