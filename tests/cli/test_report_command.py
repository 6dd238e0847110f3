"""`flopbook report`: files written, and every bad input one line, exit 2, nothing written."""

from __future__ import annotations

import subprocess
import sys

import pytest

from flopbook.cli import main

SCENARIO = """\
name: Two H800 pods
skus:
  - {chip: H800, count: 2048, server_cost_per_gpu: 35k USD/GPU}
"""


def run(args: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    """The real entry point, in process: exit code, stdout, stderr."""
    monkeypatch.setattr(sys, "argv", ["flopbook", *args])
    with pytest.raises(SystemExit) as exit_:
        main()
    out = capsys.readouterr()
    return int(exit_.value.code or 0), out.out, out.err


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "fleet.yaml"
    path.write_text(SCENARIO)
    return path


def files(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_both_and_prints_their_paths(tmp_path, scenario, monkeypatch, capsys):
    xlsx, html = tmp_path / "r.xlsx", tmp_path / "r.html"
    code, out, err = run(
        ["report", str(scenario), "--xlsx", str(xlsx), "--html", str(html), "--samples", "200"],
        monkeypatch,
        capsys,
    )
    assert code == 0, err
    assert out.split() == [str(xlsx), str(html)]
    assert xlsx.read_bytes()[:2] == b"PK" and "Two H800 pods" in html.read_text()


def test_case_report(tmp_path, monkeypatch, capsys):
    html = tmp_path / "case.html"
    code, out, err = run(
        ["report", "--case", "deepseek-semianalysis", "--html", str(html), "--format", "json"],
        monkeypatch,
        capsys,
    )
    assert code == 0, err
    assert str(html) in out and "$640M/year" in html.read_text()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--xlsx", "{tmp}/missing/r.xlsx"], "does not exist"),
        (["--xlsx", "{tmp}/r.xls"], "ending in .xlsx"),
        (["--html", "/proc/flopbook.html"], "cannot write in '/proc'"),
        (["--xlsx", "{tmp}/same.xlsx", "--html", "{tmp}/same.xlsx"], "ending in .html"),
        ([], "nothing to write"),
    ],
)
def test_bad_output_paths(tmp_path, scenario, monkeypatch, capsys, args, message):
    before = files(tmp_path)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, out, err = run(["report", str(scenario), *args], monkeypatch, capsys)
    assert code == 2
    assert err.startswith("flopbook: error: ") and err.count("\n") == 1 and message in err
    assert files(tmp_path) == before


def test_existing_file_refused_then_forced(tmp_path, scenario, monkeypatch, capsys):
    xlsx, html = tmp_path / "r.xlsx", tmp_path / "r.html"
    html.write_text("keep me")
    code, _, err = run(
        ["report", str(scenario), "--xlsx", str(xlsx), "--html", str(html)], monkeypatch, capsys
    )
    assert code == 2 and "already exists" in err and "--force" in err
    assert html.read_text() == "keep me" and not xlsx.exists()  # neither file written
    code, _, err = run(
        [
            "report",
            str(scenario),
            "--xlsx",
            str(xlsx),
            "--html",
            str(html),
            "--force",
            "--samples",
            "100",
        ],
        monkeypatch,
        capsys,
    )
    assert code == 0, err
    assert html.read_text() != "keep me" and xlsx.exists()


def test_invalid_scenario_writes_nothing(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("skus:\n  - {chip: H800, count: 2048, server_cost_per_gpu: 35 W}\n")
    code, _, err = run(
        ["report", str(bad), "--xlsx", str(tmp_path / "r.xlsx")], monkeypatch, capsys
    )
    assert code == 2 and err.count("\n") == 1
    assert "bad.yaml:2" in err and "server_cost_per_gpu" in err
    assert files(tmp_path) == ["bad.yaml"]


def test_the_scenario_is_never_overwritten(tmp_path, monkeypatch, capsys):
    scenario = tmp_path / "fleet.html"  # an odd name, but a scenario all the same
    scenario.write_text(SCENARIO)
    code, _, err = run(
        ["report", str(scenario), "--html", str(scenario), "--force"], monkeypatch, capsys
    )
    assert code == 2 and "never overwrites its input" in err
    assert scenario.read_text() == SCENARIO


def test_scenario_or_case_not_both(tmp_path, scenario, monkeypatch, capsys):
    code, _, err = run(
        [
            "report",
            str(scenario),
            "--case",
            "deepseek-semianalysis",
            "--html",
            str(tmp_path / "r.html"),
        ],
        monkeypatch,
        capsys,
    )
    assert code == 2 and "one of the two" in err
    code, _, err = run(
        ["report", "--case", "deepseek-semianalisys", "--html", str(tmp_path / "r.html")],
        monkeypatch,
        capsys,
    )
    assert code == 2 and "did you mean deepseek-semianalysis" in err
    assert files(tmp_path) == ["fleet.yaml"]


def test_as_a_program(tmp_path):
    """The installed entry point, in a fresh process: one line on stderr, exit 2."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from flopbook.cli import main; main()",
            "report",
            "--case",
            "deepseek-semianalysis",
            "--xlsx",
            str(tmp_path / "no" / "r.xlsx"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "does not exist" in out.stderr
    assert "Traceback" not in out.stderr
