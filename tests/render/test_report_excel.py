"""The workbook export recomputes the engine's numbers: in LibreOffice, in the `formulas`
package, and after an input is changed. Labels from users stay text."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest
import system_programs
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from flopbook.cases import case
from flopbook.fleet_file import load_scenario
from flopbook.models.fleet import Fleet, Sku
from flopbook.quantity import magnitudes, q, sampling
from flopbook.render.excel import write_workbook
from flopbook.report import build_report

# A fleet that takes every branch of the formulas: a GPU price (not a server cost), per-GPU
# networking and server power, ranges, an annuity, a SKU-level override, a published
# operating cost, and a chip without FP8.
VARIED = """\
name: Every branch of the fleet formulas
description: A test fleet.
assumptions:
  capital_cost: annuity
  useful_life: 5 years
  cost_of_capital: 8%
  networking: 3k USD/GPU
  server_power_overhead: 300 W/GPU
  electricity_price: 0.06 to 0.10 USD/kWh
skus:
  - chip: H100
    count: 1000 to 3000
    gpu_price: 25k USD/GPU
  - chip: H800
    count: 2048
    server_cost_per_gpu: {value: 30k to 40k USD/GPU, source: a test, note: a note}
    assumptions: {pue: 1.2, maintenance: 5%}
  - chip: A100
    count: 500
    server_cost_per_gpu: 15k USD/GPU
    operating_cost: 4k USD/GPU/year
"""

# fixtures shared by the tests that drive LibreOffice and Chromium
recalculate = system_programs.recalculate
soffice = system_programs.soffice


def close(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def recalculated_by_formulas(book: Path, changes: dict[str, float] | None = None):
    """Every cell value after the `formulas` package recalculates the workbook."""
    import formulas

    model = formulas.ExcelModel().loads(str(book)).finish()
    solution = model.calculate(inputs=changes or {})
    prefix = f"'[{book.name}]"

    def value(sheet: str, cell: str) -> float:
        return float(solution[f"{prefix}{sheet.upper()}'!{cell}"].value[0][0])

    return value


@pytest.fixture(scope="module")
def deepseek():
    with sampling(1000, 1):
        result = case("deepseek-semianalysis")
    return result, build_report(result)


@pytest.fixture(scope="module")
def varied(tmp_path_factory):
    path = tmp_path_factory.mktemp("scenario") / "varied.yaml"
    path.write_text(VARIED)
    with sampling(2000, 7):
        result = load_scenario(path).run()
        report = build_report(result)
    return result, report


def test_libreoffice_recalculates_the_deepseek_case_to_the_engine(tmp_path, recalculate, deepseek):
    _, report = deepseek
    book = tmp_path / "deepseek.xlsx"
    # no cached results: every number below is LibreOffice's own
    cells = write_workbook(report, str(book), cached=False)
    assert len(cells) > 300
    wb = openpyxl.load_workbook(recalculate(book), data_only=True)
    for c in cells:
        got = wb[c.sheet][c.cell].value
        assert isinstance(got, int | float), (c, got)
        assert close(float(got), c.expected), (c, got)


def test_libreoffice_recalculates_every_formula_branch(tmp_path, recalculate, varied):
    _, report = varied
    book = tmp_path / "varied.xlsx"
    cells = write_workbook(report, str(book), cached=False)
    wb = openpyxl.load_workbook(recalculate(book), data_only=True)
    for c in cells:
        got = wb[c.sheet][c.cell].value
        assert isinstance(got, int | float) and close(float(got), c.expected), (c, got)


def test_the_formulas_package_recalculates_the_same(tmp_path, varied):
    _, report = varied
    book = tmp_path / "varied.xlsx"
    cells = write_workbook(report, str(book), cached=False)
    value = recalculated_by_formulas(book)
    for c in cells:
        assert close(value(c.sheet, c.cell), c.expected), c


def test_expected_values_are_the_engines_at_the_medians(varied):
    """The cells' expected values are the fleet model run with each range at its median."""
    _, report = varied
    median = {  # a positive 90% range is a lognormal: median = geometric mean of the ends
        "count": math.sqrt(1000 * 3000),
        "price": math.sqrt(30e3 * 40e3),
        "electricity": math.sqrt(0.06 * 0.10),
    }
    fleet = Fleet(
        [
            Sku("H100", count=q(median["count"], "GPU"), gpu_price="25k USD/GPU"),
            Sku(
                "H800",
                count="2048 GPU",
                server_cost_per_gpu=q(median["price"], "USD/GPU"),
                assumptions={"pue": 1.2, "maintenance": "5%"},
            ),
            Sku(
                "A100",
                count="500 GPU",
                server_cost_per_gpu="15k USD/GPU",
                operating_cost="4k USD/GPU/year",
            ),
        ],
        {
            "capital_cost": "annuity",
            "useful_life": "5 years",
            "cost_of_capital": "8%",
            "networking": "3k USD/GPU",
            "server_power_overhead": "300 W/GPU",
            "electricity_price": q(median["electricity"], "USD/kWh"),
        },
    )
    engine = fleet.run()
    block = report.blocks[0]
    checked = 0
    for line in block.lines:
        if line.kind == "input":
            continue
        for col in block.columns:
            v = engine.get(line.key, col)
            assert (v is None) == (line.values[col] is None), (line.key, col)
            if v is not None:
                assert close(float(magnitudes(v, line.unit)[0]), line.values[col]), line.key
                checked += 1
    assert checked > 80


