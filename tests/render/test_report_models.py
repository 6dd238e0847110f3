"""Workloads, payers, funding verdicts and their reference cases as workbooks: every formula
cell recalculates to the engine (LibreOffice and the `formulas` package, 1e-9 relative), no
formula holds a bare number, and a check that is not a formula says why."""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
import system_programs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flopbook.cases import case
from flopbook.fleet_file import load_scenario
from flopbook.models.funding_verdict import Spending, judge
from flopbook.models.workload import Inference, Training
from flopbook.payer_file import load_payer
from flopbook.quantity import magnitudes, q, sampling
from flopbook.render.excel import write_workbook
from flopbook.report import build_report
from flopbook.workload_file import run_workload

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
soffice = system_programs.soffice

# Every branch of the workload formulas: a solved GPU-hours from given FLOPs and an uncertain
# MFU; an inference with the attention term, ranges, a decode context given, output prices only.
TRAINING_SOLVED = """\
kind: training
name: Solved for GPU-hours
flops: 3e24 FLOP
chip: H100
precision: bf16
mfu: 30% to 45%
gpus: 4096 GPU
price: {value: 2.5 USD/GPU/hour, source: a rental}
power: 1100 W
pue: 1.25
"""
INFERENCE_ATTENTION = """\
kind: inference
name: A 70B model with attention, on 8 GPUs
chip: H200
precision: fp8
params: 70B
total_params: 70B
tokens_in: 2000 to 4000 token
tokens_out: 800 token
layers: 80
d_model: 8192
context: 3000 token
batch: 64
gpus: 8 GPU
kv_bytes_per_token: 160 kB
price: 3 to 4 USD/GPU/hour
price_output: 2 USD/Mtoken
"""

# A preset with windowed layers and a tensor-parallel group across two scale-up domains:
# every architecture input, the all-reduce off the node and a TTFT limit.
INFERENCE_WINDOW = """
kind: inference
model: gpt-oss-120b
chip: H100
precision: fp8
gpus: 16
tp: 16
scaleup_domain: 8 GPU
comm_latency: 10 us
comm_overlap: 30%
tokens_in: 2000 token
tokens_out: 8000 token
batch: 32
ttft: 5000 ms
price: 2 USD/GPU/hour
requests: 10k request/day
"""

FUND_FLOWS = """\
kind: fund
name: A fund with flows, costs in CNY
first_year: 2020
last_year: 2024
fx_rate: 0.14 USD/CNY
aum_start: 2B USD
flows: [0 USD, 500M USD, -3B USD, 200M USD, 0 USD]
returns: [25%, -30%, 10%, 60%, 5%]
management_fee: 1.5%
performance_fee: 20%
operating_costs: 50M CNY/year
reinvest_share: 80%
"""
COMPANY = """\
kind: company
name: A company in CNY
first_year: 2021
last_year: 2024
fx_rate: {value: 7.1 CNY/USD, source: an assumed rate}
revenue: {2021: 10B CNY/year, 2022: 12B CNY/year, 2023: 15B CNY/year, 2024: 18B CNY/year}
operating_margin: 20% to 30%
capex_share: 15%
funding_rounds:
  - {year: 2022, amount: 300M USD, label: Series B}
  - {year: 2024, amount: 1B CNY, label: Series C}
  - {year: 2024, amount: 100M USD}
"""


