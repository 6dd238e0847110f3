"""Payers: the cash a fund or a company could have put into compute, year by year.

    >>> from flopbook.models.funding import Fund
    >>> fund = Fund(first_year=2017, last_year=2024, aum_start="7B USD", returns="13%",
    ...             management_fee="1%", performance_fee="20%", reinvest_share="70%")
    >>> fund.run().total("cash_available")       # USD over the eight years

A **fund** earns a management fee on its assets and a performance fee on gains above its
high-water mark; a share of that fee income is what it can reinvest. A **company** has revenue,
an operating cash flow and a capex budget; outside funding rounds are explicit inputs.

Yearly inputs may be one value for every year (``"13%"``, or a range ``"8% to 18%"``, which is
one draw shared by all years), a list with one value per year, or a mapping ``{2017: 28%, …}``.
Money may be written in CNY when the payer gives an ``fx_rate``: flopbook never converts
currencies on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from flopbook.errors import InputError
from flopbook.formula.declaration import Constant, Formula, Kind, Total, extensive, step, total
from flopbook.formula.result import ItemOutputs, Result
from flopbook.formula.series import in_order
from flopbook.frames import by_year_frame
from flopbook.inputs import FieldSpec, Given, Input, Yearly, read_input
from flopbook.quantity import Quantity, registry, summarize

if TYPE_CHECKING:
    import pint

    from flopbook.quantity import Summary

__all__ = [
    "COMPANY",
    "COMPANY_FIELDS",
    "FUND",
    "FUND_FIELDS",
    "PAYER_ROWS",
    "Company",
    "Fund",
    "FundingRound",
    "PayerResult",
    "Row",
    "read_fx_rate",
    "to_usd",
]

FIRST_POSSIBLE_YEAR, LAST_POSSIBLE_YEAR = 1900, 2100

_MONEY = ("USD", "CNY")
_MONEY_PER_YEAR = ("USD/year", "CNY/year", "USD", "CNY")

COMMON_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in [
        FieldSpec(
            "fx_rate",
            "Exchange rate",
            ("CNY/USD", "USD/CNY"),
            "7.1 CNY/USD",
            "needed wherever a money value is written in CNY; give its source",
            low=0,
            low_inclusive=False,
        ),
    ]
}

FUND_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in [
        FieldSpec(
            "aum_start",
            "AUM at the start",
            _MONEY,
            "7B USD",
            "assets under management at the start of the first year",
            low=0,
        ),
        FieldSpec(
            "aum",
            "AUM by year",
            _MONEY,
            "7B USD",
            "assets at the start of each year, instead of aum_start and flows",
            low=0,
        ),
        FieldSpec(
            "flows",
            "Net flows",
            _MONEY,
            "-500M USD",
            "money in (+) or out (-) at the start of each year, the first year's included",
        ),
        FieldSpec(
            "returns",
            "Gross return",
            ("",),
            "13%",
            "the year's investment return before fees",
            low=-1,
            high=10,
        ),
        FieldSpec(
            "management_fee",
            "Management fee",
            ("",),
            "1%",
            "yearly fee as a share of assets at the start of the year",
            low=0,
            high=1,
        ),
        FieldSpec(
            "performance_fee",
            "Performance fee",
            ("",),
            "20%",
            "share of gains above the high-water mark, after the management fee",
            low=0,
            high=1,
        ),
        FieldSpec(
            "operating_costs",
            "Operating costs",
            ("", *_MONEY_PER_YEAR),
            "30%",
            "the fund's own running costs: a share of fee income, or an amount per year",
            low=0,
            high=1,
        ),
        FieldSpec(
            "reinvest_share",
            "Share of fee income reinvestable",
            ("",),
            "70%",
            "the share of fee income that may go to R&D and capex",
            low=0,
            high=1,
        ),
    ]
}

COMPANY_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in [
        FieldSpec(
            "revenue", "Revenue", _MONEY_PER_YEAR, "13.2B USD/year", "revenue of each year", low=0
        ),
        FieldSpec(
            "operating_margin",
            "Operating margin",
            ("",),
            "25%",
            "operating cash flow as a share of revenue",
            low=-10,
            high=1,
        ),
        FieldSpec(
            "operating_cash_flow",
            "Operating cash flow",
            _MONEY_PER_YEAR,
            "3B USD/year",
            "cash from operations in each year (instead of a margin)",
        ),
        FieldSpec(
            "capex_share",
            "Capex budget (share of revenue)",
            ("",),
            "15%",
            "the share of revenue the company budgets for capex",
            low=0,
            high=1,
        ),
        FieldSpec(
            "amount",
            "Funding round",
            _MONEY,
            "500M USD",
            "money raised from outside in that year",
            low=0,
        ),
    ]
}


# ---- reading inputs --------------------------------------------------------------------


def _fail(message: str, field: str, hint: str | None = None) -> InputError:
    return InputError(message, field=field, hint=hint)


def check_years(first_year: Any, last_year: Any) -> list[int]:
    """The payer's years, first to last; out-of-order or odd years are an InputError."""
    for name, y in (("first_year", first_year), ("last_year", last_year)):
        if isinstance(y, bool) or not isinstance(y, int | np.integer):
            raise _fail(f"expected a year such as 2017, got {y!r}", name)
        if not FIRST_POSSIBLE_YEAR <= int(y) <= LAST_POSSIBLE_YEAR:
            raise _fail(
                f"{y} is not a plausible year",
                name,
                f"write a year between {FIRST_POSSIBLE_YEAR} and {LAST_POSSIBLE_YEAR}",
            )
    if last_year < first_year:
        raise _fail(
            f"years out of order: last_year {last_year} is before first_year {first_year}",
            "last_year",
            "write the earlier year as first_year",
        )
    return list(range(int(first_year), int(last_year) + 1))


