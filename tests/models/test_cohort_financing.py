"""Financing per purchase cohort, a cost of equity of its own, and a leased cohort's
steady year seen by the lessee; bad cohort financing refused naming file, line and field."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopbook.errors import InputError
from flopbook.models.cash_flow import irr, npv
from flopbook.models.fleet import Fleet
from flopbook.sensitivity import input_label


def fleet(cohorts, financing=None, *, rate="12%", end=2030, price="2.2 USD/GPU/hour"):
    return Fleet(
        [
            {
                "chip": "H100",
                "server_cost_per_gpu": "35k USD/GPU",
                "rental_price": price,
                "cohorts": cohorts,
            }
        ],
        {"utilisation": "70%", "useful_life": "4 years", "cost_of_capital": rate},
        period={"start": 2024, "end": end},
        financing=financing,
    )


def by_year(flows, key, cohort=None):
    return np.array(
        [
            float(
                (flows.by_year[c].get(key, cohort) if cohort else flows.get(key, c))
                .to("USD")
                .magnitude[0]
            )
            for c in flows.columns
        ]
    )


def total(flows, key):
    return float(flows.get(key).to("USD").magnitude[0])


def first(q, unit="USD"):
    return float(np.atleast_1d(q.to(unit).magnitude)[0])


def test_a_cohort_loan_is_drawn_in_its_purchase_year_at_its_own_rate_and_term():
    cohorts = [
        {"acquired": 2024, "count": "1000 GPU"},
        {
            "acquired": 2026,
            "count": "1000 GPU",
            "financing": {"debt": "70%", "debt_rate": "6%", "debt_term": "2 years"},
        },
    ]
    result = fleet(cohorts, {"debt": "50%", "debt_rate": "9%", "debt_term": "4 years"}).run()
    flows = result.cash_flows
    capex = [first(result.get("capex", c)) for c in result.columns]
    # the fleet-wide loan is the default for the first cohort; the second draws its own
    assert by_year(flows, "debt_drawn", "H100 2024")[0] == pytest.approx(0.5 * capex[0])
    drawn = by_year(flows, "debt_drawn", "H100 2026")
    assert drawn[2] == pytest.approx(0.7 * capex[1]) and drawn.sum() == pytest.approx(drawn[2])
    paid = by_year(flows, "interest_paid", "H100 2026") + by_year(
        flows, "principal_repaid", "H100 2026"
    )
    payment = drawn[2] * 0.06 / (1 - 1.06**-2)
    assert paid[3:5] == pytest.approx([payment] * 2, rel=1e-12)
    assert paid[:3].tolist() == [0, 0, 0] and paid[5:].tolist() == [0, 0]
    first_interest = by_year(flows, "interest_paid", "H100 2024")[1]
    assert first_interest == pytest.approx(0.5 * capex[0] * 0.09, rel=1e-12)


def test_a_cohort_without_a_loan_in_a_borrowing_fleet_gives_equity_its_cash_flow():
    cohorts = [
        {"acquired": 2024, "count": "1000 GPU", "financing": {"debt": "60%"}},
        {"acquired": 2025, "count": "500 GPU"},
        {
            "acquired": 2025,
            "count": "500 GPU",
            "name": "leased",
            "financing": {"lease": "9k USD/GPU/year"},
        },
    ]
    flows = fleet(cohorts).run().cash_flows
    assert flows.has_debt
    for name in ("H100 2025", "leased"):
        assert by_year(flows, "equity_cash_flow", name) == pytest.approx(
            by_year(flows, "cash_flow", name), rel=1e-12
        )
        assert flows.by_year["2025"].get("debt_drawn", name) is None
    expected = (
        by_year(flows, "cash_flow")
        + by_year(flows, "debt_drawn")
        - by_year(flows, "interest_paid")
        - by_year(flows, "principal_repaid")
    )
    assert by_year(flows, "equity_cash_flow") == pytest.approx(expected, rel=1e-9)
    # only the owned cohorts pay capex; the leased one pays its lease
    assert by_year(flows, "lease_paid")[1] == pytest.approx(9e3 * 500 * 1.0)


def test_a_fleet_of_cohort_loans_alone_and_a_cost_of_equity_alone():
    cohorts = [{"acquired": 2024, "count": "1000 GPU", "financing": {"debt": "60%"}}]
    flows = fleet(cohorts, {"cost_of_equity": "18%"}).run().cash_flows
    d = flows.to_dict()["equity"]
    assert d["cost_of_equity"]["value"] == pytest.approx(0.18)
    eq = by_year(flows, "equity_cash_flow")
    assert d["npv"]["value"] == pytest.approx(npv(0.18, eq), rel=1e-12)


def test_the_wacc_weighs_each_loan_at_its_rate_and_the_rest_at_the_cost_of_equity():
    cohorts = [
        {"acquired": 2024, "count": "1000 GPU"},
        {"acquired": 2025, "count": "1000 GPU", "financing": {"debt": "80%", "debt_rate": "5%"}},
    ]
    result = fleet(cohorts, {"debt": "40%", "debt_rate": "10%", "cost_of_equity": "20%"}).run()
    capex = sum(first(result.get("capex", c)) for c in result.columns)
    c1, c2 = (first(result.get("capex", c)) for c in result.columns)
    loans = 0.4 * c1 * 0.10 + 0.8 * c2 * 0.05
    expected = (loans + (capex - 0.4 * c1 - 0.8 * c2) * 0.20) / capex
    wacc = float(np.atleast_1d(result.cash_flows.wacc().to("").magnitude)[0])
    assert wacc == pytest.approx(expected, rel=1e-12)
    assert result.cash_flows.to_dict()["equity"]["wacc"]["value"] == pytest.approx(expected)


def test_without_a_cost_of_equity_nothing_is_added_to_the_json():
    flows = fleet([{"acquired": 2024, "count": "10 GPU"}], {"debt": "50%"}).run().cash_flows
    assert set(flows.to_dict()["equity"]) == {"npv", "irr", "irr_undefined"}
    assert flows.wacc() is None


@settings(max_examples=30, deadline=None)
@given(
    share=st.sampled_from(["25%", "60%", "100%", "12k USD/GPU"]),
    term=st.integers(1, 8),
    balloon=st.sampled_from(["0%", "40%", "100%"]),
    end=st.integers(2025, 2034),
    second=st.sampled_from([2024.25, 2024.5, 2025]),
    fleet_wide=st.sampled_from(
        [None, {"debt": "50%", "debt_rate": "0%"}, {"lease": "8k USD/GPU/year"}]
    ),
)
def test_a_zero_rate_cohort_loan_leaves_the_sum_of_the_cash_flows_unchanged(
    share, term, balloon, end, second, fleet_wide
):
    own = {"debt": share, "debt_rate": "0%", "debt_term": f"{term} years"}
    own["debt_balloon"] = balloon
    cohorts = [
        {"acquired": 2024, "count": "1000 GPU"},
        {"acquired": second, "count": "700 GPU", "name": "own loan", "financing": own},
    ]
    flows = fleet(cohorts, fleet_wide, end=end).run().cash_flows
    assert total(flows, "equity_cash_flow") == pytest.approx(
        total(flows, "cash_flow"), rel=1e-9, abs=1e-3
    )
    assert total(flows, "interest_paid") == pytest.approx(0, abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(
    rate=st.integers(0, 25),
    debt=st.sampled_from(["30%", "100%", "15k USD/GPU"]),
    own=st.booleans(),
    end=st.integers(2025, 2032),
)
def test_a_cost_of_equity_equal_to_the_cost_of_capital_gives_todays_equity_npv(
    rate, debt, own, end
):
    pct = f"{rate}%"
    loan = {"debt": debt, "debt_rate": "7%"}
    cohorts = [
        {"acquired": 2024, "count": "1000 GPU", **({"financing": loan} if own else {})},
        {"acquired": 2025.5, "count": "300 GPU"},
    ]
    base = {} if own else loan
    today = fleet(cohorts, base or None, rate=pct, end=end).run().cash_flows
    equal = fleet(cohorts, {**base, "cost_of_equity": pct}, rate=pct, end=end).run().cash_flows
    assert first(equal.equity_npv()) == first(today.equity_npv())


@settings(max_examples=30, deadline=None)
@given(
    price=st.integers(150, 400),
    debt=st.sampled_from(["0%", "40%", "80%"]),
    leased=st.booleans(),
    end=st.integers(2026, 2032),
)
def test_the_npv_at_the_irr_is_zero(price, debt, leased, end):
    cohorts = [
        {"acquired": 2024, "count": "1000 GPU"},
        {"acquired": 2025, "count": "500 GPU", "financing": {"debt": debt, "debt_rate": "6%"}},
    ]
    if leased:
        cohorts.append({"acquired": 2025, "count": "200 GPU", "name": "leased"})
        cohorts[-1]["financing"] = {"lease": "8k USD/GPU/year"}
    flows = fleet(cohorts, end=end, price=f"{price / 100} USD/GPU/hour").run().cash_flows
    for key in ("cash_flow", "equity_cash_flow"):
        series = flows.flows(key)[:, 0]
        rate = irr(series)
        if np.isnan(rate):
            continue
        scale = float(np.max(np.abs(series)))
        assert abs(npv(rate, series)) <= 1e-9 * scale


def test_a_leased_cohort_costs_the_lessee_its_lease_and_its_opex():
    cohorts = [
        {"acquired": 2024, "count": "1000 GPU"},
        {
            "acquired": 2024,
            "count": "1000 GPU",
            "name": "leased",
            "financing": {"lease": "9k USD/GPU/year"},
        },
    ]
    result = fleet(cohorts).run()
    assert result.leased == ["leased"]
    lease = first(result.get("capital_cost", "leased"), "USD/year")
    assert lease == pytest.approx(9e3 * 1000)
    opex = first(result.get("opex", "leased"), "USD/year")
    assert first(result.get("tco_per_year", "leased"), "USD/year") == pytest.approx(lease + opex)
    hours = 1000 * 8766 * 0.7
    cost = float(result.get("cost_per_gpu_hour", "leased").to("USD/GPU/hour").magnitude[0])
    assert cost == pytest.approx((lease + opex) / hours)
    # the hardware's own figures stay beside it, and the owned cohort is unchanged
    assert first(result.get("depreciation", "leased"), "USD/year") == first(
        result.get("depreciation", "H100 2024"), "USD/year"
    )
    assert first(result.get("capital_cost", "H100 2024"), "USD/year") == first(
        result.get("depreciation", "H100 2024"), "USD/year"
    )


def test_a_leased_fleet_shows_the_lease_as_its_capital_cost_in_the_terminal(cli, write):
    text = """
