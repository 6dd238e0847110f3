"""A fleet's cash flows year by year: capex when each cohort is bought, opex while it is in
service, its sale at book value when it is retired or the period ends; NPV, IRR and payback.

The yearly figures are a declared kind (:data:`CASH_FLOW`) whose items are the fleet's SKUs
and purchase cohorts, evaluated once per calendar year of the period: a year's column is the
total over the cohorts, and the table's Total is the sum over the years (so the total of
``present_value`` is the NPV). The same declaration writes the workbook's yearly sheet and the
docs' formula table.

Conventions (stated in docs/scenario.md): a cohort is paid for in the year it is acquired,
runs from its acquisition date to its retirement (``retired``, else acquired + useful life),
and is sold for its straight-line book value (capex x (1 - (1 - residual) x years used /
life)) in the year it leaves service or at the end of the period, whichever is first. Year
``y`` is discounted by (1 + cost of capital)^-(y - first year): the first year's flows are
not discounted, as in a spreadsheet's IRR.

Financing (a fleet's ``financing:``, :func:`read_financing`) adds the owner's side. A loan
of a share of each cohort's capex (or an amount per GPU) is drawn in the year the cohort is
bought and repaid in the following whole years of its term: the amortising part in equal
payments of principal and interest, the balloon part (100%: a bullet loan) with interest
each year and in one sum at the end; what is still owed when the period ends is repaid in
its last year, as the hardware is valued then. Equity's cash flow is the project's plus the
loan drawn, less interest and principal. A leased cohort pays no capex and sells nothing: it
pays the lease per GPU and year while it is in service (for the lease's term, if given).
A cohort may carry a loan or lease of its own (drawn in its purchase year, at its own rate,
term and balloon); the fleet's ``financing:`` is the default for cohorts without one. When
any cohort borrows, every cohort has a cash flow to equity (a cohort without a loan: its
net cash flow), discounted at the fleet's ``cost_of_equity`` (the cost of capital if it
gives none).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.optimize import brentq

from flopbook.errors import InputError
from flopbook.formula.declaration import Form, Kind, extensive, step
from flopbook.formula.result import ItemOutputs, Result
from flopbook.inputs import FieldSpec, Input, read_input
from flopbook.quantity import Quantity, summarize, unit_name

if TYPE_CHECKING:
    import pint

    from flopbook.quantity import Summary

__all__ = [
    "CASH_FLOW",
    "CashFlows",
    "Period",
    "irr",
    "in_force",
    "loan_or_lease",
    "own_over_fleet",
    "npv",
    "payback",
    "payback_parts",
    "read_financing",
    "with_years",
]


def _spec(name: str, label: str, unit: str, doc: str) -> FieldSpec:
    return FieldSpec(name, label, (unit,), "", doc)


# The financing of a fleet: a loan on its capex, or a lease instead of buying.
FINANCING_FIELDS = {
    f.name: f
    for f in [
        FieldSpec(
            "debt",
            "Debt",
            ("", "USD/GPU"),
            "60%",
            "borrowed: a share of each cohort's capex, or an amount per GPU",
            low=0,
            share=True,
        ),
        FieldSpec(
            "debt_rate",
            "Interest rate",
            ("",),
            "8%",
            "interest on the loan, a year (above -100%: a real rate may be negative)",
            low=-1,
            low_inclusive=False,
            high=1,
            share=True,
        ),
        FieldSpec(
            "debt_term",
            "Loan term",
            ("year",),
            "4 years",
            "whole years over which the loan is repaid, from the year after it is drawn",
            bare_unit="year",
            low=1,
            high=30,
        ),
        FieldSpec(
            "debt_balloon",
            "Balloon",
            ("",),
            "0%",
            "share of the loan repaid in one sum at the end of the term (100%: a bullet "
            "loan; 0%: equal payments of principal and interest)",
            low=0,
            high=1,
            share=True,
        ),
        FieldSpec(
            "lease",
            "Lease payment",
            ("USD/GPU/year",),
            "9k USD/GPU/year",
            "leased, not bought: the payment per GPU (per month is accepted, e.g. "
            "750 USD/GPU/month); no capex is paid and nothing is sold",
            low=0,
        ),
        FieldSpec(
            "lease_term",
            "Lease term",
            ("year",),
            "3 years",
            "years the lease is paid from acquisition (default: while in service)",
            bare_unit="year",
            low=0,
            low_inclusive=False,
            high=30,
        ),
        FieldSpec(
            "cost_of_equity",
            "Cost of equity",
            ("",),
            "15%",
            "the yearly rate the cash flow to equity is discounted at (default: the cost of "
            "capital); the fleet's, not a cohort's",
            low=0,
            high=1,
            share=True,
        ),
    ]
}
DEFAULT_SOURCE = "flopbook default"
FINANCING_DEFAULTS = {"debt_rate": "8%", "debt_term": "4 years", "debt_balloon": "0%"}
"""What a loan takes when the financing does not say (flopbook defaults: a round rate, the
default useful life, equal payments)."""


# The per-cohort inputs: the fleet's own figures for the SKU (one steady year) and its dates.
COHORT_INPUTS = {
    f.name: f
    for f in [
        _spec("gpus", "GPUs", "GPU", "the cohort's GPUs (the fleet's gpus)"),
        _spec("capex", "Capex", "USD", "the cohort's capex (the fleet's capex)"),
        _spec("opex", "Opex per year", "USD/year", "the fleet's opex of the cohort"),
        _spec(
            "used_gpu_hours",
            "GPU-hours used per year",
            "GPU*hour/year",
            "the fleet's used GPU-hours of the cohort",
        ),
        _spec(
            "revenue",
            "Revenue per year",
            "USD/year",
            "the fleet's revenue of the cohort (used GPU-hours x rental price)",
        ),
        _spec("acquired", "Acquired", "year", "when the cohort was bought"),
        _spec("retired", "Retired", "year", "when the cohort leaves service"),
        _spec("useful_life", "Useful life", "year", "years over which capex is written off"),
        _spec("residual_value", "Residual value", "", "share of capex left at end of life"),
    ]
} | FINANCING_FIELDS
YEAR_INPUTS = {
    f.name: f
    for f in [
        _spec("calendar_year", "Year", "year", "the calendar year (its start: 2025 for 2025)"),
        _spec("period_start", "First year", "year", "the start of the period's first year"),
        _spec("period_end", "End of the period", "year", "the end of the period's last year"),
        _spec("cost_of_capital", "Cost of capital", "", "the yearly discount rate"),
        _spec(
            "cost_of_equity",
            "Cost of equity",
            "",
            "the yearly discount rate of the cash flow to equity (the cost of capital if the "
            "financing gives none)",
        ),
    ]
}

CASH_FLOW = Kind(
    name="cash_flow",
    label="Cash flows by year",
    doc="A fleet's yearly capex, opex, revenue, sales and cash flow over a period.",
    item_inputs=COHORT_INPUTS,
    shared_inputs=YEAR_INPUTS,
    # whether any cohort of the fleet borrows: then every cohort has a cash flow to equity
    choices={"fleet_borrows": ("yes", "no")},
    headlines=("cash_flow", "present_value"),
    steps=(
        # a SKU without a date was bought at the start of the period
        step(
            "start",
            "year",
            {"acquired given": "acquired", "otherwise": "period_start"},
            "acquired, or the start of the period",
        ),
        step(
            "end_of_service",
            "year",
            {"retired given": "retired", "otherwise": "start + useful_life"},
            "retired, or acquired + useful life",
        ),
        # in service for part of this year: the share of the year between start and end
        step(
            "years_in_service",
            "year",
            "overlap(start, end_of_service, calendar_year, calendar_year + 1 year)",
            "the part of this year between acquisition and retirement",
        ),
        # sold when it leaves service, or held to the end of the period and valued then
        step(
            "sold_at",
            "year",
            "start + overlap(start, end_of_service, start, period_end)",
            "retirement, or the end of the period if that is first",
        ),
        step(
            "book_value",
            "USD",
            "capex * (1 - (1 - residual_value)"
            " * overlap(start, start + useful_life, start, sold_at) / useful_life)",
            "capex x (1 - (1 - residual) x years written off / useful life)",
        ),
        step(
            "discount",
            "",
            "discount_factor(cost_of_capital, calendar_year - period_start)",
            "(1 + cost of capital)^-(year - first year)",
        ),
        step(
            "equity_discount",
            "",
            "discount_factor(cost_of_equity, calendar_year - period_start)",
            "(1 + cost of equity)^-(year - first year)",
        ),
        # a lease is paid while the cohort is in service, for its term if it has one
        step(
            "lease_years",
            "year",
            {
                "lease_term given": "overlap(start, minimum(end_of_service, start + lease_term),"
                " calendar_year, calendar_year + 1 year)",
                "otherwise": "years_in_service",
            },
            "the part of this year in service and within the lease's term",
        ),
        # the loan: drawn in the calendar year the cohort is bought, repaid in the whole
        # years after it (loan year 1 to the term)
        step(
            "debt_amount",
            "USD",
            {"debt is share": "capex * debt", "debt is amount": "gpus * debt"},
            "capex x debt share, or GPUs x debt per GPU",
        ),
        step(
            "loan_start",
            "year",
            "floor(start / year) * year",
            "the start of the calendar year the loan is drawn",
        ),
        step(
            "loan_year",
            "year",
            "calendar_year - loan_start",
            "years since the loan was drawn (1 in the first year of repayment)",
        ),
        step(
            "in_term",
            "",
            "overlap(loan_start + 1 year, loan_start + 1 year + debt_term,"
            " calendar_year, calendar_year + 1 year) / year",
            "1 in the years the loan is repaid, else 0",
        ),
        step(
            "payment",
            "USD",
            "debt_amount * (1 - debt_balloon) * annuity_factor(debt_rate, debt_term) * year",
            "the yearly payment on the amortising part: amount x r / (1 - (1 + r)^-term)",
        ),
        # of an equal payment, the principal is its value discounted back to the last year
        step(
            "principal_share",
            "",
            "discount_factor(debt_rate, debt_term - loan_year + 1 year)",
            "(1 + r)^-(term - loan year + 1): the share of the payment that repays principal",
        ),
        # what is still owed after this year's payment: the rest of the equal payments at
        # their present value, and the balloon
        step(
            "owed",
            "USD",
            "if_positive(debt_term - loan_year, payment / (annuity_factor(debt_rate,"
            " maximum(debt_term - loan_year, 1 year)) * year) + debt_amount * debt_balloon, 0)",
            "the loan still owed after this year's payment",
        ),
        # a leased cohort pays the lease where an owned one pays capex and sells at the end
        step(
            "earned",
            "USD",
            {"revenue given": "revenue_earned", "otherwise": "0 * opex_paid"},
            "revenue, or nothing without a rental price",
        ),
    ),
    outputs=(
        extensive(
            "gpus_in_service",
            "GPUs in service (year average)",
            "GPU",
            "gpus * years_in_service / year",
            "GPUs x share of the year in service",
        ),
        extensive(
            "capex_paid",
            "Capex paid",
            "USD",
            {"lease missing": "capex * starts_in(start, calendar_year)"},
            "capex, in the year the cohort is acquired (none when leased)",
        ),
        extensive(
            "lease_paid",
            "Lease payments",
            "USD",
            {"lease given": "gpus * lease * lease_years"},
            "GPUs x lease payment x the part of the year leased",
        ),
        extensive(
            "opex_paid",
            "Opex",
            "USD",
            "opex * years_in_service",
            "opex per year x share of the year in service",
        ),
        extensive(
            "gpu_hours_used",
            "GPU-hours used",
            "GPU*hour",
            "used_gpu_hours * years_in_service",
            "used GPU-hours per year x share of the year in service",
        ),
        extensive(
            "revenue_earned",
            "Revenue",
            "USD",
            {"revenue given": "revenue * years_in_service"},
            "revenue per year x share of the year in service",
        ),
        extensive(
            "sale",
            "Sale or value at the end",
            "USD",
            {"lease missing": "book_value * ends_in(sold_at, calendar_year)"},
            "book value, in the year the cohort leaves service or the period ends",
        ),
        extensive(
            "cash_flow",
            "Net cash flow",
            "USD",
            {
                "lease given": "earned - lease_paid - opex_paid",
                "revenue given": "revenue_earned + sale - capex_paid - opex_paid",
                "otherwise": "sale - capex_paid - opex_paid",
            },
            "revenue + sale - capex - opex (a leased cohort: revenue - lease - opex)",
        ),
        extensive(
            "present_value",
            "Present value",
            "USD",
            "cash_flow * discount",
            "net cash flow x (1 + cost of capital)^-(year - first year)",
        ),
        extensive(
            "debt_drawn",
            "Loan drawn",
            "USD",
            {"debt given": "debt_amount * starts_in(start, calendar_year)"},
            "the loan, in the year the cohort is acquired",
        ),
        extensive(
            "interest_paid",
            "Interest",
            "USD",
            {
                "debt given": "(payment * (1 - principal_share)"
                " + debt_amount * debt_balloon * debt_rate) * in_term"
            },
            "the interest part of the equal payment, and interest on the balloon",
        ),
        extensive(
            "principal_repaid",
            "Principal repaid",
            "USD",
            {
                "debt given": "payment * principal_share * in_term"
                " + debt_amount * debt_balloon * starts_in(loan_start + debt_term, calendar_year)"
                " + owed * ends_in(period_end, calendar_year)"
            },
            "principal of the equal payment; the balloon at the end of the term; what is "
            "still owed, in the period's last year",
        ),
        extensive(
            "equity_cash_flow",
            "Cash flow to equity",
            "USD",
            {
                "debt given": "cash_flow + debt_drawn - interest_paid - principal_repaid",
                "fleet_borrows is yes": "cash_flow",
            },
            "net cash flow + loan drawn - interest - principal (a cohort without a loan: its "
            "net cash flow)",
        ),
        extensive(
            "equity_present_value",
            "Present value to equity",
            "USD",
            {"fleet_borrows is yes": "equity_cash_flow * equity_discount"},
            "cash flow to equity x (1 + cost of equity)^-(year - first year)",
        ),
    ),
)

# Outputs whose sum over the years means nothing (GPUs are a stock, not a flow)
NOT_SUMMED = frozenset({"gpus_in_service"})

KINDS = (CASH_FLOW,)  # registered: models.registry.KINDS gathers every module's
DOC_PAGES = {
    "cash_flow": (
        "scenario.md",
        lambda output: (
            "sum of cohorts; not added over years"
            if output.key in NOT_SUMMED
            else "sum of cohorts, then of years"
        ),
    )
}


@dataclass(frozen=True)
class Period:
    """Calendar years ``first`` to ``last``, both included."""

    first: int
    last: int

    @property
    def years(self) -> list[int]:
        return list(range(self.first, self.last + 1))


def read_period(raw: Any, field: str = "period") -> Period:
    """``{start: 2024, end: 2028}`` (whole years, both included; at most 40 of them)."""
    if not isinstance(raw, Mapping) or set(raw) - {"start", "end"} or len(raw) != 2:
        raise InputError(
            "needs a start and an end year",
            field=field,
            hint="write e.g. period: {start: 2024, end: 2028} (both years included)",
        )
    years = {}
    for k in ("start", "end"):
        v = raw[k]
        if isinstance(v, bool) or not isinstance(v, int | float) or float(v) != int(v):
            raise InputError(
                f"{v!r} is not a whole year",
                field=f"{field}.{k}",
                hint="give a calendar year such as 2024",
            )
        if not 1990 <= int(v) <= 2100:
            raise InputError(
                f"{int(v)} is outside 1990 to 2100", field=f"{field}.{k}", hint="e.g. 2024"
            )
        years[k] = int(v)
    if years["end"] < years["start"]:
        raise InputError(
            f"ends in {years['end']}, before it starts in {years['start']}",
            field=f"{field}.end",
            hint="the end year is the last year of the period, at or after the start",
        )
    if years["end"] - years["start"] >= 40:
        raise InputError(
            "is longer than 40 years", field=f"{field}.end", hint="shorten it to 40 years or less"
        )
    return Period(years["start"], years["end"])


_DEBT = ("debt", "debt_rate", "debt_term", "debt_balloon")
_LEASE = ("lease", "lease_term")
_FLEET_ONLY = ("cost_of_equity",)


def read_financing(raw: Any, field: str = "financing", *, cohort: bool = False) -> dict[str, Input]:
    """``{debt: 60%, debt_rate: 8%, debt_term: 4 years, debt_balloon: 0%}`` (a loan; the
    rate, term and balloon have defaults) or ``{lease: 9k USD/GPU/year, lease_term: 3
    years}`` (a lease instead of buying), each value read like any input. The fleet's may
    add ``cost_of_equity`` (or give only that, when its cohorts carry their own loans); a
    ``cohort``'s may not: equity's discount rate is the fleet's. A cohort's loan may leave
    out ``debt`` (the fleet's loan's, see :func:`own_over_fleet`)."""
    example = "write e.g. financing: {debt: 60%, debt_rate: 8%, debt_term: 4 years}"
    known = [n for n in FINANCING_FIELDS if not (cohort and n in _FLEET_ONLY)]
    if not isinstance(raw, Mapping) or not raw:
        raise InputError("needs debt or a lease", field=field, hint=example)
    if cohort:
        for name in _FLEET_ONLY:
            if name in raw:
                raise InputError(
                    f"{name} is the fleet's, not a cohort's",
                    field=f"{field}.{name}",
                    hint=f"move it to the fleet's financing: {{{name}: 15%}}",
                )
    unknown = sorted(str(k) for k in raw if k not in known)
    if unknown:
        from_key = unknown[0]
        raise InputError(
            f"unknown field {from_key!r}",
            field=f"{field}.{from_key}",
            hint="financing takes " + ", ".join(known),
        )
    out: dict[str, Input] = {
        n: read_input(FINANCING_FIELDS[n], raw[n], key=f"{field}.{n}")
        for n in _FLEET_ONLY
        if n in raw
    }
    raw = {k: v for k, v in raw.items() if k not in _FLEET_ONLY}
    if not raw and out:
        return out  # only the cost of equity: the cohorts carry the loans
    if "debt" in raw and "lease" in raw:
        raise InputError(
            "gives both debt and a lease",
            field=f"{field}.lease",
            hint="a leased fleet buys nothing to borrow against: keep one",
        )
    kind = _kind(raw)
    names = _LEASE if kind == "lease" else _DEBT
    if kind not in raw and not cohort:
        # a cohort's loan may give only its own rate, term or balloon (a lease its term):
        # the rest is then the fleet's (checked by the fleet, which knows what it has)
        raise InputError("needs debt or a lease", field=f"{field}.{kind}", hint=example)
    stray = [k for k in raw if k not in names]
    if stray:
        raise InputError(
            f"{stray[0]} belongs to {'a loan' if kind == 'lease' else 'a lease'}",
            field=f"{field}.{stray[0]}",
            hint=f"a {'lease' if kind == 'lease' else 'loan'} takes " + ", ".join(names),
        )
    for name in names:
        if name in raw:
            value = raw[name]
        elif name in FINANCING_DEFAULTS:
            value = {"value": FINANCING_DEFAULTS[name], "source": DEFAULT_SOURCE}
        else:
            continue
        out[name] = read_input(FINANCING_FIELDS[name], value, key=f"{field}.{name}")
    debt = out.get("debt")
    if debt is not None and debt.is_share() and float(np.max(debt.value.to("").magnitude)) > 1:
        raise InputError(
            "borrows more than the capex",
            field=f"{field}.debt",
            hint="give a share of capex up to 100%, or an amount per GPU (20k USD/GPU)",
        )
    return out


def loan_or_lease(financing: Mapping[str, Input]) -> dict[str, Input]:
    """The loan or lease of a financing, without the fleet's cost of equity."""
    return {n: i for n, i in financing.items() if n not in _FLEET_ONLY}


