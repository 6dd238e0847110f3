"""The Python API, and docs/audit.md against the code: every rule and option documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flopbook.audit.rules import CODES, rule

DOCS = Path(__file__).resolve().parents[2] / "docs" / "audit.md"
RULES = Path(__file__).resolve().parents[2] / "src" / "flopbook" / "audit" / "rules"


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
        assert doc.startswith(f"{code} — {rule(code).title.lower()}."), code
        example = re.search(r"```\n(.*?)```", doc, re.S)
        assert example and "<-" in example.group(1) and "fix" in example.group(1), code


def test_the_rules_part_of_the_docs_is_written_from_the_rules() -> None:
    from flopbook.audit.ruledocs import rewrite

    text = DOCS.read_text()
    assert rewrite(text) == text, "run: python scripts/audit_docs.py"


def test_a_rule_runs_after_every_rule_whose_findings_it_reads() -> None:
    import ast

    from flopbook.audit.rules import run_order

    for code in CODES:
        source = (RULES / f"{code}.py").read_text()
        body = ast.parse(source).body[1:]  # the code, without the module docstring
        named = set(re.findall(r'"(FB\d{3})"', "\n".join(ast.unparse(n) for n in body)))
        after = set(rule(code).after)
        assert named - {code} <= after, (code, named - after)
        assert all(CODES.index(a) < CODES.index(code) for a in after), code
    assert run_order({"FB2": ("FB1",), "FB1": (), "FB0": ("FB2",)}) == ["FB1", "FB2", "FB0"]
    with pytest.raises(ValueError, match="FB3, which is not a rule"):
        run_order({"FB1": ("FB3",)})


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
