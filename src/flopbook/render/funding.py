"""Rendering of the funding test: the payer's yearly cash, spending against it, the verdict."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from flopbook import numbers
from flopbook.models.comparables import percent
from flopbook.models.funding import PAYER_ROWS
from flopbook.quantity import Quantity, summarize
from flopbook.safe_text import CsvWriter

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

    from flopbook.models.funding import PayerResult
    from flopbook.models.funding_verdict import FundingVerdict
    from flopbook.quantity import Summary

BAND_STYLE = {"within_means": "bold green", "stretch": "bold yellow", "implausible": "bold red"}


def _money(s: Summary | None, *, spread: bool = True) -> str:
    return numbers.summary(s, "USD", spread=spread)


def _share(s: Summary, *, spread: bool = True) -> str:
    text = f"{s.mean:.1%}"
    if spread and not s.point:
        text += f" ({s.p5:.0%}–{s.p95:.0%})"
    return text


_MEANS = (
    "Yearly cells are means (JSON and CSV give the 5th, 50th and 95th percentiles); "
    "the Total column shows the 5th–95th percentile range."
)


class YearTable:
    """A table with a column per year that fits the console: when it is too wide, the Total
    column's cells fold onto two lines (the mean, then its range); when that is not enough,
    the years are split into runs, one table each, the Total whole in the last. Columns are
    never dropped or cut: a lifetime total that vanishes at 100 columns is a wrong answer.

    ``build(years, fold, part, parts)`` makes the table for a run of years."""

    def __init__(self, years: list[int], build: Callable[[list[int], bool, int, int], Table]):
        self.years = years
        self.build = build

    def layouts(self) -> Iterator[list[Table]]:
        """From the widest layout to the narrowest."""
        yield [self.build(self.years, False, 0, 1)]
        yield [self.build(self.years, True, 0, 1)]
        for parts in range(2, len(self.years) + 1):
            size = -(-len(self.years) // parts)  # ceiling: the last run is the shortest
            runs = [self.years[i : i + size] for i in range(0, len(self.years), size)]
            yield [self.build(run, True, i, len(runs)) for i, run in enumerate(runs)]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        wide = options.update_width(10_000)  # the natural width, not squeezed to fit
        chosen: list[Table] = []
        for tables in self.layouts():
            chosen = tables
            if all(Measurement.get(console, wide, t).maximum <= options.max_width for t in tables):
                break
        yield from chosen


def _part_title(title: str, part: int, parts: int, years: list[int]) -> str:
    if parts == 1:
        return title
    return f"{title} ({years[0]})" if len(years) == 1 else f"{title} ({years[0]}–{years[-1]})"


def payer_table(result: PayerResult, *, title: str | None = None) -> YearTable:
    """The payer's rows by year and their totals; fits the console (see :class:`YearTable`)."""
    name = title if title is not None else f"{result.name or 'Payer'}: cash by year"
    cells: dict[str, dict[int, str]] = {}
    totals: dict[str, tuple[str, str]] = {}
    for key in result.rows:
        row = PAYER_ROWS[key]
        cells[key] = {
            y: _share(s, spread=False) if row.kind == "share" else _money(s, spread=False)
            for y in result.years
            for s in [result.summary(key, y)]
        }
        if row.kind == "flow":
            s = result.summary(key)
            totals[key] = (_money(s), numbers.summary(s, "USD", sep="\n"))
        elif key == "net_return":
            s = summarize(result.annualised_net_return())
            one = _share(s, spread=False) + " a yr"
            spread = "" if s.point else f"\n({s.p5:.0%}–{s.p95:.0%})"
            totals[key] = (_share(s) + " a yr", one + spread)
        else:
            totals[key] = ("—", "—")

    def build(years: list[int], fold: bool, part: int, parts: int) -> Table:
        last = part == parts - 1
        table = Table(
            title=_part_title(name, part, parts, years),
            caption_justify="left",
            caption="Amounts in each year. The Total adds amounts over the years; "
            "AUM and returns do not add (net return: compound yearly rate). " + _MEANS
            if last
            else None,
        )
        table.add_column("", style="bold", no_wrap=True)
        for y in years:
            table.add_column(str(y), justify="right", no_wrap=True)
        if last:
            table.add_column("Total", justify="right", style="bold", no_wrap=True)
        for key in result.rows:
            total = [totals[key][1 if fold else 0]] if last else []
            table.add_row(
                PAYER_ROWS[key].label,
                *(cells[key][y] for y in years),
                *total,
                style="bold" if key == "cash_available" else None,
            )
        return table

    return YearTable(result.years, build)


