"""A payer (a fund or a company) and a funding verdict as report blocks, year by year.

The payer's block is written from its declaration (:data:`flopbook.models.funding.FUND`,
:data:`~flopbook.models.funding.COMPANY`): one column per year, each formula the declared
one, last year's values (NAV, high-water mark, assets) the previous column's cells, so that
the workbook recomputes what the engine computes. Money written in CNY is converted in the
formula by the payer's exchange rate, never silently.

The verdict's block is written from :data:`flopbook.models.funding_verdict.VERDICT` the same
way (cumulative cash against cumulative spending, the ratio and the balance); its totals, the
coverage (the lowest ratio) and the money needed from outside, are the declaration's totals
(``lowest_of(ratio)``), written as MIN over those rows, as the engine evaluates them; so is a
fund's compound net return (``product_of(net_growth)``).

What stays a value, and why: the verdict's words and the probability of each band are read
from the Monte Carlo samples (the most probable band over all samples), which no formula of
one row of medians can give; they are written as text with that note. Spending bought with a
fleet enters as the fleet's capex and opex (from the fleet model), with its source.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from flopbook.formula.conversions import CONVERSIONS
from flopbook.formula.excel import Ref, excel_formula, total_formula
from flopbook.formula.series import form_of, in_order
from flopbook.formula.totals import evaluate_total
from flopbook.models.funding import (
    COMMON_FIELDS,
    COMPANY,
    COMPANY_FIELDS,
    FUND,
    FUND_FIELDS,
    Company,
    Fund,
)
from flopbook.models.funding_verdict import VERDICT, judge
from flopbook.quantity import Quantity, is_point, magnitudes, registry, summarize
from flopbook.report.declared import formula_order
from flopbook.report.document import Block, Line, LineKind
from flopbook.report.hooks import Found, Uncertainty, headline_samples
from flopbook.report.inputs import InputBook, at_value

if TYPE_CHECKING:
    from flopbook.formula.declaration import Form, Kind, Total
    from flopbook.formula.result import ItemOutputs
    from flopbook.models.funding import PayerResult
    from flopbook.models.funding_verdict import FundingVerdict, Spending
    from flopbook.quantity import Summary

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


def _point(result: PayerResult, used: dict[str, Any]) -> Fund | Company:
    """The payer at the values the report uses."""
    cls = Fund if result.kind == "fund" else Company
    kwargs = dict(used)
    if "aum_start" in kwargs and isinstance(kwargs["aum_start"], dict):
        kwargs["aum_start"] = next(iter(kwargs["aum_start"].values()))
    return cls(first_year=result.years[0], last_year=result.years[-1], name=result.name, **kwargs)


def point_payer(result: PayerResult, used: dict[str, Any]) -> PayerResult:
    """The payer run once at the values the report uses."""
    return _point(result, used).run()


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


# values per unit of a fund (its NAV, its growth) are numbers, not shares
_PER_UNIT = ("net_growth", "nav", "hwm")


def payer_block(result: PayerResult, book: InputBook, title: str = "") -> Block:
    """The payer's yearly table with live formulas, one column per year, written from its
    declaration (models/funding.py FUND, COMPANY); its inputs are registered in ``book``."""
    names, used = _register(result, book)
    payer = _point(result, used)
    point = payer.run()
    kind = FUND if result.kind == "fund" else COMPANY
    items = in_order(kind, payer.years_inputs())
    cols = [str(y) for y in result.years]
    lines, refs = _input_lines(kind, result.years, names, book)
    forms = _carry(kind, items, cols, refs)
    for key in formula_order(kind, forms):
        lines.append(_formula_line(kind, key, items, forms, refs, cols, book))
        if key in point.rows:
            lines[-1].summaries = {
                c: summarize(v, kind.formulas[key].unit or None)
                for c, v in zip(cols, result.row(key), strict=True)
            }
    for name in CONVERSIONS:  # each conversion a formula uses has its named row
        if any(re.search(rf"\b{name}\b", x or "") for ln in lines for x in ln.formulas.values()):
            book.constant(name)
    # the declared totals: each amount's years added up in the Total column of its line (an
    # amount, not an amount a year), and a fund's compound net return, a line of its own
    shown = {ln.key: ln for ln in lines}
    for t in kind.totals:
        if t.of is not None and t.of not in point.rows:
            continue  # not known in every year (a company without a cash flow)
        line = _total_line(kind, t, point.items, shown, cols, book)
        if line is None:  # written in the Total column of the line of t.of
            assert t.of is not None
            line = shown[t.of]
            if t.unit != line.unit:
                line.total_unit = t.unit
        else:
            lines.append(line)
        line.summaries[TOTAL] = _total_summary(kind, t, result.items)
    return Block(
        title or result.name or "Payer",
        [*cols, TOTAL],
        lines,
        # the results: the outputs and their totals (not the inputs, not the steps)
        [ln.key for ln in lines if ln.kind != "input" and not _is_step(kind, ln.key)],
        [
            "The Total of a yearly amount adds its years (an amount in $, not $ a year); "
            "shares and assets are not added."
        ],
        sampled=any(not is_point(i.value) for _, i in result.inputs),
        engine=point,
    )


def _is_step(kind: Kind, key: str) -> bool:
    return key in kind.formulas and kind.formulas[key].kind == "step"


def _input_lines(
    kind: Kind, years: list[int], names: _PayerNames, book: InputBook
) -> tuple[list[Line], list[dict[str, Ref]]]:
    """Each input shown year by year (in USD, converted by the exchange rate where needed),
    and what each year's formulas read for each input."""
    ureg = registry()
    cols = [str(y) for y in years]
    lines: list[Line] = []
    refs: list[dict[str, Ref]] = [{} for _ in years]
    for key, by_year in names.by_year.items():
        if key == "aum_start":  # the first year's only: the opening assets, by their name
            refs[0][key] = Ref(names.usd(by_year[years[0]]), ureg.Unit("USD"))
            continue
        money = any(u in book.named(n).unit for n in by_year.values() for u in ("USD", "CNY"))
        unit = ("USD" if key in ("aum", "flows") else "USD/year") if money else ""
        formulas: dict[str, str | None] = {TOTAL: None}
        values: dict[str, float | None] = {TOTAL: None}
        for t, (y, col) in enumerate(zip(years, cols, strict=True)):
            row = book.named(by_year[y])
            formulas[col] = names.usd(row.name) if money else row.name
            values[col] = _usd_value(row.value, row.unit, names, book) if money else row.value
            refs[t][key] = Ref(f"{{in_{key}}}", ureg.Unit(unit))
        label = f"{kind.inputs[key].label} (input)"
        doc = "from the Inputs sheet"
        lines.append(
            _line(f"in_{key}", label, unit, doc, formulas, values, percent=not unit, kind="input")
        )
    if "funding_rounds" in kind.inputs:  # a company's rounds of the year, added up
        for t, y in enumerate(years):
            raised = [names.usd(n) for n in names.rounds.get(y, [])]
            # a year without a round raised none (0), as in the model
            text = "+".join(raised) if len(raised) < 2 else "(" + "+".join(raised) + ")"
            refs[t]["funding_rounds"] = Ref(text or "0", ureg.Unit("USD/year"))
    return lines, refs


