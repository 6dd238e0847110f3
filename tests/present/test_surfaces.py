"""One golden file per surface for one scenario of each kind: the terminal at 80 and at 140
columns, CSV and the HTML page's text; the catalog at 80 and 140 columns. Each was read by a
person before it was committed; ``FLOPBOOK_REGENERATE=1 pytest tests/present/test_surfaces.py``
rewrites them after a change meant to show (read the diff).

The JSON of the same runs is in tests/golden/ (numbers compared to 1e-9)."""

from __future__ import annotations

import html
import io
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flopbook.cli import app

HERE = Path(__file__).resolve().parent / "golden"
ROOT = Path(__file__).resolve().parents[2]

KINDS = {
    "fleet": ["fleet", "examples/fleet.yaml"],
    "workload": ["workload", "examples/training.yaml"],
    "fund": ["fund", "examples/high-flyer.yaml", "--capex", "1.6B", "--year", "2023"],
}


def run(args: list[str]) -> str:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(app, args, catch_exceptions=False)
    finally:
        os.chdir(cwd)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def page_text(path: Path) -> str:
    """The words and figures a reader sees on an HTML page (no markup, styles or charts)."""
    t = path.read_text(encoding="utf-8")
    t = re.sub(r"<(style|svg|script)\b.*?</\1>", "", t, flags=re.S)
    t = re.sub(r"<img[^>]*>", "[chart]", t)
    t = re.sub(r"</(tr|p|h\d|li|caption|summary)>|<br>", "\n", t)
    t = html.unescape(re.sub(r"<[^>]+>", " ", t))
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in t.splitlines())
    return "\n".join(line for line in lines if line) + "\n"


def check(name: str, text: str) -> None:
    path = HERE / name
    if os.environ.get("FLOPBOOK_REGENERATE"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {name}: run with FLOPBOOK_REGENERATE=1 and read it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from what was checked"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("width", [80, 140])
def test_terminal(kind, width):
    text = run(["--width", str(width), *KINDS[kind]])
    assert max(len(line) for line in text.splitlines()) <= width
    check(f"{kind}-{width}.txt", text)


@pytest.mark.parametrize("kind", KINDS)
def test_csv(kind):
    check(f"{kind}.csv", run([*KINDS[kind], "--format", "csv"]))


@pytest.mark.parametrize("kind", KINDS)
def test_html(kind, tmp_path):
    command, *rest = KINDS[kind]
    page = tmp_path / f"{kind}.html"
    run(["report", *rest, "--html", str(page)])
    check(f"{kind}.html.txt", page_text(page))


# A few chips of the catalog, chosen for their layout (the longest name, a long
# architecture, figures missing), not the whole of it: a chip added to the catalog changes
# no golden file.
CATALOG_CHIPS = ("MI300A", "Trainium2", "TPUv7", "GB200", "H100", "MI308X")


@pytest.mark.parametrize("width", [80, 140])
def test_catalog_terminal(width):
    from rich.console import Console

    from flopbook.catalog import catalog
    from flopbook.render.table import CatalogTable

    cat = catalog()
    out = Console(width=width, record=True, file=io.StringIO(), highlight=False)
    out.print(CatalogTable([cat.get(c) for c in CATALOG_CHIPS]))
    text = out.export_text()
    assert max(len(line) for line in text.splitlines()) <= width
    check(f"catalog-{width}.txt", text)
