"""Each rule's pass/fail cases, from tests/audit/rules/cases/<CODE>.yml.

A case is a small workbook written as rows (from A1) and the cells the rule must flag —
exactly those, no more. All rules run on every case, as they do on a real workbook, so a
case also shows which rule explains a cell when several could.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl.utils.cell import get_column_letter

from flopbook.audit import audit_book
from flopbook.audit.rules import CODES
from flopbook.audit.workbook import Workbook

CASES = Path(__file__).parent / "cases"


def _cells(rows: list[list[Any]]) -> dict[str, Any]:
    out = {}
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row, start=1):
            if v is not None:
                out[f"{get_column_letter(c)}{r}"] = v
    return out


def book_of(case: dict[str, Any]) -> Workbook:
    if "sheets" in case:
        sheets = {name: _cells(spec["rows"]) for name, spec in case["sheets"].items()}
    else:
        sheets = {"Sheet1": _cells(case["rows"])}
    return Workbook.from_cells(sheets, values=case.get("values"))


def _load() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.yml")):
        spec = yaml.safe_load(path.read_text())
        assert spec["rule"] == path.stem
        for case in spec["cases"]:
            params.append(pytest.param(spec["rule"], case, id=f"{path.stem}-{case['name']}"))
    return params


def test_every_rule_has_a_case_file() -> None:
    assert sorted(p.stem for p in CASES.glob("*.yml")) == sorted(CODES)


@pytest.mark.parametrize(("code", "case"), _load())
def test_rule_case(code: str, case: dict[str, Any]) -> None:
    result = audit_book(book_of(case))
    found = sorted(
        f.where if "sheets" in case else f.cell for f in result.findings if f.code == code
    )
    assert found == sorted(case.get("expect", [])), case["name"]
    for cell, formula in (case.get("suggest") or {}).items():
        match = [f for f in result.findings if f.code == code and f.cell == cell]
        assert match and match[0].suggestion == formula
    for cell, value in (case.get("after") or {}).items():
        match = [f for f in result.findings if f.code == code and f.cell == cell]
        assert match and match[0].after == pytest.approx(value)
    for cell, severity in (case.get("severity") or {}).items():
        match = [f for f in result.findings if f.code == code and f.cell == cell]
        assert match and match[0].severity == severity, (cell, case["name"])
        assert 0 < match[0].confidence <= 1
    for cell, words in (case.get("says") or {}).items():
        match = [f for f in result.findings if f.code == code and f.cell == cell]
        assert match and all(w.lower() in match[0].message.lower() for w in words)