def _carry(
    kind: Kind, items: list[ItemOutputs], cols: list[str], refs: list[dict[str, Ref]]
) -> list[Form]:
    """Last year's values as the previous column's cells (added to ``refs``), and the form
    of each year's inputs."""
    ureg = registry()
    forms: list[Form] = []
    for t, here in enumerate(refs):
        if t:
            for name, formula in kind.carried.items():
                if items[t - 1].value(formula) is not None:
                    unit = ureg.Unit(kind.formulas[formula].unit)
                    here[name] = Ref(f"{{{formula}@{cols[t - 1]}}}", unit)
        forms.append(form_of({n: Quantity(1.0, r.unit) for n, r in here.items()}))
    return forms


def _formula_line(
    kind: Kind,
    key: str,
    items: list[ItemOutputs],
    forms: list[Form],
    refs: list[dict[str, Ref]],
    cols: list[str],
    book: InputBook,
) -> Line:
    """One formula of the declaration, year by year: its Excel text and the engine's value."""
    ureg = registry()
    f = kind.formulas[key]
    cells = {k: Ref(f"{{{k}}}", ureg.Unit(g.unit)) for k, g in kind.formulas.items() if g.shown}
    formulas: dict[str, str | None] = {TOTAL: None}
    values: dict[str, float | None] = {TOTAL: None}
    for t, col in enumerate(cols):
        text = excel_formula(
            kind,
            key,
            forms[t],
            refs[t],
            cells,
            constant=lambda n: book.kind_constant(kind.constant[n]),
        )
        value = items[t].value(key)
        formulas[col] = text
        values[col] = (
            None if text is None or value is None else float(magnitudes(value, f.unit or None)[0])
        )
    percent = f.unit in ("", "1/year") and key not in _PER_UNIT
    return _line(key, f.label, f.unit, f.doc, formulas, values, percent=percent)


