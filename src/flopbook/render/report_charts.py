"""Small charts for reports (matplotlib, drawn off-screen): what a fleet costs, by SKU.

Charts here read results and draw; they compute nothing. Any matplotlib figure can join a
report through :meth:`flopbook.report.document.Chart.from_figure`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flopbook.models.fleet import FleetResult
    from flopbook.report.document import Chart


def fleet_charts(result: FleetResult, title: str = "") -> list[Chart]:
    """Capex by SKU, and yearly TCO by SKU split into capital cost and opex ($M)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from flopbook.report.document import Chart

    cols = list(result.columns)

    def means(key: str, unit: str) -> list[float]:
        out = []
        for c in cols:
            s = result.summary(key, c)
            out.append(0.0 if s is None else s.mean / unit_scale[unit])
        return out

    unit_scale = {"USD": 1e6, "USD/year": 1e6}
    capex = means("capex", "USD")
    capital = means("capital_cost", "USD/year")
    opex = means("opex", "USD/year")
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6), constrained_layout=True)
    bars = left.bar(cols, capex, color="#4C72B0")
    left.bar_label(bars, labels=[f"${v:,.0f}M" for v in capex], fontsize=8)
    left.set_title("Capex by SKU")
    left.set_ylabel("$M")
    right.bar(cols, capital, color="#4C72B0", label=f"capital cost ({result.capital_cost})")
    tops = right.bar(cols, opex, bottom=capital, color="#DD8452", label="opex")
    right.bar_label(tops, labels=[f"${a + b:,.0f}M" for a, b in zip(capital, opex,
                                                                      strict=True)], fontsize=8)
    right.set_title("TCO per year by SKU")
    right.set_ylabel("$M / year")
    right.legend(fontsize=8, loc="upper right", frameon=False)
    for ax in (left, right):
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(y=0.15)
    chart = Chart.from_figure(
        fig, f"What {title or result.name or 'the fleet'} costs, by SKU",
        "Means over the samples where inputs are ranges. TCO = capital cost + opex.")
    plt.close(fig)
    return [chart]
