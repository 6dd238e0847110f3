"""Sensitivity: Sobol indices against analytic values, the tornado, the fleet."""

from __future__ import annotations

import numpy as np
import pytest

from flopbook.models.fleet import Fleet, Sku
from flopbook.quantity import sampling
from flopbook.sensitivity import fleet_sensitivity, sobol_indices, tornado


def test_sobol_indices_of_an_additive_function():
    # Y = 1 X1 + 2 X2 + 3 X3, X_i independent uniform(0, 1): each input's share of the
    # variance is a_i^2 / sum(a^2) = 1/14, 4/14, 9/14, and with no interactions S1 = ST.
    a = {"x1": 1.0, "x2": 2.0, "x3": 3.0}

    def model(v):
        return sum(a[k] * v[k] for k in a)

    r = sobol_indices(model, {k: (lambda u: u) for k in a}, base_samples=4096, seed=1)
    found = {i.input: i for i in r.indices}
    for k, coef in a.items():
        expected = coef**2 / 14
        assert found[k].first == pytest.approx(expected, abs=0.03)
        assert found[k].total == pytest.approx(expected, abs=0.03)
    assert [i.input for i in r.indices] == ["x3", "x2", "x1"]
    assert r.evaluations == 4096 * 5


def test_sobol_sees_an_interaction_that_first_order_misses():
    # Y = X1 * X2 with X centred: all variance is interaction, S1 ~ 0 and ST ~ 1 for both.
    r = sobol_indices(
        lambda v: (v["a"] - 0.5) * (v["b"] - 0.5),
        {"a": lambda u: u, "b": lambda u: u},
        base_samples=4096,
        seed=2,
    )
    for i in r.indices:
        assert abs(i.first) < 0.05 and i.total == pytest.approx(1, abs=0.1)


def test_tornado_swings_between_p5_and_p95():
    rng = np.random.default_rng(0)
    inputs = {"x": rng.uniform(0, 1, 10_000), "y": rng.uniform(0, 1, 10_000)}
    t = tornado(lambda v: 10 * v["x"] + v["y"], inputs)
    assert [b.input for b in t.bars] == ["x", "y"]
    x = t.bars[0]
    assert x.low == pytest.approx(0.05, abs=0.01) and x.high == pytest.approx(0.95, abs=0.01)
    assert x.swing == pytest.approx(9.0, abs=0.2)
    assert t.baseline == pytest.approx(5.5, abs=0.1)


def fleet():
    return Fleet(
        [
            Sku("H800", count="8k to 12k GPU", server_cost_per_gpu="30k to 40k USD/GPU"),
            Sku("H100", count="2k GPU", server_cost_per_gpu="35k USD/GPU"),
        ],
        {"pue": "1.2 to 1.4", "electricity_price": "0.06 to 0.1 USD/kWh"},
    )


def test_fleet_sensitivity_ranks_the_inputs_that_drive_tco():
    with sampling(2000, 1):
        s = fleet_sensitivity(fleet(), "tco_per_year", base_samples=512)
    names = [b.input for b in s.tornado.bars]
    assert set(names) == {
        "skus.H800.count",
        "skus.H800.server_cost_per_gpu",
        "assumptions.pue",
        "assumptions.electricity_price",
    }
    # GPUs and their price drive the capital cost; PUE only scales the power bill
    assert set(names[:2]) == {"skus.H800.count", "skus.H800.server_cost_per_gpu"}
    assert s.sobol.indices[-1].total < 0.1
    assert sum(i.first for i in s.sobol.indices) == pytest.approx(1, abs=0.15)


def test_fleet_rerun_with_inputs_replaced_matches_a_fresh_fleet():
    with sampling(1000, 1):
        f = fleet()
        changed = f.with_inputs(
            {
                "skus.H800.count": np.array([9000.0]),
                "skus.H800.server_cost_per_gpu": np.array([33000.0]),
                "assumptions.pue": np.array([1.3]),
                "assumptions.electricity_price": np.array([0.08]),
            }
        )
        fresh = Fleet(
            [
                Sku("H800", count="9k GPU", server_cost_per_gpu="33k USD/GPU"),
                Sku("H100", count="2k GPU", server_cost_per_gpu="35k USD/GPU"),
            ],
            {"pue": "1.3", "electricity_price": "0.08 USD/kWh"},
        )
    a = changed.run().summary("tco_per_year")
    b = fresh.run().summary("tco_per_year")
    assert a.mean == pytest.approx(b.mean, rel=1e-12)
    # the original fleet is untouched
    assert dict(f.inputs())["skus.H800.count"].value.magnitude.size == 1000
