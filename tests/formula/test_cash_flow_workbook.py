"""The yearly cash flows, two ways: the engine, and the workbook's live formulas recalculated
by the `formulas` package (every cell, NPV, IRR and payback included, to 1e-9 relative)."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
import system_programs  # noqa: E402

from flopbook.models.fleet import Fleet  # noqa: E402
from flopbook.render.excel import write_workbook  # noqa: E402
from flopbook.report import build_report  # noqa: E402

recalculate = system_programs.recalculate
soffice = system_programs.soffice


def close(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def financings(draw: st.DrawFn) -> dict[str, str] | None:
    """No financing, a loan or a lease."""
    how = draw(st.sampled_from(["none", "debt", "lease"]))
    if how == "debt":
        return {
            "debt": draw(st.sampled_from(["0%", "50%", "100%", "20k USD/GPU"])),
            "debt_rate": draw(st.sampled_from(["0%", "6%", "11%", "-2%"])),
            "debt_term": f"{draw(st.integers(1, 7))} years",
            "debt_balloon": draw(st.sampled_from(["0%", "30%", "100%"])),
        }
    if how == "lease":
        lease = {"lease": f"{draw(st.integers(2, 15))}k USD/GPU/year"}
        if draw(st.booleans()):
            lease["lease_term"] = f"{draw(st.integers(1, 5))} years"
        return lease
    return None


@st.composite
def cohort_fleets(draw: st.DrawFn) -> Fleet:
    first = draw(st.integers(2020, 2026))
    years = draw(st.integers(1, 8))
    financing = financings(draw)
    skus = []
    for chip in draw(
        st.lists(st.sampled_from(["H100", "A100", "B200"]), min_size=1, max_size=2, unique=True)
    ):
        cohorts = []
        for _ in range(draw(st.integers(1, 3))):
            acquired = (
                first + draw(st.integers(0, years - 1)) + draw(st.sampled_from([0, 0.25, 0.5]))
            )
            cohort = {"acquired": acquired, "count": f"{draw(st.integers(1, 5000))} GPU"}
            if draw(st.booleans()):
                cohort["retired"] = acquired + draw(st.integers(1, 6))
            if draw(st.booleans()):
                cohort["server_cost_per_gpu"] = f"{draw(st.integers(10, 60))}k USD/GPU"
            if draw(st.booleans()):  # a loan or lease of its own, drawn in its year
                own = financings(draw)
                if financing and "debt" in financing and draw(st.booleans()):
                    own = {"debt_rate": "4%"}  # the fleet's loan at a rate of its own
                if own is not None:
                    cohort["financing"] = own
            cohorts.append(cohort)
        names = {f"{chip} {c['acquired']:g}" for c in cohorts}
        if len(names) < len(cohorts):
            for i, c in enumerate(cohorts):
                c["name"] = f"{chip} #{i}"
        sku = {"chip": chip, "server_cost_per_gpu": "35k USD/GPU", "cohorts": cohorts}
        if draw(st.booleans()):
            sku["rental_price"] = f"{draw(st.integers(50, 400)) / 100:g} USD/GPU/hour"
        if draw(st.booleans()):
            sku["assumptions"] = {"useful_life": f"{draw(st.integers(1, 8))} years"}
        skus.append(sku)
    assumptions = {
        "utilisation": f"{draw(st.integers(20, 100))}%",
        "residual_value": f"{draw(st.integers(0, 40))}%",
        "cost_of_capital": draw(st.sampled_from(["0%", "8%", "12%"])),
        "useful_life": f"{draw(st.integers(1, 6))} years",
    }
    borrows = any(
        "debt" in (c.get("financing") or financing or {}) for s in skus for c in s["cohorts"]
    )
    if borrows and draw(st.booleans()):  # equity discounted at its own rate
        financing = {**(financing or {}), "cost_of_equity": draw(st.sampled_from(["15%", "9%"]))}
    return Fleet(
        skus,
        assumptions,
        period={"start": first, "end": first + years - 1},
        financing=financing,
    )


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fleet=cohort_fleets())
def test_the_formulas_package_recalculates_the_cash_flows_to_the_engine(tmp_path, fleet):
    import formulas

    result = fleet.run()
    report = build_report(result, charts=False)
    assert [b.title for b in report.blocks][1] == "Cash flows by year"
    book = tmp_path / "flows.xlsx"
    cells = write_workbook(report, str(book), cached=False)
    model = formulas.ExcelModel().loads(str(book)).finish().calculate()
    flows = [c for c in cells if c.sheet == "Calculations 2"]
    assert flows
    for c in cells:
        got = float(model[f"'[{book.name}]{c.sheet.upper()}'!{c.cell}"].value[0][0])
        assert close(got, c.expected), c
    # the block's values are the engine's: its NPV is the cash flows' own
    block = report.blocks[1]
    npv = block.line("npv").values["Total"]
    assert close(npv, float(result.cash_flows.npv().to("USD").magnitude[0]))
    if result.cash_flows.has_debt:
        equity = block.line("npv_equity").values["Total"]
        assert close(equity, float(result.cash_flows.equity_npv().to("USD").magnitude[0]))
    wacc = result.cash_flows.wacc()
    assert ("wacc" in {ln.key for ln in block.lines}) == (wacc is not None)


# LibreOffice takes seconds to start: one run recalculates a batch of random financed fleets
@settings(
    max_examples=1, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=st.lists(cohort_fleets(), min_size=6, max_size=6))
def test_libreoffice_recalculates_the_cash_flows_to_the_engine(tmp_path, recalculate, drawn):
    made = []
    for i, fleet in enumerate(drawn):
        book = tmp_path / f"flows-{i}.xlsx"
        cells = write_workbook(build_report(fleet.run(), charts=False), str(book), cached=False)
        made.append((book, cells))
    out = recalculate(*(book for book, _ in made)).parent
    for book, cells in made:
        wb = openpyxl.load_workbook(out / book.name, data_only=True)
        assert any(c.sheet == "Calculations 2" for c in cells)
        for c in cells:
            got = wb[c.sheet][c.cell].value
            assert isinstance(got, int | float) and close(float(got), c.expected), (c, got)
