"""Every command writes through one table of formats, and every report file through one
table of report files: a new format, or a new kind of report file, is a row."""

from __future__ import annotations

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
