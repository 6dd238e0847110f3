"""Quantities: a pint unit over a NumPy array of Monte Carlo samples.

A point value is the one-sample case (an array of shape ``(1,)``), so one code path serves
both: arrays of shape ``(1,)`` broadcast against arrays of shape ``(n,)``.

    >>> q("30k USD/GPU") * q("10k GPU")          # 300M USD
    >>> q("8k to 12k GPU")                        # a 90% range: lognormal samples
    >>> q("1 USD") + q("1 USD/year")              # DimensionalityError naming both units

Sampling is controlled by :func:`sampling` (``--samples`` and ``--seed`` on the command line);
the same seed always gives the same numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pint

from flopbook.distributions import current_sampling, range_samples, sampling
from flopbook.errors import InputError, UnitMismatchError

__all__ = [
    "Quantity",
    "Summary",
    "convert",
    "current_sampling",
    "is_point",
    "magnitudes",
    "q",
    "registry",
    "sampling",
    "summarize",
]

# Units that pint does not know. Each is its own dimension, so that a count of GPUs, a number
# of tokens and a sum of dollars can never be added to each other by mistake.
_DEFINITIONS = """
USD = [currency] = _ = dollar = US_dollar
CNY = [currency_cny] = _ = RMB = yuan = renminbi
FLOP = [flop] = _ = flop
FLOPS = FLOP / second
GPU = [accelerator] = _ = accelerator = chip
node = [node]
token = [token]
query = [query]
request = [request]
"""



@cache
def registry() -> pint.UnitRegistry:
    """The one unit registry (built on first use: pint takes ~0.2 s to load)."""
    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, on_redefinition="ignore")
    for line in _DEFINITIONS.strip().splitlines():
        ureg.define(line)
    # pint shows a year as "a" (annum); analysts read "year". Same length: 365.25 days.
    ureg.define("year = 365.25 * day = year = julian_year")
    ureg.formatter.default_format = "~P"
    pint.set_application_registry(ureg)
    return ureg


def Quantity(value: Any, unit: str | Any = "") -> pint.Quantity:  # noqa: N802 - pint's name
    """A quantity whose magnitude is a float array of samples."""
    ureg = registry()
    return ureg.Quantity(np.atleast_1d(np.asarray(value, dtype=float)), unit)


# ---- parsing ---------------------------------------------------------------------------

_SUFFIX = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "bn": 1e9, "T": 1e12}
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
# A multiplier suffix sits right against its number ("30k", "1.6B") and is not the start of
# a unit ("80GB" is 80 gigabytes, "5kW" is 5 kilowatts).
_SUFFIXED = re.compile(rf"(?<![\w.])({_NUMBER})(bn|[kKMBT])(?![A-Za-z])")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_DOLLAR = re.compile(rf"\$\s*({_NUMBER}(?:bn|[kKMBT])?(?![A-Za-z]))")
_HYPHEN_UNIT = re.compile(r"\b([A-Za-z]+)-(hour|second|day|month|year)s?\b")
_RANGE = re.compile(r"\s+to\s+|\s*\.\.\s*")


def _normalise(text: str) -> str:
    s = text.strip().replace("\u2009", " ").replace("\u00a0", " ")
    s = _THOUSANDS.sub("", s)
    s = _DOLLAR.sub(r"\1 USD ", s)
    s = s.replace("$", "USD").replace("¥", "CNY ")
    s = _SUFFIXED.sub(lambda m: repr(float(m.group(1)) * _SUFFIX[m.group(2)]), s)
    s = s.replace("%", " percent")
    s = _HYPHEN_UNIT.sub(r"(\1*\2)", s)
    # "2 USD /hour" and "2 USD / GPU / hour" are both fine for pint; squeeze odd spacing
    s = re.sub(r"\s+", " ", s).strip()
    # "USD /GPU" left behind by the dollar rewrite ("$2/GPU/hour" -> "2 USD /GPU/hour")
    return s.replace(" /", "/").replace("/ ", "/")


def _parse_point(text: str) -> pint.Quantity:
    ureg = registry()
    norm = _normalise(text)
    try:
        value = ureg.parse_expression(norm)
    except (pint.UndefinedUnitError, pint.DefinitionSyntaxError) as exc:
        name = getattr(exc, "unit_names", None) or ""
        if isinstance(name, tuple | list):
            name = ", ".join(name)
        raise InputError(
            f"cannot read {text!r} as a quantity: unknown unit {name!r}".replace(" ''", ""),
            hint='write a number and a unit, e.g. "30k USD/GPU", "700 W", "2 USD/GPU/hour"',
        ) from None
    except Exception:
        raise InputError(
            f"cannot read {text!r} as a quantity",
            hint='write a number and a unit, e.g. "30k USD/GPU", "700 W", "8k to 12k GPU"',
        ) from None
    if not isinstance(value, pint.Quantity):
        value = ureg.Quantity(float(value), "")
    return ureg.Quantity(np.atleast_1d(np.asarray(value.magnitude, dtype=float)), value.units)


def parse_range(text: str) -> tuple[pint.Quantity, pint.Quantity] | None:
    """Split ``"8k to 12k GPU"`` into its two ends (the unit of the high end serves both)."""
    parts = _RANGE.split(text.strip())
    if len(parts) != 2 or not all(p.strip() for p in parts):
        return None
    low, high = (_parse_point(p) for p in parts)
    if low.dimensionless and not high.dimensionless:
        low = Quantity(low.to("").magnitude, high.units)
    try:
        low = low.to(high.units)
    except pint.DimensionalityError:
        raise UnitMismatchError(
            f"the two ends of {text!r} have different units ({low.units:~P} and "
            f"{high.units:~P})",
            hint='give one unit, e.g. "8k to 12k GPU"',
        ) from None
    return low, high


def q(value: Any, unit: str | None = None, *, key: str | None = None) -> pint.Quantity:
    """Make a quantity from ``"30k USD/GPU"``, ``"8k to 12k GPU"``, a number, or a quantity.

    ``unit`` is the unit of a bare number (``q(700, "W")``); when ``value`` already has a
    unit, ``unit`` is the unit it must convert to, and a mismatch is a
    :class:`~flopbook.errors.UnitMismatchError`. ``key`` names the input so that its samples
    do not depend on the order in which inputs are read.
    """
    ureg = registry()
    if isinstance(value, pint.Quantity):
        result = Quantity(value.magnitude, value.units)
    elif isinstance(value, bool):
        raise InputError(f"expected a quantity, got {value!r}")
    elif isinstance(value, int | float | np.ndarray | list | tuple):
        result = Quantity(value, "")
        if unit is not None:
            result = Quantity(result.magnitude, unit)
            return result
    elif isinstance(value, str):
        ends = parse_range(value)
        if ends is None:
            result = _parse_point(value)
        else:
            low, high = ends
            result = ureg.Quantity(
                range_samples(float(low.magnitude[0]), float(high.magnitude[0]), key=key),
                high.units,
            )
    else:
        raise InputError(f"expected a quantity, got {value!r}")
    if unit is not None:
        result = convert(result, unit, what=repr(value) if isinstance(value, str) else None)
    return result


def convert(value: pint.Quantity, unit: str, *, what: str | None = None) -> pint.Quantity:
    """``value`` in ``unit``, or a :class:`UnitMismatchError` naming both units.

    A bare number given where a dimensioned quantity is expected is an error too: a price of
    ``30000`` may be per GPU, per server or per year, and flopbook does not guess.
    """
    try:
        return value.to(unit)
    except pint.DimensionalityError:
        got = f"{value.units:~P}" or "a plain number"
        want = describe_unit(unit)
        raise UnitMismatchError(
            f"expected {want}, got {what} ({got})" if what else f"expected {want}, got {got}",
            hint=f'write it with its unit, e.g. "{example_for(unit)}"',
        ) from None


_EXAMPLES = {
    "GPU": "10k GPU",
    "USD": "1.6B USD",
    "USD/GPU": "30k USD/GPU",
    "USD/GPU/year": "4.5k USD/GPU/year",
    "USD/GPU/hour": "2 USD/GPU/hour",
    "USD/kWh": "0.08 USD/kWh",
    "USD/kW/month": "130 USD/kW/month",
    "W": "700 W",
    "W/GPU": "700 W/GPU",
    "year": "4 years",
    "": "15%",
}


def example_for(unit: str) -> str:
    return _EXAMPLES.get(unit.replace(" ", ""), f"1 {unit}")


def describe_unit(unit: str) -> str:
    """``USD/GPU`` -> ``USD/GPU``; ``""`` -> ``a plain number or a percentage``."""
    if unit == "":
        return "a plain number or a percentage"
    return f"{registry().Unit(unit):~P}"


# ---- reading results -------------------------------------------------------------------


def magnitudes(value: pint.Quantity, unit: str | None = None) -> np.ndarray:
    """The sample array, in ``unit`` when given."""
    v = value.to(unit) if unit else value
    return np.atleast_1d(np.asarray(v.magnitude, dtype=float))


def is_point(value: pint.Quantity) -> bool:
    """True for a plain number: one sample, or samples that are all equal."""
    m = magnitudes(value)
    return m.size == 1 or bool(np.all(m == m[0]))


@dataclass(frozen=True)
class Summary:
    """Mean and percentiles of a quantity, in one unit."""

    unit: str
    mean: float
    p5: float
    p50: float
    p95: float
    samples: int

    @property
    def point(self) -> bool:
        return self.samples == 1 or self.p5 == self.p95

    def as_dict(self) -> dict[str, Any]:
        if self.point:
            return {"value": self.mean, "unit": self.unit}
        return {
            "value": self.mean,
            "unit": self.unit,
            "mean": self.mean,
            "p5": self.p5,
            "p50": self.p50,
            "p95": self.p95,
            "samples": self.samples,
        }


def summarize(value: pint.Quantity, unit: str | None = None) -> Summary:
    m = magnitudes(value, unit)
    u = f"{registry().Unit(unit):~P}" if unit else f"{value.units:~P}"
    if is_point(value):
        x = float(m[0])
        return Summary(u, x, x, x, x, 1)
    p5, p50, p95 = np.percentile(m, [5, 50, 95])
    return Summary(u, float(m.mean()), float(p5), float(p50), float(p95), int(m.size))
