"""FB104 — hard-coded number in a formula block.

A number typed over a formula, or typed into one, in a run of copied formulas.

```
    A           B          C          D          E
5   Capex $m    =B3*B4     =C3*C4     750        =E3*E4     <- D5 typed
7   Tax $m      =B5*$B$1   =C5*0.25   =D5*$B$1              <- C7: the rate typed in
fix             D5: =D3*D4;  C7: =C5*$B$1
```

Not flagged: a line of typed inputs crossing a block of formulas (a row of inputs between two
rows of formulas), unless the formulas around it are totals.
"""

from __future__ import annotations

from collections.abc import Iterator

from flopbook.audit.blocks import is_summing
from flopbook.audit.findings import Finding
from flopbook.audit.formula import a1
from flopbook.audit.patterns import Break, breaks, literal_for_reference
from flopbook.audit.rules import Context, Rule
from flopbook.audit.workbook import Pos, Sheet, is_number


class FB104(Rule):
    code = "FB104"
    title = "Hard-coded number in a formula block"
    severity = "error"
    confidence = 0.9
    finds = "a number typed over, or into, a formula between two copies of it"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for sheet in ctx.book.sheets.values():
            candidates = _typed_numbers_between_formulas(sheet)
            for pos in candidates:
                for brk in breaks(sheet, pos):
                    if _inputs_line(sheet, pos, brk):
                        continue
                    yield self._finding(ctx, sheet, pos, brk, typed=True)
                    break
            for pos in list(sheet.formulas):
                for brk in breaks(sheet, pos):
                    if literal_for_reference(sheet, brk):
                        yield self._finding(ctx, sheet, pos, brk, typed=False)
                        break

    def _finding(self, ctx: Context, sheet: Sheet, pos: Pos, brk: Break, typed: bool) -> Finding:
        suggestion = brk.expected(sheet)
        way = "row" if brk.horizontal else "column"
        r, c = pos
        sides = ((r, c - 1), (r, c + 1)) if brk.horizontal else ((r - 1, c), (r + 1, c))
        if typed:
            what = f"A number ({sheet.values.get(pos)!r}) typed"
        else:
            what = f"A number typed into the formula {sheet.formulas[pos]}"
        message = (
            f"{what} where its {way} computes: {a1(*sides[0])} and {a1(*sides[1])} "
            f"hold {brk.shape} (relative form). It will not follow its inputs; "
            f"the formula copied here reads {suggestion}."
        )
        return self.suggest(ctx, sheet, pos, message, suggestion, confidence=0.9 if typed else 0.8)


def _typed_numbers_between_formulas(sheet: Sheet) -> list[Pos]:
    out = set()
    f = sheet.formulas
    values = sheet.values
    for r, c in f:  # a typed number right of (or below) a formula, with a formula beyond
        for cell, beyond in (((r, c + 1), (r, c + 2)), ((r + 1, c), (r + 2, c))):
            if beyond in f and cell not in f and is_number(values.get(cell)):
                out.add(cell)
    return sorted(out)


def _inputs_line(sheet: Sheet, pos: Pos, brk: Break) -> bool:
    """A typed number in a line of typed inputs that crosses a formula block (a row of
    inputs between two rows of formulas), unless the formulas around it are totals."""
    if is_summing(sheet, brk.neighbour):
        return False
    r, c = pos
    across = ((r, c - 1), (r, c + 1)) if not brk.horizontal else ((r - 1, c), (r + 1, c))
    for p in across:
        if p in sheet.formulas or not is_number(sheet.values.get(p)):
            continue
        if any(b.horizontal == brk.horizontal for b in breaks(sheet, p)):
            return True
    return False
