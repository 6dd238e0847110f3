"""`flopbook audit --format csv`: one row per finding, through the one CSV writer, so a
formula or a label that a spreadsheet would run stays text; `--format table` is the text."""

from __future__ import annotations

import csv
import io
import json

import xlsxwriter

from flopbook.render.audit import CSV_COLUMNS
from flopbook.safe_text import FORMULA_STARTS


def _rows(out: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(out)))


def test_one_row_per_finding_as_in_json(run_cli, deepseek_xlsx) -> None:
    code, out, _ = run_cli("audit", deepseek_xlsx, "--format", "csv")
    assert code == 1
    assert out.splitlines()[0] == ",".join(CSV_COLUMNS)
    rows = _rows(out)
    found = json.loads(run_cli("audit", deepseek_xlsx, "--format", "json")[1])
    assert [(r["sheet"], r["cell"], r["code"]) for r in rows] == [
        (d["sheet"], d["cell"], d["code"]) for d in found
    ]
    assert {r["file"] for r in rows} == {str(deepseek_xlsx)}
    by_cell = {(r["cell"], r["code"]): r for r in rows}
    # a formula is text in a spreadsheet, never run: OWASP's leading quote
    assert by_cell[("F5", "FB101")]["formula"] == "'=SUM(B5:D5)"
    # values are numbers a program reads back
    assert float(by_cell[("F5", "FB101")]["before"]) == 1300
    assert float(by_cell[("F5", "FB101")]["after"]) == 1600


def test_user_text_never_starts_a_formula(run_cli, tmp_path) -> None:
    path = tmp_path / "hostile.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("=cmd")
    ws.write_row(0, 0, ["", "A", "B", "C", "D", "Total"])
    ws.write_row(1, 0, ['=HYPERLINK("http://x")', 1, 2, 3, 4])
    ws.write_formula(1, 5, "=SUM(B2:D2)", None, 6)  # leaves out E2
    ws.write_row(2, 0, ["@label", 1, 2, 3, 4])
    ws.write_formula(2, 5, "=SUM(B3:E3)", None, 10)
    wb.close()
    code, out, _ = run_cli("audit", path, "--format", "csv")
    assert code == 1
    rows = _rows(out)
    assert rows, out
    for row in rows:
        for column, text in row.items():
            assert not text.startswith(FORMULA_STARTS), (column, text)


def test_several_workbooks_and_a_refused_one(run_cli, deepseek_xlsx, tmp_path) -> None:
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a zip file")
    code, out, err = run_cli("audit", deepseek_xlsx, bad, "--format", "csv", "--jobs", "1")
    assert code == 2
    rows = _rows(out)
    refused = [r for r in rows if r["file"] == str(bad)]
    assert len(refused) == 1 and refused[0]["error"] and not refused[0]["code"]
    assert all(not r["error"] for r in rows if r["file"] == str(deepseek_xlsx))
    assert "broken.xlsx" in err


def test_table_is_the_text_report(run_cli, deepseek_xlsx) -> None:
    assert run_cli("audit", deepseek_xlsx, "--format", "table") == run_cli("audit", deepseek_xlsx)
