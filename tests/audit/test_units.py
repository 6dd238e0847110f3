"""The audit reads label units through a table of base units (no pint at start-up): every
entry, and every unit a label can state, must be what flopbook's pint registry says."""

from __future__ import annotations

import math

import pytest

from flopbook import labels
from flopbook.audit import units
from flopbook.quantity import registry


def _pint(unit: str) -> tuple[float, dict[str, float]]:
    q = registry().Quantity(1.0, unit).to_base_units()
    return float(q.magnitude), {k: float(v) for k, v in dict(q.dimensionality).items() if v}


@pytest.mark.parametrize("word", sorted(units.BASE_UNITS))
def test_every_base_unit_is_pints(word):
    factor, dims = units.BASE_UNITS[word]
    want_factor, want_dims = _pint(word)
    assert math.isclose(factor, want_factor, rel_tol=1e-12)
    assert {k: float(v) for k, v in dims.items()} == want_dims


def test_every_word_a_label_can_write_is_in_the_table():
    words = {*labels._PERIODS.values(), *labels._PER_THINGS.values(), "USD", "W", "hour"}
    assert words <= set(units.BASE_UNITS)


@pytest.mark.parametrize(
    "label",
    [
        "TCO (4y Ownership) $m/hr",
        "Server CapEx per GPU $k",
        "Opex per year $m",
        "Price $/kWh",
        "Cost $k/GPU-hour",
        "Energy MWh per year",
        "Useful life (years)",
        "Hours per year",
        "Power MW",
        "Utilisation %",
        "Annual cost $bn",
        "Revenue $m/month",
        "Price per token $/token",
    ],
)
def test_label_units_match_pint(label):
    lu = labels.unit_from_label(label)
    assert lu is not None
    factor, dims = units._base(lu.unit)
    want_factor, want_dims = _pint(lu.unit)
    assert math.isclose(factor, want_factor, rel_tol=1e-12), lu.unit
    assert {k: float(v) for k, v in dims.items() if v} == want_dims, lu.unit


def test_a_unit_outside_the_table_goes_to_pint():
    factor, dims = units._base("MW/day")  # MW: not a word the table knows
    assert math.isclose(factor, 1e6 / 86400)
    assert dims == dict(registry().Quantity(1, "MW/day").dimensionality)
    assert units._base("no such unit") is None