def _is_input_mapping(raw: Any) -> bool:
    return isinstance(raw, Mapping) and not any(isinstance(k, int) for k in raw)


def by_year(spec: FieldSpec, raw: Any, years: Sequence[int]) -> list[Input]:
    """One :class:`Input` per year from a single value, a list, or a mapping by year."""
    name = spec.name
    if isinstance(raw, Mapping) and not _is_input_mapping(raw):
        keys = list(raw)
        bad = [k for k in keys if isinstance(k, bool) or not isinstance(k, int)]
        if bad:
            raise _fail(
                f"expected years as keys, got {bad[0]!r}", name, "write e.g. {2017: 28%, 2018: 30%}"
            )
        for a, b in zip(keys, keys[1:], strict=False):
            if b <= a:
                raise _fail(
                    f"years out of order: {b} comes after {a}",
                    f"{name}.{b}",
                    "list the years from the earliest",
                )
        outside = [k for k in keys if k not in years]
        if outside:
            raise _fail(
                f"{outside[0]} is outside the payer's years {years[0]}–{years[-1]}",
                f"{name}.{outside[0]}",
                "change first_year/last_year or drop it",
            )
        missing = [y for y in years if y not in raw]
        if missing:
            raise _fail(
                f"no value for {missing[0]}",
                name,
                f"give every year from {years[0]} to {years[-1]}, or one value",
            )
        return [_read(spec, raw[y], f"{name}.{y}") for y in years]
    if isinstance(raw, list | tuple):
        if len(raw) != len(years):
            raise _fail(
                f"has {len(raw)} values for {len(years)} years ({years[0]}–{years[-1]})",
                name,
                "give one value per year, or one value for all years",
            )
        return [_read(spec, v, f"{name}[{i}]") for i, v in enumerate(raw)]
    one = _read(spec, raw, name)
    return [one] * len(years)


def _read(spec: FieldSpec, raw: Any, where: str) -> Input:
    try:
        return read_input(spec, raw, key=where)
    except InputError as exc:
        raise InputError(exc.message, field=where, hint=exc.hint) from None


# CNY per USD has stayed between about 1.5 (1980) and 8.6 (1994) since 1980: People's Bank of
# China official yearly averages (as listed in Wikipedia, "List of renminbi exchange rates",
# read 2025); 7.2 in 2024. A rate outside 1-20 is a rate written upside down or mistyped.
FX_PLAUSIBLE_CNY_PER_USD = (1.0, 20.0)


