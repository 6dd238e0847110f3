"""FB101 — range omits adjacent data.

A total whose range stops short of numbers that sit in the same row (or column) block: the
classic "added a column and the formula didn't pick it up".

Bad::

        A                B      C      D      E      F
    5   Server CapEx $m  200    750    350    300    =SUM(B5:D5)     <- leaves out E5

Fix::

    5   Server CapEx $m  200    750    350    300    =SUM(B5:E5)

Not flagged: a range that ends at a blank, a label or a subtotal; a column total is
extended upwards only to where the totals beside it in its row begin; a total labelled as
partial (Subtotal, YTD, H1, "excl.", "only") is flagged only when it stops short of the cells
right before it.
"""

from __future__ import annotations

from collections.abc import Iterator

from flopbook.audit.blocks import aggregates, is_summing, is_year
from flopbook.audit.findings import Finding
from flopbook.audit.formula import a1, range_text
from flopbook.audit.layout import is_partial
from flopbook.audit.rules import Context, Rule
from flopbook.audit.structure import is_identifier
from flopbook.audit.units import label_unit
from flopbook.audit.workbook import Pos, Sheet


class FB101(Rule):
    code = "FB101"
    title = "Range omits adjacent data"
    severity = "error"
    confidence = 0.85

    def check(self, ctx: Context) -> Iterator[Finding]:
        for sheet in ctx.book.sheets.values():
            found = aggregates(sheet)
            for pos, agg in found.items():
                if agg is None:
                    continue
                labels = (sheet.row_label(pos), sheet.column_header(pos))
                partial = any(is_partial(x) for x in labels)
                ref = agg.ref
                r, c = pos
                # a total placed away from the line it adds picks its cells on purpose (a
                # site's units, a summary of some rows): only a total on its own line, which
                # closes that line, is compared with the line
                if agg.horizontal:
                    if r != ref.r1:
                        continue
                    if c > ref.c2:  # total right of its range: the cells up to it, and left
                        toward = [(r, k) for k in range(ref.c2 + 1, c)]
                        away = [(r, k) for k in range(1, ref.c1)][::-1]
                    elif c < ref.c1:
                        toward = [(r, k) for k in range(ref.c1 - 1, c, -1)]
                        away = []
                    else:
                        continue
                else:
                    if c != ref.c1:
                        continue
                    # A column total is extended away from itself (upward) only as far as
                    # the totals beside it in its row reach: above a block of line items sit
                    # other lines (revenue above costs) as often as missed data, and the
                    # neighbouring columns' totals say where the block begins.
                    if r > ref.r2:
                        toward = [(k, c) for k in range(ref.r2 + 1, r)]
                        top = _siblings_top(found, pos, agg)
                        away = [(k, c) for k in range(ref.r1 - 1, top - 1, -1)] if top else []
                    elif r < ref.r1:
                        toward = [(k, c) for k in range(ref.r1 - 1, r, -1)]
                        away = []
                    else:
                        continue
                before = [] if partial else _walk(sheet, pos, away, ref, agg.horizontal)
                if not agg.horizontal and before != away:
                    before = []  # the block the siblings add, whole, or nothing
                after = _walk(sheet, pos, toward, ref, agg.horizontal)
                if partial and after and _next(after[-1], agg.horizontal) != pos:
                    after = []  # a subtotal may stop short on purpose, but not of its own rows
                if toward and after != toward[: len(after)]:
                    after = []
                if after and not all(sheet.is_empty(x) for x in toward[len(after) :]):
                    after = []  # a label or other data between: the total does not close it
                if not before and not after:
                    continue
                cells = [*before, *after]
                yield self._finding(ctx, sheet, pos, agg, before, after, cells)

    def _finding(
        self,
        ctx: Context,
        sheet: Sheet,
        pos: Pos,
        agg,
        before: list[Pos],
        after: list[Pos],
        cells: list[Pos],
    ) -> Finding:
        ref = agg.ref
        r1, c1 = before[-1] if before else (ref.r1, ref.c1)
        r2, c2 = after[-1] if after else (ref.r2, ref.c2)
        new = range_text(min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))
        p = sheet.parsed(pos)
        assert p is not None
        if agg.token >= 0:
            old = p.tokens[agg.token].value
            prefix = old[: old.index("!") + 1] if "!" in old else ""
            suggestion = p.render({agg.token: prefix + new})
        else:
            suggestion = "=" + "+".join(
                range_text(*c, *c) for c in sorted([*before, *ref.cells(), *after])
            )
        missed = ", ".join(_describe(sheet, c, agg.horizontal) for c in cells)
        kind = "column" if agg.horizontal else "row"
        if len(cells) > 1:
            kind += "s"
        message = (
            f"{'Total' if agg.function != 'AVERAGE' else 'Average'} over {ref.text} "
            f"stops short of {missed}: number(s) in the same block that it leaves out"
            f" (likely a {kind} added after the formula was written)."
        )
        return self.finding(
            sheet,
            pos,
            message,
            suggestion=suggestion,
            before=sheet.values.get(pos),
            after=ctx.evaluate(sheet, suggestion),
        )


