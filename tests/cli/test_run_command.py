"""`flopbook run FILE`: a file of any kind run and shown from its declaration, for people,
as JSON (valid against schemas/result.json) and as CSV, a kind declared in Python too."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from pathlib import Path

import pytest

from flopbook.models.registry import KINDS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
jsonschema = pytest.importorskip("jsonschema")
SCHEMA = json.loads(resources.files("flopbook").joinpath("schemas", "result.json").read_text())


@pytest.mark.parametrize(
    ("example", "kind"),
    [
        ("fleet.yaml", "fleet"),
        ("high-flyer.yaml", "fund"),
        ("company.yaml", "company"),
        ("training.yaml", "training"),
        ("inference.yaml", "inference"),
    ],
)
def test_any_kind_runs_as_json_that_its_schema_takes(run_cli, example, kind):
    code, out, err = run_cli("run", EXAMPLES / example, "--samples", "200", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    assert data["kind"] == kind
    assert data["columns"][-1] == "Total"
    assert [m["metric"] for m in data["metrics"]] == list(KINDS[kind].output)


def test_the_figures_are_the_kinds_own(run_cli):
    # the same figure as `flopbook workload` gives for the same file and seed
    code, out, _ = run_cli("run", EXAMPLES / "training.yaml", "--format", "json")
    assert code == 0
    ran = {m["metric"]: m["values"]["Total"] for m in json.loads(out)["metrics"]}
    code, out, _ = run_cli("workload", EXAMPLES / "training.yaml", "--format", "json")
    assert code == 0
    cost = next(o for o in json.loads(out)["outputs"] if o["key"] == "cost")
    assert ran["cost"]["value"] == pytest.approx(cost["value"], rel=1e-12)


def test_csv_has_a_row_per_output_and_column_and_one_per_total(run_cli):
    code, out, err = run_cli("run", EXAMPLES / "high-flyer.yaml", "-n", "200", "-f", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    fund = KINDS["fund"]
    years = {r["column"] for r in rows if r["kind"] != "total"}
    assert len([r for r in rows if r["kind"] != "total"]) == len(fund.outputs) * len(years)
    totals = [r["metric"] for r in rows if r["kind"] == "total"]
    assert totals == [t.key for t in fund.totals if t.of is None]


def test_the_table_names_the_file_and_its_outputs(run_cli):
    code, out, _ = run_cli("run", EXAMPLES / "company.yaml", "-n", "200")
    assert code == 0
    assert "Cash available" in out and "Total" in out


def test_a_bad_file_is_one_line_and_exit_2(run_cli, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("kind: fnud\nname: x\n")
    code, out, err = run_cli("run", path)
    assert code == 2 and not out
    assert "unknown kind 'fnud'" in err and "did you mean fund?" in err
    assert err.count("\n") == 1


def test_a_kind_declared_in_python_runs_with_no_command_of_its_own(run_cli, tmp_path, monkeypatch):
    from tests.formula.test_declared_kind import FILE, RENTAL

    monkeypatch.setitem(KINDS, RENTAL.name, RENTAL)
    path = tmp_path / "rental.yaml"
    path.write_text(FILE)
    code, out, err = run_cli("run", path, "--seed", "3", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    assert data["columns"] == ["cluster A", "cluster B", "Total"]
    bill = next(m for m in data["metrics"] if m["metric"] == "bill")["values"]
    # 8 GPU x $2/GPU-hour x 70% x 8766 hours x (1 - 10%)
    assert bill["cluster A"]["value"] == pytest.approx(8 * 2 * 0.7 * 8766 * 0.9, rel=1e-12)
    (largest,) = data["totals"]
    assert largest["total"] == "largest"
    assert largest["value"]["p95"] == pytest.approx(
        max(bill["cluster A"]["value"], bill["cluster B"]["p95"]), rel=0.05
    )
    code, text, _ = run_cli("run", path)
    assert code == 0 and "Largest bill" in text and "Rental bill" not in text.splitlines()[0]
