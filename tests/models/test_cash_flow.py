"""Yearly cash flows of a fleet: cohorts, retirements, sales at book value, NPV, IRR, payback."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopbook.errors import InputError
from flopbook.models.cash_flow import irr, npv, payback
from flopbook.models.fleet import Fleet


def usd(result, key, column):
    v = result.get(key, column)
    unit = "USD/year" if v is not None and v.check("[currency]/[time]") else "USD"
    return None if v is None else float(np.mean(v.to(unit).magnitude))


def neocloud(**assumptions):
    return Fleet(
        [
            {
                "chip": "H100",
                "server_cost_per_gpu": "35k USD/GPU",
                "rental_price": "2.2 USD/GPU/hour",
                "cohorts": [
                    {"acquired": 2024, "count": "1024 GPU"},
                    {"acquired": 2025, "count": "2048 GPU", "server_cost_per_gpu": "30k USD/GPU"},
                    {"acquired": 2026.5, "count": "1024 GPU", "retired": 2028},
                ],
            }
        ],
        {"utilisation": "70%", "useful_life": "4 years", "residual_value": "10%", **assumptions},
        period={"start": 2024, "end": 2028},
    )


def test_cohorts_are_columns_that_add_up_to_the_sku():
    r = neocloud().run()
    assert r.columns == ["H100 2024", "H100 2025", "H100 2026.5"]
    gpus = [float(r.get("gpus", c).magnitude[0]) for c in r.columns]
    assert gpus == [1024, 2048, 1024]
    assert float(r.get("gpus").magnitude[0]) == 4096
    assert r.get("capex", "H100 2025").to("USD").magnitude[0] == pytest.approx(2048 * 30e3 * 1.18)


def test_a_cohort_pays_capex_when_bought_and_runs_until_retired():
    flows = neocloud().run().cash_flows
    r = neocloud().run()
    capex = [usd(r, "capex", c) for c in r.columns]
    assert usd(flows, "capex_paid", "2024") == pytest.approx(capex[0])
    assert usd(flows, "capex_paid", "2025") == pytest.approx(capex[1])
    assert usd(flows, "capex_paid", "2026") == pytest.approx(capex[2])
    assert usd(flows, "capex_paid", "2027") == 0
    gpus = [float(flows.get("gpus_in_service", str(y)).magnitude[0]) for y in range(2024, 2029)]
    # the 2026.5 cohort runs half of 2026 and all 2027, and is retired at the start of 2028;
    # the 2024 cohort's four years end with 2027
    assert gpus == pytest.approx([1024, 3072, 3072 + 512, 4096, 2048])
    # opex follows the GPUs in service
    opex = usd(r, "opex", "H100 2026.5")
    assert usd(flows, "opex_paid", "2026") == pytest.approx(
        usd(r, "opex", "H100 2024") + usd(r, "opex", "H100 2025") + opex / 2
    )


def test_sales_at_book_value_in_the_year_of_retirement_or_at_the_end():
    r = neocloud().run()
    flows = r.cash_flows
    c24, c25, c26 = (usd(r, "capex", c) for c in r.columns)
    # 2024's cohort: a full life, sold for its residual at the end of 2027; 2026.5's: retired
    # after 1.5 of its 4 years, sold at capex x (1 - 0.9 x 1.5 / 4)
    assert usd(flows, "sale", "2027") == pytest.approx(0.1 * c24 + c26 * (1 - 0.9 * 1.5 / 4))
    # 2025's: still running when the period ends (end of 2028), at its residual
    assert usd(flows, "sale", "2028") == pytest.approx(0.1 * c25)
    assert flows.get("gpus_in_service") is None  # a stock is not summed over years


def test_npv_is_the_sum_of_present_values_and_irr_makes_it_zero():
    flows = neocloud(cost_of_capital="12%").run().cash_flows
    cf = flows.flows()[:, 0]
    assert usd(flows, "present_value", "Total") == pytest.approx(npv(0.12, cf))
    rates, why = flows.irr()
    assert why is None
    assert npv(float(rates[0]), cf) == pytest.approx(0, abs=1e-3)


def test_no_revenue_means_no_irr_said_plainly():
    f = Fleet(
        [{"chip": "H100", "count": "10 GPU", "server_cost_per_gpu": "35k USD/GPU"}],
        period={"start": 2024, "end": 2026},
    )
    d = f.run().cash_flows.to_dict()
    assert d["irr"] is None
    assert "rental_price" in d["irr_undefined"]
    assert d["npv"]["value"] < 0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=12),
    st.floats(0, 0.5),
    st.floats(0, 0.5),
)
def test_npv_falls_as_the_rate_rises_for_spend_then_earn(flows, r1, r2):
    # money out first, then in: a higher rate discounts the later income more
    spend = -abs(flows[0]) - 1
    earn = [abs(x) for x in flows[1:]]
    series = [spend, *earn]
    lo, hi = sorted((r1, r2))
    assert npv(hi, series) <= npv(lo, series) + 1e-6


@settings(max_examples=60, deadline=None)
@given(
    st.floats(1e3, 1e9),
    st.lists(st.floats(1e2, 1e9), min_size=1, max_size=10),
)
def test_irr_makes_npv_zero(spend, earnings):
    series = [-spend, *earnings]
    rate = irr(series)
    if math.isnan(rate):  # a return beyond -99% or 1,000% a year is not searched for
        assert npv(10.0, series) > 0 or npv(-0.99, series) <= 0
    else:
        assert abs(npv(rate, series)) <= 1e-6 * (spend + sum(earnings))


def test_irr_undefined_when_the_sign_never_changes_or_changes_twice():
    assert math.isnan(irr([-1, -2, -3]))
    assert math.isnan(irr([1, 2, 3]))
    assert math.isnan(irr([-100, 230, -132]))  # two sign changes: rates of 10% and 20%


def test_payback_by_hand():
    # years from the start of the first year: its own flows take that whole year
    assert payback([-100, 50, 50, 50]) == pytest.approx(3.0)
    assert payback([-100, 40, 40, 40]) == pytest.approx(3 + 20 / 40)
    assert payback([10, 10]) == 0.0
    assert math.isnan(payback([-100, 10, 10]))


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({"start": 2025, "end": 2028}, "acquired in 2024"),
        ({"start": 2020, "end": 2025}, "acquired in 2026.5"),
        ({"start": 2028, "end": 2024}, "before it starts"),
        ({"start": 2024}, "needs a start and an end"),
        ({"start": 2024.5, "end": 2028}, "not a whole year"),
    ],
)
def test_bad_periods_are_refused(period, message):
    with pytest.raises(InputError, match=message):
        Fleet(neocloud().skus, period=period)


def test_a_cohort_file_in_the_terminal_and_json(cli, write):
    path = write(
        """
