"""At 80 columns every table keeps its figures whole: a table too wide is turned round or
stacked, never folded inside a number or a unit; the words of a file stay words."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from flopbook.cli import app

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, width: int = 80) -> str:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(app, ["--width", str(width), *args], env={"COLUMNS": ""})
    finally:
        os.chdir(cwd)
    assert result.exit_code in (0, 1), result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= width
    return result.stdout


def test_compare_at_80_columns_turns_its_table_round():
    out = run("compare", "H100", "H20", "Ascend 910C", "B200", "--price-kind", "owned")
    for figure in ("$2.063/GPU-hour", "$0.7756/GPU-hour", "2,250 TFLOP/s", "Ascend910C"):
        assert figure in out, figure
    wide = run("compare", "H100", "H20", "--price-kind", "owned", width=160)
    assert "│ H100 " in wide and "$2.063/GPU-hour" in wide  # a row a chip when it fits


def test_claims_at_80_columns_are_a_block_each():
    out = run("check", "examples/claims.yaml")
    for words in ("1 TFLOP/token", "2.788M GPU*hour * 2 USD/GPU/hour", "= $5.576M"):
        assert words in out, words
    # a source that reads like a style tag is text, not markup
    assert "[a published claim, corrected by Corry Wang, 2025-07-06]" in out


def test_fleet_shares_read_as_percentages_under_their_label():
    out = run("fleet", "examples/neocloud.yaml", width=200)
    margin = next(line for line in out.splitlines() if "Margin (share of revenue)" in line)
    assert "[share]" in margin and "1.5%" in margin
    out = run("breakeven", "examples/neocloud.yaml", width=200)
    tokens = next(line for line in out.splitlines() if "Tokens served per year" in line)
    assert "[tokens / year]" in tokens and "22.5T token/year" in tokens


def _no_cropped_row(out: str) -> None:
    # a table row cropped at the edge ends without its border
    rows = [line for line in out.splitlines() if line[:1] in "┏┃┡│├└"]
    assert all(line.rstrip()[-1:] in "┓┃┩│┤┘" for line in rows), out


def test_breakeven_and_cash_flows_at_80_columns_split_with_the_total_whole():
    out = run("breakeven", "examples/neocloud.yaml")
    _no_cropped_row(out)
    assert "90.0T token/year" in out  # the Total column, in a table of its own
    out = run("fleet", "examples/neocloud.yaml")
    _no_cropped_row(out)
    cash = out[out.index("Cash flows by year") :]
    assert "GPUs in service" in cash and "$157M" in cash  # labels kept, the Total whole


def test_sensitivity_tables_at_80_columns_drop_their_bars_not_figures():
    args = ("fleet", "examples/fleet.yaml", "--sensitivity", "cost_per_gpu_hour", "-n", "300")
    out = run(*args)
    _no_cropped_row(out)
    assert "…" not in out and "$34." in out
    assert "█" in run(*args, width=200)


def test_the_catalog_at_80_columns_keeps_every_name_and_figure_whole():
    from flopbook.catalog import catalog

    out = run("catalog")
    assert "…" not in out
    _no_cropped_row(out)
    words = out.split()
    for chip in catalog():
        # a name may wrap between its words, never inside one
        assert all(w in words for w in chip.name.split()), chip.name
        assert chip.id in words
    assert "1,979" in words and "TFLOP/s" in words  # the H100's FP8, its unit in the header
    # a wider screen gets one table, a row a chip; --width is the width
    wide = run("catalog", width=200)
    assert any("│ H100 " in line and "1,979" in line for line in wide.splitlines())
    narrow = run("catalog", width=60)
    assert "…" not in narrow
