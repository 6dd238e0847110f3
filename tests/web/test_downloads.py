"""The app's downloads, without a browser: one for every kind of report file (the rows of
REPORT_FILES) and the result's JSON and CSV, each a button on the page, each written by the
writer `flopbook report` uses."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from flopbook.render.report_files import REPORT_FILES
from flopbook.web.downloads import DOWNLOADS

testclient = pytest.importorskip("starlette.testclient")

ROOT = Path(__file__).resolve().parents[2]
FLEET = (ROOT / "examples" / "fleet.yaml").read_text()
FORM = {"text": FLEET, "name": "my fleet.yaml", "samples": "200"}


@pytest.fixture
def client(tmp_path):
    from flopbook.web import create_app

    (tmp_path / "fleet.yaml").write_text(FLEET)
    app = create_app(token="sesame", folder=tmp_path, files=[str(tmp_path / "fleet.yaml")])
    with testclient.TestClient(app, base_url="http://127.0.0.1:8765") as c:
        c.get("/?token=sesame", follow_redirects=False)
        yield c


def test_every_kind_of_report_file_downloads():
    offered = [d.format for d in DOWNLOADS if d.report]
    assert offered == [f.option for f in REPORT_FILES]
    assert [d.format for d in DOWNLOADS if not d.report] == ["json", "csv"]


def test_the_page_has_a_button_for_each_download(client):
    html = client.get("/").text
    for d in DOWNLOADS:
        assert f'formaction="/download/{d.format}"' in html, d.format
        assert f">{d.button}</button>" in html, d.button


@pytest.mark.parametrize("fmt", [d.format for d in DOWNLOADS])
def test_each_download_is_its_file(client, fmt):
    r = client.post(f"/download/{fmt}", data=FORM)
    assert r.status_code == 200, r.text[:500]
    d = next(d for d in DOWNLOADS if d.format == fmt)
    assert r.headers["content-type"] == d.media_type
    ending = next((f.suffixes[0] for f in REPORT_FILES if f.option == fmt), f".{fmt}")
    assert r.headers["content-disposition"] == f'attachment; filename="my-fleet{ending}"'
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(r.content))
        cells = [c.value for ws in book for row in ws.iter_rows() for c in row]
        assert sum(isinstance(v, str) and v.startswith("=") for v in cells) > 20
    elif fmt == "html":
        assert r.text.lstrip().lower().startswith("<!doctype html>")
        assert "A mixed Hopper and Blackwell training fleet" in r.text
    elif fmt == "json":
        assert json.loads(r.content)["columns"]
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert {"H100", "Total"} <= {row["column"] for row in rows}


def test_an_unknown_format_is_one_line_naming_those_there_are(client):
    r = client.post("/download/docx", data=FORM)
    assert r.status_code == 400
    assert "unknown format &#39;docx&#39;" in r.text or "unknown format 'docx'" in r.text
    assert ", ".join(d.format for d in DOWNLOADS) in r.text


# A kind of report file that is not shipped, one module in flopbook.render's folders: the
# app offers it and writes it with no code of its own.
THROWAWAY = """\
from flopbook.render.report_files import ReportFile

REPORT_FILE = ReportFile(
    option="md",
    suffixes=(".md",),
    noun="the summary",
    help="Write the report's title as Markdown. E.g. --md out/fleet.md",
    writer="write_markdown",
    media_type="text/markdown; charset=utf-8",
)


def write_markdown(report, path):
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"# {report.title}\\n")
"""

CLIENT = """\
import flopbook.render
flopbook.render.__path__.append({extra!r})
from starlette.testclient import TestClient
from flopbook.web import create_app
with TestClient(create_app(token="t", folder={folder!r}), base_url="http://127.0.0.1:1") as c:
    c.get("/?token=t", follow_redirects=False)
    page = c.get("/").text
    print('formaction="/download/md"' in page and ">Summary (.md)</button>" in page)
    r = c.post("/download/md", data={{"text": {text!r}, "name": "fleet.yaml"}})
    print(r.status_code, r.headers["content-type"], r.headers["content-disposition"])
    print(r.text, end="")
"""


def test_a_kind_of_report_file_added_as_one_module_downloads(tmp_path):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "markdown.py").write_text(THROWAWAY, encoding="utf-8")
    code = CLIENT.format(extra=str(extra), folder=str(tmp_path), text=FLEET)
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == [
        "True",
        '200 text/markdown; charset=utf-8 attachment; filename="fleet.md"',
        "# A mixed Hopper and Blackwell training fleet",
    ]
