"""A fleet result as a report block: the fleet model's formulas, cell by cell.

The formulas below mirror :func:`flopbook.models.fleet.sku_extensives` line for line, in the
metric units of :data:`flopbook.models.fleet.METRICS`, so that the workbook recomputes what
the engine computes. The tests hold every cell to the engine's value (1e-9 relative) after
recalculation by LibreOffice and by the ``formulas`` package: a change to the fleet model that
is not mirrored here fails them.

Totals follow the model: extensive lines are sums across the SKU columns; intensive lines
are the same ratio taken of the totals (a weighted average), never a sum.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flopbook.models.fleet import (
    ASSUMPTION_FIELDS,
    METRIC_BY_KEY,
    METRICS,
    SKU_FIELDS,
    TOTAL,
    Assumptions,
    Fleet,
    Sku,
)
from flopbook.quantity import Quantity, magnitudes, registry
from flopbook.report.document import Block, Line
from flopbook.report.inputs import InputBook, at_value, factor_formula

if TYPE_CHECKING:
    from flopbook.models.fleet import FleetResult

# Lines shown on the results sheet and in the HTML tables (the rest are on Calculations).
HIGHLIGHTS = [
    "gpus", "capex", "capex_per_gpu", "it_power", "facility_power", "opex", "opex_per_gpu",
    "depreciation", "annuity", "capital_cost", "tco_per_year", "cost_per_gpu_hour",
    "cost_per_bf16_pflop_hour", "cost_per_fp8_pflop_hour",
]

_CATALOG_SPECS = {"tdp": ("W", "TDP"), "bf16_dense": ("TFLOP/s", "BF16 dense peak"),
                  "fp8_dense": ("TFLOP/s", "FP8 dense peak")}


class _SkuNames:
    """The defined names one SKU's formulas use, and which shared inputs are shares."""

    def __init__(self) -> None:
        self.own: dict[str, str] = {}  # SKU field (and catalog spec) -> defined name
        self.assumption: dict[str, str] = {}  # assumption -> defined name (override or shared)
        self.share: dict[str, bool] = {}  # assumption given as a share (not per GPU)


def _register(result: FleetResult, book: InputBook) -> tuple[dict[str, _SkuNames], Assumptions]:
    base = result.assumptions
    assert base is not None, "a FleetResult made by Fleet.run() carries its assumptions"
    shared = {}
    for n, spec in ASSUMPTION_FIELDS.items():
        shared[n] = book.add(f"assumptions.{n}", n, spec.label, base.inputs[n],
                             default=n not in base.given).name
    names: dict[str, _SkuNames] = {}
    for s in result.skus:
        sku = _SkuNames()
        for n, inp in s.inputs.items():
            sku.own[n] = book.add(f"skus.{s.name}.{n}", f"{n}_{s.name}",
                                  f"{s.name}: {SKU_FIELDS[n].label}", inp).name
        chip = s.spec_chip
        for n, (unit, label) in _CATALOG_SPECS.items():
            value = chip.spec(n)
            if n in s.inputs or value is None:
                continue
            f = chip.field(n)
            sku.own[n] = book.add(
                f"skus.{s.name}.{n}", f"{n}_{s.name}", f"{s.name}: {label} ({chip.name})",
                value=value.to(unit), raw=f.value,
                source=f"flopbook catalog, {chip.id}: {f.source} (as of {f.as_of})",
                note=f.note).name
        merged = base.merged(s.assumptions) if s.assumptions else base
        for n, spec in ASSUMPTION_FIELDS.items():
            if n in s.assumptions:
                sku.assumption[n] = book.add(
                    f"skus.{s.name}.assumptions.{n}", f"{n}_{s.name}",
                    f"{s.name}: {spec.label}", merged.inputs[n]).name
            else:
                sku.assumption[n] = shared[n]
            sku.share[n] = merged.inputs[n].is_share()
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
        **{n: used(f"assumptions.{n}", base.inputs[n]) for n in ASSUMPTION_FIELDS})
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
            overrides = {n: used(f"skus.{s.name}.assumptions.{n}", merged.inputs[n])
                         for n in s.assumptions if n != "capital_cost"}
            if "capital_cost" in s.assumptions:
                overrides["capital_cost"] = s.assumptions["capital_cost"]
        skus.append(Sku(chip=s.chip, name=s.name, assumptions=overrides, **fields))
    return Fleet(skus, point_base, name=result.name).run(capital_cost=result.capital_cost)


