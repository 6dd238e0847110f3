"""Terminal tables (rich) for fleet results and the catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from flopbook import numbers
from flopbook.catalog import STALE_DAYS
from flopbook.catalog.schema import SPEC_LABELS
from flopbook.errors import InputError
from flopbook.models.cash_flow import CASH_FLOW
from flopbook.models.fleet import METRIC_BY_KEY, METRICS, TOTAL
from flopbook.quantity import parse_range, q, unit_name
from flopbook.render.cells import SHARE_ROWS, metric_cell
from flopbook.render.fit import Columns, fits, split

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

    from flopbook.catalog import Catalog, Chip
    from flopbook.models.cash_flow import CashFlows
    from flopbook.models.fleet import FleetResult

# Rows shown by default when the fleet has them (a rental price gives revenue and margin)
OPTIONAL_ROWS = ["revenue", "margin", "margin_share", "breakeven_utilisation"]
# Rows shown by default; the rest are in JSON/CSV and with --all.
SHORT_ROWS = [
    *OPTIONAL_ROWS,
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
    # a leased SKU's capital cost is its lease: the line that is in its TCO is shown
    in_tco = "capital_cost" if result.leased else result.capital_cost
    for m in METRICS:
        if not all_rows and m.key not in SHORT_ROWS and m.key != in_tco:
            continue
        if m.key in OPTIONAL_ROWS and result.get(m.key) is None:
            continue  # revenue and margin need a rental price
        label = m.label
        if m.key == in_tco:
            label += " ◂ in TCO"
        if m.kind == "intensive":
            label += " (avg)"
        cells = [metric_cell(m.key, m.unit, result.summary(m.key, c), sep="\n") for c in columns]
        if m.key in result.partial and len(columns) > 1:
            cells[-1] += "*"
        table.add_row(_row_label(label, m.key, m.unit), *cells)
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
    if result.leased:
        lines.append(
            "Leased (" + ", ".join(result.leased) + "): the capital cost is the lease payment, "
            "the lessee's cost; depreciation and annuity are the hardware's own."
        )
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
    # defaults the scenario's use year or operator took from a published table
    if result.assumptions is not None:
        for name in result.assumptions.published_defaults():
            picked = result.assumptions.inputs[name]
            lines.append(f"{name} from a published table: {picked.note}. Source: {picked.source}.")
    for sku in result.skus or []:
        for name, raw in sku.published.items():
            lines.append(
                f"{sku.name} {name} from a published table: {raw['note']}. Source: {raw['source']}."
            )
    return "\n".join(lines)


_CATALOG_TITLE = "Accelerator catalog (dense peak rates; `flopbook catalog NAME` for sources)"
# what a chip is (words, which may wrap between them) and its figures (never wrapped), each
# with its unit in the header so that a figure's cell holds only the number
_CATALOG_WORDS = ("name", "arch", "available")
_CATALOG_FIGURES = (
    ("BF16", "bf16_dense", "TFLOP/s"),
    ("FP8", "fp8_dense", "TFLOP/s"),
    ("HBM", "hbm_capacity", "GB"),
    ("HBM BW", "hbm_bandwidth", "TB/s"),
    ("TDP", "tdp", "W"),
)


def catalog_table(cat: Catalog) -> CatalogTable:
    """The catalog as one table where it fits the width; else what each chip is, then its
    figures, each table led by the chip's id (and split further on a narrower screen). A
    name wraps between its words; no name or figure is cropped."""
    return CatalogTable(list(cat))


class CatalogTable:
    def __init__(self, chips: list[Chip]) -> None:
        self.chips = chips

    def build(self, columns: list[str], title: str = _CATALOG_TITLE) -> Table:
        figures = {label: (key, unit) for label, key, unit in _CATALOG_FIGURES}
        table = Table(title=title or None)
        table.add_column("id", no_wrap=True)
        for col in columns:
            if col in figures:
                table.add_column(f"{col}\n{figures[col][1]}", justify="right", no_wrap=True)
            else:
                table.add_column(col, no_wrap=col == "available")
        for c in self.chips:
            cells = {
                "name": c.name,
                "arch": c.architecture,
                "available": c.entry.dates.available.value or "",
            }
            row = [
                _spec(c, *figures[col]) if col in figures else escape(cells[col]) for col in columns
            ]
            table.add_row(escape(c.id), *row)
        return table

    def tables(self, console: Console, width: int) -> list[Table]:
        every = [*_CATALOG_WORDS, *(label for label, _, _ in _CATALOG_FIGURES)]
        whole = self.build(every)
        if fits(console, width, whole):
            return [whole]
        parts = []
        for group in (list(_CATALOG_WORDS), [label for label, _, _ in _CATALOG_FIGURES]):
            parts += split(console, width, group, lambda cols: self.build(cols, title=""))
        parts[0].title = _CATALOG_TITLE
        return parts

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.tables(console, options.max_width)


def _spec(c: Chip, key: str, unit: str) -> str:
    value = c.spec(key)
    if value is None:
        return "—"
    return f"{float(value.to(unit).magnitude.mean()):,.4g}"


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


def price_table(c: Chip, at: str | None = None) -> PriceTable:
    """Every dated price observation of a chip, oldest first within each kind; those more
    than a year from ``at`` (today by default) are marked stale. Where the sources do not
    fit beside the figures (80 columns), they follow the table, numbered."""
    when = at or "today"
    title = (
        f"{c.name}: price observations (ages from {when}; '!' = more than "
        f"{STALE_DAYS} days from it)"
    )
    rows: list[tuple[list[str], str]] = []
    for p, age, stale in c.price_series(at):
        use = "default" if p.default else "kept"
        if p.estimate:
            use += ", estimate"
        figures = [
            _kind(p.kind, p.term),
            p.as_of,
            price_text(p.value),
            p.vendor or "",
            f"{age / 365.25:.1f} y" + (" !" if stale else ""),
            use,
        ]
        rows.append((figures, p.source + (f"\n{p.note}" if p.note else "")))
    for pick in c.price_picks(at):
        rows.append(
            (
                [_kind(pick.kind, pick.term), "used", numbers.summary_text(pick.summary)]
                + ["", "", ""],
                pick.describe(),
            )
        )
    return PriceTable(title, rows)


_PRICE_COLUMNS = ("kind", "date", "value", "vendor", "age", "use")
_SOURCES_AT_LEAST = 30
"""The narrowest the sources column may be beside the figures; narrower, they follow."""


class PriceTable:
    """The observations as one table where they fit beside their sources; else a block
    each (kind and date, then the price, its age and use, its source), as `check` shows
    claims. No figure is cropped."""

    def __init__(self, title: str, rows: list[tuple[list[str], str]]) -> None:
        self.title, self.rows = title, rows

    def wide(self) -> Table:
        table = Table(title=escape(self.title), show_lines=False)
        for col in _PRICE_COLUMNS:
            table.add_column(
                col,
                justify="right" if col in ("value", "age") else "left",
                no_wrap=col in ("value", "date", "age"),
            )
        table.add_column("source and note", overflow="fold")
        for figures, source in self.rows:
            table.add_row(*(escape(x) for x in figures), escape(source))
        return table

    def blocks(self) -> Table:
        table = Table(title=escape(self.title), show_lines=True)
        table.add_column("kind, date")
        table.add_column("price · age · use · vendor; source and note", overflow="fold")
        for (kind, date, value, vendor, age, use), source in self.rows:
            about = " · ".join(x for x in (age, use, vendor) if x)
            table.add_row(
                escape(f"{kind}\n{date}"),
                escape("\n".join(x for x in (value, about, source) if x)),
            )
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        wide = self.wide()
        # the figures' columns whole, and room for the sources beside them
        figures = self.wide()
        figures.columns.pop()
        if fits(console, options.max_width - _SOURCES_AT_LEAST - 3, figures):
            yield wide
        else:
            yield self.blocks()


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


def cash_flow_table(flows: CashFlows, title: str | None = None) -> Columns:
    """The yearly cash flows: one column per year and the sum over the years; NPV, IRR and
    payback below, or why one is undefined. Split over several tables by years where it does
    not fit the terminal."""

    def build(columns: list[str], first: bool, last: bool) -> Table:
        return _cash_flow_table(flows, title if first else None, columns, caption=last)

    return Columns(flows.all_columns, build)


def _cash_flow_table(
    flows: CashFlows, title: str | None, columns: list[str], *, caption: bool
) -> Table:
    sampled = any(
        s is not None and s.get("p5") is not None
        for row in flows.rows_dict()
        for s in row["values"].values()
    )
    d = flows.to_dict()
    rate = d["cost_of_capital"]["value"]
    notes = [f"NPV at {rate:.1%}: " + _summary_text(d["npv"], "USD")]
    notes.append(
        "IRR: " + (_summary_text(d["irr"], "%") if d["irr"] else d["irr_undefined"] or "—")
    )
    notes.append(
        "Payback: "
        + (
            _summary_text(d["payback"], "year", f" from the start of {flows.period.first}")
            if d["payback"]
            else (d["payback_undefined"] or "—")
        )
    )
    equity = d.get("equity")
    if equity:
        own = equity.get("cost_of_equity")
        equity_rate = rate if own is None else own["value"]
        where = "" if own is None else " (cost of equity)"
        notes.append(
            f"NPV to equity at {equity_rate:.1%}{where}: " + _summary_text(equity["npv"], "USD")
        )
        notes.append(
            "IRR to equity: "
            + (
                _summary_text(equity["irr"], "%")
                if equity["irr"]
                else equity["irr_undefined"] or "—"
            )
        )
        if equity.get("wacc"):
            notes.append(
                "WACC implied (before tax, loan and equity at their shares of capex): "
                + _summary_text(equity["wacc"], "%")
            )
    notes.append(
        "Capex is paid in the year a cohort is acquired; a cohort is sold at book value when "
        "it is retired or the period ends; year y is discounted by (1 + r)^-(y - first year)."
    )
    if equity:
        notes.append(
            "The loan is drawn with the capex and repaid in the whole years after it; what is "
            "still owed when the period ends is repaid in its last year."
        )
    if sampled:
        notes.append("Uncertain inputs: mean (5th–95th percentile).")
    table = Table(
        title=title,
        caption="\n".join(notes) if caption else None,
        caption_justify="left",
        show_lines=sampled,
    )
    table.add_column("", style="bold", min_width=18, max_width=30, overflow="fold")
    for c in columns:
        table.add_column(c, justify="right", style="bold" if c == TOTAL else None, no_wrap=True)
    for o in CASH_FLOW.outputs:
        if not flows.known(o.key):
            continue  # no cohort has what the line needs (a lease line without a lease)
        cells = [numbers.summary(flows.summary(o.key, c), o.unit, sep="\n") for c in columns]
        table.add_row(_row_label(o.label, o.key, o.unit), *cells)
    return table


def _summary_text(s: dict, unit: str, after: str = "") -> str:  # type: ignore[type-arg]
    if unit == "%":
        text = f"{s['value' if 'value' in s else 'mean']:.1%}"
        if "p5" in s:
            text += f" ({s['p5']:.1%}–{s['p95']:.1%})"
    else:
        x = float(s.get("mean", s.get("value", 0.0)))
        text = numbers.value(x, unit)
        if "p5" in s:
            text += f" ({numbers.value(s['p5'], unit)}–{numbers.value(s['p95'], unit)})"
    if unit == "year":
        text = text.replace(" year", " years")
    text += after
    if s.get("undefined_share"):
        text += f"; undefined in {s['undefined_share']:.0%} of samples"
    return text


# The rows of `flopbook breakeven`: the same work owned, rented and from an API
BREAKEVEN_ROWS = [
    "used_gpu_hours",
    "tokens",
    "tco_per_year",
    "rented_cost",
    "api_cost",
    "cost_per_gpu_hour",
    "breakeven_utilisation",
    "breakeven_utilisation_api",
    "breakeven_tokens",
]


def _row_label(label: str, key: str, unit: str) -> str:
    # escaped: rich would read a unit such as [tokens / year] as a style and drop it
    return escape(f"{label} [{'share' if key in SHARE_ROWS else numbers.unit_label(unit)}]")


def breakeven_table(result: FleetResult, title: str | None = None) -> Columns:
    """Owned vs rented vs API for the same work, per SKU and in total, with the utilisation
    at which owning breaks even against each; split by SKUs where it does not fit, the
    Total last and whole."""
    columns = result.all_columns if len(result.columns) > 1 else result.columns

    def build(group: list[str], first: bool, last: bool) -> Table:
        return _breakeven_table(result, title if first else "", group, caption=last)

    return Columns(columns, build)


def _breakeven_table(
    result: FleetResult, title: str | None, columns: list[str], *, caption: bool
) -> Table:
    notes = [
        "Owned: the fleet's TCO per year, whatever its utilisation. Rented: the same used "
        "GPU-hours at the rental price. API: the tokens they serve at the API price.",
        "Break-even utilisation: owning costs less than renting (or than the API) when more "
        "of the year's hours are used than this; above 100% it never does.",
    ]
    if result.sampled:
        notes.append("Uncertain inputs: mean (5th–95th percentile).")
    table = Table(
        title=title if title is not None else (result.name or None),
        caption="\n".join(notes) if caption else None,
        caption_justify="left",
        show_lines=result.sampled,
    )
    table.add_column("", style="bold", min_width=18, max_width=40, overflow="fold")
    for c in columns:
        table.add_column(c, justify="right", style="bold" if c == TOTAL else None, no_wrap=True)
    for key in BREAKEVEN_ROWS:
        m = METRIC_BY_KEY[key]
        if all(result.get(key, c) is None for c in columns):
            continue
        cells = [metric_cell(key, m.unit, result.summary(key, c), sep="\n") for c in columns]
        label = m.label + (" (avg)" if m.kind == "intensive" else "")
        table.add_row(_row_label(label, key, m.unit), *cells)
    return table


def breakeven_verdict(result: FleetResult) -> list[str]:
    """In words, for the whole fleet: which of owning, renting and the API costs least for
    the work at the fleet's utilisation, and the break-even utilisation."""
    out = []
    owned = result.summary("tco_per_year")
    for key, other, even in (
        ("rented_cost", "renting", "breakeven_utilisation"),
        ("api_cost", "the API", "breakeven_utilisation_api"),
    ):
        cost, point = result.summary(key), result.summary(even)
        if cost is None or owned is None or point is None:
            continue
        cheaper = "owning" if owned.mean < cost.mean else other
        where = (
            "owning never beats it (break-even above 100%)"
            if point.mean > 1
            else f"owning breaks even at {point.mean:.1%} utilisation"
        )
        out.append(
            f"Against {other}: {numbers.value(owned.mean, 'USD/year')} owned vs "
            f"{numbers.value(cost.mean, 'USD/year')}; {cheaper} costs less; {where}."
        )
    return out
