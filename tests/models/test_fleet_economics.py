"""Utilisation, residual value and the wider range of useful lives, against hand arithmetic
and as invariants: the new fields at their defaults give the figures from before."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopbook.models.fleet import Fleet, Sku
from flopbook.models.registry import kind
from flopbook.quantity import sampling

OWNED = [Sku("H800", count="2048 GPU", server_cost_per_gpu="35k USD/GPU")]


def one(result, key, column="Total"):
    return float(result.get(key, column).magnitude.mean())


def test_the_owned_cluster_at_70_percent_costs_more_than_the_2_dollar_rental():
    # the deepseek-2048-h800 case's cluster: $1.61 per GPU-hour with every hour used
    case = [
        Sku(
            "H800",
            count="2048 GPU",
            server_cost_per_gpu={"uniform": {"low": "30k USD/GPU", "high": "40k USD/GPU"}},
        )
    ]
    with sampling(10_000, seed=0):
        full = Fleet(case, {"useful_life": "4 years"}).run()
        used = Fleet(case, {"useful_life": "4 years", "utilisation": "70%"}).run()
        assert one(full, "cost_per_gpu_hour") == pytest.approx(1.6145, abs=0.01)
        assert one(used, "cost_per_gpu_hour") == pytest.approx(1.6145 / 0.7, abs=0.015)
        assert one(used, "cost_per_gpu_hour") > 2  # above the rental
        assert one(used, "cost_per_gpu_hour") == pytest.approx(
            one(full, "cost_per_gpu_hour") / 0.7, rel=1e-9
        )


def test_utilisation_leaves_the_year_and_the_available_hours_alone():
    full = Fleet(OWNED).run()
    used = Fleet(OWNED, {"utilisation": "70%"}).run()
    # the hours not used still cost: per available hour nothing changes
    assert one(used, "cost_per_available_gpu_hour") == pytest.approx(
        one(full, "cost_per_gpu_hour"), rel=1e-12
    )
    assert one(used, "used_gpu_hours") == pytest.approx(0.7 * 2048 * 8766)


def test_a_sku_overrides_the_fleet_utilisation_and_the_total_weights_by_used_hours():
    skus = [
        Sku("H800", count="1000 GPU", server_cost_per_gpu="35k USD/GPU"),
        Sku(
            "H100",
            count="1000 GPU",
            server_cost_per_gpu="35k USD/GPU",
            assumptions={"utilisation": "50%"},
        ),
    ]
    r = Fleet(skus, {"utilisation": "90%"}).run()
    assert one(r, "used_gpu_hours", "H800") == pytest.approx(0.9 * 1000 * 8766)
    assert one(r, "used_gpu_hours", "H100") == pytest.approx(0.5 * 1000 * 8766)
    total = one(r, "tco_per_year") / one(r, "used_gpu_hours")
    assert one(r, "cost_per_gpu_hour") == pytest.approx(total)


def test_residual_value_by_hand():
    capex = 2048 * 35e3 * 1.18  # servers + 15% networking + 3% storage
    r = Fleet(
        OWNED, {"residual_value": "20%", "useful_life": "5 years", "cost_of_capital": "10%"}
    ).run()
    assert one(r, "capex") == pytest.approx(capex)
    assert one(r, "depreciation") == pytest.approx(capex * 0.8 / 5)
    # the textbook payment on a loan of capex with a balloon of the residual at the end
    rate, n, fv = 0.10, 5, 0.2 * capex
    payment = rate * (capex - fv / (1 + rate) ** n) / (1 - (1 + rate) ** -n)
    assert one(r, "annuity") == pytest.approx(payment)


@pytest.mark.parametrize("life", ["1 year", "2 years", "6 years", "10 years"])
def test_lives_from_one_to_ten_years(life):
    years = float(life.split()[0])
    r = Fleet(OWNED, {"useful_life": life}).run()
    assert one(r, "depreciation") == pytest.approx(one(r, "capex") / years)


@settings(max_examples=30, deadline=None)
@given(
    u=st.floats(0.05, 1.0),
    life=st.integers(1, 10),
    rate=st.sampled_from(["0%", "5%", "10%"]),
    method=st.sampled_from(["depreciation", "annuity"]),
)
def test_utilisation_scales_cost_per_used_hour_by_its_inverse(u, life, rate, method):
    base = {"useful_life": f"{life} years", "cost_of_capital": rate, "capital_cost": method}
    full = Fleet(OWNED, base).run()
    used = Fleet(OWNED, {**base, "utilisation": u}).run()
    for key in ("cost_per_gpu_hour", "cost_per_bf16_pflop_hour", "cost_per_fp8_pflop_hour"):
        assert one(used, key) == pytest.approx(one(full, key) / u, rel=1e-9)
    assert one(used, "tco_per_year") == pytest.approx(one(full, "tco_per_year"), rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    life=st.integers(1, 10),
    rate=st.sampled_from(["0%", "4%", "12.5%"]),
    residual=st.floats(0.0, 1.0),
)
def test_residual_zero_is_todays_figure_and_more_residual_costs_less(life, rate, residual):
    base = {"useful_life": f"{life} years", "cost_of_capital": rate}
    today = Fleet(OWNED, base).run()
    zero = Fleet(OWNED, {**base, "residual_value": "0%"}).run()
    some = Fleet(OWNED, {**base, "residual_value": residual}).run()
    for key in ("depreciation", "annuity"):
        assert one(zero, key) == pytest.approx(one(today, key), rel=1e-12)
        assert one(some, key) <= one(today, key) * (1 + 1e-12)
    # all of capex recovered: straight-line writes nothing off, the annuity pays interest only
    if residual == 1.0:
        assert one(some, "depreciation") == 0
        assert one(some, "annuity") == pytest.approx(
            one(some, "capex") * float(rate.rstrip("%")) / 100, abs=1e-6
        )


def test_an_uncertain_utilisation_is_sampled():
    with sampling(2000, seed=1):
        r = Fleet(OWNED, {"utilisation": "60% to 90%"}).run()
        cost = r.get("cost_per_gpu_hour", "Total").magnitude
    assert cost.min() < cost.max()
    assert (cost >= 1.61 - 0.01).all()


def test_the_declaration_reads_the_new_inputs():
    fleet = kind("fleet")
    assert "utilisation" in fleet.shared_inputs and "residual_value" in fleet.shared_inputs
    assert "utilisation" in fleet.formulas["used_gpu_hours"].text()
    assert "residual_value" in fleet.formulas["annuity"].text()


def test_bad_values_in_a_file_are_one_line_with_exit_2(cli, write):
    for field, value, fragment in [
        ("utilisation", "120%", "at most 100%"),
        ("utilisation", "0%", "above 0"),
        ("residual_value", "150%", "at most 100%"),
        ("useful_life", "12 years", "at most 10"),
    ]:
        path = write(
            "name: x\nassumptions:\n"
            f"  {field}: {value}\n"
            "skus:\n  - {chip: H800, count: 8, server_cost_per_gpu: 35k USD/GPU}\n"
        )
        run = cli("fleet", str(path))
        assert run.code == 2, run.err
        assert run.err.count("\n") == 1 and "Traceback" not in run.err
        assert field in run.err and fragment in run.err


def aged(acquired, as_of, **assumptions):
    # the price today's fleet pays: a dated SKU would otherwise take its year's published
    # price (tests/test_published.py), and these tests are about the decline of value
    assumptions.setdefault("electricity_price", "0.08 USD/kWh")
    sku = Sku(
        "H800", count="2048 GPU", server_cost_per_gpu="35k USD/GPU", acquired=acquired, as_of=as_of
    )
    return Fleet([sku], assumptions).run()


def test_a_2020_purchase_used_in_2024_is_charged_on_its_2024_value():
    r, today = aged(2020, 2024), Fleet(OWNED).run()
    assert one(r, "capex") == one(today, "capex")  # what was paid is unchanged
    assert one(r, "value_at_use") == pytest.approx(one(today, "capex") * 10 ** (-0.14 * 4))
    assert one(r, "depreciation") == pytest.approx(one(today, "depreciation") * 10**-0.56)


@settings(max_examples=25, deadline=None)
@given(decline=st.floats(0.01, 0.5), start=st.integers(1995, 2060))
def test_value_halves_at_the_half_life(decline, start):
    half_life = 0.30102999566398120 / decline  # log10(2) / rate
    r = aged(start, start + half_life, decline=decline)
    assert one(r, "value_at_use") == pytest.approx(one(r, "capex") / 2, rel=1e-9)


@settings(max_examples=15, deadline=None)
@given(start=st.integers(1995, 2060), years=st.integers(0, 10))
def test_no_decline_or_no_age_gives_todays_figures(start, years):
    today = Fleet(OWNED).run()
    for r in (aged(start, start + years, decline=0), aged(start, start)):
        for key in ("value_at_use", "depreciation", "annuity", "cost_per_gpu_hour"):
            assert one(r, key) == pytest.approx(
                one(today, key if key != "value_at_use" else "capex"), rel=1e-12
            )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"acquired": 2021, "retired": 2020}, "the retirement is before the year acquired"),
        ({"as_of": 2024}, "gives as_of but not acquired"),
        ({"acquired": 2024, "as_of": 2021}, "before the year acquired"),
        ({"acquired": 1800, "as_of": 2021}, "at least 1990"),
    ],
)
def test_bad_dates_are_refused(fields, message):
    from flopbook.errors import InputError

    with pytest.raises(InputError, match=message):
        Sku("H800", count=8, server_cost_per_gpu="35k USD/GPU", **fields)


def test_a_negative_decline_in_a_file_is_one_line(cli, write):
    path = write(
        "name: x\nassumptions:\n  decline: -0.1\nskus:\n"
        "  - {chip: H800, count: 8, server_cost_per_gpu: 35k USD/GPU}\n"
    )
    run = cli("fleet", str(path))
    assert run.code == 2 and run.err.count("\n") == 1 and "decline" in run.err