def close(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """name -> (result, report, workbook path, formula cells); written without cached
    results, so every number read back is the spreadsheet's own."""
    folder = tmp_path_factory.mktemp("books")
    files = {}
    for name, text in (
        ("inference_window", INFERENCE_WINDOW),
        ("training_solved", TRAINING_SOLVED),
        ("inference_attention", INFERENCE_ATTENTION),
        ("fund_flows", FUND_FLOWS),
        ("company", COMPANY),
    ):
        files[name] = folder / f"{name}.yaml"
        files[name].write_text(text)
    out = {}
    with sampling(400, 5):
        results = {
            "training": run_workload(EXAMPLES / "training.yaml"),
            "inference": run_workload(EXAMPLES / "inference.yaml"),
            "training_solved": run_workload(files["training_solved"]),
            "inference_attention": run_workload(files["inference_attention"]),
            "inference_moe": run_workload(EXAMPLES / "inference-moe.yaml"),
            "inference_window": run_workload(files["inference_window"]),
            "fund": load_payer(EXAMPLES / "high-flyer.yaml").run(),
            "fund_flows": load_payer(files["fund_flows"]).run(),
            "company": load_payer(files["company"]).run(),
        }
        payer = results["fund"]
        fleet = load_scenario(EXAMPLES / "fleet.yaml").run()
        results["verdict"] = judge(
            payer, [Spending.from_capex("1.6B USD", 2021), Spending.from_fleet(fleet, 2023)]
        )
        results["case_training"] = case("deepseek-v3-training")
        results["case_funding"] = case("high-flyer")
        results["case_day"] = case("deepseek-inference-day")
        results["case_cost"] = case("china-cost-per-flop")
        results["case_claims"] = case("query-energy")
        for name, result in results.items():
            # the workbook has no charts; the page test below draws its own
            report = build_report(result, charts=name == "case_funding")
            path = folder / f"{name}.xlsx"
            out[name] = (result, report, path, write_workbook(report, str(path), cached=False))
    return out


@pytest.fixture(scope="module")
def libreoffice(books, soffice, tmp_path_factory):
    """Every workbook recalculated by LibreOffice, in one run: name -> cell values."""
    folder = tmp_path_factory.mktemp("lo")
    profile = folder / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(system_programs.RECALC_SETTINGS)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(folder / "out"),
            *(str(b[2]) for b in books.values()),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {
        name: openpyxl.load_workbook(folder / "out" / b[2].name, data_only=True)
        for name, b in books.items()
    }


def by_formulas(book: Path, changes: dict[str, float] | None = None):
    import formulas

    solution = formulas.ExcelModel().loads(str(book)).finish().calculate(inputs=changes or {})
    prefix = f"'[{book.name}]"
    return lambda sheet, cell: float(solution[f"{prefix}{sheet.upper()}'!{cell}"].value[0][0])


KINDS = [
    "training",
    "inference",
    "training_solved",
    "inference_attention",
    "inference_moe",
    "inference_window",
    "fund",
    "fund_flows",
    "company",
    "verdict",
    "case_training",
    "case_funding",
    "case_day",
    "case_cost",
]


@pytest.mark.parametrize("name", KINDS)
def test_libreoffice_recalculates_to_the_engine(name, books, libreoffice):
    cells = books[name][3]
    assert len(cells) > 10
    wb = libreoffice[name]
    for c in cells:
        got = wb[c.sheet][c.cell].value
        assert isinstance(got, int | float) and close(float(got), c.expected), (c, got)


@pytest.mark.parametrize("name", KINDS)
def test_the_formulas_package_recalculates_the_same(name, books):
    _, _, path, cells = books[name]
    value = by_formulas(path)
    for c in cells:
        assert close(value(c.sheet, c.cell), c.expected), c


def test_point_inputs_give_the_results_own_values(books):
    """Inputs without ranges: the workbook's numbers are the result's own numbers."""
    for name in ("training", "inference"):
        result, report, _, _ = books[name]
        block = report.blocks[0]
        for row in result.rows:
            expected = float(magnitudes(row.value, row.unit or None)[0])
            assert close(block.line(row.key).values["Value"], expected), (name, row.key)


def test_medians_of_ranges_are_used(books):
    """A range enters the workbook at its median: the model run at that value."""
    _, report, _, _ = books["training_solved"]
    mfu = report.input("mfu")
    assert mfu.low == pytest.approx(0.30) and mfu.high == pytest.approx(0.45)
    assert mfu.value == pytest.approx(math.sqrt(0.30 * 0.45))
    engine = Training(
        flops="3e24 FLOP",
        chip="H100",
        mfu=q(mfu.value, ""),
        gpus="4096 GPU",
        price="2.5 USD/GPU/hour",
        power="1100 W",
        pue=1.25,
    ).run()
    assert close(
        report.blocks[0].line("gpu_hours").values["Value"],
        float(magnitudes(engine.get("gpu_hours"), "GPU*hour")[0]),
    )


NUMBER = re.compile(r"(?<![A-Za-z_$\d.])(\d+\.?\d*(?:E[-+]?\d+)?)(?![\d(A-Za-z_])")


@pytest.mark.parametrize("name", KINDS)
def test_no_formula_holds_a_bare_number(name, books):
    """Every constant is a named input (6 FLOPs per parameter per token, seconds per hour):
    the only numbers written in formulas are 0 and 1."""
    for c in books[name][3]:
        text = re.sub(r"'[^']*'!\$?[A-Z]+\$?\d+|\$?[A-Z]{1,3}\$?\d+", "", c.formula)
        assert set(NUMBER.findall(text)) <= {"0", "1"}, c


def test_case_checks_are_formulas_with_the_case_answers(books):
    for name in ("case_training", "case_funding", "case_day", "case_cost"):
        result, report, _, _ = books[name]
        for mine, theirs in zip(report.checks, result.checks, strict=True):
            assert mine.formula is not None, mine.label
            assert mine.ratio == pytest.approx(theirs.ratio, rel=0.2), mine.label
    # point inputs: these cases' figures are the cases' own to 1e-9
    for name in ("case_training", "case_day"):
        result, report, _, _ = books[name]
        for mine, theirs in zip(report.checks, result.checks, strict=True):
            assert close(mine.model / mine.published, theirs.model / theirs.published)


def test_checks_that_are_values_say_why(books):
    _, report, path, _ = books["case_claims"]
    assert report.checks and all(c.formula is None for c in report.checks)
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(path)["Results"].iter_rows()]
    labels = {c.label + (" (derived)" if c.derived else "") for c in report.checks}
    # each figure on a line, its unit and numbers (and note) on the next
    notes = [below[7] for above, below in zip(rows, rows[1:], strict=False) if above[0] in labels]
    assert len(notes) == len(report.checks)
    assert all("a value: a unit expression" in n for n in notes)


