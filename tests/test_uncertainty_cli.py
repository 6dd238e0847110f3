"""Uncertainty through the command line: distributions, correlations, sensitivity, plots,
and every bad input as one line with exit code 2."""

from __future__ import annotations

import json
import sys

import pytest

from conftest import Run


@pytest.fixture
def run_here(capsys, monkeypatch):
    """`flopbook ARGS` through the real entry point, in this process (faster than a new one;
    the error-path tests below also run a few as separate processes)."""
    from flopbook.cli import main

    def _run(*args: str) -> Run:
        monkeypatch.setattr(sys, "argv", ["flopbook", *args])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out = capsys.readouterr()
        return Run(code, out.out, out.err)

    return _run


SCENARIO = """
name: Uncertain fleet
assumptions:
  pue: {pert: {low: 1.1, mode: 1.2, high: 1.5}}
  electricity_price: {triangular: {low: 0.05, mode: 0.07, high: 0.12 USD/kWh}}
  useful_life: {choice: {4 years: 0.6, 5 years: 0.4}}
skus:
  - chip: H800
    count: {normal: {mean: 10k GPU, sd: 1k GPU}}
    server_cost_per_gpu: {lognormal: {low: 28k USD/GPU, high: 42k USD/GPU}}
  - chip: H100
    count: {uniform: {low: 4k, high: 6k}}
    server_cost_per_gpu: 30k to 40k USD/GPU
correlations:
  - between: [skus.H800.server_cost_per_gpu, skus.H100.server_cost_per_gpu]
    rank: 0.8
"""


def test_distributions_and_correlation_in_a_scenario(run_here, write):
    path = write(SCENARIO)
    run = run_here("fleet", str(path), "--format", "json", "--samples", "2000")
    assert run.code == 0, run.err
    tco = next(m for m in json.loads(run.out)["metrics"] if m["metric"] == "tco_per_year")
    total = tco["values"]["Total"]
    assert total["p5"] < total["p50"] < total["p95"]


@pytest.mark.parametrize("sampler", ["random", "lhs", "sobol"])
def test_samplers_are_reproducible(run_here, write, sampler):
    path = str(write(SCENARIO))
    args = ("fleet", path, "--format", "csv", "--samples", "512", "--sampler", sampler)
    a, b = run_here(*args), run_here(*args)
    assert a.code == 0, a.err
    assert a.out == b.out


