"""The fund's, the company's and the funding verdict's declarations, two ways: the engine's
values year by year, and the workbook's cells recalculated by the `formulas` package and by
LibreOffice, on random payers of every form (opening assets and flows or assets by year,
costs as a share or an amount, money in CNY, a year that loses everything; a margin, a cash
flow or a capex share, funding rounds) with random purchases against them. Every cell equals
the engine's value to 1e-9 relative. LibreOffice recalculates a batch of books in one run."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
import system_programs  # noqa: E402

from flopbook.models.funding import PAYER_ROWS, Company, Fund  # noqa: E402
from flopbook.models.funding_verdict import Spending, judge  # noqa: E402
from flopbook.quantity import Quantity, magnitudes  # noqa: E402
from flopbook.render.excel import write_workbook  # noqa: E402
from flopbook.report import build_report  # noqa: E402

recalculate = system_programs.recalculate
soffice = system_programs.soffice

FX = {"value": "7.1 CNY/USD", "source": "a test rate"}


def close(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def pct(draw: st.DrawFn, low: int, high: int) -> str:
    return f"{draw(st.integers(low * 10, high * 10)) / 10:g}%"


def money(draw: st.DrawFn, low: float, high: float, unit: str = "USD") -> str:
    cny = draw(st.booleans())
    value = draw(st.integers(int(low), int(high))) * (7 if cny else 1)
    return f"{value}M {'CNY' if cny else 'USD'}{unit[3:]}"


@st.composite
def funds(draw: st.DrawFn) -> Fund:
    years = draw(st.integers(1, 6))
    fields: dict = {"first_year": 2018, "last_year": 2018 + years - 1, "fx_rate": FX}
    # a year that loses everything (-100%) leaves no value per unit, and no fee after it
    returns = [
        "-100%" if draw(st.integers(0, 9)) == 0 else pct(draw, -40, 60) for _ in range(years)
    ]
    fields["returns"] = returns if draw(st.booleans()) else returns[0]
    if draw(st.booleans()):
        fields["aum_start"] = money(draw, 10, 9000)
        if draw(st.booleans()):
            fields["flows"] = [f"{draw(st.integers(-500, 500))}M USD" for _ in range(years)]
    else:
        fields["aum"] = [money(draw, 10, 9000) for _ in range(years)]
    fields["management_fee"] = pct(draw, 0, 3)
    fields["performance_fee"] = pct(draw, 0, 30)
    if draw(st.booleans()):
        fields["operating_costs"] = pct(draw, 0, 60)
    else:
        fields["operating_costs"] = money(draw, 0, 50, "USD/year")
    fields["reinvest_share"] = pct(draw, 0, 100)
    return Fund(name="A random fund", **fields)


@st.composite
def companies(draw: st.DrawFn) -> Company:
    years = draw(st.integers(1, 6))
    first = 2018
    fields: dict = {"first_year": first, "last_year": first + years - 1, "fx_rate": FX}
    fields["revenue"] = [money(draw, 1, 20_000, "USD/year") for _ in range(years)]
    how = draw(st.sampled_from(["margin", "cash flow", "capex", "margin and capex", "both"]))
    if "margin" in how:
        fields["operating_margin"] = pct(draw, -50, 60)
    if how in ("cash flow", "both"):
        fields["operating_cash_flow"] = [
            f"{draw(st.integers(-500, 5000))}M USD/year" for _ in range(years)
        ]
    if "capex" in how or how == "both":
        fields["capex_share"] = pct(draw, 0, 50)
    rounds = draw(st.lists(st.integers(0, years - 1), max_size=3))
    fields["funding_rounds"] = [
        {"year": first + t, "amount": money(draw, 1, 900), "label": f"round {i}"}
        for i, t in enumerate(rounds)
    ]
    return Company(name="A random company", **fields)


@st.composite
def verdicts(draw: st.DrawFn):  # noqa: ANN201 - a FundingVerdict
    payer = draw(st.one_of(funds(), companies()))
    years = payer.years
    spending = []
    for i in range(draw(st.integers(0, 3))):
        year = draw(st.sampled_from(years))
        capex = Quantity(draw(st.integers(1, 3000)) * 1e6, "USD")
        opex = (
            Quantity(draw(st.integers(1, 500)) * 1e6, "USD/year") if draw(st.booleans()) else None
        )
        spending.append(Spending(f"purchase {i}", year, capex, opex, source="a test"))
    return judge(payer.run(), spending)


def books(tmp_path: Path, drawn: list) -> list[tuple[Path, list]]:  # noqa: ANN001
    out = []
    for i, verdict in enumerate(drawn):
        book = tmp_path / f"payer-{i}.xlsx"
        report = build_report(verdict, charts=False)
        cells = write_workbook(report, str(book), cached=False)
        assert len(cells) > 10
        # the cells' expected values are the model's own (point inputs: the run itself)
        payer = verdict.payer
        lines = {ln.key: ln for ln in report.blocks[0].lines}
        for key, values in payer.rows.items():
            for year, v in zip(payer.years, values, strict=True):
                want = float(magnitudes(v, PAYER_ROWS[key].unit or None)[0])
                got = lines[key].values[str(year)]
                assert got is None and key == "funding_rounds" or close(got, want), (key, year)
        out.append((book, cells))
    return out


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(verdict=verdicts())
def test_the_formulas_package_recalculates_any_payer_and_verdict(tmp_path, verdict):
    import formulas

    ((book, cells),) = books(tmp_path, [verdict])
    model = formulas.ExcelModel().loads(str(book)).finish().calculate()
    for c in cells:
        got = float(model[f"'[{book.name}]{c.sheet.upper()}'!{c.cell}"].value[0][0])
        assert close(got, c.expected), c


# one LibreOffice run recalculates the whole batch: a dozen random payers in seconds
@settings(
    max_examples=1, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=st.lists(verdicts(), min_size=12, max_size=12))
def test_libreoffice_recalculates_any_payer_and_verdict(tmp_path, recalculate, drawn):
    made = books(tmp_path, drawn)
    first = recalculate(*(book for book, _ in made))
    for book, cells in made:
        wb = openpyxl.load_workbook(first.parent / book.name, data_only=True)
        for c in cells:
            got = wb[c.sheet][c.cell].value
            assert isinstance(got, int | float), (book.name, c, got)
            assert close(float(got), c.expected), (book.name, c)
