"""How numbers look to a person: ``$1.60B``, ``14.3 MW``, ``$1.87/GPU-hour``.

Each unit a metric may have gets a display: a scale, a prefix and a suffix. Renderers use this;
models never format.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flopbook.quantity import Summary


@dataclass(frozen=True)
class Display:
    scale: float
    prefix: str
    suffix: str
    digits: int = 1


# Keyed by the metric unit (as written in the metric table).
DISPLAYS: dict[str, Display] = {
    "USD": Display(1e6, "$", "M"),
    "USD/year": Display(1e6, "$", "M/yr"),
    "USD/GPU": Display(1e3, "$", "k"),
    "USD/GPU/year": Display(1e3, "$", "k/yr"),
    "USD/GPU/hour": Display(1, "$", "", 2),
    "USD/(PFLOP/s*hour)": Display(1, "$", "", 2),
    "GPU": Display(1, "", "", 0),
    "MW": Display(1, "", " MW", 1),
    "W/GPU": Display(1, "", " W", 0),
    "GWh/year": Display(1, "", " GWh", 0),
    "GPU*hour/year": Display(1e6, "", "M", 1),
    "PFLOP/s": Display(1e3, "", " EFLOP/s", 2),
}

UNIT_LABELS: dict[str, str] = {
    "USD": "$M",
    "USD/year": "$M / year",
    "USD/GPU": "$k / GPU",
    "USD/GPU/year": "$k / GPU-year",
    "USD/GPU/hour": "$ / GPU-hour",
    "USD/(PFLOP/s*hour)": "$ / PFLOP/s-hour",
    "GPU": "GPUs",
    "MW": "MW",
    "W/GPU": "W / GPU",
    "GWh/year": "GWh / year",
    "GPU*hour/year": "M GPU-hours / year",
    "PFLOP/s": "EFLOP/s",
}


def number(x: float, digits: int = 1) -> str:
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "∞"
    return f"{x:,.{digits}f}"


def value(x: float, unit: str) -> str:
    d = DISPLAYS.get(unit)
    if d is None:
        return f"{x:,.4g} {unit}"
    sign = "-" if x < 0 else ""
    return f"{sign}{d.prefix}{number(abs(x) / d.scale, d.digits)}{d.suffix}"


def summary(s: Summary | None, unit: str, *, spread: bool = True, sep: str = " ") -> str:
    """A point value, or the mean with its 90% interval: ``$1.6B (1.4–1.8)``; ``sep="\n"``
    puts the interval on a line of its own (for narrow table cells)."""
    if s is None:
        return "—"
    text = value(s.mean, unit)
    if spread and not s.point:
        d = DISPLAYS.get(unit, Display(1, "", ""))
        lo = number(s.p5 / d.scale, d.digits)
        hi = number(s.p95 / d.scale, d.digits)
        text += f"{sep}({lo}–{hi})"
    return text


def compact_usd(x: float) -> str:
    """``1.6e9`` -> ``$1.60B``; for prose."""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            return f"${x / scale:,.2f}{suffix}"
    return f"${x:,.2f}"
