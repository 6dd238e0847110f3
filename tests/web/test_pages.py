"""The web app in a real browser: open, edit, recompute, audit, download; keyboard and
screen readers; bad input shown in the page, and the server still running afterwards."""

from __future__ import annotations

import io
import re
import urllib.error
import urllib.request
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "examples" / "deepseek-semianalysis.xlsx"


def _total(page, key: str) -> str:  # noqa: ANN001 - a Playwright Page
    return page.locator(f'#results-table tr[data-key="{key}"] td.num').last.inner_text()


def test_a_case_edited_recomputes(page, server) -> None:  # noqa: ANN001
    page.goto(server.base + "/?case=deepseek-2048-h800")
    before = _total(page, "gpus")
    assert "2,048" in before or "2048" in before
    text = page.locator("#text")
    edited = text.input_value().replace("2048", "4096")
    assert edited != text.input_value()
    with page.expect_response(lambda r: r.url.endswith("/run")):
        text.fill(edited)
    page.wait_for_function(
        "() => !document.querySelector('#results-table tr[data-key=gpus]')"
        ".innerText.includes('2,048')"
    )
    after = _total(page, "gpus")
    assert after != before and ("4,096" in after or "4096" in after)


def test_results_have_units_and_percentiles(page) -> None:  # noqa: ANN001
    table = page.locator("#results-table")
    assert "P5" in table.inner_text() and "P95" in table.inner_text()
    assert page.locator('#results-table tr[data-key="capex"] td.unit').inner_text() != ""


def test_distribution_and_tornado_on_demand(page) -> None:  # noqa: ANN001
    page.select_option("#output", "tco_per_year")
    page.get_by_role("button", name="Show its distribution").click()
    page.wait_for_selector("#chart svg")
    page.get_by_role("button", name=re.compile("What moves it")).click()
    page.wait_for_selector("#chart table")
    assert "Sobol" in page.locator("#chart").inner_text()


def test_invalid_yaml_is_one_line_at_its_line(page, server) -> None:  # noqa: ANN001
    page.locator("#text").fill("name: x\nskus: [\n")
    alert = page.get_by_role("alert")
    alert.wait_for()
    line = alert.locator(".line").inner_text()
    assert "not valid YAML" in line and "\n" not in line
    assert re.search(r"fleet\.yaml:\d+:", line)
    assert server.running


def test_the_deepseek_workbook_has_its_six_findings(page, server) -> None:  # noqa: ANN001
    page.goto(server.base + "/audit")
    page.set_input_files("#book", str(BOOK))
    page.get_by_role("button", name="Audit it").click()
    page.wait_for_selector("#findings")
    assert page.locator("#findings > li").count() == 6
    assert "6 findings" in page.locator("#audit-h").inner_text()
    assert page.locator("table.grid td.flagged").count() >= 6
    with page.expect_download() as got:
        page.locator("#fixed").click()
    assert got.value.suggested_filename.endswith("-fixed.xlsx")
    fixed = openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
    comments = [c for ws in fixed for row in ws.iter_rows() for c in row if c.comment]
    assert comments and all("flopbook" in c.comment.text for c in comments)


def test_a_hostile_upload_is_refused_in_the_page(page, server, tmp_path) -> None:  # noqa: ANN001
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(b"PK\x03\x04" + b"\x00" * 200)  # a zip that is not one
    page.goto(server.base + "/audit")
    page.set_input_files("#book", str(bomb))
    page.get_by_role("button", name="Audit it").click()
    line = page.get_by_role("alert").locator(".line").inner_text()
    assert line.startswith("bomb.xlsx:") and "\n" not in line
    assert server.running


def test_a_path_outside_the_folder_is_refused(page, server) -> None:  # noqa: ANN001
    page.goto(server.base + "/?file=../../etc/passwd")
    line = page.get_by_role("alert").locator(".line").inner_text()
    assert "outside the folder" in line
    page.goto(server.base + "/")
    page.fill("#save_as", "../escape.yaml")
    page.get_by_role("button", name="Save", exact=True).click()
    assert "outside the folder" in page.locator("#saved .line").inner_text()
    assert not (server.folder.parent / "escape.yaml").exists()
    assert server.running


def test_the_workbook_download_has_live_formulas(page) -> None:  # noqa: ANN001
    with page.expect_download() as got:
        page.get_by_role("button", name=re.compile("Workbook")).click()
    assert got.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
    formulas = [
        c.value
        for ws in book
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert len(formulas) > 20


def test_save_and_reopen_link(page, server) -> None:  # noqa: ANN001
    page.fill("#save_as", "saved-fleet.yaml")
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator("#saved .ok").wait_for()
    assert (server.folder / "saved-fleet.yaml").read_text() == page.locator("#text").input_value()
    link = page.locator("#reopen").get_attribute("href")
    page.goto(server.base + link)
    assert page.locator("#results-table").count() == 1


def test_keyboard_only(page) -> None:  # noqa: ANN001
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
    assert "open-file" in seen and "text" in seen


def test_every_control_has_a_label(page, server) -> None:  # noqa: ANN001
    for path in ("/", "/audit", "/claims", "/compare"):
        page.goto(server.base + path)
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input, select, textarea')]
                .filter(e => e.type !== 'hidden')
                .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
                .map(e => e.name)"""
        )
        assert unlabelled == [], path
        assert page.locator("main h1").count() == 1
        assert page.locator("nav[aria-label]").count() == 1


def test_a_case_page_has_checks_and_a_conclusion(page, server) -> None:  # noqa: ANN001
    page.goto(server.base + "/cases/deepseek-semianalysis")
    assert page.locator("#checks tbody tr").count() > 0
    assert len(page.locator("#conclusion").inner_text()) > 20


def test_a_claim_is_judged(page, server) -> None:  # noqa: ANN001
    page.goto(server.base + "/claims")
    page.fill("#expression", "5 s * H100.tdp")
    page.fill("#claimed", "0.3 Wh")
    page.get_by_role("button", name="Check it").click()
    assert "off by" in page.get_by_role("status").inner_text()


def test_no_token_no_page(server) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server.base + "/catalog", timeout=30)
    assert refused.value.code == 403


def test_the_form_edits_one_value_in_the_text(page, server) -> None:  # noqa: ANN001
    page.goto(server.base + "/?file=fleet.yaml")
    before = _total(page, "gpus")
    count = page.get_by_label(re.compile("^GPUs")).first
    count.fill("20k GPU")
    count.press("Enter")
    page.wait_for_function("() => document.querySelector('#text').value.includes('count: 20k GPU')")
    page.wait_for_function(
        "b => document.querySelector('#results-table tr[data-key=gpus] td.num:last-child')"
        ".innerText !== b",
        arg=before,
    )
    text = page.locator("#text").input_value()
    assert "# A fleet scenario" in text  # the comments are kept
    assert _total(page, "gpus") != before


def test_two_scenarios_side_by_side(page, server) -> None:  # noqa: ANN001
    page.goto(server.base + "/compare?a=fleet.yaml&b=fleet.yaml")
    page.wait_for_selector("#differences")
    assert page.locator("#differences tr.moved").count() == 0  # the same file twice
    b = page.locator("#text_b")
    b.fill(b.input_value().replace("count: 16k GPU", "count: 20k GPU"))
    page.wait_for_selector("#differences tr.moved")
    assert "1.14×" in page.locator("#differences").inner_text()  # 32,096 / 28,096 GPUs