def inputs_table(result: PayerResult) -> Table:
    table = Table(title="Payer inputs and their sources", caption_justify="left")
    for col in ("input", "value", "source and note"):
        table.add_column(col, overflow="fold")
    for name, inp in result.inputs:
        s = summarize(inp.value)
        value = str(inp.raw) if inp.raw is not None else numbers.summary(s, s.unit)
        text = " — ".join(x for x in (inp.source, inp.note) if x) or "(no source given)"
        table.add_row(name, value, text)
    return table


def spending_table(verdict: FundingVerdict) -> Table:
    table = Table(title="Spending to pay for", caption_justify="left")
    for col in ("what", "bought", "capex", "opex per year", "TCO per year", "source"):
        table.add_column(
            col,
            justify="right" if col in ("capex", "opex per year", "TCO per year") else "left",
            overflow="fold",
        )
    for s in verdict.spending:
        table.add_row(
            s.label,
            str(s.year),
            _money(summarize(s.capex, "USD")),
            "—" if s.opex is None else numbers.summary(summarize(s.opex, "USD/year"), "USD/year"),
            "—" if s.tco is None else numbers.summary(summarize(s.tco, "USD/year"), "USD/year"),
            s.source or "",
        )
    return table


def yearly_table(verdict: FundingVerdict) -> YearTable:
    """Cash against spending by year; fits the console (see :class:`YearTable`)."""
    rows = [
        ("Cash available", verdict.cash),
        ("Spending", verdict.spend),
        ("Cumulative cash", verdict.cumulative_cash),
        ("Cumulative spending", verdict.cumulative_spend),
        ("Balance", verdict.balance),
    ]
    cells: dict[str, dict[int, Text]] = {}
    for label, data in rows:
        cells[label] = {}
        for y, row in zip(verdict.years, data, strict=True):
            s = summarize(Quantity(row, "USD"))
            style = "red" if label == "Balance" and s.mean < 0 else ""
            cells[label][y] = Text(_money(s, spread=False), style=style)

    def build(years: list[int], fold: bool, part: int, parts: int) -> Table:
        table = Table(
            title=_part_title("Cash against spending, year by year", part, parts, years),
            caption_justify="left",
            caption="Spending = capex in the year bought + running costs from then "
            "on. Balance = cumulative cash − cumulative spending; negative means "
            "outside money was needed by then. " + _MEANS.split(";")[0] + "."
            if part == parts - 1
            else None,
        )
        table.add_column("", style="bold", no_wrap=True)
        for y in years:
            table.add_column(str(y), justify="right", no_wrap=True)
        for label, _ in rows:
            table.add_row(
                label,
                *(cells[label][y] for y in years),
                style="bold" if label == "Balance" else None,
            )
        return table

    return YearTable(verdict.years, build)


def verdict_panel(verdict: FundingVerdict) -> Panel:
    s = verdict.summaries()
    lines: list[Text] = []
    head = Text("Verdict: ")
    head.append(verdict.words, style=BAND_STYLE.get(verdict.band.key, "bold"))
    p = verdict.band_probabilities[verdict.band.key]
    if p < 1:
        head.append(f"  (in {_share_of_samples(p)} of samples)")
    lines.append(head)
    if len([x for x in verdict.band_probabilities.values() if x > 0]) > 1:
        lines.append(
            Text(
                "Probability of each band: "
                + ", ".join(
                    f"{b.words} {_share_of_samples(verdict.band_probabilities[b.key])}"
                    for b in verdict.bands.bands
                )
            )
        )
    cov = s["coverage"]
    binding = verdict.binding_year()
    cov_text = _ratio(cov)
    lines.append(
        Text(
            f"Coverage (cumulative cash / cumulative spending, worst year"
            f"{f' {binding}' if binding else ''}): {cov_text}"
        )
    )
    lines.append(
        Text(
            f"Spending {_money(s['total_spend'])}, of which capex "
            f"{_money(s['total_capex'])}, against cash available "
            f"{_money(s['total_cash'])} over {verdict.years[0]}–{verdict.years[-1]}"
        )
    )
    year = verdict.runs_out_year()
    pr = verdict.probability_runs_out
    if year is None:
        lines.append(Text("The cash never runs out."))
    elif pr == 1:
        lines.append(
            Text(f"The cash runs out in {year}; outside money needed: {_money(s['outside_money'])}")
        )
    else:
        # a share of samples, not a headline: under "within means" the cash can still run
        # out in a few samples, and saying so must not read as the verdict
        lines.append(
            Text(
                f"In {_share_of_samples(pr)} of samples the cash runs out (most "
                f"often in {year}), and those samples need "
                f"{_money(verdict.outside_money_when_short())} of outside money; "
                "in the others the cash lasts."
            )
        )
    if "tco_ratio" in s:
        lines.append(
            Text(
                f"Cash available per year / the fleet's TCO per year: "
                f"{_ratio(s['tco_ratio'])} (a comparison, not part of the verdict)"
            )
        )
    for line in comparables_lines(verdict):
        lines.append(Text(line, style="dim"))
    lines.append(
        Text(
            "Thresholds: "
            + "; ".join(
                f"{b.words} ≥ {b.min_coverage:g}" for b in verdict.bands.bands if b.min_coverage > 0
            )
            + f"; otherwise {verdict.bands.bands[-1].words}. ({verdict.bands.source})",
            style="dim",
        )
    )
    return Panel(Group(*lines), title="Could the payer have paid?", title_align="left")


