"""A model kind with logic of its own (year-by-year inputs, its own reader, a solver, its own
report block and sensitivity), added the way a module adds one: each part registered in the
table its layer gathers (models' KINDS, model_file's READERS, report's BLOCKS and
UNCERTAINTY). With those registrations alone a file of it is read, run and shown by
`flopbook run`, reported with live formulas that recalculate to the engine, and ranked."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import formulas
import pytest
from scipy.optimize import brentq

from flopbook.formula.declaration import Constant, Kind, extensive, ratio, total
from flopbook.formula.shape import file_shape
from flopbook.inputs import FieldSpec
from flopbook.model_file import READERS, read_model
from flopbook.models.declared import DeclaredModel, run_declared
from flopbook.models.registry import KINDS
from flopbook.quantity import Quantity, magnitudes
from flopbook.render.excel import write_workbook
from flopbook.report import build_report
from flopbook.report.declared import declared_block
from flopbook.report.hooks import Uncertainty, headline_samples, rerun_declaration
from flopbook.report.kinds import BLOCKS
from flopbook.report.uncertainty import UNCERTAINTY, add_sensitivity
from flopbook.scenario import Document, _raw

LEASE = Kind(
    name="test_lease",
    label="GPU lease",
    doc="A lease of GPUs, year by year.",
    item_inputs={
        "gpus": FieldSpec("gpus", "GPUs", ("GPU",), "8 GPU", "leased", bare_unit="GPU", low=0),
        "price": FieldSpec("price", "Price", ("USD/GPU/hour",), "2 USD/GPU/hour", "", low=0),
        "cost": FieldSpec("cost", "Cost", ("USD/GPU/hour",), "1.2 USD/GPU/hour", "", low=0),
    },
    shared_inputs={
        "utilisation": FieldSpec("utilisation", "Utilisation", ("",), "70%", "", low=0, high=1),
    },
    constants=(Constant("hours", 8766.0, "hour/year", "Hours in a year", "a Julian year"),),
    outputs=(
        extensive("revenue", "Revenue", "USD/year", "gpus * price * utilisation * hours"),
        extensive("spend", "Cost", "USD/year", "gpus * cost * hours"),
        extensive("margin", "Margin", "USD/year", "revenue - spend"),
        ratio("margin_share", "Margin on revenue", "", "margin", "revenue"),
    ),
    totals=(total("worst", "Worst year's margin", "USD/year", "lowest_of(margin)"),),
    headlines=("margin",),
)


class LeaseResult:
    def __init__(self, result: Any, breakeven: Any) -> None:
        self.result, self.breakeven = result, breakeven


class Lease:
    def __init__(self, years: dict[int, dict[str, Any]], shared: dict[str, Any]) -> None:
        self.model = DeclaredModel(LEASE, {str(y): v for y, v in years.items()}, shared)

    def run(self) -> LeaseResult:
        # the solver: the one price, every year, at which the mean margin over the years is 0
        units = next(iter(self.model.inputs.values()))["price"].value.units

        def margin(price: float) -> float:
            drawn = {c: {"price": Quantity(price, units)} for c in self.model.inputs}
            value = run_declared(LEASE, self.model.inputs, drawn).get("margin")
            return float(magnitudes(value, "USD/year").mean())

        return LeaseResult(self.model.run(), brentq(margin, 0.0, 1e4))  # USD/GPU-hour


def lease_from_document(doc: Document) -> Lease:
    year = file_shape("lease_year", dict(LEASE.item_inputs), meta=False)
    shape = file_shape(
        "lease_file",
        dict(LEASE.shared_inputs),
        kind=LEASE.name,
        more={"years": (dict[int, year], ...)},  # type: ignore[valid-type]
    )
    spec: Any = doc.validate(shape, ())
    years = {
        y: {n: _raw(getattr(v, n)) for n in LEASE.item_inputs if getattr(v, n) is not None}
        for y, v in spec.years.items()
    }
    return Lease(years, {n: _raw(getattr(spec, n)) for n in LEASE.shared_inputs if n in doc.data})


def lease_block(result: LeaseResult, book: Any, title: str = "") -> Any:
    block = declared_block(result.result, book, title)
    block.notes.append(f"Break-even price: {result.breakeven:.4f} USD/GPU-hour")
    return block


FILE = """\
kind: test_lease
name: A two-year lease
utilisation: "60% to 80%"
years:
  2025: {gpus: 8 GPU, price: 2 USD/GPU/hour, cost: 1.2 USD/GPU/hour}
  2026: {gpus: 16 GPU, price: 1.8 USD/GPU/hour, cost: 1.2 USD/GPU/hour}
