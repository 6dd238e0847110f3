"""A fleet result as a report block: the fleet's declared formulas, cell by cell.

Every computed line's formula is written from the fleet's declaration
(:data:`flopbook.models.fleet.FLEET`) by :mod:`flopbook.formula.excel`, the same
declaration the engine evaluates, so the workbook and the engine cannot disagree; the tests
hold every cell to the engine's value (1e-9 relative) after recalculation by LibreOffice and
by the ``formulas`` package. This module only lays the lines out and names the cells.

Totals follow the model: extensive lines are sums across the SKU columns; intensive lines
are the same ratio taken of the totals (a weighted average), never a sum.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from flopbook.formula.conversions import CONVERSIONS
from flopbook.formula.declaration import Ratio
from flopbook.formula.excel import Ref, excel_formula
from flopbook.models.cash_flow import FINANCING_FIELDS
from flopbook.models.fleet import (
    ASSUMPTION_FIELDS,
    FLEET,
    METRIC_BY_KEY,
    METRICS,
    SKU_FIELDS,
    TOTAL,
    Assumptions,
    Fleet,
    Sku,
    financing_of,
    financing_place,
)
from flopbook.quantity import Quantity, magnitudes, registry
from flopbook.report.cash_flow import cash_flow_block
from flopbook.report.document import Block, Line, LineKind
from flopbook.report.hooks import Uncertainty, headline_samples
from flopbook.report.inputs import InputBook, at_value, factor_formula

if TYPE_CHECKING:
    import pint

    from flopbook.models.fleet import Assumptions, FleetResult, Sku

# Lines shown on the results sheet and in the HTML tables (the rest are on Calculations).
HIGHLIGHTS = [
    "gpus",
    "capex",
    "capex_per_gpu",
    "it_power",
    "facility_power",
    "opex",
    "opex_per_gpu",
    "depreciation",
    "annuity",
    "capital_cost",
    "tco_per_year",
    "cost_per_gpu_hour",
    "cost_per_bf16_pflop_hour",
    "cost_per_fp8_pflop_hour",
]

_CATALOG_SPECS = {
    "tdp": ("W", "TDP"),
    "bf16_dense": ("TFLOP/s", "BF16 dense peak"),
    "fp8_dense": ("TFLOP/s", "FP8 dense peak"),
}


class _SkuNames:
    """The defined names one SKU's formulas use, and which shared inputs are shares."""

    def __init__(self) -> None:
        self.own: dict[str, str] = {}  # SKU field (and catalog spec) -> defined name
        self.assumption: dict[str, str] = {}  # assumption -> defined name (override or shared)
        self.units: dict[str, pint.Unit] = {}  # defined name -> the unit of its cell


def _register(result: FleetResult, book: InputBook) -> tuple[dict[str, _SkuNames], Assumptions]:

    base = result.assumptions
    assert base is not None, "a FleetResult made by Fleet.run() carries its assumptions"
    shared = {}
    for n, spec in ASSUMPTION_FIELDS.items():
        shared[n] = book.add(
            f"assumptions.{n}",
            n,
            spec.label,
            base.inputs[n],
            # a figure a published table gave by use year or operator: not flopbook's own default
            default=n not in base.given and n not in base.published,
        ).name
    for n, inp in result.financing.items():
        book.add(
            f"financing.{n}",
            n,
            FINANCING_FIELDS[n].label,
            inp,
            default=inp.source == "flopbook default",
        )
    names: dict[str, _SkuNames] = {}
    for s in result.skus:
        sku = _SkuNames()
        for n, inp in s.inputs.items():
            sku.own[n] = book.add(
                f"skus.{s.name}.{n}", f"{n}_{s.name}", f"{s.name}: {SKU_FIELDS[n].label}", inp
            ).name
            sku.units[sku.own[n]] = cast("pint.Unit", inp.value.units)
        for n, inp in s.own_financing.items():  # a cohort's own loan or lease
            book.add(
                f"skus.{s.name}.financing.{n}",
                f"{n}_{s.name}",
                f"{s.name}: {FINANCING_FIELDS[n].label}",
                inp,
                default=inp.source == "flopbook default",
            )
        lease = financing_place(s, "lease", result.financing)
        if lease is not None:  # a leased SKU's capital cost is its lease payment
            sku.own["lease"] = book.row(lease).name
            given = financing_of(s, result.financing)["lease"]
            sku.units[sku.own["lease"]] = cast("pint.Unit", given.value.units)
        chip = s.spec_chip
        for n, (unit, label) in _CATALOG_SPECS.items():
            value = chip.spec(n)
            if n in s.inputs or value is None:
                continue
            f = chip.field(n)
            sku.own[n] = book.add(
                f"skus.{s.name}.{n}",
                f"{n}_{s.name}",
                f"{s.name}: {label} ({chip.name})",
                value=value.to(unit),
                raw=f.value,
                source=f"flopbook catalog, {chip.id}: {f.source} (as of {f.as_of})",
                note=f.note,
            ).name
            sku.units[sku.own[n]] = cast("pint.Unit", value.to(unit).units)
        merged = base.merged(s.assumptions) if s.assumptions else base
        for n, spec in ASSUMPTION_FIELDS.items():
            if n in s.assumptions:
                sku.assumption[n] = book.add(
                    f"skus.{s.name}.assumptions.{n}",
                    f"{n}_{s.name}",
                    f"{s.name}: {spec.label}",
                    merged.inputs[n],
                ).name
            else:
                sku.assumption[n] = shared[n]
            sku.units[sku.assumption[n]] = cast("pint.Unit", merged.inputs[n].value.units)
        names[s.name or ""] = sku
    return names, base