# Input lines at the top of each block: the SKU's own inputs (and any assumption a SKU
# overrides), so that every computed line has the same formula in every SKU column.
_INPUT_LINES = [
    ("server_cost_per_gpu", "USD/GPU"), ("gpu_price", "USD/GPU"),
    ("operating_cost", "USD/GPU/year"), ("tdp", "W"), ("bf16_dense", "TFLOP/s"),
    ("fp8_dense", "TFLOP/s"),
]


def _input_lines(result: FleetResult, names: dict[str, _SkuNames],
                 book: InputBook) -> tuple[list[Line], set[str]]:
    """Lines that bring each SKU's inputs into its column; and the assumptions that some
    SKU overrides (those get a line too, the others are used by their shared name)."""
    cols = list(result.columns)
    lines = []
    specs = [(n, SKU_FIELDS[n].label, unit, "own") for n, unit in _INPUT_LINES]
    overridden = {n for s in result.skus for n in s.assumptions if n in ASSUMPTION_FIELDS}
    specs += [(n, ASSUMPTION_FIELDS[n].label, "", "assumption") for n in ASSUMPTION_FIELDS
              if n in overridden]
    for n, label, unit, where in specs:
        formulas: dict[str, str | None] = {TOTAL: None}
        values: dict[str, float | None] = {TOTAL: None}
        for c in cols:
            table = names[c].own if where == "own" else names[c].assumption
            name = table.get(n)
            formulas[c] = name
            values[c] = None if name is None else book.named(name).value
            if n == "server_cost_per_gpu" and name is None:
                # a SKU priced by its GPU: the server costs the GPU plus the server overhead,
                # so that server capex has one formula in every column
                price, over = names[c].own["gpu_price"], names[c].assumption[
                    "server_overhead_capex"]
                ref = "{in_server_overhead_capex}" if "server_overhead_capex" in overridden \
                    else over
                formulas[c] = f"{price}*(1+{ref})"
                values[c] = book.named(price).value * (1 + book.named(over).value)
        if all(v is None for v in values.values()):
            continue
        if where == "assumption":
            unit = next(book.named(names[c].assumption[n]).unit for c in cols)
        doc = ("from the Inputs sheet; for a SKU priced by its GPU: GPU price x (1 + server "
               "overhead)") if n == "server_cost_per_gpu" else "from the Inputs sheet"
        lines.append(Line(f"in_{n}", f"{label} (input)", unit, "input", doc, formulas,
                          values, {}))
    return lines, overridden


