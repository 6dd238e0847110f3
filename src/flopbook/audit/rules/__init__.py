"""The audit's rules, one module per code (FB101 …), found here by their file names.

A rule is a class named for its code, with ``code``, ``title``, ``severity``, ``finds`` (one
line for the table of rules) and ``check(ctx)`` yielding findings. Its module's docstring
is its documentation: the section of docs/audit.md that ``python scripts/audit_docs.py``
writes (a test checks that the page is current). ``after`` names the rules whose findings it
reads, to stay quiet where they already explained a cell; they run before it. Adding a rule
is adding its module here and its case file in tests/audit/rules/cases/.
"""

from __future__ import annotations

import graphlib
import importlib
import pkgutil
import re
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from flopbook.audit.findings import Finding, Fix, Severity
from flopbook.audit.formula import a1
from flopbook.audit.recompute import evaluate

if TYPE_CHECKING:
    from flopbook.audit.workbook import Pos, Sheet, Workbook


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
    finds: ClassVar[str]  # what it finds, in a few words: its line in the table of rules
    severities: ClassVar[str | None] = None  # the table's word when findings vary (FB107)
    after: ClassVar[tuple[str, ...]] = ()  # rules whose findings it reads: they run first

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
    module = importlib.import_module(f"{__name__}.{code}")
    return getattr(module, code)()  # type: ignore[no-any-return]


def all_rules() -> list[Rule]:
    return [rule(code) for code in CODES]


def run_order(needs: dict[str, tuple[str, ...]]) -> list[str]:
    """The codes of ``needs`` (each rule's ``after``) in the order the rules run: each after
    the rules it reads, otherwise by code."""
    for code, before in needs.items():
        unknown = [c for c in before if c not in needs]
        if unknown:
            raise ValueError(f"{code} runs after {unknown[0]}, which is not a rule")
    sorter = graphlib.TopologicalSorter(needs)
    sorter.prepare()  # a cycle is a CycleError here, when the package is first imported
    order: list[str] = []
    ready: list[str] = []
    while sorter.is_active():
        ready = sorted([*ready, *sorter.get_ready()])
        order.append(ready.pop(0))
        sorter.done(order[-1])
    return order


_FOUND = sorted(m.name for m in pkgutil.iter_modules(__path__) if re.fullmatch(r"FB\d{3}", m.name))
CODES = run_order({code: rule(code).after for code in _FOUND})
"""Every rule's code, in the order the rules run."""