def read_fx_rate(raw: Any, where: str = "fx_rate") -> Input:
    """An exchange rate such as ``"6.45 CNY/USD"``, or the same rate the other way round,
    ``"0.155 USD/CNY"`` (or ``{value, source, note}``). The value is returned in CNY/USD
    whichever way it was written; a rate outside 1-20 CNY per USD is refused as upside down
    or mistyped."""
    inp = _read(COMMON_FIELDS["fx_rate"], raw, where)
    rate = inp.value
    # pint does not turn USD/CNY into CNY/USD (the reciprocal unit): do it by dimension
    if rate.check("[currency] / [currency_cny]"):
        rate = (1 / rate).to("CNY/USD")
    m = np.asarray(rate.magnitude, dtype=float)
    lo, hi = FX_PLAUSIBLE_CNY_PER_USD
    low, high = (float(m[0]),) * 2 if m.size == 1 else np.percentile(m, [5, 95])
    if low < lo or high > hi:
        typical = float(np.median(m))
        written = inp.raw if isinstance(inp.raw, str | int | float) else typical
        flipped = 1 / typical if typical > 0 else 0.0
        hint = (
            f"did you mean {flipped:.3g} CNY/USD?"
            if lo <= flipped <= hi
            else 'write CNY per USD, e.g. "7.1 CNY/USD"'
        )
        what = f"{written} is" if rate is inp.value else f"{written} is {typical:.3g} CNY per USD,"
        raise _fail(f"{what} outside {lo:g}–{hi:g} CNY per USD (the range since 1980)", where, hint)
    return replace(inp, value=rate)


def to_usd(value: pint.Quantity[Any], fx: Input | None, field: str) -> np.ndarray:
    """Magnitudes in USD (per year where the value is per year): CNY needs an ``fx_rate``
    (read by :func:`read_fx_rate`, so in CNY/USD)."""
    ureg = registry()
    per_year = value.check("[currency] / [time]") or value.check("[currency_cny] / [time]")
    amount = value * ureg.year if per_year else value
    if amount.check("[currency_cny]"):
        if fx is None:
            raise _fail(
                "is in CNY but no fx_rate is given",
                field,
                'add e.g. fx_rate: {value: "7.1 CNY/USD", source: "…"}',
            )
        rate = fx.value
        if rate.check("[currency] / [currency_cny]"):  # an Input not made by read_fx_rate
            rate = 1 / rate
        # CNY / (CNY/USD) is USD: pint checks the dimensions, a wrong rate cannot pass
        amount = amount / rate
    return np.asarray(amount.to("USD").magnitude, dtype=float)


def _usd(inp: Input, fx: Input | None, field: str, *, nonnegative: bool = False) -> np.ndarray:
    m = to_usd(inp.value, fx, field)
    if nonnegative and np.any(m < 0):
        raise _fail(f"must not be negative, got {inp.raw!r}", field)
    return m


def _share(inp: Input) -> np.ndarray:
    return np.asarray(inp.value.to("").magnitude, dtype=float)


# ---- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One row of a payer's yearly table."""

    key: str
    label: str
    unit: str  # "USD/year" for amounts in a year, "USD" for a stock, "" for a share
    kind: Literal["flow", "stock", "share"]  # flows add over years; the others never do
    doc: str


def _carried(name: str, label: str, unit: str) -> FieldSpec:
    """A value a year takes from the year before (not written in payer files)."""
    return FieldSpec(name, label, (unit,), f"1 {unit}".strip(), f"{label}: the year before's")


# A share charged each year (a fee on assets) is a share "per one year": written so, the
# workbook's formulas say their period, as its units check asks.
ONE_YEAR = Constant(
    "one_year",
    1.0,
    "year",
    "One year: a yearly amount (or share) times one year is the amount of that year",
    "definition: a fee is charged as a share of assets each year",
)


def _years_added(outputs: tuple[Formula, ...]) -> tuple[Total, ...]:
    """A payer's amounts per year add up over its years (a yearly amount times one year);
    its stocks and shares do not (the kind does not sum them)."""
    return tuple(
        total(
            f"{o.key}_total",
            f"{o.label}, all years",
            "USD",
            f"sum_of({o.key}) * one_year",
            "each year's amount (a yearly amount times one year), added up",
            of=o.key,
        )
        for o in outputs
        if o.unit == "USD/year"
    )


