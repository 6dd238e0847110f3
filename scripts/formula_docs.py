"""Rewrite the generated formula tables of the docs from the kinds' declarations: the fleet's
in docs/scenario.md, the inference service's in docs/workload.md.

Run: .venv/bin/python scripts/formula_docs.py (tests/test_docs.py fails until it is run after
a change to a declaration).
"""

from pathlib import Path

from flopbook.formula.docs import rewrite
from flopbook.models.registry import kind

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = {"scenario.md": "fleet", "workload.md": "inference"}
for page, name in PAGES.items():
    path = DOCS / page
    path.write_text(rewrite(path.read_text(encoding="utf-8"), kind(name)), encoding="utf-8")
