"""A payer (a fund or a company) and a funding verdict as report blocks, year by year.

The formulas mirror :mod:`flopbook.models.funding` (fees, high-water mark, cash available) and
:func:`flopbook.models.funding_verdict.judge` (spending, cumulative cash against cumulative
spending, coverage at the worst year) column by column, one column per year, so that the
workbook recomputes what the engine computes. Money written in CNY is converted in the formula
by the payer's exchange rate, never silently.

What stays a value, and why: the verdict's words and the probability of each band are read
from the Monte Carlo samples (the most probable band over all samples), which no formula of
one row of medians can give; they are written as text with that note. Spending bought with a
fleet enters as the fleet's capex and opex (from the fleet model), with its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from flopbook.models.funding import (
    COMMON_FIELDS,
    COMPANY_FIELDS,
    FUND_FIELDS,
    PAYER_ROWS,
    Company,
    Fund,
)
from flopbook.models.funding_verdict import judge
from flopbook.quantity import Quantity, is_point, magnitudes, summarize
from flopbook.report.document import Block, Line, LineKind
from flopbook.report.inputs import InputBook, at_value

if TYPE_CHECKING:
    from flopbook.models.funding import PayerResult
    from flopbook.models.funding_verdict import FundingVerdict, Spending

TOTAL = "Total"


class _PayerNames:
    """Each input's defined name by year, and how to turn it into USD in a formula."""

    def __init__(self) -> None:
        self.by_year: dict[str, dict[int, str]] = {}
        self.rounds: dict[int, list[str]] = {}
        self.fx: str | None = None
        self.fx_per_usd = True  # the rate is CNY per USD (else USD per CNY)
        self.cny: set[str] = set()  # names of inputs written in CNY

    def usd(self, name: str) -> str:
        if name not in self.cny:
            return name
        assert self.fx is not None
        return f"{name}/{self.fx}" if self.fx_per_usd else f"{name}*{self.fx}"


def _register(result: PayerResult, book: InputBook) -> tuple[_PayerNames, dict[str, Any]]:
    """Names of the payer's inputs, and the inputs at the values the report used."""
    fields = {**COMMON_FIELDS, **FUND_FIELDS, **COMPANY_FIELDS}
    n = _PayerNames()
    used: dict[str, Any] = {}
    for name, inp in result.inputs:
        key, _, year = name.partition(".")
        spec = fields["amount" if key == "funding_rounds" else key]
        label = spec.label + (f", {year}" if year else "")
        place = f"payer.{name}" + (
            f".{len(n.rounds.get(int(year), []))}" if key == "funding_rounds" else ""
        )
        row = book.add(place, name.replace(".", "_"), label, inp)
        point = at_value(inp, row.value)
        if "CNY" in row.unit and key != "fx_rate":
            n.cny.add(row.name)
        if key == "fx_rate":
            n.fx, n.fx_per_usd = row.name, inp.value.check("[currency_cny] / [currency]")
            used["fx_rate"] = point
        elif key == "funding_rounds":
            n.rounds.setdefault(int(year), []).append(row.name)
            used.setdefault("funding_rounds", []).append({"year": int(year), "amount": point})
        elif year:
            n.by_year.setdefault(key, {})[int(year)] = row.name
            used.setdefault(key, {})[int(year)] = point
        else:
            n.by_year[key] = {y: row.name for y in result.years}
            used[key] = point
    return n, used


def point_payer(result: PayerResult, used: dict[str, Any]) -> PayerResult:
    """The payer run once at the values the report uses."""
    cls = Fund if result.kind == "fund" else Company
    kwargs = dict(used)
    if "aum_start" in kwargs and isinstance(kwargs["aum_start"], dict):
        kwargs["aum_start"] = next(iter(kwargs["aum_start"].values()))
    return cls(
        first_year=result.years[0], last_year=result.years[-1], name=result.name, **kwargs
    ).run()


