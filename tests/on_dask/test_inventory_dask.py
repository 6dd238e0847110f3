"""`flopbook audit FOLDER --scheduler ...`: every workbook a task on a Dask cluster, a status
row per file and a row per finding in Parquet and JSON lines, time limits, --resume."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xlsxwriter

pq = pytest.importorskip("pyarrow.parquet")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "audit"))
from test_audit_cli_settings import clean, plan  # noqa: E402

from on_dask.conftest import WORKERS, local_cluster  # noqa: E402

SLOW_ROWS = 60_000  # a workbook whose audit takes seconds: past a 2 s limit on any machine


def slow(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Big")
    for r in range(SLOW_ROWS):
        ws.write_number(r, 0, r)
        ws.write_formula(r, 1, f"=A{r + 1}*2+A{r + 1}")
    wb.close()
    return path


def numbered(path: Path, n: int) -> Path:
    """A small clean workbook whose content differs with n."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["", "A", "B", "Total"])
    ws.write_row(1, 0, ["Cost $m", n, 2])
    ws.write_formula(1, 3, "=SUM(B2:C2)", None, n + 2)
    wb.close()
    return path


@pytest.fixture(scope="module")
def slow_book(tmp_path_factory) -> Path:
    return slow(tmp_path_factory.mktemp("slow") / "slow.xlsx")


def read_rows(out: Path) -> list[dict]:
    return pq.read_table(out).to_pylist()


def test_good_refused_and_slow_workbooks(run_cli, tmp_path, scheduler, slow_book) -> None:
    d = tmp_path / "inventory"
    d.mkdir()
    plan(d / "a.xlsx")
    clean(d / "b.xlsx")
    (d / "broken.xlsx").write_bytes(b"not a zip file")
    (d / "z-slow.xlsx").write_bytes(slow_book.read_bytes())
    out = tmp_path / "results.parquet"
    code, text, err = run_cli("audit", d, "--scheduler", scheduler, "--timeout", "2", "--out", out)
    assert code == 2, err  # a workbook could not be audited; the others were
    rows = read_rows(out)
    files = {Path(r["path"]).name: r for r in rows if r["row"] == "file"}
    assert {k: v["status"] for k, v in files.items()} == {
        "a.xlsx": "findings",
        "b.xlsx": "ok",
        "broken.xlsx": "refused",
        "z-slow.xlsx": "timed_out",
    }
    assert "not an Excel workbook" in files["broken.xlsx"]["reason"]
    if PEAK_MEASURED:  # the worker's peak while it audited each workbook (Linux only)
        assert all(files[k]["peak_memory"] > 10 * 2**20 for k in ("a.xlsx", "b.xlsx"))
    assert "took longer than 2 s" in files["z-slow.xlsx"]["reason"]
    findings = [r for r in rows if r["row"] == "finding"]
    assert sorted((r["cell"], r["code"]) for r in findings) == [("E2", "FB101"), ("E4", "FB102")]
    assert all(r["sha256"] == files["a.xlsx"]["sha256"] for r in findings)
    # the JSON lines hold the same rows
    lines = [json.loads(x) for x in out.with_suffix(".jsonl").read_text().splitlines()]
    assert sorted(map(json.dumps, lines)) == sorted(map(json.dumps, rows))
    assert "Findings by rule" in text and "FB101" in text and "timed out" in text
    assert "on 2 Dask worker(s)" in err


PEAK_MEASURED = Path("/proc/self/clear_refs").exists()


@pytest.mark.skipif(not PEAK_MEASURED, reason="the peak memory is measured on Linux only")
def test_the_peak_memory_is_each_workbook_s_own(tmp_path) -> None:
    """Memory the process took before a workbook (and gave back) is not counted in its peak;
    memory taken while the workbook is audited is."""
    from flopbook.audit import batch, inventory

    numbered(tmp_path / "small.xlsx", 1)
    settings = batch.Settings(use_config=False, time_limit=60)
    big = bytearray(300 * 2**20)
    big[::4096] = b"x" * len(big[::4096])  # touched: resident, not only reserved
    del big
    before = inventory.peak_memory()
    (row, *_) = inventory.audit_task(str(tmp_path / "small.xlsx"), settings)
    assert row["status"] == "ok" and before is not None
    assert 0 < row["peak_memory"] < before - 200 * 2**20

    real = batch._audit

    def greedy(path, settings):  # a workbook whose audit holds 300 MB
        held = bytearray(300 * 2**20)
        held[::4096] = b"x" * len(held[::4096])
        return real(path, settings)

    batch._audit = greedy
    try:
        (grown, *_) = inventory.audit_task(str(tmp_path / "small.xlsx"), settings)
    finally:
        batch._audit = real
    assert grown["peak_memory"] > row["peak_memory"] + 250 * 2**20


