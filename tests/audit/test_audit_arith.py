"""The quick evaluator gives what the formulas package gives, wherever it answers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopbook.audit import arith, recompute
from flopbook.audit.workbook import Workbook

CELLS = {
    "A1": 200,
    "A2": 750,
    "A3": 2.5,
    "A4": -4,
    "B1": 0,
    "B2": 1e6,
    "B3": 0.125,
    "B4": 3,
    "C1": "text",
    "C2": True,
}
BOOK = Workbook.from_cells({"S": {**CELLS, "D1": "=A1"}, "Other sheet": {"A1": 7}})


def slow(formula: str):
    """The formulas package's answer (the quick path bypassed)."""
    book = Workbook.from_cells({"S": {**CELLS, "D1": "=A1"}, "Other sheet": {"A1": 7}})
    saved = arith.value
    try:
        arith.value = lambda *a: arith.UNKNOWN
        return recompute.evaluate(book, book.sheets["S"], formula)
    finally:
        arith.value = saved


def quick(formula: str):
    return arith.value(BOOK, BOOK.sheets["S"], formula)


refs = st.sampled_from(["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "E9", "'Other sheet'!A1"])
ranges = st.sampled_from(["A1:A4", "B1:B4", "A1:B4", "A1:A2", "B2:B3", "E1:E3"])
numbers = st.sampled_from(["0", "1", "4", "2.5", "1E+3", "0.001"])


@st.composite
def expressions(draw, depth: int = 3):
    if depth == 0 or draw(st.booleans()):
        return draw(st.one_of(refs, numbers))
    kind = draw(st.sampled_from(["bin", "neg", "paren", "sum", "avg", "sp", "pct"]))
    if kind == "bin":
        op = draw(st.sampled_from(["+", "-", "*", "/", "^"]))
        return f"{draw(expressions(depth - 1))}{op}{draw(expressions(depth - 1))}"
    if kind == "neg":
        return f"-{draw(expressions(depth - 1))}"
    if kind == "paren":
        return f"({draw(expressions(depth - 1))})"
    if kind == "pct":
        return f"{draw(refs)}%"
    if kind == "sp":
        a, b = draw(st.sampled_from([("A1:A4", "B1:B4"), ("A1:A2", "B2:B3"), ("A1:A4", "A1:A2")]))
        return f"SUMPRODUCT({a},{b})"
    args = draw(st.lists(st.one_of(ranges, expressions(depth - 1)), min_size=1, max_size=3))
    return f"{'SUM' if kind == 'sum' else 'AVERAGE'}({','.join(args)})"


@settings(max_examples=300, deadline=None)
@given(expressions())
def test_quick_agrees_with_the_formulas_package(expr: str) -> None:
    formula = "=" + expr
    q = quick(formula)
    if q is arith.UNKNOWN:
        return
    s = slow(formula)
    assert isinstance(q, float) and isinstance(s, float), (formula, q, s)
    assert math.isclose(q, s, rel_tol=1e-12, abs_tol=1e-300), (formula, q, s)


@pytest.mark.parametrize(
    "formula",
    [
        "=C1+1",
        "=SUM(C1:C2)",
        "=A1/B1",
        "=MAX(A1:A4)",
        "=A1>2",
        "=A1&A2",
        "=SUM(A1:A4 A2:B2)",
        "=NAMED*2",
        "=A1:A4",
        "=(-8)^0.5",
    ],
)
def test_what_it_leaves_to_the_formulas_package(formula: str) -> None:
    assert quick(formula) is arith.UNKNOWN


def test_a_formula_saved_without_its_value_is_unknown() -> None:
    assert quick("=D1+1") is None
    assert slow("=D1+1") is None


def test_the_deepseek_suggestions_are_computed_here() -> None:
    assert quick("=SUMPRODUCT(A1:A2,B2:B3)/SUM(A1:A2)") == pytest.approx(
        (200 * 1e6 + 750 * 0.125) / 950
    )
    assert quick("=-2^2") == 4.0  # negation before the power, as in Excel
    assert quick("=(A1+A2)/4") == 237.5
