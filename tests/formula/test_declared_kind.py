"""A model kind added by its declaration alone: a file of it is read, run, reported with live
formulas that recalculate to the engine, and ranked by a sensitivity, with no reader, block,
sensitivity or command of its own."""

from __future__ import annotations

import math
from pathlib import Path

import formulas
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flopbook.errors import InputError
from flopbook.formula.declaration import Constant, Kind, extensive, ratio, total
from flopbook.inputs import FieldSpec
from flopbook.model_file import read_model
from flopbook.models.registry import KINDS
from flopbook.render.excel import write_workbook
from flopbook.render.html import render_html
from flopbook.report import build_report
from flopbook.report.uncertainty import sensitivity_of

RENTAL = Kind(
    name="test_rental",
    label="Rental bill",
    doc="What renting GPUs costs a year.",
    readable=True,
    item_inputs={
        "gpus": FieldSpec("gpus", "GPUs", ("GPU",), "8 GPU", "rented", bare_unit="GPU", low=0),
        "price": FieldSpec("price", "Price", ("USD/GPU/hour",), "2 USD/GPU/hour", "", low=0),
        "discount": FieldSpec("discount", "Discount", ("",), "10%", "", low=0, high=1),
    },
    shared_inputs={
        "utilisation": FieldSpec("utilisation", "Utilisation", ("",), "70%", "", low=0, high=1),
    },
    constants=(Constant("hours", 8766.0, "hour/year", "Hours in a year", "a Julian year"),),
    outputs=(
        extensive(
            "bill",
            "Bill per year",
            "USD/year",
            {
                "discount given": "gpus * price * utilisation * hours * (1 - discount)",
                "otherwise": "gpus * price * utilisation * hours",
            },
        ),
        extensive("gpu_count", "GPUs", "GPU", "gpus"),
        ratio("bill_per_gpu", "Bill per GPU", "USD/GPU/year", "bill", "gpu_count"),
    ),
    totals=(total("largest", "Largest bill", "USD/year", "highest_of(bill)"),),
)

FILE = """\
kind: test_rental
name: Two rentals
utilisation: 70%
items:
  - name: cluster A
    gpus: 8 GPU
    price: {value: "2 USD/GPU/hour", source: "a quote"}
    discount: 10%
  - name: cluster B
    gpus: 16 GPU
    price: "1.5 to 2.5 USD/GPU/hour"
"""


@pytest.fixture
def rental(monkeypatch, tmp_path: Path) -> Path:
    monkeypatch.setitem(KINDS, RENTAL.name, RENTAL)
    path = tmp_path / "rental.yaml"
    path.write_text(FILE)
    return path


def test_a_file_of_the_kind_is_read_and_run_from_its_declaration(rental):
    kind, model = read_model(rental)
    result = model.run()
    assert kind == "test_rental" and result.columns == ["cluster A", "cluster B"]
    a = 8 * 2 * 0.7 * 8766 * 0.9
    assert result.summary("bill", "cluster A").mean == pytest.approx(a)
    b = result.summary("bill", "cluster B").mean
    assert result.summary("bill").mean == pytest.approx(a + b)
    assert result.summary("bill_per_gpu").mean == pytest.approx((a + b) / 24, rel=1e-9)
    # a total of the whole run: sample by sample, the larger of the two bills
    bills = [result.get("bill", c).to("USD/year").magnitude for c in result.columns]
    largest = result.total("largest").to("USD/year").magnitude
    assert list(largest) == list(np.maximum(*np.broadcast_arrays(*bills)))


def test_its_report_recalculates_to_the_engine(rental, tmp_path):
    _, model = read_model(rental)
    report = build_report(model.run(), charts=False)
    book = tmp_path / "rental.xlsx"
    cells = write_workbook(report, str(book), cached=False)
    lines = {ln.key for ln in report.blocks[0].lines}
    assert {"bill", "gpu_count", "bill_per_gpu", "largest"} <= lines
    assert len(cells) >= 8
    calc = formulas.ExcelModel().loads(str(book)).finish().calculate()
    for c in cells:
        got = float(calc[f"'[{book.name}]{c.sheet.upper()}'!{c.cell}"].value[0][0])
        assert math.isclose(got, c.expected, rel_tol=1e-9), c


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    gpus=st.lists(st.integers(0, 5000), min_size=1, max_size=4),
    price=st.floats(0.01, 20),
    discount=st.one_of(st.none(), st.integers(0, 100)),
    utilisation=st.integers(1, 100),
)
def test_any_rental_recalculates_to_the_engine(
    rental, tmp_path, gpus, price, discount, utilisation
):
    items = "".join(
        f"  - name: c{i}\n    gpus: {g} GPU\n    price: {price * (i + 1):.6g} USD/GPU/hour\n"
        + (f"    discount: {discount}%\n" if discount is not None and i % 2 == 0 else "")
        for i, g in enumerate(gpus)
    )
    rental.write_text(f"kind: test_rental\nutilisation: {utilisation}%\nitems:\n{items}")
    _, model = read_model(rental)
    report = build_report(model.run(), charts=False)
    book = tmp_path / "random.xlsx"
    cells = write_workbook(report, str(book), cached=False)
    calc = formulas.ExcelModel().loads(str(book)).finish().calculate()
    for c in cells:
        got = float(calc[f"'[{book.name}]{c.sheet.upper()}'!{c.cell}"].value[0][0])
        assert math.isclose(got, c.expected, rel_tol=1e-9, abs_tol=1e-9), c


def test_its_page_shows_each_formula_and_total(rental):
    _, model = read_model(rental)
    page = render_html(build_report(model.run(), charts=False))
    for text in ("Bill per year", "Bill per GPU", "Largest bill", "cluster B", "a quote"):
        assert text in page, text


def test_a_sensitivity_reruns_the_declaration(rental):
    _, model = read_model(rental)
    found = sensitivity_of([model.run()], "bill", samples=512, seed=1)
    assert found.label == "Bill per year"
    (bar,) = found.tornado.bars  # the one uncertain input
    assert (bar.input, bar.label) == ("cluster B.price", "cluster B: Price")
    # the total bill moves with cluster B's price alone: 16 GPUs x 70% x 8766 hours
    swing = (bar.output_high - bar.output_low) / (bar.high - bar.low)
    assert swing == pytest.approx(16 * 0.7 * 8766, rel=1e-9)
    assert found.sobol.indices[0].first == pytest.approx(1, abs=0.05)


def test_a_bad_value_names_the_file_line_and_field(rental):
    rental.write_text(FILE.replace("discount: 10%", "discount: 3 W"))
    with pytest.raises(InputError) as err:
        read_model(rental)[1]
    text = str(err.value)
    assert "rental.yaml:8: items[0].discount: expected a plain number" in text