def point_result(result: FleetResult, book: InputBook) -> FleetResult:
    """The same fleet run once, at the values the report uses (medians of ranges)."""

    base = result.assumptions
    assert base is not None

    def used(place: str, inp):  # noqa: ANN001, ANN202 - an Input
        return at_value(inp, book.row(place).value)

    point_base = Assumptions(
        capital_cost=base.capital_cost,
        **{n: used(f"assumptions.{n}", base.inputs[n]) for n in ASSUMPTION_FIELDS},
    )
    skus: list[Sku] = []
    for s in result.skus:
        fields = {n: used(f"skus.{s.name}.{n}", inp) for n, inp in s.inputs.items()}
        for n, (unit, _) in _CATALOG_SPECS.items():
            place = f"skus.{s.name}.{n}"
            if n not in fields and book.has(place):
                fields[n] = Quantity(book.row(place).value, unit)
        overrides: dict = {}
        if s.assumptions:
            merged = base.merged(s.assumptions)
            overrides = {
                n: used(f"skus.{s.name}.assumptions.{n}", merged.inputs[n])
                for n in s.assumptions
                if n != "capital_cost"
            }
            if "capital_cost" in s.assumptions:
                overrides["capital_cost"] = s.assumptions["capital_cost"]
        own = {n: used(f"skus.{s.name}.financing.{n}", i) for n, i in s.own_financing.items()}
        skus.append(
            Sku(
                chip=s.chip,
                name=s.name,
                assumptions=overrides,
                financing=own or None,
                **fields,
            )
        )
    financing = {n: used(f"financing.{n}", i) for n, i in result.financing.items()}
    fleet = Fleet(
        skus, point_base, name=result.name, period=result.period, financing=financing or None
    )
    return fleet.run(capital_cost=result.capital_cost)


# Input lines at the top of each block: the SKU's own inputs (and any assumption a SKU
# overrides), so that every computed line has the same formula in every SKU column.
_INPUT_LINES = [
    ("server_cost_per_gpu", "USD/GPU"),
    ("gpu_price", "USD/GPU"),
    ("operating_cost", "USD/GPU/year"),
    ("tdp", "W"),
    ("bf16_dense", "TFLOP/s"),
    ("fp8_dense", "TFLOP/s"),
    ("acquired", "year"),
    ("retired", "year"),
    ("rental_price", "USD/GPU/hour"),
    ("api_price", "USD/Mtoken"),
    ("throughput", "token/s/GPU"),
    ("as_of", "year"),
    ("prices_of", "year"),
]


def _refs(
    s: Sku, n: _SkuNames, overridden: set[str], book: InputBook, *, lines: bool
) -> dict[str, Ref]:
    """What each input of the SKU's formulas is in the workbook: the input line of its
    column (``lines``) or, on the input lines themselves, the defined name."""

    ureg = registry()
    refs: dict[str, Ref] = {}
    for k, name in n.own.items():
        line = lines and k not in ("count", "lease")  # no input line: the defined name
        unit = ureg.Unit(dict(_INPUT_LINES)[k]) if line else n.units[name]
        refs[k] = Ref(f"{{in_{k}}}" if line else name, unit)
    for k, name in n.assumption.items():
        text = f"{{in_{k}}}" if k in overridden else name
        refs[k] = Ref(text, n.units[name])
    return refs


