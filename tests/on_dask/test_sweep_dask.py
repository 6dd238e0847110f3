"""Sweeps on Dask: the same table from one worker, two workers and no cluster at all."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from flopbook.sweep import CHUNK, Sweep, vary
from on_dask.conftest import local_cluster

ROOT = Path(__file__).resolve().parents[2]
FLEET = ROOT / "examples" / "fleet.yaml"


@pytest.fixture(scope="module")
def dask_cluster():
    """A cluster of its own: these tests scale it to 1 worker and back, which the audit
    tests, counting on 2, must not see."""
    yield from local_cluster()


def sweep() -> Sweep:
    return Sweep.read(
        FLEET,
        [vary("assumptions.pue=1.1:1.4:4"), vary("skus[0].count=1k,5k,10k,20k,30k")],
        ["tco_per_year", "cost_per_gpu_hour"],
    )


def _workers(client, n: int) -> None:
    client.cluster.scale(n)
    for _ in range(600):  # at most a minute
        if len(client.scheduler_info()["workers"]) == n:
            return
        time.sleep(0.1)
    pytest.fail(f"the cluster did not reach {n} worker(s)")


def test_the_table_is_the_same_for_one_and_two_workers(dask_cluster) -> None:
    _, client = dask_cluster
    s = sweep()
    assert len(s.points()) > 2 * CHUNK  # several tasks, so that both workers get some
    here = s.run(samples=2000, seed=7)
    two = s.run(samples=2000, seed=7, client=client)
    _workers(client, 1)
    try:
        one = s.run(samples=2000, seed=7, client=client)
    finally:
        _workers(client, 2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    pd.testing.assert_frame_equal(here, two, check_exact=True)
    assert list(two.columns) == [
        "point", "seed", "assumptions.pue", "skus[0].count", "output", "unit",
        "mean", "p5", "p50", "p95",
    ]  # fmt: skip
    assert len(two) == 4 * 5 * 2 and two["seed"].nunique() == 20
    # the sweep moves the output: more H100s cost more
    tco = two[two["output"] == "tco_per_year"]
    by_count = tco.groupby("skus[0].count")["mean"].mean()
    assert by_count.is_monotonic_increasing
    assert (tco["p5"] < tco["p50"]).all() and (tco["p50"] < tco["p95"]).all()


def test_the_command_on_a_cluster_writes_the_same_table(run_cli, tmp_path, scheduler) -> None:
    args = ["sweep", FLEET, "--vary", "assumptions.pue=1.1:1.4:3", "--vary"]
    args += ["skus[0].count=1k,10k", "--samples", "500", "--design", "grid"]
    out, csv = tmp_path / "sweep.parquet", tmp_path / "sweep.csv"
    code, _, err = run_cli(
        *args, "--scheduler", scheduler, "--out", out, "--plot", tmp_path / "s.png"
    )
    assert code == 0, err
    assert "on 2 Dask worker(s)" in err and (tmp_path / "s.png").stat().st_size > 0
    code, _, err = run_cli(*args, "--out", csv)
    assert code == 0, err
    pd.testing.assert_frame_equal(
        pd.read_parquet(out), pd.read_csv(csv), check_exact=False, rtol=1e-12
    )


def test_a_sweep_with_no_worker_left_stops_in_one_line(monkeypatch) -> None:
    from flopbook import cluster

    monkeypatch.setattr(cluster, "NO_WORKERS_WAIT", 0.5)
    empty = local_cluster(workers=0)
    _, client = next(empty)
    try:
        with pytest.raises(cluster.NoWorkers) as caught:
            sweep().run(samples=200, client=client)
        with pytest.raises(cluster.NoWorkers, match="left for 0.2 s"):
            sweep().run(samples=200, client=client, wait=0.2)  # the wait asked for
    finally:
        empty.close()
    assert "20 of 20 point(s) are not run yet" in str(caught.value)
    assert "\n" not in str(caught.value)
