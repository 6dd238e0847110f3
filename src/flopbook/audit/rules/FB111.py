"""FB111 — per-period total adds mixed scales.

Severity: error. A total labelled per year (per month, per hour) whose lines are flows over
other periods or in other scales: a monthly rent added to a yearly bill, `$k/year` added to
`$m/year`.

```
    A                        B
2   Rent $k/month            40
3   Power $k/year            900
4   Total cost per year $k   =SUM(B2:B3)     <- adds 40 a month as 40 a year
fix                          B4: =B2*12+B3
```

Not flagged: lines without a unit in their labels (unknown, not wrong); a stock added to a
flow (FB105).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from flopbook.audit.blocks import aggregates
from flopbook.audit.findings import Finding
from flopbook.audit.formula import a1
from flopbook.audit.rules import Context, Rule
from flopbook.audit.units import Unit, cell_unit, declared

if TYPE_CHECKING:
    from flopbook.audit.workbook import Pos

EXPLAINED = {"FB101", "FB102", "FB105", "FB106"}
MAX_CELLS = 500


class FB111(Rule):
    code = "FB111"
    title = "Per-period total adds mixed scales"
    severity = "error"
    confidence = 0.75
    finds = "a per-period total adding lines over other periods or scales"
    after = tuple(sorted(EXPLAINED))

    def check(self, ctx: Context) -> Iterator[Finding]:
        for sheet in ctx.book.sheets.values():
            for pos, agg in aggregates(sheet).items():
                if agg.function == "AVERAGE" or agg.ref.size > MAX_CELLS:
                    continue
                want, source = declared(sheet, pos)
                if want is None or not want.has_time or source is None:
                    continue
                if ctx.codes_at(sheet, pos) & EXPLAINED:
                    continue
                units: dict[float, tuple[Pos, Unit]] = {}
                for cell in agg.ref.cells():
                    if sheet.is_empty(cell) or sheet.is_text(cell):
                        continue
                    u = cell_unit(sheet, cell)
                    if u is None or u.dims != want.dims:
                        continue  # unknown, or a stock (FB105's)
                    units.setdefault(round(math.log10(u.scale), 6), (cell, u))
                if len(units) < 2:
                    continue
                parts = ", ".join(f"{a1(*c)} ({u.describe()})" for c, u in units.values())
                label = sheet.values.get(source)
                message = (
                    f"Total labelled {label!r} adds lines in different units: {parts}. "
                    f"Bring each to {want.describe()} first (×12 for a monthly figure, "
                    "/1000 from $k to $m)."
                )
                yield self.finding(
                    sheet,
                    pos,
                    message,
                    before=sheet.values.get(pos),
                    related=[a1(*c) for c, _ in units.values()],
                )
