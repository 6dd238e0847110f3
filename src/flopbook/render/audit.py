"""An audit, for people: one block per finding, then what was not looked at."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flopbook.audit.findings import AuditResult
    from flopbook.audit.recompute import Recomputed


def value(v: Any) -> str:
    if v is None:
        return "(not saved)"
    if isinstance(v, bool):
        return str(v).upper()
    if isinstance(v, (int, float)):
        if math.isnan(v) or math.isinf(v):
            return str(v)
        if v != 0 and (abs(v) >= 1e15 or abs(v) < 1e-4):
            return f"{v:.4g}"
        return f"{v:,.0f}" if abs(v) >= 1e6 else f"{v:,.6g}"
    return str(v)


def text(result: AuditResult, fixed: Recomputed | None = None) -> str:
    name = Path(result.path).name
    lines: list[str] = []
    counts = result.by_code()
    if result.clean:
        lines.append(f"{name}: no findings ({result.formulas:,} formulas in "
                     f"{result.cells:,} cells checked)")
    else:
        summary = ", ".join(f"{len(v)} {k}" for k, v in sorted(counts.items()))
        lines.append(f"{name}: {len(result.findings)} finding(s) ({summary}) in "
                     f"{result.formulas:,} formulas, {result.cells:,} cells")
    for f in result.findings:
        lines.append("")
        lines.append(f"{f.where}  {f.code} {f.severity}: {f.title}")
        lines.append(f"  {f.message}")
        if f.formula:
            lines.append(f"  formula:  {f.formula}")
        if f.suggestion:
            lines.append(f"  suggest:  {f.suggestion}")
        if f.after is not None:
            lines.append(f"  value:    {value(f.before)} -> {value(f.after)}")
        elif f.before is not None:
            lines.append(f"  value:    {value(f.before)}")
    if fixed is not None and not fixed.written:
        lines.append("")
        lines.extend(f"--fix: {n}" for n in fixed.notes)
    elif fixed is not None:
        lines.append("")
        lines.append(f"Corrected copy written to {fixed.path}; recomputed values "
                     "(as published -> corrected):")
        for ch in fixed.changes:
            lines.append(f"  {ch.sheet}!{ch.cell:<8} {ch.label or '':50.50} "
                         f"{value(ch.published):>14} -> {value(ch.corrected)}")
        for note in fixed.notes:
            lines.append(f"  note: {note}")
    for note in result.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines) + "\n"


def json_list(result: AuditResult) -> list[dict[str, Any]]:
    return [f.to_dict() for f in result.findings]