def _line(
    key: str,
    label: str,
    unit: str,
    doc: str,
    formulas: dict[str, str | None],
    values: dict[str, float | None],
    percent: bool = False,
    kind: LineKind = "single",
) -> Line:
    return Line(key, label, unit, kind, doc, formulas, values, {}, percent=percent)


def _row_values(point: PayerResult, key: str, years: list[int]) -> dict[str, float | None]:
    unit = PAYER_ROWS[key].unit or None
    out: dict[str, float | None] = {
        str(y): float(magnitudes(v, unit)[0]) for y, v in zip(years, point.row(key), strict=True)
    }
    out[TOTAL] = (
        float(magnitudes(point.total(key), "USD")[0]) if PAYER_ROWS[key].kind == "flow" else None
    )
    return out


def payer_block(result: PayerResult, book: InputBook, title: str = "") -> Block:
    """The payer's yearly table with live formulas; its inputs are registered in ``book``."""
    names, used = _register(result, book)
    point = point_payer(result, used)
    years = result.years
    cols = [str(y) for y in years]
    lines: list[Line] = []

    def inputs_line(key: str, label: str, unit: str, money: bool = False) -> None:
        formulas: dict[str, str | None] = {TOTAL: None}
        values: dict[str, float | None] = {TOTAL: None}
        for y, col in zip(years, cols, strict=True):
            name = names.by_year[key][y]
            formulas[col] = names.usd(name) if money else name
            row = book.named(name)
            values[col] = _usd_value(row.value, row.unit, names, book) if money else row.value
        lines.append(
            _line(
                f"in_{key}",
                f"{label} (input)",
                unit,
                "from the Inputs sheet",
                formulas,
                values,
                percent=unit in ("", "1/year"),
                kind="input",
            )
        )

    def computed(key: str, per_year: Mapping[str, str | None], percent: bool = False) -> None:
        row = PAYER_ROWS[key]
        formulas: dict[str, str | None] = {**per_year, TOTAL: None}
        values = _row_values(point, key, years)
        total, values[TOTAL] = values[TOTAL], None
        # a return is a share of the assets per year, as the fees are
        unit = "1/year" if key in ("gross_return", "net_return") else row.unit
        line = _line(key, row.label, unit, row.doc, formulas, values, percent=percent)
        line.summaries = {
            c: summarize(v, row.unit or None) for c, v in zip(cols, result.row(key), strict=True)
        }
        lines.append(line)
        if row.kind == "flow":
            totals.append(
                _line(
                    f"{key}_total",
                    f"{row.label}, all years",
                    "USD",
                    "each year's amount (a yearly amount times one year), added up",
                    {
                        **{c: None for c in cols},
                        TOTAL: f"SUM({{{key}@{cols[0]}}}:{{{key}@{cols[-1]}}})*{one_year}",
                    },
                    {**{c: None for c in cols}, TOTAL: total},
                )
            )
            totals[-1].summaries = {TOTAL: result.summary(key)}

    totals: list[Line] = []
    one_year = book.constant("one_year")

    def each(template: Any) -> dict[str, str]:
        return {col: template(t, col, cols[t - 1] if t else None) for t, col in enumerate(cols)}

    if result.kind == "fund":
        given_aum = "aum" in names.by_year
        if given_aum:
            inputs_line("aum", "AUM", "USD", money=True)
        else:
            inputs_line("flows", "Net flows", "USD", money=True)
        # the fees are shares charged each year: a share per year of the assets
        for key, label, unit in (
            ("returns", "Gross return", "1/year"),
            ("management_fee", "Management fee", "1/year"),
            ("performance_fee", "Performance fee", ""),
            ("reinvest_share", "Share of fee income reinvestable", ""),
        ):
            inputs_line(key, label, unit)
        costs_share = all(
            book.named(n).unit == "" for n in names.by_year["operating_costs"].values()
        )
        inputs_line(
            "operating_costs",
            "Operating costs",
            "" if costs_share else "USD/year",
            money=not costs_share,
        )
        start = names.usd(names.by_year["aum_start"][years[0]]) if not given_aum else ""
        if given_aum:
            computed("aum", each(lambda t, c, p: "{in_aum}"))
        else:
            # last year's closing assets (opening x net growth) plus this year's flows
            computed(
                "aum",
                each(
                    lambda t, c, p: (
                        f"MAX({start}+{{in_flows}},0)"
                        if p is None
                        else f"MAX({{aum@{p}}}*{{net_growth@{p}}}+{{in_flows}},0)"
                    )
                ),
            )
        computed("gross_return", each(lambda t, c, p: "{in_returns}"), percent=True)
        # the performance fee's share of assets: gains per unit above the high-water mark
        # (its ratio to the value per unit), after the management fee
        # growth per unit over the year: the yearly rates times one year (a product by 1,
        # exact, so that the sums are the engine's own to the last digit)
        y = one_year
        growth = f"1+{{in_returns}}*{y}-{{in_management_fee}}*{y}"

        def share(t: int, c: str, p: str | None) -> str:
            if p is None:
                return f"{{in_performance_fee}}*MAX({growth}-1,0)/{y}"
            return (
                f"IF({{nav@{p}}}>0,{{in_performance_fee}}*MAX({growth}-{{hwm@{p}}}/"
                f"{{nav@{p}}},0),0)/{y}"
            )

        lines.append(
            _line(
                "performance_share",
                "Performance fee (share of assets)",
                "1/year",
                "performance fee x gain per unit above the high-water mark, after "
                "the management fee",
                {**each(share), TOTAL: None},
                {**_perf_shares(point, cols), TOTAL: None},
                percent=True,
                kind="single",
            )
        )
        net = _row_values(point, "net_return", years)
        lines.append(
            _line(
                "net_growth",
                "Net growth per unit (1 + net return)",
                "",
                "growth before the performance fee, less that fee; never below 0",
                {**each(lambda t, c, p: f"MAX({growth}-{{performance_share}}*{y},0)"), TOTAL: None},
                {**{c: 1 + (net[c] or 0.0) for c in cols}, TOTAL: None},
                kind="single",
            )
        )
        computed("net_return", each(lambda t, c, p: f"({{net_growth}}-1)/{y}"), percent=True)
        navs = np.cumprod([1 + (net[c] or 0.0) for c in cols])
        lines.append(
            _line(
                "nav",
                "Value per unit (NAV), end of year",
                "",
                "last year's NAV x net growth; 1 at the start",
                {
                    **each(
                        lambda t, c, p: (
                            "{net_growth}" if p is None else f"{{nav@{p}}}*{{net_growth}}"
                        )
                    ),
                    TOTAL: None,
                },
                {**dict(zip(cols, map(float, navs), strict=True)), TOTAL: None},
                kind="single",
            )
        )
        lines.append(
            _line(
                "hwm",
                "High-water mark, end of year",
                "",
                "the highest NAV so far (1 at the start)",
                {
                    **each(
                        lambda t, c, p: "MAX(1,{nav})" if p is None else f"MAX({{hwm@{p}}},{{nav}})"
                    ),
                    TOTAL: None,
                },
                {
                    **dict(
                        zip(
                            cols,
                            map(float, np.maximum.accumulate(np.maximum(navs, 1.0))),
                            strict=True,
                        )
                    ),
                    TOTAL: None,
                },
                kind="single",
            )
        )
        computed("management_fees", each(lambda t, c, p: "{in_management_fee}*{aum}"))
        computed("performance_fees", each(lambda t, c, p: "{performance_share}*{aum}"))
        computed("revenue", each(lambda t, c, p: "{management_fees}+{performance_fees}"))
        computed(
            "operating_costs",
            each(
                lambda t, c, p: (
                    "{in_operating_costs}*{revenue}" if costs_share else "{in_operating_costs}"
                )
            ),
        )
        computed(
            "cash_available",
            each(
                lambda t, c, p: (
                    "MAX(MIN({in_reinvest_share}*{revenue},{revenue}-{operating_costs}),0)"
                )
            ),
        )
        last = cols[-1]
        annual = point.annualised_net_return()

        lines.append(
            _line(
                "annualised_net_return",
                "Net return to investors, a year (compound)",
                "",
                "the final NAV to the power 1 / years, less 1",
                {
                    **{c: None for c in cols},
                    TOTAL: f"MAX({{nav@{last}}},0)^(1/COUNT({{nav@{cols[0]}}}:{{nav@{last}}}))-1",
                },
                {**{c: None for c in cols}, TOTAL: float(magnitudes(annual, "")[0])},
                percent=True,
                kind="single",
            )
        )
        lines[-1].summaries = {TOTAL: summarize(result.annualised_net_return(), "")}
    else:
        inputs_line("revenue", "Revenue", "USD/year", money=True)
        has = names.by_year
        if "operating_margin" in has:
            inputs_line("operating_margin", "Operating margin", "")
        if "operating_cash_flow" in has:
            inputs_line("operating_cash_flow", "Operating cash flow", "USD/year", money=True)
        if "capex_share" in has:
            inputs_line("capex_share", "Capex budget (share of revenue)", "")
        computed("revenue", each(lambda t, c, p: "{in_revenue}"))
        if "operating_margin" in has:
            computed("operating_cash_flow", each(lambda t, c, p: "{in_operating_margin}*{revenue}"))
        elif "operating_cash_flow" in has:
            computed("operating_cash_flow", each(lambda t, c, p: "{in_operating_cash_flow}"))
        if "capex_share" in has:
            computed("capex_budget", each(lambda t, c, p: "{in_capex_share}*{revenue}"))
        rounds = {str(y): "+".join(names.usd(x) for x in v) for y, v in names.rounds.items()}
        computed("funding_rounds", {c: rounds.get(c) for c in cols})
        line = lines[-1]
        for c in cols:
            if c not in rounds:
                line.values[c] = None  # no round that year: left empty, counted as none
        if "capex_share" in has and "operating_cash_flow" in point.rows:
            own = "MIN({capex_budget},MAX({operating_cash_flow},0))"
        elif "capex_share" in has:
            own = "{capex_budget}"
        else:
            own = "MAX({operating_cash_flow},0)"
        # N(): a year without a round holds "n/a" (text), which counts as no money
        computed("cash_available", {c: own + "+N({funding_rounds})" for c in cols})
    lines += totals
    highlights = [
        ln.key
        for ln in lines
        if ln.kind != "input" and ln.key not in ("performance_share", "net_growth", "nav", "hwm")
    ]
    sampled = any(not _is_point(i.value) for _, i in result.inputs)
    return Block(
        title or result.name or "Payer",
        [*cols, TOTAL],
        lines,
        highlights,
        ["The lines 'all years' add the amounts of each year; shares and assets are not added."],
        sampled=sampled,
        engine=point,
    )