name: leased
period: {start: 2024, end: 2026}
financing: {lease: 9k USD/GPU/year}
skus:
  - {chip: H100, server_cost_per_gpu: 35k USD/GPU, count: 100}
"""
    out = cli("fleet", str(write(text, "leased.yaml")))
    assert out.code == 0, out.err
    assert "Capital cost per year ◂ in TCO" in out.out
    assert "the capital cost is the lease payment" in " ".join(out.out.split())


COHORT_FILE = """
name: cohorts
period: {start: 2024, end: 2028}
financing: {debt: 60%, cost_of_equity: 15%}
skus:
  - chip: H100
    server_cost_per_gpu: 35k USD/GPU
    rental_price: 2.2 USD/GPU/hour
    cohorts:
      - {acquired: 2024, count: 1024}
      - acquired: 2025
        count: 2048
        financing: {debt: 70%, debt_rate: 6%, debt_term: 3 years}
"""


def test_a_cohort_financed_file_in_the_terminal_and_json(cli, write):
    path = str(write(COHORT_FILE, "cohorts.yaml"))
    out = cli("fleet", path)
    assert out.code == 0, out.err
    assert "NPV to equity at 15.0% (cost of equity)" in out.out and "WACC implied" in out.out
    d = json.loads(cli("fleet", path, "--format", "json").out)["cash_flows"]
    assert {"cost_of_equity", "wacc"} <= set(d["equity"])


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "says"),
    [
        ("debt_term: 3 years", "debt_term: 0 years", 13, "financing.debt_term", "at least"),
        ("debt_term: 3 years", "debt_term: 31 years", 13, "financing.debt_term", "at most"),
        ("debt_rate: 6%", "debt_rate: -150%", 13, "financing.debt_rate", "above -100%"),
        ("debt: 70%", "debt: 150%", 13, "financing.debt", "more than the capex"),
        ("debt: 70%,", "debt: 70%, cost_of_equity: 9%,", 13, "cost_of_equity", "the fleet's"),
        (
            "debt: 70%,",
            "lease: 9k USD/GPU/year, debt: 70%,",
            13,
            "financing.lease",
            "both debt and a lease",
        ),
        ("financing: {debt: 60%, ", "financing: {", 4, "financing.cost_of_equity", "nothing is"),
        (
            "  - chip: H100\n    server",
            "  - server",
            6,
            "",
            "",
        ),
    ],
)
def test_bad_cohort_financing_is_one_line_naming_file_line_and_field(
    cli, write, old, new, line, field, says
):
    text = COHORT_FILE.replace(old, new)
    if field == "financing.cost_of_equity":  # no loan anywhere: drop the cohort's too
        text = text.replace("financing: {debt: 70%, debt_rate: 6%, debt_term: 3 years}", "")
    if not field:  # a lease on a cohort whose SKU names no chip
        text = text.replace(
            "debt: 70%, debt_rate: 6%, debt_term: 3 years", "lease: 9k USD/GPU/year"
        )
        field, says = "skus[0]", "chip"
    out = cli("fleet", str(write(text, "bad.yaml")))
    assert out.code == 2 and not out.out, out.out
    lines = [ln for ln in out.err.splitlines() if ln.strip()]
    assert len(lines) == 1, out.err
    assert f"bad.yaml:{line}" in lines[0] and field in lines[0] and says in lines[0], lines[0]


def test_a_cohort_loan_in_a_fleet_with_a_loan_changes_only_what_it_gives():
    cohorts = [
        {"acquired": 2024, "count": "1000 GPU"},
        {"acquired": 2024, "count": "1000 GPU", "name": "cheap", "financing": {"debt_rate": "5%"}},
    ]
    f = fleet(cohorts, {"debt": "50%", "debt_term": "3 years"})
    assert set(f.skus[1].own_financing) == {"debt_rate"}
    flows = f.run().cash_flows
    own = by_year(flows, "interest_paid", "cheap")
    base = by_year(flows, "interest_paid", "H100 2024")
    assert own[1] == pytest.approx(base[1] * 5 / 8, rel=1e-12)  # the fleet's 8% default
    assert own[4:].tolist() == [0, 0, 0] and base[4:].tolist() == [0, 0, 0]  # its 3 years
    assert "skus.cheap.financing.debt_rate" in dict(f.inputs())
    assert "skus.cheap.financing.debt_term" not in dict(f.inputs())


def test_a_cohort_loan_without_debt_in_a_fleet_without_a_loan_is_refused(cli, write):
    text = COHORT_FILE.replace("financing: {debt: 60%, cost_of_equity: 15%}\n", "").replace(
        "{debt: 70%, debt_rate: 6%, debt_term: 3 years}", "{debt_rate: 6%}"
    )
    out = cli("fleet", str(write(text, "bad.yaml")))
    lines = [ln for ln in out.err.splitlines() if ln.strip()]
    assert out.code == 2 and len(lines) == 1, out.err
    assert "bad.yaml:12" in lines[0] and "cohorts[1].financing.debt" in lines[0], lines[0]
    with pytest.raises(InputError, match="needs debt") as found:
        fleet([{"acquired": 2024, "count": "9 GPU", "financing": {"debt_rate": "6%"}}])
    assert found.value.field == "skus.H100 2024.financing.debt"


def test_bad_cohort_financing_from_python_names_the_cohort():
    with pytest.raises(InputError) as found:
        fleet([{"acquired": 2024, "count": "10 GPU", "financing": {"debt": "60%", "x": 1}}])
    assert found.value.field == "skus.H100 2024.financing.x"


def test_a_range_in_a_cohorts_financing_is_an_input_that_can_be_replaced():
    cohorts = [
        {"acquired": 2024, "count": "1000 GPU", "financing": {"debt": "40% to 60%"}},
    ]
    f = fleet(cohorts)
    names = dict(f.inputs())
    assert "skus.H100 2024.financing.debt" in names
    assert names["skus.H100 2024.financing.debt"].value.magnitude.size > 1
    fixed = f.with_inputs({"skus.H100 2024.financing.debt": 0.5}).run()
    capex = first(fixed.get("capex"))
    assert total(fixed.cash_flows, "debt_drawn") == pytest.approx(0.5 * capex)


def test_only_the_leased_cohort_of_a_fleet_with_a_cost_of_equity(cli, write):
    text = COHORT_FILE.replace(
        "{debt: 70%, debt_rate: 6%, debt_term: 3 years}", "{lease: 9k USD/GPU/year}"
    )
    out = cli("fleet", str(write(text, "f.yaml")), "--only", "H100 2025")
    assert out.code == 0, out.err
    assert "Lease payments" in out.out and "to equity" not in out.out


def test_a_lease_moves_the_lessees_tco_in_the_sensitivity(cli, write):
    assert input_label("financing.lease") == "Lease payment"
    assert input_label("skus.H100 2025.financing.debt_rate") == "H100 2025 interest rate"
    text = """
