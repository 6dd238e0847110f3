"""Could the payer have paid? Spending on a fleet against the payer's cash, year by year.

    >>> from flopbook.models.funding_verdict import Spending, judge
    >>> verdict = judge(fund.run(), [Spending.from_capex("1.6B USD", 2023)])
    >>> verdict.words, verdict.band_probabilities

Spending is capex in the year of purchase plus the fleet's running costs (opex) in every year
after, to the payer's last year. The **coverage** is the payer's cumulative cash available
divided by the cumulative spending, at the worst year (the lowest ratio over the years with any
spending): timing counts, a fleet bought before the money came in is not covered by it. The
bands that turn coverage into words are data (``funding_thresholds.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from flopbook import safe_yaml
from flopbook.errors import InputError
from flopbook.formula.declaration import Kind, extensive, total
from flopbook.formula.result import Result
from flopbook.formula.series import in_order
from flopbook.formula.totals import totals
from flopbook.frames import records_frame
from flopbook.inputs import FieldSpec, Input, read_input
from flopbook.models.comparables import Basis, Placement, place
from flopbook.models.funding import ONE_YEAR, PayerResult, to_usd
from flopbook.numbers import value as shown
from flopbook.quantity import Quantity, summarize
from flopbook.safe_text import shorten

if TYPE_CHECKING:
    import pint

    from flopbook.formula.result import ItemOutputs
    from flopbook.models.fleet import FleetResult
    from flopbook.quantity import Summary

__all__ = [
    "Band",
    "CapexRatio",
    "FundingVerdict",
    "Spending",
    "Thresholds",
    "VERDICT",
    "judge",
    "judge_funding",
    "thresholds",
]

CAPEX = FieldSpec(
    "capex",
    "Capex",
    ("USD", "CNY"),
    "1.6B USD",
    "money spent on the fleet in the year it was bought",
    bare_unit="USD",
    low=0,
)


# ---- the years, declared once -----------------------------------------------------------

_AMOUNT = ("USD/year",)

# Cash against spending year by year, written once (flopbook.formula): the engine evaluates it
# over the samples, the verdict's workbook table writes the same formulas, a column a year.
# A year with nothing bought or running has no spending; before the first, no cumulative
# spending and no ratio (the coverage is the lowest ratio over the years that have one).
VERDICT = Kind(
    name="funding_verdict",
    label="Funding verdict",
    doc="The payer's cumulative cash against cumulative spending, year by year.",
    item_inputs={
        "cash": FieldSpec("cash", "Cash available", _AMOUNT, "1B USD/year", "the payer's"),
        "spend": FieldSpec(
            "spend", "Spending", _AMOUNT, "1B USD/year", "capex in the year bought, then opex"
        ),
        "cumulative_cash_prev": FieldSpec(
            "cumulative_cash_prev", "Cumulative cash last year", ("USD",), "1 USD", "carried"
        ),
        "cumulative_spend_prev": FieldSpec(
            "cumulative_spend_prev", "Cumulative spending last year", ("USD",), "1 USD", "carried"
        ),
    },
    shared_inputs={},
    carried={
        "cumulative_cash_prev": "cumulative_cash",
        "cumulative_spend_prev": "cumulative_spend",
    },
    constants=(ONE_YEAR,),
    sums=False,  # running totals and ratios do not add up over the years
    outputs=(
        extensive(
            "cumulative_cash",
            "Cumulative cash",
            "USD",
            {
                "cumulative_cash_prev given": "cumulative_cash_prev + cash * one_year",
                "otherwise": "cash * one_year",
            },
            "running total of cash",
        ),
        extensive(
            "cumulative_spend",
            "Cumulative spending",
            "USD",
            {
                "spend missing": "cumulative_spend_prev",
                "cumulative_spend_prev given": "cumulative_spend_prev + spend * one_year",
                "otherwise": "spend * one_year",
            },
            "running total of spending",
        ),
        extensive(
            "ratio",
            "Cumulative cash / cumulative spending",
            "",
            "cumulative_cash / cumulative_spend",
            "how many times the money so far covers the spending so far",
        ),
        extensive(
            "balance",
            "Cumulative cash less cumulative spending",
            "USD",
            {
                "spend given": "cumulative_cash - cumulative_spend",
                "cumulative_spend_prev given": "cumulative_cash - cumulative_spend",
                "otherwise": "cumulative_cash",
            },
            "negative: money from outside was needed by then",
        ),
    ),
    totals=(
        total(
            "coverage",
            "Coverage",
            "",
            "lowest_of(ratio)",
            "the lowest cumulative ratio over the years with spending",
            of="ratio",
        ),
        total(
            "outside_money",
            "Money needed from outside",
            "USD",
            "maximum(-lowest_of(balance), 0)",
            "the deepest shortfall of cumulative cash against cumulative spending",
            of="balance",
        ),
    ),
)

KINDS = (VERDICT,)  # registered: models.registry.KINDS gathers every module's
DOC_PAGES = {"funding_verdict": ("funding.md", None)}


def verdict_totals(items: list[ItemOutputs], samples: int) -> tuple[np.ndarray, np.ndarray]:
    """:data:`VERDICT`'s totals over its years, per sample: the coverage (infinite where no
    year has spending to cover) and the money needed from outside (USD)."""
    found = totals(VERDICT, items)

    def samples_of(key: str, missing: float) -> np.ndarray:
        value = found[key]
        if value is None:
            return np.full(samples, missing)
        m = np.asarray(value.magnitude, dtype=float)
        return np.broadcast_to(np.where(np.isnan(m), missing, m), (samples,)).copy()

    return samples_of("coverage", np.inf), samples_of("outside_money", 0.0)


def verdict_years(
    cash: np.ndarray, spend: np.ndarray, spending: list[bool]
) -> tuple[list[ItemOutputs], dict[str, np.ndarray]]:
    """:data:`VERDICT` year by year (``cash`` and ``spend`` years x samples, USD in each
    year; ``spending[t]``: anything bought or running in year t), and its rows as arrays
    (years x samples): no cumulative spending before the first purchase is 0, and a year
    with none so far has an infinite ratio (it cannot bind the coverage)."""
    given = []
    for t in range(cash.shape[0]):
        values = {"cash": Quantity(cash[t], "USD/year")}
        if spending[t]:
            values["spend"] = Quantity(spend[t], "USD/year")
        given.append(values)
    items = in_order(VERDICT, given)
    shape = cash.shape

    def row(key: str, unit: str, missing: float) -> np.ndarray:
        out = np.full(shape, missing)
        for t, item in enumerate(items):
            value = item[key]
            if value is not None:
                out[t] = np.broadcast_to(np.asarray(value.to(unit).magnitude), shape[1:])
        return out

    rows = {
        "cumulative_cash": row("cumulative_cash", "USD", 0.0),
        "cumulative_spend": row("cumulative_spend", "USD", 0.0),
        "balance": row("balance", "USD", 0.0),
    }
    # no spending so far (none yet, or none at all): no ratio
    rows["ratio"] = np.where(rows["cumulative_spend"] > 0, row("ratio", "", np.inf), np.inf)
    return items, rows


# ---- thresholds ------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    key: str
    words: str
    min_coverage: float
    why: str


@dataclass(frozen=True)
class Thresholds:
    """Verdict bands, highest first; a coverage falls in the first band whose minimum it
    reaches."""

    bands: tuple[Band, ...]
    source: str = ""

    def __post_init__(self) -> None:
        mins = [b.min_coverage for b in self.bands]
        if not self.bands or mins != sorted(mins, reverse=True) or mins[-1] != 0:
            raise InputError(
                "verdict bands must run from the highest min_coverage down to 0", field="bands"
            )

    def band_index(self, coverage: np.ndarray) -> np.ndarray:
        idx = np.full(coverage.shape, len(self.bands) - 1)
        for i in reversed(range(len(self.bands))):
            idx = np.where(coverage >= self.bands[i].min_coverage, i, idx)
        return idx

    def describe(self) -> list[str]:
        out = []
        for i, b in enumerate(self.bands):
            upper = f" and below {self.bands[i - 1].min_coverage:g}" if i else ""
            out.append(f"{b.words}: coverage {b.min_coverage:g} or more{upper} — {b.why}")
        return out


@cache
def thresholds() -> Thresholds:
    """The default verdict bands (``funding_thresholds.yaml``)."""
    text = (resources.files("flopbook.models") / "funding_thresholds.yaml").read_text(
        encoding="utf-8"
    )
    data = safe_yaml.load(text, "models/funding_thresholds.yaml", shipped=True)
    return Thresholds(
        tuple(
            Band(b["key"], b["words"], float(b["min_coverage"]), " ".join(b["why"].split()))
            for b in data["bands"]
        ),
        data.get("source", ""),
    )


# ---- spending --------------------------------------------------------------------------


@dataclass
class Spending:
    """One purchase: capex in ``year``, running costs in each year after (from ``year`` on)."""

    label: str
    year: int
    capex: pint.Quantity[Any]  # USD
    opex: pint.Quantity[Any] | None = None  # USD/year
    tco: pint.Quantity[Any] | None = None  # USD/year, for comparison with the cash per year
    source: str | None = None

    @classmethod
    def from_capex(
        cls,
        amount: Any,
        year: int,
        *,
        fx_rate: Input | None = None,
        label: str = "capex",
        source: str | None = None,
    ) -> Spending:
        """Capex alone: ``"1.6B USD"``, ``"¥1B"`` (with an ``fx_rate``), or ``"1.6B"`` (a
        number with a scale is dollars). A plain number (``1.6``) is refused: it reads as
        $1.60. So is any capex under $1k: no compute purchase costs that little."""
        _check_has_unit(amount)
        inp = read_input(CAPEX, amount, key=f"capex.{label}.{year}")
        usd = to_usd(inp.value, fx_rate, "capex")
        if np.any(usd < 0):
            raise InputError(f"must not be negative, got {amount!r}", field="capex")
        typical = float(np.median(usd))
        if 0 < typical < MIN_CAPEX_USD:
            raise InputError(
                f"{_plain_text(amount)} is ${typical:,.2f}, too little for compute capex "
                f"(under ${MIN_CAPEX_USD:,.0f})",
                field="capex",
                hint=f"did you mean {_scaled_up(amount, inp.value)}?",
            )
        return cls(label, int(year), Quantity(usd, "USD"), source=source or inp.source)

    @classmethod
    def from_fleet(
        cls, result: FleetResult, year: int, *, label: str | None = None, source: str | None = None
    ) -> Spending:
        """A fleet's total capex, opex and TCO per year (from the fleet model)."""
        capex = result.get("capex")
        if capex is None:  # every fleet has one; a subset with no SKU has none
            raise InputError("the fleet has no capex", hint="keep at least one SKU")
        return cls(
            label or result.name or "fleet",
            int(year),
            capex,
            result.get("opex"),
            result.get("tco_per_year"),
            source,
        )