def _is_point(value: Any) -> bool:
    return is_point(value)


def _usd_value(value: float, unit: str, names: _PayerNames, book: InputBook) -> float:
    if "CNY" not in unit:
        return value
    rate = book.named(names.fx or "").value
    return value / rate if names.fx_per_usd else value * rate


def _perf_shares(point: PayerResult, cols: list[str]) -> dict[str, float | None]:
    """The engine's performance fee as a share of assets (fees / assets; 0 with no assets)."""
    fees = point.usd("performance_fees")[:, 0]
    aum = np.array([float(np.asarray(a.to("USD").magnitude)[0]) for a in point.row("aum")])
    return {c: float(f / a) if a > 0 else 0.0 for c, f, a in zip(cols, fees, aum, strict=True)}


def _spending_names(
    spending: list[Spending], book: InputBook, scenario: str
) -> list[tuple[Spending, str, str | None]]:
    """Each purchase's capex (and opex, for a fleet) as named inputs."""
    out = []
    for i, s in enumerate(spending):
        where = f"spending.{scenario}.{i}"
        fleet = s.opex is not None
        note = "the fleet's total capex from the fleet model" if fleet else None
        capex = book.add(
            f"{where}.capex",
            f"capex_{scenario}_{i + 1}",
            f"{s.label}: capex ({s.year})",
            value=s.capex.to("USD"),
            source=s.source,
            note=note,
        ).name
        opex = None
        if fleet:
            assert s.opex is not None
            opex = book.add(
                f"{where}.opex",
                f"opex_{scenario}_{i + 1}",
                f"{s.label}: running costs (opex), each year from {s.year}",
                value=s.opex.to("USD/year"),
                source=s.source,
                note="the fleet's total opex from the fleet model",
            ).name
        out.append((s, capex, opex))
    return out