# A fund's year, written once (flopbook.formula): the engine evaluates it over samples year by
# year, the workbook writes it as one column per year. Shares and returns are plain numbers
# for the year.
_FUND_OUTPUTS = (
    extensive(
        "aum",
        "AUM (start of year)",
        "USD",
        {
            "aum given": "aum",
            # last year's closing assets plus this year's flows; redemptions cannot take
            # out more than the fund holds
            "aum_prev given": "maximum(aum_prev * net_growth_prev + flows, 0)",
            "otherwise": "maximum(aum_start + flows, 0)",
        },
        "given by year, or last year's closing assets plus this year's flows",
    ),
    extensive("gross_return", "Gross return", "", "returns", "the year's return before fees"),
    extensive(
        "net_return",
        "Net return",
        "",
        "net_growth - 1",
        "gross return less management and performance fees",
    ),
    extensive(
        "management_fees",
        "Management fees",
        "USD/year",
        "management_fee * aum / one_year",
        "management fee x AUM at the start of the year",
    ),
    extensive(
        "performance_fees",
        "Performance fees",
        "USD/year",
        "performance_share * aum",
        "performance fee x gains above the high-water mark (after the management fee)",
    ),
    extensive(
        "revenue",
        "Revenue",
        "USD/year",
        "management_fees + performance_fees",
        "the fund's fee income: management + performance fees",
    ),
    extensive(
        "operating_costs",
        "Operating costs",
        "USD/year",
        {
            "operating_costs is share": "operating_costs * revenue",
            "otherwise": "operating_costs",
        },
        "the fund's own running costs",
    ),
    extensive(
        "cash_available",
        "Cash available",
        "USD/year",
        "maximum(minimum(reinvest_share * revenue, revenue - operating_costs), 0)",
        "min(reinvest share x fee income, fee income - operating costs), never below 0",
    ),
)

FUND = Kind(
    name="fund",
    label="Fund",
    doc="A fund's fee income year by year, and the cash it could reinvest.",
    item_inputs={
        **FUND_FIELDS,
        "aum_prev": _carried("aum_prev", "AUM at the start of last year", "USD"),
        "net_growth_prev": _carried("net_growth_prev", "Net growth last year", ""),
        "nav_prev": _carried("nav_prev", "NAV at the end of last year", ""),
        "hwm_prev": _carried("hwm_prev", "High-water mark at the end of last year", ""),
    },
    shared_inputs={},
    carried={
        "aum_prev": "aum",
        "net_growth_prev": "net_growth",
        "nav_prev": "nav",
        "hwm_prev": "hwm",
    },
    headlines=("cash_available",),
    constants=(ONE_YEAR,),
    outputs=_FUND_OUTPUTS,
    steps=(
        step("growth", "", "1 + returns - management_fee", "growth per unit before the fee"),
        # the gain per unit above the high-water mark (its ratio to the value per unit), after
        # the management fee; none once the fund has lost everything (no value per unit)
        step(
            "performance_share",
            "1/year",
            {
                "nav_prev missing": "performance_fee * maximum(growth - 1, 0) / one_year",
                "otherwise": "if_positive(nav_prev, "
                "performance_fee * maximum(growth - hwm_prev / nav_prev, 0), 0) / one_year",
            },
            "performance fee x gain per unit above the high-water mark, after the management fee",
            label="Performance fee (share of assets)",
        ),
        step(
            "net_growth",
            "",
            "maximum(growth - performance_share * one_year, 0)",
            "growth before the performance fee, less that fee; never below 0",
            label="Net growth per unit (1 + net return)",
        ),
        step(
            "nav",
            "",
            {"nav_prev given": "nav_prev * net_growth", "otherwise": "net_growth"},
            "last year's NAV x net growth; 1 at the start",
            label="Value per unit (NAV), end of year",
        ),
        step(
            "hwm",
            "",
            {"hwm_prev given": "maximum(hwm_prev, nav)", "otherwise": "maximum(1, nav)"},
            "the highest NAV so far (1 at the start)",
            label="High-water mark, end of year",
        ),
    ),
    sums=False,
    totals=(
        *_years_added(_FUND_OUTPUTS),
        total(
            "annualised_net_return",
            "Net return to investors, a year (compound)",
            "",
            "product_of(net_growth) ** (1 / count_of(net_growth)) - 1",
            "the years' net growth multiplied together, to the power 1 / years, less 1",
        ),
    ),
    command="fund",
)

_OWN_CASH = "minimum(capex_budget, maximum(operating_cash_flow, 0))"

# A company's year, written once: its own cash is the capex budget, capped by its operating
# cash flow when that is known; funding rounds add in the year they were raised.
_COMPANY_OUTPUTS = (
    extensive("revenue", "Revenue", "USD/year", "revenue", "the company's revenue"),
    extensive(
        "operating_cash_flow",
        "Operating cash flow",
        "USD/year",
        {
            "operating_cash_flow given": "operating_cash_flow",
            "operating_margin given": "operating_margin * revenue",
        },
        "operating margin x revenue, or as given",
    ),
    extensive(
        "capex_budget",
        "Capex budget",
        "USD/year",
        {"capex_share given": "capex_share * revenue"},
        "capex share x revenue",
    ),
    extensive(
        "funding_rounds",
        "Funding rounds",
        "USD/year",
        "funding_rounds",
        "money raised from outside, as given",
    ),
    extensive(
        "cash_available",
        "Cash available",
        "USD/year",
        "own_cash + funding_rounds",
        "the capex budget (at most the operating cash flow) plus funding rounds",
    ),
)