def test_claims_in_words_are_text(books):
    """The funding case's verdicts against those its source argued: text, never formulas."""
    result, report, path, _ = books["case_funding"]
    ws = openpyxl.load_workbook(path)["Results"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[0] == "Claims in words against the model")
    for claim, row in zip(result.claims, rows[start + 2 :], strict=False):
        assert row[:3] == [claim.label, claim.published, claim.model]
    assert len(result.claims) == 3


def test_the_verdict_is_text_with_its_probabilities(books):
    verdict, report, _, _ = books["verdict"]
    notes = " ".join(report.blocks[1].notes)
    assert f"Verdict: {verdict.words}" in notes and "samples" in notes
    coverage = report.blocks[1].line("ratio").values["Total"]
    balance = report.blocks[1].line("balance").values["Total"]
    assert coverage > 0 and balance >= 0


def test_changing_an_input_recalculates(books):
    """Double the training run's price in the workbook: the cost doubles, as the engine's."""
    result, report, path, cells = books["training"]
    wb = openpyxl.load_workbook(path)
    ((sheet, ref),) = list(wb.defined_names["price"].destinations)
    cell = ref.replace("$", "")
    value = by_formulas(path, {f"'[{path.name}]{sheet.upper()}'!{cell}": 4.0})
    engine = Training(
        params="37B",
        tokens="14.8T token",
        gpu_hours="2.788M GPU*hour",
        chip="H800",
        precision="fp8",
        gpus=2048,
        price="4 USD/GPU/hour",
    ).run()
    cost = next(
        c
        for c in cells
        if c.sheet == "Calculations" and c.expected == report.blocks[0].line("cost").values["Value"]
    )
    assert close(value(cost.sheet, cost.cell), float(magnitudes(engine.get("cost"), "USD")[0]))


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    # models that fit one GPU: at most 20 GB of weights and 16 GB of KV cache
    params=st.floats(1e8, 1e10),
    tokens=st.floats(1e9, 1e14),
    hours=st.floats(1e3, 1e8),
    price=st.floats(0.5, 10),
    batch=st.integers(1, 64),
    tin=st.integers(0, 20_000),
    tout=st.integers(1, 5_000),
    kv=st.floats(0, 1e4),
    chip=st.sampled_from(["H100", "B200"]),
)
def test_any_workload_recalculates_to_the_engine(
    tmp_path, params, tokens, hours, price, batch, tin, tout, kv, chip
):
    training = Training(
        params=q(params, ""),
        tokens=q(tokens, "token"),
        gpu_hours=q(hours, "GPU*hour"),
        chip=chip,
        price=q(price, "USD/GPU/hour"),
    )
    inference = Inference(
        params=q(params, ""),
        tokens_in=q(tin, "token"),
        tokens_out=q(tout, "token"),
        chip=chip,
        batch=batch,
        kv_bytes_per_token=q(kv, "byte"),
        price=q(price, "USD/GPU/hour"),
        requests="1M request/day",
        price_input="1 USD/Mtoken",
    )
    for i, model in enumerate((training, inference)):
        book = tmp_path / f"w{i}.xlsx"
        cells = write_workbook(build_report(model.run()), str(book), cached=False)
        value = by_formulas(book)
        for c in cells:
            assert close(value(c.sheet, c.cell), c.expected), c