def funding_blocks(verdict: FundingVerdict, book: InputBook, title: str = "") -> list[Block]:
    """The payer's block, then the verdict's (which refers to the payer's cash)."""
    name = verdict.payer.name or "the payer"
    payer = payer_block(verdict.payer, book, f"{name}: cash by year")
    return [payer, verdict_block(verdict, book, f"Could {name} pay? Cash against spending", payer)]


def verdict_block(
    verdict: FundingVerdict,
    book: InputBook,
    title: str,
    payer: Block,
    payer_index: int = 0,
    scenario: str = "1",
) -> Block:
    """Spending against the payer's cash, year by year, with live formulas. ``payer`` is the
    payer's block, at ``payer_index`` in the report (its cash available is referenced)."""
    years = verdict.years
    cols = [str(y) for y in years]
    named = _spending_names(verdict.spending, book, scenario)
    # the engine at the values used: the payer's point run (its block), the spending's values
    point_payer_result = payer.engine
    spent = [
        replace(
            s,
            capex=Quantity(book.named(c).value, "USD"),
            opex=None if o is None else Quantity(book.named(o).value, "USD/year"),
            tco=None,
        )
        for s, c, o in named
    ]
    point = judge(point_payer_result, spent, verdict.bands)

    def row(a: np.ndarray) -> dict[str, float | None]:
        return {c: float(a[t, 0]) for t, c in enumerate(cols)}

    lines: list[Line] = []
    lines.append(
        _line(
            "cash",
            "Cash available (the payer)",
            "USD/year",
            "from the payer's table",
            {**{c: f"{{#{payer_index}:cash_available@{c}}}" for c in cols}, TOTAL: None},
            {**row(point.cash), TOTAL: None},
        )
    )
    # the payer's cash is the same figure as in the payer's table, and shown the same way
    # there: the mean and interval over the samples, never the model at the medians beside it
    lines[-1].summaries = {
        c: summarize(Quantity(verdict.cash[t], "USD/year")) for t, c in enumerate(cols)
    }
    spend: dict[str, str | None] = {}
    for y, c in zip(years, cols, strict=True):
        terms = [cap for s, cap, _ in named if s.year == y]
        terms += [o for s, _, o in named if o is not None and s.year <= y]
        spend[c] = "+".join(terms) if terms else None
    spend_values = row(point.spend)
    for c in cols:
        if spend[c] is None:
            spend_values[c] = None  # nothing bought or running that year
    first = next((t for t, c in enumerate(cols) if spend[c] is not None), None)
    one_year = book.constant("one_year")
    lines.append(
        _line(
            "spend",
            "Spending (capex in the year bought, then opex each year)",
            "USD/year",
            "the purchases' capex and running costs",
            {**spend, TOTAL: None},
            {**spend_values, TOTAL: None},
        )
    )

    def running(key: str, of: str) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for t, c in enumerate(cols):
            here = f"{{{of}}}*{one_year}" if (of != "spend" or spend[c] is not None) else None
            if t == 0:
                out[c] = here
            elif here is None:
                out[c] = f"{{{key}@{cols[t - 1]}}}" if out[cols[t - 1]] is not None else None
            else:
                out[c] = f"{{{key}@{cols[t - 1]}}}+{here}" if out[cols[t - 1]] is not None else here
        return out

    cum_spend = running("cumulative_spend", "spend")
    cum_values = row(point.cumulative_spend)
    for c in cols:
        if cum_spend[c] is None:
            cum_values[c] = None
    lines.append(
        _line(
            "cumulative_cash",
            "Cumulative cash",
            "USD",
            "running total of cash",
            {**running("cumulative_cash", "cash"), TOTAL: None},
            {**row(point.cumulative_cash), TOTAL: None},
            kind="single",
        )
    )
    lines.append(
        _line(
            "cumulative_spend",
            "Cumulative spending",
            "USD",
            "running total of spending",
            {**cum_spend, TOTAL: None},
            {**cum_values, TOTAL: None},
            kind="single",
        )
    )
    ratios: dict[str, str | None] = {c: None for c in cols}
    ratio_values: dict[str, float | None] = {c: None for c in cols}
    cum_c, cum_s = point.cumulative_cash, point.cumulative_spend
    for t, c in enumerate(cols):
        if first is not None and t >= first and cum_s[t, 0] > 0:
            ratios[c] = "{cumulative_cash}/{cumulative_spend}"
            ratio_values[c] = float(cum_c[t, 0] / cum_s[t, 0])
    covered = [c for c in cols if ratios[c] is not None]
    lines.append(
        _line(
            "ratio",
            "Cumulative cash / cumulative spending",
            "",
            "how many times the money so far covers the spending so far",
            {
                **ratios,
                TOTAL: (
                    f"MIN({{ratio@{covered[0]}}}:{{ratio@{covered[-1]}}})" if covered else None
                ),
            },
            {**ratio_values, TOTAL: float(point.coverage[0]) if covered else None},
            kind="single",
        )
    )
    lines.append(
        _line(
            "balance",
            "Cumulative cash less cumulative spending",
            "USD",
            "negative: money from outside was needed by then",
            {
                **{
                    c: (
                        "{cumulative_cash}-{cumulative_spend}"
                        if cum_spend[c] is not None
                        else "{cumulative_cash}"
                    )
                    for c in cols
                },
                TOTAL: f"MAX(-MIN({{balance@{cols[0]}}}:{{balance@{cols[-1]}}}),0)",
            },
            {**row(point.balance), TOTAL: float(point.outside_money[0])},
            kind="single",
        )
    )
    lines.append(
        _line(
            "spend_total",
            "Spending, all years",
            "USD",
            "each year's spending (a yearly amount times one year), added up",
            {
                **{c: None for c in cols},
                TOTAL: f"SUM({{spend@{cols[0]}}}:{{spend@{cols[-1]}}})*{one_year}",
            },
            {**{c: None for c in cols}, TOTAL: float(point.spend.sum())},
        )
    )
    probs = ", ".join(
        f"{b.words} {verdict.band_probabilities[b.key]:.0%}" for b in verdict.bands.bands
    )
    notes = [
        "Coverage (the Total of the ratio line) is the lowest cumulative ratio over the years "
        "with spending; the Total of the balance line is the money needed from outside.",
        f"Verdict: {verdict.words} — the most probable band over "
        f"{verdict.cash.shape[1]:,} samples ({probs}). It is read from the samples, so it is "
        "written here as text, not as a formula of the medians above.",
        "Bands: " + " | ".join(verdict.bands.describe()),
    ]
    return Block(
        title or "Funding verdict",
        [*cols, TOTAL],
        lines,
        ["cash", "spend", "ratio", "balance", "spend_total"],
        notes,
        sampled=verdict.cash.shape[1] > 1,
        engine=point,
    )
