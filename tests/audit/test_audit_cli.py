"""`flopbook audit` through the real entry point: output formats and exit codes."""

from __future__ import annotations

import json


def test_findings_exit_1_with_text(run_cli, deepseek_xlsx) -> None:
    code, out, err = run_cli("audit", deepseek_xlsx)
    assert code == 1
    assert "Fleet!F5  FB101" in out and "=SUM(B5:E5)" in out
    assert "1,300 -> 1,600" in out


def test_json_is_a_list_of_findings(run_cli, deepseek_xlsx) -> None:
    code, out, _ = run_cli("audit", deepseek_xlsx, "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert isinstance(data, list) and data
    assert {"sheet", "cell", "code", "message"} <= set(data[0])
    assert {(d["cell"], d["code"]) for d in data} >= {("F5", "FB101"), ("F4", "FB102")}


def test_select_limits_the_rules(run_cli, deepseek_xlsx) -> None:
    code, out, _ = run_cli("audit", deepseek_xlsx, "-f", "json", "--select", "FB102")
    assert {d["code"] for d in json.loads(out)} == {"FB102"}
    assert code == 1


def test_unknown_rule_is_exit_2(run_cli, deepseek_xlsx) -> None:
    code, out, err = run_cli("audit", deepseek_xlsx, "--select", "FB999")
    assert code == 2
    assert err.strip().startswith("flopbook: error:") and "FB999" in err
    assert len(err.strip().splitlines()) == 1


def test_clean_book_exit_0(run_cli, tmp_path) -> None:
    import xlsxwriter

    path = tmp_path / "clean.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["", "A", "B", "Total"])
    ws.write_row(1, 0, ["Cost $m", 1, 2])
    ws.write_formula(1, 3, "=SUM(B2:C2)", None, 3)
    wb.close()
    code, out, _ = run_cli("audit", path)
    assert code == 0 and "no findings" in out


def test_fix_writes_a_corrected_copy(run_cli, deepseek_xlsx, tmp_path) -> None:
    import openpyxl

    before = deepseek_xlsx.read_bytes()
    out_path = tmp_path / "fixed.xlsx"
    code, out, _ = run_cli("audit", deepseek_xlsx, "--fix", out_path)
    assert code == 1
    assert deepseek_xlsx.read_bytes() == before  # the input is never modified
    ws = openpyxl.load_workbook(out_path)["Fleet"]
    assert ws["F5"].value == "=SUM(B5:E5)"
    assert "FB101" in ws["F5"].comment.text
    assert "1,300 -> 1,600" in out
    assert [p.name for p in tmp_path.iterdir()] == ["fixed.xlsx"]  # no temporary file left


def test_fix_refuses_to_overwrite_the_input(run_cli, deepseek_xlsx) -> None:
    before = deepseek_xlsx.read_bytes()
    code, _, err = run_cli("audit", deepseek_xlsx, "--fix", deepseek_xlsx)
    assert code == 2 and "refusing to write" in err
    assert deepseek_xlsx.read_bytes() == before