def _input_lines(
    result: FleetResult, names: dict[str, _SkuNames], book: InputBook, point: FleetResult
) -> tuple[list[Line], set[str]]:
    """Lines that bring each SKU's inputs into its column; and the assumptions that some
    SKU overrides (those get a line too, the others are used by their shared name)."""

    cols = list(result.columns)
    skus = {s.name or "": s for s in result.skus}
    lines = []
    specs = [(n, SKU_FIELDS[n].label, unit, "own") for n, unit in _INPUT_LINES]
    overridden = {n for s in result.skus for n in s.assumptions if n in ASSUMPTION_FIELDS}
    specs += [
        (n, ASSUMPTION_FIELDS[n].label, "", "assumption")
        for n in ASSUMPTION_FIELDS
        if n in overridden
    ]
    for n, label, unit, where in specs:
        formulas: dict[str, str | None] = {TOTAL: None}
        values: dict[str, float | None] = {TOTAL: None}
        for c in cols:
            table = names[c].own if where == "own" else names[c].assumption
            name = table.get(n)
            formulas[c] = name
            values[c] = None if name is None else book.named(name).value
            if n == "server_cost_per_gpu":
                # a SKU priced by its GPU: the server cost per GPU is the declaration's
                # step (GPU price x (1 + server overhead)), so that server capex has one
                # formula in every column
                refs = _refs(skus[c], names[c], overridden, book, lines=False)
                refs["server_overhead_capex"] = Ref(
                    "{in_server_overhead_capex}"
                    if "server_overhead_capex" in overridden
                    else names[c].assumption["server_overhead_capex"],
                    refs["server_overhead_capex"].unit,
                )
                form = result._extensive[c].form  # type: ignore[attr-defined]
                formulas[c] = excel_formula(FLEET, "server_cost", form, refs)
                got = point.get("server_cost_per_gpu", c)
                if got is not None:
                    values[c] = float(got.to("USD/GPU").magnitude[0])
                elif name is None and (price := names[c].own.get("gpu_price")) is not None:
                    # a SKU of no GPUs has no ratio; its price per GPU is still its inputs'
                    overhead = names[c].assumption["server_overhead_capex"]
                    values[c] = book.named(price).value * (1 + book.named(overhead).value)
        if all(v is None for v in values.values()):
            continue
        if where == "assumption":
            unit = next(book.named(names[c].assumption[n]).unit for c in cols)
        doc = (
            (
                "from the Inputs sheet; for a SKU priced by its GPU: "
                + FLEET.formulas["server_cost"].text()
            )
            if n == "server_cost_per_gpu"
            else "from the Inputs sheet"
        )
        lines.append(Line(f"in_{n}", f"{label} (input)", unit, "input", doc, formulas, values, {}))
    return lines, overridden


def _sku_formulas(
    result: FleetResult, s: Sku, n: _SkuNames, overridden: set[str], book: InputBook
) -> dict[str, str]:
    """The extensive lines of one SKU column, written from the declaration."""

    refs = _refs(s, n, overridden, book, lines=True)
    # every extensive metric has a line; the server cost per GPU is on its input line
    cells = {m.key: Ref(f"{{{m.key}}}", _unit_of(m.unit)) for m in METRICS if m.kind == "extensive"}
    cells["server_cost"] = Ref("{in_server_cost_per_gpu}", _unit_of("USD/GPU"))
    form = result._extensive[s.name or ""].form  # type: ignore[attr-defined]
    out = {}
    for m in METRICS:
        if m.kind == "extensive":
            text = excel_formula(FLEET, m.key, form, refs, cells)
            if text is not None:
                out[m.key] = text
    return out


def _conversions_in(text: str | None) -> list[str]:
    """The named unit conversions a formula uses (each gets its row on the Inputs sheet)."""

    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text or ""))
    return [n for n in CONVERSIONS if n in words]


def _unit_of(unit: str) -> pint.Unit:

    return registry().Unit(unit)


def _ratio_formula(num: str, den: str, factor: str) -> str:
    """``num / den`` in the metric's unit; ``num`` and ``den`` are cell references."""
    if factor.startswith("*"):
        return f"{num}{factor}/{den}"
    return f"{num}/{den}{factor}"


def _cells(key: str, columns: list[str], everything: list[str]) -> str:
    """The cells of ``key`` in ``columns``: a range when they are all the SKU columns."""
    if columns == everything:
        return f"{{{key}@{columns[0]}}}:{{{key}@{columns[-1]}}}"
    return ",".join(f"{{{key}@{c}}}" for c in columns)


