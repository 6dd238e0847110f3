"""Every command writes through one table of formats, and every report file through one
table of report files: a new format, or a new kind of report file, is a row."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
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


# A kind of report file that is not shipped, in one module of flopbook.render's folders:
# the option, the writer, the web app's download all come from it.
THROWAWAY = '''\
"""The headline lines as Markdown."""

from flopbook.render.report_files import ReportFile

REPORT_FILE = ReportFile(
    option="md",
    suffixes=(".md", ".markdown"),
    noun="the summary",
    help="Write the report's title as Markdown. E.g. --md out/fleet.md",
    writer="write_markdown",
    media_type="text/markdown; charset=utf-8",
)


def write_markdown(report, path):
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"# {report.title}\\n")
'''


def run_with_throwaway(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter whose flopbook.render has the throwaway module."""
    extra = tmp_path / "extra"
    extra.mkdir(exist_ok=True)
    (extra / "markdown.py").write_text(THROWAWAY, encoding="utf-8")
    prelude = f"import flopbook.render\nflopbook.render.__path__.append({str(extra)!r})\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, cwd=tmp_path
    )


def test_a_kind_of_report_file_is_one_module(tmp_path):
    code = (
        "import sys\n"
        "from flopbook.cli import main\n"
        "sys.argv = ['flopbook', 'report', '--case', 'deepseek-semianalysis', '--md', 'r.md',"
        " '--samples', '100']\n"
        "main()\n"
    )
    ran = run_with_throwaway(tmp_path, code)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().endswith("r.md")
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# ")
    # its endings are checked as the shipped kinds' are, and the hint names it
    bad = run_with_throwaway(tmp_path, code.replace("'r.md'", "'r.txt'"))
    assert bad.returncode == 2 and "--md needs a file name ending in .md or .markdown" in bad.stderr
    listed = run_with_throwaway(
        tmp_path,
        "from flopbook.render.report_files import REPORT_FILES, nothing_to_write_hint\n"
        "print([f.option for f in REPORT_FILES]); print(nothing_to_write_hint())\n",
    )
    assert listed.stdout.splitlines() == [
        "['xlsx', 'html', 'md']",
        "give --xlsx OUT.xlsx and/or --html OUT.html and/or --md OUT.md",
    ]


def test_a_row_is_read_without_loading_its_writer(tmp_path):
    (tmp_path / "broken.py").write_text(
        'import no_such_module\nREPORT_FILE = ReportFile(option="x", suffixes=[".x"], '
        'noun="x", help="x", writer="w")\n',
        encoding="utf-8",
    )
    from flopbook.render.report_files import found_in

    (row,) = found_in([tmp_path], "pkg")
    assert row.writer == "pkg.broken:w" and row.suffixes == (".x",)
