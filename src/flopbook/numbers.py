"""How numbers look to a person: ``$1.60B``, ``14.3 MW``, ``$1.87/GPU-hour``.

Each unit a metric may have gets a display: a scale, a prefix and a suffix. Renderers use
this, and so do the few messages and case tables that quote a figure; it sits below the models
so that they can say a number without reaching up into the renderers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from pint.util import UnitsContainer

from flopbook.calc import kind_of
from flopbook.digits import number, significant  # noqa: F401 - re-exported
from flopbook.quantity import (
    Summary,
    magnitudes,
    parse_unit,
    registry,
    summarize,
    unit_name,
)

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
    "GPU*hour/year": "GPU-hours / year",
    "PFLOP/s": "FLOP/s, dense",
    # the cells carry the scale (22.5T token/year), so the label names none
    "Mtoken/year": "tokens / year",
}


@lru_cache(maxsize=256)
def declared_unit(unit: str) -> str:
    """The metric table's spelling of ``unit`` (the key of DISPLAYS), from any spelling:
    JSON writes ``USD/GPU-hour`` for the table's ``USD/GPU/hour``; else ``unit``."""
    if unit in DISPLAYS:
        return unit
    name = unit_text(unit)
    return next((k for k in DISPLAYS if unit_text(k) == name), unit)


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


