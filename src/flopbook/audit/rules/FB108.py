"""FB108 — number typed where the formula belongs.

Severity: warning when the typed number equals what the line's formula gives there (right
today, wrong once an input changes); error when it lies between the line's formulas and
differs from them. The commonest error in real workbooks.

A row or column whose cells compute one formula (the same in relative R1C1 form, gaps
allowed) and one cell of it — the first, the last, or one beyond a gap — holding a typed
number instead.

```
    A        B          C        D
1   Item     Revenue    Cost     Margin
2   North    120        80       =B2-C2
3   East     90         70       =B3-C3
4   South    200        150      50            <- typed: equals =B4-C4 today
fix          D4: =B4-C4
```

Not flagged: identifier, code and year columns; the cells a subtotal adds; a typed number
that matches nothing outside the formulas' span (an input above a block); a copy that would
read only empty cells. A typed number right between two copies of the formula is FB104.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from openpyxl.utils.cell import coordinate_to_tuple

from flopbook.audit.findings import Finding
from flopbook.audit.formula import a1, moved
from flopbook.audit.rules import Context, Rule
from flopbook.audit.structure import (
    Run,
    copied,
    id_columns,
    matches,
    runs,
    value_as,
)
from flopbook.audit.workbook import Pos, Sheet, is_number

EXPLAINED = {"FB104"}
MAX_GAP = 2  # empty cells in a row that a run's block may cross
LONE_EVIDENCE = 3  # typed copies of a lone formula's value before they are flagged
LONE_TRIES = 8  # typed numbers nearest a lone formula tried before its line is left


class FB108(Rule):
    code = "FB108"
    title = "Number typed where the formula belongs"
    severity = "warning"
    confidence = 0.85
    finds = "a number typed where its row's or column's formula belongs"
    severities = "warning (error if it differs)"
    after = tuple(sorted(EXPLAINED))

    def check(self, ctx: Context) -> Iterator[Finding]:
        for sheet in ctx.book.sheets.values():
            done: set[Pos] = set()
            ids = id_columns(sheet)
            for along_row in (False, True):
                for line_runs in runs(sheet, along_row).values():
                    for run in line_runs:
                        if _bare_reference(run.shape):
                            continue  # =B7 copies a value: a typed copy is only data twice
                        for pos, inside in _candidates(sheet, run):
                            if pos in done or (not along_row and pos[1] in ids):
                                continue
                            if ctx.codes_at(sheet, pos) & EXPLAINED:
                                continue
                            f = self._judge(ctx, sheet, run, pos, inside)
                            if f is not None:
                                done.add(pos)
                                yield f
                # a formula alone in its column among typed numbers it reproduces: the one
                # cell left computed of a line that was pasted over as values
                for line_runs in runs(sheet, along_row, lone=True).values():
                    for run in line_runs:
                        if _bare_reference(run.shape):
                            continue
                        found: list[Finding] = []
                        tried = 0
                        for pos, _ in _candidates(sheet, run):
                            if _read_by_run(sheet, run, pos):
                                break  # the lone formula adds its line (a column total)
                            if pos in done or (not along_row and pos[1] in ids):
                                continue
                            if ctx.codes_at(sheet, pos) & EXPLAINED:
                                continue
                            tried += 1
                            if tried > LONE_TRIES and not found:
                                break  # nothing near it is a copy of its value
                            f = self._judge(ctx, sheet, run, pos, False, strict=True)
                            if f is not None:
                                found.append(f)
                        if len(found) >= LONE_EVIDENCE:
                            for f in found:
                                f.confidence = 0.7
                                done.add(_pos(f))
                                yield f

    def _judge(
        self, ctx: Context, sheet: Sheet, run: Run, pos: Pos, inside: bool, strict: bool = False
    ) -> Finding | None:
        if _read_by_run(sheet, run, pos):
            return None  # an input of the run (the cells a subtotal adds), not a copy of it
        source = run.nearest(pos)
        typed = sheet.values[pos]
        formula = copied(sheet, source, pos)
        if formula is None or _reads_run(sheet, source, pos, run):
            return None
        value = value_as(sheet, source, pos)
        way = "row" if run.along_row else "column"
        cells = (
            f"{a1(*run.first)} holds"
            if run.first == run.last
            else f"{a1(*run.first)}…{a1(*run.last)} hold"
        )
        if value is not None and matches(float(typed), value):
            message = (
                f"A number ({typed:g}) typed where its {way} computes: {cells} "
                f"{run.shape} (relative form). Here that formula reads {formula} and "
                f"gives {value:g}, the typed value today; typed, it will not follow its "
                "inputs."
            )
            f = self.finding(sheet, pos, message, suggestion=formula, before=typed, after=value)
            f.confidence = 0.9 if inside else 0.8
            return f
        if strict:
            return None  # a lone formula: only copies of its value count
        if value is None and inside and typed == 0 and _dense(run):
            # a 0 typed amid the run, where the formula reads only zeros or blanks: the
            # value agrees, and says nothing; the cell still no longer computes
            nothing = value_as(sheet, source, pos, from_nothing=True)
            if nothing == 0:
                message = (
                    f"A 0 typed inside a {way} that computes: {cells} {run.shape} "
                    f"(relative form); here that formula reads {formula}, which gives 0 "
                    "from the zeros and blanks it reads today, but a typed 0 will not "
                    "follow them."
                )
                return self.finding(
                    sheet, pos, message, suggestion=formula, before=typed, after=0.0, confidence=0.5
                )
        if inside and value is not None and _dense(run):
            message = (
                f"A number ({typed:g}) typed inside a {way} that computes: {cells} "
                f"{run.shape} (relative form). Here that formula reads {formula} and "
                f"gives {value:g}, not {typed:g}."
            )
            f = self.finding(sheet, pos, message, suggestion=formula, before=typed, after=value)
            f.severity = "error"
            f.confidence = 0.7
            return f
        return None


def _pos(f: Finding) -> Pos:
    # openpyxl loads in about half a second; only reading a workbook needs it
    return coordinate_to_tuple(f.cell)


def _bare_reference(shape: str) -> bool:
    return re.fullmatch(r"=?R(?:\[-?\d+\]|\d+)?C(?:\[-?\d+\]|\d+)?", shape) is not None


def _reads_run(sheet: Sheet, source: Pos, pos: Pos, run: Run) -> bool:
    """Whether the formula copied to pos would read a cell of the run itself (a subtotal
    copied next to another subtotal adds it: its value says nothing)."""
    p = sheet.parsed(source)
    q = moved(p, pos[0] - source[0], pos[1] - source[1]) if p is not None else None
    if q is None:
        return True
    cells = set(run.cells)
    for ref in q.references:
        if ref.sheet is None and ref.size <= 10_000 and any(c in cells for c in ref.cells()):
            return True
    return False


def _dense(run: Run) -> bool:
    """The run fills at least half of the line between its first and last cell."""
    k = 1 if run.along_row else 0
    return 2 * len(run.cells) >= run.last[k] - run.first[k] + 1


def _read_by_run(sheet: Sheet, run: Run, pos: Pos) -> bool:
    """Whether the run's cells nearest pos on either side read pos."""
    k = 1 if run.along_row else 0
    i = bisect.bisect_left(run.cells, pos[k], key=lambda c: c[k])
    for cell in run.cells[max(0, i - 1) : i + 1]:
        if cell == pos:
            continue
        p = sheet.parsed(cell)
        if p is None:
            continue
        for ref in p.references:
            if ref.sheet is None and ref.r1 <= pos[0] <= ref.r2 and ref.c1 <= pos[1] <= ref.c2:
                return True
    return False


def _candidates(sheet: Sheet, run: Run) -> Iterator[tuple[Pos, bool]]:
    """Typed numbers on the run's line within its block: between its cells (inside), and
    beyond its ends up to a label or a gap of more than MAX_GAP empty cells."""
    k = 1 if run.along_row else 0
    line = run.line

    def at(i: int) -> Pos:
        return (line, i) if run.along_row else (i, line)

    first, last = run.first[k], run.last[k]
    # a run without gaps has nothing typed inside it
    for i in range(first + 1, last) if len(run.cells) < last - first + 1 else ():
        pos = at(i)
        if pos not in sheet.formulas and is_number(sheet.values.get(pos)):
            yield pos, True
    for start, step in ((first - 1, -1), (last + 1, 1)):
        gap = 0
        i = start
        while i >= 1 and gap <= MAX_GAP:
            pos = at(i)
            if pos in sheet.formulas:
                if sheet.shape(pos) != run.shape:
                    break  # another run (a total below the block)
                gap = 0
            elif sheet.is_empty(pos):
                gap += 1
            elif is_number(sheet.values.get(pos)):
                gap = 0
                yield pos, False
            else:
                break  # a label or a heading: the block ends
            i += step
