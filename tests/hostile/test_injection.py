"""Formula injection: user text carrying a formula, in every text field that reaches a CSV
file, a workbook or a page, comes out as text. Every payload holds ``PWN`` so that the
harness can find it in a workbook (see conftest.check_no_formula_text)."""

from __future__ import annotations

import json

import pytest

from hostile.conftest import check_csv_text

PAYLOADS = {
    "HYPERLINK": '=HYPERLINK("http://example.invalid/PWN","click")',
    "DDE": "=cmd|' /C calc'!A0 PWN",
    "plus": "+1+1 PWN",
    "minus": "-2+3 PWN",
    "at": "@SUM(A1) PWN",
    "tab": "\t=1+1 PWN",
    "carriage return": "\r=1+1 PWN",
    "script": "<script>alert('PWN')</script>",
}


def _q(text: str) -> str:
    return json.dumps(text)  # a YAML double-quoted string


def _fleet(payload: str) -> str:
    return f"""\
name: {_q(payload)}
description: {_q(payload)}
source: {_q(payload)}
assumptions:
  useful_life: {{value: 4 years, source: {_q(payload)}, note: {_q(payload)}}}
skus:
  - chip: H100
    name: {_q(payload)}
    count: {{value: 1k GPU, source: {_q(payload)}}}
    server_cost_per_gpu: 30k to 40k USD/GPU
"""


def _claims(payload: str) -> str:
    return f"""\
title: {_q(payload)}
define:
  home: {{value: "10,715 kWh / year", source: {_q(payload)}}}
claims:
  - claim: {_q(payload)}
    expression: H100.tdp
    claimed: home
    source: {_q(payload)}
    note: {_q(payload)}
"""


def _training(payload: str) -> str:
    return f"""\
kind: training
name: {_q(payload)}
chip: H800
precision: fp8
params: {{value: 37B, source: {_q(payload)}}}
tokens: {{value: 14.8T token, note: {_q(payload)}}}
gpu_hours: {{value: 2.788M GPU-hours, source: {_q(payload)}}}
gpus: 2048
"""


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_fleet_csv(flopbook, payload: str) -> None:
    path = flopbook.write("fleet.yaml", _fleet(PAYLOADS[payload]))
    ran = flopbook.run("fleet", path, "--format", "csv", "--samples", "200", expect=0)
    assert "PWN" in ran.out
    check_csv_text(ran.out)


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_fleet_sensitivity_csv(flopbook, payload: str) -> None:
    path = flopbook.write("fleet.yaml", _fleet(PAYLOADS[payload]))
    ran = flopbook.run(
        "fleet",
        path,
        "--format",
        "csv",
        "--samples",
        "256",
        "--sensitivity",
        "tco_per_year",
        expect=0,
    )
    check_csv_text(ran.out)


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_check_csv(flopbook, payload: str) -> None:
    path = flopbook.write("claims.yaml", _claims(PAYLOADS[payload]))
    ran = flopbook.run("check", path, "--format", "csv", expect=1)  # 1: the claim is off
    assert "PWN" in ran.out
    check_csv_text(ran.out)


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_workload_csv(flopbook, payload: str) -> None:
    path = flopbook.write("run.yaml", _training(PAYLOADS[payload]))
    ran = flopbook.run("workload", path, "--format", "csv", expect=0)
    check_csv_text(ran.out)


@pytest.mark.parametrize("payload", ["minus", "plus"])
def test_calc_csv(flopbook, payload: str) -> None:
    expression = {"minus": "-2 W + 3 W", "plus": "+2 W"}[payload]
    ran = flopbook.run("calc", "--format", "csv", "--", expression, expect=0)
    check_csv_text(ran.out)


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_fleet_report_workbook_and_page(flopbook, payload: str) -> None:
    path = flopbook.write("fleet.yaml", _fleet(PAYLOADS[payload]))
    flopbook.run(
        "report", path, "--xlsx", "fleet.xlsx", "--html", "fleet.html", "--samples", "200", expect=0
    )  # the harness reads every cell of fleet.xlsx
    page = (flopbook.outputs / "fleet.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_workload_report_workbook(flopbook, payload: str) -> None:
    path = flopbook.write("run.yaml", _training(PAYLOADS[payload]))
    flopbook.run("report", path, "--xlsx", "run.xlsx", "--samples", "200", expect=0)


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_fix_relabel_stays_text(tmp_path, payload: str) -> None:
    """``--fix`` writes a new label as a text cell, whatever it starts with."""
    import openpyxl
    import xlsxwriter

    from flopbook.audit import audit
    from flopbook.audit.findings import Fix
    from flopbook.audit.recompute import write_fixed

    book = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(str(book))
    ws = wb.add_worksheet("Data")
    for i, (name, value) in enumerate([("Rent", 10), ("Power", 20), ("Staff", 30)]):
        ws.write_string(i, 0, name)
        ws.write_number(i, 1, value)
    ws.write_string(3, 0, "Total")
    ws.write_formula(3, 1, "=SUM(B1:B2)", None, 30)
    wb.close()
    result = audit(str(book))
    assert result.findings
    result.findings[0].fix = Fix("Data", "A4", "label", PAYLOADS[payload])
    write_fixed(str(book), result, str(tmp_path / "fixed.xlsx"))
    cell = openpyxl.load_workbook(tmp_path / "fixed.xlsx")["Data"]["A4"]
    # XML turns a carriage return into a line feed; the text is otherwise kept as written
    assert cell.data_type == "s" and cell.value == PAYLOADS[payload].replace("\r", "\n")


@pytest.mark.parametrize("text", [*PAYLOADS.values(), "-1.5", "-3e9", "plain", 12.5, None])
def test_the_one_csv_rule(text: object) -> None:
    from flopbook.safe_text import csv_cell

    out = csv_cell(text)
    if (
        isinstance(text, str)
        and text.startswith(("=", "+", "-", "@", "\t", "\r"))
        and text not in ("-1.5", "-3e9")
    ):
        assert out == "'" + text
    else:
        assert out == text