def _kind(financing: Mapping[str, Any]) -> str:
    """``"lease"`` for a financing that names a lease field, else ``"debt"`` (a loan)."""
    return "lease" if any(n in financing for n in _LEASE) else "debt"


def own_over_fleet(
    own: Mapping[str, Input], fleet: Mapping[str, Any], field: str
) -> dict[str, Input]:
    """A cohort's own financing as it stands beside the fleet's: a cohort's loan in a fleet
    with a loan (or lease with a lease) keeps only what it gives, the rest, defaults
    included, being the fleet's; otherwise it stands alone and must say what it borrows (or
    leases at)."""
    kind = _kind(own)
    if kind in fleet:
        return {n: i for n, i in own.items() if i.source != DEFAULT_SOURCE}
    if kind not in own:
        what, example = ("loan", "60%") if kind == "debt" else ("lease", "9k USD/GPU/year")
        raise InputError(
            f"a cohort's {what} needs {kind}: the fleet has no {what} to take it from",
            field=f"{field}.{kind}",
            hint=f"give it, e.g. {kind}: {example}",
        )
    return dict(own)


def in_force(own: Mapping[str, Input], fleet: Mapping[str, Input]) -> dict[str, Input]:
    """The loan or lease in force for a cohort: its own (over the fleet's, when both are
    loans or both leases), else the fleet's."""
    base = loan_or_lease(fleet)
    if not own:
        return base
    if _kind(own) in base:
        return {**base, **own}
    return dict(own)


