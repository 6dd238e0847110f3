"""Terminal tables (rich) for fleet results and the catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.measure import Measurement
from rich.table import Table

from flopbook import numbers
from flopbook.catalog import STALE_DAYS
from flopbook.catalog.schema import SPEC_LABELS
from flopbook.errors import InputError
from flopbook.models.fleet import METRICS, TOTAL
from flopbook.quantity import parse_range, q, unit_name

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

    from flopbook.catalog import Catalog, Chip
    from flopbook.models.fleet import FleetResult

# Rows shown by default; the rest are in JSON/CSV and with --all.
SHORT_ROWS = [
    "gpus",
    "server_cost_per_gpu",
    "capex",
    "capex_per_gpu",
    "it_power",
    "facility_power",
    "opex",
    "opex_per_gpu",
    "depreciation",
    "annuity",
    "tco_per_year",
    "cost_per_gpu_hour",
    "cost_per_bf16_pflop_hour",
    "cost_per_fp8_pflop_hour",
]


def fleet_table(
    result: FleetResult,
    *,
    all_rows: bool = False,
    title: str | None = None,
    only: list[str] | None = None,
    caption: bool = True,
) -> Table:
    """The fleet as one table; ``only``: those columns (SKUs and Total) alone."""
    sampled = result.sampled
    table = Table(
        title=title if title is not None else (result.name or None),
        caption=_caption(result, sampled) if caption else None,
        caption_justify="left",
        show_lines=sampled,
    )
    # Labels and column heads wrap; figures never do, so a narrow terminal folds words.
    table.add_column("", style="bold", min_width=18, max_width=40, overflow="fold")
    columns = result.all_columns if len(result.columns) > 1 else result.columns
    if only is not None:
        columns = [c for c in columns if c in only]
    for c in columns:
        if c == TOTAL and len(result.columns) > 1:
            table.add_column(TOTAL, justify="right", style="bold", no_wrap=True)
        else:
            table.add_column(c, justify="right", min_width=9)
    for m in METRICS:
        if not all_rows and m.key not in SHORT_ROWS:
            continue
        label = m.label
        if m.key == result.capital_cost:
            label += " ◂ in TCO"
        if m.kind == "intensive":
            label += " (avg)"
        cells = [numbers.summary(result.summary(m.key, c), m.unit, sep="\n") for c in columns]
        if m.key in result.partial and len(columns) > 1:
            cells[-1] += "*"
        table.add_row(f"{label} [{numbers.unit_label(m.unit)}]", *cells)
    return table


class FittedFleetTable:
    """The fleet table at the width it is printed in: when every column does not fit, the
    SKU columns are split over several tables, each with the row labels, and the Total
    comes last, whole; a figure is never cropped (``$1.40`` for $1.40B)."""

    def __init__(
        self, result: FleetResult, *, all_rows: bool = False, title: str | None = None
    ) -> None:
        self.result, self.all_rows, self.title = result, all_rows, title

    def tables(self, console: Console, width: int) -> list[Table]:
        r = self.result
        columns = list(r.all_columns if len(r.columns) > 1 else r.columns)

        def build(group: list[str], first: bool, last: bool) -> Table:
            return fleet_table(
                r,
                all_rows=self.all_rows,
                only=group,
                caption=last,
                title=self.title if first else "",
            )

        def fits(group: list[str]) -> bool:
            wide = console.options.update_width(10_000)
            return Measurement.get(console, wide, build(group, True, False)).minimum <= width

        if fits(columns):
            return [build(columns, True, True)]
        groups: list[list[str]] = [[]]
        for c in columns:
            if groups[-1] and not fits([*groups[-1], c]):
                groups.append([])
            groups[-1].append(c)
        return [build(g, i == 0, i == len(groups) - 1) for i, g in enumerate(groups)]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.tables(console, options.max_width)


def _caption(result: FleetResult, sampled: bool) -> str:
    lines = [
        "Totals: extensive rows add; (avg) rows are ratios of totals, weighted by the "
        "denominator (GPUs, GPU-hours, PFLOP/s) — never sums.",
        f"TCO uses {result.capital_cost}"
        + (
            " (straight-line over the useful life)."
            if result.capital_cost == "depreciation"
            else " at the cost of capital."
        ),
    ]
    if sampled:
        lines.append("Uncertain inputs: mean (5th–95th percentile).")
    for key, missing in result.partial.items():
        lines.append(f"* {key}: total over the SKUs that have it (not {', '.join(missing)}).")
    for sku in result.skus or []:
        for name, given in sku.inputs.items():
            # a price taken from the catalog says which observation (and if it is stale)
            if (given.source or "").startswith("flopbook catalog") and given.note:
                lines.append(f"{sku.name} {name}: catalog {given.note}.")
    defaults = result.assumptions.used_defaults(result.skus) if result.assumptions else []
    if defaults:
        lines.append(
            "flopbook defaults used: "
            + ", ".join(defaults)
            + " (values and sources: --format json, or docs/scenario.md)."
        )
    return "\n".join(lines)


def catalog_table(cat: Catalog) -> Table:
    table = Table(
        title="Accelerator catalog (dense peak rates; `flopbook catalog NAME` for sources)"
    )
    for col in ("id", "name", "arch", "BF16", "FP8", "HBM", "HBM BW", "TDP", "available"):
        table.add_column(col, justify="left" if col in ("id", "name", "arch") else "right")
    for c in cat:
        table.add_row(
            c.id,
            c.name,
            c.architecture,
            *(
                _spec(c, key, unit)
                for key, unit in (
                    ("bf16_dense", "TFLOP/s"),
                    ("fp8_dense", "TFLOP/s"),
                    ("hbm_capacity", "GB"),
                    ("hbm_bandwidth", "TB/s"),
                    ("tdp", "W"),
                )
            ),
            c.entry.dates.available.value or "",
        )
    return table


def _spec(c: Chip, key: str, unit: str) -> str:
    value = c.spec(key)
    if value is None:
        return "—"
    return f"{float(value.to(unit).magnitude.mean()):,.4g} {unit}"


def chip_table(c: Chip, at: str | None = None) -> Table:
    e = c.entry
    table = Table(
        title=f"{e.name} ({e.id}; {e.vendor} {e.architecture}"
        + (f"; also {', '.join(e.aliases)}" if e.aliases else "")
        + ")",
        show_lines=True,
    )
    table.add_column("field", style="bold")
    table.add_column("value", justify="right")
    table.add_column("as of")
    table.add_column("source and note", overflow="fold")
    for key, label in SPEC_LABELS.items():
        f = c.field(key)
        _sourced_row(table, label, f)
    _sourced_row(table, "Announced", e.dates.announced)
    _sourced_row(table, "Available", e.dates.available)
    _sourced_row(table, "Export control", e.export_control)
    for pick in c.price_picks(at):
        table.add_row(
            f"Price ({_kind(pick.kind, pick.term)})",
            numbers.summary(pick.summary, pick.unit),
            pick.as_of,
            f"{pick.describe()}\n{pick.source}",
        )
    if e.prices:
        table.add_row(
            "Price series",
            "",
            "",
            f"{len(e.prices)} dated observations: flopbook catalog {e.id} --prices",
        )
    if e.price_note:
        table.add_row("Prices", "", "", e.price_note)
    return table


def _kind(kind: str, term: str | None) -> str:
    return kind.replace("_", " ") + (f", {term.replace('_', '-')}" if term else "")


def price_table(c: Chip, at: str | None = None) -> Table:
    """Every dated price observation of a chip, oldest first within each kind; those more
    than a year from ``at`` (today by default) are marked stale."""
    when = at or "today"
    table = Table(
        title=f"{c.name}: price observations (ages from {when}; '!' = more than "
        f"{STALE_DAYS} days from it)",
        show_lines=False,
    )
    for col in ("kind", "date", "value", "vendor", "age", "use", "source and note"):
        table.add_column(
            col,
            justify="right" if col in ("value", "age") else "left",
            overflow="fold" if col == "source and note" else "ellipsis",
            no_wrap=col in ("value", "date"),
        )
    for p, age, stale in c.price_series(at):
        use = "default" if p.default else "kept"
        if p.estimate:
            use += ", estimate"
        table.add_row(
            _kind(p.kind, p.term),
            p.as_of,
            price_text(p.value),
            p.vendor or "",
            f"{age / 365.25:.1f} y" + (" !" if stale else ""),
            use,
            p.source + (f"\n{p.note}" if p.note else ""),
        )
    for pick in c.price_picks(at):
        table.add_row(
            _kind(pick.kind, pick.term),
            "used",
            numbers.summary_text(pick.summary),
            "",
            "",
            "",
            pick.describe(),
        )
    return table


def price_text(text: str | None) -> str:
    """A catalog price as every other figure reads: ``3.42 USD/GPU/hour`` -> ``$3.42/GPU-hour``,
    to the digits it was written with; a range keeps one scale (``$4.00 – $5.12/GPU-hour``)."""
    if not text:
        return "—"
    try:
        ends = parse_range(text)
        if ends is not None:
            low, high = ends
            unit = unit_name(high.units)
            return numbers.interval(float(low.magnitude[0]), float(high.magnitude[0]), unit)
        x = q(text)
    except InputError:
        return text
    return numbers.amount(float(x.magnitude[0]), unit_name(x.units), as_written=True)


def _sourced_row(table: Table, label: str, f) -> None:  # noqa: ANN001 - a Sourced
    text = f.source + (f"\n{f.note}" if f.note else "")
    value = "—" if f.value is None else f.value
    if getattr(f, "estimate", False):
        value += " (estimate)"
    if len(value) > 30:  # prose values (export rules) go with the source
        text, value = value + "\n" + text, ""
    table.add_row(label, value, f.as_of, text)
    for alt in f.alternatives:
        table.add_row(
            "  alternative",
            (alt.value or "—") + (" (estimate)" if alt.estimate else ""),
            alt.as_of,
            alt.source + (f"\n{alt.note}" if alt.note else ""),
        )
