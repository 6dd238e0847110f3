"""A payer's yearly amounts carry their years' total in their own Total column, in the
report's blocks, on the page and in the workbook (a live formula, shown as an amount); no
line of its own repeats it with its year cells blank."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from flopbook.models.funding_verdict import Spending, judge
from flopbook.payer_file import load_payer
from flopbook.quantity import sampling
from flopbook.render.excel import write_workbook
from flopbook.render.html import render_html
from flopbook.report import build_report

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AMOUNTS = ("management_fees", "performance_fees", "revenue", "operating_costs", "cash_available")


@pytest.fixture(scope="module")
def report():
    with sampling(300, 2):
        payer = load_payer(EXAMPLES / "high-flyer.yaml").run()
        verdict = judge(payer, [Spending.from_capex("1.6B USD", 2023, fx_rate=payer.fx_rate)])
        return build_report(verdict, charts=False)


def test_each_amount_is_totalled_in_its_own_line(report):
    payer, spending = report.blocks[0], report.blocks[1]
    assert not [ln.key for b in report.blocks for ln in b.lines if ln.key.endswith("_total")]
    assert not [ln.label for b in report.blocks for ln in b.lines if "all years" in ln.label]
    for key in AMOUNTS:
        line = payer.line(key)
        assert line.unit == "USD/year" and line.unit_in("Total") == "USD"
        assert re.fullmatch(
            rf"SUM\({{{key}@2017}}:{{{key}@2024}}\)\*one_year", line.formulas["Total"]
        )
        years = [line.values[str(y)] for y in range(2017, 2025)]
        assert line.values["Total"] == pytest.approx(sum(years), rel=1e-12)
        assert line.summaries["Total"] is not None
    spend = spending.line("spend")
    assert spend.values["Total"] == pytest.approx(1.6e9) and spend.unit_in("Total") == "USD"
    assert spending.line("cash").formulas["Total"] == "{#0:cash_available@Total}"


def test_the_page_shows_the_total_in_the_amounts_row(report):
    page = render_html(report)
    row = re.search(r"<tr><th scope=\"row\"[^>]*>Revenue <span.*?</tr>", page, re.S)
    assert row is not None
    cells = re.findall(r"<td class=\"num( total)?\">(.*?)</td>", row.group(0), re.S)
    assert len(cells) == 9 and cells[-1][0] == " total"
    assert cells[-1][1].startswith("$") and "—" not in cells[-1][1]
    assert "all years" not in page


def test_the_workbook_writes_the_total_as_a_live_formula_and_an_amount(report, tmp_path):
    book = tmp_path / "payer.xlsx"
    write_workbook(report, str(book))
    ws = openpyxl.load_workbook(book)["Calculations"]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    assert not [label for label in rows if label and "all years" in str(label)]
    header = [ws.cell(2, c).value for c in range(1, ws.max_column + 1)]
    total = header.index("Total") + 1
    cell = ws.cell(rows["Revenue"], total)
    assert re.fullmatch(r"=SUM\(C\d+:J\d+\)\*one_year", cell.value)
    assert "/year" not in cell.number_format  # an amount, not an amount a year
    assert "/year" in ws.cell(rows["Revenue"], total - 1).number_format