def test_case_values_are_the_case_results(deepseek):
    """The DeepSeek case has point inputs: the report's values are the case's own."""
    result, report = deepseek
    for (_, fleet), block in zip(result.fleets, report.blocks, strict=True):
        for line in block.lines:
            if line.kind == "input":
                continue
            for col in block.columns:
                v = fleet.get(line.key, col)
                if v is not None:
                    assert close(float(magnitudes(v, line.unit)[0]), line.values[col])
    for mine, theirs in zip(report.checks, result.checks, strict=True):
        assert mine.label == theirs.label
        assert close(mine.model, theirs.model), mine.label
        assert mine.formula is not None, f"{mine.label} is written as a value, not a formula"


def test_changing_an_input_recalculates(tmp_path, varied):
    """Double the H800s in the workbook; its totals become the engine's with 4,096 H800s."""
    result, report = varied
    book = tmp_path / "varied.xlsx"
    cells = write_workbook(report, str(book))
    wb = openpyxl.load_workbook(book)
    defined = wb.defined_names["count_H800"]
    ((sheet, ref),) = list(defined.destinations)
    cell = ref.replace("$", "")
    assert wb[sheet][cell].value == 2048
    value = recalculated_by_formulas(book, {f"'[{book.name}]{sheet.upper()}'!{cell}": 4096})
    changed = report.blocks[0].engine  # the engine at the medians, then with 4,096 H800s
    skus = [
        Sku(
            s.chip,
            name=s.name,
            count=(q("4096 GPU") if s.name == "H800" else s.inputs["count"]),
            **{k: v for k, v in s.inputs.items() if k != "count"},
            assumptions=s.assumptions,
        )
        for s in changed.skus
    ]
    engine = Fleet(skus, changed.assumptions).run(capital_cost="annuity")
    tco = next(
        c
        for c in cells
        if c.sheet == "Calculations"
        and c.formula.startswith("SUM(")
        and c.expected == report.blocks[0].line("tco_per_year").values["Total"]
    )
    expected = float(magnitudes(engine.get("tco_per_year"), "USD/year")[0])
    assert not close(expected, tco.expected)  # the change matters
    assert close(value(tco.sheet, tco.cell), expected)


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    counts=st.lists(st.integers(0, 50_000), min_size=1, max_size=3),
    cost=st.floats(5e3, 60e3),
    life=st.integers(3, 6),
    rate=st.sampled_from([0.0, 0.05, 0.12]),
    method=st.sampled_from(["depreciation", "annuity"]),
)
# a SKU of no GPUs has no per-GPU ratio of its own; its column still recalculates
@example(counts=[1, 0], cost=30e3, life=4, rate=0.05, method="annuity")
def test_any_fleet_recalculates_to_the_engine(tmp_path, counts, cost, life, rate, method):
    chips = ["H100", "H800", "A100"]
    counts[0] = max(counts[0], 1)  # at least one GPU, so that per-GPU totals exist
    fleet = Fleet(
        [
            Sku(chips[i], count=q(n, "GPU"), server_cost_per_gpu=q(cost, "USD/GPU"))
            for i, n in enumerate(counts)
        ],
        {"useful_life": q(life, "year"), "cost_of_capital": q(rate, ""), "capital_cost": method},
    )
    result = fleet.run()
    report = build_report(result)
    book = tmp_path / f"fleet-{len(counts)}-{method}.xlsx"
    cells = write_workbook(report, str(book), cached=False)
    value = recalculated_by_formulas(book)
    for c in cells:
        assert close(value(c.sheet, c.cell), c.expected), c
    total = report.blocks[0].line("tco_per_year").values["Total"]
    assert close(total, float(magnitudes(result.get("tco_per_year"), "USD/year")[0]))


