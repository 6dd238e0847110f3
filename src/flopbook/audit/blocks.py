"""Totals and the rows or columns they add: the shapes FB101, FB102 and FB106 look at."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from openpyxl.formula.tokenizer import Token

from flopbook.audit.formula import Ref, range_text
from flopbook.audit.workbook import is_number

if TYPE_CHECKING:
    from flopbook.audit.workbook import Pos, Sheet

AGGREGATES = {"SUM", "AVERAGE", "SUBTOTAL"}


@dataclass(frozen=True)
class Aggregate:
    """A formula that adds one line of cells: =SUM(B3:E3) or =B3+C3+D3+E3."""

    function: str  # SUM, AVERAGE, or "+" for a chain of additions
    ref: Ref  # on the formula's own sheet
    token: int  # index of the range token (SUM form); -1 for a chain
    along_row: bool | None = None  # for a one-cell range, which way it runs

    @property
    def horizontal(self) -> bool:
        if self.along_row is not None:
            return self.along_row
        return self.ref.r1 == self.ref.r2


def aggregates(sheet: Sheet) -> dict[Pos, Aggregate]:
    """Every formula of the sheet that adds one line of cells, read once per sheet."""
    found = sheet.cache.get("aggregates")
    if found is None:
        found = {}
        for pos in list(sheet.formulas):
            agg = aggregate(sheet, pos)
            if agg is not None:
                found[pos] = agg
        sheet.cache["aggregates"] = found
    return found  # type: ignore[return-value]


def aggregate(sheet: Sheet, pos: Pos) -> Aggregate | None:
    cache = sheet.cache.setdefault("aggregate", {})
    if pos in cache:
        return cache[pos]
    if "aggregates" in sheet.cache:  # every formula was read already
        return sheet.cache["aggregates"].get(pos)
    # a copy adds the same kind of line as what it copies, moved along: walk up the copies
    chain = [pos]
    while (prev := sheet.copy_of(chain[-1])) is not None and prev not in cache:
        chain.append(prev)
    root = chain[-1] if prev is None else prev
    if root not in cache:
        cache[root] = _aggregate(sheet, root)
        chain.pop()
    for cell in reversed(chain):
        agg = cache[sheet.copy_of(cell)]  # type: ignore[index]
        found = None
        if agg is not None and agg.token >= 0:
            p = sheet.parsed(cell)
            ref = p.ref(agg.token) if p is not None else None
            if ref is not None:
                found = Aggregate(agg.function, ref, agg.token, agg.along_row)
        elif agg is not None:
            found = _aggregate(sheet, cell)  # a chain of additions: read it
        cache[cell] = found
    return cache[pos]


def _aggregate(sheet: Sheet, pos: Pos) -> Aggregate | None:
    p = sheet.parsed(pos)
    if p is None or p.error:
        return None
    toks = [(i, t) for i, t in enumerate(p.tokens) if t.type != Token.WSPACE]
    if len(toks) == 3 and toks[0][1].type == Token.FUNC and toks[2][1].type == Token.FUNC:
        fn = toks[0][1].value[:-1].upper()
        ref = p.refs[toks[1][0]]
        if fn in ("SUM", "AVERAGE") and ref is not None and _local(ref, sheet):
            if ref.is_row or ref.is_column:
                return Aggregate(fn, ref, toks[1][0])
            if ref.is_cell and ":" in ref.text:  # =SUM(B4:B4), a range shrunk to one cell
                horizontal = ref.r1 == pos[0]
                return Aggregate(fn, ref, toks[1][0], horizontal)
        return None
    # a chain of three or more cells joined by "+", in one row or one column, contiguous
    # (=D2+E2 is arithmetic more often than a total)
    if len(toks) < 5 or len(toks) % 2 == 0:
        return None
    cells: list[Ref] = []
    for k, (i, t) in enumerate(toks):
        if k % 2 == 1:
            if t.type != Token.OP_IN or t.value != "+":
                return None
            continue
        ref = p.refs[i]
        if ref is None or not ref.is_cell or not _local(ref, sheet):
            return None
        cells.append(ref)
    rows = {r.r1 for r in cells}
    cols = {r.c1 for r in cells}
    if len(rows) == 1:
        line = sorted(r.c1 for r in cells)
        if line != list(range(line[0], line[0] + len(line))):
            return None
        r = cells[0].r1
        return Aggregate(
            "+", Ref(None, r, line[0], r, line[-1], range_text(r, line[0], r, line[-1])), -1
        )
    if len(cols) == 1:
        line = sorted(r.r1 for r in cells)
        if line != list(range(line[0], line[0] + len(line))):
            return None
        c = cells[0].c1
        return Aggregate(
            "+", Ref(None, line[0], c, line[-1], c, range_text(line[0], c, line[-1], c)), -1
        )
    return None


def _local(ref: Ref, sheet: Sheet) -> bool:
    return not ref.external and (ref.sheet is None or ref.sheet.lower() == sheet.name.lower())


def is_year(sheet: Sheet, pos: Pos) -> bool:
    """A typed whole number that reads as a year heading (2021), not as data."""
    v = sheet.values.get(pos)
    return (
        pos not in sheet.formulas and is_number(v) and float(v).is_integer() and 1900 <= v <= 2100
    )


def is_summing(sheet: Sheet, pos: Pos) -> bool:
    """A cell that is itself a total (a SUM formula): a subtotal inside a block."""
    p = sheet.parsed(pos)
    return p is not None and any(f in AGGREGATES for f in p.functions)


def line_label(sheet: Sheet, ref: Ref) -> str | None:
    """What the cells of a row or column range are: the row's label or the column's header."""
    start = (ref.r1, ref.c1)
    if ref.r1 == ref.r2:
        return sheet.row_label(start) or sheet.column_header(start)
    return sheet.column_header(start) or sheet.row_label(start)
