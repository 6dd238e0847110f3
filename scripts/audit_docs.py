"""Rewrite the rules' part of docs/audit.md (the table of rules and a section per rule) from
each rule's module in src/flopbook/audit/rules/.

Run: .venv/bin/python scripts/audit_docs.py (tests/audit/test_audit_api_and_docs.py fails
until it is run after a change to a rule's docstring, title, severity or ``finds``).
"""

from pathlib import Path

from flopbook.audit.ruledocs import rewrite

PAGE = Path(__file__).resolve().parents[1] / "docs" / "audit.md"
PAGE.write_text(rewrite(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
