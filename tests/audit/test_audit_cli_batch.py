"""`flopbook audit A.xlsx B.xlsx FOLDER/`: a line per workbook, a total, exit codes, JSON
and SARIF for several workbooks, worker processes, bad workbooks and time limits."""

from __future__ import annotations

import json
import time
from pathlib import Path

from test_audit_cli_settings import clean, one_line_error, plan

from flopbook.audit import batch


def folder(tmp_path: Path) -> Path:
    """models/: two workbooks with findings (one below a subfolder), one clean, and files
    a folder search leaves out."""
    d = tmp_path / "models"
    (d / "2025").mkdir(parents=True)
    (d / ".hidden").mkdir()
    plan(d / "a.xlsx")
    plan(d / "2025" / "b.xlsm")
    clean(d / "c.xlsx")
    plan(d / ".hidden" / "skip.xlsx")
    (d / "~$a.xlsx").write_bytes(b"lock file")
    (d / "notes.txt").write_text("not a workbook")
    return d


def test_a_folder_is_searched_below(tmp_path) -> None:
    paths, refused = batch.collect([str(folder(tmp_path))])
    names = [Path(p).relative_to(tmp_path / "models").as_posix() for p in paths]
    assert names == ["a.xlsx", "c.xlsx", "2025/b.xlsm"] or names == [
        "2025/b.xlsm",
        "a.xlsx",
        "c.xlsx",
    ]
    assert refused == []


def test_one_line_per_workbook_and_a_total(run_cli, tmp_path) -> None:
    d = folder(tmp_path)
    code, out, err = run_cli("audit", d, "--summary", "--jobs", "1")
    assert code == 1 and err == ""
    lines = out.strip().splitlines()
    assert len(lines) == 4
    assert any(
        line.endswith("a.xlsx: 2 finding(s) (1 FB101, 1 FB102) in 3 formulas, 19 cells")
        for line in lines
    )
    assert any("c.xlsx: no findings" in line for line in lines)
    assert lines[-1].startswith("3 workbook(s): 4 finding(s) in 2, 1 clean (")


def test_findings_of_each_workbook_without_summary(run_cli, tmp_path) -> None:
    d = folder(tmp_path)
    code, out, _ = run_cli("audit", d / "a.xlsx", d / "c.xlsx")
    assert code == 1
    assert "Plan!E2  FB101 error" in out and "c.xlsx: no findings" in out
    assert out.strip().splitlines()[-1].startswith("2 workbook(s): 2 finding(s) in 1, 1 clean")


def test_exit_codes(run_cli, tmp_path) -> None:
    d = folder(tmp_path)
    assert run_cli("audit", d / "c.xlsx", clean(tmp_path / "c2.xlsx"))[0] == 0
    assert run_cli("audit", d / "c.xlsx", d / "a.xlsx")[0] == 1
    bad = tmp_path / "bad.xlsx"
    bad.write_text("quarter,revenue\n")
    assert run_cli("audit", d / "c.xlsx", bad)[0] == 2


def test_a_bad_workbook_is_reported_and_the_rest_audited(run_cli, tmp_path) -> None:
    d = folder(tmp_path)
    bad = d / "broken.xlsx"
    bad.write_text("quarter,revenue\n")
    before = bad.read_bytes()
    code, out, err = run_cli("audit", d, "--summary", "--jobs", "2")
    assert code == 2
    one_line_error(err, "broken.xlsx", "not an Excel workbook")
    assert "a.xlsx: 2 finding(s)" in out and "b.xlsm: 2 finding(s)" in out
    assert "4 workbook(s): 4 finding(s) in 2, 1 clean, 1 refused" in out
    assert bad.read_bytes() == before


def test_jobs_give_the_same_report(run_cli, tmp_path) -> None:
    d = folder(tmp_path)
    one = json.loads(run_cli("audit", d, "-f", "json", "--jobs", "1")[1])
    two = json.loads(run_cli("audit", d, "-f", "json", "--jobs", "2")[1])
    assert [b["findings"] for b in one] == [b["findings"] for b in two]
    assert [b["file"] for b in one] == [b["file"] for b in two]


