"""FB103 — inconsistent formula.

A formula that breaks the pattern of its row or column: both neighbours hold the same formula
in relative R1C1 form (so `=C5*C4` and `=D5*D4` are the same), and it holds another.

```
    A          B        C        D        E
6   Opex $m    =B3*B5   =C3*C5   =C3*D5   =E3*E5      <- D6 reads C3
fix                              =D3*D5
```

Severity: warning. Also flagged: the cell just past a run's first or last cell holding the
run's formula with one reference moved (`=B9*C8` after `=B8*C8` …), and a total at the foot
of a block of figures that adds the same rows of another column (`=SUM(C2:C9)` under column
D). Not flagged: a cell that agrees with its neighbours in the other direction; where one run
meets the next; runs of bare references (`=Sheet2!B7`); a total treating the same cells
another way (a weighted average among sums); a subtotal of the cells just above or left of
it; cells another rule explains.
"""

from __future__ import annotations

from collections.abc import Iterator

from flopbook.audit.blocks import aggregates
from flopbook.audit.findings import Finding
from flopbook.audit.formula import a1, r1c1_tokens, range_text
from flopbook.audit.patterns import (
    agrees_across,
    breaks,
    closes_its_line,
    literal_for_reference,
    same_data,
)
from flopbook.audit.rules import Context, Rule
from flopbook.audit.rules.FB108 import _bare_reference
from flopbook.audit.structure import copied, in_a_run, is_identifier, runs
from flopbook.audit.workbook import Pos, Sheet

EXPLAINED = {"FB101", "FB102", "FB106"}
EXPLAINED_AT_ENDS = EXPLAINED | {"FB104", "FB108"}
MIN_EVIDENCE = 3  # cells of a run (or rows of a block) before its end is judged


class FB103(Rule):
    code = "FB103"
    title = "Inconsistent formula"
    severity = "warning"
    confidence = 0.7
    finds = (
        "a formula that breaks its row's or column's run, ends included; a total adding "
        "another column"
    )
    after = tuple(sorted(EXPLAINED_AT_ENDS))

    def check(self, ctx: Context) -> Iterator[Finding]:
        for sheet in ctx.book.sheets.values():
            flagged: set[Pos] = set()
            for pos in list(sheet.formulas):
                for brk in breaks(sheet, pos):
                    if agrees_across(sheet, pos, brk.horizontal):
                        continue
                    if literal_for_reference(sheet, brk):
                        continue  # FB104: a hard-coded number
                    if same_data(sheet, pos, brk) or closes_its_line(sheet, pos):
                        continue
                    r, c = pos
                    sides = ((r, c - 1), (r, c + 1)) if brk.horizontal else ((r - 1, c), (r + 1, c))
                    if ctx.codes_at(sheet, pos) & EXPLAINED or any(
                        ctx.codes_at(sheet, s) & EXPLAINED for s in sides
                    ):
                        continue
                    suggestion = brk.expected(sheet)
                    way = "row" if brk.horizontal else "column"
                    message = (
                        f"Breaks the pattern of its {way}: {a1(*sides[0])} and "
                        f"{a1(*sides[1])} both compute {brk.shape} (relative form), "
                        f"this cell computes {sheet.shape(pos)}; copied from its "
                        f"neighbours it would read {suggestion}."
                    )
                    yield self.suggest(ctx, sheet, pos, message, suggestion)
                    flagged.add(pos)
                    break
            yield from self._run_ends(ctx, sheet, flagged)
            yield from self._wrong_column(ctx, sheet, flagged)

    def _run_ends(self, ctx: Context, sheet: Sheet, flagged: set[Pos]) -> Iterator[Finding]:
        """The cell just past a run's first or last cell holding the run's formula with one
        reference moved (=B9*C8 after =B8*C8): a break at the end of a line, where the
        neighbours-on-both-sides test cannot see it."""
        for along_row in (True, False):
            for line_runs in runs(sheet, along_row).values():
                for run in line_runs:
                    if len(run.cells) < MIN_EVIDENCE or _bare_reference(run.shape):
                        continue  # a run of =Sheet!B7 copies values: row shifts are common
                    k = 1 if along_row else 0
                    for end, step in ((run.first, -1), (run.last, 1)):
                        pos = (end[0], end[1] + step) if along_row else (end[0] + step, end[1])
                        if pos in flagged or pos not in sheet.formulas or pos[k] < 1:
                            continue
                        if in_a_run(sheet, pos, along_row):
                            continue  # where one run meets the next: two blocks, not a break
                        if ctx.codes_at(sheet, pos) & EXPLAINED_AT_ENDS:
                            continue
                        if not _one_reference_moved(sheet, pos, end):
                            continue
                        if agrees_across(sheet, pos, along_row) or closes_its_line(sheet, pos):
                            continue
                        suggestion = copied(sheet, end, pos)
                        if suggestion is None:
                            continue
                        way = "row" if along_row else "column"
                        message = (
                            f"Ends its {way} with another formula: {a1(*run.first)}…"
                            f"{a1(*run.last)} compute {run.shape} (relative form), this "
                            f"cell {sheet.shape(pos)}, the same with one reference "
                            f"moved; copied from the run it would read {suggestion}."
                        )
                        flagged.add(pos)
                        yield self.suggest(ctx, sheet, pos, message, suggestion)

    def _wrong_column(self, ctx: Context, sheet: Sheet, flagged: set[Pos]) -> Iterator[Finding]:
        """A total right below a block of numbers that adds the same rows of another column
        (=SUM(C2:C9) at the foot of column D)."""
        for pos, agg in aggregates(sheet).items():
            if pos in flagged or agg.function == "AVERAGE":
                continue
            if ctx.codes_at(sheet, pos) & EXPLAINED_AT_ENDS:
                continue
            ref = agg.ref
            r, c = pos
            if agg.horizontal or ref.c1 != ref.c2 or ref.c1 == c or ref.r2 != r - 1:
                continue
            if ref.r2 - ref.r1 + 1 < MIN_EVIDENCE or not sheet.is_text(
                sheet.header_cell(pos) or (0, 0)
            ):
                continue
            own = [(k, c) for k in range(ref.r1, ref.r2 + 1)]
            typed = [
                x
                for x in own
                if x not in sheet.formulas and sheet.is_numeric(x) and not sheet.is_empty(x)
            ]
            if len(typed) < len(own) or is_identifier(sheet, own[0]):
                continue  # the column above is not a block of figures of its own
            p = sheet.parsed(pos)
            if p is None or agg.token < 0:
                continue
            new = range_text(ref.r1, c, ref.r2, c)
            suggestion = p.render({agg.token: new})
            message = (
                f"Closes the block of figures above it ({new}) but adds {ref.text}, "
                f"the same rows of another column; it would read {suggestion}."
            )
            yield self.suggest(ctx, sheet, pos, message, suggestion, confidence=0.75)


def _one_reference_moved(sheet: Sheet, pos: Pos, other: Pos) -> bool:
    """pos holds other's formula (relative form) with exactly one reference token changed."""
    p, q = sheet.parsed(pos), sheet.parsed(other)
    if p is None or q is None or p.error or q.error:
        return False
    mine, theirs = r1c1_tokens(p, *pos), r1c1_tokens(q, *other)
    if len(mine) != len(theirs):
        return False
    diffs = [i for i, (x, y) in enumerate(zip(mine, theirs, strict=True)) if x != y]
    if len(diffs) != 1:
        return False
    a, b = p.refs[diffs[0]], q.refs[diffs[0]]
    return a is not None and b is not None and a.size == b.size
