"""FB101 — range omits adjacent data.

A total whose range stops short of numbers in the same row or column block: the column added
after the formula was written.

```
    A                B      C      D      E      F
5   Server CapEx $m  200    750    350    300    =SUM(B5:D5)     <- leaves out E5
fix                                              =SUM(B5:E5)
```

Severity: error. Only a total on the line it adds (a row total in its row, a column total
in its column) is compared with that line, and it is extended toward itself: the cells
between its range and the total, across blank gaps; a row total also to the left of its
range; a column total also upward, as far as the totals beside it in its row begin (they
say where the block starts: `=SUM(C3:C4)` between `=SUM(B2:B4)` and `=SUM(D2:D4)` leaves out
C2), and only when every cell up to there is of its kind; in the same way a column total
above its range downward, and a row total left of its range to the right, as far as the
totals beside it reach. The missed cells must be of the same kind as the range's (typed
numbers, or the same formula copied) and in the same unit. Not flagged: a total placed
elsewhere (it picks its cells on purpose: a site's units, a summary of some rows);
identifier, code and year columns (a student number is never added); a range that ends at a
label, a subtotal or another unit; a total alone, or one whose neighbours start where it
starts or disagree among themselves, is not extended away from itself (above a block of
costs there may be revenue); a total labelled as partial (Subtotal, YTD, H1, "excl.",
"only") only when it stops short of the cells right before it.
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
    finds = "a total that stops short of the cells between its range and itself"

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
                        end = _siblings_reach(found, pos, agg)
                        away = [(r, k) for k in range(ref.c2 + 1, end + 1)] if end else []
                    else:
                        continue
                else:
                    if c != ref.c1:
                        continue
                    # A column total is extended away from itself (upward) only as far as
                    # the totals beside it in its row reach: above a block of line items sit
                    # other lines (revenue above costs) as often as missed data, and the
                    # neighbouring columns' totals say where the block begins.
                    end = _siblings_reach(found, pos, agg)
                    if r > ref.r2:
                        toward = [(k, c) for k in range(ref.r2 + 1, r)]
                        away = [(k, c) for k in range(ref.r1 - 1, end - 1, -1)] if end else []
                    elif r < ref.r1:
                        toward = [(k, c) for k in range(ref.r1 - 1, r, -1)]
                        away = [(k, c) for k in range(ref.r2 + 1, end + 1)] if end else []
                    else:
                        continue
                before = [] if partial else _walk(sheet, pos, away, ref, agg.horizontal)
                by_siblings = not agg.horizontal or c < ref.c1
                if by_siblings and before != away:
                    before = []  # the block the totals beside it add, whole, or nothing
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
        corners = [(ref.r1, ref.c1), (ref.r2, ref.c2), *before, *after]  # on either side
        rows, cols = [x for x, _ in corners], [y for _, y in corners]
        new = range_text(min(rows), min(cols), max(rows), max(cols))
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
        return self.suggest(ctx, sheet, pos, message, suggestion)


def _siblings_reach(found: dict, pos: Pos, agg) -> int | None:  # noqa: ANN001
    """How far the totals beside ``pos`` reach on the side of its range away from it.

    The totals beside a column total are the unbroken run of column totals along its row;
    beside a row total, the run of row totals down its column. Each must add its own line
    from the same near end as this one (or from the cell next to itself). Their far ends must
    all agree and lie beyond this total's: then that is where the block ends. None otherwise.
    """
    r, c = pos
    ref = agg.ref
    column = not agg.horizontal
    lo, hi = (ref.r1, ref.r2) if column else (ref.c1, ref.c2)
    at = r if column else c
    after = at > hi  # the total follows its range
    near, far = (hi, lo) if after else (lo, hi)
    touching = at - 1 if after else at + 1
    ends = set()
    for step in (-1, 1):
        k = (c if column else r) + step
        while (sib := found.get((r, k) if column else (k, c))) is not None:
            s = sib.ref
            own_line = (s.c1, s.c2) == (k, k) if column else (s.r1, s.r2) == (k, k)
            if sib.horizontal == column or not own_line:
                break
            s_lo, s_hi = (s.r1, s.r2) if column else (s.c1, s.c2)
            if (s_hi if after else s_lo) not in (near, touching):
                break
            ends.add(s_lo if after else s_hi)
            k += step
    if len(ends) != 1:
        return None
    end = ends.pop()
    return end if (end < far if after else end > far) else None


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
