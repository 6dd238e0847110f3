"""Declared totals over a kind's items: the lowest, the highest, the product and the count of
a formula over the items that have it, evaluated over samples and written as Excel."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopbook.calc import CalcError, evaluate
from flopbook.formula.declaration import Kind, extensive, total
from flopbook.formula.excel import total_formula
from flopbook.formula.series import in_order
from flopbook.formula.totals import evaluate_total, totals
from flopbook.inputs import FieldSpec
from flopbook.quantity import Quantity

X = FieldSpec("x", "X", ("",), "1", "a plain number")
KIND = Kind(
    name="test_totals",
    label="Totals",
    item_inputs={"x": X},
    shared_inputs={},
    outputs=(extensive("y", "Y", "", {"x given": "x"}),),
    totals=(
        total("low", "Lowest", "", "lowest_of(y)", of="y"),
        total("high", "Highest", "", "highest_of(y)"),
        total("compound", "Compound", "", "product_of(y) ** (1 / count_of(y)) - 1"),
        total("short", "Shortfall", "", "maximum(-lowest_of(y), 0)"),
    ),
)


def run(values: list[np.ndarray | None]) -> dict:
    items = in_order(KIND, [{} if v is None else {"x": Quantity(v, "")} for v in values])
    return totals(KIND, items)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.lists(st.floats(0.01, 5), min_size=3, max_size=3)),
        min_size=1,
        max_size=6,
    )
)
def test_totals_are_over_the_items_that_have_the_formula(rows):
    found = run([None if r is None else np.array(r) for r in rows])
    known = np.array([r for r in rows if r is not None])
    if known.size == 0:
        assert found["low"] is None and found["compound"] is None
        return
    assert np.allclose(found["low"].magnitude, known.min(axis=0), rtol=1e-12)
    assert np.allclose(found["high"].magnitude, known.max(axis=0), rtol=1e-12)
    want = known.prod(axis=0) ** (1 / len(known)) - 1
    assert np.allclose(found["compound"].magnitude, want, rtol=1e-12)
    assert np.allclose(found["short"].magnitude, np.maximum(-known.min(axis=0), 0))


def test_a_sample_without_a_number_is_left_out_of_the_lowest():
    found = run([np.array([np.nan, 2.0]), np.array([3.0, 1.0])])
    assert list(found["low"].magnitude) == [3.0, 1.0]


def test_the_workbook_writes_each_aggregate_over_its_cells():
    cells = {"y": ["{y@2017}", "{y@2018}", "{y@2019}"]}
    compound = KIND.total["compound"]
    assert total_formula(KIND, compound, cells) == (
        "PRODUCT({y@2017}:{y@2019})^(1/COUNT({y@2017}:{y@2019}))-1"
    )
    assert total_formula(KIND, KIND.total["short"], cells) == "MAX(-MIN({y@2017}:{y@2019}),0)"
    assert total_formula(KIND, KIND.total["high"], cells) == "MAX({y@2017}:{y@2019})"
    assert total_formula(KIND, KIND.total["low"], {"y": []}) is None


def test_a_total_reads_formulas_only_through_an_aggregate():
    bad = Kind(
        name="bad_total",
        label="Bad",
        item_inputs={"x": X},
        shared_inputs={},
        outputs=(extensive("y", "Y", "", "x"),),
        totals=(total("t", "T", "", "y + 1"),),
    )
    with pytest.raises(ValueError, match="outside an aggregate"):
        bad.check()
    assert evaluate_total(KIND, KIND.total["low"], []) is None


def test_calc_has_the_mean_over_samples_and_refuses_totals_over_items():
    samples = {"x": Quantity(np.array([1.0, 2.0, 6.0]), "W")}
    assert evaluate("mean(x) / (1 W)", samples).magnitude == pytest.approx(3)
    with pytest.raises(CalcError, match="totals a model's items"):
        evaluate("lowest_of(3)")
