"""FB106 — total double-counts a subtotal.

A total whose range takes in both the detail and a subtotal of that same detail.

```
    A                  B
2   Rent               10
3   Power              20
4   Opex subtotal      =SUM(B2:B3)
5   GPUs               300
6   Network            50
7   Capex subtotal     =SUM(B5:B6)
8   Total              =SUM(B2:B7)        <- 760: B2:B3 and B5:B6 counted twice
fix                    =B4+B7             <- 380 (or SUM of the detail only)
```

When the subtotals cover all the detail the fix adds the subtotals; otherwise it adds the
detail cells only (`=SUM(B2:D2,F2)`).
"""

from __future__ import annotations

from collections.abc import Iterator

from flopbook.audit.blocks import aggregates
from flopbook.audit.findings import Finding
from flopbook.audit.formula import a1, range_text
from flopbook.audit.rules import Context, Rule


class FB106(Rule):
    code = "FB106"
    title = "Total double-counts a subtotal"
    severity = "error"
    confidence = 0.9
    finds = "a total that adds a subtotal and the cells it adds"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for sheet in ctx.book.sheets.values():
            totals = aggregates(sheet)
            for pos, agg in totals.items():
                if agg.function == "AVERAGE":
                    continue
                ref = agg.ref
                subtotals = []
                covered: set[tuple[int, int]] = set()
                for cell, sub in totals.items():  # totals are few: look at them, not the range
                    if (
                        cell == pos
                        or sub.function == "AVERAGE"
                        or not (ref.r1 <= cell[0] <= ref.r2 and ref.c1 <= cell[1] <= ref.c2)
                    ):
                        continue
                    parts = set(sub.ref.cells())
                    if (
                        parts
                        and cell not in parts
                        and all(ref.r1 <= r <= ref.r2 and ref.c1 <= c <= ref.c2 for r, c in parts)
                    ):
                        subtotals.append(cell)
                        covered |= parts
                subtotals.sort()
                inside = set(ref.cells()) if subtotals else set()
                if not subtotals:
                    continue
                detail = [
                    c
                    for c in sorted(inside)
                    if c not in subtotals and sheet.is_numeric(c) and not sheet.is_empty(c)
                ]
                if all(c in covered for c in detail):
                    suggestion = "=" + "+".join(a1(*c) for c in subtotals)
                    how = "add the subtotals only"
                else:
                    suggestion = "=SUM(" + ",".join(_runs(detail, agg.horizontal)) + ")"
                    how = "add the detail only"
                name = sheet.column_header if agg.horizontal else sheet.row_label
                names = ", ".join(f"{a1(*c)} ({name(c)})" for c in subtotals)
                message = (
                    f"Total over {ref.text} adds the subtotal(s) {names} and also the "
                    f"cells they add, counting them twice; {how}: {suggestion}."
                )
                yield self.suggest(ctx, sheet, pos, message, suggestion)


def _runs(cells: list[tuple[int, int]], horizontal: bool) -> list[str]:
    """Contiguous runs of cells along the line, as ranges."""
    out: list[str] = []
    start = prev = None
    for cell in cells:
        step = (cell[0], cell[1] - 1) if horizontal else (cell[0] - 1, cell[1])
        if prev is not None and step == prev:
            prev = cell
            continue
        if start is not None and prev is not None:
            out.append(range_text(*start, *prev))
        start = prev = cell
    if start is not None and prev is not None:
        out.append(range_text(*start, *prev))
    return out