# The smallest capex taken at face value: one GPU server costs far more, so a smaller figure
# is a scale left out ("1.6" meant as 1.6B).
MIN_CAPEX_USD = 1_000.0
# a number with a scale word: "1.6B", "70M", "$1.6bn"; its unit (dollars) goes without saying
_SCALED = re.compile(r"\d\s*(?:k|K|M|B|bn|T|mm|mn)(?![A-Za-z])")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+")
_PLAIN = re.compile(r"^[\s\d.,eE+\-–]*(?:\s+to\s+[\s\d.,eE+\-]*)?$")


def _plain_text(amount: Any) -> str:
    value = amount.get("value") if isinstance(amount, dict) else amount
    return str(value)


def _check_has_unit(amount: Any) -> None:
    """A capex written as a plain number (``1.6``, ``1600000000``) has no unit to say what it
    is: refuse it rather than read dollars (``--capex 1.6`` meant as $1.6B read as $1.60)."""
    value = amount.get("value") if isinstance(amount, dict) else amount
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return
    text = str(value).strip()
    if isinstance(value, str) and (_SCALED.search(text) or not _PLAIN.match(text)):
        return

    def with_scale(scale: str) -> Callable[[re.Match[str]], str]:
        def sub(number: re.Match[str]) -> str:
            x = float(number.group().replace(",", ""))
            if x == 0:
                return "0"
            # a small plain number has its scale left out, millions or billions: which one
            # is for the user to say; a large one is dollars
            return f"{x:g}{scale}" if x < MIN_CAPEX_USD else shown(x, "USD").lstrip("$")

        return sub

    millions = _NUMBER.sub(with_scale("M"), text) + " USD"
    billions = _NUMBER.sub(with_scale("B"), text) + " USD"
    example = millions if millions == billions else f"{millions} or {billions}"
    raise InputError(f"{_short(text)} has no unit", field="capex", hint=f"write {example}")


