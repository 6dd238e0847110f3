"""Prices as dated series: which observation a model uses, and when it is stale."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from flopbook.catalog import STALE_DAYS, _load_file, chip
from flopbook.catalog.schema import ChipEntry, Price
from flopbook.errors import InputError


def test_a_date_picks_the_nearest_observation():
    a100 = chip("A100")
    early = a100.pick_price("server_per_gpu", at="2022-02-01")
    assert early.as_of == "2022-01-20"  # DGX A100-class server, 20.9k per GPU
    assert "nearest to 2022-02-01" in early.how
    assert early.value.magnitude[0] == pytest.approx(20875, rel=0.01)


def test_no_date_picks_the_latest_and_says_so():
    pick = chip("H100").pick_price("rental")
    assert "latest" in pick.how
    assert all(o.term == "on_demand" and o.default for o in pick.observations)


def test_observations_of_one_snapshot_are_uniform_between_their_ends():
    pick = chip("H100").pick_price("rental", at="2025-03-03")
    values = [o.value for o in pick.observations]
    assert len(values) >= 4  # Cudo, RunPod, Oblivus, CR8DL, Lambda
    m = pick.value.magnitude
    assert m.min() >= 2.45 and m.max() <= 3.95
    assert np.mean(m) == pytest.approx((2.45 + 3.95) / 2, rel=0.02)


def test_hyperscaler_list_prices_stay_in_the_series_but_are_not_defaults():
    h100 = chip("H100")
    aws = [p for p in h100.prices("rental", "on_demand") if p.vendor == "Amazon Web Services"]
    assert aws and not any(p.default for p in aws)


def test_a_price_used_over_a_year_from_its_date_is_flagged():
    pick = chip("H100").pick_price("rental", at="2027-06-01")
    assert pick.stale and pick.age_days > STALE_DAYS
    assert "STALE" in pick.describe()
    fresh = chip("H100").pick_price("rental", at="2025-03-10")
    assert not fresh.stale and "STALE" not in fresh.describe()


def test_rental_terms_are_separate_series():
    three = chip("TPUv6e").pick_price("rental", term="3_year")
    on_demand = chip("TPUv6e").pick_price("rental")
    assert three.value.magnitude.mean() < on_demand.value.magnitude.mean()


def test_a_source_range_that_is_not_a_90_interval_is_sampled_uniformly():
    h20 = chip("H20")
    ranged = [p for p in h20.prices("purchase") if p.range == "uniform"]
    assert ranged  # 10k to 13k USD/GPU: a distributor's bounds
    from flopbook.catalog import sourced_quantity
    from flopbook.distributions import sampling

    with sampling(samples=20000, seed=1):
        m = sourced_quantity(ranged[0], "USD/GPU", key="t").magnitude
    assert m.min() >= 10000 and m.max() <= 13000  # a lognormal 90% interval would spill over


def _entry(**price) -> dict:
    base = chip("H100").entry.model_dump()
    base["prices"] = [price]
    return base


def test_a_price_dated_in_the_future_is_refused():
    future = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    with pytest.raises(ValueError, match="in the future"):
        ChipEntry.model_validate(
            _entry(kind="purchase", value="30k USD/GPU", as_of=future, source="x")
        )


def test_a_range_must_say_what_it_is():
    with pytest.raises(ValueError, match="range: p90"):
        Price.model_validate(
            {"kind": "purchase", "value": "30k to 40k USD/GPU", "as_of": "2025-01", "source": "x"}
        )


def test_a_rental_needs_a_term():
    with pytest.raises(ValueError, match="term"):
        Price.model_validate(
            {"kind": "rental", "value": "2 USD/GPU/hour", "as_of": "2025-01", "source": "x"}
        )


def test_a_bad_catalog_file_names_its_field():
    text = "id: X\nname: X\nvendor: V\narchitecture: A\nspecs: {}\n"
    with pytest.raises(InputError) as err:
        _load_file(text, "catalog/data/x.yaml")
    assert "catalog/data/x.yaml" in str(err.value)


def test_gb200_server_price_sits_above_the_h100_on_a_like_basis():
    # rack estimate per GPU against DGX H100 at SemiAnalysis's bulk 270k USD (2023)
    gb200 = chip("GB200").pick_price("server_per_gpu")
    h100_bulk = [p for p in chip("H100").prices("server_per_gpu") if "270,000" in (p.note or "")]
    assert gb200.observations[0].estimate
    assert gb200.value.magnitude.mean() > 33750
    assert h100_bulk


def test_only_list_prices_are_used_when_nothing_else_exists_and_the_output_says_so():
    pick = chip("H100-NVL").pick_price("rental")  # Azure's list price is all there is
    assert pick is not None and "only observations kept out of the defaults" in pick.describe()


def test_a_price_from_a_weak_source_says_it_is_an_estimate():
    pick = chip("H100").pick_price("rental", term="1_year", at="2026-03")
    assert all(o.estimate for o in pick.observations)
    assert "estimate" in pick.describe()
