"""Capital cost per year: straight-line depreciation, or an annuity at the cost of capital."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from flopbook.quantity import registry

if TYPE_CHECKING:
    import pint

CAPITAL_COST_METHODS = ("depreciation", "annuity")


def straight_line(capex: pint.Quantity, life: pint.Quantity) -> pint.Quantity:
    """Capex spread evenly over the useful life (no return on capital)."""
    return (capex / life).to(f"{capex.units} / year")


def annuity_factor(rate: np.ndarray, years: np.ndarray) -> np.ndarray:
    """The share of capex to pay each year so that ``years`` equal payments repay it with
    interest at ``rate``: r / (1 - (1 + r)^-n), which tends to 1/n as r tends to 0."""
    rate = np.asarray(rate, dtype=float)
    years = np.asarray(years, dtype=float)
    safe = np.where(rate == 0, 1.0, rate)
    factor = safe / (1 - (1 + safe) ** -years)
    return np.where(rate == 0, 1 / years, factor)


def annuity(capex: pint.Quantity, rate: pint.Quantity, life: pint.Quantity) -> pint.Quantity:
    """Capex as equal yearly payments that also pay the cost of capital (a mortgage on it)."""
    factor = annuity_factor(rate.to("").magnitude, life.to("year").magnitude)
    return capex * factor / registry().year