def _short(text: str) -> str:
    return shorten(text)


def _scaled_up(amount: Any, value: pint.Quantity[Any]) -> str:
    """``"1.6 USD"`` -> ``"1.6B USD"``, ``"¥1.6"`` -> ``"¥1.6B"``: the figure with a billion."""
    m = float(np.median(np.asarray(value.magnitude, dtype=float)))
    currency = "CNY" if value.check("[currency_cny]") else "USD"
    return f"{m:g}B {currency}"


# ---- the verdict -----------------------------------------------------------------------


@dataclass
class FundingVerdict:
    """Cash against spending, year by year and cumulatively, and what it means."""

    kind: ClassVar[str] = VERDICT.name
    payer: PayerResult
    spending: list[Spending]
    years: list[int]
    cash: np.ndarray  # years x samples, USD in each year
    spend: np.ndarray
    coverage: np.ndarray  # samples
    outside_money: np.ndarray  # samples, USD
    runs_out: np.ndarray  # samples: the first year cumulative spending exceeds cash, or nan
    bands: Thresholds
    band_probabilities: dict[str, float]
    band: Band
    rows: dict[str, np.ndarray] = field(default_factory=dict)  # VERDICT's, years x samples
    items: list[ItemOutputs] = field(default_factory=list, repr=False)  # VERDICT, by year
    tco_ratio: np.ndarray | None = None  # mean yearly cash from first purchase / yearly TCO
    capex_to_revenue: CapexRatio | None = None  # the highest year's capex / revenue
    capex_to_aum: CapexRatio | None = None
    placements: list[Placement] = field(default_factory=list)

    @property
    def result(self) -> Result:
        """The declaration's rows over the years (the shared Result; its Totals are the
        coverage and the money needed from outside)."""
        if len(self.items) != len(self.years):  # made without judge(): no declared rows
            raise AttributeError("this verdict has no declared rows")
        columns = [str(y) for y in self.years]
        return Result(VERDICT, columns, dict(zip(columns, self.items, strict=True)))

    @property
    def words(self) -> str:
        return self.band.words

    @property
    def cumulative_cash(self) -> np.ndarray:
        return self.rows["cumulative_cash"]

    @property
    def cumulative_spend(self) -> np.ndarray:
        return self.rows["cumulative_spend"]

    @property
    def balance(self) -> np.ndarray:
        return self.rows["balance"]

    @property
    def probability_runs_out(self) -> float:
        return float(np.mean(~np.isnan(self.runs_out)))

    def runs_out_year(self) -> int | None:
        """The most likely year the cash runs out, among the samples in which it does."""
        years = self.runs_out[~np.isnan(self.runs_out)]
        if years.size == 0:
            return None
        values, counts = np.unique(years, return_counts=True)
        return int(values[np.argmax(counts)])

    def outside_money_when_short(self) -> Summary | None:
        """The outside money needed in the samples where the cash runs out (None if in none):
        averaged over all samples it would be mostly zeros and mean little."""
        short = ~np.isnan(self.runs_out)
        if not short.any():
            return None
        return summarize(Quantity(np.broadcast_to(self.outside_money, short.shape)[short], "USD"))

    def binding_year(self) -> int | None:
        """The year whose cumulative coverage is lowest (on average over samples)."""
        ratios = self._ratios()
        if ratios is None:
            return None
        # years before any spending have no ratio (infinite coverage): they cannot bind
        finite = np.isfinite(ratios)
        counts = finite.sum(axis=1)
        if not counts.any():
            return None
        mean = np.where(
            counts > 0, np.where(finite, ratios, 0).sum(axis=1) / np.maximum(counts, 1), np.inf
        )
        return self.years[int(np.argmin(mean))]

    def _ratios(self) -> np.ndarray | None:
        if not np.any(self.cumulative_spend > 0):
            return None
        return self.rows["ratio"]

    def summaries(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "coverage": summarize(Quantity(_finite(self.coverage), "")),
            "outside_money": summarize(Quantity(self.outside_money, "USD")),
            "total_capex": summarize(Quantity(_total_capex(self.spending), "USD")),
            "total_spend": summarize(Quantity(self.spend.sum(axis=0), "USD")),
            "total_cash": summarize(Quantity(self.cash.sum(axis=0), "USD")),
        }
        if self.tco_ratio is not None:
            out["tco_ratio"] = summarize(Quantity(_finite(self.tco_ratio), ""))
        for key, ratio in (
            ("capex_to_revenue", self.capex_to_revenue),
            ("capex_to_aum", self.capex_to_aum),
        ):
            if ratio is not None:
                out[key] = ratio.summary()
        return out

    def to_dataframe(self) -> Any:
        """The verdict in one row: every figure a float column named with its unit."""

        return records_frame([self.to_dict()])

    def _repr_html_(self) -> str:
        return str(self.to_dataframe()._repr_html_())

    def to_dict(self) -> dict[str, Any]:
        def yearly(a: np.ndarray) -> list[dict[str, Any]]:
            return [
                {"year": y, **summarize(Quantity(row, "USD")).as_dict()}
                for y, row in zip(self.years, a, strict=True)
            ]

        return {
            "verdict": self.words,
            "band": self.band.key,
            "band_probabilities": self.band_probabilities,
            "thresholds": [
                {"key": b.key, "words": b.words, "min_coverage": b.min_coverage, "why": b.why}
                for b in self.bands.bands
            ],
            "thresholds_source": self.bands.source,
            "binding_year": self.binding_year(),
            **{
                f"{r.key}_year": r.year
                for r in (self.capex_to_revenue, self.capex_to_aum)
                if r is not None
            },
            "probability_cash_runs_out": self.probability_runs_out,
            "cash_runs_out_year": self.runs_out_year(),
            **{k: v.as_dict() for k, v in self.summaries().items()},
            "spending": [_spending_dict(s) for s in self.spending],
            "cash_available": yearly(self.cash),
            "spend": yearly(self.spend),
            "cumulative_cash": yearly(self.cumulative_cash),
            "cumulative_spend": yearly(self.cumulative_spend),
            "balance": yearly(self.balance),
            "comparables": [p.as_dict() for p in self.placements],
        }


