"""The fleet's declaration, two ways: evaluated over samples, and written as a workbook that
the `formulas` package and LibreOffice recalculate. On random fleets of every form (GPU price
or server cost, shares or amounts per GPU, a published operating cost, per-SKU overrides,
either capital cost), every cell equals the engine's value to 1e-9 relative."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
import system_programs  # noqa: E402

from flopbook.models.fleet import Fleet, Sku  # noqa: E402
from flopbook.quantity import magnitudes  # noqa: E402
from flopbook.render.excel import write_workbook  # noqa: E402
from flopbook.report import build_report  # noqa: E402

recalculate = system_programs.recalculate
soffice = system_programs.soffice


def close(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def number(draw: st.DrawFn, low: float, high: float) -> float:
    """A figure as people write them: up to four significant digits (no 1e-93)."""
    return draw(st.integers(round(low * 100), round(high * 100))) / 100


def share_or_amount(draw: st.DrawFn, unit: str, top: float) -> str:
    if draw(st.booleans()):
        return f"{number(draw, 0, 60):g}%"
    return f"{number(draw, 0, top):g} {unit}"


@st.composite
def fleets(draw: st.DrawFn) -> Fleet:
    chips = draw(
        st.lists(
            st.sampled_from(["H100", "H800", "A100", "H20", "B200"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    skus = []
    for chip in chips:
        fields: dict = {"count": f"{draw(st.integers(1, 50_000))} GPU"}
        price = f"{number(draw, 5e3, 6e4):g} USD/GPU"
        fields["gpu_price" if draw(st.booleans()) else "server_cost_per_gpu"] = price
        if draw(st.booleans()):
            fields["acquired"] = draw(st.integers(2016, 2024))
            fields["as_of"] = fields["acquired"] + draw(st.integers(0, 6))
        if draw(st.booleans()):
            fields["prices_of"] = draw(st.integers(2020, 2024))
        if draw(st.integers(0, 3)) == 0:
            fields["operating_cost"] = f"{number(draw, 1e3, 1e4):g} USD/GPU/year"
        overrides = {}
        if draw(st.booleans()):
            overrides["networking"] = share_or_amount(draw, "USD/GPU", 5000)
        if draw(st.booleans()):
            overrides["pue"] = f"{number(draw, 1, 2):g}"
        if draw(st.booleans()):
            overrides["utilisation"] = f"{number(draw, 5, 100):g}%"
        skus.append(Sku(chip, assumptions=overrides, **fields))
    rate = draw(st.sampled_from(["0%", "4%", "10%", "12.5%"]))
    assumptions = {
        "capital_cost": draw(st.sampled_from(["depreciation", "annuity"])),
        "useful_life": f"{draw(st.integers(1, 10))} years",
        "residual_value": f"{number(draw, 0, 100):g}%",
        "utilisation": f"{number(draw, 5, 100):g}%",
        "decline": f"{number(draw, 0, 0.5):g}",
        "cost_of_capital": rate,
        "networking": share_or_amount(draw, "USD/GPU", 5000),
        "storage": share_or_amount(draw, "USD/GPU", 2000),
        "facility": share_or_amount(draw, "USD/GPU", 3000),
        "server_power_overhead": share_or_amount(draw, "W/GPU", 600),
        "tdp_share": f"{number(draw, 30, 100):g}%",
        "electricity_price": f"{number(draw, 0.01, 0.3):g} USD/kWh",
        "hosting": f"{number(draw, 0, 250):g} USD/kW/month",
    }
    return Fleet(skus, assumptions, name="A random fleet", dollars_of=2024)


def check_cells(book: Path, fleet: Fleet, value) -> None:  # noqa: ANN001 - a cell reader
    result = fleet.run()
    report = build_report(result)
    cells = write_workbook(report, str(book), cached=False)
    assert len(cells) > 20
    for c in cells:
        assert close(value(c), c.expected), c
    # the cells' expected values are the engine's own (point inputs: the run itself)
    block = report.blocks[0]
    for line in block.lines:
        if line.kind in ("extensive", "intensive"):
            for col in block.columns:
                v = result.get(line.key, col)
                if v is not None:
                    assert close(float(magnitudes(v, line.unit)[0]), line.values[col])


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fleet=fleets())
def test_the_formulas_package_recalculates_any_fleet_to_the_engine(tmp_path, fleet):
    import formulas

    book = tmp_path / "fleet.xlsx"

    def value(c):  # noqa: ANN001, ANN202
        model = value.model
        return float(model[f"'[{book.name}]{c.sheet.upper()}'!{c.cell}"].value[0][0])

    def recalc(c):  # noqa: ANN001, ANN202
        if not hasattr(value, "model"):
            value.model = formulas.ExcelModel().loads(str(book)).finish().calculate()
        return value(c)

    check_cells(book, fleet, recalc)


# LibreOffice takes seconds to start: one run recalculates a batch of random fleets
@settings(
    max_examples=1, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=st.lists(fleets(), min_size=8, max_size=8))
def test_libreoffice_recalculates_any_fleet_to_the_engine(tmp_path, recalculate, drawn):
    made = []
    for i, fleet in enumerate(drawn):
        book = tmp_path / f"fleet-{i}.xlsx"
        cells = write_workbook(build_report(fleet.run(), charts=False), str(book), cached=False)
        made.append((book, fleet, cells))
    out = recalculate(*(book for book, _, _ in made)).parent
    for book, fleet, _ in made:
        wb = openpyxl.load_workbook(out / book.name, data_only=True)

        def value(c, wb=wb):  # noqa: ANN001, ANN202
            got = wb[c.sheet][c.cell].value
            assert isinstance(got, int | float), (c, got)
            return float(got)

        # the same cells written again beside it: the checks read the recalculated copy
        check_cells(tmp_path / f"again-{book.name}", fleet, value)
