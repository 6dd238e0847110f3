"""The command line as a user meets it."""

import csv
import io
import json

from conftest import ROOT

EXAMPLE = str(ROOT / "examples" / "fleet.yaml")


def test_help_lists_the_commands(cli):
    run = cli("--help")
    assert run.code == 0
    for command in ("fleet", "case", "catalog"):
        assert command in run.out


def test_fleet_table(cli):
    run = cli("fleet", EXAMPLE, "--samples", "300")
    assert run.code == 0, run.err
    assert "TCO per year" in run.out and "Total" in run.out and "(avg)" in run.out


def test_fleet_json_has_value_unit_and_percentiles(cli):
    run = cli("fleet", EXAMPLE, "--format", "json", "--samples", "300", "--seed", "5")
    data = json.loads(run.out)
    tco = next(m for m in data["metrics"] if m["metric"] == "tco_per_year")
    total = tco["values"]["Total"]
    assert total["unit"] == "USD/year"
    assert total["p5"] < total["p50"] < total["p95"]
    gpus = next(m for m in data["metrics"] if m["metric"] == "gpus")["values"]["Total"]
    assert gpus == {"value": 28096.0, "unit": "GPU", "text": "28,096"}
    assert any(a["name"] == "pue" and a["p5"] < a["p95"] for a in data["assumptions"])


def test_same_seed_same_output(cli):
    a = cli("fleet", EXAMPLE, "--format", "json", "--samples", "200", "--seed", "9").out
    b = cli("fleet", EXAMPLE, "--format", "json", "--samples", "200", "--seed", "9").out
    assert a == b


def test_fleet_csv_and_only(cli):
    run = cli("fleet", EXAMPLE, "--format", "csv", "--only", "Hopper", "--samples", "100")
    rows = list(csv.DictReader(io.StringIO(run.out)))
    assert {r["column"] for r in rows} == {"H100", "H200", "Total"}


def test_catalog_list_and_one_chip(cli):
    listing = cli("catalog")
    assert listing.code == 0 and "H800" in listing.out and "Ascend910C" in listing.out
    one = cli("catalog", "H800", "--format", "json")
    data = json.loads(one.out)
    assert data["specs"]["bf16_dense"]["value"] == 989.0
    assert data["specs"]["bf16_dense"]["text"] == "989 TFLOP/s"
    assert data["specs"]["bf16_dense"]["source"]


def test_case_list_and_run(cli):
    assert "deepseek-semianalysis" in cli("case").out
    run = cli("case", "deepseek-semianalysis")
    assert run.code == 0
    assert "Total omits the H100 column" in run.out
    assert "all within tolerance." in run.out and "not reproduced independently" in run.out
    data = json.loads(cli("case", "deepseek-semianalysis", "--format", "json").out)
    assert data["ok"] is True and len(data["checks"]) >= 7


def test_unknown_names_exit_2_with_one_line(cli):
    for args in (("case", "deepseek"), ("catalog", "H8"), ("fleet", EXAMPLE, "--only", "TPU")):
        run = cli(*args)
        assert run.code == 2 and run.err.count("\n") == 1 and "Traceback" not in run.err


def test_usage_errors_are_one_line_with_exit_2(cli):
    for args, fragment in [
        (("fleet", EXAMPLE, "--format", "xml"), "'xml' is not one of"),
        (("fleet", EXAMPLE, "--samples", "0"), "--samples"),
        (("fleet", EXAMPLE, "--seed", "-1"), "--seed"),
        (("flee",), "Did you mean 'fleet'?"),
        (("fleet",), "Missing argument"),
        (("fleet", EXAMPLE, "--bogus"), "No such option"),
    ]:
        run = cli(*args)
        assert run.code == 2, args
        assert run.err.startswith("flopbook: error: ") and run.err.count("\n") == 1, run.err
        assert fragment in run.err and "--help" in run.err


def test_a_file_for_another_command_says_which(cli):
    for name, command in (
        ("training", "workload"),
        ("inference", "workload"),
        ("high-flyer", "fund"),
        ("claims", "check"),
    ):
        run = cli("fleet", str(ROOT / "examples" / f"{name}.yaml"))
        assert run.code == 2 and f"run: flopbook {command} " in run.err, run.err
        assert run.err.count("\n") == 1


def test_plot_folder_problems_are_one_line(cli, tmp_path):
    a_file = tmp_path / "a.txt"
    a_file.write_text("x")
    for target, fragment in (
        (a_file, "needs a folder"),
        (tmp_path / "missing" / "deeper", "does not exist"),
    ):
        run = cli("fleet", EXAMPLE, "--plot", str(target), "--samples", "100")
        assert run.code == 2 and fragment in run.err and run.err.count("\n") == 1


def test_sensitivity_names_the_output_and_refuses_what_cannot_be_ranked(cli):
    run = cli("fleet", EXAMPLE, "--sensitivity", "tco", "--samples", "100")
    assert run.code == 2 and "did you mean tco_per_year?" in run.err
    run = cli("fleet", EXAMPLE, "--sensitivity", "gpus", "--samples", "500")
    assert run.code == 2 and "no uncertain input moves gpus" in run.err
    run = cli("fleet", EXAMPLE, "--sensitivity", "tco_per_year", "--samples", "1")
    assert run.code == 2 and "--samples 1" in run.err
