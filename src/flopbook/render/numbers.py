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
    """How one unit is shown: ``scales`` are (factor, prefix letter) pairs tried from the
    largest down (one pair: a fixed scale); ``digits`` None means three significant
    digits."""

    scales: tuple[tuple[float, str], ...]
    prefix: str
    suffix: str
    digits: int | None = None


_MONEY = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"), (1.0, ""))
_FLOPS = ((1e3, " EFLOP/s"), (1.0, " PFLOP/s"), (1e-3, " TFLOP/s"))

# Keyed by the metric unit (as written in the metric table). Money and compute pick their
# scale from the value, so a cell says "$1.60B" or "$731M" and the row label names no scale.
DISPLAYS: dict[str, Display] = {
    "USD": Display(_MONEY, "$", ""),
    "USD/year": Display(_MONEY, "$", "/yr"),
    "USD/GPU": Display(_MONEY, "$", ""),
    "USD/GPU/year": Display(_MONEY, "$", "/yr"),
    "USD/GPU/hour": Display(((1.0, ""),), "$", "", 2),
    "USD/(PFLOP/s*hour)": Display(((1.0, ""),), "$", "", 2),
    "GPU": Display(((1.0, ""),), "", "", 0),
    "MW": Display(((1.0, ""),), "", " MW"),
    "W/GPU": Display(((1.0, ""),), "", " W", 0),
    "GWh/year": Display(((1.0, ""),), "", " GWh/yr"),
    "GPU*hour/year": Display(((1e6, "M"),), "", ""),
    "PFLOP/s": Display(_FLOPS, "", ""),
}

UNIT_LABELS: dict[str, str] = {
    "USD": "$",
    "USD/year": "$ / year",
    "USD/GPU": "$ / GPU",
    "USD/GPU/year": "$ / GPU-year",
    "USD/GPU/hour": "$ / GPU-hour",
    "USD/(PFLOP/s*hour)": "$ / PFLOP/s-hour",
    "GPU": "GPUs",
    "MW": "MW",
    "W/GPU": "W / GPU",
    "GWh/year": "GWh / year",
    "GPU*hour/year": "M GPU-hours / year",
    "PFLOP/s": "FLOP/s, dense",
}


def number(x: float, digits: int | None = None) -> str:
    """``digits`` decimals, or three significant digits (never an exponent)."""
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "∞"
    if digits is None:
        a = abs(x)
        digits = 0 if a == 0 or a >= 100 else 2 - math.floor(math.log10(a))
        digits = min(digits, 12)
    return f"{x:,.{digits}f}"


def _scale(x: float, d: Display) -> tuple[float, str]:
    for factor, letter in d.scales:
        if abs(x) >= factor:
            return factor, letter
    return d.scales[-1]


def value(x: float, unit: str) -> str:
    d = DISPLAYS.get(unit)
    if d is None:
        return f"{x:,.4g} {unit}"
    factor, letter = _scale(x, d)
    sign = "-" if x < 0 else ""
    return f"{sign}{d.prefix}{number(abs(x) / factor, d.digits)}{letter}{d.suffix}"


def summary(s: Summary | None, unit: str, *, spread: bool = True, sep: str = " ") -> str:
    """A point value, or the mean with its 90% interval: ``$1.60B (1.40–1.80)``;
    ``sep="\n"`` puts the interval on a line of its own (for narrow table cells)."""
    if s is None:
        return "—"
    text = value(s.mean, unit)
    if spread and not s.point:
        d = DISPLAYS.get(unit, Display(((1.0, ""),), "", ""))
        factor, _ = _scale(s.mean, d)
        lo = number(s.p5 / factor, d.digits)
        hi = number(s.p95 / factor, d.digits)
        text += f"{sep}({lo}–{hi})"
    return text


def interval(low: float, high: float, unit: str) -> str:
    """Two ends in one scale, three significant digits: ``$34.9k – $45.0k/GPU``."""
    if unit.startswith("USD"):
        factor, letter = _scale(max(abs(low), abs(high)), Display(_MONEY, "$", ""))
        return (f"${number(low / factor)}{letter} – ${number(high / factor)}{letter}"
                f"{unit[3:]}")
    d = DISPLAYS.get(unit)
    if d is not None:
        return f"{value(low, unit)} – {value(high, unit)}"
    return f"{number(low)} – {number(high)}" + (f" {unit}" if unit else "")


def axis(unit: str, typical: float) -> tuple[float, str]:
    """One scale for a whole axis, chosen from a typical value: ``(1e6, "$M / year")``."""
    d = DISPLAYS.get(unit)
    label = UNIT_LABELS.get(unit, unit)
    if d is None:
        return 1.0, label
    factor, letter = _scale(typical, d)
    if d.prefix == "$":
        return factor, "$" + letter + label[1:]
    if d.scales is _FLOPS:
        return factor, letter.strip() + ", dense"
    return factor, label


def compact_usd(x: float) -> str:
    """``1.6e9`` -> ``$1.60B``; for prose."""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            return f"${x / scale:,.2f}{suffix}"
    return f"${x:,.2f}"
