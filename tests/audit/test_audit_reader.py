"""The audit's sheet reader against openpyxl's own: every kind of cell reads the same."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.worksheet._reader import WorkSheetParser

from flopbook.audit.workbook import _parser_class


def _book(path: Path, constant_memory: bool) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    ws = wb.add_worksheet("Cells")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    money = wb.add_format({"num_format": "$#,##0"})
    ws.write_row(0, 0, ["Item", "Count", "Price", "When", "Flag", "Note"])
    ws.write_row(1, 0, ["Alpha", 3, 2.5])
    ws.write_datetime(1, 3, dt.datetime(2024, 5, 1), date)
    ws.write_boolean(1, 4, True)
    ws.write_string(1, 5, "checked")
    ws.write_number(2, 1, 1e-12, money)
    ws.write_number(2, 2, -7)
    ws.write_formula(2, 3, "=B2*C2", None, 7.5)
    ws.write_formula(2, 4, '="x"&F2', None, "xchecked")
    ws.write_formula(2, 5, "=1/0", None, "#DIV/0!")
    ws.write_formula(3, 1, "=B2>1", None, True)
    ws.write_array_formula(3, 2, 3, 2, "{=SUM(B2:B3*C2:C3)}", None, 0.5)
    ws.write_formula(3, 3, "=D2+1", date, 45414)
    ws.write_blank(3, 4, None, money)
    ws.write_string(3, 5, "")
    ws.write_string(4, 0, "  two  spaces_x000D_ and\nlines ")
    bold = wb.add_format({"bold": True})
    ws.write_rich_string(4, 1, "plain ", bold, "bold", " tail")
    ws.write_number(4, 2, 3, wb.add_format({"num_format": "[h]:mm"}))
    wb.close()
    return path


def _rows(path: Path, parser_class: type) -> list[list[dict]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    with ws._get_source() as src:
        parser = parser_class(
            src,
            ws._shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        # with their types: True == 1 and 1.0 == 1 in Python, not in a workbook
        rows = [
            [{k: (type(v), v) for k, v in c.items() if k != "formula"} for c in row]
            for _, row in parser.parse()
        ]
    wb.close()
    return rows


@pytest.mark.parametrize("constant_memory", [False, True])  # shared strings, or inline
def test_every_kind_of_cell_reads_as_openpyxl_reads_it(tmp_path, constant_memory) -> None:
    path = _book(tmp_path / "cells.xlsx", constant_memory)
    ours, theirs = _rows(path, _parser_class()), _rows(path, WorkSheetParser)
    assert sum(len(r) for r in theirs) >= 20
    assert ours == theirs


def test_formulas_are_kept_beside_their_values(tmp_path) -> None:
    from flopbook.audit.workbook import read

    sheet = read(str(_book(tmp_path / "cells.xlsx", False))).sheets["Cells"]
    assert sheet.formulas[(3, 4)] == "=B2*C2" and sheet.values[(3, 4)] == 7.5
    assert sheet.formulas[(4, 3)] == "=SUM(B2:B3*C2:C3)"
    assert sheet.values[(3, 6)] == "#DIV/0!" and sheet.formulas[(3, 6)] == "=1/0"
    assert sheet.values[(2, 4)] == dt.datetime(2024, 5, 1)
