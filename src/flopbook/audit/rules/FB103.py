"""FB103 — inconsistent formula.

A formula that breaks the pattern of its row or column: its neighbours on both sides hold
the same formula (compared in relative R1C1 form, so =C5*C4 and =D5*D4 are the same), and it
holds another.

Bad::

        A            B          C          D          E
    6   Opex $m      =B3*B5     =C3*C5     =C3*D5     =E3*E5      <- D6 reads C3

Fix::

    6   Opex $m      =B3*B5     =C3*C5     =D3*D5     =E3*E5

Not flagged: the first or last cell of a run (totals often sit there); a cell that agrees
with its neighbours in the other direction; a total that treats the same cells another way
(a weighted average among sums); a subtotal of the cells just above it or left of it; a
cell another rule already explains (FB101, FB102, FB106) or a number typed into the run
(FB104).
"""

from __future__ import annotations

from collections.abc import Iterator

from flopbook.audit.findings import Finding
from flopbook.audit.formula import a1
from flopbook.audit.patterns import (
    agrees_across,
    breaks,
    closes_its_line,
    literal_for_reference,
    same_data,
)
from flopbook.audit.rules import Context, Rule

EXPLAINED = {"FB101", "FB102", "FB106"}


class FB103(Rule):
    code = "FB103"
    title = "Inconsistent formula"
    severity = "warning"
    confidence = 0.7

    def check(self, ctx: Context) -> Iterator[Finding]:
        for sheet in ctx.book.sheets.values():
            for pos in list(sheet.formulas):
                for brk in breaks(sheet, pos):
                    if agrees_across(sheet, pos, brk.horizontal):
                        continue
                    if literal_for_reference(sheet, brk):
                        continue  # FB104: a hard-coded number
                    if same_data(sheet, pos, brk) or closes_its_line(sheet, pos):
                        continue
                    r, c = pos
                    sides = ((r, c - 1), (r, c + 1)) if brk.horizontal else \
                        ((r - 1, c), (r + 1, c))
                    if ctx.codes_at(sheet, pos) & EXPLAINED or any(
                            ctx.codes_at(sheet, s) & EXPLAINED for s in sides):
                        continue
                    suggestion = brk.expected(sheet)
                    way = "row" if brk.horizontal else "column"
                    message = (f"Breaks the pattern of its {way}: {a1(*sides[0])} and "
                               f"{a1(*sides[1])} both compute {brk.shape} (relative form), "
                               f"this cell computes {sheet.shape(pos)}; copied from its "
                               f"neighbours it would read {suggestion}.")
                    yield self.finding(sheet, pos, message, suggestion=suggestion,
                                       before=sheet.values.get(pos),
                                       after=ctx.evaluate(sheet, suggestion))
                    break
