import numpy as np
import pint
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopbook.errors import InputError, UnitMismatchError
from flopbook.quantity import convert, is_point, percentiles, q, sampling, summarize


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("30k USD/GPU", "USD/GPU", 30_000),
        ("$30k/GPU", "USD/GPU", 30_000),
        ("$1.6B", "USD", 1.6e9),
        ("1.6bn USD", "USD", 1.6e9),
        ("944M USD", "USD", 944e6),
        ("2 USD/GPU/hour", "USD/GPU/hour", 2),
        ("$2/GPU/hour", "USD/GPU/hour", 2),
        ("700 W", "W", 700),
        ("5kW", "W", 5000),  # a unit prefix, not a thousands suffix
        ("80GB", "GB", 80),
        ("10,715 kWh/year", "kWh/year", 10_715),
        ("14.8T token", "token", 14.8e12),
        ("2.788M GPU-hours", "GPU*hour", 2.788e6),
        ("989 TFLOP/s", "FLOP/s", 989e12),
        ("1 TFLOPS", "FLOP/s", 1e12),
        ("15%", "", 0.15),
        ("130 USD/kW/month", "USD/kW/month", 130),
        ("1 query", "query", 1),
    ],
)
def test_parses_what_analysts_write(text, unit, expected):
    value = q(text, unit)
    assert value.magnitude.shape == (1,)
    assert value.magnitude[0] == pytest.approx(expected)


def test_a_point_value_is_one_sample():
    v = q("700 W")
    assert v.magnitude.shape == (1,)
    assert is_point(v)
    s = summarize(v)
    assert s.point and s.p5 == s.p95 == 700


def test_range_is_a_90_percent_lognormal_interval():
    with sampling(samples=200_000, seed=1):
        v = q("8k to 12k GPU")
    s = summarize(v)
    assert s.samples == 200_000
    assert s.p5 == pytest.approx(8_000, rel=0.01)
    assert s.p95 == pytest.approx(12_000, rel=0.01)
    assert s.p50 == pytest.approx(np.sqrt(8_000 * 12_000), rel=0.01)  # lognormal median
    assert np.all(v.magnitude > 0)


def test_range_through_zero_is_normal():
    with sampling(samples=100_000, seed=2):
        v = q("-1 to 1 USD")
    s = summarize(v)
    assert s.p50 == pytest.approx(0, abs=0.02)
    assert s.p5 == pytest.approx(-1, rel=0.03)


def test_same_seed_same_numbers_and_other_seed_other_numbers():
    with sampling(1000, seed=7):
        a = q("1 to 2 USD", key="x")
    with sampling(1000, seed=7):
        b = q("1 to 2 USD", key="x")
    with sampling(1000, seed=8):
        c = q("1 to 2 USD", key="x")
    assert np.array_equal(a.magnitude, b.magnitude)
    assert not np.array_equal(a.magnitude, c.magnitude)


def test_named_inputs_keep_their_samples_whatever_the_order():
    with sampling(500, seed=3):
        a1 = q("1 to 2 USD", key="a")
        b1 = q("3 to 4 USD", key="b")
    with sampling(500, seed=3):
        b2 = q("3 to 4 USD", key="b")
        a2 = q("1 to 2 USD", key="a")
    assert np.array_equal(a1.magnitude, a2.magnitude)
    assert np.array_equal(b1.magnitude, b2.magnitude)


def test_adding_a_stock_to_a_flow_is_an_error_naming_both_units():
    with pytest.raises(pint.DimensionalityError) as err:
        q("1 USD") + q("1 USD/year")
    assert "USD" in str(err.value) and "year" in str(err.value)


def test_flows_of_different_periods_convert():
    total = q("1 USD/hour") + q("8766 USD/year")
    assert total.to("USD/hour").magnitude[0] == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ten GPU", "cannot read 'ten GPU'"),
        ("5 bananas", "unknown unit"),
        ("12k to 8k GPU", "low end 12000 is above its high end 8000"),
        ("1 W to 2 USD", "different units"),
    ],
)
def test_bad_quantities_say_what_is_wrong(text, message):
    with pytest.raises(InputError, match=message):
        q(text)


def test_a_unit_that_does_not_fit_names_both():
    with pytest.raises(UnitMismatchError) as err:
        q("700 W", "USD")
    assert "expected USD" in str(err.value) and "W" in str(err.value)


def test_a_bare_number_where_money_is_expected_is_refused():
    with pytest.raises(UnitMismatchError, match="plain number"):
        convert(q(30_000), "USD/GPU")


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.floats(-1e12, 1e12, allow_nan=False), min_size=1, max_size=300),
    ps=st.lists(st.floats(0, 100), min_size=1, max_size=6),
)
def test_percentiles_are_numpys_to_the_last_bit(values, ps):
    got = percentiles(values, ps)
    assert np.array_equal(got, np.percentile(values, ps))


def test_percentiles_of_many_samples_and_ties_match_numpy():
    rng = np.random.default_rng(7)
    for a in (rng.lognormal(size=100_001), rng.integers(0, 4, 5_000).astype(float)):
        assert np.array_equal(percentiles(a, [5, 50, 95]), np.percentile(a, [5, 50, 95]))
    with_nan = np.array([1.0, np.nan, 3.0])
    assert np.array_equal(
        percentiles(with_nan, [50]), np.percentile(with_nan, [50]), equal_nan=True
    )


def test_threads_asking_for_the_registry_at_once_share_one() -> None:
    """A web server's first requests arrive together: each must get the same registry, or
    their quantities cannot be added (pint refuses units of different registries)."""
    import subprocess
    import sys

    code = (
        "import threading\n"
        "from flopbook import quantity\n"
        "got = []\n"
        "barrier = threading.Barrier(8)\n"
        "def ask():\n"
        "    barrier.wait()\n"
        "    got.append(id(quantity.registry()))\n"
        "threads = [threading.Thread(target=ask) for _ in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print(len(set(got)), len(got))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "8"]
