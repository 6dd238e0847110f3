import numpy as np
import pytest

from flopbook.models.finance import annuity, annuity_factor, straight_line
from flopbook.quantity import q


def test_straight_line_spreads_capex_evenly():
    assert straight_line(q("1.6B USD"), q("4 years")).to("USD/year").magnitude[0] == 400e6


def test_annuity_factor_matches_the_textbook_value():
    # 10% over 4 years: 0.1 / (1 - 1.1^-4) = 0.315470...
    assert annuity_factor(np.array([0.10]), np.array([4.0]))[0] == pytest.approx(0.3154708, 1e-6)


def test_annuity_at_zero_rate_is_straight_line():
    a = annuity(q("1M USD"), q("0%"), q("5 years"))
    assert a.to("USD/year").magnitude[0] == pytest.approx(200_000)


def test_annuity_costs_more_than_depreciation_when_capital_costs_something():
    capex, life = q("1M USD"), q("4 years")
    assert annuity(capex, q("8%"), life).magnitude[0] > straight_line(capex, life).magnitude[0]
