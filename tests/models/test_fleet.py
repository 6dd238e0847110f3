"""The fleet model against arithmetic done by hand, and its aggregation invariants."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flopbook.errors import InputError, UnknownNameError
from flopbook.models.fleet import METRICS, TOTAL, Assumptions, Fleet, Sku
from flopbook.quantity import sampling

HOURS_PER_YEAR = 8766  # a Julian year, pint's "year"


def one(result, key, column=TOTAL):
    return float(result.get(key, column).magnitude.mean())


def test_one_sku_by_hand():
    fleet = Fleet(
        [Sku("H800", count="1000 GPU", server_cost_per_gpu="40k USD/GPU")],
        Assumptions(
            useful_life="4 years",
            networking="10%",
            storage="0%",
            facility="0%",
            tdp_share="100%",
            server_power_overhead="50%",
            pue=1.25,
            electricity_price="0.10 USD/kWh",
            hosting="100 USD/kW/month",
            maintenance="2%",
            other_opex="500 USD/GPU/year",
            cost_of_capital="10%",
        ),
    )
    r = fleet.run()
    capex = 1000 * 40e3 * 1.10  # servers + 10% networking
    it_kw = 1000 * 700 * 1.5 / 1e3  # 700 W TDP + 50% server overhead
    electricity = it_kw * 1.25 * HOURS_PER_YEAR * 0.10
    hosting = it_kw * 100 * 12
    opex = electricity + hosting + 0.02 * capex + 1000 * 500
    depreciation = capex / 4
    assert one(r, "capex") == pytest.approx(capex)
    assert one(r, "it_power") == pytest.approx(it_kw / 1e3)
    assert one(r, "facility_power") == pytest.approx(it_kw * 1.25 / 1e3)
    assert one(r, "electricity") == pytest.approx(electricity)
    assert one(r, "hosting") == pytest.approx(hosting)
    assert one(r, "opex") == pytest.approx(opex)
    assert one(r, "tco_per_year") == pytest.approx(depreciation + opex)
    assert one(r, "cost_per_gpu_hour") == pytest.approx(
        (depreciation + opex) / (1000 * HOURS_PER_YEAR)
    )
    # $/PFLOP/s-hour at the H800's 989 TFLOP/s dense BF16
    assert one(r, "cost_per_bf16_pflop_hour") == pytest.approx(
        (depreciation + opex) / (1000 * 0.989 * HOURS_PER_YEAR)
    )
    annuity = capex * 0.1 / (1 - 1.1**-4)
    assert one(r, "annuity") == pytest.approx(annuity)
    r2 = fleet.run(capital_cost="annuity")
    assert one(r2, "tco_per_year") == pytest.approx(annuity + opex)


def test_gpu_price_adds_the_server_parts():
    fleet = Fleet(
        [Sku("H100", count=10, gpu_price="25k USD/GPU")],
        Assumptions(server_overhead_capex="40%", networking=0, storage=0),
    )
    assert one(fleet.run(), "server_capex") == pytest.approx(10 * 25e3 * 1.4)


def test_networking_can_be_given_per_gpu():
    fleet = Fleet(
        [Sku("H100", count=10, server_cost_per_gpu="30k USD/GPU")],
        Assumptions(networking="3k USD/GPU", storage=0),
    )
    assert one(fleet.run(), "capex") == pytest.approx(10 * 33e3)


def test_a_published_operating_cost_replaces_the_itemised_one():
    fleet = Fleet(
        [
            Sku(
                "A100",
                count=100,
                server_cost_per_gpu="20k USD/GPU",
                operating_cost="4.5k USD/GPU/year",
            )
        ]
    )
    r = fleet.run()
    assert one(r, "opex") == pytest.approx(450e3)
    assert r.get("electricity") is None


def test_per_gpu_totals_are_weighted_averages_not_sums():
    fleet = Fleet(
        [
            Sku("A100", count="10k GPU", server_cost_per_gpu="20k USD/GPU"),
            Sku("H20", count="30k GPU", server_cost_per_gpu="25k USD/GPU"),
        ]
    )
    r = fleet.run()
    assert one(r, "server_cost_per_gpu") == pytest.approx((10 * 20 + 30 * 25) / 40 * 1e3)
    assert one(r, "cost_per_gpu_hour") == pytest.approx(
        one(r, "tco_per_year") / one(r, "gpu_hours")
    )


def test_fp8_cost_total_covers_only_the_chips_that_have_fp8():
    fleet = Fleet(
        [
            Sku("A100", count=100, server_cost_per_gpu="20k USD/GPU"),
            Sku("H100", count=100, server_cost_per_gpu="30k USD/GPU"),
        ]
    )
    r = fleet.run()
    assert r.get("cost_per_fp8_pflop_hour", "A100") is None
    assert one(r, "cost_per_fp8_pflop_hour") == pytest.approx(
        one(r, "cost_per_fp8_pflop_hour", "H100")
    )
    assert "cost_per_fp8_pflop_hour" in r.partial


def test_only_keeps_skus_by_chip_name_or_architecture():
    fleet = Fleet(
        [
            Sku("A100", count=1, server_cost_per_gpu="20k USD/GPU"),
            Sku("H800", count=2, server_cost_per_gpu="30k USD/GPU"),
            Sku("H100", count=3, server_cost_per_gpu="30k USD/GPU"),
        ]
    )
    assert fleet.run(only="Hopper").columns == ["H800", "H100"]
    assert fleet.run(only="h800, A100").columns == ["A100", "H800"]
    with pytest.raises(UnknownNameError, match="matches no SKU"):
        fleet.run(only="B200")


def test_per_sku_assumptions_override_the_shared_ones():
    fleet = Fleet(
        [
            Sku("H100", count=100, server_cost_per_gpu="30k USD/GPU", name="hot"),
            Sku(
                "H100",
                count=100,
                server_cost_per_gpu="30k USD/GPU",
                name="cool",
                assumptions={"pue": 1.1},
            ),
        ],
        Assumptions(pue=1.5),
    )
    r = fleet.run()
    assert one(r, "facility_power", "cool") / one(r, "facility_power", "hot") == pytest.approx(
        1.1 / 1.5
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"useful_life": "11 years"}, "at most 10"),
        ({"useful_life": "0.5 years"}, "at least 1"),
        ({"utilisation": "120%"}, "at most 100%"),
        ({"utilisation": "0%"}, "above 0"),
        ({"residual_value": "110%"}, "at most 100%"),
        ({"residual_value": "-5%"}, "at least 0"),
        ({"pue": 0.9}, "at least 1"),
        ({"electricity_price": "0.1 USD"}, "expected USD/kWh"),
        ({"capital_cost": "lease"}, "unknown method"),
        ({"pew": 1.2}, "did you mean pue"),
    ],
)
def test_bad_assumptions_are_refused(kwargs, message):
    with pytest.raises(InputError, match=message):
        Assumptions(**kwargs)


def test_a_sku_needs_a_cost():
    with pytest.raises(InputError, match="server_cost_per_gpu or gpu_price"):
        Sku("H100", count=10)


def test_negative_counts_are_refused():
    with pytest.raises(InputError, match="at least 0"):
        Sku("H100", count=-5, server_cost_per_gpu="30k USD/GPU")


# ---- invariants ------------------------------------------------------------------------

CHIPS = ["A100", "H100", "H800", "H20", "B200", "MI300X"]
sku_strategy = st.builds(
    lambda chip, count, cost: {
        "chip": chip,
        "count": count,
        "server_cost_per_gpu": f"{cost} USD/GPU",
    },
    st.sampled_from(CHIPS),
    st.integers(min_value=1, max_value=100_000),
    st.integers(min_value=1_000, max_value=80_000),
)
fleets = st.lists(sku_strategy, min_size=1, max_size=4)
EXTENSIVE = [m.key for m in METRICS if m.kind == "extensive"]
INTENSIVE = [m for m in METRICS if m.kind == "intensive"]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _fleet(specs):
    return Fleet([Sku(name=f"sku{i}", **s) for i, s in enumerate(specs)])


@SETTINGS
@given(fleets)
def test_total_capex_is_the_sum_of_sku_capex(specs):
    r = _fleet(specs).run()
    assert one(r, "capex") == pytest.approx(sum(one(r, "capex", c) for c in r.columns))


@SETTINGS
@given(fleets, st.sampled_from(CHIPS))
def test_a_sku_with_zero_gpus_changes_no_total(specs, chip):
    before = _fleet(specs).run()
    after = _fleet([*specs, {"chip": chip, "count": 0, "server_cost_per_gpu": "30k USD/GPU"}]).run()
    for m in METRICS:
        a, b = before.get(m.key), after.get(m.key)
        if a is None:
            continue
        assert one(after, m.key) == pytest.approx(one(before, m.key)), m.key
        assert b is not None


@SETTINGS
@given(fleets)
def test_every_weighted_average_lies_between_its_sku_extremes(specs):
    r = _fleet(specs).run()
    for m in INTENSIVE:
        values = [one(r, m.key, c) for c in r.columns if r.get(m.key, c) is not None]
        if values:
            assert min(values) * (1 - 1e-9) <= one(r, m.key) <= max(values) * (1 + 1e-9)


@SETTINGS
@given(fleets, st.data())
def test_splitting_a_fleet_in_two_keeps_the_extensive_totals(specs, data):
    cut = data.draw(st.integers(min_value=0, max_value=len(specs)))
    whole = _fleet(specs).run()
    parts = [_fleet(p).run() for p in (specs[:cut], specs[cut:]) if p]
    for key in EXTENSIVE:
        got = [one(p, key) for p in parts if p.get(key) is not None]
        if whole.get(key) is not None:
            assert sum(got) == pytest.approx(one(whole, key)), key


@SETTINGS
@given(st.integers(min_value=0, max_value=2**31))
def test_the_seed_reproduces_a_sampled_fleet(seed):
    def run():
        with sampling(200, seed):
            return Fleet(
                [Sku("H100", count="8k to 12k GPU", server_cost_per_gpu="30k to 40k USD/GPU")]
            ).run()

    a, b = run(), run()
    assert np.array_equal(a.get("tco_per_year").magnitude, b.get("tco_per_year").magnitude)


def _value_or_range(low, high, unit):
    return st.sampled_from([f"{low} {unit}", f"{low} to {high} {unit}"])


any_sku = st.fixed_dictionaries(
    {"chip": st.sampled_from(CHIPS), "count": _value_or_range(800, 1200, "GPU")},
    optional={"tdp": _value_or_range(600, 800, "W")},
).flatmap(
    lambda sku: st.sampled_from(
        [
            {**sku, "server_cost_per_gpu": "30k to 40k USD/GPU"},
            {**sku, "server_cost_per_gpu": "35k USD/GPU"},
            {**sku, "gpu_price": "20k to 30k USD/GPU"},
            {
                **sku,
                "server_cost_per_gpu": "35k USD/GPU",
                "operating_cost": "4k to 5k USD/GPU/year",
            },
            {**sku, "gpu_price": "25k USD/GPU", "assumptions": {"pue": "1.1 to 1.2"}},
        ]
    )
)
any_assumptions = st.fixed_dictionaries(
    {},
    optional={
        "useful_life": _value_or_range(4, 5, "years"),
        "cost_of_capital": st.sampled_from(["0%", "8%", "6% to 12%"]),
        "capital_cost": st.sampled_from(["depreciation", "annuity"]),
        "networking": st.sampled_from(["12%", "10% to 15%", "3k USD/GPU", "2k to 4k USD/GPU"]),
        "storage": st.sampled_from(["3%", "1k USD/GPU"]),
        "facility": st.sampled_from(["0%", "5% to 10%"]),
        "server_overhead_capex": st.sampled_from(["40%", "30% to 50%"]),
        "tdp_share": st.sampled_from(["80%", "0.6 to 0.9"]),
        "server_power_overhead": st.sampled_from(
            ["50%", "40% to 60%", "300 W/GPU", "200 to 400 W/GPU"]
        ),
        "pue": st.sampled_from(["1.3", "1.2 to 1.4"]),
        "electricity_price": _value_or_range(0.05, 0.1, "USD/kWh"),
        "hosting": _value_or_range(100, 150, "USD/kW/month"),
        "maintenance": st.sampled_from(["3%", "2% to 4%"]),
        "other_opex": _value_or_range(1000, 2000, "USD/GPU/year"),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(any_sku, min_size=1, max_size=3), any_assumptions)
def test_tco_is_capital_cost_plus_opex_sample_by_sample(skus, assumptions):
    # tco_per_year is computed per GPU in one pass over the samples; the itemised rows with
    # pint arithmetic: the two must agree in every form a fleet can take
    with sampling(64, 5):
        r = Fleet([Sku(name=f"sku{i}", **s) for i, s in enumerate(skus)], assumptions).run()
    for c in r.all_columns:
        tco = r.get("tco_per_year", c)
        by_items = (r.get("capital_cost", c) + r.get("opex", c)).to(tco.units)
        assert np.allclose(tco.magnitude, by_items.magnitude, rtol=1e-12, atol=0), c


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(any_sku, min_size=1, max_size=3),
    st.lists(st.booleans(), min_size=3, max_size=3),
    any_assumptions,
)
def test_partial_totals_are_known_without_computing_every_row(skus, zero, assumptions):
    # a table asks which totals leave SKUs out before it has read every row
    skus = [{**s, "count": "0 GPU"} if z else s for s, z in zip(skus, zero, strict=False)]
    with sampling(16, 5):
        fleet = Fleet([Sku(name=f"sku{i}", **s) for i, s in enumerate(skus)], assumptions)
        quick, full = fleet.run(), fleet.run()
    for m in METRICS:
        full.get(m.key)
    assert quick.partial == full.partial
