"""Audit a spreadsheet model: find formula errors, explain them, recompute it right.

    >>> import flopbook
    >>> result = flopbook.audit("deepseek-semianalysis.xlsx")
    >>> [(f.cell, f.code) for f in result.findings]

(``flopbook.audit`` is this package, and calling it audits a workbook.)

Rules live in :mod:`flopbook.audit.rules`, one file per code (FB101 …).
"""

from __future__ import annotations

import gc
import sys
import types
from collections.abc import Iterable

from flopbook.audit.findings import AuditResult, Finding, Fix
from flopbook.audit.formula import a1
from flopbook.audit.recompute import MAX_EVALUATIONS
from flopbook.audit.rules import CODES, Context, rule
from flopbook.audit.workbook import Workbook, read
from flopbook.errors import InputError

__all__ = ["AuditResult", "Finding", "Fix", "audit", "audit_book"]


def _selected(select: Iterable[str] | None) -> list[str]:
    if not select:
        return list(CODES)
    wanted = [s.strip().upper() for s in select if s.strip()]
    unknown = [s for s in wanted if s not in CODES]
    if unknown:
        raise InputError(
            f"unknown rule {unknown[0]!r}",
            field="--select",
            hint="rules: " + ", ".join(sorted(CODES)),
        )
    return [c for c in CODES if c in wanted]


def audit_book(book: Workbook, select: Iterable[str] | None = None) -> AuditResult:
    """Run the rules over a workbook already read (see :func:`flopbook.audit.workbook.read`)."""
    codes = _selected(select)
    ctx = Context(book)
    for code in codes:
        for finding in rule(code).check(ctx):
            ctx.add(finding)
    order = {name: i for i, name in enumerate(book.sheets)}
    findings = sorted(ctx.findings, key=lambda f: (order.get(f.sheet, 0), _rowcol(f.cell), f.code))
    notes = list(book.notes)
    unreadable = [
        (s.name, a1(*pos))
        for s, pos, _ in book.formula_cells()
        if (p := s.parsed(pos)) is not None and p.error
    ]
    if unreadable:
        shown = ", ".join(f"{s}!{c}" for s, c in unreadable[:5])
        more = f" and {len(unreadable) - 5} more" if len(unreadable) > 5 else ""
        notes.append(
            f"{len(unreadable)} formula(s) could not be read and were skipped: {shown}{more}"
        )

    if book.evaluations > MAX_EVALUATIONS:
        notes.append(
            f"values after each suggestion were computed for the first "
            f"{MAX_EVALUATIONS} findings only"
        )
    cells = sum(len(s.values) for s in book.sheets.values())
    formulas = sum(len(s.formulas) for s in book.sheets.values())
    return AuditResult(book.path, findings, notes, cells, formulas)


def audit(path: str, select: Iterable[str] | None = None) -> AuditResult:
    """Audit the workbook at ``path``; raises InputError if it cannot be read safely."""
    # Reading keeps a few objects per cell, and the rules add more; the cyclic collector
    # would rescan them all again and again while they cannot form garbage cycles.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return audit_book(read(str(path)), select)
    finally:
        if was_enabled:
            gc.enable()


def _rowcol(cell: str) -> tuple[int, int]:
    # openpyxl loads in about half a second; only reading a workbook needs it
    from openpyxl.utils.cell import coordinate_to_tuple

    row, col = coordinate_to_tuple(cell)
    return int(row), int(col)


class _CallableModule(types.ModuleType):
    """Lets ``flopbook.audit(path)`` work whether ``flopbook.audit`` was first reached as
    the package or as the function."""

    def __call__(self, path: str, select: Iterable[str] | None = None) -> AuditResult:
        return audit(path, select)


sys.modules[__name__].__class__ = _CallableModule
