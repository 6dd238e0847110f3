"""What the audit reports: one finding per problem, pointing at a cell."""

from __future__ import annotations

import html
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

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

    def _repr_html_(self) -> str:
        # a notebook shows a finding as the report does: where, rule, what, the fix
        rows = [
            ("where", self.where),
            ("rule", f"{self.code} {self.severity}: {self.title}"),
            ("message", self.message),
            ("formula", self.formula),
            ("suggest", self.suggestion),
        ]
        body = "".join(f"<tr><th>{k}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows if v)
        return f"<table>{body}</table>"


# the columns of a findings frame, in the order a finding's JSON gives them
FRAME_COLUMNS = [f.name for f in fields(Finding) if f.name not in ("fix", "related")]


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

    def to_dataframe(self) -> pd.DataFrame:
        """A row a finding: sheet, cell, rule, severity, confidence, message, formula,
        suggestion, and the value before and after the suggestion."""
        # pandas loads in about a second; only notebooks need it
        import pandas as pd

        rows = [{k: v for k, v in f.to_dict().items() if k in FRAME_COLUMNS} for f in self.findings]
        frame = pd.DataFrame(rows, columns=FRAME_COLUMNS)
        frame.index.name = self.path
        return frame

    def _repr_html_(self) -> str:
        head = f"<p>{html.escape(self.path)}: {len(self.findings)} finding(s)</p>"
        return head + str(self.to_dataframe()._repr_html_())

    def by_code(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.code, []).append(f)
        return out
