"""The charts a report of a model kind shows beside its tables (``CHARTS``, gathered by
:data:`flopbook.report.kinds.CHARTS`).

A chart here is a request: its title, its caption, and the figure of
:mod:`flopbook.render.charts` that draws it from the result when the page is rendered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flopbook.report.document import Chart

if TYPE_CHECKING:
    from flopbook.models.fleet import FleetResult


def fleet_charts(result: FleetResult, title: str = "") -> list[Chart]:
    """Capex by SKU, and yearly TCO by SKU split into capital cost and opex ($M)."""
    return [
        Chart(
            f"What {title or result.name or 'the fleet'} costs, by SKU",
            caption="Means over the samples where inputs are ranges. TCO = capital cost + opex.",
            drawing="fleet_costs",
            data={"result": result},
        )
    ]


# registered: report.kinds.CHARTS gathers this
CHARTS = {"fleet": fleet_charts}
