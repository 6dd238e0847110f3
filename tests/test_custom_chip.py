"""Custom chips in scenario files and `calc --chip`, checked like catalog entries."""

from __future__ import annotations

import datetime as dt

import pytest

from flopbook.catalog.custom import custom_chip
from flopbook.errors import InputError, InputWarning
from flopbook.fleet_file import load_scenario

GOOD = """\
name: a chip of our own
skus:
  - chip: {name: MyChip, bf16_dense: 800 TFLOP/s, tdp: 600 W, hbm_capacity: 96 GB,
           server_cost_per_gpu: {value: 30k USD/GPU, as_of: 2025-06, source: "vendor quote"}}
    count: 1000
"""


def _write(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_custom_chip_runs_with_its_own_price(tmp_path):
    fleet = load_scenario(_write(tmp_path, GOOD))
    result = fleet.run()
    assert result.columns == ["MyChip"]
    server = result.get("server_cost_per_gpu").to("USD/GPU").magnitude.mean()
    assert server == pytest.approx(30000)
    assert fleet.skus[0].peak("bf16_dense").to("TFLOP/s").magnitude[0] == 800


def _bad(tmp_path, line: str, count: str = "10") -> InputError:
    text = (
        "skus:\n  - chip:\n      name: Bad\n      bf16_dense: 100 TFLOP/s\n"
        f"      tdp: 700 W\n      {line}\n    count: {count}\n"
    )
    if line.startswith(("bf16_dense", "tdp")):
        text = text.replace(
            f"      {line.split(':')[0]}: "
            + ("100 TFLOP/s" if line.startswith("bf16") else "700 W")
            + "\n",
            "",
            1,
        )
    with pytest.raises(InputError) as err:
        load_scenario(_write(tmp_path, text))
    return err.value


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        ("bf16_dense: -5 TFLOP/s", "skus[0].chip.bf16_dense", "above zero"),
        ("tdp: 5 TFLOP/s", "skus[0].chip.tdp", "expected"),
        ("hbm_capacity: 0 GB", "skus[0].chip.hbm_capacity", "above zero"),
        ("flops: 3", "skus[0].chip.flops", "unknown field"),
    ],
)
def test_bad_fields_name_file_line_and_field(tmp_path, line, field, words):
    err = _bad(tmp_path, line)
    assert err.field == field and words in err.message
    assert err.file and err.line is not None
    assert len(str(err).splitlines()) == 1


def test_a_missing_required_field_is_named(tmp_path):
    text = "skus:\n  - chip: {name: X, bf16_dense: 100 TFLOP/s}\n    count: 1\n"
    with pytest.raises(InputError) as err:
        load_scenario(_write(tmp_path, text))
    assert err.value.field == "skus[0].chip.tdp" and "needs 'tdp'" in err.value.message


def test_a_price_dated_in_the_future_is_refused(tmp_path):
    future = (dt.date.today() + dt.timedelta(days=60)).strftime("%Y-%m")
    err = _bad(tmp_path, f"gpu_price: {{value: 3k USD/GPU, as_of: {future}}}")
    assert err.field == "skus[0].chip.gpu_price.as_of" and "future" in err.message


def test_a_sparse_rate_is_a_warning_naming_line_and_field(tmp_path):
    text = (
        "skus:\n  - chip:\n      name: Sparse\n      architecture: Hopper\n"
        "      bf16_dense: 1979 TFLOP/s\n      tdp: 700 W\n    count: 10\n"
        "    server_cost_per_gpu: 40k USD/GPU\n"
    )
    path = _write(tmp_path, text)
    with pytest.warns(InputWarning) as caught:
        load_scenario(path)
    message = str(caught[0].message)
    assert f"{path}:5: skus[0].chip.bf16_dense" in message and "sparse" in message


def test_a_dense_rate_is_not_warned_about():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        custom_chip(
            {"name": "Ok", "architecture": "Hopper", "bf16_dense": "989 TFLOP/s", "tdp": "700 W"}
        )


