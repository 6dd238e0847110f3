"""Distributions: percentiles of known distributions, samplers, correlation, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from flopbook.distributions import (
    Distribution,
    correlate,
    parse_distribution,
    range_samples,
    require_memory,
    spearman,
)
from flopbook.errors import InputError
from flopbook.inputs import read_input
from flopbook.models.fleet import ASSUMPTION_FIELDS, SKU_FIELDS
from flopbook.quantity import magnitudes, q, sampling, summarize

N = 40_000


def percentiles(x):
    return np.percentile(x, [5, 50, 95])


# Each case: what a user writes, and the same distribution in SciPy (the reference).
KNOWN = [
    ({"normal": {"mean": 100, "sd": 10}}, stats.norm(100, 10)),
    ({"normal": {"low": -5, "high": 15}}, stats.norm(5, 10 / 1.6448536269514722)),
    (
        {"lognormal": {"low": 20, "high": 80}},
        stats.lognorm(math.log(80 / 20) / (2 * 1.6448536269514722), scale=40),
    ),
    (
        {"lognormal": {"mean": 10, "sd": 3}},
        stats.lognorm(
            math.sqrt(math.log1p(0.09)), scale=math.exp(math.log(10) - math.log1p(0.09) / 2)
        ),
    ),
    ({"uniform": {"low": 1.1, "high": 1.4}}, stats.uniform(1.1, 0.3)),
    ({"triangular": {"low": 1, "mode": 2, "high": 5}}, stats.triang(0.25, loc=1, scale=4)),
    # PERT(low, mode, high) = low + (high - low) Beta(1 + 4(mode-low)/w, 1 + 4(high-mode)/w)
    ({"pert": {"low": 1, "mode": 2, "high": 5}}, stats.beta(2, 4, loc=1, scale=4)),
]


@pytest.mark.parametrize("sampler", ["random", "lhs", "sobol"])
@pytest.mark.parametrize(("raw", "reference"), KNOWN, ids=[next(iter(r)) for r, _ in KNOWN])
def test_percentiles_of_known_distributions(raw, reference, sampler):
    with sampling(N, 3, sampler):
        x = Distribution(**_parts(raw)).sample(key="x")
    want = reference.ppf([0.05, 0.5, 0.95])
    spread = want[2] - want[0]
    # within 2% of the 90% interval's width (Monte Carlo error at 40k samples is ~0.5%)
    np.testing.assert_allclose(percentiles(x), want, atol=0.02 * spread)


def _parts(raw):
    d = parse_distribution(raw)
    return {"kind": d.kind, "params": d.params, "unit": d.unit}


def test_range_is_a_90_percent_interval():
    with sampling(N, 1):
        x = range_samples(8000, 12000, key="r")
    np.testing.assert_allclose(percentiles(x)[[0, 2]], [8000, 12000], rtol=0.01)


def test_choice_frequencies():
    with sampling(N, 1):
        x = magnitudes(
            read_input(
                ASSUMPTION_FIELDS["useful_life"], {"choice": {"4 years": 0.7, "5 years": 0.3}}
            ).value
        )
    assert set(np.unique(x)) == {4.0, 5.0}
    assert abs(np.mean(x == 4.0) - 0.7) < 0.01


def test_units_come_from_the_parameters():
    with sampling(100, 1):
        i = read_input(
            SKU_FIELDS["server_cost_per_gpu"],
            {"triangular": {"low": "20k", "mode": "25k", "high": "40k USD/GPU"}},
        )
    assert i.unit == "USD/GPU"
    assert 20_000 <= magnitudes(i.value).min() <= magnitudes(i.value).max() <= 40_000


def test_a_bare_count_takes_the_fields_unit():
    with sampling(100, 1):
        i = read_input(SKU_FIELDS["count"], {"uniform": {"low": 8000, "high": 12000}})
    assert i.unit == "GPU"


def test_value_mapping_may_hold_a_distribution_with_its_source():
    with sampling(100, 1):
        i = read_input(
            ASSUMPTION_FIELDS["pue"],
            {"value": {"pert": {"low": 1.1, "mode": 1.2, "high": 1.5}}, "source": "a survey"},
        )
    assert i.source == "a survey" and magnitudes(i.value).size == 100


@pytest.mark.parametrize("sampler", ["random", "lhs", "sobol"])
def test_same_seed_same_samples(sampler):
    def draw():
        with sampling(500, 42, sampler):
            return (
                q("8k to 12k GPU", key="a").magnitude,
                Distribution("pert", {"low": 1, "mode": 2, "high": 4}).sample(key="b"),
            )

    a, b = draw(), draw()
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    with sampling(500, 43, sampler):
        other = q("8k to 12k GPU", key="a").magnitude
    assert not np.array_equal(a[0], other)


@settings(max_examples=25, deadline=None)
@given(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from(["normal", "uniform", "triangular", "pert", "lognormal"]),
)
def test_a_point_value_has_no_spread(x, kind):
    if kind == "lognormal" and x <= 0:
        x = abs(x) + 1
    params = {
        "normal": {"mean": x, "sd": 0},
        "lognormal": {"low": x, "high": x},
        "uniform": {"low": x, "high": x},
        "triangular": {"low": x, "mode": x, "high": x},
        "pert": {"low": x, "mode": x, "high": x},
    }[kind]
    with sampling(1000, 1):
        s = summarize(q(Distribution(**_parts({kind: params})).sample(key="p"), ""))
    assert s.point and s.p5 == s.p95 == pytest.approx(x)


@settings(max_examples=20, deadline=None)
@given(st.floats(-0.95, 0.95))
def test_rank_correlation_is_imposed_and_marginals_kept(rho):
    with sampling(4000, 7):
        a = range_samples(1, 2, key="a")
        b = range_samples(10, 30, key="b")
        out = correlate({"a": a, "b": b}, [("a", "b", rho)])
    assert abs(spearman(out["a"], out["b"]) - rho) < 0.05
    assert np.array_equal(np.sort(out["b"]), np.sort(b))
    assert np.array_equal(np.sort(out["a"]), np.sort(a))


def test_quasi_random_samplers_are_more_accurate_than_random():
    # Error of the mean of a lognormal over 20 seeds at 1,024 samples: LHS and Sobol settle
    # faster than independent draws (benchmarks/samplers.py measures this on the fleet).
    true_mean = math.exp(math.log(100) + (math.log(3) / 1.6448536269514722) ** 2 / 2)
    errors = {}
    for sampler in ("random", "lhs", "sobol"):
        e = []
        for seed in range(20):
            with sampling(1024, seed, sampler):
                e.append(range_samples(100 / 3, 300, key="x").mean() - true_mean)
        errors[sampler] = math.sqrt(np.mean(np.square(e)))
    assert errors["lhs"] < errors["random"] / 3
    assert errors["sobol"] < errors["random"] / 3


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"uniform": {"low": 5, "high": 1}}, "low 5 is above high 1"),
        ({"triangular": {"low": 1, "mode": 9, "high": 5}}, "mode 9 is outside"),
        ({"choice": {"1": 0.5, "2": 0.4}}, "probabilities sum to 0.9, not 1"),
        ({"gamma": {"low": 1, "high": 2}}, "unknown distribution 'gamma'"),
        ({"normal": {"mean": 1}}, "normal takes {mean, sd} or {low, high}"),
        ({"normal": {"mean": 1, "sd": -1}}, "sd -1 is negative"),
        ({"lognormal": {"low": -1, "high": 2}}, "must be above 0"),
        ({"uniform": {"low": "1 W", "high": "2 USD"}}, "different units"),
        ({"valeu": 3}, "unknown key 'valeu'"),
    ],
)
def test_bad_distributions(raw, message):
    with pytest.raises(InputError, match=message.replace("{", r"\{").replace("}", r"\}")):
        parse_distribution(raw)


def test_correlation_outside_minus_one_to_one():
    with sampling(100, 1), pytest.raises(InputError, match="outside -1 to 1"):
        correlate({"a": np.arange(100.0), "b": np.arange(100.0)}, [("a", "b", 1.5)])


def test_memory_refused_with_an_estimate():
    with pytest.raises(InputError, match=r"needs about .* of memory"):
        require_memory(10**15)
    with pytest.raises(InputError, match="needs about"), sampling(10**15):
        pass


@pytest.mark.parametrize("sampler", ["lhs", "sobol"])
def test_quasi_random_inputs_are_independent_of_each_other(sampler):
    # more inputs than one Sobol block (8), so that blocks are checked against each other
    with sampling(2048, 5, sampler):
        xs = [range_samples(1, 2, key=f"x{i}") for i in range(12)]
    worst = max(abs(spearman(xs[i], xs[j])) for i in range(12) for j in range(i + 1, 12))
    assert worst < 0.1


def test_large_draws_come_in_blocks_that_do_not_depend_on_the_threads(monkeypatch):
    from flopbook import draws as d

    n = 2 * d.DRAW_BLOCK + 1000
    threaded = d.normal_draws(np.random.default_rng([3, 4]), n, 1.0, 0.5, log=True)
    monkeypatch.setattr(d, "_draw_pool", lambda: None)  # one core: blocks in turn
    serial = d.normal_draws(np.random.default_rng([3, 4]), n, 1.0, 0.5, log=True)
    assert np.array_equal(threaded, serial)
    # the first block is the input's own stream; the others are streams of their own
    own = np.exp(1.0 + 0.5 * np.random.default_rng([3, 4]).standard_normal(d.DRAW_BLOCK))
    assert np.allclose(threaded[: d.DRAW_BLOCK], own, rtol=1e-15)
    blocks = threaded[: 2 * d.DRAW_BLOCK].reshape(2, -1)
    assert not np.any(blocks[0] == blocks[1])
    # and together they are one lognormal: median e^1, 90% of samples within e^(1 ± 0.82)
    p5, p50, p95 = np.percentile(threaded, [5, 50, 95])
    assert p50 == pytest.approx(np.e, rel=0.01)
    assert p5 == pytest.approx(np.exp(1 - 0.5 * 1.6448536), rel=0.01)
    assert p95 == pytest.approx(np.exp(1 + 0.5 * 1.6448536), rel=0.01)


def test_a_small_draw_is_the_inputs_own_stream():
    from flopbook import draws as d

    got = d.normal_draws(np.random.default_rng([1, 2]), 1000, 3.0, 2.0)
    assert np.array_equal(got, np.random.default_rng([1, 2]).normal(3.0, 2.0, 1000))
