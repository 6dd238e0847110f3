"""FB110 — unweighted average of per-unit figures.

Severity: warning. A plain `AVERAGE` of per-unit figures (a price per GPU, a cost per token,
a utilisation) while the sheet holds how many units each item has: the plain average counts
a model with 1,000 GPUs the same as one with 30,000, while the average over all units is
weighted by those counts.

```
    A                          B      C      D      E      F
3   Number of GPUs             10000  30000  10000  10000
4   Server CapEx per GPU $k    20     25     35     30     =AVERAGE(B4:E4)      <- 27.5
fix                            F4: =SUMPRODUCT(B4:E4,B3:E3)/SUM(B3:E3)           <- 26.7
```

Not flagged: an average with no count row or column covering the same items.
"""

from __future__ import annotations

from collections.abc import Iterator

from flopbook.audit.blocks import aggregates, line_label
from flopbook.audit.findings import Finding
from flopbook.audit.formula import range_text
from flopbook.audit.layout import is_intensive
from flopbook.audit.rules import Context, Rule
from flopbook.audit.rules.FB102 import _weights


class FB110(Rule):
    code = "FB110"
    title = "Unweighted average of per-unit figures"
    severity = "warning"
    confidence = 0.6
    finds = "a plain AVERAGE of per-unit figures beside their counts"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for sheet in ctx.book.sheets.values():
            for pos, agg in aggregates(sheet).items():
                if agg.function != "AVERAGE":
                    continue
                label = line_label(sheet, agg.ref)
                if not is_intensive(label):
                    continue
                weights = _weights(sheet, agg.ref)
                if weights is None:
                    continue
                ref = agg.ref
                span = range_text(ref.r1, ref.c1, ref.r2, ref.c2)
                w = range_text(weights.r1, weights.c1, weights.r2, weights.c2)
                wname = (
                    sheet.row_label((weights.r1, weights.c1))
                    if agg.horizontal
                    else sheet.column_header((weights.r1, weights.c1))
                )
                suggestion = f"=SUMPRODUCT({span},{w})/SUM({w})"
                message = (
                    f"A plain average of {label!r} ({span}) counts every item the "
                    f"same, while {wname!r} ({w}) says how many units each has; the "
                    f"average over all units is {suggestion}."
                )
                yield self.suggest(ctx, sheet, pos, message, suggestion)