def test_an_unknown_architecture_is_checked_against_the_whole_catalog():
    _, notes = custom_chip({"name": "Big", "bf16_dense": "9000 TFLOP/s", "tdp": "1 kW"})
    assert notes and notes[0][0] == "bf16_dense"


def test_cli_fleet_warns_on_stderr_and_exits_0(cli, tmp_path):
    text = GOOD.replace("800 TFLOP/s", "20000 TFLOP/s")
    run = cli("fleet", str(_write(tmp_path, text)), "--samples", "100")
    assert run.code == 0
    assert "warning:" in run.err and "bf16_dense" in run.err


def test_cli_bad_custom_chip_is_one_line_exit_2(cli, tmp_path):
    run = cli("fleet", str(_write(tmp_path, GOOD.replace("600 W", "-600 W"))))
    assert run.code == 2
    assert "skus[0].chip.tdp" in run.err and len(run.err.strip().splitlines()) == 1


def test_calc_uses_a_custom_chip(cli):
    run = cli(
        "calc",
        "2048 GPU * MyChip.bf16_dense * 1 hour",
        "--to",
        "EFLOP",
        "--chip",
        "{name: MyChip, bf16_dense: 800 TFLOP/s, tdp: 600 W}",
    )
    assert run.code == 0, run.err
    assert "5,898" in run.out  # 2048 x 800e12 x 3600 = 5.898e21 FLOP


def test_calc_bad_chip_names_the_option(cli):
    run = cli("calc", "MyChip.tdp", "--chip", "{name: MyChip, bf16_dense: 800 TFLOP/s}")
    assert run.code == 2 and "--chip tdp" in run.err


CATALOG_PRICED = """\
name: a 2021 fleet
date: 2021-06
skus:
  - {chip: A100, count: 500, server_cost_per_gpu: catalog}
"""


def test_catalog_prices_are_taken_at_the_scenario_date(tmp_path):
    fleet = load_scenario(_write(tmp_path, CATALOG_PRICED))
    given = fleet.skus[0].inputs["server_cost_per_gpu"]
    assert given.source.startswith("flopbook catalog")
    assert "nearest to 2021-06-01" in given.note
    with pytest.warns(InputWarning, match="STALE"):  # the latest A100 server price is old
        later = load_scenario(_write(tmp_path, CATALOG_PRICED.replace("date: 2021-06\n", "")))
    assert "latest" in later.skus[0].inputs["server_cost_per_gpu"].note
    assert (
        given.value.to("USD/GPU").magnitude.mean()
        != later.skus[0].inputs["server_cost_per_gpu"].value.to("USD/GPU").magnitude.mean()
    )


def test_a_stale_catalog_price_is_a_warning_naming_the_line(tmp_path):
    text = "date: 2021-06\nskus:\n  - chip: V100\n    count: 10\n    server_cost_per_gpu: catalog\n"
    path = _write(tmp_path, text)
    with pytest.warns(InputWarning) as caught:
        load_scenario(path)
    assert f"{path}:5: skus[0].server_cost_per_gpu" in str(caught[0].message)
    assert "STALE" in str(caught[0].message)


def test_a_chip_without_a_catalog_price_is_an_error(tmp_path):
    text = "skus:\n  - chip: TPUv7\n    count: 10\n    server_cost_per_gpu: catalog\n"
    with pytest.raises(InputError) as err:
        load_scenario(_write(tmp_path, text))
    assert err.value.field == "skus[0].server_cost_per_gpu" and "no server_per_gpu" in str(
        err.value
    )


def test_a_bad_scenario_date_is_an_error(tmp_path):
    with pytest.raises(InputError) as err:
        load_scenario(_write(tmp_path, CATALOG_PRICED.replace("2021-06", "June 2021")))
    assert err.value.field == "date" and err.value.line == 2