# Scale prefixes a unit may lead with, and what they multiply by.
_PREFIXES = {"k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}


@lru_cache(maxsize=256)
def _prefixed(unit: str) -> tuple[float, str, str] | None:
    """``Mtoken/year`` -> ``(1e6, "token", "/year")``: a unit whose first part carries a
    scale prefix, split into the prefix's factor, the unit under it and the rest; else None
    (``GPU`` is no giga-PU)."""
    head = unit
    for i, ch in enumerate(unit):
        if ch in "/*· ":
            head = unit[:i]
            break
    rest = unit[len(head) :]
    base = head[1:]
    if head[:1] not in _PREFIXES or not base:
        return None
    try:
        parses = registry().parse_unit_name(head)
        if not parses or not parses[0][0] or _factor(base, head) != _PREFIXES[head[0]]:
            return None
    except Exception:  # noqa: BLE001 - text that is no unit keeps its letters
        return None
    return _PREFIXES[head[0]], base, rest


@lru_cache(maxsize=256)
def _ladder_of(unit: str) -> tuple[str, ...] | None:
    """The ladder ``unit`` is a rung of, in any spelling (``B`` is ``byte``), or None."""
    for ladder in (*_BITS.values(), *_LADDERS.values()):
        for rung in ladder:
            try:
                if rung == unit or _factor(rung, unit) == 1.0:
                    return ladder
            except Exception:  # noqa: BLE001, S112 - another dimension: not this ladder
                continue
    return None


def _one_scale(typical: float, unit: str) -> tuple[float, str]:
    """A factor and a unit that show ``typical`` with one scale, never two: a figure that
    would take a letter in a prefixed unit (22.5M Mtoken/year) moves the prefix into the
    number (22.5T token/year), or up its unit's ladder (3.50 TWh, not 3.5M MWh)."""
    split = _prefixed(unit)
    if split is None or display(unit).scales is not _COUNT or abs(typical) < _COUNT[-2][0]:
        return 1.0, unit
    factor, base, rest = split
    # the whole unit on a ladder (TFLOP/s: FLOP/s), else its first part (MWh/year: Wh)
    for whole, tail in ((base + rest, ""), (base, rest)):
        ladder = _ladder_of(whole)
        if ladder is not None:
            rungs = {u: typical * factor * _factor(u, whole) for u in ladder}
            chosen = _rung(rungs, "")
            if abs(rungs[chosen]) >= _COUNT[-2][0]:  # above the top rung: an exponent
                chosen = ladder[0]
            return rungs[chosen] / typical, chosen + tail
    return factor, base + rest


def value(x: float, unit: str, *, sig: int | None = None, own: bool = False) -> str:
    """``x`` in ``unit`` as a person reads it; ``sig`` significant digits (default: the
    unit's own display, three significant digits for most); ``own`` as in :func:`display`.
    A unit's own scale and the number's are never both shown (:func:`_one_scale`)."""
    if not math.isfinite(x):
        return number(x)
    k, unit = _one_scale(x, unit)
    x *= k
    d = display(unit, own=own)
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
    k, unit = _one_scale(s.mean, unit)
    if k != 1.0:
        s = Summary(unit, s.mean * k, s.p5 * k, s.p50 * k, s.p95 * k, s.samples)
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
            if _scale(ref, d)[0] != factor:
                # ends on another scale than the mean say theirs: $301k (-1.55M–2.34M), not
                # (-1,554–2,339), which reads as dollars
                lo, hi = (_scaled_end(x, d, digits, sig) for x in (s.p5, s.p95))
            else:
                lo = number(s.p5 / factor, digits, sig=sig or 3)
                hi = number(s.p95 / factor, digits, sig=sig or 3)
        text += f"{sep}({lo}–{hi})"
    return text


def _scaled_end(x: float, d: Display, digits: int | None, sig: int | None) -> str:
    """One end of an interval with its own scale letter: ``-1.55M``, ``304M``."""
    factor, letter = _scale(x, d)
    return number(x / factor, digits, sig=sig or 3) + letter


def share(s: Summary | None, *, sep: str = " ") -> str:
    """A share as a percentage to one decimal, with its interval when it is uncertain:
    ``64.2% (55.1%–73.0%)``."""
    if s is None:
        return "—"
    if s.point:
        return f"{s.mean:.1%}"
    return f"{s.mean:.1%}{sep}({s.p5:.1%}–{s.p95:.1%})"


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
    # the axis shows numbers divided by its scale, so the scale joins the label (M GPU-hours)
    return factor, f"{letter} {label}" if letter else label


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


def _on_ladder(s: Summary, unit: str) -> Summary:
    """A summary moved to the rung of its unit's ladder that reads best (3.806 GWh and 68.69
    kWh, never 3,806 MWh beside 0.06869 MWh); the same choice as :func:`readable`'s."""
    head, slash, per = unit.partition("/")
    if slash and head and not any(head in r for r in (*_LADDERS.values(), *_BITS.values())):
        slash = ""
    if slash:  # an energy per something keeps its denominator: 68.69 kWh/day, not 2.862 kW
        moved = _on_ladder(Summary(head, s.mean, s.p5, s.p50, s.p95, s.samples), head)
        return Summary(f"{moved.unit}/{per}", moved.mean, moved.p5, moved.p50, moved.p95, s.samples)
    kind, ladder = next(
        ((k, rungs) for k, rungs in (*_LADDERS.items(), *_BITS.items()) if unit in rungs),
        ("", None),
    )
    if ladder is None:
        return Summary(unit, s.mean, s.p5, s.p50, s.p95, s.samples)
    factors = {u: _factor(u, unit) for u in ladder}
    values = {u: s.mean * f for u, f in factors.items()}
    chosen = _rung(values, unit, keep=kind not in _STRICT)
    k = factors[chosen]
    return Summary(chosen, s.mean * k, s.p5 * k, s.p50 * k, s.p95 * k, s.samples)


@lru_cache(maxsize=1024)
def _factor(to: str, unit: str) -> float:
    """How many ``to`` one ``unit`` is."""
    return float(registry().Quantity(1.0, parse_unit(unit)).to(parse_unit(to)).magnitude)


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


# The units a quantity of each kind is shown in when no unit is asked for, smallest first:
# the largest in which it is at least 1 is chosen (6.136 MWh, 2.025 EFLOP/s, 18.00 TB). An
# amount of computation is always in FLOP (3.29e24 FLOP), the way it is quoted.
_LADDERS: dict[str, tuple[str, ...]] = {
    "an energy": ("Wh", "kWh", "MWh", "GWh", "TWh"),
    "a power": ("W", "kW", "MW", "GW", "TW"),
    "an amount of data": ("byte", "kB", "MB", "GB", "TB", "PB", "EB"),
    "a bandwidth": ("byte/s", "kB/s", "MB/s", "GB/s", "TB/s", "PB/s"),
    "an amount of computation (FLOP)": ("FLOP",),
    "a compute rate (FLOP/s)": ("FLOP/s", "GFLOP/s", "TFLOP/s", "PFLOP/s", "EFLOP/s", "ZFLOP/s"),
    "a compute rate per GPU (FLOP/s/GPU)": ("GFLOP/s/GPU", "TFLOP/s/GPU", "PFLOP/s/GPU"),
    "a time": ("s", "min", "hour", "day", "year"),
}
# Data written in bits stays in bits (a network link's 400 Gbit/s).
_BITS = {
    "an amount of data": ("bit", "kbit", "Mbit", "Gbit", "Tbit", "Pbit"),
    "a bandwidth": ("bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s", "Pbit/s"),
}
# A price per token is per million tokens once it is below a cent ($2.000/Mtoken): its
# ladder runs the other way, and the first rung on which it reaches a cent is chosen. A cost
# of compute likewise: $0.2809/EFLOP.
_PER_MILLION = {
    "a price per token": ("USD/token", "USD/Mtoken"),
    "a cost per FLOP": ("USD/FLOP", "USD/PFLOP", "USD/EFLOP"),
}
# Kinds whose unit leads a compound one (kWh/query, GB/token): that part takes the ladder.
_LEADS = ("an energy", "a power", "an amount of data")
# Energies and powers always move to their rung, so that a column never says 3,806 MWh
# beside 0.06869 MWh; the other kinds keep the unit they came in while it reads well there
# (720 hour, 8,766 hour, 1,979 TFLOP/s as the catalog quotes it, 3,350 GB/s).
_STRICT = ("an energy", "a power")
_KEPT = (1.0, 10_000.0)
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
    "J",
    "hour",
)


