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


def test_the_cost_per_used_hour_is_the_full_use_cost_over_the_utilisation():
    # the same TCO spread over fewer hours: each check at u is the 100% figure / u
    result = case("deepseek-2048-h800")
    full = result.check("Owned cost per GPU-hour (straight-line) against the $2 rental").model
    for u in (0.5, 0.7, 0.9):
        check = result.check(
            f"Owned cost per used GPU-hour at {u:.0%} utilisation against the $2 rental"
        )
        assert check.ok is None and check.category == "reproduction"
        assert check.model == pytest.approx(full / u, rel=1e-9)
    assert full == pytest.approx(1.61, abs=0.01)
    assert full / 0.7 == pytest.approx(2.30, abs=0.01)


def test_the_break_even_utilisation_lies_between_seventy_and_ninety_percent():
    result = case("deepseek-2048-h800")
    fleet = result.fleets[0][1]
    breakeven = float(fleet.get("breakeven_utilisation").magnitude.mean())
    assert 0.7 < breakeven < 0.9
    at = {
        u: result.check(f"Owned cost per used GPU-hour at {u} utilisation against the $2 rental")
        for u in ("70%", "90%")
    }
    assert at["70%"].model > 2.0 > at["90%"].model


def test_a_check_with_an_impossible_utilisation_is_refused_at_its_line():
    from flopbook.cases import cases
    from flopbook.cases.fleet_cases import run_fleet_case
    from flopbook.errors import InputError
    from flopbook.scenario import Document

    info = next(c for c in cases() if c.name == "deepseek-2048-h800")
    from importlib import resources

    text = (resources.files("flopbook.cases") / info.file).read_text(encoding="utf-8")
    text = text.replace("{utilisation: 90%}", "{utilisation: 120%}")
    with pytest.raises(InputError) as found:
        run_fleet_case(Document(text, "bad.yaml"))
    message = str(found.value)
    assert "bad.yaml" in message and "utilisation" in message