COMPANY = Kind(
    name="company",
    label="Company",
    doc="A company's revenue, cash flow and capex budget year by year, plus funding rounds.",
    item_inputs={
        **{k: v for k, v in COMPANY_FIELDS.items() if k != "amount"},
        "funding_rounds": FieldSpec(
            "funding_rounds",
            "Funding rounds",
            ("USD/year",),
            "500M USD/year",
            "the year's funding rounds added up (0: none that year)",
            low=0,
        ),
    },
    shared_inputs={},
    headlines=("cash_available",),
    outputs=_COMPANY_OUTPUTS,
    constants=(ONE_YEAR,),
    sums=False,
    totals=_years_added(_COMPANY_OUTPUTS),
    steps=(
        step(
            "own_cash",
            "USD/year",
            {
                "capex_share missing": "maximum(operating_cash_flow, 0)",
                "operating_cash_flow given": _OWN_CASH,
                "operating_margin given": _OWN_CASH,
                "otherwise": "capex_budget",
            },
            "the capex budget, at most the operating cash flow; without a budget, the cash flow",
        ),
    ),
    command="fund",
)

KINDS = (FUND, COMPANY)  # registered: models.registry.KINDS gathers every module's
DOC_PAGES = {"fund": ("funding.md", None), "company": ("funding.md", None)}


def _row_kind(unit: str) -> Literal["flow", "stock", "share"]:
    return "flow" if unit == "USD/year" else "stock" if unit == "USD" else "share"


def _payer_rows() -> dict[str, Row]:
    """Each row of either payer, from the declarations (a row both have says both docs)."""
    rows: dict[str, Row] = {}
    for kind in (FUND, COMPANY):
        for o in kind.outputs:
            doc = f"{kind.name}: {o.doc}"
            if o.key in rows:
                doc = f"{rows[o.key].doc}; {doc}"
            rows[o.key] = Row(o.key, o.label, o.unit, _row_kind(o.unit), doc)
    return rows


PAYER_ROWS: dict[str, Row] = _payer_rows()


