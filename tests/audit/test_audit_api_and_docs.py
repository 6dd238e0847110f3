"""The Python API, and docs/audit.md against the code: every rule and option documented."""

from __future__ import annotations

import re
from pathlib import Path

from flopbook.audit.rules import CODES, rule

DOCS = Path(__file__).resolve().parents[2] / "docs" / "audit.md"


def test_flopbook_audit_is_callable(deepseek_xlsx) -> None:
    import flopbook
    import flopbook.audit

    result = flopbook.audit(str(deepseek_xlsx))
    assert {f.code for f in result.findings} == {"FB101", "FB102", "FB105"}
    assert isinstance(result, flopbook.AuditResult)


def test_every_rule_is_documented_with_its_title() -> None:
    text = DOCS.read_text()
    for code in CODES:
        assert re.search(
            rf"^### {code} — {re.escape(rule(code).title.lower())}",
            text,
            re.MULTILINE | re.IGNORECASE,
        ), code


def test_every_rule_docstring_shows_bad_and_fix() -> None:
    for code in CODES:
        doc = type(rule(code)).__doc__ or ""
        assert doc.startswith(f"{code} — ") and "Bad" in doc and "Fix" in doc, code


def test_every_option_is_documented(run_cli) -> None:
    code, out, _ = run_cli("audit", "--help")
    text = DOCS.read_text()
    for option in re.findall(r"(--[a-z][a-z-]+)", out):
        if option != "--help":
            assert f"`{option}`" in text, option


def test_every_option_shows_an_example(run_cli) -> None:
    code, out, _ = run_cli("audit", "--help")
    assert code == 0 and "Example: flopbook audit" in " ".join(out.split())
    text = " ".join(out.split())
    for option in ("--format", "--select", "--fix", "--force"):
        assert f"E.g. {option}" in text or f"E.g. --fix model-fixed.xlsx {option}" in text, option
