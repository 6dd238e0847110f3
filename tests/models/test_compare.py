"""Cost per FLOP across chips."""

import pytest

from flopbook.errors import InputError, UnitMismatchError
from flopbook.models.compare import compare
from flopbook.quantity import magnitudes


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