def _sku_formulas(s: Sku, n: _SkuNames, capital_cost: str,
                  overridden: set[str]) -> dict[str, str]:
    """The extensive lines of one SKU column, as in ``sku_extensives``."""
    own = {k: f"{{in_{k}}}" for k in n.own}
    a = {k: (f"{{in_{k}}}" if k in overridden else v) for k, v in n.assumption.items()}
    f: dict[str, str] = {"gpus": n.own["count"]}
    # a GPU-priced SKU's server cost is on the input line (GPU price x (1 + overhead))
    f["server_capex"] = "{gpus}*{in_server_cost_per_gpu}"
    parts = [f"{{server_capex}}*{a[x]}" if n.share[x] else f"{a[x]}*{{gpus}}"
             for x in ("networking", "storage", "facility")]
    f["cluster_capex"] = "+".join(parts)
    f["capex"] = "{server_capex}+{cluster_capex}"
    gpu_power = f"{own['tdp']}*{a['tdp_share']}*{{gpus}}"
    if n.share["server_power_overhead"]:
        f["it_power"] = f"{gpu_power}*(1+{a['server_power_overhead']})/W_per_MW"
    else:
        f["it_power"] = f"({gpu_power}+{a['server_power_overhead']}*{{gpus}})/W_per_MW"
    f["facility_power"] = f"{{it_power}}*{a['pue']}"
    f["energy"] = "{facility_power}*hours_per_year/MWh_per_GWh"
    if "operating_cost" in own:
        f["opex"] = f"{own['operating_cost']}*{{gpus}}"
    else:
        f["electricity"] = f"{{energy}}*kWh_per_GWh*{a['electricity_price']}"
        f["hosting"] = f"{{it_power}}*kW_per_MW*{a['hosting']}*months_per_year"
        f["maintenance"] = f"{{capex}}*{a['maintenance']}"
        f["other_opex"] = f"{a['other_opex']}*{{gpus}}"
        f["opex"] = "{electricity}+{hosting}+{maintenance}+{other_opex}"
    life, rate = a["useful_life"], a["cost_of_capital"]
    f["depreciation"] = f"{{capex}}/{life}"
    # the annuity factor r / (1 - (1 + r)^-n), which is 1/n at r = 0 (models/finance.py)
    f["annuity"] = (f"IF({rate}=0,{{capex}}/{life},"
                    f"{{capex}}*{rate}/(1-(1+{rate})^(-{life})))")
    f["capital_cost"] = "{depreciation}" if capital_cost == "depreciation" else "{annuity}"
    f["tco_per_year"] = "{capital_cost}+{opex}"
    f["gpu_hours"] = "{gpus}*hours_per_year"
    if "bf16_dense" in own:
        f["bf16_capacity"] = f"{own['bf16_dense']}*{{gpus}}/TFLOPS_per_PFLOPS"
    if "fp8_dense" in own:
        f["fp8_capacity"] = f"{own['fp8_dense']}*{{gpus}}/TFLOPS_per_PFLOPS"
    return f


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
    for name in ("hours_per_year", "months_per_year", "W_per_MW", "kW_per_MW", "MWh_per_GWh",
                 "kWh_per_GWh", "TFLOPS_per_PFLOPS"):
        book.constant(name)
    point = point_result(result, book)
    cols = list(result.columns)
    lines, overridden = _input_lines(result, names, book)
    per_sku = {s.name or "": _sku_formulas(s, names[s.name or ""], result.capital_cost,
                                           overridden)
               for s in result.skus}
    for m in METRICS:
        values: dict[str, float | None] = {}
        for c in result.all_columns:
            v = point.get(m.key, c)
            values[c] = None if v is None else float(magnitudes(v, m.unit)[0])
        formulas: dict[str, str | None] = {}
        defined = [c for c in cols if values[c] is not None]
        if m.kind == "extensive":
            for c in cols:
                formulas[c] = per_sku[c].get(m.key) if values[c] is not None else None
            formulas[TOTAL] = f"SUM({_cells(m.key, defined, cols)})" if defined else None
        else:
            num = METRIC_BY_KEY[m.numerator or ""]
            den = METRIC_BY_KEY[m.denominator or ""]
            factor = factor_formula(float(
                (ureg.Quantity(1.0, num.unit) / ureg.Quantity(1.0, den.unit))
                .to(m.unit).magnitude))
            for c in cols:
                formulas[c] = (_ratio_formula(f"{{{num.key}}}", f"{{{den.key}}}", factor)
                               if values[c] is not None else None)
            if not defined:
                formulas[TOTAL] = None
            elif defined == cols:
                formulas[TOTAL] = _ratio_formula(f"{{{num.key}@{TOTAL}}}",
                                                 f"{{{den.key}@{TOTAL}}}", factor)
            else:  # a ratio over the SKUs that have it, as the model takes it
                formulas[TOTAL] = _ratio_formula(f"SUM({_cells(num.key, defined, cols)})",
                                                 f"SUM({_cells(den.key, defined, cols)})",
                                                 factor)
        if values[TOTAL] is None:
            formulas[TOTAL] = None
        summaries = {c: result.summary(m.key, c) for c in result.all_columns}
        lines.append(Line(m.key, m.label, m.unit, m.kind, m.doc, formulas, values, summaries))
    notes = [
        "Totals: extensive lines add across the SKUs; per-GPU, per-hour and per-PFLOP lines "
        "are ratios of the totals (weighted averages), never sums.",
        f"TCO uses {result.capital_cost}"
        + (" (straight-line over the useful life)." if result.capital_cost == "depreciation"
           else " (an annuity at the cost of capital)."),
    ]
    for key, missing in result.partial.items():
        notes.append(f"{key}: the total covers the SKUs that have it (not {', '.join(missing)}).")
    return Block(title or result.name or "Fleet", cols + [TOTAL], lines, list(HIGHLIGHTS),
                 notes, sampled=result.sampled, engine=point)