@dataclass
class PayerResult:
    """A payer's yearly figures, a view of its declaration's :class:`Result` (one column a
    year): each row is one quantity (samples) per year, each flow's total the declared one."""

    name: str
    kind: Literal["fund", "company"]
    years: list[int]
    result: Result
    inputs: list[tuple[str, Input]] = field(default_factory=list)
    fx_rate: Input | None = None

    @cached_property
    def rows(self) -> dict[str, list[pint.Quantity[Any]]]:
        """Each output known in every year, year by year (a company without a margin or a
        cash flow has no operating cash flow row)."""
        rows: dict[str, list[pint.Quantity[Any]]] = {}
        for key in self.result.kind.output:
            values = [self.result.values[key][c] for c in self.result.columns]
            known = [v for v in values if v is not None]
            if len(known) == len(values):
                rows[key] = known
        return rows

    @property
    def items(self) -> list[ItemOutputs]:
        """The declaration evaluated year by year."""
        return [self.result._extensive[c] for c in self.result.columns]  # type: ignore[misc]

    def row(self, key: str) -> list[pint.Quantity[Any]]:
        if key not in self.rows:
            raise InputError(
                f"the {self.kind} has no row {key!r}", hint="rows: " + ", ".join(self.rows)
            )
        return self.rows[key]

    def at(self, key: str, year: int) -> pint.Quantity[Any]:
        if year not in self.years:
            raise InputError(
                f"{year} is outside the payer's years {self.years[0]}–{self.years[-1]}"
            )
        return self.row(key)[self.years.index(year)]

    def usd(self, key: str) -> np.ndarray:
        """A flow row as an array (years x samples) of USD in each year."""
        values = [np.asarray(v.to("USD/year").magnitude, dtype=float) for v in self.row(key)]
        return np.array(np.broadcast_arrays(*values))

    def cumulative(self, key: str) -> list[pint.Quantity[Any]]:
        """Running total of a flow row, in USD, to the end of each year."""
        if PAYER_ROWS[key].kind != "flow":
            raise InputError(
                f"{PAYER_ROWS[key].label} does not add up over years",
                hint="only amounts per year have a cumulative total",
            )
        running = np.cumsum(self.usd(key), axis=0)
        return [Quantity(r, "USD") for r in running]

    def total(self, key: str) -> pint.Quantity[Any]:
        """A flow's years added up (USD): its declared total."""
        if self.result.kind.total_of(key) is None or key not in self.rows:
            self.cumulative(key)  # says why: not a flow, or no such row
        value = self.result.get(key)
        assert value is not None, "a row known in every year has its total"
        return value

    def summary(self, key: str, year: int | None = None) -> Summary:
        """Mean and percentiles of a row in one year, or of its total over all years."""
        row = PAYER_ROWS[key]
        if year is None:
            return summarize(self.total(key), "USD")
        return summarize(self.at(key, year), row.unit or None)

    def to_dataframe(self, stat: str = "value") -> Any:
        """Lines by year as a pandas DataFrame, units in the row labels (``stat``: value —
        the mean —, p5, p50 or p95)."""

        return by_year_frame(self.to_dict()["rows"], stat)

    def _repr_html_(self) -> str:
        return str(self.to_dataframe()._repr_html_())

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: each row by year (value + unit, percentiles if sampled)."""
        rows = []
        for key in self.rows:
            r = PAYER_ROWS[key]
            rows.append(
                {
                    "row": key,
                    "label": r.label,
                    "unit": r.unit,
                    "kind": r.kind,
                    "by_year": {str(y): self.summary(key, y).as_dict() for y in self.years},
                    "total": self.summary(key).as_dict() if r.kind == "flow" else None,
                }
            )
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "years": self.years,
            "rows": rows,
        }
        if self.kind == "fund":
            out["annualised_net_return"] = summarize(self.annualised_net_return()).as_dict()
        out["inputs"] = [
            {
                "name": n,
                **summarize(i.value).as_dict(),
                "raw": _plain(i.raw),
                "source": i.source,
                "note": i.note,
            }
            for n, i in self.inputs
        ]
        return out

    def annualised_net_return(self) -> pint.Quantity[Any]:
        """The investors' compound yearly return over all the years (funds only)."""
        if self.kind != "fund":
            raise InputError("a company has no net return", hint="only funds have one")
        value = self.result.total("annualised_net_return")
        assert value is not None, "every year of a fund has its net growth"
        return value


# ---- the fund --------------------------------------------------------------------------


