"""Every JSON output is data: it validates against the schema shipped for its kind, and no
figure is a formatted string where a number belongs."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flopbook.cli import app

jsonschema = pytest.importorskip("jsonschema")

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
KIND = {
    "case-": "case",
    "compare-": "compare",
    "example-claims": "claims",
    "example-company": "fund",
    "example-high-flyer": "fund",
    "example-fleet": "fleet",
    "example-neocloud": "fleet",
    "example-breakeven": "breakeven",
    "fixture-fleet": "fleet",
    "example-training": "workload",
    "example-inference": "workload",
}


def schema(kind: str) -> dict:
    text = resources.files("flopbook").joinpath("schemas", f"{kind}.json").read_text("utf-8")
    return json.loads(text)


def kind_of(stem: str) -> str:
    return next(k for prefix, k in KIND.items() if stem.startswith(prefix))


def strings_where_numbers_belong(x: object, path: str = "") -> list[str]:
    """Paths of a "value", "p5", "p50", "p95", "low" or "high" that hold text."""
    out = []
    if isinstance(x, dict):
        for k, v in x.items():
            if k in ("value", "p5", "p50", "p95", "low", "high") and isinstance(v, str):
                out.append(f"{path}/{k}: {v!r}")
            out += strings_where_numbers_belong(v, f"{path}/{k}")
    elif isinstance(x, list):
        for i, v in enumerate(x):
            out += strings_where_numbers_belong(v, f"{path}/{i}")
    return out


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.json")), ids=lambda p: p.stem)
def test_every_golden_output_validates_against_its_schema(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, schema(kind_of(path.stem)))
    assert not strings_where_numbers_belong(data)


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (["catalog"], "catalog"),
        (["catalog", "H100"], "catalog"),
        (["catalog", "H800", "--prices"], "prices"),
        (["catalog", "A100", "--prices", "--date", "2021-06"], "prices"),
        (["calc", "2.788M GPU*hour * 2 USD/GPU/hour"], "calc"),
    ],
)
def test_live_outputs_validate(args, kind):
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    jsonschema.validate(data, schema(kind))
    assert not strings_where_numbers_belong(data)


def test_a_catalog_figure_is_a_number_with_its_unit_and_its_text():
    data = json.loads(CliRunner().invoke(app, ["catalog", "H100", "-f", "json"]).stdout)
    bf16 = data["specs"]["bf16_dense"]
    assert (bf16["value"], bf16["unit"], bf16["text"]) == (989.0, "TFLOP/s", "989 TFLOP/s")


def test_a_schema_refuses_a_formatted_string_for_a_number():
    bad = {"expression": "x", "value": "989 TFLOP/s", "unit": "TFLOP/s"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema("calc"))


def test_case_table_cells_are_figures_with_their_text():
    data = json.loads(
        CliRunner().invoke(app, ["case", "deepseek-v3-training", "-f", "json"]).stdout
    )
    cells = [c for r in data["published_tables"][0]["rows"] for c in r["cells"]]
    mfu = next(c for c in cells if isinstance(c, dict) and c["text"] == "33.10%")
    assert mfu["unit"] == "" and abs(mfu["value"] - 0.331) < 5e-4


def quantities(x: object):
    """Every quantity ``{"value": number, "unit": ...}`` in a JSON output."""
    if isinstance(x, dict):
        v = x.get("value")
        if isinstance(x.get("unit"), str) and isinstance(v, int | float) and v is not True:
            yield x
        for y in x.values():
            yield from quantities(y)
    elif isinstance(x, list):
        for y in x:
            yield from quantities(y)


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.json")), ids=lambda p: p.stem)
def test_every_quantity_has_its_text_beside_its_number(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    found = list(quantities(data))
    assert all(isinstance(d.get("text"), str) and d["text"] for d in found)


def test_a_schema_refuses_a_quantity_without_its_text():
    bad = {"expression": "x", "value": 989.0, "unit": "TFLOP/s"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema("calc"))
    jsonschema.validate({**bad, "text": "989 TFLOP/s"}, schema("calc"))


@pytest.mark.parametrize("stem", ["example-fleet", "example-neocloud", "example-breakeven"])
def test_a_fleet_metric_unit_is_spelled_as_its_values(stem):
    data = json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))
    rows = data["metrics"] + data.get("cash_flows", {}).get("metrics", [])
    for row in rows:
        for cell in row["values"].values():
            if cell is not None:
                assert cell["unit"] == row["unit"], (row["metric"], row["unit"], cell["unit"])


def test_a_fleet_text_is_what_the_terminal_table_shows():
    args = ["breakeven", "examples/neocloud.yaml"]
    root = GOLDEN.parents[1]
    import os

    cwd = os.getcwd()
    os.chdir(root)
    try:
        data = json.loads(CliRunner().invoke(app, [*args, "-f", "json"]).stdout)
        table = CliRunner().invoke(app, ["--width", "200", *args]).stdout
    finally:
        os.chdir(cwd)
    tokens = next(r for r in data["metrics"] if r["metric"] == "tokens")["values"]["Total"]
    assert tokens["text"].startswith("90.0T token/year (")
    even = next(r for r in data["metrics"] if r["metric"] == "breakeven_utilisation")
    for cell in [tokens, *even["values"].values()]:
        mean = cell["text"].split(" (")[0]
        assert mean in table, (mean, table)
