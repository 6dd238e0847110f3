"""The training run's declaration, two ways: the engine's values and the workbook's cells
recalculated by the `formulas` package (and once by LibreOffice), on random runs solved for
each of FLOPs, GPU-hours, peak and MFU."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
import system_programs  # noqa: E402

from flopbook.models.workload import Training  # noqa: E402
from flopbook.quantity import magnitudes  # noqa: E402
from flopbook.render.excel import write_workbook  # noqa: E402
from flopbook.report import build_report  # noqa: E402

recalculate = system_programs.recalculate
soffice = system_programs.soffice


def close(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


@st.composite
def runs(draw: st.DrawFn) -> Training:
    unknown = draw(st.sampled_from(["flops", "gpu_hours", "peak", "mfu"]))
    fields: dict = {"name": "A random run"}
    if unknown != "flops":
        if draw(st.booleans()):
            fields["params"] = f"{draw(st.integers(1, 2000))}B"
            fields["tokens"] = f"{draw(st.integers(1, 30))}T token"
        else:
            fields["flops"] = f"{draw(st.integers(1, 9999))}e21 FLOP"
    if unknown != "gpu_hours":
        fields["gpu_hours"] = f"{draw(st.integers(1, 9999))}k GPU*hour"
    if unknown != "peak":
        if draw(st.booleans()):
            fields["chip"] = draw(st.sampled_from(["H100", "H800", "A100"]))
        else:
            fields["peak"] = f"{draw(st.integers(100, 5000))} TFLOP/s"
    if unknown != "mfu":
        fields["mfu"] = f"{draw(st.integers(5, 80))}%"
    if draw(st.booleans()):
        fields["gpus"] = f"{draw(st.integers(8, 50_000))} GPU"
    if draw(st.booleans()):
        fields["price"] = f"{draw(st.integers(50, 800)) / 100} USD/GPU/hour"
    if draw(st.booleans()):
        fields["power"] = f"{draw(st.integers(300, 2000))} W"
        fields["pue"] = f"{draw(st.integers(100, 200)) / 100}"
    return Training(**fields)


def check(book: Path, run: Training, value) -> None:  # noqa: ANN001 - a cell reader
    result = run.run()
    report = build_report(result)
    cells = write_workbook(report, str(book), cached=False)
    for c in cells:
        assert close(value(c), c.expected), c
    block = report.blocks[0]
    for line in block.lines:  # the cells' expected values are the engine's own
        assert close(
            float(magnitudes(result.get(line.key), line.unit or None)[0]), line.values["Value"]
        ), line.key


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(run=runs())
def test_the_formulas_package_recalculates_any_training_run(tmp_path, run):
    import formulas

    book = tmp_path / "training.xlsx"
    holder: dict = {}

    def value(c):  # noqa: ANN001, ANN202
        if "m" not in holder:
            holder["m"] = formulas.ExcelModel().loads(str(book)).finish().calculate()
        return float(holder["m"][f"'[{book.name}]{c.sheet.upper()}'!{c.cell}"].value[0][0])

    check(book, run, value)


# LibreOffice takes seconds to start: one run recalculates a batch of random runs
@settings(
    max_examples=1, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=st.lists(runs(), min_size=12, max_size=12))
def test_libreoffice_recalculates_any_training_run(tmp_path, recalculate, drawn):
    made = []
    for i, run in enumerate(drawn):
        book = tmp_path / f"training-{i}.xlsx"
        write_workbook(build_report(run.run(), charts=False), str(book), cached=False)
        made.append((book, run))
    out = recalculate(*(book for book, _ in made)).parent
    for book, run in made:
        wb = openpyxl.load_workbook(out / book.name, data_only=True)

        def value(c, wb=wb):  # noqa: ANN001, ANN202
            got = wb[c.sheet][c.cell].value
            assert isinstance(got, int | float), (c, got)
            return float(got)

        # the same cells written again beside it: the checks read the recalculated copy
        check(tmp_path / f"again-{book.name}", run, value)
