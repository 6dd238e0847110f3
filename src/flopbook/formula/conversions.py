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
    "bytes_per_GB": ("GB", "byte", "Bytes in a gigabyte"),
    "bytes_per_kB": ("kB", "byte", "Bytes in a kilobyte"),
    "ms_per_second": ("s", "ms", "Milliseconds in a second"),
    "kB_per_GB": ("GB", "kB", "Kilobytes in a gigabyte"),
    "us_per_ms": ("ms", "us", "Microseconds in a millisecond"),
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
    # a conversion names the units it changes: TFLOP/s to PFLOP/s changes no second
    signed = [
        (f"*{n}", conversion(n), _words(CONVERSIONS[n][0]) ^ _words(CONVERSIONS[n][1]))
        for n in CONVERSIONS
    ]
    signed += [(f"/{n}", 1 / conversion(n), w) for n, _, w in [(t[1:], v, w) for t, v, w in signed]]
    found = [
        combo
        for size in (1, 2, 3)
        for combo in itertools.combinations_with_replacement(signed, size)
        if math.isclose(math.prod(v for _, v, _ in combo), factor, rel_tol=1e-12)
        # a conversion and its inverse in one product cancel: never both
        and not {t[1:] for t, _, _ in combo if t[0] == "*"}
        & {t[1:] for t, _, _ in combo if t[0] == "/"}
    ]
    if not found:
        raise ValueError(f"no named unit conversion for a factor of {factor!r}")

    def named(combo: tuple[tuple[str, float, frozenset[str]], ...]) -> tuple[bool, int, int, int]:
        # every conversion should name a unit at hand (a time is not converted by
        # bytes_per_GB because both are 1e9); then the most units named, then the shortest
        hits = [len(w & words) for _, _, w in combo]
        # (the same conversion twice reads worse than two named ones: us to s is
        # /us_per_ms/ms_per_second, not /ms_per_second/ms_per_second)
        return (min(hits) > 0, -len(combo), sum(hits), len(set(combo)))

    best = max(found, key=named) if words else min(found, key=len)
    # multiplications first: "x*a/b" reads left to right without parentheses
    parts = sorted((t for t, _, _ in best), key=lambda t: t[0] == "/")
    return "".join(parts)


@cache
def _words(*units: str) -> frozenset[str]:
    """The unit names in ``units``, compound ones split (``GWh`` -> gigawatt, hour)."""

    ureg = registry()
    out: set[str] = set()
    for unit in units:
        for name in ureg.Unit(unit)._units:  # noqa: SLF001 - pint's Unit has no items()
            out.update(name.split("_"))
    return frozenset(out)