def _total_line(
    kind: Kind,
    t: Total,
    items: list[ItemOutputs],
    lines: dict[str, Line],
    cols: list[str],
    book: InputBook,
    *,
    own_line: bool = False,
) -> Line | None:
    """A declared total (:class:`~flopbook.formula.declaration.Total`) as a live formula
    over the cells of the formulas it reads, with the engine's value at the report's values:
    written in the Total column of the output it totals (``t.of``), or as a line of its own
    (returned; always with ``own_line``)."""
    cells = {
        key: [f"{{{key}@{c}}}" for c in cols if lines[key].formulas.get(c) is not None]
        for key in t.aggregated()
    }
    text = total_formula(kind, t, cells, constant=lambda n: book.kind_constant(kind.constant[n]))
    value = evaluate_total(kind, t, items)
    number = None if text is None or value is None else float(magnitudes(value, t.unit or None)[0])
    if t.of is not None and not own_line:
        line = lines[t.of]
        line.formulas[TOTAL], line.values[TOTAL] = text, number
        return None
    return _line(
        t.key,
        t.label,
        t.unit,
        t.doc,
        {**{c: None for c in cols}, TOTAL: text},
        {**{c: None for c in cols}, TOTAL: number},
        percent=t.unit == "",
    )


def _total_summary(kind: Kind, t: Total, items: list[ItemOutputs]) -> Summary | None:
    value = evaluate_total(kind, t, items)
    return None if value is None else summarize(value, t.unit or None)


