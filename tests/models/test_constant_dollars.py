"""Prices of different years (or months) restated in one year's (or month's) dollars by the
shipped US CPI-U (or the monthly PPI for data processing and hosting)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopbook.errors import InputError
from flopbook.inputs import decimal_year
from flopbook.models.constant_dollars import (
    cpi,
    month_of,
    months,
    ppi_hosting,
    restate_factor,
    years,
)
from flopbook.models.fleet import Fleet, Sku

YEARS = st.sampled_from(years())


def test_the_index_names_its_series_and_source():
    data = cpi()
    assert data["series"] == "CUUR0000SA0" and "bls.gov" in data["source"]
    assert data["annual"][2017] == pytest.approx(245.120)
    assert data["annual"][2024] == pytest.approx(313.689)


def test_a_2017_server_in_2024_dollars_by_hand():
    skus = [
        Sku("H100", count=100, server_cost_per_gpu="30k USD/GPU", prices_of=2017),
        Sku("H800", count=100, server_cost_per_gpu="30k USD/GPU", prices_of=2024),
    ]
    r = Fleet(skus, dollars_of=2024).run()
    h100 = float(r.get("server_capex", "H100").magnitude.mean())
    h800 = float(r.get("server_capex", "H800").magnitude.mean())
    assert h100 == pytest.approx(100 * 30e3 * 313.689 / 245.120)
    assert h800 == pytest.approx(100 * 30e3)
    assert skus[0].inputs["server_cost_per_gpu"].value.magnitude[0] == 30e3  # not modified


def test_what_a_sku_earns_is_restated_with_what_it_costs():
    factor = 313.689 / 245.120
    sku = Sku("H100", count=8, server_cost_per_gpu="30k USD/GPU", rental_price="2 USD/GPU/hour",
              api_price="1 USD/Mtoken",
              operating_cost="500 USD/GPU/year", prices_of=2017)  # fmt: skip
    (restated,) = Fleet([sku], dollars_of=2024).skus
    for name, written in (("rental_price", 2.0), ("api_price", 1.0), ("operating_cost", 500.0)):
        value = restated.inputs[name].value.magnitude
        assert float(value.mean() if hasattr(value, "mean") else value) == pytest.approx(
            written * factor
        ), name
        assert "restated from 2017 to 2024" in (restated.inputs[name].note or "")


@settings(max_examples=40, deadline=None)
@given(a=YEARS, b=YEARS, c=YEARS)
def test_restating_round_trips_and_chains(a, b, c):
    there = restate_factor(a, b, field="x")
    assert there * restate_factor(b, a, field="x") == pytest.approx(1, rel=1e-12)
    assert there * restate_factor(b, c, field="x") == pytest.approx(
        restate_factor(a, c, field="x"), rel=1e-12
    )


def test_prices_in_the_base_year_or_undated_do_not_move():
    plain = Fleet([Sku("H800", count=8, server_cost_per_gpu="35k USD/GPU")]).run()
    for sku in (
        Sku("H800", count=8, server_cost_per_gpu="35k USD/GPU", prices_of=2024),
        Sku("H800", count=8, server_cost_per_gpu="35k USD/GPU"),
    ):
        r = Fleet([sku], dollars_of=2024).run()
        assert float(r.get("tco_per_year").magnitude.mean()) == pytest.approx(
            float(plain.get("tco_per_year").magnitude.mean()), rel=1e-12
        )


@pytest.mark.parametrize(
    ("years_", "dollars_of", "message"),
    [
        ((2017, 2024), None, "no base year"),
        ((2012, 2024), 2024, "no US CPI-U annual average for 2012"),
        ((2017, 2024), 2030, "no US CPI-U annual average for 2030"),
    ],
)
def test_mixing_years_without_an_index_is_refused(years_, dollars_of, message):
    skus = [
        Sku("H100", count=1, server_cost_per_gpu="30k USD/GPU", prices_of=y, name=str(y))
        for y in years_
    ]
    with pytest.raises(InputError, match=message):
        Fleet(skus, dollars_of=dollars_of)


def test_a_file_with_two_years_and_no_base_is_one_line(cli, write):
    path = write(
        "name: x\nskus:\n"
        "  - {chip: H100, count: 8, server_cost_per_gpu: 30k USD/GPU, prices_of: 2017}\n"
        "  - {chip: H800, count: 8, server_cost_per_gpu: 30k USD/GPU, prices_of: 2024}\n"
    )
    run = cli("fleet", str(path))
    assert run.code == 2 and run.err.count("\n") == 1 and "dollars_of" in run.err
    fixed = write(path.read_text().replace("name: x\n", "name: x\ndollars_of: 2024\n"), "b.yaml")
    assert cli("fleet", str(fixed)).code == 0


def test_a_fleet_rebuilt_from_restated_skus_does_not_restate_again():
    skus = [
        Sku("H100", count=100, server_cost_per_gpu="30k USD/GPU", prices_of=2017),
        Sku("H800", count=100, server_cost_per_gpu="30k USD/GPU", prices_of=2024),
    ]
    fleet = Fleet(skus, dollars_of=2024)
    again = Fleet(fleet.skus)  # no base year given: the prices are all 2024's now
    for f in (again, Fleet(fleet.skus, dollars_of=2024), fleet.subset("H100")):
        r = f.run()
        assert float(r.get("server_capex", "H100").magnitude.mean()) == pytest.approx(
            100 * 30e3 * 313.689 / 245.120
        )


# ---- the monthly PPI for data processing and hosting ------------------------------------

MONTHS = st.sampled_from(months())


def test_the_monthly_index_names_its_series_and_source():
    data = ppi_hosting()
    assert data["series"] == "PCU518210518210" and "fred.stlouisfed.org" in data["source"]
    assert data["monthly"]["2023-02"] == pytest.approx(117.529)
    assert data["monthly"]["2024-12"] == pytest.approx(119.349)


@settings(max_examples=60, deadline=None)
@given(month=MONTHS, day=st.integers(1, 28))
def test_a_date_names_the_month_it_falls_in(month, day):
    assert month_of(decimal_year(month)) == month
    assert month_of(decimal_year(f"{month}-{day:02d}")) == month


@settings(max_examples=40, deadline=None)
@given(a=MONTHS, b=MONTHS, c=MONTHS)
def test_monthly_restating_round_trips_and_chains(a, b, c):
    def f(x: str, y: str) -> float:
        return restate_factor(decimal_year(x), decimal_year(y), field="x", index_name="ppi-hosting")

    assert f(a, b) * f(b, a) == pytest.approx(1, rel=1e-12)
    assert f(a, b) * f(b, c) == pytest.approx(f(a, c), rel=1e-12)


def test_a_february_2023_server_in_december_2024_dollars_by_hand():
    sku = Sku("A100", count=1, server_cost_per_gpu="24875 USD/GPU", prices_of="2023-02")
    fleet = Fleet([sku], dollars_of="2024-12", price_index="ppi-hosting")
    restated = fleet.skus[0].inputs["server_cost_per_gpu"]
    assert restated.value.magnitude[0] == pytest.approx(24875 * 119.349 / 117.529)
    assert "from 2023-02 to 2024-12" in restated.note and "PPI" in restated.note


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prices_of": "2023-02", "dollars_of": 2024}, "annual average: prices_of"),
        (
            {"prices_of": "2016-02", "dollars_of": "2024-12", "price_index": "ppi-hosting"},
            "for 2016-02",
        ),
        (
            {"prices_of": "2023-02", "dollars_of": "2024-12", "price_index": "ppi"},
            "no price index 'ppi'",
        ),
        ({"prices_of": "2023-02", "price_index": "ppi-hosting"}, "no dollars_of"),
    ],
)
def test_a_month_the_index_cannot_restate_is_refused(kwargs, message):
    prices_of = kwargs.pop("prices_of")
    sku = Sku("A100", count=1, server_cost_per_gpu="24875 USD/GPU", prices_of=prices_of)
    with pytest.raises(InputError, match=message):
        Fleet([sku], **kwargs)


def test_an_unknown_index_in_a_file_is_one_line(cli, write):
    path = write(
        "name: x\ndollars_of: 2024-12\nprice_index: ppi\nskus:\n"
        "  - {chip: H100, count: 8, server_cost_per_gpu: 30k USD/GPU, prices_of: 2023-02}\n"
    )
    run = cli("fleet", str(path))
    assert run.code == 2 and run.err.count("\n") == 1 and "ppi-hosting" in run.err
    fixed = write(path.read_text().replace("price_index: ppi\n", "price_index: ppi-hosting\n"))
    assert cli("fleet", str(fixed)).code == 0
