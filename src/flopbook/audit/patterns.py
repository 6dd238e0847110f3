"""Rows and columns of copied formulas, and the cell that breaks the copy (FB103, FB104)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from openpyxl.formula.tokenizer import Token

from flopbook.audit.blocks import aggregate
from flopbook.audit.formula import a1, r1c1_tokens

if TYPE_CHECKING:
    from flopbook.audit.workbook import Pos, Sheet


@dataclass(frozen=True)
class Break:
    """A cell whose two neighbours (left and right, or above and below) hold the same
    formula in relative form while it holds something else."""

    pos: Pos
    neighbour: Pos  # one of the two agreeing neighbours
    shape: str  # their shared relative R1C1 form
    horizontal: bool

    def expected(self, sheet: Sheet) -> str:
        """The neighbours' formula, copied to this cell."""
        # openpyxl loads in about half a second; only reading a workbook needs it
        from openpyxl.formula.translate import Translator

        text = sheet.formulas[self.neighbour]
        return Translator(text, origin=a1(*self.neighbour)).translate_formula(a1(*self.pos))


def breaks(sheet: Sheet, pos: Pos) -> list[Break]:
    """The directions in which pos breaks the pattern of its neighbours."""
    cache = sheet.cache.setdefault("breaks", {})
    found = cache.get(pos)
    if found is None:
        found = cache[pos] = _breaks(sheet, pos)
    return found


def _breaks(sheet: Sheet, pos: Pos) -> list[Break]:
    r, c = pos
    out = []
    mine = sheet.shape(pos) if pos in sheet.formulas else None
    for horizontal, (a, b) in ((True, ((r, c - 1), (r, c + 1))), (False, ((r - 1, c), (r + 1, c)))):
        if a not in sheet.formulas or b not in sheet.formulas:
            continue
        sa = sheet.shape(a)
        if sa is None or sa == mine:  # the commonest case first: a copy amid its copies
            continue
        if sa != sheet.shape(b) or ("R[" not in sa and "C[" not in sa):
            continue  # a pattern is a fill: two cells reading the same fixed cell are not
        pa = sheet.parsed(a)
        if pa is None or pa.error:
            continue
        out.append(Break(pos, a, sa, horizontal))
    return out


def agrees_across(sheet: Sheet, pos: Pos, horizontal: bool) -> bool:
    """Whether pos holds the same formula as a neighbour in the other direction."""
    mine = sheet.shape(pos)
    if mine is None:
        return False
    r, c = pos
    others = ((r - 1, c), (r + 1, c)) if horizontal else ((r, c - 1), (r, c + 1))
    return any(o in sheet.formulas and sheet.shape(o) == mine for o in others)


def literal_for_reference(sheet: Sheet, brk: Break) -> bool:
    """The formula at brk.pos is its neighbours' formula with a reference typed in as a
    number (=B5*1.21 among =B5*$B$1)."""
    mine_p = sheet.parsed(brk.pos)
    their_p = sheet.parsed(brk.neighbour)
    if mine_p is None or their_p is None or mine_p.error or their_p.error:
        return False
    mine = r1c1_tokens(mine_p, *brk.pos)
    theirs = r1c1_tokens(their_p, *brk.neighbour)
    if len(mine) != len(theirs):
        return False
    diffs = [i for i, (x, y) in enumerate(zip(mine, theirs, strict=True)) if x != y]
    return bool(diffs) and all(
        mine_p.tokens[i].subtype == Token.NUMBER and their_p.refs[i] is not None for i in diffs
    )


def same_data(sheet: Sheet, pos: Pos, brk: Break) -> bool:
    """pos reads the same ranges (relative form) as its neighbours, combined another way:
    a weighted average in a column of sums."""
    mine_p, their_p = sheet.parsed(pos), sheet.parsed(brk.neighbour)
    if mine_p is None or their_p is None or mine_p.error or their_p.error:
        return False
    mine = {
        x
        for x, r in zip(r1c1_tokens(mine_p, *pos), mine_p.refs, strict=True)
        if r is not None and not r.is_cell
    }
    theirs = {
        x
        for x, r in zip(r1c1_tokens(their_p, *brk.neighbour), their_p.refs, strict=True)
        if r is not None and not r.is_cell
    }
    return bool(theirs) and theirs <= mine


def closes_its_line(sheet: Sheet, pos: Pos) -> bool:
    """A total of the cells just before it in its column or row: a subtotal inside a block."""
    agg = aggregate(sheet, pos)
    if agg is None:
        return False
    ref = agg.ref
    r, c = pos
    return (ref.c1 == ref.c2 == c and ref.r2 == r - 1) or (
        ref.r1 == ref.r2 == r and ref.c2 == c - 1
    )
