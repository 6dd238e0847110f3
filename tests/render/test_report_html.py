"""The HTML report renders in a real browser, offline, with its key numbers and sources."""

from __future__ import annotations

import re

import numpy as np
import pytest
import system_programs

from flopbook.cases import case
from flopbook.models.fleet import Fleet, Sku
from flopbook.quantity import sampling
from flopbook.render.html import render_html, write_html
from flopbook.report import build_report
from flopbook.report.document import Chart

# fixtures shared by the tests that drive LibreOffice and Chromium
chromium = system_programs.chromium
render_page = system_programs.render_page


@pytest.fixture(scope="module")
def deepseek_report():
    with sampling(1000, 1):
        return build_report(case("deepseek-semianalysis"))


def test_chromium_renders_the_deepseek_case(tmp_path, render_page, deepseek_report):
    page = tmp_path / "deepseek.html"
    write_html(deepseek_report, str(page))
    shot, dom = render_page(page)
    from matplotlib import image

    pixels = image.imread(str(shot))
    assert pixels.shape[0] > 500 and pixels.shape[1] > 500
    assert float(np.var(pixels[..., :3])) > 0.005, "the screenshot is blank"
    text = re.sub(r"<[^>]+>", " ", dom)
    # published figures and the model's corrected answers (SemiAnalysis 2025-01-31; critique)
    for figure in (
        "$1.3B",
        "$1.300B",
        "$1.6B",
        "$640M/year",
        "$636.0M/year",
        "$1.4B",
        "$1.60B",
        "$636M/year",
        "All checks within tolerance",
    ):
        assert figure in text, figure
    assert "FB101" in text and "FB102" in text and "FB105" in text
    assert 'href="https://semianalysis.com/2025/01/31/deepseek-debates/"' in dom
    assert "<svg" in dom  # the chart is in the page


def test_page_is_self_contained(deepseek_report):
    page = render_html(deepseek_report)
    assert "<script" not in page
    assert "<link" not in page
    assert not re.search(r'\ssrc="(?!data:)', page), "something would be fetched to view it"
    assert "@import" not in page
    assert not re.search(r"url\((?!#)", page)  # only references inside the page


def test_text_is_escaped_and_sources_are_links():
    fleet = Fleet(
        [
            Sku(
                "H800",
                name="<b>x</b>",
                count="100 GPU",
                server_cost_per_gpu={
                    "value": "30k USD/GPU",
                    "source": "vendor list https://example.com/p?a=1&b=2",
                    "note": "<script>alert(1)</script>",
                },
            )
        ],
        name="A <fleet> & co",
    )
    page = render_html(build_report(fleet.run()))
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "A &lt;fleet&gt; &amp; co" in page
    assert '<a href="https://example.com/p?a=1&amp;b=2"' in page
    assert "flopbook default" in page  # defaults are marked as such


def test_sampled_results_show_intervals():
    with sampling(500, 3):
        fleet = Fleet([Sku("H100", count="8k to 12k GPU", server_cost_per_gpu="30k USD/GPU")])
        page = render_html(build_report(fleet.run()))
    assert "5th–95th percentile" in page
    assert "8,000 GPU to 12,000 GPU" in page
    # the interval under its mean, in smaller type
    assert re.search(r'\$[\d,.]+M<br><span class="range">\([\d,.]+–[\d,.]+\)</span>', page)


def test_any_chart_slots_in():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.hist([1, 2, 2, 3, 3, 3])
    chart = Chart.from_figure(fig, "A histogram", "from another module")
    plt.close(fig)
    report = build_report(
        Fleet([Sku("H100", count="10 GPU", server_cost_per_gpu="30k USD/GPU")]).run()
    )
    report.charts.append(chart)
    report.charts.append(Chart("A PNG", png=b"\x89PNG\r\n\x1a\n"))
    page = render_html(report)
    assert page.count("<figure>") == 3
    assert "data:image/png;base64," in page and "A histogram" in page
