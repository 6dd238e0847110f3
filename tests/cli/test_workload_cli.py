"""calc, check, compare and workload as a user meets them, including every bad-input path:
one line on stderr, exit code 2, no traceback."""

import json
import sys

import pytest

from conftest import ROOT, Run

EXAMPLES = ROOT / "examples"


@pytest.fixture
def cli(capsys, monkeypatch):
    """`flopbook ARGS` through the real entry point (main), in this process for speed; the
    subprocess runner in conftest covers the same entry point end to end."""
    from flopbook.cli import main

    def run(*args: str) -> Run:
        monkeypatch.setattr(sys, "argv", ["flopbook", *args])
        monkeypatch.setenv("COLUMNS", "200")
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


def test_an_error_through_a_new_process(write):
    from conftest import flopbook

    one_line_error(flopbook("calc", "5 s * * 700 W"), "at character 7")


def one_line_error(run, *words):
    assert run.code == 2, (run.code, run.out, run.err)
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("flopbook: error: "), run.err
    assert "Traceback" not in run.err
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def test_calc(cli):
    run = cli("calc", "5 s * 700 W", "--to", "Wh")
    assert run.code == 0 and run.out.strip() == "5 s * 700 W = 0.9722 Wh"
    data = json.loads(cli("calc", "5 s * H100.tdp", "--to", "Wh", "-f", "json").out)
    assert data["unit"] == "Wh" and data["value"] == pytest.approx(0.97222, rel=1e-4)


def test_calc_errors(cli):
    one_line_error(cli("calc", "5 s * * 700 W"), "at character 7", "▸")
    one_line_error(cli("calc", "5 s * 700 W", "--to", "USD"), "cannot express", "an energy")
    one_line_error(cli("calc", "5 s + 700 W"), "cannot add")
    one_line_error(cli("calc", "H1000.tdp"), "unknown chip 'H1000'", "did you mean H100")


def test_workload_files(cli):
    run = cli("workload", str(EXAMPLES / "training.yaml"), "-f", "json")
    assert run.code == 0, run.err
    out = {o["key"]: o for o in json.loads(run.out)["outputs"]}
    assert out["cost"]["value"] == pytest.approx(5.576e6) and out["mfu"]["solved"]
    run = cli("workload", str(EXAMPLES / "inference.yaml"), "-f", "csv")
    assert run.code == 0 and "cost_per_million_output" in run.out


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            "kind: training\nchip: H1000\nparams: 7B\ntokens: 1T token\nmfu: 40%\n",
            ["w.yaml:2", "chip", "unknown chip 'H1000'"],
        ),
        (
            "kind: training\nchip: H100\nparams: 7B\ntokens: 1T token\nmfu: 140%\n",
            ["w.yaml:5", "mfu: must be at most 1"],
        ),
        (
            "kind: training\nchip: H100\nparams: 7B\ntokens: -1T token\nmfu: 40%\n",
            ["w.yaml:4", "tokens: must be above 0"],
        ),
        (
            "kind: inference\nchip: H100\nparams: 7B\ntokens_in: 10 token\ntokens_out: 10 token\n"
            "mbu: 0\n",
            ["w.yaml:6", "mbu: must be above 0"],
        ),
        (
            "kind: training\nchip: H100\nparams: 7B\ntokenz: 1T token\n",
            ["w.yaml:4", "unknown field 'tokenz'", "did you mean tokens"],
        ),
        ("kind: train\n", ["w.yaml:1", "kind must be training or inference"]),
        (
            "kind: training\nchip: H100\nparams: 7B\ntokens: 1T token\nprice: 2 W\n",
            ["w.yaml:5", "price"],
        ),
    ],
)
def test_workload_errors(cli, write, body, words):
    path = write(body, "w.yaml")
    before = path.read_text()
    one_line_error(cli("workload", str(path)), *words)
    assert path.read_text() == before


def test_check(cli, write):
    run = cli("check", str(EXAMPLES / "claims.yaml"))
    assert run.code == 1  # two of the three example claims do not hold
    assert "off by 1,000× (too high)" in run.out and "1 of 3 claims hold" in run.out
    ok = write("claims:\n  - claim: ok\n    expression: 2 * 3 W\n    claimed: 6 W\n", "c.yaml")
    assert cli("check", str(ok)).code == 0
    apart = write("claims:\n  - claim: x\n    expression: 1 Wh\n    claimed: 1 W\n", "d.yaml")
    data = json.loads(cli("check", str(apart), "-f", "json").out)
    assert data["claims"][0]["verdict"] == "not comparable"
    bad = write("claims:\n  - claim: x\n    expression: 1 Wh\n    claimed: (1 W\n", "e.yaml")
    one_line_error(cli("check", str(bad)), "e.yaml:4", "claims[0].claimed", "never closed")


def test_compare(cli):
    run = cli(
        "compare",
        "H100",
        "H20",
        "Ascend 910C",
        "--price-kind",
        "owned",
        "-f",
        "json",
        "--samples",
        "200",
    )
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert [c["chip"] for c in data["chips"]] == ["H100", "H20", "Ascend910C"]
    assert data["chips"][1]["cost_per_flop_vs_reference"] > 1
    one_line_error(cli("compare", "H100", "H2O"), "unknown chip 'H2O'")
    one_line_error(
        cli(
            "compare", "H100", "H20", "--price", "H100=2 USD/GPU/hour", "--price", "H20=12k USD/GPU"
        ),
        "cannot compare",
    )
    one_line_error(cli("compare", "H100", "H20", "--price", "H20"), "CHIP=PRICE")


def test_every_new_command_help_has_an_example(cli):
    for command in ("calc", "check", "compare", "workload"):
        run = cli(command, "--help")
        assert run.code == 0 and "Example: flopbook " + command in run.out
