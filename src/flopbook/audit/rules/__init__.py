"""The audit's rules, one per file, each with a stable code (FB101 …).

A rule is a class with ``code``, ``title``, ``severity`` and ``check(ctx)`` yielding
findings; its docstring shows the bad pattern and the fix. Adding a rule is adding one file
here, one line in CODES, and one case file in tests/audit/rules/cases/.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from flopbook.audit.findings import Finding, Fix, Severity
from flopbook.audit.formula import a1
from flopbook.audit.recompute import evaluate

if TYPE_CHECKING:
    from flopbook.audit.workbook import Pos, Sheet, Workbook

# Order matters: later rules stay quiet where an earlier one already explained a cell.
CODES = [
    "FB101",
    "FB102",
    "FB106",
    "FB104",
    "FB108",
    "FB103",
    "FB105",
    "FB107",
    "FB109",
    "FB110",
    "FB111",
    "FB112",
]


class Context:
    """The workbook under audit and the findings made so far."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.findings: list[Finding] = []
        self._at: dict[tuple[str, str], list[Finding]] = {}
        self._eval_failed = False

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)
        self._at.setdefault((finding.sheet, finding.cell), []).append(finding)

    def codes_at(self, sheet: Sheet, pos: Pos) -> set[str]:
        if not self._at:  # asked of every formula; most audits have few findings
            return set()
        return {f.code for f in self._at.get((sheet.name, a1(*pos)), ())}

    def evaluate(self, sheet: Sheet, formula: str) -> Any:
        """The value ``formula`` would have on ``sheet``, from the saved values it reads."""
        return evaluate(self.book, sheet, formula)


class Rule:
    code: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[Severity] = "error"
    # how often a finding of this rule is a real error, 0-1 (from the real-workbook
    # benchmark, benchmarks/audit_real.py); a finding may say more or less of itself
    confidence: ClassVar[float] = 0.8

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)

        # the rule's file docstring (bad pattern and fix) is the rule's documentation
        if not cls.__doc__:
            cls.__doc__ = sys.modules[cls.__module__].__doc__

    def check(self, ctx: Context) -> Iterator[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding(
        self,
        sheet: Sheet,
        pos: Pos,
        message: str,
        *,
        suggestion: str | None = None,
        before: Any = None,
        after: Any = None,
        fix_kind: str = "formula",
        fix_at: Pos | None = None,
        related: list[str] | None = None,
        severity: Severity | None = None,
        confidence: float | None = None,
    ) -> Finding:
        cell = a1(*pos)
        fix = None
        if suggestion is not None:
            target = fix_at or pos
            fix = Fix(sheet.name, a1(*target), fix_kind, suggestion)  # type: ignore[arg-type]
        return Finding(
            sheet.name,
            cell,
            self.code,
            severity or self.severity,
            self.title,
            message,
            sheet.formulas.get(pos),
            suggestion,
            before,
            after,
            fix,
            related or [],
            self.confidence if confidence is None else confidence,
        )

    def suggest(
        self,
        ctx: Context,
        sheet: Sheet,
        pos: Pos,
        message: str,
        suggestion: str,
        **more: Any,
    ) -> Finding:
        """A finding whose fix is the formula ``suggestion`` in the cell's place: ``before``
        is what the cell showed when saved, ``after`` what the suggestion gives from the saved
        values it reads. ``more`` as for :meth:`finding` (confidence, related …)."""
        return self.finding(
            sheet,
            pos,
            message,
            suggestion=suggestion,
            before=sheet.values.get(pos),
            after=ctx.evaluate(sheet, suggestion),
            **more,
        )


def rule(code: str) -> Rule:
    module = importlib.import_module(f"flopbook.audit.rules.{code}")
    return getattr(module, code)()


def all_rules() -> list[Rule]:
    return [rule(code) for code in CODES]
