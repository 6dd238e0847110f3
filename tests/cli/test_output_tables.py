"""Every command writes through one table of formats, and every report file through one
table of report files: a new format, or a new kind of report file, is a row."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from typer.testing import CliRunner

from flopbook.cli import app
from flopbook.cli.common import WRITERS, Format, Output, write
from flopbook.render.report_files import REPORT_FILES
from flopbook.render.reports import writer

CLI = Path(__file__).resolve().parents[2] / "src" / "flopbook" / "cli"


def test_every_format_has_a_writer():
    assert set(WRITERS) == set(Format)


def test_no_command_branches_on_the_format():
    # the audit keeps its own formats (sarif, several workbooks at once)
    found = []
    for path in sorted(CLI.glob("*.py")):
        if path.name in ("common.py", "audit.py"):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\bfmt (is|==|in)\b|Format\.(json|csv|text)\b", line):
                found.append(f"{path.name}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


def test_a_format_without_its_own_form_shows_it_for_people(capsys):
    shown = []
    write(Format.csv, Output(show=lambda: shown.append("people")))
    write(Format.json, Output(show=lambda: shown.append("people")))
    assert shown == ["people", "people"]
    write(Format.json, Output(show=lambda: None, data=lambda: {"a": 1}))
    assert '"a": 1' in capsys.readouterr().out


def test_csv_without_a_form_of_its_own_is_written_from_the_data(capsys):
    shown = []
    rows = [{"name": "a", "title": "=HYPERLINK(1)"}, {"name": "b", "title": "-1.5"}]
    write(Format.csv, Output(show=lambda: shown.append("people"), data=lambda: rows))
    assert not shown
    out = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    # user text stays text (a leading '), a plain number stays a number
    assert out == [["name", "title"], ["a", "'=HYPERLINK(1)"], ["b", "-1.5"]]
    write(Format.csv, Output(show=lambda: None, data=lambda: {"written": ["x.xlsx", "y.html"]}))
    assert capsys.readouterr().out == "written\nx.xlsx\ny.html\n"


def test_the_case_listing_as_csv_is_csv(run_cli):
    from flopbook.cases import cases

    code, out, _ = run_cli("case", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["name"], r["title"]) for r in rows] == [(c.name, c.title) for c in cases()]


def test_the_files_a_report_wrote_as_csv_are_csv(run_cli, tmp_path, monkeypatch):
    scenario = tmp_path / "fleet.yaml"
    scenario.write_text(
        "name: x\nskus:\n  - {chip: H800, count: 8, server_cost_per_gpu: 35k USD/GPU}\n"
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(
        "report", scenario, "--xlsx", "=PWN.xlsx", "--html", "r.html", "--format", "csv",
        "--samples", "100",
    )  # fmt: skip
    assert code == 0, err
    assert list(csv.reader(io.StringIO(out))) == [["written"], ["'=PWN.xlsx"], ["r.html"]]
    assert (tmp_path / "=PWN.xlsx").is_file()


def test_every_report_file_has_a_writer_and_an_option():
    help_text = CliRunner().invoke(app, ["report", "--help"], env={"COLUMNS": "200"}).stdout
    for f in REPORT_FILES:
        assert callable(writer(f.option)), f.writer
        assert f"--{f.option}" in help_text
        assert all(s.startswith(".") for s in f.suffixes)


def test_a_report_file_of_no_known_kind_is_refused():
    import pytest

    from flopbook.errors import InputError
    from flopbook.render.reports import write_reports

    with pytest.raises(InputError, match="no kind of report file called 'htm'"):
        write_reports(None, htm="x.htm")  # type: ignore[arg-type]