def test_resume_after_a_killed_run_finishes_the_rest(tmp_path, scheduler, slow_book) -> None:
    d = tmp_path / "inventory"
    d.mkdir()
    for i in range(8):
        numbered(d / f"book{i}.xlsx", i)
    (d / "z-slow.xlsx").write_bytes(slow_book.read_bytes())  # keeps the first run going
    out = tmp_path / "results.parquet"
    journal = out.with_suffix(".jsonl")
    args = [sys.executable, "-c", "from flopbook.cli import main; main()", "audit", str(d)]
    args += ["--scheduler", scheduler, "--timeout", "60", "--out", str(out)]
    first = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(1200):  # until some workbooks are done (at most two minutes)
            if journal.exists() and journal.read_text().count("\n") >= 2:
                break
            if first.poll() is not None:
                pytest.fail("the first run finished before it could be stopped")
            time.sleep(0.1)
        first.send_signal(signal.SIGKILL)
    finally:
        first.wait()
    assert not out.exists()  # no Parquet file from a run that did not finish
    done_before = {json.loads(x)["path"] for x in journal.read_text().splitlines() if x}
    assert 2 <= len(done_before) < 9

    second = subprocess.run([*args, "--resume"], capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr
    assert f"--resume: {len(done_before)} workbook(s) already in" in second.stderr
    rows = read_rows(out)
    paths = [r["path"] for r in rows if r["row"] == "file"]
    assert sorted(paths) == sorted(str(p) for p in d.iterdir())  # each once: none repeated
    assert all(r["status"] == "ok" for r in rows)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--workers", "2"], "--workers"),
        (["--worker-wait", "60"], "--worker-wait"),
        (["--scheduler", "local", "--worker-wait", "0"], "--worker-wait"),
        (["--scheduler", "local", "--jobs", "2"], "--jobs"),
        (["--scheduler", "local", "--resume"], "--resume"),
        (["--scheduler", "udp:/x"], "--scheduler"),
        (["--scheduler", "local", "--format", "json"], "--format"),
        (["--scheduler", "local", "--memory-limit", "lots"], "--memory-limit"),
        (["--scheduler", "local", "--out", "r.csv"], "--out"),
        (["--scheduler", "local", "--out", "r.parquet", "--resume", "--force"], "--resume"),
    ],
)
def test_bad_options_are_one_line(run_cli, tmp_path, args, field) -> None:
    clean(tmp_path / "b.xlsx")
    code, _, err = run_cli("audit", tmp_path, *args)
    assert code == 2
    assert err.count("\n") == 1 and field in err, err


def test_an_existing_out_needs_resume_or_force(run_cli, tmp_path) -> None:
    clean(tmp_path / "b.xlsx")
    out = tmp_path / "r.parquet"
    out.write_bytes(b"earlier results")
    code, _, err = run_cli("audit", tmp_path, "--scheduler", "local", "--out", out)
    assert code == 2 and "--resume" in err and "--force" in err
    assert out.read_bytes() == b"earlier results"


