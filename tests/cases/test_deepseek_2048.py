"""The DeepSeek-V3 cluster: 2,048 H800 (DeepSeek-V3 technical report, arXiv 2412.19437).

Published: servers worth about $70M (Glenn Luk, X, 2025-01-31), tolerance 10% since the figure
is a round one and the server cost is a range; the $2/GPU-hour rental is a comparison only.
"""

import pytest

from flopbook import case


def test_capex_matches_the_seventy_million_estimate():
    result = case("deepseek-2048-h800")
    check = result.check("Server capex of the 2,048 H800s")
    assert check.published == 70e6 and check.tolerance == pytest.approx(0.10)
    assert check.ok
    assert float(dict(result.fleets)[result.fleets[0][0]].get("gpus").magnitude[0]) == 2048


def test_owning_costs_less_per_hour_than_the_rental_and_annuity_costs_more_than_depreciation():
    result = case("deepseek-2048-h800")
    straight = result.check("Owned cost per GPU-hour (straight-line) against the $2 rental")
    annuity = result.check("Owned cost per GPU-hour (annuity at 10%) against the $2 rental")
    assert straight.ok is None and annuity.ok is None  # comparisons, not tests
    assert straight.model < annuity.model < 2.0
