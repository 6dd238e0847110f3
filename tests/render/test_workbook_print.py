"""Every kind of exported workbook prints as a reader expects: each sheet landscape, one page
wide (the inputs two, their label column on both), its heading rows and label columns on every
page; printed by LibreOffice, a book takes a few landscape pages, never fifteen."""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
import system_programs

from flopbook.render.excel import PAGES_WIDE

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
soffice = system_programs.soffice
pdfinfo = system_programs.pdfinfo

BOOKS = {
    "fleet": [str(EXAMPLES / "fleet.yaml")],
    "training": [str(EXAMPLES / "training.yaml")],
    "inference": [str(EXAMPLES / "inference.yaml")],
    "payer": [str(EXAMPLES / "high-flyer.yaml"), "--capex", "1.6B", "--year", "2023"],
    "company": [str(EXAMPLES / "company.yaml")],
    "case": ["--case", "deepseek-semianalysis"],
    "case-inference": ["--case", "deepseek-inference-day"],
}
ROWS_PER_PAGE = 20
"""Fewest rows a printed page holds (wrapped rows are taller): the bound on pages down."""


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    from typer.testing import CliRunner

    from flopbook.cli import app

    out = tmp_path_factory.mktemp("books")
    made = {}
    for kind, args in BOOKS.items():
        book = out / f"{kind}.xlsx"
        result = CliRunner().invoke(app, ["report", *args, "--xlsx", str(book)])
        assert result.exit_code == 0, (kind, result.output)
        made[kind] = book
    return made


@pytest.mark.parametrize("kind", BOOKS)
def test_every_sheet_is_set_to_print(kind, books):
    wb = openpyxl.load_workbook(books[kind])
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (setup.fitToWidth or 1) == PAGES_WIDE.get(ws.title, 1), ws.title
        assert setup.fitToHeight == 0, ws.title  # as many pages down as it needs
        assert ws.print_title_rows and ws.print_title_rows.startswith("$1:"), ws.title
        assert ws.print_title_cols and ws.print_title_cols.startswith("$A:"), ws.title
        assert "&A" in (ws.oddHeader.left.text or ""), ws.title  # the sheet's name
        assert "&P" in (ws.oddFooter.right.text or ""), ws.title  # page numbers


def test_inputs_rows_are_tall_enough_for_their_wrapped_text(books):
    ws = openpyxl.load_workbook(books["fleet"])["Inputs"]
    notes = [r for r in range(2, ws.max_row + 1) if len(str(ws.cell(r, 10).value or "")) > 120]
    assert notes
    for r in notes:
        assert (ws.row_dimensions[r].height or 15) >= 45, r
        assert ws.cell(r, 10).alignment.wrap_text


def test_libreoffice_prints_each_book_on_a_few_landscape_pages(books, soffice, pdfinfo, tmp_path):
    profile = tmp_path / "lo-profile"
    out = tmp_path / "pdf"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, books.values()),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    for kind, book in books.items():
        info = subprocess.run(
            [pdfinfo, str(out / f"{kind}.pdf")], check=True, capture_output=True, text=True
        ).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
        width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
        assert width > height, f"{kind}: portrait pages"
        wb = openpyxl.load_workbook(book)
        most = sum(
            PAGES_WIDE.get(ws.title, 1) * math.ceil(ws.max_row / ROWS_PER_PAGE)
            for ws in wb.worksheets
        )
        assert len(wb.worksheets) <= pages <= most, (kind, pages, most)


@pytest.mark.parametrize("kind", ["payer", "case", "fleet"])
def test_sentences_under_a_table_wrap_across_it(kind, books):
    # a long sentence in one cell runs far to the right of its table, and the sheet, one page
    # wide, prints at a fraction of its size
    ws = openpyxl.load_workbook(books[kind])["Results"]
    merged = {(r.min_row, r.min_col) for r in ws.merged_cells.ranges}
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and len(cell.value) > 120:
                assert (cell.row, cell.column) in merged or cell.alignment.wrap_text, (
                    cell.coordinate
                )
