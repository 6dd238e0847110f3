"""Properties of the audit on generated tables, whatever their layout.

A table here is an item list: a label column, an optional identifier column, two typed input
columns (units, a price), two computed columns, and a total row; it may sit anywhere on a
sheet, with a blank column inside it. The findings of a clean table are none; the findings
of a table with a planted error move with the table and do not change when a blank column
is inserted. The same holds for clean books of every layout the accuracy benchmark generates
(tests/audit/bookgen.py: fleet tables with subtotals, yearly plans, item lists).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from bookgen import LAYOUTS, A
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter

from flopbook.audit import audit_book
from flopbook.audit.workbook import Workbook

# logical columns of the table
LABEL, ID, UNITS, PRICE, COST, TAXED = range(6)


@dataclass(frozen=True)
class Table:
    items: int
    with_id: bool
    units: tuple[int, ...]
    prices: tuple[float, ...]
    plant: str | None = None  # "typed": a cost typed over its formula; "short": a short total
    planted_at: int = 0  # the item the planted error touches

    def cells(self, r0: int, c0: int, gap: int | None = None) -> tuple[dict, dict]:
        """(cells, saved values) of the table at (r0, c0), a blank column before logical
        column ``gap`` if given."""

        def col(k: int) -> int:
            return c0 + k + (1 if gap is not None and k >= gap else 0)

        def at(r: int, k: int) -> str:
            return f"{get_column_letter(col(k))}{r}"

        cells: dict[str, Any] = {}
        values: dict[str, Any] = {}
        heads = {
            LABEL: "Item",
            UNITS: "Units",
            PRICE: "Price per unit $",
            COST: "Cost $",
            TAXED: "Cost with tax $",
        }
        if self.with_id:
            heads[ID] = "Item ID"
        for k, text in heads.items():
            cells[at(r0, k)] = text
        first, last = r0 + 1, r0 + self.items
        for i in range(self.items):
            r = first + i
            cells[at(r, LABEL)] = f"Part {i + 1}"
            if self.with_id:
                cells[at(r, ID)] = 40_000 + 7 * i
            cells[at(r, UNITS)] = self.units[i]
            cells[at(r, PRICE)] = self.prices[i]
            cost = self.units[i] * self.prices[i]
            if self.plant == "typed" and i == self.planted_at:
                cells[at(r, COST)] = cost
            else:
                cells[at(r, COST)] = f"={at(r, UNITS)}*{at(r, PRICE)}"
                values[at(r, COST)] = cost
            cells[at(r, TAXED)] = f"={at(r, COST)}*1.2"
            values[at(r, TAXED)] = cost * 1.2
        total = last + 1
        cells[at(total, LABEL)] = "Total"
        end = last - 1 if self.plant == "short" else last
        for k in (UNITS, COST, TAXED):
            cells[at(total, k)] = f"=SUM({at(first, k)}:{at(end, k)})"
        return cells, values


@st.composite
def tables(draw: st.DrawFn, plant: str | None = None) -> Table:
    n = draw(st.integers(3, 8))
    units = tuple(draw(st.lists(st.integers(1, 500), min_size=n, max_size=n)))
    prices = tuple(
        draw(st.lists(st.integers(1, 9_999).map(lambda x: x / 4), min_size=n, max_size=n))
    )
    at = draw(st.integers(1, n - 2)) if plant == "typed" else 0
    return Table(n, draw(st.booleans()), units, prices, plant, at)


def _audit(sheets: dict[str, tuple[dict, dict]]) -> set[tuple[str, str, int, int]]:
    book = Workbook.from_cells(
        {n: c for n, (c, _) in sheets.items()}, values={n: v for n, (_, v) in sheets.items()}
    )
    return {(f.sheet, f.code, *coordinate_to_tuple(f.cell)) for f in audit_book(book).findings}


POSITION = st.tuples(st.integers(1, 30), st.integers(1, 12))


@settings(max_examples=40, deadline=None)
@given(tables(), POSITION, st.one_of(st.none(), st.integers(1, 5)))
def test_a_clean_table_has_no_finding_wherever_it_sits(table: Table, where, gap) -> None:
    assert _audit({"Sheet1": table.cells(*where, gap)}) == set()


@settings(max_examples=30, deadline=None)
@given(st.one_of(tables("typed"), tables("short")), POSITION, POSITION)
def test_findings_move_with_their_table(table: Table, here, there) -> None:
    a = _audit({"Sheet1": table.cells(*here)})
    b = _audit({"Other": table.cells(*there)})
    assert a, "the planted error is found"
    moved = {("Other", code, r - here[0] + there[0], c - here[1] + there[1]) for _, code, r, c in a}
    assert moved == b


@settings(max_examples=30, deadline=None)
@given(st.one_of(tables("typed"), tables("short"), tables()), POSITION, st.integers(1, 5))
def test_an_empty_column_changes_no_finding(table: Table, where, gap) -> None:
    plain = _audit({"Sheet1": table.cells(*where)})
    spaced = _audit({"Sheet1": table.cells(*where, gap)})
    c_gap = where[1] + gap  # the blank column's index; cells from it on move right by one
    back = {(s, code, r, c - 1 if c > c_gap else c) for s, code, r, c in spaced}
    assert back == plain


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(sorted(LAYOUTS)), st.integers(0, 2**32 - 1))
def test_a_clean_generated_book_of_any_layout_has_no_finding(layout: str, seed: int) -> None:
    book = LAYOUTS[layout](random.Random(seed), "clean", None)
    saved = book.values()
    cells = {n: {A(r, c): v for (r, c), v in sheet.items()} for n, sheet in book.sheets.items()}
    values = {
        n: {A(r, c): saved[(n, r, c)] for (r, c), v in sheet.items() if str(v).startswith("=")}
        for n, sheet in book.sheets.items()
    }
    wb = Workbook.from_cells(cells, values=values)
    assert [(f.sheet, f.cell, f.code) for f in audit_book(wb).findings] == []
