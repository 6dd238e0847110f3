"""Unit conversions by name, for formulas that carry no units (a workbook's).

A number in a workbook formula would be a hard-coded constant with no label, so every unit
conversion a formula needs is one of these named constants, each computed from the unit
registry (the engine's own numbers). A factor between two units is written as a product of
at most three of them (``8.766 GWh/year per MW`` is ``*hours_per_year/MWh_per_GWh``).
"""

from __future__ import annotations

import itertools
import math
from functools import cache

from flopbook.quantity import registry

__all__ = ["CONVERSIONS", "conversion", "factor_formula"]

CONVERSIONS: dict[str, tuple[str, str, str]] = {
    # name: (from, to, label)
    "hours_per_year": ("year", "hour", "Hours in a year (365.25 days)"),
    "months_per_year": ("year", "month", "Months in a year"),
    "W_per_MW": ("MW", "W", "Watts in a megawatt"),
    "kW_per_MW": ("MW", "kW", "Kilowatts in a megawatt"),
    "MWh_per_GWh": ("GWh", "MWh", "Megawatt-hours in a gigawatt-hour"),
    "kWh_per_GWh": ("GWh", "kWh", "Kilowatt-hours in a gigawatt-hour"),
    "TFLOPS_per_PFLOPS": ("PFLOP/s", "TFLOP/s", "TFLOP/s in a PFLOP/s"),
    "seconds_per_hour": ("hour", "s", "Seconds in an hour"),
    "seconds_per_day": ("day", "s", "Seconds in a day"),
    "hours_per_day": ("day", "hour", "Hours in a day"),
    "days_per_year": ("year", "day", "Days in a year (365.25)"),
    "FLOP_per_TFLOP": ("TFLOP", "FLOP", "FLOPs in a TFLOP"),
    "bytes_per_TB": ("TB", "byte", "Bytes in a terabyte"),
    "tokens_per_Mtoken": ("Mtoken", "token", "Tokens in a million tokens"),
    "Wh_per_MWh": ("MWh", "Wh", "Watt-hours in a megawatt-hour"),
}


@cache
def conversion(name: str) -> float:
    """The value of the named conversion (``hours_per_year`` -> 8766.0)."""

    src, dst, _ = CONVERSIONS[name]
    return float(registry().Quantity(1.0, src).to(dst).magnitude)


def factor_formula(factor: float, between: tuple[str, str] | None = None) -> str:
    """``factor`` as named conversions to append to a product: ``"*hours_per_year"``,
    ``"*kW_per_MW*months_per_year"`` ("" when it is 1); a ValueError if no product of up to
    three of them makes it (then the unit needs a conversion of its own above).

    Several products can make the same number (a thousand is kW per MW and TFLOP/s per
    PFLOP/s): ``between``, the units converted from and to, picks the one that names them
    (TFLOP/s to PFLOP/s is ``/TFLOPS_per_PFLOPS``)."""
    return _factor_formula(factor, between)


@cache
def _factor_formula(factor: float, between: tuple[str, str] | None) -> str:
    if math.isclose(factor, 1.0, rel_tol=1e-12):
        return ""
    words = set().union(*(_words(u) for u in between)) if between else set()
    signed = [(f"*{n}", conversion(n), _words(*CONVERSIONS[n][:2])) for n in CONVERSIONS]
    signed += [(f"/{n}", 1 / conversion(n), w) for n, _, w in [(t[1:], v, w) for t, v, w in signed]]
    for size in (1, 2, 3):
        found = [
            combo
            for combo in itertools.combinations_with_replacement(signed, size)
            if math.isclose(math.prod(v for _, v, _ in combo), factor, rel_tol=1e-12)
        ]
        if found:
            # the product whose conversions name most of the units at hand
            best = max(found, key=lambda combo: sum(len(w & words) for _, _, w in combo))
            # multiplications first: "x*a/b" reads left to right without parentheses
            parts = sorted((t for t, _, _ in best), key=lambda t: t[0] == "/")
            return "".join(parts)
    raise ValueError(f"no named unit conversion for a factor of {factor!r}")


@cache
def _words(*units: str) -> frozenset[str]:
    """The unit names in ``units``, compound ones split (``GWh`` -> gigawatt, hour)."""

    ureg = registry()
    out: set[str] = set()
    for unit in units:
        for name in ureg.Unit(unit)._units:  # noqa: SLF001 - pint's Unit has no items()
            out.update(name.split("_"))
    return frozenset(out)