class Fund:
    """An investment fund whose fee income pays for compute.

    Fees, each year: the management fee on assets at the start of the year; the performance
    fee on the gain per unit above the high-water mark (the highest net value per unit so far),
    after the management fee — so a year that only recovers earlier losses earns none.
    Cash available is ``min(reinvest_share x fee income, fee income - operating costs)``, never
    below zero: the reinvestable share, and never money the fund needs to run itself.
    """

    kind = "fund"

    def __init__(
        self,
        *,
        first_year: int,
        last_year: int,
        returns: Yearly,
        management_fee: Yearly,
        performance_fee: Yearly = 0,
        aum_start: Given | None = None,
        aum: Yearly | None = None,
        flows: Yearly | None = None,
        operating_costs: Yearly = 0,
        reinvest_share: Yearly = 1,
        fx_rate: Given | None = None,
        name: str = "",
    ) -> None:
        self.name = name
        self.years = check_years(first_year, last_year)
        f = FUND_FIELDS
        self.fx_rate = None if fx_rate is None else read_fx_rate(fx_rate)
        if aum is not None and aum_start is not None:
            raise _fail(
                "give aum_start (with flows) or aum by year, not both", "aum", "drop one of them"
            )
        if aum is None and aum_start is None:
            raise _fail(
                "missing the fund's assets",
                "aum_start",
                'write e.g. aum_start: "7B USD", or aum: {2017: 1B USD, …}',
            )
        if aum is not None and flows is not None:
            raise _fail(
                "flows go with aum_start; aum by year already includes them",
                "flows",
                "drop flows, or give aum_start instead of aum",
            )
        self.inputs: dict[str, list[Input]] = {}
        if aum is not None:
            self.inputs["aum"] = by_year(f["aum"], aum, self.years)
        else:
            self.inputs["aum_start"] = [_read(f["aum_start"], aum_start, "aum_start")]
            self.inputs["flows"] = by_year(
                f["flows"], "0 USD" if flows is None else flows, self.years
            )
        for key, raw in (
            ("returns", returns),
            ("management_fee", management_fee),
            ("performance_fee", performance_fee),
            ("operating_costs", operating_costs),
            ("reinvest_share", reinvest_share),
        ):
            self.inputs[key] = by_year(f[key], raw, self.years)
        # convert once, so that a CNY value without an fx_rate fails here, not in run()
        self._aum = self._money_list("aum", nonnegative=True) if aum is not None else None
        self._start = (
            None if aum is not None else self._money_list("aum_start", nonnegative=True)[0]
        )
        self._flows = None if aum is not None else self._money_list("flows")

    def _money_list(self, key: str, *, nonnegative: bool = False) -> list[np.ndarray]:
        inputs = self.inputs[key]
        where = (
            [key] if len(inputs) == 1 and key == "aum_start" else [f"{key}.{y}" for y in self.years]
        )
        return [
            _usd(i, self.fx_rate, w, nonnegative=nonnegative)
            for i, w in zip(inputs, where, strict=True)
        ]

    def years_inputs(self) -> list[dict[str, pint.Quantity[Any]]]:
        """Each year's inputs to :data:`FUND`, money in USD."""
        out: list[dict[str, pint.Quantity[Any]]] = []
        for t, year in enumerate(self.years):
            values: dict[str, pint.Quantity[Any]] = {}
            if self._aum is not None:
                values["aum"] = Quantity(self._aum[t], "USD")
            else:
                assert self._flows is not None and self._start is not None
                values["flows"] = Quantity(self._flows[t], "USD")
                if t == 0:
                    values["aum_start"] = Quantity(self._start, "USD")
            for key in ("returns", "management_fee", "performance_fee", "reinvest_share"):
                values[key] = Quantity(_share(self.inputs[key][t]), "")
            costs = self.inputs["operating_costs"][t]
            values["operating_costs"] = (
                Quantity(_share(costs), "")
                if costs.is_share()
                else Quantity(
                    _usd(costs, self.fx_rate, f"operating_costs.{year}", nonnegative=True),
                    "USD/year",
                )
            )
            out.append(values)
        return out

    def run(self) -> PayerResult:
        items = in_order(FUND, self.years_inputs())
        columns = [str(y) for y in self.years]
        result = Result(FUND, columns, dict(zip(columns, items, strict=True)), name=self.name)
        return PayerResult(
            self.name,
            "fund",
            list(self.years),
            result,
            inputs=self._input_rows(),
            fx_rate=self.fx_rate,
        )

    def _input_rows(self) -> list[tuple[str, Input]]:
        return _payer_input_rows(self.fx_rate, self.inputs, self.years)


def _plain(raw: Any) -> Any:
    return raw if isinstance(raw, str | int | float) or raw is None else str(raw)


def _payer_input_rows(
    fx_rate: Input | None, inputs: dict[str, Any], years: Any
) -> list[tuple[str, Input]]:
    """A payer's inputs as (place, Input) rows: the exchange rate, then each input once per
    distinct value over the years."""
    out: list[tuple[str, Input]] = []
    if fx_rate is not None:
        out.append(("fx_rate", fx_rate))
    for key, values in inputs.items():
        out.extend(_distinct(key, values, years))
    return out


def _distinct(key: str, values: list[Input], years: list[int]) -> list[tuple[str, Input]]:
    """One row for an input given once; one per year for an input given year by year."""
    if len(values) == 1 or all(v is values[0] for v in values):
        return [(key, values[0])]
    return [(f"{key}.{y}", v) for y, v in zip(years, values, strict=True)]


# ---- the company -----------------------------------------------------------------------


@dataclass(frozen=True)
class FundingRound:
    """Outside money raised in one year (equity, debt, a parent's transfer)."""

    year: int
    amount: Input
    label: str = ""