def _siblings_top(found: dict, pos: Pos, agg) -> int | None:  # noqa: ANN001
    """The first row that the column totals beside ``pos`` (the unbroken run of them along its
    row, each adding its own column down to this one's last row or to the row above them)
    all start at, when that is above where this total starts; None when there are none or
    they disagree."""
    r, c = pos
    tops = set()
    for step in (-1, 1):
        k = c + step
        while (sib := found.get((r, k))) is not None:
            ref = sib.ref
            if sib.horizontal or ref.c1 != k or ref.c2 != k or ref.r2 not in (agg.ref.r2, r - 1):
                break
            tops.add(ref.r1)
            k += step
    if len(tops) != 1:
        return None
    top = tops.pop()
    return top if top < agg.ref.r1 else None


def _next(cell: Pos, horizontal: bool) -> Pos:
    return (cell[0], cell[1] + 1) if horizontal else (cell[0] + 1, cell[1])


def _walk(sheet: Sheet, origin: Pos, line: list[Pos], ref, horizontal: bool) -> list[Pos]:  # noqa: ANN001
    """Cells along the line that hold numbers of the same kind as the range's (typed, or the
    same formula), up to a gap, a label, a subtotal, another unit, or the total itself."""
    taken: list[Pos] = []
    if not line:
        return taken
    # the range cell next to the line: what a missed cell would look like
    edge = (ref.r1, ref.c1) if line[0] < (ref.r1, ref.c1) else (ref.r2, ref.c2)
    unit = _unit(sheet, edge, horizontal)
    for cell in line:
        if cell == origin or not sheet.is_numeric(cell) or is_year(sheet, cell):
            break
        if is_identifier(sheet, cell):
            break  # a student number or a code names its row; it is never added
        if cell in sheet.formulas and is_summing(sheet, cell):
            break
        if (cell in sheet.formulas) != (edge in sheet.formulas):
            break  # typed inputs, then a computed column: another block
        if cell in sheet.formulas and sheet.shape(cell) != sheet.shape(edge):
            break
        if _unit(sheet, cell, horizontal) != unit:
            break
        taken.append(cell)
    return taken


def _unit(sheet: Sheet, cell: Pos, horizontal: bool):  # noqa: ANN202
    """The unit a cell's header (across a row) or label (down a column) states, if any."""
    u = label_unit(sheet.column_header(cell) if horizontal else sheet.row_label(cell))
    return None if u is None else (u.scale, u.dims)


def _describe(sheet: Sheet, cell: Pos, horizontal: bool) -> str:
    name = sheet.column_header(cell) if horizontal else sheet.row_label(cell)
    return f"{a1(*cell)} ({name})" if name else a1(*cell)
