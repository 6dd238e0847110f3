"""Electricity prices by year and PUE by operator, looked up in the shipped, sourced tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from flopbook import published as sd
from flopbook.errors import InputError
from flopbook.models.fleet import Assumptions, Fleet, Sku
from flopbook.quantity import magnitudes

DOCS = Path(__file__).parents[1] / "docs" / "scenario.md"


def _value(name: str, raw: object, unit: str) -> float:
    a = Assumptions(**{name: raw})
    return float(magnitudes(a[name], unit)[0])


def test_a_year_gives_the_eia_industrial_average():
    # Statista from US EIA (2024-03-18): 8.06 cents/kWh in 2023; also Epoch AI's 2023 figure
    assert _value("electricity_price", {"year": 2023}, "USD/kWh") == pytest.approx(0.0806)
    a = Assumptions(electricity_price={"year": 2023})
    given = a.inputs["electricity_price"]
    assert "EIA" in (given.source or "") and "2023" in (given.note or "")


def test_a_sector_and_a_year_from_the_eia_table():
    # EIA Electric Power Monthly, table 5.3 (2012): commercial 10.16 cents in 2010
    got = _value("electricity_price", {"year": 2010, "sector": "commercial"}, "USD/kWh")
    assert got == pytest.approx(0.1016)


def test_an_operator_gives_its_latest_published_pue_and_a_year_its_own():
    assert _value("pue", {"operator": "google"}, "") == pytest.approx(1.10)
    assert _value("pue", {"operator": "google", "year": 2011}, "") == pytest.approx(1.14)
    assert _value("pue", {"operator": "Facebook"}, "") == pytest.approx(1.08)
    assert _value("pue", {"operator": "industry-average", "year": 2022}, "") == 1.55


@pytest.mark.parametrize(
    ("name", "raw", "field", "says"),
    [
        ("electricity_price", {"year": 2024}, "electricity_price.year", "2002–2011, 2020"),
        ("electricity_price", {"year": "2023-06"}, "electricity_price.year", "whole year"),
        (
            "electricity_price",
            {"year": 2023, "sector": "home"},
            "electricity_price.sector",
            "industrial",
        ),
        (
            "electricity_price",
            {"year": 2023, "state": "VA"},
            "electricity_price.state",
            "year and sector",
        ),
        ("pue", {"operator": "amazon"}, "pue.operator", "google"),
        ("pue", {"operator": "meta", "year": 2019}, "pue.year", "2023"),
    ],
)
def test_what_the_tables_do_not_hold_is_a_clear_error(name, raw, field, says):
    with pytest.raises(InputError) as found:
        Assumptions(**{name: raw})
    assert found.value.field == field
    assert says in str(found.value)


def test_a_lookup_is_the_same_as_writing_the_figure():
    sku = Sku("H100", count="100 GPU", server_cost_per_gpu="35k USD/GPU")
    looked = Fleet([sku], {"electricity_price": {"year": 2022}, "pue": {"operator": "meta"}})
    written = Fleet([sku], {"electricity_price": "0.083 USD/kWh", "pue": 1.08})
    a = float(magnitudes(looked.run().get("tco_per_year"), "USD/year")[0])
    b = float(magnitudes(written.run().get("tco_per_year"), "USD/year")[0])
    assert a == pytest.approx(b, rel=1e-12)


def test_every_row_names_a_source_with_an_address_and_a_retrieval_date():
    for table, rows in (
        (
            sd.electricity_prices(),
            [r for s in sd.electricity_prices()["sectors"].values() for r in s.values()],
        ),
        (
            sd.pue_table(),
            [r for o in sd.pue_table()["operators"].values() for r in o["years"].values()],
        ),
    ):
        assert rows
        for row in rows:
            source = table["sources"][row["source"]]
            assert source["url"].startswith("http") and source["title"] and source["retrieved"]
            assert float(row["value"]) > 0


def test_the_docs_list_the_tables_as_shipped():
    text = DOCS.read_text(encoding="utf-8")
    for sector, rows in sd.electricity_prices()["sectors"].items():
        cells = ", ".join(f"{y}: {v['value']:g}" for y, v in rows.items())
        assert f"| {sector} | {cells} |" in text
    for op, entry in sd.pue_table()["operators"].items():
        cells = ", ".join(f"{y}: {v['value']:g}" for y, v in entry["years"].items())
        assert f"| `{op}` | {cells} |" in text


def test_a_workload_looks_up_its_pue_too(tmp_path):
    from flopbook.workload_file import run_workload

    base = (Path(__file__).parents[1] / "examples" / "inference.yaml").read_text(encoding="utf-8")
    looked, written = tmp_path / "looked.yaml", tmp_path / "written.yaml"
    looked.write_text(base + "pue: {operator: meta}\n", encoding="utf-8")
    written.write_text(base + "pue: 1.08\n", encoding="utf-8")
    a, b = run_workload(looked), run_workload(written)
    energy_a = float(magnitudes(a.get("energy"), "Wh/request")[0])
    energy_b = float(magnitudes(b.get("energy"), "Wh/request")[0])
    assert energy_a == pytest.approx(energy_b, rel=1e-12)
