"""Quantities: a pint unit over a NumPy array of Monte Carlo samples.

A point value is the one-sample case (an array of shape ``(1,)``), so one code path serves
both: arrays of shape ``(1,)`` broadcast against arrays of shape ``(n,)``.

    >>> q("30k USD/GPU") * q("10k GPU")          # 300M USD
    >>> q("8k to 12k GPU")                        # a 90% range: lognormal samples
    >>> q("1 USD") + q("1 USD/year")              # flopbook.UnitError naming both units

Sampling is controlled by :func:`sampling` (``--samples`` and ``--seed`` on the command line);
the same seed always gives the same numbers.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any, cast

import numpy as np
import pint

from flopbook.digits import scaled
from flopbook.draws import current_sampling, range_samples, sampling
from flopbook.errors import InputError, UnitMismatchError

__all__ = [
    "Quantity",
    "Summary",
    "convert",
    "current_sampling",
    "is_point",
    "magnitudes",
    "percentiles",
    "q",
    "registry",
    "sampling",
    "summarize",
    "unit_name",
]

# Units that pint does not know. Each is its own dimension, so that a count of GPUs, a number
# of tokens and a sum of dollars can never be added to each other by mistake. Data is one too
# (pint makes a bit a plain number, so 5 GB/s would be a frequency and 1 GB a count).
_DEFINITIONS = """
USD = [currency] = _ = dollar = US_dollar = usd
cent = 0.01 * USD = ¢ = cents
CNY = [currency_cny] = _ = RMB = yuan = renminbi
FLOP = [flop] = _ = flop
FLOPS = FLOP / second
GPU = [accelerator] = _ = accelerator = chip
node = [node]
token = [token]
query = [query]
request = [request]
bit = [information] = b
byte = 8 * bit = B = octet
"""


class DimensionalityMismatch(UnitMismatchError, pint.DimensionalityError):
    """pint's DimensionalityError as a :class:`flopbook.UnitError`: one line in the units as
    the user wrote them (``USD`` and ``USD/year``), never pint's ``[currency] / [time]``.

    It is still a ``pint.DimensionalityError``, so code that catches pint's error keeps
    working."""

    def __init__(self, exc: pint.DimensionalityError, verb: str) -> None:
        pint.DimensionalityError.__init__(self, exc.units1, exc.units2, exc.dim1, exc.dim2)
        a, b = _unit_words(exc.units1), _unit_words(exc.units2)
        UnitMismatchError.__init__(
            self,
            f"cannot {verb} {a} and {b}: they measure different things",
            hint="convert one of them first, or check the units you wrote",
        )

    def __reduce__(self) -> Any:  # pragma: no cover - errors are not pickled here
        return Exception.__reduce__(self)


def _unit_words(units: Any) -> str:
    try:
        text = f"{registry().Unit(units):~P}"
    except Exception:  # noqa: BLE001 - whatever pint carried, say it as it is
        text = str(units)
    return text or "a plain number"


@lru_cache(maxsize=4096)
def parsed_unit(text: str) -> pint.Unit:
    """The unit written ``text`` (``"USD/GPU/year"``), parsed once: pint parses a unit string
    again at every conversion, which was most of the time of a large fleet."""
    return registry().Unit(text)


def _mapped(verb: str, method: Any, *, converts: bool = False) -> Any:
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        if converts and args and isinstance(args[0], str):
            args = (parsed_unit(args[0]), *args[1:])
        try:
            return method(self, *args, **kwargs)
        except DimensionalityMismatch:
            raise
        except pint.DimensionalityError as exc:
            raise DimensionalityMismatch(exc, verb) from None

    call.__name__ = method.__name__
    call.__doc__ = method.__doc__
    return call


class _Quantity(pint.UnitRegistry.Quantity):  # type: ignore[type-arg]
    """pint's quantity with its unit errors mapped to :class:`DimensionalityMismatch`, and
    shown in a REPL or a notebook as a person reads it: ``61.44M USD``, and a range as
    ``mean 35.0k USD/GPU (P5 30.0k – P95 40.0k)``, never its 10,000 samples."""

    def __repr__(self) -> str:
        return quantity_repr(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython
        p.text(quantity_repr(self))

    def _repr_html_(self) -> str:  # Jupyter

        return f"<code>{escape(quantity_repr(self))}</code>"

    def _repr_markdown_(self) -> str:
        return f"`{quantity_repr(self)}`"


def quantity_repr(value: pint.Quantity[Any]) -> str:
    """A quantity in a line: ``61.44M USD``; sampled, its mean with the 90% interval."""

    try:
        m = np.atleast_1d(np.asarray(value.magnitude, dtype=float))
        unit = unit_name(value.units)
    except Exception:  # noqa: BLE001 - a repr never fails: pint's own then
        return pint.UnitRegistry.Quantity.__repr__(value)
    tail = "%" if unit == "%" else (f" {unit}" if unit else "")
    if m.size == 0:
        return f"(no samples){tail}"
    if m.size == 1 or bool(np.all(m == m[0])):
        return f"{scaled(float(m[0]))}{tail}"
    p5, p95 = percentiles(m, (5, 95))
    return _spread_text(float(m.mean()), float(p5), float(p95), tail)


def _spread_text(mean: float, p5: float, p95: float, tail: str) -> str:
    return f"mean {scaled(mean)}{tail} (P5 {scaled(p5)} – P95 {scaled(p95)})"


for _name, _verb in (
    ("__add__", "add"),
    ("__radd__", "add"),
    ("__iadd__", "add"),
    ("__sub__", "subtract"),
    ("__rsub__", "subtract"),
    ("__isub__", "subtract"),
    ("to", "convert between"),
    ("ito", "convert between"),
    ("m_as", "convert between"),
    ("__lt__", "compare"),
    ("__le__", "compare"),
    ("__gt__", "compare"),
    ("__ge__", "compare"),
):
    setattr(
        _Quantity,
        _name,
        _mapped(
            _verb,
            getattr(pint.UnitRegistry.Quantity, _name),
            converts=_name in ("to", "ito", "m_as"),
        ),
    )


class _Registry(pint.UnitRegistry):  # type: ignore[type-arg]
    Quantity = _Quantity


_BUILDING = threading.Lock()
_BUILT: list[pint.UnitRegistry[Any]] = []


def registry() -> pint.UnitRegistry[Any]:
    """The one unit registry (built on first use, once even when threads ask at the same time:
    two registries' quantities cannot be added to each other)."""
    if not _BUILT:
        with _BUILDING:
            if not _BUILT:
                _BUILT.append(_built_registry())
    return _BUILT[0]


def _built_registry() -> pint.UnitRegistry[Any]:
    options: dict[str, Any] = {"autoconvert_offset_to_baseunit": True, "on_redefinition": "ignore"}
    try:
        # pint keeps its parsed definitions in the user's cache folder: about 0.1 s to build
        # the registry instead of 0.7 s, on every run of every command
        ureg = _Registry(cache_folder=":auto:", **options)
    except Exception:  # noqa: BLE001 - no writable cache folder, or a damaged cache
        ureg = _Registry(**options)
    for line in _DEFINITIONS.strip().splitlines():
        ureg.define(line)
    # pint shows a year as "a" (annum); analysts read "year". Same length: 365.25 days.
    ureg.define("year = 365.25 * day = year = julian_year")
    ureg.define("@alias month = mo")
    ureg.formatter.default_format = "~P"
    pint.set_application_registry(ureg)  # type: ignore[no-untyped-call]
    return ureg


def Quantity(value: Any, unit: str | Any = "") -> pint.Quantity[Any]:  # noqa: N802 - pint's name
    """A quantity whose magnitude is a float array of samples."""
    ureg = registry()
    units = parsed_unit(unit) if isinstance(unit, str) else unit
    return ureg.Quantity(np.atleast_1d(np.asarray(value, dtype=float)), units)


# ---- parsing ---------------------------------------------------------------------------
# A quantity is read strictly as: [$] NUMBER [multiplier] [UNIT]. The number is never an
# expression ("2*35k", "0.9-0.7" and "9**9**9" are refused or read as ranges, not computed),
# and the unit goes to pint's unit parser, which accepts products and quotients of units only.

_MULTIPLIERS = {
    "k": 1e3,
    "K": 1e3,
    "M": 1e6,
    "B": 1e9,
    "bn": 1e9,
    "T": 1e12,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
}
_MONEY_ONLY = {"m", "mm", "mn"}  # "$35m" is 35 million dollars; "35m" alone is 35 metres
_NUMBER = r"(?>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"  # atomic: never backs off
_POINT = re.compile(
    rf"^(?P<sign>[-+]?)\s*(?P<currency>\$|¥|US\$)?\s*(?P<num>{_NUMBER})"
    r"(?:(?P<mult>bn|mm|mn|[kKMBTm])(?![A-Za-z]))?\s*(?P<unit>.*)$",
    re.S,
)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_HYPHEN_UNIT = re.compile(r"\b([A-Za-z]+)-(hour|second|day|month|year)s?\b")
# "8k to 12k", "8k..12k", and a dash between two numbers: "30k-40k", "30k – 40k"
_RANGE = re.compile(r"\s+to\s+|\s*\.\.\s*|(?<=[\dkKMBTmn%])\s*[-\u2013\u2014]\s*(?=[$¥.\d])")
_EXAMPLE_HINT = 'write a number and a unit, e.g. "30k USD/GPU", "700 W", "8k to 12k GPU"'


def _clean(text: str) -> str:
    s = text.strip()
    for space in ("\u2009", "\u00a0", "\u202f"):
        s = s.replace(space, " ")
    return _THOUSANDS.sub("", s.replace("\u2212", "-"))


def _unit_text(text: str) -> str:
    u = text.strip().replace("%", " percent ")
    u = _HYPHEN_UNIT.sub(r"(\1*\2)", u)
    u = re.sub(r"\s+per\s+", "/", u)
    u = re.sub(r"\s*/\s*", "/", re.sub(r"\s+", " ", u)).strip()
    return u


def _parse_point(text: str, *, unit_for_bare: Any = None) -> pint.Quantity[Any]:
    """One value: ``"$35m"``, ``"30k USD/GPU"``, ``"15%"``, ``"2048"``."""
    m = _POINT.match(_clean(text))
    if m is None or re.search(r"\d,\d(?!\d\d)", text):
        hint = (
            "use a point for decimals, e.g. 1.3"
            if re.search(r"\d,\d(?!\d\d)", text)
            else _EXAMPLE_HINT
        )
        raise InputError(f"cannot read {text!r} as a quantity", hint=hint)
    mult, unit = m.group("mult"), m.group("unit")
    if mult in _MONEY_ONLY and not m.group("currency"):
        unit, mult = mult + unit, None  # "35m" is 35 metres, "5mm" 5 millimetres
    value = float(m.group("num")) * (_MULTIPLIERS[mult] if mult else 1.0)
    if m.group("sign") == "-":
        value = -value
    if not math.isfinite(value):
        raise InputError(f"{text!r} is not a finite number", hint=_EXAMPLE_HINT)
    unit = _unit_text(unit)
    if m.group("currency"):
        currency = "CNY" if m.group("currency") == "¥" else "USD"
        unit = currency + (unit if unit.startswith("/") else (" " + unit if unit else ""))
    if not unit:
        return Quantity(value, unit_for_bare if unit_for_bare is not None else "")
    try:
        units = parsed_unit(unit)
    except pint.UndefinedUnitError as exc:
        names = getattr(exc, "unit_names", None) or ()
        name = names if isinstance(names, str) else ", ".join(names)
        raise InputError(
            f"cannot read {text!r} as a quantity: unknown unit {name!r}", hint=_EXAMPLE_HINT
        ) from None
    except Exception:
        raise InputError(f"cannot read {text!r} as a quantity", hint=_EXAMPLE_HINT) from None
    return Quantity(value, units)


def parse_range(text: str) -> tuple[pint.Quantity[Any], pint.Quantity[Any]] | None:
    """Split ``"8k to 12k GPU"`` into its two ends (a low end without a unit takes the high
    end's: "10-15%" is 10% to 15%)."""
    parts = _RANGE.split(_clean(text), maxsplit=1)
    if len(parts) != 2 or not all(p.strip() for p in parts):
        return None
    high = _parse_point(parts[1])
    low = _parse_point(parts[0], unit_for_bare=high.units)
    try:
        low = low.to(high.units)
    except pint.DimensionalityError:
        raise UnitMismatchError(
            f"the two ends of {text!r} have different units ({low.units:~P} and {high.units:~P})",
            hint='give one unit, e.g. "8k to 12k GPU"',
        ) from None
    return low, high


def q(value: Any, unit: str | None = None, *, key: str | None = None) -> pint.Quantity[Any]:
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
            if low.magnitude[0] > high.magnitude[0]:
                # a percentage is said as one: "40% is above 20%", not "40 above 20"
                pc = "%" if f"{high.units:~P}" == "%" else ""
                raise InputError(
                    f"the range's low end {low.magnitude[0]:g}{pc} is above its "
                    f"high end {high.magnitude[0]:g}{pc} in {value.strip()!r}",
                    hint="write the lower value first",
                )
            result = ureg.Quantity(
                range_samples(float(low.magnitude[0]), float(high.magnitude[0]), key=key),
                high.units,
            )
    else:
        raise InputError(f"expected a quantity, got {value!r}")
    if unit is not None:
        result = convert(result, unit, what=repr(value) if isinstance(value, str) else None)
    return result


def convert(value: pint.Quantity[Any], unit: str, *, what: str | None = None) -> pint.Quantity[Any]:
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


def magnitudes(value: pint.Quantity[Any], unit: str | None = None) -> np.ndarray:
    """The sample array, in ``unit`` when given."""
    v = value.to(unit) if unit else value
    return np.atleast_1d(np.asarray(v.magnitude, dtype=float))


def is_point(value: pint.Quantity[Any]) -> bool:
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

    def __repr__(self) -> str:
        # as a quantity reads in a notebook: 1.600 USD/GPU-hour, or its mean and interval
        tail = "%" if self.unit == "%" else (f" {self.unit}" if self.unit else "")
        if self.point:
            return f"{scaled(self.mean)}{tail}"
        return _spread_text(self.mean, self.p5, self.p95, tail)

    def as_dict(self) -> dict[str, Any]:
        if self.point:
            return {"value": self.mean, "unit": self.unit}
        # "value" is the mean; the percentiles say how uncertain it is
        return {
            "value": self.mean,
            "unit": self.unit,
            "p5": self.p5,
            "p50": self.p50,
            "p95": self.p95,
            "samples": self.samples,
        }


# Time units by their words: analysts write "720 hour" and "$2.00/GPU-hour", never "720 h".
_TIME_WORDS = {
    "second": "s",
    "minute": "min",
    "hour": "hour",
    "day": "day",
    "week": "week",
    "month": "month",
    "year": "year",
}
_PER_ITEM = ("GPU", "node")  # a count that a time joins with a hyphen: GPU-hour, node-day
_POWER_SYMBOLS = ("W", "kW", "MW", "GW", "TW")
_SUPERSCRIPT = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")


def unit_name(units: Any) -> str:
    """The one spelling of a unit in every output: ``GPU-hour``, ``USD/GPU-hour``,
    ``TFLOP/s/GPU``, ``MWh``, ``hour`` (pint writes ``GPU·h``, ``USD/GPU/h``, ``h``).

    :func:`q` and :func:`parse_unit` read it back."""
    ureg = registry()
    if isinstance(units, str):
        units = parse_unit(units)
    items = dict(getattr(units, "_units", units))
    if not items:
        return ""

    def symbol(name: str) -> str:
        # "byte", not "B", which reads as billions; "Gbit", not "Gb", which is a gilbert
        if name in _TIME_WORDS:
            return _TIME_WORDS[name]
        if name == "byte":
            return "byte"
        if name.endswith("bit"):
            return ureg.get_symbol(name)[:-1] + "bit"
        return ureg.get_symbol(name)

    def side(pairs: list[tuple[str, float]], *, below: bool = False) -> list[str]:
        names = [symbol(n) for n, _ in pairs]
        powers = {symbol(n): e for n, e in pairs}
        # a rate stays per second then per GPU (token/s/GPU); GPU-seconds are an amount
        times = [
            n
            for n in names
            if n in _TIME_WORDS.values() and powers[n] == 1 and not (below and n == "s")
        ]
        out: list[str] = []
        joined: set[str] = set()
        if times:
            for count in _PER_ITEM:
                if powers.get(count) == 1:
                    word = "second" if times[0] == "s" else times[0]
                    out.append(f"{count}-{word}")  # GPU-hour, GPU-second
                    joined |= {count, times[0]}
                    break
            else:
                for p in _POWER_SYMBOLS:
                    if powers.get(p) == 1 and times[0] == "hour":
                        out.append(f"{p}h")  # kWh
                        joined |= {p, "hour"}
                        break
        for n in names:
            if n in joined:
                continue
            e = powers[n]
            out.append(n if e == 1 else n + f"{e:g}".translate(_SUPERSCRIPT))
        return out

    rate_time = ""
    flops = [n for n, e in items.items() if e == -1 and n.endswith("FLOP")]
    times = [n for n, e in items.items() if e == -1 and n in _TIME_WORDS and n != "second"]
    if items.get("second") == 1 and flops and times:
        # a price per unit of compute time: USD/(PFLOP/s·hour), as the fleet table says it
        rate_time = f"/({symbol(flops[0])}/s·{symbol(times[0])})"
        items = {n: e for n, e in items.items() if n not in ("second", flops[0], times[0])}
    num = side([(n, e) for n, e in items.items() if e > 0])
    den_pairs = [(n, -e) for n, e in items.items() if e < 0]
    # a rate's time first: TFLOP/s/GPU, as the catalog writes it
    den_pairs.sort(key=lambda p: 0 if symbol(p[0]) == "s" else 1)
    den = side(den_pairs, below=True)
    return "·".join(num or ["1"]) + "".join(f"/{d}" for d in den) + rate_time


@lru_cache(maxsize=4096)
def parse_unit(text: str) -> pint.Unit:
    """A unit from its text, including the spellings :func:`unit_name` writes (parsed once:
    a large fleet asks for the same few units a hundred thousand times)."""
    return registry().parse_units(_unit_text(text)) if text.strip() else registry().Unit("")


@lru_cache(maxsize=4096)
def _unit_name_of(units: pint.Unit) -> str:
    return unit_name(units)


def summarize(value: pint.Quantity[Any], unit: str | None = None) -> Summary:
    m = magnitudes(value, unit)
    u = _unit_name_of(parse_unit(unit) if unit else value.units)
    if m.size == 1 or bool(np.all(m == m[0])):
        x = float(m[0])
        return Summary(u, x, x, x, x, 1)
    p5, p50, p95 = percentiles(m, (5, 50, 95))
    return Summary(u, float(m.mean()), float(p5), float(p50), float(p95), int(m.size))


def percentiles(values: Any, ps: Any) -> np.ndarray:
    """``np.percentile(values, ps)`` (its default, linear interpolation), the same numbers to
    the last bit, several times faster on large arrays.

    NumPy partitions once around every index it needs plus the minimum and maximum, and a
    partition around several indices takes its slow path (about 40 ms for three percentiles
    of a million samples). Here each index gets its own single-index partition, each on the
    part of the array left between the indices already placed (about 4 ms).
    """
    a = np.array(values, dtype=float).ravel()  # a copy: it is partitioned in place
    q = np.true_divide(ps, 100)
    n = a.size
    if n == 0 or not np.all((q >= 0) & (q <= 1)) or not np.isfinite(a.sum()):
        return cast(np.ndarray, np.percentile(values, ps))  # NumPy's errors, NaN, infinity
    virtual = (n - 1) * np.asarray(q, dtype=float).ravel()
    after = np.minimum(np.floor(virtual) + 1, n - 1).astype(np.intp)
    placed = sorted(set(after.tolist()))
    _place(a, placed, 0)
    # The value just below a placed index is the largest of those between it and the placed
    # index before it: one pass for a max, cheaper than another partition.
    lower = np.empty_like(virtual)
    for i, (v, k) in enumerate(zip(virtual.tolist(), after.tolist(), strict=True)):
        if v >= n - 1:
            lower[i] = a[k]
            continue
        j = placed.index(k)
        start = placed[j - 1] + 1 if j else 0
        lower[i] = a[start:k].max() if start < k else a[k - 1]
    upper = a[after]
    # NumPy's _lerp, operation for operation, so that the result is bit for bit the same
    gamma = virtual - np.floor(virtual)
    diff = upper - lower
    out = lower + diff * gamma
    np.subtract(upper, diff * (1 - gamma), out=out, where=gamma >= 0.5)
    return cast(np.ndarray, out.reshape(np.shape(q)))
    return out


def _place(a: np.ndarray, indices: list[int], start: int) -> None:
    """Partition ``a`` (a view starting at ``start``) so that each of ``indices`` holds the
    value it would hold if sorted: middle index first, then each side on its own."""
    if not indices:
        return
    mid = len(indices) // 2
    k = indices[mid] - start
    a.partition(k)
    _place(a[:k], indices[:mid], start)
    _place(a[k + 1 :], indices[mid + 1 :], indices[mid] + 1)
