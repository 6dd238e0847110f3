"""FB105 — unit or period mismatch.

Units are read from labels (`$m`, `$k`, `$bn`, `$/hr`, `per year`, `annual`, `kW`, `MWh`,
`%`, `(4y)`) and carried through formulas: products multiply units, sums need equal units.
Counts of things (GPUs, tokens, nodes) are plain numbers. Flagged: a sum of a stock and a
flow, or of `$k` and `$m`; a result whose unit contradicts its own label.

```
    A                            B
5   Server CapEx $m              1300
7   Cost of operation (4y) $m    764
8   TCO (4y Ownership) $m/hr     =B5+B7      <- dollars, labelled dollars per hour
9   Opex per year $m             191
10  Cost $m                      =B5+B9      <- a stock plus a yearly flow
fix  8: relabel "TCO (4y Ownership) $m" (or =(B5+B7)/4 labelled $m/yr); 10: =B5+4*B9
```

Severity: error. Units that are not known are unknown, not "a plain number": a cell without a
unit in its labels, a formula of typed numbers only, and a product with a typed number in it
(`=B9*4`, `=B2*8760`: the number may be a period, hours in a year, a price) leave the unit
unknown, and nothing unknown is compared — so `=B5+4*B9` for a 4-year cost is not flagged. A
power of ten (`/1000`, `*1e6`) changes only the scale. Messages give units as the labels
wrote them (`$m/year`, `$k × GPU`) or in words, never as dimensions. A label contradicted by
every formula in its row is reported once, at the label; a rate per year alone ("Annual
growth") is a plain number in a yearly model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from flopbook.audit.blocks import aggregate
from flopbook.audit.findings import Finding
from flopbook.audit.formula import a1
from flopbook.audit.rules import Context, Rule
from flopbook.audit.units import Carried, Unit, carry, declared
from flopbook.audit.workbook import Pos, Sheet

EXPLAINED = {"FB103", "FB104"}


class FB105(Rule):
    code = "FB105"
    title = "Unit or period mismatch"
    severity = "error"
    confidence = 0.75
    finds = "a sum of different units, or a label its formula contradicts"
    after = tuple(sorted(EXPLAINED))

    def check(self, ctx: Context) -> Iterator[Finding]:
        for sheet in ctx.book.sheets.values():
            # (kind, label cell) -> cells; one finding per label, not per copy of a formula
            groups: dict[tuple[str, Pos | None], list[tuple[Pos, str]]] = {}
            fine: set[Pos | None] = set()
            done: dict[Pos, tuple[Unit | None, Carried]] = {}
            for pos in sorted(sheet.formulas):
                p = sheet.parsed(pos)
                if p is None or p.error or ctx.codes_at(sheet, pos) & EXPLAINED:
                    continue  # a typed number or a broken copy explains the unit too
                want, source = declared(sheet, pos)
                # a copy of the formula before it, under a label of the same unit, carries
                # the same units: reuse the answer instead of reading the formula again
                prev = sheet.copy_of(pos)
                if prev is not None and prev in done and done[prev][0] == want:
                    carried = done[prev][1]
                else:
                    carried = carry(ctx.book, sheet, p)
                done[pos] = (want, carried)
                if carried.clashes:
                    c = carried.clashes[0]
                    groups.setdefault(("sum", source), []).append((pos, _clash_message(c)))
                    continue
                got = carried.unit
                if want is None or got is None:
                    continue
                why = _contradiction(want, got, carried.literal_factor)
                if why:
                    groups.setdefault(("label", source), []).append((pos, why))
                elif not _totals_own_line(sheet, pos):
                    fine.add(source)
            for (kind, source), cells in groups.items():
                yield self._finding(sheet, kind, source, cells, source in fine)

    def _finding(
        self, sheet: Sheet, kind: str, source: Pos | None, cells: list[tuple[Pos, str]], mixed: bool
    ) -> Finding:
        first, why = cells[0]
        others = [a1(*p) for p, _ in cells[1:]]
        label = sheet.values.get(source) if source else None
        span = a1(*first) + (f" and {len(others)} more" if others else "")
        if kind == "label" and source is not None and not mixed:
            relabel = _relabel(str(label), why)
            message = (
                f"Label {label!r} contradicts what its formulas compute ({span}, e.g. "
                f"{sheet.formulas[first]}): {why}"
            )
            if relabel:
                message += f" Relabel it {relabel!r}, or convert the formulas to the stated unit."
                years = re.search(r"\b(\d+(?:\.\d+)?)\s*-?\s*y(?:ea)?r?s?\b", str(label))
                if years:
                    n = years.group(1)
                    message += (
                        f" As a yearly figure over the {n}-year period it is "
                        f"({sheet.formulas[first].lstrip('=')})/{n}, labelled per year."
                    )
            return self.finding(
                sheet,
                source,
                message,
                suggestion=relabel,
                fix_kind="label",
                before=label,
                after=relabel,
                related=[a1(*p) for p, _ in cells],
            )
        message = f"{sheet.formulas[first]}: {why}" + (
            f" (also {', '.join(others[:5])})" if others else ""
        )
        return self.finding(sheet, first, message, before=sheet.values.get(first), related=others)


def _totals_own_line(sheet: Sheet, pos: Pos) -> bool:
    """A total of the cells beside it: it takes their unit, so it cannot confirm the label."""
    agg = aggregate(sheet, pos)
    return agg is not None and (
        agg.ref.r1 == agg.ref.r2 == pos[0] or agg.ref.c1 == agg.ref.c2 == pos[1]
    )


def _clash_message(c) -> str:  # noqa: ANN001
    if c.kind == "dims":
        stock_flow = c.left.has_time != c.right.has_time
        what = " — a stock added to a flow" if stock_flow else ""
        return (
            f"adds {c.left_text} ({c.left.describe()}) to {c.right_text} "
            f"({c.right.describe()}){what}; convert one to the other's unit first "
            "(e.g. multiply a yearly cost by the number of years)."
        )
    return (
        f"adds {c.left_text} ({c.left.describe()}) to {c.right_text} "
        f"({c.right.describe()}) without converting the scale."
    )


def _contradiction(want: Unit, got: Unit, literal_factor: bool) -> str | None:
    """Why a computed unit contradicts the label's, or None if it does not."""
    if want.same_dims(got):
        if literal_factor or want.has_time or not want.dims:
            return None  # a typed factor may hold the scale; % is a display format
        if math.isclose(want.scale, got.scale, rel_tol=1e-6):
            return None
        return (
            f"the formula computes in units {got.scale / want.scale:g}× the label's "
            f"{want.describe()}; a scale factor (×1000, /1000) is missing."
        )
    # a typed number in a product may be the period ("=B9*4" for four years)
    only_time = {d for d, _ in want.dims} ^ {d for d, _ in got.dims} <= {"[time]"} and [
        x for x in want.dims if x[0] != "[time]"
    ] == [x for x in got.dims if x[0] != "[time]"]
    if only_time and literal_factor:
        return None
    if only_time:
        wt = dict(want.dims).get("[time]", 0)
        gt = dict(got.dims).get("[time]", 0)
        if wt < gt:
            return (
                f"the label says {want.describe()} (a rate per unit of time) but the "
                "formula adds up amounts over the whole period, with no period in it."
            )
        return (
            f"the label says {want.describe()} (an amount) but the formula computes a "
            "rate per unit of time."
        )
    return f"the label says {want.describe()} but the formula computes {got.describe()}."


def _relabel(label: str, why: str) -> str | None:
    """The label with its per-time part removed, when the formula computes an amount."""
    if "rate per unit of time" not in why or "amounts over the whole period" not in why:
        return None
    new = re.sub(
        r"(\$\s*(?:bn|b|m|mm|k)?)\s*(?:/|per)\s*(?:hr|hour|h|yr|year|y|month|mo|day)\b",
        r"\1",
        label,
        flags=re.IGNORECASE,
    )
    return new if new != label else None
