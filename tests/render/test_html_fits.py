"""Every kind of HTML report fits a laptop screen and a landscape page: rendered by headless
Chromium at 1280×800, nothing is wider than the window and no table scrolls; printed to PDF,
nothing runs into the right margin."""

from __future__ import annotations

import json
import re
import subprocess
from html import unescape
from pathlib import Path

import pytest
import system_programs

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
chromium = system_programs.chromium
pdftoppm = system_programs.pdftoppm

# one page of each kind the report command writes, and the widest of each: a payer's year
# table with its Total, a case's checks with their sources, a grid of worded claims
PAGES = {
    "fleet": [str(EXAMPLES / "fleet.yaml")],
    "training": [str(EXAMPLES / "training.yaml")],
    "inference": [str(EXAMPLES / "inference.yaml")],
    "payer": [str(EXAMPLES / "high-flyer.yaml"), "--capex", "1.6B", "--year", "2023"],
    "payer-fleet": [str(EXAMPLES / "high-flyer.yaml"), "--fleet", str(EXAMPLES / "fleet.yaml")],
    "company": [str(EXAMPLES / "company.yaml")],
    "case-fleet": ["--case", "deepseek-semianalysis"],
    "case-claims": ["--case", "flops-per-token"],
    "case-inference": ["--case", "deepseek-inference-day"],
}

# Reads, once the page has loaded, how wide the document is and which elements are wider than
# their box; the page itself has no script, so a copy with this one is rendered.
MEASURE = """<script>
addEventListener('load', () => {
  const over = [];
  for (const el of document.querySelectorAll('body *')) {
    const scrolls = el.scrollWidth > el.clientWidth + 1
      && getComputedStyle(el).overflowX !== 'visible';
    if (scrolls || el.getBoundingClientRect().right > innerWidth + 1)
      over.push(el.tagName + ': ' + (el.innerText || '').slice(0, 50));
  }
  const pre = document.createElement('pre');
  pre.id = 'measured';
  pre.textContent = JSON.stringify({doc: document.documentElement.scrollWidth,
                                    win: innerWidth, over: over});
  document.body.appendChild(pre);
});
</script>"""

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    from typer.testing import CliRunner

    from flopbook.cli import app

    out = tmp_path_factory.mktemp("pages")
    made = {}
    for kind, args in PAGES.items():
        page = out / f"{kind}.html"
        result = CliRunner().invoke(
            app, ["report", *args, "--html", str(page), "--samples", "500", "--seed", "1"]
        )
        assert result.exit_code == 0, (kind, result.output)
        made[kind] = page
    return made


def _run(chromium: str, profile: Path, *args: str) -> str:
    return subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
        check=True,
        capture_output=True,
        timeout=120,
        text=True,
    ).stdout


@pytest.mark.parametrize("kind", PAGES)
def test_the_page_fits_a_laptop_screen(kind, pages, chromium, tmp_path):
    copy = tmp_path / "measured.html"
    copy.write_text(pages[kind].read_text().replace("</body>", MEASURE + "</body>"))
    dom = _run(
        chromium, tmp_path / "profile", "--window-size=1280,800", "--dump-dom", copy.as_uri()
    )
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert found, "the page did not finish loading"
    measured = json.loads(unescape(found.group(1)))
    assert measured["doc"] <= measured["win"], measured
    assert measured["over"] == [], measured["over"][:5]


@pytest.mark.parametrize("kind", ["payer", "case-fleet", "case-claims"])
def test_the_printed_page_is_landscape_and_keeps_to_its_margins(
    kind, pages, chromium, pdftoppm, tmp_path
):
    pdf = tmp_path / "page.pdf"
    _run(
        chromium,
        tmp_path / "profile",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        pages[kind].as_uri(),
    )
    subprocess.run(
        [pdftoppm, "-r", "40", "-gray", "-png", str(pdf), str(tmp_path / "p")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    from matplotlib import image

    shots = sorted(tmp_path.glob("p-*.png"))
    assert shots
    for shot in shots:
        pixels = image.imread(str(shot))
        height, width = pixels.shape[:2]
        assert width > height, "the page is not landscape"
        # the right margin (12 mm of 279 mm; its outer 8 mm here) holds no ink: a table that
        # ran wider than the page would be cut there
        margin = pixels[:, int(width * (1 - 8 / 279)) :]
        assert float(margin.min()) > 0.9, f"{shot.name}: something runs into the right margin"