@dataclass(frozen=True)
class CapexRatio:
    """A year's capex against the payer's revenue (or assets) that year, in the year where
    that is highest. The headline is the **ratio of the means** (mean capex / mean revenue):
    the figure a reader gets by dividing the two printed means. The per-sample ratios give
    its percentiles; their mean is not used, since a mean of ratios is not the ratio of the
    means and would not match the printed figures."""

    basis: Basis
    year: int
    capex: float  # mean capex that year, USD
    base: float  # mean revenue that year (USD/year), or mean assets (USD)
    samples: np.ndarray  # capex / base in each sample, that year

    @property
    def key(self) -> str:
        return f"capex_to_{self.basis}"

    @property
    def value(self) -> float:
        if self.base > 0:
            return self.capex / self.base
        return float("inf") if self.capex > 0 else 0.0

    def summary(self) -> Summary:
        return replace(
            summarize(Quantity(_finite(self.samples), "")),
            mean=float(_finite(np.array([self.value]))[0]),
        )


def _capex_ratio(basis: Basis, years: list[int], capex: np.ndarray, base: np.ndarray) -> CapexRatio:
    """``capex`` and ``base`` are years x samples; the year with the highest ratio of the
    means is the one shown (the heaviest purchase against the payer's means)."""
    cm, bm = capex.mean(axis=1), base.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        means = np.where(bm > 0, cm / np.where(bm > 0, bm, 1), np.where(cm > 0, np.inf, 0.0))
        per_sample = np.where(
            base > 0, capex / np.where(base > 0, base, 1), np.where(capex > 0, np.inf, 0.0)
        )
    bought = np.flatnonzero(cm > 0)
    i = int(bought[np.argmax(means[bought])]) if bought.size else 0
    return CapexRatio(basis, years[i], float(cm[i]), float(bm[i]), per_sample[i])


