"""`flopbook sweep`: --vary read and checked against the file, designs, seeds per point."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flopbook.errors import InputError
from flopbook.model_file import READERS
from flopbook.models.registry import KINDS
from flopbook.sweep import KINDS_SWEPT, Sweep, design, point_seed, run_points, vary

ROOT = Path(__file__).resolve().parents[1]
FLEET = ROOT / "examples" / "fleet.yaml"


def test_every_registered_kind_a_file_can_hold_can_be_swept() -> None:
    assert set(KINDS_SWEPT) == set(READERS) & set(KINDS)
    assert {"fleet", "training", "fund", "company"} <= set(KINDS_SWEPT)


def test_a_payer_swept_by_year() -> None:
    s = Sweep.read(
        ROOT / "examples" / "high-flyer.yaml",
        [vary("returns.2024=-5%,10%,30%")],
        ["cash_available"],
    )
    table = s.run(samples=500)
    assert list(table["returns.2024"]) == ["-5%", "10%", "30%"]
    assert table["mean"].is_monotonic_increasing  # better returns, more cash


def test_a_range_with_a_count_and_a_list() -> None:
    v = vary("assumptions.pue=1.1:1.4:4")
    assert v.path == ("assumptions", "pue") and v.shown == (1.1, 1.2, 1.3, 1.4)
    v = vary("skus[0].count=1k,5k,10k")
    assert v.path == ("skus", 0, "count") and v.values == ("1k", "5k", "10k")
    assert v.shown == (1000.0, 5000.0, 10000.0)
    v = vary("assumptions.electricity_price=0.06:0.1:3 USD/kWh")
    assert v.values == ("0.06 USD/kWh", "0.08 USD/kWh", "0.1 USD/kWh")
    assert vary("skus[0].chip=H100,H200").shown == ("H100", "H200")


def test_a_grid_has_every_combination_and_sobol_stays_in_its_ranges() -> None:
    vs = [vary("assumptions.pue=1.1:1.4:4"), vary("skus[0].count=1k,5k,10k")]
    grid = design(vs)
    assert len(grid) == 12 and grid[0][1] == (1.1, 1000.0) and grid[-1][1] == (1.4, 10000.0)
    sob = design([vary("assumptions.pue=1.1:1.4"), vs[1]], "sobol", 50, seed=3)
    assert len(sob) == 50
    assert all(1.1 <= p[1][0] <= 1.4 and p[1][1] in (1000.0, 5000.0, 10000.0) for p in sob)
    assert sob == design([vary("assumptions.pue=1.1:1.4"), vs[1]], "sobol", 50, seed=3)


@given(st.integers(0, 2**63 - 1), st.integers(0, 10**6))
def test_a_point_seed_depends_on_the_seed_and_the_point_alone(seed: int, i: int) -> None:
    s = point_seed(seed, i)
    assert s == point_seed(seed, i) and 0 <= s < 2**63
    assert s != point_seed(seed, i + 1)


def test_how_points_are_grouped_into_tasks_changes_no_number() -> None:
    s = Sweep.read(FLEET, [vary("assumptions.pue=1.1:1.4:4")], ["tco_per_year"])
    from flopbook.sweep import Job

    job = Job(s.text, s.doc.file, (("assumptions", "pue"),), ("tco_per_year",), 500, 11)
    pts = [(i, w) for i, (w, _) in enumerate(s.points())]
    together = run_points(job, pts)
    apart = [r for p in pts[::-1] for r in run_points(job, [p])]
    assert sorted(together) == sorted(apart)


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("assumptions.pue=abc", "cannot read 'abc'"),
        ("assumptions.pue=0.5:0.9:3", "must be at least 1"),
        ("assumptions.pu=1.1:1.2:2", "did you mean pue"),
        ("skus[5].count=1", "past the end of the list"),
        ("skus[0].count=1k,,", "empty value"),
        ("assumptions=1", "group of fields"),
        ("bogus.x=1", "the file has no bogus"),
        ("assumptions.pue", "needs PATH=VALUES"),
        ("skus[0].chip=H100,Nope", "unknown chip"),
        ("assumptions.pue=1.4:1.1:3", "ends below its start"),
        ("assumptions.pue=1.1:1.4:1", "count of values from 2"),
        ("assumptions.pue=1.1:1.4", "without a count"),
        ("skus..count=1", "cannot read the path"),
    ],
)
def test_a_bad_vary_is_one_line_naming_it(run_cli, given, words) -> None:
    code, out, err = run_cli("sweep", FLEET, "--vary", given, "--samples", "50")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and f"--vary {given}" in err and words in err, err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--output", "tco_per_yr"], "did you mean tco_per_year"),
        (["--points", "8"], "--points: applies with --design sobol"),
        (["--workers", "2"], "--workers: only applies with --scheduler"),
        (["--worker-wait", "60"], "--worker-wait: only applies with --scheduler"),
        (["--scheduler", "nowhere"], "--scheduler: cannot read 'nowhere'"),
        (["--out", "t.xlsx"], "--out needs a file name ending in .parquet or .csv"),
        (["--plot", "t.jpg"], "--plot: needs a file name ending in .png or .svg"),
    ],
)
def test_bad_options_are_one_line(run_cli, args, words) -> None:
    code, _, err = run_cli("sweep", FLEET, "--vary", "assumptions.pue=1.1:1.2:2", *args)
    assert code == 2 and err.count("\n") == 1 and words in err, err


def test_a_kind_outside_the_registry_is_refused(run_cli, tmp_path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text("kind: claims\nclaims: []\n")
    code, _, err = run_cli("sweep", path, "--vary", "x=1")
    assert code == 2
    assert "kind 'claims'" in err
    assert all(k in err.partition("known:")[2] for k in ("fleet", "training", "fund", "company"))
    assert err.count("\n") == 1


def test_an_inference_service_is_swept(run_cli) -> None:
    """A bigger batch spreads each decode step over more tokens: a lower cost per token."""
    args = ["sweep", ROOT / "examples" / "inference.yaml", "--vary", "batch=8,32"]
    code, out, err = run_cli(*args, "--output", "cost_per_million_output", "--format", "csv")
    assert code == 0, err
    rows = [line.split(",") for line in out.strip().splitlines()[1:]]
    header = out.splitlines()[0].split(",")
    mean = header.index("mean")
    assert float(rows[1][mean]) < float(rows[0][mean])


def test_the_table_csv_and_json_agree(run_cli) -> None:
    import io
    import json

    import pandas as pd

    args = ["sweep", FLEET, "--vary", "skus[1].count=1k,2k", "--samples", "200"]
    code, out, _ = run_cli(*args, "--format", "csv")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    code, out, _ = run_cli(*args, "--format", "json")
    records = json.loads(out)
    assert [r["mean"] for r in records] == pytest.approx(list(frame["mean"]), rel=1e-12)
    code, out, _ = run_cli(*args)
    assert code == 0 and "skus[1].count" in out and "tco_per_year" in out


def test_an_existing_out_is_kept_without_force(run_cli, tmp_path) -> None:
    out = tmp_path / "t.csv"
    out.write_text("mine")
    code, _, err = run_cli("sweep", FLEET, "--vary", "assumptions.pue=1.1:1.2:2", "--out", out)
    assert code == 2 and "already exists" in err and out.read_text() == "mine"


def test_read_refuses_nothing_to_vary() -> None:
    with pytest.raises(InputError, match="nothing to vary"):
        Sweep.read(FLEET, [])


@pytest.mark.parametrize(
    "args",
    [
        ["sweep", FLEET, "--vary", "assumptions.pue=1.1:1.2:2", "--scheduler", "local"],
        ["audit", ROOT / "examples", "--scheduler", "local"],
    ],
)
def test_without_the_distributed_extra_one_line_says_what_to_install(
    run_cli, monkeypatch, args
) -> None:
    import importlib.util

    found = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name in ("distributed", "pyarrow") else found(name, *a),
    )
    code, _, err = run_cli(*args)
    assert code == 2 and err.count("\n") == 1
    assert "--scheduler: needs distributed and pyarrow" in err
    assert "pip install 'flopbook[distributed]'" in err


def test_a_point_the_model_refuses_is_named() -> None:
    from flopbook.sweep import Job, PointError, _located

    s = Sweep.read(FLEET, [vary("assumptions.pue=1.1:1.2:2")], ["tco_per_year"])
    job = Job(s.text, s.doc.file, (("assumptions", "pue"),), ("tco_per_year",), 100, 1)
    with pytest.raises(PointError, match=r"point 1 \(assumptions.pue=0.5\): must be at least 1"):
        _located(job, [(0, (1.1,)), (1, (0.5,))])
