"""The published DeepSeek fleet table (SemiAnalysis, "DeepSeek Debates", 2025-01-31), audited.

The critique (Glenn Luk, 2025-01-31; shared/reference/published-figures.md section 1) found
three errors: the Total column leaves out the H100 column below the GPU row, the per-GPU rows
are added up, and the last line is labelled $m/hr. The audit must find each, and its
corrected totals must agree with the fleet model's corrected figures.
"""

from __future__ import annotations

import pytest

from flopbook.audit import audit
from flopbook.audit.recompute import write_fixed


@pytest.fixture(scope="module")
def result(deepseek_xlsx):
    return audit(str(deepseek_xlsx))


def _at(result, cell: str) -> set[str]:
    return {f.code for f in result.findings if f.cell == cell}


def test_flags_the_missed_h100_column(result) -> None:
    # Server CapEx, Cost of operation and TCO totals add B:D only
    for cell in ("F5", "F7", "F8"):
        assert "FB101" in _at(result, cell)
    capex = next(f for f in result.findings if f.cell == "F5" and f.code == "FB101")
    assert capex.suggestion == "=SUM(B5:E5)"
    # published: the table's Total showed ~$1.3B (critique, point 2)
    assert capex.before == pytest.approx(1300, rel=0.01)


def test_flags_the_summed_per_gpu_rows(result) -> None:
    for cell in ("F4", "F6"):
        assert "FB102" in _at(result, cell)
    f4 = next(f for f in result.findings if f.cell == "F4")
    assert "SUMPRODUCT(B4:E4,B3:E3)/SUM(B3:E3)" in f4.suggestion


def test_flags_the_per_hour_label(result) -> None:
    # "TCO (4y Ownership)" in $m/hr is capex + 4 years of operation (critique, point 4)
    label = next(f for f in result.findings if f.code == "FB105")
    assert label.cell == "A8"
    assert label.suggestion == "TCO (4y Ownership) $m"
    assert "/4" in label.message  # the yearly alternative: (capex + 4y operation) / 4


def test_nothing_else_is_flagged(result) -> None:
    assert {(f.cell, f.code) for f in result.findings} == {
        ("F4", "FB102"),
        ("F5", "FB101"),
        ("F6", "FB102"),
        ("F7", "FB101"),
        ("F8", "FB101"),
        ("A8", "FB105"),
    }


def test_gpu_count_total_is_clean(result) -> None:
    assert _at(result, "F3") == set()


def test_corrected_totals_agree_with_the_fleet_model(deepseek_xlsx, result, tmp_path) -> None:
    from flopbook import case
    from flopbook.quantity import magnitudes, sampling

    with sampling(64, 1):
        fleet = dict(case("deepseek-semianalysis").fleets)["Corrected model: all SKUs"]
        capex = float(magnitudes(fleet.get("capex", "Total"), "USD").mean())
        opex_4y = float(magnitudes(fleet.get("opex", "Total"), "USD/year").mean()) * 4
    fixed = write_fixed(str(deepseek_xlsx), result, str(tmp_path / "fixed.xlsx"))
    corrected = {c.cell: c.corrected for c in fixed.changes}
    published = {c.cell: c.published for c in fixed.changes}
    # Article text (Tom's Hardware, 2025-02-01): "Total server CapEx ~$1.6B"; the model: same
    assert capex == pytest.approx(1.6e9, rel=0.03)
    assert corrected["F5"] * 1e6 == pytest.approx(capex, rel=1e-6)
    assert published["F5"] * 1e6 == pytest.approx(1.3e9, rel=0.01)
    # Article text: ~$944M "cost of operation" over the 4-year ownership
    assert opex_4y == pytest.approx(944e6, rel=0.03)
    assert corrected["F7"] * 1e6 == pytest.approx(opex_4y, rel=1e-6)
    # the per-GPU totals become GPU-weighted averages: $1.6B / 60,000 GPUs = $26.7k
    assert corrected["F4"] * 1e3 == pytest.approx(capex / 60_000, rel=1e-6)


def test_the_example_workbook_is_the_rebuilt_published_table(tmp_path):
    """examples/deepseek-semianalysis.xlsx (for `flopbook audit` in the README and the demo)
    holds the same cells as the fixture built from the case file."""
    from deepseek_book import build
    from openpyxl import load_workbook

    from conftest import ROOT

    fresh = load_workbook(build(tmp_path / "fresh.xlsx"))
    shipped = load_workbook(ROOT / "examples" / "deepseek-semianalysis.xlsx")
    assert fresh.sheetnames == shipped.sheetnames
    for a, b in zip(fresh.worksheets, shipped.worksheets, strict=True):
        assert [[c.value for c in row] for row in a.iter_rows()] == [
            [c.value for c in row] for row in b.iter_rows()
        ]
