"""Cost per FLOP across chips."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopbook.errors import InputError, UnitMismatchError
from flopbook.models.compare import chip_outputs, compare
from flopbook.quantity import Quantity, magnitudes


def mean(x, unit):
    return float(magnitudes(x, unit).mean())


def test_cost_and_watts_per_pflop_and_matching_counts():
    c = compare(["H100", "H20"], prices={"H100": "2 USD/GPU/hour", "H20": "1 USD/GPU/hour"})
    h100, h20 = c.rows
    # catalog: H100 989 TFLOP/s BF16 dense at 700 W; H20 148 TFLOP/s at 400 W
    assert mean(h100.cost_per_pflop, "USD/(PFLOP/s*hour)") == pytest.approx(2 / 0.989)
    assert mean(h20.watts_per_pflop, "W/(PFLOP/s)") == pytest.approx(400 / 0.148)
    assert c.ratio("H20") == pytest.approx((1 / 0.148) / (2 / 0.989))
    match = c.matches[0]
    assert mean(match.count, "GPU") == pytest.approx(1000 * 989 / 148)
    assert mean(match.power, "kW") == pytest.approx(1000 * 989 / 148 * 0.4)
    assert mean(match.money, "USD/hour") == pytest.approx(1000 * 989 / 148)


def test_owned_prices_come_from_the_fleet_model():
    c = compare(["H100", "Ascend 910C"], price_kind="owned")
    assert all(r.price is not None and "fleet model" in r.price_source for r in c.rows)
    assert c.rows[1].chip == "Ascend910C"


def test_capital_prices_give_cost_per_pflops():
    c = compare(["H100", "H20"], prices={"H100": "30k USD/GPU", "H20": "12k USD/GPU"})
    assert mean(c.rows[1].cost_per_pflop, "USD/(PFLOP/s)") == pytest.approx(12e3 / 0.148)


def test_mixing_hourly_and_capital_prices_is_not_comparable():
    with pytest.raises(UnitMismatchError, match="cannot compare H100's price per GPU-hour"):
        compare(["H100", "H20"], prices={"H100": "2 USD/GPU/hour", "H20": "12k USD/GPU"})


def test_bad_input():
    with pytest.raises(InputError, match="unknown chip"):
        compare(["H100", "H2O"])
    with pytest.raises(InputError, match="no fp8_dense peak for Ascend910C"):
        compare(["H100", "Ascend910C"], precision="fp8")
    with pytest.raises(UnitMismatchError, match="not a price"):
        compare(["H100", "H20"], prices={"H20": "5 W"})
    with pytest.raises(InputError, match="at least two"):
        compare(["H100"])


# ---- the declaration against plain unit arithmetic ---------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0.1, 20),
    st.floats(50, 5000),
    st.floats(50, 2000),
    st.floats(0.1, 20),
    st.floats(50, 5000),
    st.integers(1, 100_000),
    st.booleans(),
)
def test_a_chips_figures_are_plain_unit_arithmetic(
    price, peak, tdp, ref_price, ref_peak, n, hourly
):
    unit = "USD/GPU/hour" if hourly else "kUSD/GPU"
    p, k, w = Quantity(price, unit), Quantity(peak, "TFLOP/s"), Quantity(tdp, "W")
    rp, rk, count = Quantity(ref_price, unit), Quantity(ref_peak, "TFLOP/s"), Quantity(n, "GPU")
    out = chip_outputs(p, k, w, reference_price=rp, reference_peak=rk, count=count)
    gpu = Quantity(1, "GPU")
    per = "USD/(PFLOP/s*hour)" if hourly else "USD/(PFLOP/s)"
    key = "cost_per_pflop_hour" if hourly else "cost_per_pflop_capacity"
    money = "match_money_hourly" if hourly else "match_money_capital"
    matched = count * rk / k
    want = {
        key: (p * gpu / k).to(per),
        "relative_cost": ((p / k) / (rp / rk)).to(""),
        "watts_per_pflop": (w / k).to("W/(PFLOP/s)"),
        "match_count": matched.to("GPU"),
        "match_power": (w * matched / gpu).to("kW"),
        money: (p * matched).to("USD/hour" if hourly else "USD"),
    }
    for name, value in want.items():
        got = out[name]
        assert got is not None, name
        assert float(magnitudes(got, f"{value.units}")[0]) == pytest.approx(
            float(magnitudes(value)[0]), rel=1e-12
        ), name
    other = "cost_per_pflop_capacity" if hourly else "cost_per_pflop_hour"
    assert out[other] is None  # an hourly price has no capital cost per FLOP/s, and back