name: leased
period: {start: 2024, end: 2026}
financing: {lease: 8k to 10k USD/GPU/year}
skus:
  - {chip: H100, server_cost_per_gpu: 35k USD/GPU, count: 100}
"""
    out = cli("fleet", str(write(text, "leased.yaml")), "--sensitivity", "tco_per_year")
    assert out.code == 0, out.err
    assert "Lease payment" in out.out


def test_a_cohort_lease_in_a_leased_fleet_changes_only_its_term():
    cohorts = [
        {"acquired": 2024, "count": "100 GPU"},
        {
            "acquired": 2024,
            "count": "100 GPU",
            "name": "short",
            "financing": {"lease_term": "1 year"},
        },
    ]
    flows = fleet(cohorts, {"lease": "9k USD/GPU/year", "lease_term": "3 years"}).run().cash_flows
    assert by_year(flows, "lease_paid", "H100 2024")[:4] == pytest.approx([9e5] * 3 + [0])
    assert by_year(flows, "lease_paid", "short")[:2] == pytest.approx([9e5, 0])
    with pytest.raises(InputError, match="needs lease") as found:
        fleet([{"acquired": 2024, "count": "9 GPU", "financing": {"lease_term": "1 year"}}])
    assert found.value.field == "skus.H100 2024.financing.lease"