def fleet_block(result: FleetResult, book: InputBook, title: str = "") -> Block:
    """The report block of a fleet result; its inputs are registered in ``book``."""

    ureg = registry()
    names, _ = _register(result, book)
    point = point_result(result, book)
    cols = list(result.columns)
    lines, overridden = _input_lines(result, names, book, point)
    per_sku = {
        s.name or "": _sku_formulas(result, s, names[s.name or ""], overridden, book)
        for s in result.skus
    }
    for m in METRICS:
        values: dict[str, float | None] = {}
        for c in result.all_columns:
            v = point.get(m.key, c)
            values[c] = None if v is None else float(magnitudes(v, m.unit)[0])
        formulas: dict[str, str | None] = {}
        defined = [c for c in cols if values[c] is not None]
        if not isinstance(m, Ratio):  # an extensive output: the sum of the SKUs'
            for c in cols:
                formulas[c] = per_sku[c].get(m.key) if values[c] is not None else None
            formulas[TOTAL] = f"SUM({_cells(m.key, defined, cols)})" if defined else None
        else:
            num = METRIC_BY_KEY[m.numerator or ""]
            den = METRIC_BY_KEY[m.denominator or ""]
            factor = factor_formula(
                float(
                    (ureg.Quantity(1.0, num.unit) / ureg.Quantity(1.0, den.unit))
                    .to(m.unit)
                    .magnitude
                ),
                (f"({num.unit})/({den.unit})", m.unit),
            )
            for c in cols:
                formulas[c] = (
                    _ratio_formula(f"{{{num.key}}}", f"{{{den.key}}}", factor)
                    if values[c] is not None
                    else None
                )
            if not defined:
                formulas[TOTAL] = None
            elif defined == cols:
                formulas[TOTAL] = _ratio_formula(
                    f"{{{num.key}@{TOTAL}}}", f"{{{den.key}@{TOTAL}}}", factor
                )
            else:  # a ratio over the SKUs that have it, as the model takes it
                formulas[TOTAL] = _ratio_formula(
                    f"SUM({_cells(num.key, defined, cols)})",
                    f"SUM({_cells(den.key, defined, cols)})",
                    factor,
                )
        if all(v is None for v in values.values()):
            # no SKU gives what the line needs (revenue without a rental price): a row of
            # blanks would only say so, in the workbook and the HTML alike
            continue
        if values[TOTAL] is None:
            formulas[TOTAL] = None
        summaries = {c: result.summary(m.key, c) for c in result.all_columns}
        kind: LineKind = "intensive" if isinstance(m, Ratio) else "extensive"
        # a fleet output without a unit is a share (margin, break-even utilisation): 64.2%
        line = Line(m.key, m.label, m.unit, kind, m.doc, formulas, values, summaries)
        line.percent = m.unit == ""
        lines.append(line)
    # the unit conversions the formulas use, each a named constant on the Inputs sheet
    used = {n for line in lines for text in line.formulas.values() for n in _conversions_in(text)}
    for name in _conversions_in(" ".join(sorted(used))):
        book.constant(name)
    notes = [
        "Totals: extensive lines add across the SKUs; per-GPU, per-hour and per-PFLOP lines "
        "are ratios of the totals (weighted averages), never sums.",
        f"TCO uses {result.capital_cost}"
        + (
            " (straight-line over the useful life)."
            if result.capital_cost == "depreciation"
            else " (an annuity at the cost of capital)."
        ),
    ]
    if result.leased:
        notes.append(
            "Leased (" + ", ".join(result.leased) + "): the capital cost is the lease payment "
            "(GPUs x lease), so TCO and cost per GPU-hour are the lessee's; capex, depreciation "
            "and annuity are the hardware's own."
        )
    for key, missing in result.partial.items():
        notes.append(f"{key}: the total covers the SKUs that have it (not {', '.join(missing)}).")
    return Block(
        title or result.name or "Fleet",
        cols + [TOTAL],
        lines,
        [k for k in HIGHLIGHTS if any(line.key == k for line in lines)],
        notes,
        sampled=result.sampled,
        engine=point,
    )


def fleet_blocks(result: FleetResult, book: InputBook, title: str = "") -> list[Block]:
    """The fleet's block and, with a period, its yearly cash flows (which read the fleet
    block's cells: it comes first)."""
    block = fleet_block(result, book, title)
    if result.cash_flows is None:
        return [block]
    return [block, cash_flow_block(result, block.engine, book, fleet=0)]


def _rerun(subject: FleetResult, output: str) -> tuple[Any, ...] | None:
    """The fleet's sensitivity reruns its model (flopbook.sensitivity.fleet_sensitivity)."""
    if output not in subject.kind.output:
        return None
    return (
        "fleet",
        # with its period and financing: a leased SKU's TCO is its lease and opex
        Fleet(
            subject.skus,
            subject.assumptions,
            name=subject.name,
            period=subject.period,
            financing=subject.financing or None,
        ),
        subject.capital_cost,
    )


# registered: report.kinds.BLOCKS and report.uncertainty.UNCERTAINTY gather these
BLOCKS = {"fleet": fleet_blocks}
UNCERTAINTY = {"fleet": Uncertainty(headline_samples, lambda s: list(s.kind.output), _rerun)}
