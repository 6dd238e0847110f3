"""The funding tables as a reader sees them in a terminal of a given width."""

import pytest
from rich.console import Console

from flopbook.cases import case
from flopbook.quantity import sampling
from flopbook.render.cases import print_case
from flopbook.render.funding import payer_table
from flopbook.render.numbers import value


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
    table = text[:text.index("Payer inputs")]
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
