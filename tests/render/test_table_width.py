"""Tables fit an ordinary terminal: figures are never cut off, words wrap instead."""

import re

import pytest
from rich.console import Console

from flopbook.fleet_file import load_scenario
from flopbook.quantity import sampling
from flopbook.render.table import fleet_table


@pytest.mark.parametrize("width", [100, 120])
def test_the_example_fleet_fits_without_cutting_figures(width):
    from conftest import ROOT

    with sampling(300, 1):
        result = load_scenario(ROOT / "examples" / "fleet.yaml").run()
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(fleet_table(result))
    text = console.export_text()
    assert "…" not in text
    assert "Total" in text
    assert re.search(r"\$1\.\d\dB", text)  # the total capex, in full
