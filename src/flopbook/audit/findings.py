"""What the audit reports: one finding per problem, pointing at a cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# error: a wrong value; warning: likely wrong, worth a look; note: worth knowing, not wrong.
Severity = Literal["error", "warning", "note"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "note")


@dataclass(frozen=True)
class Fix:
    """What ``--fix`` writes: a new formula or a new label text at one cell."""

    sheet: str
    cell: str  # A1
    kind: Literal["formula", "label"]
    text: str


@dataclass
class Finding:
    """One problem in a workbook.

    ``before`` is the value the cell showed when the workbook was saved; ``after`` the value
    once the suggestion is applied (to this cell alone; ``flopbook audit --fix`` recomputes
    the whole workbook).
    """

    sheet: str
    cell: str
    code: str
    severity: Severity
    title: str
    message: str
    formula: str | None = None
    suggestion: str | None = None
    before: Any = None
    after: Any = None
    fix: Fix | None = None
    related: list[str] = field(default_factory=list)  # other cells the finding covers
    # how sure the rule is, 0-1: a pattern seen in most real workbooks' errors scores high,
    # a guess from layout alone lower; renderers show it, filters may use it
    confidence: float = 1.0

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "cell": self.cell,
            "code": self.code,
            "severity": self.severity,
            "confidence": self.confidence,
            "title": self.title,
            "message": self.message,
            "formula": self.formula,
            "suggestion": self.suggestion,
            "before": _plain(self.before),
            "after": _plain(self.after),
            "related": self.related,
        }


def _plain(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return str(v)


@dataclass
class AuditResult:
    """Findings in reading order, and notes about what was not looked at (macros, links)."""

    path: str
    findings: list[Finding]
    notes: list[str] = field(default_factory=list)
    cells: int = 0
    formulas: int = 0

    @property
    def clean(self) -> bool:
        return not self.findings

    def by_code(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.code, []).append(f)
        return out