name: neocloud
period: {start: 2024, end: 2027}
skus:
  - chip: H100
    server_cost_per_gpu: 35k USD/GPU
    rental_price: 2.2 USD/GPU/hour
    cohorts:
      - {acquired: 2024, count: 1024}
      - {acquired: 2025, count: 1024}
""",
        "neo.yaml",
    )
    out = cli("fleet", str(path))
    assert out.code == 0, out.err
    assert "Cash flows by year" in out.out and "NPV at 10.0%" in out.out
    js = cli("fleet", str(path), "--format", "json")
    d = json.loads(js.out)["cash_flows"]
    assert d["columns"] == ["2024", "2025", "2026", "2027", "Total"]
    assert d["cohorts"] == ["H100 2024", "H100 2025"]


@pytest.mark.parametrize(
    ("sku", "where", "message"),
    [
        ("cohorts: [{acquired: 2024}]", "skus[0].cohorts[0]", "a cohort needs count"),
        ("cohorts: [{count: 5}]", "skus[0].cohorts[0]", "a cohort needs acquired"),
        ("count: 5\n    cohorts: [{count: 5, acquired: 2024}]", "skus[0].count", "both count"),
        (
            "cohorts: [{count: 5, acquired: 2024, retired: 2023}]",
            "skus[0].cohorts[0].retired",
            "before the year acquired",
        ),
        ("cohorts: [{count: 5, acquired: 2024, colour: red}]", "colour", "colour"),
        ("server_cost_per_gpu: 1 USD/GPU", "skus[0]", "missing required field 'count'"),
    ],
)
def test_bad_cohorts_are_one_line_with_exit_2(cli, write, sku, where, message):
    path = write(
        f"""
