"""Electricity prices by year and PUE by operator, looked up in the shipped, sourced tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
        ("electricity_price", {"year": 2024}, "electricity_price.year", "2002–2011, 2014–2023"),
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


# ---- defaults picked by the use year (as_of) and the operator --------------------------


def _dated(as_of=None, operator=None, **assumptions):
    fields = {"acquired": 1995, "as_of": as_of} if as_of is not None else {}
    sku = Sku("H100", count="100 GPU", server_cost_per_gpu="35k USD/GPU", **fields)
    return Fleet([sku], assumptions, operator=operator)


def test_a_use_year_picks_that_years_electricity_price_as_a_default():
    # EIA Electric Power Monthly: industrial revenue 66,068 M$ over 976,715 GWh in 2016
    fleet = _dated(as_of=2016)
    picked = fleet.assumptions.inputs["electricity_price"]
    assert float(magnitudes(picked.value, "USD/kWh")[0]) == pytest.approx(0.0676)
    assert "EIA" in (picked.source or "") and "as_of 2016" in (picked.note or "")
    assert "electricity_price" not in fleet.assumptions.given  # still a default, not an input
    row = next(r for r in fleet.run().to_dict()["assumptions"] if r["name"] == "electricity_price")
    assert row["default"] is True and "EIA" in row["source"]


def test_a_year_after_the_table_takes_the_nearest_earlier_with_a_note():
    picked = _dated(as_of="2024-07").assumptions.inputs["electricity_price"]
    assert float(magnitudes(picked.value, "USD/kWh")[0]) == pytest.approx(0.0806)
    assert "no figure for 2024" in (picked.note or "") and "2023" in (picked.note or "")


def test_a_year_before_the_table_is_a_one_line_error_naming_the_as_of():
    with pytest.raises(InputError) as found:
        _dated(as_of=1999)
    assert found.value.field == "skus.H100.as_of" and "starts in 2002" in str(found.value)


def test_an_operator_picks_its_pue_of_the_use_year_or_its_latest():
    assert float(magnitudes(_dated(operator="google").assumptions["pue"], "")[0]) == 1.10
    assert float(magnitudes(_dated(2011, "google").assumptions["pue"], "")[0]) == 1.14
    # 2009 is not in Google's rows: 2008's 1.22, marked
    got = _dated(2009, "Google").assumptions.inputs["pue"]
    assert float(magnitudes(got.value, "")[0]) == 1.22 and "no figure for 2009" in got.note
    with pytest.raises(InputError) as found:
        _dated(2021, "meta")  # Meta's first published figure is 2023's
    assert found.value.field == "skus.H100.as_of"


def test_what_the_scenario_writes_always_wins():
    fleet = _dated(2016, "google", electricity_price="0.12 USD/kWh", pue=1.4)
    assert float(magnitudes(fleet.assumptions["electricity_price"], "USD/kWh")[0]) == 0.12
    assert float(magnitudes(fleet.assumptions["pue"], "")[0]) == 1.4
    assert fleet.assumptions.published_defaults() == []


def test_skus_used_in_different_years_each_get_their_years_price():
    skus = [
        Sku("H100", name=f"H100 {y}", count="8 GPU", gpu_price="25k USD/GPU", acquired=y, as_of=y)
        for y in (2016, 2021)
    ]
    fleet = Fleet(skus)
    prices = {s.name: s.assumptions["electricity_price"]["value"] for s in fleet.skus}
    assert prices == {"H100 2016": "0.0676 USD/kWh", "H100 2021": "0.0718 USD/kWh"}
    assert "electricity_price" not in fleet.assumptions.published  # no one shared year


@settings(max_examples=30, deadline=None)
@given(year=st.integers(2002, 2099), month=st.integers(1, 12))
def test_a_picked_price_is_always_a_row_of_the_table_never_a_blend(year, month):
    rows = {int(y): r for y, r in sd.electricity_prices()["sectors"]["industrial"].items()}
    fleet = _dated(as_of=f"{year}-{month:02d}")
    got = float(magnitudes(fleet.assumptions["electricity_price"], "USD/kWh")[0])
    assert got == pytest.approx(float(rows[max(y for y in rows if y <= year)]["value"]) / 100)


@settings(max_examples=20, deadline=None)
@given(year=st.integers(2002, 2040))
def test_picking_by_year_is_the_same_as_writing_the_figure(year):
    # the picked default is a price in USD/kWh like any other: same TCO as writing it
    picked = _dated(as_of=year)
    price = picked.assumptions["electricity_price"]
    written = _dated(as_of=year, electricity_price=price)
    a = float(magnitudes(picked.run().get("tco_per_year"), "USD/year")[0])
    b = float(magnitudes(written.run().get("tco_per_year"), "USD/year")[0])
    assert a == pytest.approx(b, rel=1e-12)


@settings(max_examples=10, deadline=None)
@given(count=st.integers(1, 100_000))
def test_without_a_date_or_an_operator_the_defaults_are_unchanged(count):
    sku = Sku("H100", count=f"{count} GPU", server_cost_per_gpu="35k USD/GPU")
    fleet = Fleet([sku])
    assert fleet.assumptions.published_defaults() == []
    for name in ("electricity_price", "pue"):
        default = Assumptions().inputs[name]
        assert fleet.assumptions.inputs[name].value == default.value


def test_every_worked_eia_row_is_its_revenue_over_its_sales():
    rows = [r for s in sd.electricity_prices()["sectors"].values() for r in s.values()]
    worked = [r for r in rows if "revenue_musd" in r]
    assert len(worked) >= 15
    for r in worked:  # million USD / thousand MWh = USD/kWh; the table is in cents
        assert round(100 * r["revenue_musd"] / r["sales_gwh"], 2) == pytest.approx(r["value"])


def test_the_fleet_report_names_the_picked_figures_and_their_sources(cli, write):
    path = write(
        "operator: google\nskus:\n  - {chip: H100, count: 100, server_cost_per_gpu: 35k USD/GPU,"
        " acquired: 2022, as_of: 2023}\n"
    )
    run = cli("fleet", str(path))
    assert run.code == 0, run.err
    flat = " ".join(run.out.split())
    assert "electricity_price from a published table" in flat and "8.06 cents/kWh" in flat
    assert "pue from a published table: Google (fleet average), 2023: PUE 1.1" in flat


@pytest.mark.parametrize(
    ("text", "field", "says"),
    [
        ("operator: amazon\n", "operator", "google"),
        ("operator: [google]\n", "operator", "operator's name"),
        ("operator: meta\n", "skus[0]", "Meta"),
    ],
)
def test_a_bad_operator_or_year_is_one_line_naming_file_and_field(cli, write, text, field, says):
    path = write(
        text + "skus:\n  - {chip: H100, count: 100, server_cost_per_gpu: 35k USD/GPU,"
        " acquired: 2019, as_of: 2020}\n"
    )
    before = path.read_text(encoding="utf-8")
    run = cli("fleet", str(path))
    assert run.code == 2 and not run.out
    assert run.err.count("\n") == 1 and "Traceback" not in run.err
    assert str(path.name) in run.err and field in run.err and says in run.err, run.err
    assert path.read_text(encoding="utf-8") == before


# ---- whole servers by chip -------------------------------------------------------------


def test_a_chips_server_power_is_its_reference_systems_maximum_over_its_gpus():
    # DGX H100: 10.2 kW for 8 x 700 W; DGX A100: 6.5 kW for 8 x 400 W, the 103.125% the
    # Epoch AI cases write by hand
    assert _value("server_power_overhead", {"chip": "H100"}, "") == pytest.approx(1275 / 700 - 1)
    assert _value("server_power_overhead", {"chip": "DGX A100"}, "") == pytest.approx(1.03125)
    note = Assumptions(server_power_overhead={"chip": "b200"}).inputs["server_power_overhead"]
    assert "14.3 kW" in note.note and "docs.nvidia.com" in note.source


def test_a_chips_server_parts_are_its_server_price_over_its_gpus_price():
    # SemiAnalysis (2023-05): DGX H100 about $270k, its 8 GPUs and baseboard about $195k
    got = _value("server_overhead_capex", {"chip": "H100"}, "")
    assert got == pytest.approx(270 / 195 - 1)


@settings(max_examples=10, deadline=None)
@given(index=st.integers(0, 100))
def test_it_power_per_gpu_from_the_share_is_the_systems_power_per_gpu(index):
    from flopbook.catalog import chip

    chips = sd.servers_table()["chips"]
    chip_id = sorted(chips)[index % len(chips)]
    entry = chips[chip_id]
    tdp = chip(chip_id).spec("tdp")
    assert float(magnitudes(tdp, "W")[0]) == entry["gpu_tdp_w"]  # the catalog TDP
    share = Assumptions(server_power_overhead={"chip": chip_id})["server_power_overhead"]
    per_gpu = (tdp * (1 + share)).to("kW") * entry["gpus"]
    assert float(magnitudes(per_gpu, "kW")[0]) == pytest.approx(entry["max_power_kw"], rel=1e-5)


@pytest.mark.parametrize(
    ("name", "raw", "says"),
    [
        ("server_power_overhead", {"chip": "H800"}, "H200"),
        ("server_overhead_capex", {"chip": "A100"}, "H100"),
        ("server_power_overhead", {"chip": "H100", "system": "x"}, "a lookup takes chip"),
    ],
)
def test_a_chip_without_server_figures_is_a_clear_error(name, raw, says):
    with pytest.raises(InputError) as found:
        Assumptions(**{name: raw})
    assert found.value.field.startswith(name) and says in str(found.value)


def test_every_server_row_names_its_sources():
    table = sd.servers_table()
    for entry in table["chips"].values():
        for key in ("power_source", "cost_source"):
            if key in entry:
                source = table["sources"][entry[key]]
                assert source["url"].startswith("http") and source["retrieved"]


def test_the_docs_list_the_servers_as_shipped():
    text = DOCS.read_text(encoding="utf-8")
    for chip_id, e in sd.servers_table()["chips"].items():
        assert (
            f"| `{chip_id}` | {e['system']} | {e['max_power_kw']:g} kW / {e['gpus']} GPUs |" in text
        )


def test_skus_of_different_years_show_their_figures_in_json_and_the_report(cli, write):
    import json
    from importlib import resources

    jsonschema = pytest.importorskip("jsonschema")
    path = write(
        "skus:\n"
        "  - {chip: H100, name: old, count: 8, gpu_price: 25k USD/GPU,"
        " acquired: 2016, as_of: 2016}\n"
        "  - {chip: H100, name: new, count: 8, gpu_price: 25k USD/GPU,"
        " acquired: 2021, as_of: 2021}\n"
    )
    run = cli("fleet", str(path), "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    schema = resources.files("flopbook").joinpath("schemas", "fleet.json").read_text("utf-8")
    jsonschema.validate(data, json.loads(schema))
    got = {(r["sku"], r["name"]): r["value"] for r in data["published_defaults"]}
    assert got == {("old", "electricity_price"): 0.0676, ("new", "electricity_price"): 0.0718}
    text = " ".join(cli("fleet", str(path)).out.split())
    assert "old electricity_price from a published table" in text
    assert "electricity_price," not in text.split("flopbook defaults used:")[1].split("(")[0]