def _finite(a: np.ndarray) -> np.ndarray:
    # a payer with no spending to cover has infinite coverage; show it as a large number
    return np.where(np.isfinite(a), a, np.finfo(float).max)


def _total_capex(spending: list[Spending]) -> np.ndarray:
    total = np.zeros(1)
    for s in spending:
        total = total + np.asarray(s.capex.to("USD").magnitude, dtype=float)
    return total


def _spending_dict(s: Spending) -> dict[str, Any]:
    return {
        "label": s.label,
        "year": s.year,
        "capex": summarize(s.capex, "USD").as_dict(),
        "opex": None if s.opex is None else summarize(s.opex, "USD/year").as_dict(),
        "tco_per_year": None if s.tco is None else summarize(s.tco, "USD/year").as_dict(),
        "source": s.source,
    }


def _mag(x: pint.Quantity[Any], unit: str) -> np.ndarray:
    return np.asarray(x.to(unit).magnitude, dtype=float)


def judge(
    payer: PayerResult, spending: list[Spending], bands: Thresholds | None = None
) -> FundingVerdict:
    """Compare ``spending`` with the cash ``payer`` could put in, and give the verdict."""
    bands = bands or thresholds()
    years = payer.years
    for s in spending:
        if s.year not in years:
            raise InputError(
                f"{s.label} is bought in {s.year}, outside the payer's years "
                f"{years[0]}–{years[-1]}",
                hint="choose a year the payer covers, or extend its years",
            )
    cash = payer.usd("cash_available")
    rows: list[np.ndarray] = []
    capex_rows: list[np.ndarray] = []
    spends: list[bool] = []  # anything bought or running that year
    for y in years:
        spent = np.zeros(1)
        capex = np.zeros(1)
        for s in spending:
            if s.year == y:
                capex = capex + _mag(s.capex, "USD")
            if s.opex is not None and s.year <= y:
                spent = spent + _mag(s.opex, "USD/year")  # one year of running costs
        rows.append(spent + capex)
        capex_rows.append(capex)
        spends.append(any(s.year == y or (s.opex is not None and s.year <= y) for s in spending))
    n = max([cash.shape[1], *(r.size for r in rows)])
    cash = np.broadcast_to(cash, (len(years), n)).astype(float)
    spend = np.array([np.broadcast_to(r, (n,)) for r in rows], dtype=float)
    capex_by_year = np.array([np.broadcast_to(r, (n,)) for r in capex_rows], dtype=float)

    items, declared = verdict_years(cash, spend, spends)
    cum_s, balance = declared["cumulative_spend"], declared["balance"]
    coverage, outside = verdict_totals(items, n)
    # a shortfall smaller than a millionth of the spending is rounding, not a shortfall
    short = balance < -1e-6 * np.maximum(cum_s, 1.0)
    first = np.argmax(short, axis=0)
    runs_out = np.where(short.any(axis=0), np.asarray(years, dtype=float)[first], np.nan)

    idx = bands.band_index(coverage)
    probs = {b.key: float(np.mean(idx == i)) for i, b in enumerate(bands.bands)}
    # the most probable band; on a tie, the less favourable one
    best = max(range(len(bands.bands)), key=lambda i: (probs[bands.bands[i].key], i))

    verdict = FundingVerdict(
        payer,
        spending,
        list(years),
        cash,
        spend,
        coverage,
        outside,
        runs_out,
        bands,
        probs,
        bands.bands[best],
        rows=declared,
        items=items,
    )
    bought = [y for y in years if any(s.year <= y for s in spending)]
    tcos = [s.tco for s in spending if s.tco is not None]
    if tcos and bought:
        tco = sum((_mag(t, "USD/year") for t in tcos), start=np.zeros(1))
        mean_cash = cash[years.index(bought[0]) :].mean(axis=0)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            verdict.tco_ratio = np.where(tco > 0, mean_cash / np.where(tco > 0, tco, 1), np.inf)
    if spending:
        revenue = np.broadcast_to(payer.usd("revenue"), (len(years), n))
        capex_ratios = [_capex_ratio("revenue", list(years), capex_by_year, revenue)]
        if "aum" in payer.rows:
            aum = np.broadcast_to(
                np.array(np.broadcast_arrays(*[_mag(a, "USD") for a in payer.rows["aum"]])),
                (len(years), n),
            )
            capex_ratios.append(_capex_ratio("aum", list(years), capex_by_year, aum))
        for ratio in capex_ratios:
            setattr(verdict, ratio.key, ratio)
            lo, hi = (float(x) for x in np.percentile(_finite(ratio.samples), [5, 95]))
            verdict.placements.append(
                place(
                    ratio.value, ratio.basis, year=ratio.year, spread=None if lo == hi else (lo, hi)
                )
            )
    return verdict


# the name under which the package exports it (``flopbook.judge_funding``)
judge_funding = judge