def test_sensitivity_and_plots(run_here, write, tmp_path):
    path = write(SCENARIO)
    plots = tmp_path / "plots"
    run = run_here(
        "fleet",
        str(path),
        "--samples",
        "1000",
        "--sensitivity",
        "tco_per_year",
        "--plot",
        str(plots),
    )
    assert run.code == 0, run.err
    assert "tornado" in run.out and "Sobol" in run.out
    assert "skus.H800.count" in run.out
    names = sorted(p.name for p in plots.iterdir())
    assert names == sorted(
        f"tco_per_year-{k}.{ext}"
        for k in ("distribution", "tornado", "sobol")
        for ext in ("png", "svg")
    )
    assert (plots / "tco_per_year-tornado.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (plots / "tco_per_year-distribution.svg").read_text()
    # nothing is written to the terminal's stderr but the list of files
    assert "Traceback" not in run.err


def test_sensitivity_json_and_csv(run_here, write):
    path = str(write(SCENARIO))
    run = run_here("fleet", path, "--samples", "500", "--sensitivity", "capex", "-f", "json")
    data = json.loads(run.out)["sensitivity"]
    assert data["output"] == "capex"
    # capex does not depend on power: PUE and the electricity price have no swing
    swings = {b["input"]: b["swing"] for b in data["tornado"]["bars"]}
    assert swings["assumptions.pue"] == 0 and swings["skus.H800.count"] > 0
    csv_run = run_here("fleet", path, "--samples", "500", "--sensitivity", "capex", "-f", "csv")
    assert csv_run.out.splitlines()[0].startswith("output,unit,input,")


BAD = [
    ("count: {uniform: {low: 12k, high: 8k}}", "low 12000 is above high 8000"),
    ("count: 12k to 8k GPU", "low end 12000 is above its high end 8000"),
    ("count: {choice: {8k GPU: 0.5, 12k GPU: 0.6}}", "probabilities sum to 1.1, not 1"),
    ("count: {gamma: {low: 1, high: 2}}", "unknown distribution 'gamma'"),
    ("count: {normal: {mean: 10k GPU}}", "normal takes {mean, sd} or {low, high}"),
]


@pytest.mark.parametrize(("line", "message"), BAD)
def test_bad_distribution_is_one_line_exit_2(run_here, cli, write, line, message):
    path = write(f"skus:\n  - chip: H800\n    {line}\n    server_cost_per_gpu: 30k USD/GPU\n")
    # the first case as a separate process too: the real entry point, end to end
    run = (cli if line == BAD[0][0] else run_here)("fleet", str(path))
    assert run.code == 2
    assert run.err.count("\n") == 1 and run.err.startswith("flopbook: error: ")
    assert f"{path}:3: skus[0].count: " in run.err and message in run.err


def test_correlation_outside_range_is_one_line_exit_2(cli, write):
    path = write(SCENARIO.replace("rank: 0.8", "rank: 1.5"))
    run = cli("fleet", str(path), "--samples", "100")
    assert run.code == 2 and run.err.count("\n") == 1
    assert "correlations[0].rank: correlation 1.5 is outside -1 to 1" in run.err


def test_correlating_a_point_value_is_refused(run_here, write):
    path = write(
        SCENARIO.replace("skus.H100.server_cost_per_gpu", "assumptions.pue").replace(
            "pue: {pert: {low: 1.1, mode: 1.2, high: 1.5}}", "pue: 1.3"
        )
    )
    run = run_here("fleet", str(path), "--samples", "100")
    assert run.code == 2 and "'assumptions.pue' has one value" in run.err


def test_too_many_samples_is_refused_with_the_estimate(cli, write):
    path = write(SCENARIO)
    run = cli("fleet", str(path), "--samples", "100000000000")
    assert run.code == 2 and run.err.count("\n") == 1
    assert "--samples 100,000,000,000 needs about" in run.err and "use at most" in run.err


def test_unknown_sensitivity_output(run_here, write):
    run = run_here("fleet", str(write(SCENARIO)), "--sensitivity", "tco_per_yeer")
    assert run.code == 2 and "did you mean tco_per_year?" in run.err


def test_sensitivity_needs_something_uncertain(run_here, write):
    path = write("skus:\n  - {chip: H800, count: 2048, server_cost_per_gpu: 30k USD/GPU}\n")
    run = run_here("fleet", str(path), "--sensitivity", "tco_per_year")
    assert run.code == 2 and "nothing in this fleet is uncertain" in run.err


def test_a_range_reaching_past_a_bound_is_refused_but_a_tail_is_clipped(run_here, write):
    # the stated 90% interval crosses PUE's bound of 1: refused
    path = write(
        "assumptions:\n  pue: 0.9 to 1.3\nskus:\n"
        "  - {chip: H800, count: 2048, server_cost_per_gpu: 30k USD/GPU}\n"
    )
    run = run_here("fleet", str(path), "--samples", "1000")
    assert run.code == 2 and "must be at least 1" in run.err
    # an interval inside the bound whose lognormal tail crosses it: accepted, tail clipped
    path = write(
        "assumptions:\n  pue: 1.0 to 1.3\nskus:\n"
        "  - {chip: H800, count: 2048, server_cost_per_gpu: 30k USD/GPU}\n",
        name="inside.yaml",
    )
    assert run_here("fleet", str(path), "--samples", "1000").code == 0


PRESET_WORKLOAD = """
kind: inference
model: llama-3.1-70b
chip: H100
gpus: 4
tokens_in: 1000 token
tokens_out: 500 token
tpot: 40 ms
mbu: 50% to 80%
price: 2 USD/GPU/hour
requests: 100k request/day
"""


def test_report_takes_a_model_preset_with_its_sensitivity(run_here, write, tmp_path):
    """`report` on a workload with `model:`: live workbook, page and the sensitivity of an
    output whose batch the TPOT target chooses again for every sample."""
    path = str(write(PRESET_WORKLOAD))
    book, page = tmp_path / "w.xlsx", tmp_path / "w.html"
    run = run_here(
        "report",
        path,
        "--xlsx",
        str(book),
        "--html",
        str(page),
        "--samples",
        "300",
        "--sensitivity",
        "cost_per_million_output",
    )
    assert run.code == 0, run.err
    assert book.stat().st_size > 0 and "mbu" in page.read_text()
    import openpyxl

    cells = [c.value for ws in openpyxl.load_workbook(book) for r in ws.iter_rows() for c in r]
    assert any(isinstance(v, str) and v.startswith("=") and "params_read" in v for v in cells)
    assert "/day" in page.read_text()  # the daily cost keeps its denominator