skus:
  - chip: H100
    server_cost_per_gpu: 35k USD/GPU
    {sku}
""".replace(
            "    server_cost_per_gpu: 35k USD/GPU\n    server_cost_per_gpu: 1 USD/GPU",
            "    server_cost_per_gpu: 1 USD/GPU",
        ),
    )
    out = cli("fleet", str(path))
    assert out.code == 2, out.err
    lines = [ln for ln in out.err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in out.err and not out.out, out.err
    assert where in lines[0] and message in lines[0], lines[0]


def test_months_are_dates_in_every_date_field():
    f = Fleet(
        [
            {
                "chip": "H100",
                "server_cost_per_gpu": "35k USD/GPU",
                "as_of": "2026-01",
                "cohorts": [
                    {"acquired": "2024-03", "count": "366 GPU"},
                    {"acquired": "2025-Q3", "count": "100 GPU", "retired": "2027-06-30"},
                ],
            }
        ],
        period={"start": 2024, "end": 2027},
    )
    r = f.run()
    assert r.columns == ["H100 2024-03", "H100 2025-Q3"]
    acquired = f.skus[0].inputs["acquired"].value.to("year").magnitude
    assert acquired == pytest.approx(2024 + 60 / 366)
    flows = r.cash_flows
    # the March cohort runs 306 of 2024's 366 days
    gpus = float(flows.get("gpus_in_service", "2024").magnitude[0])
    assert gpus == pytest.approx(366 * 306 / 366)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("acquired", "2024-13", "is not a date"),
        ("prices_of", "2024-03", "annual average"),
    ],
)
def test_bad_month_dates_are_refused(field, value, message):
    fields = {"chip": "H100", "count": "1 GPU", "server_cost_per_gpu": "1 USD/GPU", field: value}
    with pytest.raises(InputError, match=message):
        Fleet([fields], dollars_of=2024)


def test_dollars_of_a_month_is_refused_plainly():
    fields = {"chip": "H100", "count": "1 GPU", "server_cost_per_gpu": "1 USD/GPU"}
    with pytest.raises(InputError, match="annual average"):
        Fleet([{**fields, "prices_of": 2020}], dollars_of="2024-12")


@settings(max_examples=20, deadline=None)
@given(
    counts=st.lists(st.integers(1, 5000), min_size=1, max_size=4),
    offsets=st.lists(st.sampled_from([0, 0.25, 0.5, 1, 2]), min_size=4, max_size=4),
    life=st.integers(1, 6),
)
def test_cohorts_add_up_to_the_fleet_and_their_capex_to_the_cash_flows(counts, offsets, life):
    cohorts = [
        {"acquired": 2024 + offsets[i], "count": f"{n} GPU", "name": f"c{i}"}
        for i, n in enumerate(counts)
    ]
    sku = {"chip": "H100", "server_cost_per_gpu": "35k USD/GPU", "rental_price": "2 USD/GPU/hour"}
    assumptions = {"useful_life": f"{life} years"}
    by_cohort = Fleet(
        [{**sku, "cohorts": cohorts}], assumptions, period={"start": 2024, "end": 2031}
    )
    whole = Fleet([{**sku, "count": f"{sum(counts)} GPU"}], assumptions).run()
    r = by_cohort.run()
    for key, unit in (("gpus", "GPU"), ("capex", "USD"), ("tco_per_year", "USD/year")):
        assert float(r.get(key).to(unit).magnitude[0]) == pytest.approx(
            float(whole.get(key).to(unit).magnitude[0])
        )
    flows = r.cash_flows
    assert usd(flows, "capex_paid", "Total") == pytest.approx(usd(r, "capex", "Total"))
    # every GPU-hour used is in exactly one year: every cohort ends by 2024 + 2 + 6, the
    # end of the period
    hours = float(flows.get("gpu_hours_used").to("GPU*hour").magnitude[0])
    per_year = float(r.get("used_gpu_hours").to("GPU*hour/year").magnitude[0])
    assert hours == pytest.approx(per_year * life)
