"""Debt and lease financing in the yearly cash flows: the loan's schedule, equity's cash
flows beside the project's, a lease instead of capex, and bad financing refused."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopbook.errors import InputError
from flopbook.models.fleet import Fleet


def fleet(financing=None, *, rate="12%", start=2024, end=2030, acquired=(2024, 2025.5)):
    return Fleet(
        [
            {
                "chip": "H100",
                "server_cost_per_gpu": "35k USD/GPU",
                "rental_price": "2.2 USD/GPU/hour",
                "cohorts": [{"acquired": a, "count": "1000 GPU"} for a in acquired],
            }
        ],
        {"utilisation": "70%", "useful_life": "4 years", "cost_of_capital": rate},
        period={"start": start, "end": end},
        financing=financing,
    )


def by_year(flows, key):
    return np.array([float(flows.get(key, c).to("USD").magnitude[0]) for c in flows.columns])


def total(flows, key):
    return float(flows.get(key).to("USD").magnitude[0])


def test_an_amortising_loan_pays_equal_instalments_of_principal_and_interest():
    # 60% of one cohort's $40.25M capex (35k + 15% networking ... per GPU), 8% over 4 years
    flows = fleet({"debt": "60%", "debt_rate": "8%", "debt_term": "4 years"}, acquired=(2024,))
    flows = flows.run().cash_flows
    drawn = by_year(flows, "debt_drawn")
    loan = drawn[0]
    assert drawn[1:].tolist() == [0] * 6
    payment = loan * 0.08 / (1 - 1.08**-4)
    paid = by_year(flows, "interest_paid") + by_year(flows, "principal_repaid")
    assert paid[0] == 0 and paid[5:].tolist() == [0, 0]
    assert paid[1:5] == pytest.approx([payment] * 4, rel=1e-12)
    assert by_year(flows, "interest_paid")[1] == pytest.approx(loan * 0.08, rel=1e-12)
    assert total(flows, "principal_repaid") == pytest.approx(loan, rel=1e-12)


def test_a_bullet_loan_pays_interest_each_year_and_the_principal_at_the_end():
    flows = (
        fleet(
            {
                "debt": "20k USD/GPU",
                "debt_rate": "10%",
                "debt_term": "3 years",
                "debt_balloon": "100%",
            },
            acquired=(2024,),
        )
        .run()
        .cash_flows
    )
    loan = 20e3 * 1000
    assert by_year(flows, "debt_drawn")[0] == pytest.approx(loan)
    assert by_year(flows, "interest_paid")[:5] == pytest.approx([0, 2e6, 2e6, 2e6, 0])
    assert by_year(flows, "principal_repaid")[:5] == pytest.approx([0, 0, 0, loan, 0])


def test_what_is_owed_when_the_period_ends_is_repaid_in_its_last_year():
    flows = fleet({"debt": "100%", "debt_term": "6 years"}, end=2026, acquired=(2024,))
    flows = flows.run().cash_flows
    assert total(flows, "principal_repaid") == pytest.approx(total(flows, "debt_drawn"), rel=1e-12)
    assert by_year(flows, "principal_repaid")[-1] > by_year(flows, "principal_repaid")[1]


def test_without_financing_there_are_no_loan_or_equity_lines():
    flows = fleet().run().cash_flows
    assert not flows.has_debt and flows.equity_npv() is None
    assert "equity" not in flows.to_dict()
    for key in ("debt_drawn", "interest_paid", "principal_repaid", "lease_paid"):
        assert not flows.known(key)


def test_a_lease_replaces_capex_and_the_sale():
    flows = fleet({"lease": "9k USD/GPU/year"}, acquired=(2024,)).run().cash_flows
    assert not flows.known("capex_paid") and not flows.known("sale")
    lease = by_year(flows, "lease_paid")
    assert lease[:4] == pytest.approx([9e6] * 4) and lease[4:].tolist() == [0, 0, 0]
    cf = by_year(flows, "cash_flow")
    expected = by_year(flows, "revenue_earned") - lease - by_year(flows, "opex_paid")
    assert cf == pytest.approx(expected, rel=1e-12)


def test_a_lease_term_shorter_than_the_service_stops_the_payments():
    flows = fleet({"lease": "750 USD/GPU/month", "lease_term": "2 years"}, acquired=(2024,))
    lease = by_year(flows.run().cash_flows, "lease_paid")
    assert lease[:3] == pytest.approx([9e6, 9e6, 0])


@settings(max_examples=40, deadline=None)
@given(
    share=st.sampled_from(["25%", "60%", "100%", "12k USD/GPU"]),
    term=st.integers(1, 8),
    balloon=st.sampled_from(["0%", "40%", "100%"]),
    end=st.integers(2025, 2034),
    second=st.sampled_from([2024.25, 2024.5, 2025]),
)
def test_a_zero_rate_loan_changes_the_sum_of_the_cash_flows_by_nothing(
    share, term, balloon, end, second
):
    # what is drawn is repaid, with no interest: equity's flows add up to the project's
    financing = {"debt": share, "debt_rate": "0%", "debt_term": f"{term} years"}
    financing["debt_balloon"] = balloon
    flows = fleet(financing, end=end, acquired=(2024, second)).run().cash_flows
    assert total(flows, "equity_cash_flow") == pytest.approx(
        total(flows, "cash_flow"), rel=1e-9, abs=1e-3
    )
    assert total(flows, "principal_repaid") == pytest.approx(total(flows, "debt_drawn"), rel=1e-9)
    assert total(flows, "interest_paid") == pytest.approx(0, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    share=st.sampled_from(["30%", "100%", "15k USD/GPU"]),
    rate=st.integers(0, 20),
    term=st.integers(1, 8),
    balloon=st.sampled_from(["0%", "50%", "100%"]),
    end=st.integers(2025, 2034),
)
def test_discounted_at_the_loan_rate_equity_is_worth_what_the_project_is(
    share, rate, term, balloon, end
):
    # the loan's own flows (drawn, then interest and principal, the rest repaid at the end)
    # are worth nothing at its rate, so with the cost of capital at that rate equity's NPV is
    # the project's, however much is borrowed
    pct = f"{rate}%"
    financing = {"debt": share, "debt_rate": pct, "debt_term": f"{term} years"}
    financing["debt_balloon"] = balloon
    flows = fleet(financing, rate=pct, end=end).run().cash_flows
    project = float(flows.npv().to("USD").magnitude[0])
    equity = float(flows.equity_npv().to("USD").magnitude[0])
    assert equity == pytest.approx(project, rel=1e-9, abs=1e-2)


def test_a_fully_debt_financed_fleet_at_the_debt_rate():
    flows = fleet({"debt": "100%", "debt_rate": "9%"}, rate="9%").run().cash_flows
    d = flows.to_dict()
    assert d["equity"]["npv"]["value"] == pytest.approx(d["npv"]["value"], rel=1e-9)


@pytest.mark.parametrize(
    ("financing", "field", "says"),
    [
        ({"debt": "60%", "lease": "9k USD/GPU/year"}, "financing.lease", "both debt and a lease"),
        ({"debt": "150%"}, "financing.debt", "more than the capex"),
        ({"debt_rate": "8%"}, "financing.debt", "needs debt or a lease"),
        ({"lease": "9k USD/GPU/year", "debt_term": "3 years"}, "financing.debt_term", "a loan"),
        ({"debt": "60%", "colour": "red"}, "financing.colour", "unknown field"),
        ({"debt": "60%", "debt_rate": "-100%"}, "debt_rate", "above"),
        ({"debt": "60%", "debt_term": "0 years"}, "debt_term", "at least"),
        ({}, "financing", "needs debt or a lease"),
    ],
)
def test_bad_financing_is_refused_naming_the_field(financing, field, says):
    with pytest.raises(InputError) as found:
        fleet(financing)
    assert (found.value.field or "").endswith(field), found.value.field
    assert says in str(found.value)


def test_financing_needs_a_period():
    with pytest.raises(InputError, match="no period"):
        Fleet(fleet().skus, financing={"debt": "50%"})


def test_a_financed_file_in_the_terminal_json_and_a_bad_one_exits_2(cli, write):
    text = """
name: financed
period: {start: 2024, end: 2028}
financing: {debt: 60%, debt_rate: 8%, debt_term: 4 years}
skus:
  - chip: H100
    server_cost_per_gpu: 35k USD/GPU
    rental_price: 2.2 USD/GPU/hour
    cohorts: [{acquired: 2024, count: 1024}]
"""
    out = cli("fleet", str(write(text, "financed.yaml")))
    assert out.code == 0, out.err
    assert "Cash flow to equity" in out.out and "NPV to equity at 10.0%" in out.out
    assert "Lease payments" not in out.out
    js = cli("fleet", str(write(text, "financed.yaml")), "--format", "json")
    import json

    d = json.loads(js.out)["cash_flows"]
    assert {"npv", "irr", "irr_undefined"} <= set(d["equity"])
    bad = cli("fleet", str(write(text.replace("debt: 60%", "debt: 160%"), "bad.yaml")))
    assert bad.code == 2 and not bad.out
    lines = [ln for ln in bad.err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "bad.yaml:4" in lines[0] and "financing.debt" in lines[0], bad.err