def comparables_lines(verdict: FundingVerdict) -> list[str]:
    """``capex / revenue 2,270% in 2023 ($1.60B of capex ÷ $70.6M of revenue that year, the
    ratio of the means; …): above every comparable …`` — the two means are printed so that a
    reader can divide them and get the same figure."""
    placed = {p.basis: p for p in verdict.placements}
    out = []
    for ratio in (verdict.capex_to_revenue, verdict.capex_to_aum):
        if ratio is None or ratio.basis not in placed:
            continue
        p = placed[ratio.basis]
        base = (
            "of revenue that year"
            if ratio.basis == "revenue"
            else "of assets at the start of that year"
        )
        spread = (
            ""
            if p.spread is None
            else f"; 5th–95th percentile {percent(p.spread[0])}–{percent(p.spread[1])}"
        )
        out.append(
            f"Against comparables: {p.label} {percent(p.ratio)} in {ratio.year} "
            f"({numbers.value(ratio.capex, 'USD')} of capex ÷ "
            f"{numbers.value(ratio.base, 'USD')} {base}, the ratio of the means"
            f"{spread}): {p.position}"
        )
    return out


def _share_of_samples(p: float) -> str:
    """``37%``; never ``0%`` or ``100%`` for a share that is neither."""
    if 0 < p < 0.005:
        return "under 1%"
    if 0.995 <= p < 1:
        return "over 99%"
    return f"{p:.0%}"


def _ratio(s: Summary) -> str:
    def one(x: float) -> str:
        return "∞" if x > 1e300 else f"{x:,.2f}"

    text = one(s.mean)
    if not s.point:
        text += f" ({one(s.p5)}–{one(s.p95)})"
    return text


def print_funding(
    payer: PayerResult, verdict: FundingVerdict | None, console: Console, *, inputs: bool = True
) -> None:
    console.print(payer_table(payer))
    if inputs and payer.inputs:
        console.print(inputs_table(payer))
    if verdict is not None:
        console.print(spending_table(verdict))
        console.print(yearly_table(verdict))
        console.print(verdict_panel(verdict))


def funding_dict(payer: PayerResult, verdict: FundingVerdict | None) -> dict[str, Any]:
    return {"payer": payer.to_dict(), "verdict": None if verdict is None else verdict.to_dict()}


def funding_csv(payer: PayerResult, verdict: FundingVerdict | None) -> str:
    """One row per figure and year: section, row, year, unit, mean, p5, p50, p95."""
    buf = io.StringIO()
    w = CsvWriter(buf)
    w.writerow(["section", "row", "year", "unit", "mean", "p5", "p50", "p95"])

    def put(section: str, row: str, year: Any, s: Summary) -> None:
        w.writerow(
            [section, row, year, s.unit, *(f"{x:.10g}" for x in (s.mean, s.p5, s.p50, s.p95))]
        )

    for key in payer.rows:
        for y in payer.years:
            put("payer", key, y, payer.summary(key, y))
        if PAYER_ROWS[key].kind == "flow":
            put("payer", key, "total", payer.summary(key))
    if verdict is not None:
        for label, data in (
            ("cash_available", verdict.cash),
            ("spend", verdict.spend),
            ("cumulative_cash", verdict.cumulative_cash),
            ("cumulative_spend", verdict.cumulative_spend),
            ("balance", verdict.balance),
        ):
            for y, row in zip(verdict.years, data, strict=True):
                put("verdict", label, y, summarize(Quantity(row, "USD")))
        for key, s in verdict.summaries().items():
            put("verdict", key, "", s)
        for key, p in verdict.band_probabilities.items():
            w.writerow(["verdict", f"probability_{key}", "", "", f"{p:.10g}", "", "", ""])
        w.writerow(["verdict", "verdict", "", "", verdict.words, "", "", ""])
    return buf.getvalue()