def test_json_is_one_object_per_workbook(run_cli, tmp_path) -> None:
    d = folder(tmp_path)
    bad = d / "broken.xlsx"
    bad.write_text("no")
    code, out, err = run_cli("audit", d, "-f", "json", "--jobs", "1")
    assert code == 2 and "broken.xlsx" in err
    data = json.loads(out)
    assert isinstance(data, list) and len(data) == 4
    by_name = {Path(b["file"]).name: b for b in data}
    assert by_name["broken.xlsx"]["error"].startswith(str(bad))
    assert by_name["broken.xlsx"]["findings"] == []
    a = by_name["a.xlsx"]
    assert a["error"] is None
    assert a["counts"] == {"error": 2, "warning": 0, "note": 0, "cells": 19, "formulas": 3}
    assert set(a["not_shown"]) == {"baseline", "comments", "excluded", "min_severity"}
    assert {(f["cell"], f["code"]) for f in a["findings"]} == {("E2", "FB101"), ("E4", "FB102")}
    assert {"severity", "confidence", "sheet", "cell", "code", "message"} <= set(a["findings"][0])


def test_one_workbook_keeps_the_json_list(run_cli, tmp_path) -> None:
    code, out, _ = run_cli("audit", plan(tmp_path / "p.xlsx"), "-f", "json")
    data = json.loads(out)
    assert isinstance(data, list) and {d["code"] for d in data} == {"FB101", "FB102"}


# ---- SARIF -------------------------------------------------------------------------------

LEVELS = {"none", "note", "warning", "error"}