"""


@pytest.fixture
def lease(monkeypatch, tmp_path: Path) -> Path:
    # what models/lease.py and report/lease.py would register at their top
    monkeypatch.setitem(KINDS, LEASE.name, LEASE)
    monkeypatch.setitem(READERS, LEASE.name, lease_from_document)
    monkeypatch.setitem(BLOCKS, LEASE.name, lease_block)
    monkeypatch.setitem(
        UNCERTAINTY,
        LEASE.name,
        Uncertainty(
            lambda s: headline_samples(s.result),
            lambda s: list(s.result.kind.output),
            rerun_declaration,
        ),
    )
    path = tmp_path / "lease.yaml"
    path.write_text(FILE)
    return path


def test_its_solver_runs_on_the_years_its_reader_read(lease):
    kind, model = read_model(lease)
    result = model.run()
    assert kind == "test_lease" and result.result.columns == ["2025", "2026"]
    # mean margin zero: price x the utilisation's mean over its samples = cost
    drawn = model.model.inputs["2025"]["utilisation"].value
    assert result.breakeven == pytest.approx(1.2 / float(magnitudes(drawn).mean()), rel=1e-6)


def test_flopbook_run_shows_it_with_no_command_of_its_own(lease, run_cli):
    code, out, err = run_cli("run", lease, "--samples", "500", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["kind"] == "test_lease" and data["columns"] == ["2025", "2026", "Total"]
    assert [t["total"] for t in data["totals"]] == ["worst"]


def test_its_report_has_its_own_block_and_recalculates_to_the_engine(lease, tmp_path):
    _, model = read_model(lease)
    report = build_report(model.run(), charts=False)
    assert any(n.startswith("Break-even price: 1.7") for n in report.blocks[0].notes)
    book = tmp_path / "lease.xlsx"
    cells = write_workbook(report, str(book), cached=False)
    assert len(cells) >= 8
    calc = formulas.ExcelModel().loads(str(book)).finish().calculate()
    for c in cells:
        got = float(calc[f"'[{book.name}]{c.sheet.upper()}'!{c.cell}"].value[0][0])
        assert math.isclose(got, c.expected, rel_tol=1e-9, abs_tol=1e-9), c


def test_its_sensitivity_is_the_one_it_registered(lease):
    _, model = read_model(lease)
    report = build_report(model.run(), charts=False)
    add_sensitivity(report, "margin", samples=512, seed=1, charts=False)
    (found,) = report.sensitivity
    assert found.output == "margin"
    assert [bar.input for bar in found.tornado.bars] == ["utilisation"]


def test_without_its_block_a_report_is_refused_by_name(lease, monkeypatch):
    monkeypatch.delitem(BLOCKS, LEASE.name)
    monkeypatch.delitem(UNCERTAINTY, LEASE.name)
    from tests.test_registry import (
        test_a_kind_with_a_reader_of_its_own_has_a_block_and_a_sensitivity,
    )

    with pytest.raises(AssertionError, match="registers no BLOCKS for test_lease"):
        test_a_kind_with_a_reader_of_its_own_has_a_block_and_a_sensitivity()
