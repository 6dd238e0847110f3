"""How numbers look to a person: ``$1.60B``, ``14.3 MW``, ``$1.87/GPU-hour``.

Each unit a metric may have gets a display: a scale, a prefix and a suffix. Renderers use
this, and so do the few messages and case tables that quote a figure; it sits below the models
so that they can say a number without reaching up into the renderers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flopbook.calc import kind_of
from flopbook.digits import number, significant  # noqa: F401 - re-exported
from flopbook.quantity import Summary, magnitudes, registry, summarize, unit_name

if TYPE_CHECKING:
    import pint


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
    "USD/year": Display(_MONEY, "$", "/year"),
    "USD/GPU": Display(_MONEY, "$", ""),
    "USD/GPU/year": Display(_MONEY, "$", "/year"),
    "USD/GPU/hour": Display(((1.0, ""),), "$", "", 2),
    "USD/(PFLOP/s*hour)": Display(((1.0, ""),), "$", "", 2),
    "GPU": Display(((1.0, ""),), "", "", 0),
    "MW": Display(((1.0, ""),), "", " MW"),
    "W/GPU": Display(((1.0, ""),), "", " W", 0),
    "GWh/year": Display(((1.0, ""),), "", " GWh/year"),
    "GPU*hour/year": Display(((1e6, "M"),), "", ""),
    "GPU*hour": Display(((1e6, "M"),), "", ""),
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


MEAN_NOTE = "Uncertain inputs: mean (5th–95th percentile) over the samples."
MEDIANS_NOTE = (
    "Figures without a range are the model at the inputs' medians (the workbook's "
    "numbers), not means; figures with a range are means (5th–95th percentile) over "
    "the samples."
)


def statistic_note(at_medians: bool = False) -> str:
    """Which statistic a table shows, said once under it: every view labels its numbers."""
    return MEDIANS_NOTE if at_medians else MEAN_NOTE


def unit_label(unit: str) -> str:
    """A unit as a row label says it: ``$ / GPU-hour``, ``GPUs``, ``GPU-hour``."""
    return UNIT_LABELS.get(unit) or unit_text(unit)


def check_figures(published: float, model: float, unit: str) -> tuple[str, str]:
    """A published figure as it was written ($5.576M), and the model's answer to at least as
    many significant digits, so the two can be read against each other."""
    sig = significant(published)
    return amount(published, unit, sig=sig), amount(model, unit, sig=max(sig, 4))


def tolerance(tol: float | None) -> str:
    """``±3%``; small tolerances keep their digits (±0.1%, never ±0%)."""
    return "—" if tol is None else f"±{tol * 100:.4g}%"


def _scale(x: float, d: Display) -> tuple[float, str]:
    for factor, letter in d.scales:
        if abs(x) >= factor:
            return factor, letter
    return d.scales[-1]


# Units without a display of their own: millions and up take a letter (2.788M GPU·h), below
# a million the number is written out (3,806 MWh), and from 1e15 it is an exponent (3.29e24
# FLOP), the way compute is usually quoted.
_COUNT = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1.0, ""))
_EXPONENT_FROM = 1e15


def display(unit: str, *, own: bool = False) -> Display:
    """How ``unit`` is shown: its entry in DISPLAYS, else one made from the unit's text
    (``USD/GPU/h`` -> ``$2.00/GPU/h``, ``%`` -> ``16.5%``, ``token`` -> ``1.23M token``).
    ``own``: stay in the unit asked for (2,025 PFLOP/s, not 2.03 EFLOP/s)."""
    if unit in DISPLAYS and not (own and DISPLAYS[unit].prefix != "$"):
        return DISPLAYS[unit]
    if unit.startswith("USD"):
        return Display(_MONEY, "$", unit[3:])
    if unit == "%":
        return Display(((1.0, ""),), "", "%")
    return Display(_COUNT, "", f" {unit}" if unit else "")


def value(x: float, unit: str, *, sig: int | None = None, own: bool = False) -> str:
    """``x`` in ``unit`` as a person reads it; ``sig`` significant digits (default: the
    unit's own display, three significant digits for most); ``own`` as in :func:`display`."""
    d = display(unit, own=own)
    if not math.isfinite(x):
        return number(x)
    if d.scales is _COUNT and abs(x) >= _EXPONENT_FROM:
        mantissa, _, exponent = f"{x:.{(sig or 3) - 1}e}".partition("e")
        return f"{mantissa}e{int(exponent)}{d.suffix}"
    factor, letter = _scale(x, d)
    digits = d.digits if sig is None else None
    if d.prefix != "$" and float(abs(x) / factor).is_integer():
        digits = 0  # a count as written: 32, 37B, not 32.0, 37.0B
    shown = number(abs(x) / factor, digits, sig=sig or 3)
    sign = "-" if x < 0 and shown.strip("0.,") else ""
    return f"{sign}{d.prefix}{shown}{letter}{d.suffix}"


def summary(
    s: Summary | None,
    unit: str,
    *,
    spread: bool = True,
    sep: str = " ",
    sig: int | None = None,
    own: bool = False,
    per: str = "",
) -> str:
    """A point value, or the mean with its 90% interval: ``$1.60B (1.40–1.80)``;
    ``sep="\n"`` puts the interval on a line of its own (for narrow table cells); ``per`` is
    written after the value (``/GPU``)."""
    if s is None:
        return "—"
    ref = max(abs(s.p5), abs(s.p95))
    near_zero = not s.point and abs(s.mean) * 10 < ref and math.isfinite(ref)
    if near_zero:
        # a mean near zero inside a wide interval is shown to the interval's digits
        # (-0.0%, not -0.003814%)
        d = display(unit, own=own)
        factor, letter = _scale(ref, d)
        decimals = max(0, (sig or 3) - 1 - math.floor(math.log10(ref / factor)))
        shown = number(s.mean / factor, decimals)
        sign = "-" if shown.startswith("-") else ""
        text = f"{sign}{d.prefix}{shown.lstrip('-')}{letter}{d.suffix}" + per
    else:
        text = value(s.mean, unit, sig=sig, own=own) + per
    if spread and not s.point:
        d = display(unit, own=own)
        if d.scales is _COUNT and abs(s.mean) >= _EXPONENT_FROM:
            lo, hi = (value(x, "", sig=sig) for x in (s.p5, s.p95))
        else:
            factor, _ = _scale(ref if near_zero else s.mean, d)
            digits = d.digits if sig is None else None
            lo = number(s.p5 / factor, digits, sig=sig or 3)
            hi = number(s.p95 / factor, digits, sig=sig or 3)
        text += f"{sep}({lo}–{hi})"
    return text


def interval(low: float, high: float, unit: str) -> str:
    """Two ends in one scale, three significant digits: ``$34.9k – $45.0k/GPU``."""
    if unit.startswith("USD"):
        factor, letter = _scale(max(abs(low), abs(high)), Display(_MONEY, "$", ""))
        return f"${number(low / factor)}{letter} – ${number(high / factor)}{letter}{unit[3:]}"
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
    """``1.6e9`` -> ``$1.60B``, ``-1.15e9`` -> ``-$1.15B``; for prose."""
    sign = "-" if x < 0 else ""
    a = abs(x)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= scale:
            return f"{sign}${a / scale:,.2f}{suffix}"
    return f"{sign}${a:,.2f}"


# ---- a quantity as text, four significant digits ---------------------------------------

# Workload figures are shown to four significant digits, so that a published figure
# ($5.576M, 2.788M GPU-hour) can be read against them.
SIG = 4


def unit_text(unit: str) -> str:
    """A unit in its one spelling (``GPU·h`` and ``GPU*hour`` -> ``GPU-hour``)."""
    try:
        return unit_name(unit)
    except Exception:  # noqa: BLE001 - text that is no unit is shown as written
        return unit


def summary_text(
    s: Summary,
    *,
    share: bool = False,
    sig: int = SIG,
    own: bool = False,
    sep: str = " ",
    per: bool = True,
) -> str:
    """A quantity on its own (not under a labelled row): money keeps its denominator
    (``$30.00k/GPU``, ``$2.000/GPU-hour``). ``share``: a plain number as a percentage (MFU,
    margin); ``own``: in the unit asked for, never rescaled; ``per=False``: under a row
    label that names the unit, the denominator is left to the label ($33.93M, not
    $33.93M/year)."""
    if (s.unit == "" and share) or s.unit.startswith("1/"):
        # a share, and a rate such as a return (1/year), read as percentages: 37.09%/year
        rate = s.unit[1:] if per else ""
        s = Summary("%", s.mean * 100, s.p5 * 100, s.p50 * 100, s.p95 * 100, s.samples)
        return summary(s, "%", sig=sig, own=own, per=rate, sep=sep)
    unit = unit_text(s.unit)
    if not own:
        s = _on_ladder(s, unit)
        unit = s.unit
    if unit.startswith("USD/"):
        # a money rate alone says what it is per; DISPLAYS drops it under a labelled row
        return summary(s, "USD", sig=sig, own=own, per=unit[3:] if per else "", sep=sep)
    # alone, a figure names its unit (2,048 GPU), which a labelled table row leaves out
    return summary(s, unit, sig=sig, own=True, sep=sep)


# Energies and powers by their size, whatever unit the model keeps them in: 3.806 GWh and
# 68.69 kWh, never 3,806 MWh beside 0.06869 MWh; the same in every view.
_SCALES = (
    {"Wh": 1.0, "kWh": 1e3, "MWh": 1e6, "GWh": 1e9, "TWh": 1e12},
    {"W": 1.0, "kW": 1e3, "MW": 1e6, "GW": 1e9},
)


def _on_ladder(s: Summary, unit: str) -> Summary:
    for ladder in _SCALES:
        if unit in ladder:
            base = abs(s.mean) * ladder[unit]
            fits = [u for u, f in ladder.items() if base >= f]
            chosen = fits[-1] if fits else next(iter(ladder))
            k = ladder[unit] / ladder[chosen]
            return Summary(chosen, s.mean * k, s.p5 * k, s.p50 * k, s.p95 * k, s.samples)
    return Summary(unit, s.mean, s.p5, s.p50, s.p95, s.samples)


def amount(
    x: float,
    unit: str,
    *,
    share: bool = False,
    sig: int | None = SIG,
    as_written: bool = False,
    per: bool = True,
) -> str:
    """One number on its own, in its unit: ``$5.576M``, ``2.788M GPU-hour``, ``16.5%``,
    ``$2.000/GPU-hour``, ``37B``. ``as_written``: as many significant digits as the number
    has (an input shown as the user wrote it: 1.3, not 1.300)."""
    if as_written:
        # money keeps its cents ($2.50, not $2.5)
        sig = max(3, significant(x)) if unit.startswith("USD") else significant(x)
    return summary_text(Summary(unit, x, x, x, x, 1), share=share, sig=sig or SIG, per=per)


# Units a quantity of each kind is shown in when no unit is asked for (smallest first).
_LADDERS = {
    "an energy": ("Wh", "kWh", "MWh", "GWh", "TWh"),
    "a power": ("W", "kW", "MW", "GW"),
}
# Units a mixed-scale unit is reduced to (pint's to_preferred picks the combination).
_PREFERRED = (
    "USD",
    "CNY",
    "GPU",
    "FLOP",
    "token",
    "query",
    "request",
    "node",
    "byte",
    "W",
    "Wh",
    "hour",
)


def _mixed(units: pint.Unit) -> bool:
    """True when two of the units measure the same base dimension (``MW·h/kWh``,
    ``s·W``): the product has a simpler name."""
    ureg = registry()
    seen: set[str] = set()
    for name in units._units:  # noqa: SLF001 - pint's Unit has no public items()
        dims = set(dict(ureg.Unit(name).dimensionality))
        if dims & seen:
            return True
        seen |= dims
    return False


def readable(value: pint.Quantity) -> pint.Quantity:
    """``value`` in units a person reads: same-kind units reduced (``30 day * 24 hour/day`` is
    720 hour), mixed scales of one kind cancelled (``MW·h·USD/kWh`` is USD), energies and
    powers on a ladder (6.136 MWh, not 6,136,200 Wh); a unit already plain is kept."""
    if value.dimensionless:
        return value
    value = value.to_reduced_units()
    if _mixed(value.units):
        ureg = registry()
        value = value.to_preferred([ureg.Unit(u) for u in _PREFERRED])
    unit = display_unit(value)
    return value.to(unit) if unit is not None else value


def display_unit(value: pint.Quantity) -> str | None:
    """A readable unit for an energy or a power (``3,500 s·W`` -> ``Wh``), or None to keep
    its own."""
    ladder = _LADDERS.get(kind_of(value))
    if ladder is None:
        return None
    chosen = ladder[0]
    for unit in ladder:
        if abs(float(magnitudes(value, unit).mean())) >= 1:
            chosen = unit
    return chosen


def quantity_text(
    value: pint.Quantity | None, unit: str | None = None, *, share: bool = False
) -> str:
    """A quantity as one reads it alone: ``$35.06M``, ``720 hour``, ``$30.00k/GPU``."""
    if value is None:
        return "—"
    if unit is None or display_unit(value) is not None:
        # an energy or a power on its ladder (68.69 kWh, not 0.06869 MWh)
        return summary_text(summarize(readable(value)), share=share)
    return summary_text(summarize(value, unit), share=share)
