"""Rewrite the generated formula tables of the docs from the kinds' declarations
(docs/scenario.md for the fleet, docs/funding.md for the fund and the company).

Run: .venv/bin/python scripts/formula_docs.py (tests/test_docs.py fails until it is run after
a change to a declaration).
"""

from pathlib import Path

from flopbook.formula.docs import rewrite
from flopbook.models.registry import DOC_PAGES, kind

DOCS = Path(__file__).resolve().parents[1] / "docs"
for name, (page, total) in DOC_PAGES.items():
    path = DOCS / page
    path.write_text(rewrite(path.read_text(encoding="utf-8"), kind(name), total), encoding="utf-8")
