"""A line whose inputs no SKU gives (revenue without a rental price, tokens without a
throughput) is left out of the report, in the HTML's every-line view and the workbook alike,
rather than shown as a row of blanks."""

from __future__ import annotations

import re

import openpyxl

from flopbook.models.fleet import Fleet, Sku
from flopbook.render.excel import write_workbook
from flopbook.render.html import render_html
from flopbook.report import build_report

ABSENT = ("Revenue per year", "Margin per year", "Break-even utilisation against renting")


def _fleet(**extra: str) -> Fleet:
    return Fleet([Sku("H800", count="2048 GPU", server_cost_per_gpu="35k USD/GPU", **extra)])


def _row_labels(page: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", row)
        for row in re.findall(r'<th scope="row"[^>]*>(.*?)</th>', page, flags=re.S)
    ]


def _sheet_labels(path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [str(c.value) for ws in book for c in ws["A"] if c.value is not None]


def test_no_rental_price_no_revenue_rows(tmp_path):
    report = build_report(_fleet().run(), charts=False)
    page = render_html(report)
    labels = _row_labels(page)
    assert any(label.startswith("TCO per year") for label in labels)
    for absent in ABSENT:
        assert not any(label.startswith(absent) for label in labels), absent
    write_workbook(report, str(tmp_path / "fleet.xlsx"), cached=False)
    cells = _sheet_labels(tmp_path / "fleet.xlsx")
    assert any(c.startswith("TCO per year") for c in cells)
    for absent in ABSENT:
        assert not any(c.startswith(absent) for c in cells), absent


def test_a_rental_price_brings_the_rows_back(tmp_path):
    report = build_report(_fleet(rental_price="2 USD/GPU/hour").run(), charts=False)
    labels = _row_labels(render_html(report))
    for present in ABSENT:
        assert any(label.startswith(present) for label in labels), present
    write_workbook(report, str(tmp_path / "fleet.xlsx"), cached=False)
    cells = _sheet_labels(tmp_path / "fleet.xlsx")
    assert any(c.startswith("Revenue per year") for c in cells)


def test_a_line_one_sku_lacks_stays_for_the_others():
    fleet = Fleet(
        [
            Sku("H800", count="2048 GPU", server_cost_per_gpu="35k USD/GPU"),
            Sku(
                "H100",
                count="1000 GPU",
                server_cost_per_gpu="40k USD/GPU",
                rental_price="2.5 USD/GPU/hour",
            ),
        ]
    )
    block = build_report(fleet.run(), charts=False).blocks[0]
    revenue = block.line("revenue")
    assert revenue.values["H800"] is None and revenue.values["H100"] is not None
