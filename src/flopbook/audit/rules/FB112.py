"""FB112 — range runs past the data into blank rows.

Severity: warning (confidence 0.5, 0.4 for a spacer: nothing is wrong today). A total whose
range goes on past its block into rows or columns blank across the whole sheet, where
anything typed later (a note, a year, a line of another table) is added without a word, and
the range no longer says which lines the total covers.

```
    A        B
2   Rent     10
3   Power    20
4-6          (blank rows)
7   Total    =SUM(B2:B5)       <- takes in rows 4 and 5, blank
fix          =SUM(B2:B3)
```

The one blank spacer line right before the total (kept by some so that rows inserted above
it are added) is flagged with less confidence, and the message says so. Not flagged: blank
cells of lines that hold data elsewhere in their row.
"""

from __future__ import annotations

from collections.abc import Iterator

from flopbook.audit.blocks import aggregates
from flopbook.audit.findings import Finding
from flopbook.audit.formula import range_text
from flopbook.audit.rules import Context, Rule
from flopbook.audit.workbook import Sheet

EXPLAINED = {"FB101", "FB106"}


class FB112(Rule):
    code = "FB112"
    title = "Range runs past the data into blank rows"
    severity = "warning"
    confidence = 0.5
    finds = "a range that runs past its data into blank rows"
    after = tuple(sorted(EXPLAINED))

    def check(self, ctx: Context) -> Iterator[Finding]:
        for sheet in ctx.book.sheets.values():
            used_rows, used_cols = _used(sheet)
            for pos, agg in aggregates(sheet).items():
                ref = agg.ref
                if ref.size < 3 or ctx.codes_at(sheet, pos) & EXPLAINED:
                    continue
                horizontal = agg.horizontal
                used = used_cols if horizontal else used_rows
                lo, hi = (ref.c1, ref.c2) if horizontal else (ref.r1, ref.r2)
                here = pos[1] if horizontal else pos[0]
                # the range's ends that are lines blank across the whole sheet
                end = hi
                while end > lo and end not in used:
                    end -= 1
                start = lo
                while start < end and start not in used:
                    start += 1
                trailing = hi - end
                leading = start - lo
                if not trailing and not leading or end == start and start not in used:
                    continue
                # the one blank spacer right before the total is sometimes kept on purpose
                # (rows inserted above the total are then added): said, with less confidence
                spacer = (trailing == 1 and not leading and hi == here - 1) or (
                    leading == 1 and not trailing and lo == here + 1
                )
                if horizontal:
                    new = range_text(ref.r1, start, ref.r2, end)
                    what = "columns"
                else:
                    new = range_text(start, ref.c1, end, ref.c2)
                    what = "rows"
                suggestion = _replace(sheet, pos, agg, new)
                blank = trailing + leading
                message = (
                    f"The range {ref.text} runs past its data into {blank} blank "
                    f"{what} (blank across the sheet); anything typed there later is "
                    f"added without a word. The data ends at {new}"
                    + (f": {suggestion}." if suggestion else ".")
                )
                if spacer:
                    message += (
                        " (A blank spacer kept before a total on purpose, so that "
                        "rows inserted above it are added, is a habit some keep.)"
                    )
                yield self.finding(
                    sheet,
                    pos,
                    message,
                    suggestion=suggestion,
                    before=sheet.values.get(pos),
                    confidence=0.4 if spacer else None,
                )


def _used(sheet: Sheet) -> tuple[set[int], set[int]]:
    found = sheet.cache.get("used-lines")
    if found is None:
        rows = {r for (r, _), v in sheet.values.items() if v not in (None, "")}
        cols = {c for (_, c), v in sheet.values.items() if v not in (None, "")}
        rows |= {r for r, _ in sheet.formulas}
        cols |= {c for _, c in sheet.formulas}
        found = sheet.cache["used-lines"] = (rows, cols)  # type: ignore[assignment]
    return found  # type: ignore[return-value]


def _replace(sheet: Sheet, pos, agg, new: str) -> str | None:  # noqa: ANN001
    if agg.token < 0:
        return None
    p = sheet.parsed(pos)
    if p is None:
        return None
    old = p.tokens[agg.token].value
    prefix = old[: old.index("!") + 1] if "!" in old else ""
    return p.render({agg.token: prefix + new})
