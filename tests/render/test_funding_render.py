"""The funding tables as a reader sees them in a terminal of a given width."""

import pytest
from rich.console import Console

from flopbook.cases import case
from flopbook.numbers import value
from flopbook.quantity import sampling
from flopbook.render.cases import print_case
from flopbook.render.funding import payer_table


@pytest.fixture(scope="module")
def high_flyer():
    with sampling(300, 1):
        return case("high-flyer")


@pytest.mark.parametrize("width", [100, 120])
def test_the_lifetime_total_is_shown_whole_at_common_widths(high_flyer, width):
    console = Console(width=width, record=True, highlight=False)
    print_case(high_flyer, console)
    text = console.export_text()
    payer = high_flyer.sections[0][1]
    lifetime = value(payer.summary("cash_available").mean, "USD")  # about $540M
    table = text[: text.index("Payer inputs")]
    assert "Total ┃" in table
    # the lifetime figure ends the Cash available row (the last one, when the years are
    # split over two tables), not cut to "$…"
    row = [line for line in table.splitlines() if "Cash available" in line][-1]
    total = row.split("│")[-2].split()
    assert total[0] == lifetime, row
    assert "…" not in table
    assert max(len(line) for line in text.splitlines()) <= width


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120, 200])
def test_no_year_and_no_total_is_dropped_at_any_width(high_flyer, width):
    console = Console(width=width, record=True, highlight=False)
    console.print(payer_table(high_flyer.sections[0][1]))
    text = console.export_text()
    for year in range(2017, 2025):
        assert f" {year} " in text
    assert text.count("Total ┃") == 1


def _significant(number: str) -> int:
    digits = number.replace(",", "").replace(".", "").lstrip("0")
    return len(digits)


def test_money_has_three_significant_digits_and_its_own_scale(high_flyer):
    import re

    from flopbook.models.funding_verdict import Spending, judge
    from flopbook.render.funding import spending_table, verdict_panel, yearly_table

    payer = high_flyer.sections[0][1]
    with sampling(300, 1):
        verdict = judge(
            payer, [Spending.from_capex("1.6B", 2023), Spending.from_capex("2k USD", 2021)]
        )
    console = Console(width=200, record=True, highlight=False)
    for part in (
        payer_table(payer),
        spending_table(verdict),
        yearly_table(verdict),
        verdict_panel(verdict),
    ):
        console.print(part)
    text = console.export_text()
    assert "$1.60B" in text and "$2.00k" in text
    money = re.findall(r"\$([\d,.]+)[kMBT]?(?: \(([\d,.]+)–([\d,.]+)\))?", text)
    assert len(money) > 50
    for found in money:
        for number in filter(None, found):
            assert number == "0" or _significant(number) == 3, found