class Company:
    """A company that pays for compute from its operations, plus any funding rounds.

    Its own cash each year is the capex budget (``capex_share x revenue``), but never more
    than its operating cash flow when that is known; with no capex share, the whole operating
    cash flow. Funding rounds are added in the year they were raised.
    """

    kind = "company"

    def __init__(
        self,
        *,
        first_year: int,
        last_year: int,
        revenue: Yearly,
        operating_margin: Yearly | None = None,
        operating_cash_flow: Yearly | None = None,
        capex_share: Yearly | None = None,
        funding_rounds: Sequence[Mapping[str, Any] | FundingRound] = (),
        fx_rate: Given | None = None,
        name: str = "",
    ) -> None:
        self.name = name
        self.years = check_years(first_year, last_year)
        f = COMPANY_FIELDS
        self.fx_rate = None if fx_rate is None else read_fx_rate(fx_rate)
        if operating_margin is not None and operating_cash_flow is not None:
            raise _fail(
                "give operating_margin or operating_cash_flow, not both", "operating_cash_flow"
            )
        if operating_margin is None and operating_cash_flow is None and capex_share is None:
            raise _fail(
                "needs operating_margin, operating_cash_flow or capex_share",
                "capex_share",
                'add e.g. capex_share: "15%"',
            )
        self.inputs: dict[str, list[Input]] = {
            "revenue": by_year(f["revenue"], revenue, self.years)
        }
        for key, raw in (
            ("operating_margin", operating_margin),
            ("operating_cash_flow", operating_cash_flow),
            ("capex_share", capex_share),
        ):
            if raw is not None:
                self.inputs[key] = by_year(f[key], raw, self.years)
        self.rounds: list[FundingRound] = []
        for i, r in enumerate(funding_rounds):
            self.rounds.append(r if isinstance(r, FundingRound) else self._round(i, r))
        self._revenue = [
            _usd(v, self.fx_rate, f"revenue.{y}", nonnegative=True)
            for v, y in zip(self.inputs["revenue"], self.years, strict=True)
        ]
        self._ocf = None
        if "operating_cash_flow" in self.inputs:
            self._ocf = [
                _usd(v, self.fx_rate, f"operating_cash_flow.{y}")
                for v, y in zip(self.inputs["operating_cash_flow"], self.years, strict=True)
            ]
        self._rounds = [
            (r.year, _usd(r.amount, self.fx_rate, f"funding_rounds[{i}].amount", nonnegative=True))
            for i, r in enumerate(self.rounds)
        ]

    def _round(self, i: int, raw: Mapping[str, Any]) -> FundingRound:
        where = f"funding_rounds[{i}]"
        if not isinstance(raw, Mapping) or "year" not in raw or "amount" not in raw:
            raise _fail(
                "a funding round needs year and amount",
                where,
                'write e.g. {year: 2024, amount: "500M USD", source: "…"}',
            )
        year = raw["year"]
        if isinstance(year, bool) or not isinstance(year, int) or year not in self.years:
            raise _fail(
                f"year {year!r} is outside the payer's years {self.years[0]}–{self.years[-1]}",
                f"{where}.year",
            )
        amount: Any = raw["amount"]
        if "source" in raw or "note" in raw:
            amount = {"value": amount, **{k: raw[k] for k in ("source", "note") if k in raw}}
        return FundingRound(
            year,
            _read(COMPANY_FIELDS["amount"], amount, f"{where}.amount"),
            str(raw.get("label") or ""),
        )

    def years_inputs(self) -> list[dict[str, pint.Quantity[Any]]]:
        """Each year's inputs to :data:`COMPANY`, money in USD (a year's rounds added up,
        none where no round was raised)."""
        out: list[dict[str, pint.Quantity[Any]]] = []
        for t, year in enumerate(self.years):
            values = {"revenue": Quantity(self._revenue[t], "USD/year")}
            if self._ocf is not None:
                values["operating_cash_flow"] = Quantity(self._ocf[t], "USD/year")
            for key in ("operating_margin", "capex_share"):
                if key in self.inputs:
                    values[key] = Quantity(_share(self.inputs[key][t]), "")
            raised = sum((a for y, a in self._rounds if y == year), start=np.zeros(1))
            values["funding_rounds"] = Quantity(raised, "USD/year")
            out.append(values)
        return out

    def run(self) -> PayerResult:
        items = in_order(COMPANY, self.years_inputs())
        columns = [str(y) for y in self.years]
        result = Result(COMPANY, columns, dict(zip(columns, items, strict=True)), name=self.name)
        return PayerResult(
            self.name,
            "company",
            list(self.years),
            result,
            inputs=self._input_rows(),
            fx_rate=self.fx_rate,
        )

    def _input_rows(self) -> list[tuple[str, Input]]:
        out = _payer_input_rows(self.fx_rate, self.inputs, self.years)
        out.extend((f"funding_rounds.{r.year}", r.amount) for r in self.rounds)
        return out