def crash_on(ending: str):
    """A worker plugin under which auditing a workbook whose name ends so exits the worker's
    process (as a crash inside a library would)."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class CrashOn(WorkerPlugin):  # defined in a function: sent to the workers whole, by value
        name = "crash-on-" + ending

        def setup(self, worker):  # also on every worker the nanny restarts
            import os

            from flopbook.audit import batch as b

            real = b._audit

            def audit(path, settings):
                if path.endswith(ending):
                    os._exit(70)
                return real(path, settings)

            b._audit, self.real = audit, real

        def teardown(self, worker):
            from flopbook.audit import batch as b

            b._audit = self.real

    return CrashOn()


def statuses(rows: list[dict]) -> dict[str, str]:
    return {Path(r["path"]).name: r["status"] for r in rows if r["row"] == "file"}


def back_to_full(client, tmp_path: Path) -> None:
    """The cluster has all its workers again, and a following job runs on them."""
    from flopbook.audit import batch, inventory

    client.wait_for_workers(WORKERS, timeout=300)  # fails (a TimeoutError) if one is not back
    d = tmp_path / "after"
    d.mkdir()
    for i in range(4):
        numbered(d / f"after{i}.xlsx", i)
    rows: list[dict] = []
    settings = batch.Settings(use_config=False, time_limit=60)
    inventory.run(client, sorted(str(p) for p in d.iterdir()), settings, rows.extend, per_task=1)
    assert set(statuses(rows).values()) == {"ok"} and len(statuses(rows)) == 4


def test_a_workbook_that_kills_its_worker_is_reported_alone(tmp_path, dask_cluster) -> None:
    """A crash inside a library (here: the process exits while reading one workbook) takes
    its worker down; the task is split, the other workbooks are audited, the batch ends, and
    the cluster has its workers again afterwards."""
    from flopbook.audit import batch, inventory

    _, client = dask_cluster
    for i in range(3):
        numbered(tmp_path / f"book{i}.xlsx", i)
    clean(tmp_path / "crash.xlsx")
    clean(tmp_path / "second-crash.xlsx")  # more workers ended, one soon after another
    paths = sorted(str(p) for p in tmp_path.glob("*.xlsx"))
    plugin = crash_on("crash.xlsx")
    client.register_plugin(plugin)
    rows: list[dict] = []
    try:
        settings = batch.Settings(use_config=False, time_limit=60)
        inventory.run(client, paths, settings, rows.extend, per_task=4)
    finally:
        client.unregister_worker_plugin(plugin.name)
    assert statuses(rows) == {"book0.xlsx": "ok", "book1.xlsx": "ok", "book2.xlsx": "ok",
                              "crash.xlsx": "crashed", "second-crash.xlsx": "crashed"}  # fmt: skip
    crashed = next(r for r in rows if r["status"] == "crashed")
    assert "the worker auditing it stopped" in crashed["reason"] and crashed["sha256"]
    back_to_full(client, tmp_path)


def test_a_cluster_with_no_worker_left_stops_the_run_in_one_line(
    run_cli, tmp_path, monkeypatch
) -> None:
    """With no worker at all (all ended, none started again), the run stops with one line
    saying how many workbooks are left and how to go on, and keeps what it wrote."""
    from flopbook import cluster
    from flopbook.audit import batch, inventory

    for i in range(3):
        numbered(tmp_path / f"book{i}.xlsx", i)
    paths = sorted(str(p) for p in tmp_path.glob("*.xlsx"))
    empty = local_cluster(workers=0)
    dead, client = next(empty)
    try:
        settings = batch.Settings(use_config=False, time_limit=60)
        with pytest.raises(cluster.NoWorkers) as caught:
            inventory.run(client, paths, settings, [].extend, wait=0.5)
        assert "3 of 3 workbook(s) are not audited yet" in str(caught.value)
        assert str(caught.value).count("\n") == 0

        out = tmp_path / "results.parquet"
        code, _, err = run_cli("audit", tmp_path, "--scheduler", dead.scheduler_address,
                               "--out", out, "--worker-wait", "1")  # fmt: skip
        assert code == 2
        head, error = err.splitlines()  # the line saying where it runs, then the error
        assert "on 0 Dask worker(s)" in head
        assert error.startswith(
            "flopbook: error: --scheduler: no Dask worker has been left for 1 s"
        )
        assert "3 of 3 workbook(s)" in error and "--resume" in error and "results.jsonl" in error
        assert out.with_suffix(".jsonl").exists() and not out.exists()
    finally:
        empty.close()


def test_a_local_cluster_listens_on_loopback_and_shows_its_dashboard(run_cli, tmp_path) -> None:
    clean(tmp_path / "b.xlsx")
    code, out, err = run_cli("audit", tmp_path, "--scheduler", "local", "--workers", "1")
    assert code == 0, err
    assert "on 1 Dask worker(s); dashboard: http://127.0.0.1:" in err
    assert "no findings" in out and "Slowest workbooks" in out


def test_a_workbook_stuck_past_its_limit_ends_its_worker(tmp_path, dask_cluster) -> None:
    """A step inside C code takes no raise (here: a sleep); past the time limit and its grace
    the worker ends itself, the nanny starts another, and the batch finishes."""
    from distributed.diagnostics.plugin import WorkerPlugin

    from flopbook.audit import batch, inventory

    class StuckOn(WorkerPlugin):  # defined here: sent to the workers whole, by value
        name = "stuck-on-stuck-xlsx"

        def setup(self, worker):
            import time

            from flopbook.audit import batch as b
            from flopbook.audit import inventory as inv

            real, hard = b._audit, inv.HARD_AFTER

            def audit(path, settings):
                if path.endswith("stuck.xlsx"):
                    time.sleep(3600)  # in C: the time limit's raise never lands
                return real(path, settings)

            b._audit, inv.HARD_AFTER = audit, 1.0
            self.saved = (real, hard)

        def teardown(self, worker):
            from flopbook.audit import batch as b
            from flopbook.audit import inventory as inv

            b._audit, inv.HARD_AFTER = self.saved

    _, client = dask_cluster
    numbered(tmp_path / "book.xlsx", 1)
    clean(tmp_path / "stuck.xlsx")
    paths = sorted(str(p) for p in tmp_path.glob("*.xlsx"))
    client.register_plugin(StuckOn())
    rows: list[dict] = []
    try:
        settings = batch.Settings(use_config=False, time_limit=1)
        inventory.run(client, paths, settings, rows.extend, per_task=1)
    finally:
        client.unregister_worker_plugin(StuckOn.name)
    assert statuses(rows) == {"book.xlsx": "ok", "stuck.xlsx": "crashed"}
    assert (
        "ran on past the time limit" in next(r for r in rows if r["status"] == "crashed")["reason"]
    )
    back_to_full(client, tmp_path)
