"""`flopbook report` for workload and payer scenarios, every case, and --sensitivity: files
written whole, and every bad input one line, exit 2, nothing written."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from flopbook.cases import cases
from flopbook.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(args: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["flopbook", *args])
    with pytest.raises(SystemExit) as exit_:
        main()
    out = capsys.readouterr()
    return int(exit_.value.code or 0), out.out, out.err


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize(
    "example, words",
    [
        (
            "training.yaml",
            ["DeepSeek-V3 (final run)", "Training FLOPs", "$5.576M", "2.788M GPU-hour"],
        ),
        ("inference.yaml", ["An 8B model on one H100", "Cost per million output tokens"]),
        ("high-flyer.yaml", ["High-Flyer", "Cash available", "Management fees"]),
    ],
)
def test_every_scenario_kind(example, words, tmp_path, monkeypatch, capsys):
    xlsx, html = tmp_path / "r.xlsx", tmp_path / "r.html"
    code, out, err = run(
        [
            "report",
            str(EXAMPLES / example),
            "--xlsx",
            str(xlsx),
            "--html",
            str(html),
            "--samples",
            "300",
            "--seed",
            "1",
        ],
        monkeypatch,
        capsys,
    )
    assert code == 0, err
    assert out.split() == [str(xlsx), str(html)]
    page = html.read_text()
    for w in words:
        assert w in page, w
    assert xlsx.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize("name", [c.name for c in cases()])
def test_every_case(name, tmp_path, monkeypatch, capsys):
    xlsx, html = tmp_path / f"{name}.xlsx", tmp_path / f"{name}.html"
    code, _, err = run(
        [
            "report",
            "--case",
            name,
            "--xlsx",
            str(xlsx),
            "--html",
            str(html),
            "--samples",
            "300",
            "--seed",
            "2",
        ],
        monkeypatch,
        capsys,
    )
    assert code == 0, err
    assert files(tmp_path) == sorted([xlsx.name, html.name])
    assert "Published figures against the model" in html.read_text()


def test_a_payer_against_capex(tmp_path, monkeypatch, capsys):
    html = tmp_path / "r.html"
    code, _, err = run(
        [
            "report",
            str(EXAMPLES / "high-flyer.yaml"),
            "--capex",
            "1.6B",
            "--year",
            "2023",
            "--fleet",
            str(EXAMPLES / "fleet.yaml"),
            "--html",
            str(html),
            "--samples",
            "300",
        ],
        monkeypatch,
        capsys,
    )
    assert code == 0, err
    page = html.read_text()
    assert "Could High-Flyer pay?" in page and "Verdict:" in page


UNCERTAIN_TRAINING = """\
kind: training
name: An uncertain run
params: 70B
tokens: 10T to 15T token
chip: H100
mfu: 30% to 45%
price: 2 to 3 USD/GPU/hour
"""


def test_sensitivity_joins_the_page(tmp_path, monkeypatch, capsys):
    scenario, html = tmp_path / "run.yaml", tmp_path / "r.html"
    scenario.write_text(UNCERTAIN_TRAINING)
    code, _, err = run(
        [
            "report",
            str(scenario),
            "--sensitivity",
            "cost",
            "--html",
            str(html),
            "--samples",
            "300",
            "--seed",
            "3",
        ],
        monkeypatch,
        capsys,
    )
    assert code == 0, err
    page = html.read_text()
    assert "Tornado: what moves cost" in page
    assert "Sobol indices: shares of the variance of cost" in page
    # the two distributions (cost, GPU-hours), the tornado and the Sobol indices
    assert page.count("<figure>") == 4
    for label in ("Training tokens", "MFU", "Price per GPU-hour"):
        assert f"<th scope=row>{label}</th>" in page


def test_sensitivity_in_the_workbook_is_values(tmp_path, monkeypatch, capsys):
    import openpyxl

    scenario, xlsx = tmp_path / "run.yaml", tmp_path / "r.xlsx"
    scenario.write_text(UNCERTAIN_TRAINING)
    code, _, err = run(
        [
            "report",
            str(scenario),
            "--sensitivity",
            "cost",
            "--xlsx",
            str(xlsx),
            "--samples",
            "300",
            "--seed",
            "3",
        ],
        monkeypatch,
        capsys,
    )
    assert code == 0, err
    ws = openpyxl.load_workbook(xlsx)["Sensitivity"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    inputs = {r[0] for r in rows[3:6]}
    assert inputs == {"Training tokens", "MFU", "Price per GPU-hour"}
    assert all(isinstance(r[6], float) and r[6] > 0 for r in rows[3:6])  # swings, as values


@pytest.mark.parametrize(
    "args, message",
    [
        (["{ex}/fleet.yaml", "--capex", "1B"], "apply to a payer file"),
        (["{ex}/training.yaml", "--only", "H800"], "apply to a fleet scenario"),
        (["--case", "high-flyer", "--year", "2020"], "apply to a payer file, not to a case"),
        (["{ex}/high-flyer.yaml", "--capex", "1.6B", "--year", "2030"], "outside the payer's"),
        (["{ex}/high-flyer.yaml", "--capex", "lots"], "--capex"),
        (["{ex}/training.yaml", "--sensitivity", "cost"], "nothing in this report is uncertain"),
        (["{ex}/training.yaml", "--sensitivity", "happiness"], "no result in this report has"),
        (
            ["--case", "deepseek-semianalysis", "--sensitivity", "tco_per_year"],
            "nothing in this fleet is uncertain",
        ),
    ],
)
def test_bad_options_one_line_exit_2(args, message, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    out.mkdir()
    argv = [
        "report",
        *(a.replace("{ex}", str(EXAMPLES)) for a in args),
        "--html",
        str(out / "r.html"),
        "--xlsx",
        str(out / "r.xlsx"),
        "--samples",
        "200",
    ]
    code, _, err = run(argv, monkeypatch, capsys)
    assert code == 2, err
    assert err.count("\n") == 1 and message in err, err
    assert "Traceback" not in err
    assert files(out) == []


@pytest.mark.parametrize(
    "text, where",
    [
        (
            "kind: training\nname: x\nparams: 37B\ntokens: 14.8T token\nchip: H800\n"
            "gpu_hours: 2.788M GPU*hour\nmfu: 35%\n",
            "mfu",
        ),
        (
            "kind: inference\nparams: 8B\ntokens_in: 100 token\ntokens_out: 5 W\nchip: H100\n",
            "scenario.yaml:4",
        ),
        (
            "kind: fund\nfirst_year: 2020\nlast_year: 2021\nreturns: 10%\nmanagement_fee: 1%\n",
            "aum_start",
        ),
    ],
)
def test_invalid_scenarios_write_nothing(text, where, tmp_path, monkeypatch, capsys):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(text)
    code, _, err = run(
        [
            "report",
            str(scenario),
            "--xlsx",
            str(tmp_path / "r.xlsx"),
            "--html",
            str(tmp_path / "r.html"),
        ],
        monkeypatch,
        capsys,
    )
    assert code == 2 and err.count("\n") == 1 and where in err, err
    assert files(tmp_path) == ["scenario.yaml"]
    assert scenario.read_text() == text


def test_existing_files_need_force(tmp_path, monkeypatch, capsys):
    html = tmp_path / "r.html"
    html.write_text("keep me")
    args = ["report", str(EXAMPLES / "training.yaml"), "--html", str(html)]
    code, _, err = run(args, monkeypatch, capsys)
    assert code == 2 and "already exists" in err and html.read_text() == "keep me"
    code, _, err = run([*args, "--force"], monkeypatch, capsys)
    assert code == 0, err
    assert "DeepSeek-V3" in html.read_text()
    assert files(tmp_path) == ["r.html"]
