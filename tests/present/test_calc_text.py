"""What `flopbook calc` shows: units a person reads, one spelling per unit."""

import pytest
from typer.testing import CliRunner

from flopbook.cli import app


@pytest.mark.parametrize(
    ("expression", "shown"),
    [
        # mixed scales of one kind cancel: MW·h over kWh is a number, the answer dollars
        ("50 MW * 8766 hour * 0.08 USD/kWh", "$35.06M"),
        ("700 W * 1 year * 0.08 USD/kWh", "$490.9"),
        # a price per GPU keeps its denominator
        ("30k USD/GPU", "$30.00k/GPU"),
        ("2 USD/GPU/hour", "$2.000/GPU-hour"),
        # same-kind units reduce to the unit written, never to seconds
        ("30 day * 24 hour/day", "720 hour"),
        ("2.788M GPU*hour", "2.788M GPU-hour"),
        ("3500 s*W", "0.9722 Wh"),
        ("700 W * 1 year", "6.136 MWh"),
        ("1 GW * 1 year", "8.766 TWh"),
        ("10,715 kWh / 365.25 day", "1.222 kW"),
        # data and bandwidth are their own kind, shown on their ladder (never 4e10 1/s)
        ("5 GB/s", "5 GB/s"),
        ("5 GB/s * 1 hour", "18 TB"),
        ("900 GB/s * 8", "7,200 GB/s"),
        ("900 GB/s * 16", "14.40 TB/s"),
        ("400 Gbit/s", "400 Gbit/s"),
        # compute rates and amounts as they are quoted
        ("H100.bf16_dense", "989 TFLOP/s/GPU"),
        ("H100.bf16_dense * 2048 GPU", "2.025 EFLOP/s"),
        ("H100.bf16_dense * 2048 GPU * 40%", "810.2 PFLOP/s"),
        ("H100.bf16_dense * 2048 GPU * 1 day", "1.750e23 FLOP"),
        # a time that only came out in seconds is in days or years
        ("3.3e24 FLOP / (2048 GPU * H100.bf16_dense * 40%)", "47.14 day"),
        ("1 year / 12", "30.44 day"),
        ("8766 hour", "8,766 hour"),
        # money per unit of time, per GPU, per token, per FLOP
        ("1.6B USD / 365 day", "$4.384M/day"),
        ("2.5 USD/GPU/hour * 2048 GPU", "$5.120k/hour"),
        ("30k USD/GPU / (4 year)", "$7.500k/GPU-year"),
        ("2 USD / (1M token)", "$2.000/Mtoken"),
        ("1 USD / (989 TFLOP/s * 1 hour)", "$0.2809/EFLOP"),
        # an energy per query, and a tiny number keeps its digits
        ("1 kWh / 1000 query", "1 Wh/query"),
        ("0.3 Wh/query * 1B query/day", "12.50 MW"),
        ("H100.tdp / H100.bf16_dense", "7.078e-13 GPU·J/FLOP"),
        ("1000 token/s * 1 day", "86.40M token"),
    ],
)
def test_calc_shows_readable_units(expression, shown):
    result = CliRunner().invoke(app, ["calc", expression])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{expression} = {shown}"


def test_json_unit_is_the_canonical_spelling_and_reads_back():
    import json

    from flopbook.quantity import q

    out = json.loads(CliRunner().invoke(app, ["calc", "2 USD/GPU/hour", "-f", "json"]).stdout)
    assert out["unit"] == "USD/GPU-hour"
    assert q(f"{out['value']} {out['unit']}").to("USD/GPU/hour").magnitude[0] == 2.0


def test_check_compares_a_price_per_gpu_with_a_price_per_gpu(tmp_path):
    claims = tmp_path / "c.yaml"
    claims.write_text(
        "title: t\nclaims:\n  - claim: a GPU costs 30k\n"
        "    expression: 30k USD/GPU\n    claimed: 30k USD/GPU\n"
    )
    result = CliRunner().invoke(app, ["check", str(claims)])
    assert result.exit_code == 0, result.output
    assert "holds" in result.stdout and "$30.00k/GPU" in result.stdout


def test_version():
    from flopbook.version import __version__

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"flopbook {__version__}"


@pytest.mark.parametrize("width", [80, 60])
def test_tables_fit_the_width_asked_for_and_the_total_is_never_cut(width):
    from conftest import ROOT

    fleet = str(ROOT / "examples" / "fleet.yaml")
    result = CliRunner().invoke(app, ["--width", str(width), "fleet", fleet])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    assert any(line.split("┃")[-2].strip() == "Total" for line in lines if "┃" in line)
    assert "$1.40B" in result.stdout  # the total capex, whole


@pytest.mark.parametrize("fmt", ["text", "table"])
def test_text_and_table_are_one_format_on_every_command(fmt):
    result = CliRunner().invoke(app, ["calc", "30k USD/GPU", "--format", fmt])
    assert result.exit_code == 0 and result.stdout.strip() == "30k USD/GPU = $30.00k/GPU"


def test_the_workbook_is_set_to_print(tmp_path):
    import zipfile

    from conftest import ROOT

    book = tmp_path / "fleet.xlsx"
    result = CliRunner().invoke(
        app, ["report", str(ROOT / "examples" / "fleet.yaml"), "--xlsx", str(book)]
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(book) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        names = z.read("xl/workbook.xml").decode()
    assert 'orientation="landscape"' in sheet and 'fitToPage="1"' in sheet
    assert 'fitToHeight="0"' in sheet  # one page wide, as many down as it needs
    assert "_xlnm.Print_Titles" in names
