"""Scenario files: good ones run, bad ones give one line naming file, line and field."""

import json

import pytest

from flopbook.errors import InputError
from flopbook.fleet_file import load_scenario

GOOD = """\
name: test fleet
assumptions:
  useful_life: 4 years
  pue: {value: 1.2, source: "operator report", note: new hall}
skus:
  - chip: H800
    count: 2048
    server_cost_per_gpu: 30k to 40k USD/GPU
  - chip: A100
    count: {value: 1k GPU, source: "a filing"}
    gpu_price: 15k USD/GPU
"""


def test_a_good_file_loads_with_its_sources(write):
    fleet = load_scenario(write(GOOD))
    assert [s.name for s in fleet.skus] == ["H800", "A100"]
    assert fleet.assumptions.inputs["pue"].source == "operator report"
    assert fleet.skus[1].inputs["count"].source == "a filing"
    assert fleet.skus[0].inputs["server_cost_per_gpu"].value.magnitude.size > 1


# (file text, expected line, a fragment of the message)
BAD = {
    "unknown chip": (GOOD.replace("chip: H800", "chip: H8000"), 6, "unknown chip 'H8000'"),
    "negative count": (GOOD.replace("count: 2048", "count: -5"), 7, "must be at least 0"),
    "non-numeric count": (GOOD.replace("count: 2048", "count: lots"), 7, "cannot read 'lots'"),
    "watts for dollars": (GOOD.replace("30k to 40k USD/GPU", "700 W"), 8, "expected USD/GPU"),
    "low above high": (GOOD.replace("30k to 40k", "40k to 30k"), 8, "above its high end"),
    "missing field": (GOOD.replace("    count: 2048\n", ""), 6, "missing required field 'count'"),
    "unknown field": (GOOD.replace("useful_life", "usefull_life"), 3, "did you mean useful_life"),
    "bare price": (GOOD.replace("30k to 40k USD/GPU", "35000"), 8, "has no unit"),
    "bad range in assumptions": (GOOD.replace("4 years", "11 years"), 3, "at most 10"),
    "no skus": ("name: x\nskus: []\n", 2, "is empty"),
    "not a mapping": ("- just\n- a list\n", 1, "expected a mapping"),
    "broken yaml": ("name: x\nskus: [\n  - chip: H800\n", 3, "not valid YAML"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_files_give_one_line_with_file_line_and_field(case, write, cli):
    text, line, fragment = BAD[case]
    path = write(text)
    run = cli("fleet", str(path))
    assert run.code == 2, run.err
    assert run.out == ""
    err = run.err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith(f"flopbook: error: {path}:{line}: "), err
    assert fragment in err


def test_an_empty_file_is_refused(write, cli):
    run = cli("fleet", str(write("")))
    assert run.code == 2 and "the file is empty" in run.err


def test_a_missing_file_is_refused(tmp_path, cli):
    run = cli("fleet", str(tmp_path / "nope.yaml"))
    assert run.code == 2 and "no such file" in run.err


def test_a_binary_file_is_refused(tmp_path, cli):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"PK\x03\x04\xff\xfe\x00binary")
    run = cli("fleet", str(path))
    assert run.code == 2 and "is a workbook or zip file" in run.err


def test_the_input_file_is_never_modified(write, cli):
    path = write(GOOD)
    before = path.read_bytes()
    cli("fleet", str(path))
    cli("fleet", str(path), "--format", "json")
    assert path.read_bytes() == before


def test_errors_from_python_carry_the_place(write):
    with pytest.raises(InputError) as err:
        load_scenario(write(BAD["unknown chip"][0]))
    assert err.value.line == 6 and err.value.field == "skus[0].chip"
    assert "did you mean H800" in str(err.value)


def test_the_example_scenario_runs(cli):
    from conftest import ROOT

    run = cli(
        "fleet", str(ROOT / "examples" / "fleet.yaml"), "--format", "json", "--samples", "500"
    )
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["columns"][-1] == "Total"


MORE_BAD = {
    "duplicate key": (
        GOOD.replace("    count: 2048\n", "    count: 2048\n    count: 4096\n"),
        8,
        "'count' is given twice (first on line 7)",
    ),
    "boolean count": (
        GOOD.replace("count: 2048", "count: yes"),
        7,
        "expected a number or a quantity",
    ),
    "empty count": (GOOD.replace("count: 2048", "count:"), 7, "is empty"),
    "misspelt count": (
        GOOD.replace("count: 2048", "cuont: 2048"),
        7,
        "unknown field 'cuont' — did you mean count?",
    ),
    "bad source type": (
        GOOD.replace('source: "a filing"', "source: 5"),
        10,
        "skus[1].count.source: expected text",
    ),
    "both prices": (
        GOOD.replace(
            "gpu_price: 15k USD/GPU", "gpu_price: 15k USD/GPU\n    server_cost_per_gpu: 20k USD/GPU"
        ),
        11,
        "gives both server_cost_per_gpu and gpu_price",
    ),
    "share without %": (
        GOOD.replace("useful_life: 4 years", "useful_life: 4 years\n  networking: 10"),
        4,
        "would be 1000%",
    ),
    "negative per-GPU networking": (
        GOOD.replace("useful_life: 4 years", "useful_life: 4 years\n  networking: -3k USD/GPU"),
        4,
        "must be at least 0",
    ),
    "dashed range reversed": (
        GOOD.replace("30k to 40k USD/GPU", "0.9-0.7 USD/GPU"),
        8,
        "above its high end",
    ),
    "an expression": (GOOD.replace("count: 2048", "count: 2**70"), 7, "cannot read"),
    "per-SKU capital cost": (
        GOOD.replace(
            "    gpu_price: 15k USD/GPU",
            "    gpu_price: 15k USD/GPU\n    assumptions:\n      capital_cost: annuity",
        ),
        13,
        "chosen for the whole fleet",
    ),
    "duplicate SKU names": (
        GOOD.replace("chip: A100", "chip: A100\n    name: H800"),
        10,
        "two SKUs are named 'H800'",
    ),
    "chip without a TDP": (
        GOOD.replace("chip: A100", "chip: TPUv5p"),
        9,
        "the catalog has no TDP for TPUv5p",
    ),
}


@pytest.mark.parametrize("case", list(MORE_BAD), ids=list(MORE_BAD))
def test_more_mistakes_analysts_make(case, write, cli):
    text, line, fragment = MORE_BAD[case]
    path = write(text)
    run = cli("fleet", str(path))
    assert run.code == 2, run.err
    err = run.err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith(f"flopbook: error: {path}:{line}: "), err
    assert fragment in err


def test_a_range_whose_ends_are_in_bounds_is_accepted(write):
    fleet = load_scenario(
        write(
            GOOD.replace("useful_life: 4 years", "useful_life: 1 to 10 years").replace(
                "pue: {value: 1.2,", "pue: {value: 1.0 to 1.2,"
            )
        )
    )
    life = fleet.assumptions["useful_life"].magnitude
    assert life.min() >= 1 and life.max() <= 10  # tails clipped to the bounds
    assert life.min() == 1 and life.max() == 10  # a lognormal 1-10 has tails past both


def test_a_share_range_is_judged_on_its_stated_interval_not_its_tail(write, cli):
    from flopbook.quantity import sampling

    # "0.6 to 0.9" is a share; its lognormal tail passes 1 in about 0.6% of samples
    path = write(
        GOOD.replace("useful_life: 4 years", "useful_life: 4 years\n  tdp_share: 0.6 to 0.9")
    )
    with sampling(20_000, 1):
        share = load_scenario(path).assumptions["tdp_share"].magnitude
    assert share.max() > 1  # the tail is there, and is not a reason to refuse
    # a range written in percent without its % is still refused
    bad = write(
        GOOD.replace("useful_life: 4 years", "useful_life: 4 years\n  tdp_share: 60 to 90"),
        name="bad.yaml",
    )
    run = cli("fleet", str(bad), "--samples", "1000")
    assert run.code == 2 and "would be" in run.err, run.err


def test_non_utf8_bytes_are_located(tmp_path, cli):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(GOOD.replace("test fleet", "flotte \xe9t\xe9").encode("latin-1"))
    run = cli("fleet", str(path))
    assert run.code == 2 and ":1: byte 0xe9 is not UTF-8" in run.err


def test_a_zero_tdp_override_is_used_not_replaced():
    from flopbook.models.fleet import Fleet, Sku

    r = Fleet([Sku("H100", count=10, server_cost_per_gpu="30k USD/GPU", tdp="0 W")]).run()
    assert float(r.get("it_power").magnitude[0]) == 0
