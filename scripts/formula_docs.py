"""Rewrite the generated formula table of docs/scenario.md from the fleet's declaration.

Run: .venv/bin/python scripts/formula_docs.py (tests/test_docs.py fails until it is run after
a change to the declaration).
"""

from pathlib import Path

from flopbook.formula.docs import rewrite
from flopbook.models.registry import kind

PAGE = Path(__file__).resolve().parents[1] / "docs" / "scenario.md"
PAGE.write_text(rewrite(PAGE.read_text(encoding="utf-8"), kind("fleet")), encoding="utf-8")
