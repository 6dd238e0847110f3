"""Owned vs rented vs API: the same work's cost each way, and the break-even utilisation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopbook.models.fleet import Fleet

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "neocloud.yaml")


def one(result, key, unit, column="Total"):
    return float(result.get(key, column).to(unit).magnitude[0])


def fleet(utilisation="70%", **sku):
    fields = {
        "chip": "H800",
        "count": "2048 GPU",
        "server_cost_per_gpu": "35k USD/GPU",
        "rental_price": "2 USD/GPU/hour",
        "api_price": "1.1 USD/Mtoken",
        "throughput": "700 token/s/GPU",
        **sku,
    }
    return Fleet([fields], {"utilisation": utilisation})


def test_the_deepseek_cluster_breaks_even_with_the_2_dollar_rental_near_81_percent():
    r = fleet().run()
    # the owned hour at full use ($1.6145, the deepseek-2048-h800 case) over the $2 rental
    assert one(r, "breakeven_utilisation", "") == pytest.approx(1.6145 / 2, rel=1e-3)
    assert one(r, "rented_cost", "USD/year") == pytest.approx(2048 * 8766 * 0.7 * 2)
    tokens = 2048 * 8766 * 0.7 * 700 * 3600 / 1e6
    assert one(r, "tokens", "Mtoken/year") == pytest.approx(tokens)
    assert one(r, "api_cost", "USD/year") == pytest.approx(tokens * 1.1)
    assert one(r, "breakeven_tokens", "Mtoken/year") == pytest.approx(
        one(r, "tco_per_year", "USD/year") / 1.1
    )


@settings(max_examples=30, deadline=None)
@given(
    rent=st.floats(0.5, 6),
    api=st.floats(0.05, 5),
    throughput=st.integers(100, 5000),
    price=st.integers(10, 60),
)
def test_at_the_break_even_utilisation_owning_costs_what_renting_and_the_api_cost(
    rent, api, throughput, price
):
    base = {
        "rental_price": f"{rent} USD/GPU/hour",
        "api_price": f"{api} USD/Mtoken",
        "throughput": f"{throughput} token/s/GPU",
        "server_cost_per_gpu": f"{price}k USD/GPU",
    }
    r = fleet(**base).run()
    for key, cost in (
        ("breakeven_utilisation", "rented_cost"),
        ("breakeven_utilisation_api", "api_cost"),
    ):
        u = one(r, key, "")
        if not 0 < u <= 1:
            continue  # owning never breaks even: nothing to check at 100% or less
        at = fleet(utilisation=u, **base).run()
        owned = one(at, "tco_per_year", "USD/year")
        assert one(at, cost, "USD/year") == pytest.approx(owned, rel=1e-9)
        # more use than that: owning is the cheaper; less: it is not
        above = fleet(utilisation=min(1.0, u * 1.05), **base).run()
        if u * 1.05 <= 1:
            assert one(above, cost, "USD/year") > owned
        below = fleet(utilisation=u * 0.95, **base).run()
        assert one(below, cost, "USD/year") < owned


def test_the_breakeven_command_terminal_and_json(cli):
    out = cli("breakeven", EXAMPLE, "--samples", "500")
    assert out.code == 0, out.err
    assert "Break-even utilisation against renting" in out.out
    assert "owning breaks even at" in out.out
    js = cli("breakeven", EXAMPLE, "--format", "json", "--samples", "500")
    d = json.loads(js.out)
    assert {m["metric"] for m in d["metrics"]} >= {"breakeven_utilisation", "api_cost"}


def test_breakeven_without_any_price_is_one_line(cli, write):
    path = write("skus:\n  - {chip: H100, count: 10, server_cost_per_gpu: 35k USD/GPU}\n")
    out = cli("breakeven", str(path))
    assert out.code == 2
    lines = [ln for ln in out.err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "rental_price" in lines[0] and not out.out, out.err
