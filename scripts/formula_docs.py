"""Rewrite the generated formula table of docs/scenario.md from the fleet's declaration.

Run: .venv/bin/python scripts/formula_docs.py (tests/test_docs.py fails until it is run after
a change to the declaration).
"""

from pathlib import Path

from flopbook.formula.docs import CASH_FLOW_MARKERS, rewrite
from flopbook.models.registry import kind

PAGE = Path(__file__).resolve().parents[1] / "docs" / "scenario.md"
text = rewrite(PAGE.read_text(encoding="utf-8"), kind("fleet"))
text = rewrite(text, kind("cash_flow"), CASH_FLOW_MARKERS)
PAGE.write_text(text, encoding="utf-8")