class CashFlows:
    """The yearly table: for each output, each year's total over the cohorts, and the sum
    over the years; NPV (the sum of present values), IRR and payback."""

    def __init__(
        self,
        period: Period,
        cohorts: Sequence[tuple[str, Mapping[str, pint.Quantity], Form]],
        cost_of_capital: pint.Quantity,
        cost_of_equity: pint.Quantity | None = None,
    ) -> None:
        self.period = period
        self.columns = [str(y) for y in period.years]
        self.cohorts = [name for name, _, _ in cohorts]
        self.forms = {name: form for name, _, form in cohorts}
        self.values = {name: values for name, values, _ in cohorts}
        self.cost_of_capital = cost_of_capital
        # None: equity is discounted at the cost of capital
        self.cost_of_equity = cost_of_equity
        self.by_year: dict[str, Result] = {}
        for y in period.years:
            shared = {
                "calendar_year": Quantity(float(y), "year"),
                "period_start": Quantity(float(period.first), "year"),
                "period_end": Quantity(float(period.last + 1), "year"),
                "cost_of_capital": cost_of_capital,
                "cost_of_equity": cost_of_capital if cost_of_equity is None else cost_of_equity,
            }
            items = {
                name: ItemOutputs(CASH_FLOW, {**values, **shared}, with_years(form))
                for name, values, form in cohorts
            }
            self.by_year[str(y)] = Result(CASH_FLOW, self.cohorts, items, name=str(y))

    @property
    def all_columns(self) -> list[str]:
        return [*self.columns, "Total"]

    def get(self, key: str, column: str = "Total") -> pint.Quantity | None:
        """The total over the cohorts of ``key`` in one year, or its sum over the years."""
        if column != "Total":
            return self.by_year[column].get(key)
        if key in NOT_SUMMED:
            return None
        return _sum_present(self.by_year[c].get(key) for c in self.columns)

    def summary(self, key: str, column: str = "Total") -> Summary | None:
        v = self.get(key, column)
        unit = CASH_FLOW.output[key].unit
        return None if v is None else summarize(v, unit)

    def known(self, key: str) -> bool:
        return self.get(key, self.columns[0]) is not None

    def flows(self, key: str = "cash_flow") -> np.ndarray:
        """The net cash flow (or ``equity_cash_flow``) of each year (rows) for each sample
        (columns), in USD."""
        values = [self.get(key, c) for c in self.columns]
        rows = [np.atleast_1d(v.to("USD").magnitude) for v in values if v is not None]
        n = max(r.size for r in rows)
        return np.vstack([np.broadcast_to(r, n) for r in rows])

    @property
    def has_revenue(self) -> bool:
        return self.known("revenue_earned")

    def npv(self) -> pint.Quantity:
        found = self.get("present_value")
        assert found is not None, "every cohort has a present value"
        return found

    @property
    def has_debt(self) -> bool:
        return self.known("equity_cash_flow")

    def equity_npv(self) -> pint.Quantity | None:
        """The NPV of the cash flows to equity at the cost of equity (the cost of capital
        when none is given; None without debt)."""
        return self.get("equity_present_value")

    def equity_rate(self) -> pint.Quantity:
        """The rate equity's cash flows are discounted at."""
        return self.cost_of_capital if self.cost_of_equity is None else self.cost_of_equity

    def _interest_weights(self) -> pint.Quantity | None:
        """The sum over the cohorts of what each draws x its loan rate (None: no loan)."""
        weighted = None
        for name in self.cohorts:
            rate = self.values[name].get("debt_rate")
            amount = self._cohort_total("debt_drawn", name)
            if rate is not None and amount is not None:
                weighted = amount * rate if weighted is None else weighted + amount * rate
        return weighted

    def wacc(self) -> pint.Quantity | None:
        """The weighted average cost of capital the financing implies, before tax, at book
        weights when bought: (each loan x its rate + (capex - loans) x cost of equity) /
        capex over the owned cohorts (None without a loan or a cost of equity of its own)."""
        weighted = self._interest_weights()
        capex, drawn = self.get("capex_paid"), self.get("debt_drawn")
        if weighted is None or capex is None or drawn is None or self.cost_of_equity is None:
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            return ((weighted + (capex - drawn) * self.cost_of_equity) / capex).to("")

    def _cohort_total(self, key: str, cohort: str) -> pint.Quantity | None:
        return _sum_present(self.by_year[c].get(key, cohort) for c in self.columns)

    def irr(self, key: str = "cash_flow") -> tuple[np.ndarray, str | None]:
        """The IRR of each sample (NaN where none), and why it is undefined if it is; of the
        project's cash flows, or equity's (``equity_cash_flow``)."""
        if not self.has_revenue:
            return np.array([np.nan]), "no IRR without revenue: give the SKUs a rental_price"
        flows = self.flows(key)
        rates = np.array([irr(flows[:, i]) for i in range(flows.shape[1])])
        if np.all(np.isnan(rates)):
            return rates, _no_irr(flows[:, 0])
        return rates, None

    def payback(self) -> np.ndarray:
        """Years from the start of the period until the cumulative cash flow turns positive
        for good (NaN where it never does), per sample."""
        flows = self.flows()
        return np.array([payback(flows[:, i]) for i in range(flows.shape[1])])

    def rows_dict(self) -> list[dict[str, Any]]:
        rows = []
        for o in CASH_FLOW.outputs:
            if not self.known(o.key):
                continue  # no cohort has what the line needs (a loan line without a loan)
            cells = {}
            for c in self.all_columns:
                v = self.get(o.key, c)
                cells[c] = None if v is None else summarize(v, o.unit).as_dict()
            rows.append(
                {"metric": o.key, "label": o.label, "unit": unit_name(o.unit), "values": cells}
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        rates, why = self.irr()
        years = self.payback()
        equity: dict[str, Any] | None = None
        npv_equity = self.equity_npv()
        if npv_equity is not None:
            equity_rates, equity_why = self.irr("equity_cash_flow")
            equity = {
                "npv": summarize(npv_equity, "USD").as_dict(),
                "irr": _summary_or_none(equity_rates, ""),
                "irr_undefined": equity_why,
            }
            if self.cost_of_equity is not None:
                equity["cost_of_equity"] = summarize(self.cost_of_equity, "").as_dict()
                wacc = self.wacc()
                if wacc is not None:
                    equity["wacc"] = summarize(wacc, "").as_dict()
        out = {
            "period": {"start": self.period.first, "end": self.period.last},
            "cohorts": self.cohorts,
            "columns": self.all_columns,
            "metrics": self.rows_dict(),
            "npv": summarize(self.npv(), "USD").as_dict(),
            "cost_of_capital": summarize(self.cost_of_capital, "").as_dict(),
            "irr": _summary_or_none(rates, ""),
            "irr_undefined": why,
            "payback": _summary_or_none(years, "year"),
            "payback_undefined": None
            if not np.all(np.isnan(years))
            else "no payback: the cumulative cash flow does not turn positive in the period "
            "and stay so",
        }
        if equity is not None:
            out["equity"] = equity
        return out


def with_years(form: Form) -> Form:
    """A cohort's form with the yearly inputs given (each year gives all four)."""
    return Form(
        given=form.given | frozenset(YEAR_INPUTS),
        shares=form.shares | frozenset({"cost_of_capital", "cost_of_equity"}),
        choices=form.choices,
    )


def _summary_or_none(values: np.ndarray, unit: str) -> dict[str, Any] | None:
    kept = values[~np.isnan(values)]
    if kept.size == 0:
        return None
    out = summarize(Quantity(kept, unit), unit).as_dict()
    if kept.size < values.size:
        out["undefined_share"] = float(1 - kept.size / values.size)
    return out


# ---- the arithmetic of a series of yearly flows ----------------------------------------


def npv(rate: float, flows: Sequence[float] | np.ndarray) -> float:
    """Σ flow_t / (1 + rate)^t, the first flow at t = 0 (not discounted)."""
    t = np.arange(len(flows))
    return float(np.sum(np.asarray(flows, dtype=float) / (1 + rate) ** t))


# IRRs are looked for between -99% and +1,000% a year; outside that the answer means nothing
IRR_LOW, IRR_HIGH = -0.99, 10.0


def irr(flows: Sequence[float] | np.ndarray) -> float:
    """The rate at which the NPV of ``flows`` is zero (NaN when there is none, or several).

    A series whose sign changes once (spend, then earn) has exactly one; Brent's method finds
    it between -99% and +1,000%. A series that never changes sign has none, and one that
    changes sign several times may have several: both are NaN, never a guess."""
    f = np.asarray(flows, dtype=float)
    signs = np.sign(f[f != 0])
    if signs.size < 2 or np.count_nonzero(np.diff(signs)) != 1:
        return float("nan")
    lo, hi = npv(IRR_LOW, f), npv(IRR_HIGH, f)
    if np.sign(lo) == np.sign(hi):
        return float("nan")
    return float(brentq(npv, IRR_LOW, IRR_HIGH, args=(f,), xtol=1e-12, rtol=1e-12, maxiter=200))


def _no_irr(flows: np.ndarray) -> str:
    signs = np.sign(flows[flows != 0])
    if signs.size == 0 or np.all(signs == signs[0]):
        which = "positive" if signs.size and signs[0] > 0 else "negative"
        return f"IRR undefined: every year's net cash flow is {which}"
    if np.count_nonzero(np.diff(signs)) > 1:
        return "IRR undefined: the cash flows change sign more than once (several rates or none)"
    return "IRR undefined: no rate between -99% and 1,000% a year makes the NPV zero"


def payback(flows: Sequence[float] | np.ndarray) -> float:
    """Years from the start of the first year until the cumulative flow turns non-negative,
    interpolated within the year it crosses (flows spread evenly over their year): the sum
    over the years of 1 for a year that ends below zero and, for the year it crosses, the
    share of that year's flow it takes. NaN if it never turns, or turns back below zero (then
    no one year is the payback)."""
    f = np.asarray(flows, dtype=float)
    cum = np.cumsum(f)
    below = cum < 0
    if below[-1] or np.count_nonzero(np.diff(below.astype(int)) == 1):
        return float("nan")
    return float(np.sum(payback_parts(f)))


def payback_parts(flows: np.ndarray) -> np.ndarray:
    """Each year's part of the payback (see :func:`payback`): 1 for a year that ends with the
    cumulative flow below zero, the crossing share for the year it turns, 0 after."""
    cum = np.cumsum(flows)
    before = cum - flows
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing = np.where(before < 0, -before / flows, 0.0)
    return np.where(cum < 0, 1.0, crossing)


def _sum_present(values: Iterable[pint.Quantity | None]) -> pint.Quantity | None:
    """The sum of the years that have the amount (None when none has): a year without it,
    before a cohort is bought or after it is retired, adds nothing rather than a zero of
    some unit."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    total = present[0]
    for v in present[1:]:
        total = total + v
    return total