def _rung(values: Mapping[str, float], current: str, *, keep: bool = False) -> str:
    """The rung to show: the last (largest unit) on which the value is at least 1, else the
    first; with ``keep``, the value stays in its own unit while it reads well there."""
    if keep and current in values and _KEPT[0] <= abs(values[current]) < _KEPT[1]:
        return current
    units = list(values)
    fits = [u for u in units if abs(values[u]) >= 1]
    return fits[-1] if fits else units[0]


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
    720 hour), mixed scales of one kind cancelled (``MW·h·USD/kWh`` is USD), and each kind on
    its ladder (6.136 MWh, not 6,136,200 Wh; 5 GB/s; 2.025 EFLOP/s; 47.14 day, not 4.07M s;
    1.000 Wh/query; $2.000/Mtoken)."""
    if value.dimensionless:
        return value
    value = cast("pint.Quantity[Any]", value.to_reduced_units())
    if _mixed(cast("pint.Unit", value.units)):
        ureg = registry()
        value = cast("pint.Quantity[Any]", value.to_preferred([ureg.Unit(u) for u in _PREFERRED]))
    unit = display_unit(value)
    return value.to(unit) if unit is not None else value


def display_unit(value: pint.Quantity) -> str | None:
    """The unit ``value`` reads best in (``3,500 s·W`` -> ``Wh``, ``4e12 B/s`` -> ``TB/s``),
    or None to keep its own."""
    kind = kind_of(value)
    mean = float(magnitudes(value).mean())
    own = unit_name(value.units)
    if kind in _PER_MILLION:
        per_million = _PER_MILLION[kind]
        cents = [u for u in per_million if abs(mean * _factor(u, own)) >= 0.01]
        return cents[0] if cents else per_million[-1]
    bits = any(name.endswith("bit") for name in value.units._units)  # noqa: SLF001
    ladder = (_BITS if bits else {}).get(kind) or _LADDERS.get(kind)
    if ladder is not None:
        values = {u: mean * _factor(u, own) for u in ladder}
        return _rung(values, own, keep=kind not in _STRICT)
    return _lead_unit(value, mean)


def _lead_unit(value: pint.Quantity, mean: float) -> str | None:
    """A compound unit whose first part is an energy, a power or data, with that part on its
    ladder: ``0.001 kWh/query`` -> ``Wh/query``."""
    ureg = registry()
    units = dict(value.units._units)  # noqa: SLF001 - pint's Unit has no public items()
    for name, power in units.items():
        kind = kind_of(ureg.Unit(name))
        if power != 1 or kind not in _LEADS:
            continue
        ladder = (_BITS if name.endswith("bit") else {}).get(kind) or _LADDERS[kind]
        lead = unit_name(ureg.Unit(name))
        if lead not in ladder:
            return None  # J/FLOP stays in joules, not watt-hours
        rest = ureg.Unit(UnitsContainer({n: e for n, e in units.items() if n != name}))
        values = {u: mean * _factor(u, lead) for u in ladder}
        return unit_name(parse_unit(_rung(values, "")) * rest)
    return None


def quantity_text(
    value: pint.Quantity | None, unit: str | None = None, *, share: bool = False
) -> str:
    """A quantity as one reads it alone: ``$35.06M``, ``720 hour``, ``$30.00k/GPU``; an
    energy per request or per day keeps its denominator (``68.69 kWh/day``)."""
    if value is None:
        return "—"
    if unit is None or (display_unit(value) is not None and "/" not in unit):
        # an energy or a power on its ladder (68.69 kWh, not 0.06869 MWh)
        return summary_text(summarize(readable(value)), share=share)
    return summary_text(summarize(value, unit), share=share)