def test_exports_pass_the_audit(books, tmp_path):
    """Zero findings from `flopbook audit`: the export is a workbook the audit trusts."""
    import json

    from typer.testing import CliRunner

    from flopbook.cases import cases
    from flopbook.cli import app

    reports = {name: books[name][1] for name in KINDS}
    with sampling(300, 4):  # every other case, and the fleet example
        reports["fleet"] = build_report(load_scenario(EXAMPLES / "fleet.yaml").run(), charts=False)
        for info in cases():
            reports.setdefault(info.name, build_report(case(info.name), charts=False))
    for name, report in reports.items():
        book = tmp_path / f"{name}.xlsx"
        write_workbook(report, str(book))
        out = CliRunner().invoke(app, ["audit", str(book), "--format", "json"])
        assert out.exit_code == 0, (name, out.output)
        assert json.loads(out.output) == [], name


chromium = system_programs.chromium
render_page = system_programs.render_page


def test_chromium_renders_a_funding_case_with_its_uncertainty(tmp_path, render_page, books):
    """The high-flyer case with ranges: distributions and a sensitivity of the lifetime cash,
    in one offline page that a browser draws."""
    import dataclasses

    import numpy as np
    from matplotlib import image

    from flopbook.render.html import render_html, write_html
    from flopbook.report.uncertainty import add_sensitivity

    report = dataclasses.replace(
        books["case_funding"][1], sensitivity=[], charts=list(books["case_funding"][1].charts)
    )
    add_sensitivity(report, "cash_available", samples=300, seed=1)
    page = tmp_path / "high-flyer.html"
    write_html(report, str(page))
    html = render_html(report)
    assert "<script" not in html and not re.search(r'\ssrc="(?!data:)', html)
    shot, dom = render_page(page, height=3000)
    pixels = image.imread(str(shot))
    assert float(np.var(pixels[..., :3])) > 0.005, "the screenshot is blank"
    text = re.sub(r"<[^>]+>", " ", dom)
    # the published figures (Glenn Luk 2025-01-31; FT 2025) and the model's verdicts
    for figure in (
        "$70M/year",
        "$400M",
        "$1.600B",
        "implausible without outside funding",
        "Sobol indices: shares of the variance of cash available",
    ):
        assert figure in text, figure
    assert dom.count("<svg") >= 4  # distributions of cash and coverage, tornado, Sobol