def _usd_value(value: float, unit: str, names: _PayerNames, book: InputBook) -> float:
    if "CNY" not in unit:
        return value
    rate = book.named(names.fx or "").value
    return value / rate if names.fx_per_usd else value * rate


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
    # its Total, the payer's cash over the years, is the payer's table's Total too
    paid = payer.line("cash_available")
    if paid.formulas.get(TOTAL) is not None:
        cash = lines[-1]
        cash.formulas[TOTAL] = f"{{#{payer_index}:cash_available@{TOTAL}}}"
        cash.values[TOTAL] = paid.values.get(TOTAL)
        cash.summaries[TOTAL] = paid.summaries.get(TOTAL)
        cash.total_unit = paid.unit_in(TOTAL)
    spend: dict[str, str | None] = {}
    for y, c in zip(years, cols, strict=True):
        terms = [cap for s, cap, _ in named if s.year == y]
        terms += [o for s, _, o in named if o is not None and s.year <= y]
        spend[c] = "+".join(terms) if terms else None
    spend_values = row(point.spend)
    for c in cols:
        if spend[c] is None:
            spend_values[c] = None  # nothing bought or running that year
    one_year = book.constant("one_year")
    # the Total of the spending adds its years (an amount, not an amount a year)
    lines.append(
        _line(
            "spend",
            "Spending (capex in the year bought, then opex each year)",
            "USD/year",
            "the purchases' capex and running costs; the Total adds the years",
            {**spend, TOTAL: f"SUM({{spend@{cols[0]}}}:{{spend@{cols[-1]}}})*{one_year}"},
            {**spend_values, TOTAL: float(point.spend.sum())},
        )
    )
    lines[-1].total_unit = "USD"
    # the running totals, the ratio and the balance: written from the declaration (VERDICT)
    ureg = registry()
    refs = [
        {
            "cash": Ref("{cash}", ureg.Unit("USD/year")),
            **({"spend": Ref("{spend}", ureg.Unit("USD/year"))} if spend[c] else {}),
        }
        for c in cols
    ]
    forms = _carry(VERDICT, point.items, cols, refs)
    declared = {
        key: _formula_line(VERDICT, key, point.items, forms, refs, cols, book)
        for key in VERDICT.formulas
    }
    declared["ratio"].percent = False  # a multiple of the spending, not a share
    ratio = declared["ratio"]
    for t, c in enumerate(cols):
        if not point.cumulative_spend[t, 0] > 0:  # no spending so far at these values: no ratio
            ratio.formulas[c], ratio.values[c] = None, None
    # the coverage and the money needed from outside: the declared totals, in the Total
    # column of the lines they total
    for made in VERDICT.totals:
        _total_line(VERDICT, made, point.items, declared, cols, book)
    lines += declared.values()
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
        ["cash", "spend", "ratio", "balance"],
        notes,
        sampled=verdict.cash.shape[1] > 1,
        engine=point,
    )


# ---- uncertainty: a payer's sensitivity reruns the payer, so an exchange rate is ranked too


def _rerun(subject: PayerResult, output: str) -> tuple[Any, ...] | None:
    declared = subject.result.kind
    found = declared.total.get(output) or declared.total_of(output)
    if found is None or output not in (*subject.rows, *declared.total):
        return None
    label, unit = found.label, found.unit
    inputs = dict(subject.inputs)
    uncertain = {n: magnitudes(i.value) for n, i in inputs.items() if not is_point(i.value)}

    def model(values: Mapping[str, np.ndarray]) -> np.ndarray:
        used: dict[str, Any] = {}
        for name, inp in subject.inputs:
            if name in values:
                inp = replace(
                    inp, value=Quantity(np.asarray(values[name], dtype=float), inp.value.units)
                )
            key, _, year = name.partition(".")
            if key == "funding_rounds":
                used.setdefault(key, []).append({"year": int(year), "amount": inp})
            elif year:
                used.setdefault(key, {})[int(year)] = inp
            else:
                used[key] = inp
        value = point_payer(subject, used).result.total(found.key)
        assert value is not None, "an output known in every year has its total"
        return magnitudes(value, unit or None)

    units = {n: f"{inputs[n].value.units:~P}" for n in uncertain}
    return ("model", model, uncertain, label, unit, {n: n for n in uncertain}, units, "Total")


def _outputs(subject: PayerResult) -> list[str]:
    """What a payer's sensitivity can rank: its declared totals, each output's (its flows
    added up over the years) by the output's key."""
    totals = subject.result.kind.totals
    return [t.of or t.key for t in totals if t.of is None or t.of in subject.rows]


def _verdict_samples(subject: FundingVerdict) -> Found:
    cov = subject.coverage[np.isfinite(subject.coverage)]
    if cov.size > 1 and np.ptp(cov) > 0:
        return [("coverage", "Coverage (cash / spending at the worst year)", "", cov)]
    return []


_PAYER = Uncertainty(lambda s: headline_samples(s.result), _outputs, _rerun)

# registered: report.kinds.BLOCKS and report.uncertainty.UNCERTAINTY gather these
BLOCKS = {"fund": payer_block, "company": payer_block, "funding_verdict": funding_blocks}
UNCERTAINTY = {
    "fund": _PAYER,
    "company": _PAYER,
    "funding_verdict": Uncertainty(
        _verdict_samples, lambda s: _outputs(s.payer), lambda s, o: _rerun(s.payer, o)
    ),
}
