"""In a REPL or a notebook: quantities read as a person writes them, every result kind has a
DataFrame of floats and an HTML view."""

from __future__ import annotations

import pytest

import flopbook as fb
from flopbook.frames import records_frame


def test_a_quantity_reads_as_written():
    assert repr(fb.q("30k USD/GPU") * fb.q("2048 GPU")) == "61.44M USD"
    assert repr(fb.q("2 USD/GPU/hour")) == "2.00 USD/GPU-hour"
    assert repr(fb.q("15%")) == "15.0%"


def test_a_range_shows_its_mean_and_interval_not_its_samples():
    with fb.sampling(10_000, 1):
        text = repr(fb.q("30k to 40k USD/GPU"))
    assert text.startswith("mean 34.") and "k USD/GPU (P5 30.0" in text and "P95 40.0" in text
    assert len(text) < 60
    assert "<code>" in fb.q("1 GPU")._repr_html_()


def test_every_result_kind_has_a_frame_and_an_html_view():
    from conftest import ROOT

    with fb.sampling(200, 1):
        workload = fb.run_workload(ROOT / "examples" / "training.yaml")
        payer = fb.load_payer(ROOT / "examples" / "high-flyer.yaml").run()
        comparison = fb.compare(["H100", "H20"])
        fleet = fb.load_scenario(ROOT / "examples" / "fleet.yaml").run()
    for result in (workload, payer, comparison, fleet):
        frame = result.to_dataframe()
        assert len(frame) > 0
        assert "<table" in result._repr_html_()
    assert workload.to_dataframe().loc["cost", "mean"] == pytest.approx(5.576e6)
    assert workload.to_dataframe().loc["cost", "unit"] == "USD"
    assert comparison.to_dataframe().loc["H100", "tdp [W]"] == pytest.approx(700)
    assert any("[USD/year]" in label for label in payer.to_dataframe().index)


def test_quantities_become_float_columns_named_with_their_units():
    frame = records_frame(
        [
            {"chip": "A", "tdp": {"value": 700.0, "unit": "W"}},
            {
                "chip": "B",
                "tdp": {
                    "value": 400.0,
                    "unit": "W",
                    "p5": 1.0,
                    "p50": 2.0,
                    "p95": 3.0,
                    "samples": 9,
                },
            },
        ],
        index="chip",
    )
    assert list(frame.columns) == ["tdp [W]", "tdp P5 [W]", "tdp P50 [W]", "tdp P95 [W]"]
    assert frame.loc["A", "tdp [W]"] == 700.0


def test_an_audit_has_a_frame_of_findings_and_html_views(deepseek_xlsx):
    from flopbook.audit.findings import AuditResult, Finding

    result = fb.audit(deepseek_xlsx)
    frame = result.to_dataframe()
    assert len(frame) == len(result.findings) == 6
    assert {"sheet", "cell", "code", "severity", "message", "suggestion"} <= set(frame.columns)
    assert "FB101" in set(frame["code"])
    assert "<table" in result._repr_html_() and "Fleet!F5" in result.findings[1]._repr_html_()
    # a workbook's text stays text in the HTML view
    hostile = AuditResult("x.xlsx", [Finding("S", "A1", "FB101", "error", "t", "<script>")])
    assert "<script>" not in hostile._repr_html_()
    assert "<script>" not in hostile.findings[0]._repr_html_()
