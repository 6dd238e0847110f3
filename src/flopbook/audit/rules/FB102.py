"""FB102 — intensive quantity summed.

A total that adds a row or column whose label says it is a per-unit figure, a price, an
average, a rate or a percentage. The fix is a weighted average with the weight (the count
row) named; without a count nearby, AVERAGE, which is right only if every item counts the
same.

```
    A                          B      C      D      E      F
3   Number of GPUs             10000  30000  10000  10000  =SUM(B3:E3)
4   Server CapEx per GPU $k    20     25     35     30     =SUM(B4:E4)     <- "110"
fix                                                        =SUMPRODUCT(B4:E4,B3:E3)/SUM(B3:E3)
```

Not flagged: yearly or hourly flows ("Opex per year", "$/hr" of a cluster add across items),
shares and mixes (they add up to the whole), run-rates.
"""

from __future__ import annotations

from collections.abc import Iterator

from flopbook.audit.blocks import aggregates, line_label
from flopbook.audit.findings import Finding
from flopbook.audit.formula import Ref, a1, range_text
from flopbook.audit.layout import is_count, is_intensive
from flopbook.audit.rules import Context, Rule
from flopbook.audit.workbook import Sheet

SEARCH = 40  # rows (or columns) either side in which to look for the count that weights


class FB102(Rule):
    code = "FB102"
    title = "Intensive quantity summed"
    severity = "error"
    confidence = 0.75
    finds = "a total that adds per-unit figures (prices, rates, shares)"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for sheet in ctx.book.sheets.values():
            for pos, agg in aggregates(sheet).items():
                if agg is None or agg.function == "AVERAGE":
                    continue
                label = line_label(sheet, agg.ref)
                if not is_intensive(label):
                    continue
                ref = agg.ref
                weights = _weights(sheet, ref)
                span = range_text(ref.r1, ref.c1, ref.r2, ref.c2)
                if weights is not None:
                    w = range_text(weights.r1, weights.c1, weights.r2, weights.c2)
                    wname = (
                        sheet.row_label((weights.r1, weights.c1))
                        if agg.horizontal
                        else sheet.column_header((weights.r1, weights.c1))
                    )
                    suggestion = f"=SUMPRODUCT({span},{w})/SUM({w})"
                    how = f"weight it by {wname!r} ({w}): {suggestion}"
                else:
                    suggestion = f"=AVERAGE({span})"
                    how = (
                        "no count row was found to weight it; a plain average "
                        f"({suggestion}) is right only if every item counts the same"
                    )
                message = (
                    f"Adds up {label!r} ({span}), a per-unit figure (a price, average, "
                    f"rate or share); its total is a weighted average — {how}."
                )
                yield self.suggest(
                    ctx,
                    sheet,
                    pos,
                    message,
                    suggestion,
                    confidence=0.8 if weights is not None else 0.6,
                )


def _weights(sheet: Sheet, ref: Ref) -> Ref | None:
    """The nearest count row (or column) covering the same span with numbers in every cell."""
    horizontal = ref.r1 == ref.r2
    here = ref.r1 if horizontal else ref.c1
    for d in range(1, SEARCH + 1):
        for k in (here - d, here + d):
            if k < 1:
                continue
            if horizontal:
                cells = [(k, c) for c in range(ref.c1, ref.c2 + 1)]
                label = sheet.row_label(cells[0])
            else:
                cells = [(r, k) for r in range(ref.r1, ref.r2 + 1)]
                label = sheet.column_header(cells[0])
            if is_count(label) and all(
                sheet.is_numeric(c) and not sheet.is_empty(c) for c in cells
            ):
                if horizontal:
                    return Ref(None, k, ref.c1, k, ref.c2, a1(k, ref.c1))
                return Ref(None, ref.r1, k, ref.r2, k, a1(ref.r1, k))
    return None
