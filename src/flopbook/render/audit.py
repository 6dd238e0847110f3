"""An audit, for people: one block per finding, then what was not looked at; for several
workbooks, each workbook's block (or its one summary line) and a total."""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flopbook.safe_text import CsvWriter

if TYPE_CHECKING:
    from collections.abc import Iterable

    from flopbook.audit.findings import AuditResult, Finding
    from flopbook.audit.recompute import Recomputed

# why a finding was left out of the report, in the order the summary lists them
HIDDEN = {
    "baseline": "in the baseline",
    "comments": "marked ignore in a cell comment",
    "excluded": "in sheets or ranges the settings exclude",
    "min_severity": "below --min-severity",
}


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


def _hidden(hidden: Mapping[str, int] | None) -> str:
    parts = [f"{n} {HIDDEN[k]}" for k, n in (hidden or {}).items() if n]
    return f"; not shown: {', '.join(parts)}" if parts else ""


def summary(
    result: AuditResult,
    name: str | None = None,
    hidden: Mapping[str, int] | None = None,
    settings: str | None = None,
) -> str:
    """The one line that heads a workbook's report; ``settings``: the settings file used."""
    name = name or Path(result.path).name
    used = f"; settings from {settings}" if settings else ""
    if result.clean:
        return (
            f"{name}: no findings ({result.formulas:,} formulas in {result.cells:,} cells "
            f"checked{_hidden(hidden)}{used})"
        )
    counts = result.by_code()
    per_rule = ", ".join(f"{len(v)} {k}" for k, v in sorted(counts.items()))
    return (
        f"{name}: {len(result.findings)} finding(s) ({per_rule}) in "
        f"{result.formulas:,} formulas, {result.cells:,} cells{_hidden(hidden)}{used}"
    )


def _heading(f: Finding) -> str:
    sure = f" (confidence {f.confidence:.2g})" if f.confidence < 1 else ""
    return f"{f.where}  {f.code} {f.severity}{sure}: {f.title}"


def text(
    result: AuditResult,
    fixed: Recomputed | None = None,
    *,
    name: str | None = None,
    hidden: Mapping[str, int] | None = None,
    settings: str | None = None,
) -> str:
    lines: list[str] = [summary(result, name, hidden, settings)]
    for f in result.findings:
        lines.append("")
        lines.append(_heading(f))
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
        lines.append(
            f"Corrected copy written to {fixed.path}; recomputed values "
            "(as published -> corrected):"
        )
        for ch in fixed.changes:
            lines.append(
                f"  {ch.sheet}!{ch.cell:<8} {ch.label or '':50.50} "
                f"{value(ch.published):>14} -> {value(ch.corrected)}"
            )
        for note in fixed.notes:
            lines.append(f"  note: {note}")
    for note in result.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines) + "\n"


# A line's hanging indent: under its label ("  formula:  ", "note: "), else two spaces in
_LABEL = re.compile(r"^( *)((?:formula|suggest|value|note|--fix): +)?")


def wrap(text: str, width: int | None) -> str:
    """``text`` with every line longer than ``width`` folded at spaces, each continuation
    under the start of what its line says (after ``formula:``) so that a finding's block
    stays one block; ``None`` leaves lines whole (piped output). Formulas and cell
    addresses are never split inside: a word longer than the width stays whole."""
    if not width:
        return text
    out = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        m = _LABEL.match(line)
        assert m is not None  # the pattern matches every line (all its parts are optional)
        head = m.group(0)  # the indent and the label, kept with the first word
        hang = len(head) if m.group(2) else len(m.group(1)) + 2
        out.extend(
            textwrap.wrap(
                line[len(head) :],
                width,
                initial_indent=head,
                subsequent_indent=" " * min(hang, width // 2),
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [line]
        )
    return "\n".join(out)


def total(
    books: int,
    with_findings: int,
    findings: int,
    clean: int,
    refused_: int,
    seconds: float,
    hidden: Mapping[str, int] | None = None,
) -> str:
    """The last line of a report on several workbooks."""
    parts = [f"{findings:,} finding(s) in {with_findings:,}", f"{clean:,} clean"]
    if refused_:
        parts.append(f"{refused_:,} refused")
    return f"{books:,} workbook(s): {', '.join(parts)} ({seconds:.1f} s){_hidden(hidden)}\n"


def json_list(result: AuditResult, settings: str | None = None) -> list[dict[str, Any]]:
    """One workbook's findings; each names the settings file that shaped it (its severity,
    what was left out), when one was used."""
    if settings is None:
        return [f.to_dict() for f in result.findings]
    return [{**f.to_dict(), "settings": settings} for f in result.findings]


def json_book(
    path: str,
    result: AuditResult | None,
    error: str | None,
    hidden: Mapping[str, int],
    config: str | None,
) -> dict[str, Any]:
    """One workbook of a report on several: its findings, or why it was refused."""
    if result is None:
        return {"file": path, "error": error, "findings": []}
    by_severity: dict[str, int] = {"error": 0, "warning": 0, "note": 0}
    for f in result.findings:
        by_severity[f.severity] = by_severity.get(f.severity, 0) + 1
    return {
        "file": path,
        "error": None,
        "findings": json_list(result),
        "counts": {**by_severity, "cells": result.cells, "formulas": result.formulas},
        "not_shown": {k: int(hidden.get(k, 0)) for k in HIDDEN},
        "settings": config,
        "notes": list(result.notes),
    }


CSV_COLUMNS = (
    "file",
    "sheet",
    "cell",
    "code",
    "severity",
    "confidence",
    "title",
    "message",
    "formula",
    "suggestion",
    "before",
    "after",
    "related",
    "error",
)


def csv_text(books: Iterable[tuple[str, AuditResult | None, str | None]]) -> str:
    """One row per finding, with its workbook, for a spreadsheet or a script; a workbook that
    could not be audited is one row with its error. Through the one CSV writer, so a formula
    (``=SUM(B2:B9)``) or a label that a spreadsheet would run stays text."""
    buf = io.StringIO()
    w = CsvWriter(buf)
    w.writerow(CSV_COLUMNS)
    for path, result, error in books:
        if result is None:
            w.writerow([path, *[""] * (len(CSV_COLUMNS) - 2), error or ""])
            continue
        for f in result.findings:
            d = f.to_dict()
            d["related"] = " ".join(d.get("related") or [])
            w.writerow([path, *("" if d[k] is None else d[k] for k in CSV_COLUMNS[1:-1]), ""])
    return buf.getvalue()
