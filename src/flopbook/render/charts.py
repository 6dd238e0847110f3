"""Charts of results: an output's distribution (histogram and CDF) and a tornado.

Each function takes a result object and returns a matplotlib :class:`~matplotlib.figure.Figure`
(Agg canvas, no pyplot, no global state), so an HTML report can embed the same figures
(:data:`DRAWINGS`, :func:`chart_svg`); :func:`write_figure` saves one as PNG and SVG. Nothing
here computes the model.

    >>> fig = distribution_figure(result, "tco_per_year")
    >>> write_figure(fig, "plots", "tco_per_year-distribution")
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from flopbook import numbers
from flopbook.files import Outputs
from flopbook.models.fleet import TOTAL
from flopbook.models.fleet import metric as find_metric
from flopbook.quantity import Quantity, magnitudes, summarize
from flopbook.report.document import Chart

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from flopbook.models.fleet import FleetResult
    from flopbook.sensitivity import SobolResult, Tornado

FORMATS = ("png", "svg")
_BLUE, _ORANGE, _GREY = "#1f5fa6", "#d9822b", "#666666"


def _plain(text: str) -> str:
    """Text for matplotlib, which reads ``$…$`` as mathematics: dollar signs escaped, so that
    ``$35.0k–$44.9k/GPU`` keeps them."""
    return text.replace("$", r"\$")


def _figure(width: float = 8.0, height: float = 4.5) -> Figure:
    # matplotlib loads in about a second; only charts need it
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=120, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _axis_label(label: str, unit: str, typical: float) -> tuple[float, str]:
    """The scale to divide by and the axis label with its unit: ``TCO per year ($M / year)``."""
    scale, unit_label = numbers.axis(unit, typical)
    return scale, f"{label} ({unit_label})"


def distribution_figure(result: FleetResult, metric: str, column: str | None = None) -> Figure:
    """Histogram (with P5, P50, P95 and the mean marked) and CDF of one fleet output."""
    m = find_metric(metric)
    column = column or TOTAL
    value = result.get(metric, column)
    if value is None:
        raise ValueError(f"{column} has no {m.label}")
    title = f"{m.label}{'' if column == TOTAL else ' — ' + column}"
    if result.name:
        title += f" — {result.name}"
    return samples_figure(magnitudes(value, m.unit), m.label, m.unit, title)


def samples_figure(samples: np.ndarray, label: str, unit: str, title: str) -> Figure:
    """Histogram (with P5, P50, P95 and the mean marked) and CDF of any output's samples, in
    ``unit``: what :func:`distribution_figure` draws for a fleet, for any model."""
    x = np.asarray(samples, dtype=float)
    s = summarize(Quantity(x, unit), unit or None)
    scale, xlabel = _axis_label(label, unit, s.p50)
    xlabel = xlabel.removesuffix(" ()")  # a plain number has no unit to show
    x = x / scale
    fig = _figure(10, 4.2)
    hist, cdf = fig.subplots(1, 2)
    hist.hist(x, bins=min(80, max(10, int(np.sqrt(x.size)))), color=_BLUE, alpha=0.85)
    for val, name, style in (
        (s.p5, "P5", ":"),
        (s.p50, "P50", "--"),
        (s.p95, "P95", ":"),
        (s.mean, "mean", "-"),
    ):
        hist.axvline(
            val / scale,
            color=_ORANGE if name == "mean" else _GREY,
            linestyle=style,
            linewidth=1.2,
            label=_plain(f"{name} {numbers.value(val, unit)}"),
        )
    hist.set_xlabel(_plain(xlabel))
    hist.set_ylabel("samples")
    hist.set_title("Distribution")
    hist.legend(fontsize="small", frameon=False)
    ordered = np.sort(x)
    cdf.plot(ordered, np.arange(1, ordered.size + 1) / ordered.size, color=_BLUE)
    for p, val in ((0.05, s.p5), (0.5, s.p50), (0.95, s.p95)):
        cdf.axhline(p, color=_GREY, linestyle=":", linewidth=0.8)
        cdf.plot([val / scale], [p], "o", color=_ORANGE, markersize=4)
    cdf.set_xlabel(_plain(xlabel))
    cdf.set_ylabel("share of samples at or below")
    cdf.set_ylim(0, 1)
    cdf.set_title("Cumulative distribution")
    fig.suptitle(_plain(f"{title} ({s.samples:,} samples)"))
    return fig


def tornado_figure(t: Tornado, *, top: int = 12) -> Figure:
    """Horizontal bars: the output with each input at its P5 and at its P95."""
    bars = t.bars[:top][::-1]  # widest at the top
    scale, xlabel = _axis_label(t.label, t.unit, t.baseline)
    fig = _figure(9, 1.2 + 0.45 * max(1, len(bars)))
    ax = fig.subplots()
    base = t.baseline / scale
    for i, b in enumerate(bars):
        lo, hi = b.output_low / scale, b.output_high / scale
        ax.barh(
            i,
            lo - base,
            left=base,
            color=_BLUE,
            height=0.6,
            label="input at P5" if i == 0 else None,
        )
        ax.barh(
            i,
            hi - base,
            left=base,
            color=_ORANGE,
            height=0.6,
            label="input at P95" if i == 0 else None,
        )
    ax.set_yticks(
        range(len(bars)),
        [_plain(f"{b.label}\n{_input_range(b.low, b.high, b.unit)}") for b in bars],
        fontsize="small",
    )
    ax.axvline(base, color=_GREY, linewidth=1)
    ax.set_xlabel(_plain(xlabel))
    # two lines: a long label and the baseline would run past the figure's edge on one
    fig.suptitle(
        _plain(
            f"What moves {t.label}\neach input from P5 to P95, the others at "
            f"their median (baseline {numbers.value(t.baseline, t.unit)})"
        ),
        fontsize="medium",
    )
    ax.legend(fontsize="small", frameon=False, loc="lower right")
    return fig


def sobol_figure(s: SobolResult, *, top: int = 12) -> Figure:
    """First-order and total Sobol indices as paired bars with their confidence intervals."""
    idx = s.indices[:top][::-1]
    fig = _figure(9, 1.2 + 0.45 * max(1, len(idx)))
    ax = fig.subplots()
    y = np.arange(len(idx))
    ax.barh(
        y + 0.18,
        [i.total for i in idx],
        xerr=[i.total_conf for i in idx],
        height=0.36,
        color=_ORANGE,
        label="total (with interactions)",
    )
    ax.barh(
        y - 0.18,
        [i.first for i in idx],
        xerr=[i.first_conf for i in idx],
        height=0.36,
        color=_BLUE,
        label="first order (alone)",
    )
    ax.set_yticks(y, [_plain(i.label) for i in idx], fontsize="small")
    ax.set_xlim(0, 1.05)
    ax.set_xlabel(_plain(f"share of the variance of {s.label}"))
    ax.set_title(
        _plain(f"Sobol indices of {s.label} ({s.evaluations:,} model runs)"), fontsize="medium"
    )
    ax.legend(fontsize="small", frameon=False, loc="lower right")
    return fig


def fleet_costs_figure(result: FleetResult) -> Figure:
    """Capex by SKU, and yearly TCO by SKU split into capital cost and opex ($M): means over
    the samples where inputs are ranges."""
    cols = list(result.columns)

    def means(key: str) -> list[float]:
        out = []
        for c in cols:
            s = result.summary(key, c)
            out.append(0.0 if s is None else s.mean / 1e6)
        return out

    capex, capital, opex = means("capex"), means("capital_cost"), means("opex")
    fig = _figure(9, 3.6)
    left, right = fig.subplots(1, 2)
    bars = left.bar(cols, capex, color="#4C72B0")
    left.bar_label(bars, labels=[_plain(numbers.value(v * 1e6, "USD")) for v in capex], fontsize=8)
    left.set_title("Capex by SKU")
    left.set_ylabel(_plain("$M"))
    right.bar(cols, capital, color="#4C72B0", label=f"capital cost ({result.capital_cost})")
    tops = right.bar(cols, opex, bottom=capital, color="#DD8452", label="opex")
    right.bar_label(
        tops,
        labels=[
            _plain(numbers.value((a + b) * 1e6, "USD")) for a, b in zip(capital, opex, strict=True)
        ],
        fontsize=8,
    )
    right.set_title("TCO per year by SKU")
    right.set_ylabel(_plain("$M / year"))
    right.legend(fontsize=8, loc="upper right", frameon=False)
    for ax in (left, right):
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(y=0.15)
    return fig


# The figures a report's charts name (Chart.drawing), drawn when the page is rendered.
DRAWINGS: dict[str, Callable[..., Figure]] = {
    "samples": samples_figure,
    "tornado": tornado_figure,
    "sobol": sobol_figure,
    "fleet_costs": fleet_costs_figure,
}


def chart_svg(chart: Chart) -> str | None:
    """A report chart as inline SVG: the figure its ``drawing`` names, drawn from its
    ``data``; a chart drawn elsewhere keeps its own SVG (or has only PNG bytes: None)."""
    if chart.drawing is None:
        return chart.svg
    fig = DRAWINGS[chart.drawing](**chart.data)
    return Chart.from_figure(fig, chart.title).svg


def _input_range(low: float, high: float, unit: str) -> str:
    return "P5 to P95: " + numbers.interval(low, high, unit)


def write_figure(
    fig: Figure,
    directory: str | Path,
    stem: str,
    formats: Sequence[str] = FORMATS,
    *,
    outputs: Outputs | None = None,
) -> list[Path]:
    """Save ``fig`` as ``DIR/STEM.png`` and ``DIR/STEM.svg``; a file is either whole or
    absent (written beside, then renamed). Given ``outputs``, the files join that
    transaction and appear when it ends, with the command's other files."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    targets = [out / f"{stem}.{fmt}" for fmt in formats]
    with contextlib.nullcontext(outputs) if outputs is not None else Outputs() as staged:
        for fmt, target in zip(formats, targets, strict=True):

            def save(tmp: str, fmt: str = fmt) -> None:
                fig.savefig(tmp, format=fmt)

            staged.stage(target, save)
    return targets