def check_sarif(doc: dict) -> None:
    """The parts of the SARIF 2.1.0 schema a log of ours uses: required properties, their
    types, and every index pointing at something that exists."""
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    assert isinstance(doc["runs"], list) and len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert isinstance(driver["name"], str) and driver["name"]
    rules = driver["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    for r in rules:
        assert r["shortDescription"]["text"] and r["defaultConfiguration"]["level"] in LEVELS
    artifacts = run["artifacts"]
    assert all(isinstance(a["location"]["uri"], str) for a in artifacts)
    for res in run["results"]:
        assert isinstance(res["message"]["text"], str) and res["message"]["text"]
        assert res["level"] in LEVELS
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert 0 <= res["rank"] <= 100
        for loc in res["locations"]:
            art = loc["physicalLocation"]["artifactLocation"]
            assert artifacts[art["index"]]["location"]["uri"] == art["uri"]
            assert all(isinstance(x["fullyQualifiedName"], str) for x in loc["logicalLocations"])
    for inv in run["invocations"]:
        assert isinstance(inv["executionSuccessful"], bool)
        for n in inv["toolExecutionNotifications"]:
            assert n["level"] in LEVELS and n["message"]["text"]


def test_sarif_one_run_an_artifact_per_workbook(run_cli, tmp_path) -> None:
    d = folder(tmp_path)
    bad = d / "broken.xlsx"
    bad.write_text("no")
    code, out, _ = run_cli("audit", d, "-f", "sarif", "--jobs", "1")
    assert code == 2
    doc = json.loads(out)
    check_sarif(doc)
    run = doc["runs"][0]
    uris = [a["location"]["uri"] for a in run["artifacts"]]
    assert len(uris) == 4 and any(u.endswith("2025/b.xlsm") for u in uris)
    per_file = {}
    for res in run["results"]:
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        per_file.setdefault(Path(uri).name, []).append(res["ruleId"])
        assert res["properties"]["confidence"] == res["rank"] / 100
    assert sorted(per_file["a.xlsx"]) == ["FB101", "FB102"] and "c.xlsx" not in per_file
    refused = [
        n for n in run["invocations"][0]["toolExecutionNotifications"] if n["level"] == "error"
    ]
    assert len(refused) == 1 and "not an Excel workbook" in refused[0]["message"]["text"]
    assert run["invocations"][0]["executionSuccessful"] is False


def test_sarif_levels_follow_severity(run_cli, tmp_path) -> None:
    book = plan(tmp_path / "plan.xlsx")
    (tmp_path / "flopbook-audit.toml").write_text('[severity]\nFB102 = "note"\n')
    doc = json.loads(run_cli("audit", book, "-f", "sarif", "--min-severity", "note")[1])
    check_sarif(doc)
    assert {r["ruleId"]: r["level"] for r in doc["runs"][0]["results"]} == {
        "FB101": "error",
        "FB102": "note",
    }


def test_sarif_of_the_deepseek_book(run_cli, deepseek_xlsx) -> None:
    check_sarif(json.loads(run_cli("audit", deepseek_xlsx, "-f", "sarif")[1]))


# ---- refusals and limits -----------------------------------------------------------------


def test_fix_takes_one_workbook(run_cli, tmp_path) -> None:
    d = folder(tmp_path)
    code, _, err = run_cli("audit", d / "a.xlsx", d / "c.xlsx", "--fix", tmp_path / "o.xlsx")
    assert code == 2
    one_line_error(err, "--fix", "one workbook")
    assert not (tmp_path / "o.xlsx").exists()


def test_a_folder_with_no_workbook(run_cli, tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    code, out, err = run_cli("audit", tmp_path / "empty")
    assert code == 2 and out == ""
    one_line_error(err, "no workbook")


def _slow_audit(path: str, settings: batch.Settings) -> batch.BookAudit:
    if path.endswith("a.xlsx"):
        time.sleep(30)
    return batch.BookAudit(path, error=None)


def test_a_workbook_past_the_time_limit_is_stopped_in_this_process(tmp_path, monkeypatch) -> None:
    d = folder(tmp_path)
    monkeypatch.setattr(batch, "_audit", _slow_audit)
    start = time.monotonic()
    out = batch.run(
        [str(d / "a.xlsx"), str(d / "c.xlsx")], batch.Settings(time_limit=0.5), batch.InProcess()
    )
    assert time.monotonic() - start < 20
    assert "took longer than 0.5 s" in (out[0].error or "") and out[1].ok


def test_a_workbook_past_the_time_limit_is_stopped_in_a_worker(tmp_path, monkeypatch) -> None:
    d = folder(tmp_path)
    monkeypatch.setattr(batch, "_audit", _slow_audit)  # the forked workers inherit it
    start = time.monotonic()
    out = batch.run(
        [str(d / "a.xlsx"), str(d / "c.xlsx")],
        batch.Settings(time_limit=0.5),
        batch.ProcessPool(2, 0.5),
    )
    assert time.monotonic() - start < 25
    assert "took longer than 0.5 s" in (out[0].error or "") and out[1].ok


def test_a_worker_that_hangs_past_its_own_timer_is_killed(tmp_path, monkeypatch) -> None:
    d = folder(tmp_path)
    monkeypatch.setattr(batch, "_audit", _slow_audit)
    monkeypatch.setattr(batch.ProcessPool, "GRACE", 0.5)
    start = time.monotonic()
    # the worker's own timer is off (no limit in its settings); the pool stops it from outside
    out = batch.run(
        [str(d / "a.xlsx"), str(d / "c.xlsx")],
        batch.Settings(time_limit=None),
        batch.ProcessPool(2, 0.5),
    )
    assert time.monotonic() - start < 25
    assert "took longer" in (out[0].error or "") and out[1].ok


def test_any_executor_can_run_the_batch(tmp_path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    d = folder(tmp_path)
    paths, _ = batch.collect([str(d)])
    out = batch.run(paths, batch.Settings(), batch.ExecutorScheduler(ThreadPoolExecutor(2)))
    assert [b.path for b in out] == paths
    assert sum(len(b.result.findings) for b in out if b.result) == 4


def test_a_folder_search_leaves_out_links_and_pipes(tmp_path) -> None:
    import os

    d = tmp_path / "models"
    d.mkdir()
    outside = plan(tmp_path / "outside.xlsx")
    plan(d / "a.xlsx")
    (d / "link.xlsx").symlink_to(outside)
    os.mkfifo(d / "pipe.xlsx")
    paths, refused = batch.collect([str(d), str(d / "a.xlsx")])
    assert paths == [str(d / "a.xlsx")] and refused == []  # and named twice, audited once