HOSTILE = ["=1+1", "+SUM(A1:A2)", "-2*3", "@SUM(A1)", '=HYPERLINK("http://example.com")']


def test_user_text_stays_text(tmp_path):
    """Names, sources and notes that look like formulas are written as text, never run."""
    skus = [
        Sku(
            "H800",
            name=HOSTILE[0],
            count={"value": "100 GPU", "source": HOSTILE[1], "note": HOSTILE[2]},
            server_cost_per_gpu={"value": "30k USD/GPU", "source": HOSTILE[3], "note": HOSTILE[4]},
        )
    ]
    fleet = Fleet(skus, name=HOSTILE[4], description=HOSTILE[1])
    report = build_report(fleet.run())
    book = tmp_path / "hostile.xlsx"
    cells = write_workbook(report, str(book))
    formula_text = " ".join(c.formula for c in cells)
    wb = openpyxl.load_workbook(book)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in HOSTILE:
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                    seen.add(cell.value)
    assert seen == set(HOSTILE)
    for text in HOSTILE:
        assert text not in formula_text
    # the SKU's defined names are made safe too
    assert any(name.startswith("count_") for name in wb.defined_names)


def test_workbook_layout(tmp_path, deepseek):
    _, report = deepseek
    book = tmp_path / "deepseek.xlsx"
    write_workbook(report, str(book))
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[:3] == ["Results", "Inputs", "Calculations"]
    assert "Published" in wb.sheetnames
    inputs = wb["Inputs"]
    assert inputs.freeze_panes == "B2"
    assert wb["Calculations"].freeze_panes == "C3"
    heads = [c.value for c in inputs[1]]
    assert heads[:5] == ["Input", "Value used", "Unit", "Low (5%)", "High (95%)"]
    # every input has a defined name pointing at its value, with its unit and source
    for row in inputs.iter_rows(min_row=2):
        if row[6].value and row[7].value != "unit conversion" and row[7].value:
            assert row[6].value in wb.defined_names
            assert row[2].value
    assert inputs.column_dimensions["A"].width >= 20
    # formulas refer to inputs by name, not by address
    calc = wb["Calculations"]
    texts = [c.value for r in calc.iter_rows() for c in r if isinstance(c.value, str)]
    assert any("count_H800" in t for t in texts if t.startswith("="))
    assert not any("Inputs!" in t for t in texts if t.startswith("="))


def test_ranges_show_low_high_and_the_median_used(tmp_path, varied):
    _, report = varied
    book = tmp_path / "varied.xlsx"
    write_workbook(report, str(book))
    ws = openpyxl.load_workbook(book)["Inputs"]
    rows = {r[6].value: [c.value for c in r] for r in ws.iter_rows(min_row=2) if r[6].value}
    row = rows["server_cost_per_gpu_H800"]
    assert row[3] == pytest.approx(30e3) and row[4] == pytest.approx(40e3)
    assert row[1] == pytest.approx(math.sqrt(30e3 * 40e3))
    assert "lognormal" in row[5]
    assert row[8] == "a test" and row[9] == "a note"


def test_export_passes_the_audit(tmp_path, deepseek, varied):
    """Zero findings from `flopbook audit`: the export is a workbook the audit trusts."""
    import json

    from typer.testing import CliRunner

    from flopbook.cli import app

    for name, (_, report) in (("deepseek", deepseek), ("varied", varied)):
        book = tmp_path / f"{name}.xlsx"
        write_workbook(report, str(book))
        out = CliRunner().invoke(app, ["audit", str(book), "--format", "json"])
        assert out.exit_code == 0, out.output
        assert json.loads(out.output) == []
