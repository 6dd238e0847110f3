"""Model inputs: a quantity with the unit its field expects, where it came from, and a note.

Every model field is described by a :class:`FieldSpec` (label, accepted units, bounds, an
example). :func:`read_input` turns what a user wrote — ``"35k USD/GPU"``, ``"8k to 12k"``,
``0.15``, a distribution such as ``{pert: {low: 1.1, mode: 1.2, high: 1.5}}`` (see
:mod:`flopbook.distributions`), or a mapping ``{value: …, source: …, note: …}`` whose value is
any of these — into an :class:`Input`, or raises an :class:`~flopbook.errors.InputError` that
says what to write instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pint

from flopbook import published
from flopbook.catalog.schema import date_start
from flopbook.distributions import distribution_samples, is_distribution
from flopbook.errors import InputError, UnitMismatchError
from flopbook.quantity import Quantity, describe_unit, parse_range, percentiles, q


@dataclass(frozen=True)
class FieldSpec:
    """What a model field accepts."""

    name: str
    label: str
    units: tuple[str, ...]  # accepted units, canonical first; "" = a share or plain number
    example: str
    doc: str
    bare_unit: str | None = None  # the unit of a bare number, where one is unambiguous
    low: float | None = None  # bounds, in the canonical unit of the matching alternative
    high: float | None = None
    low_inclusive: bool = True
    share: bool = False  # a share of something: a bare number above 1 is refused as ambiguous
    date: bool = False  # a point in time, in years: "2024-03" is March 2024, not 2024 to 3

    def describe_units(self) -> str:
        return " or ".join(describe_unit(u) for u in self.units)


@dataclass(frozen=True)
class Input:
    """One input value with its provenance."""

    name: str
    value: pint.Quantity
    raw: Any = None
    source: str | None = None
    note: str | None = None

    @property
    def unit(self) -> str:
        return f"{self.value.units:~P}"

    def is_share(self) -> bool:
        """True when the value is a plain number or percentage (a share of something)."""
        return self.value.dimensionless


MAX_MAGNITUDE = 1e30
"""The largest input value read, in its field's unit (a training run is about 1e25 FLOP;
a product of a few such inputs still stays finite)."""

# What a user may give for a model input: a number, a text ("30k USD/GPU", "8k to 12k GPU"),
# a quantity, a distribution or a {value, source, note} mapping, or an Input already read.
Given = str | float | int | pint.Quantity[Any] | Mapping[str, Any] | Input

# An input that may change from year to year: one value, a list (one per year), or a
# mapping by year ({2017: "28%", 2018: "30%"}).
Yearly = Given | Sequence[Given] | Mapping[int, Given]


# a month (2024-03), a quarter (2024-Q2) or a day (2024-03-15): a bare year is a number
_DATE_TEXT = re.compile(r"^\d{4}-(?:\d{2}(?:-\d{2})?|Q[1-4])$")


def decimal_year(text: str) -> float:
    """The start of the month, quarter or day ``text`` names, as a decimal year (``2024-07``
    is 2024.497: 182 of 2024's 366 days have gone)."""
    try:
        start = date_start(text)
    except ValueError as exc:
        raise InputError(
            f"{text!r} is not a date ({exc})", hint="e.g. 2024-03 for March 2024"
        ) from None
    first = dt.date(start.year, 1, 1)
    days = (dt.date(start.year + 1, 1, 1) - first).days
    return start.year + (start - first).days / days


def read_input(spec: FieldSpec, raw: Given | None, *, key: str | None = None) -> Input:
    """Coerce what a user wrote for ``spec`` into an :class:`Input` (see module doc)."""
    if isinstance(raw, Input):
        return read_input(spec, raw.value, key=key) if raw.name != spec.name else raw
    # {year: 2023} or {operator: google}: the published figure, with its source and note
    raw = published.resolve(spec.name, raw)
    source = note = None
    value = raw
    if isinstance(raw, dict) and not is_distribution(raw):
        unknown = {str(k) for k in raw} - {"value", "source", "note"}
        if unknown:
            raise InputError(
                f"unknown key {sorted(unknown)[0]!r}",
                field=spec.name,
                hint="an input mapping takes value, source and note",
            )
        if "value" not in raw:
            raise InputError(
                "missing value", field=spec.name, hint=f'write value: "{spec.example}"'
            )
        value, source, note = raw["value"], raw.get("source"), raw.get("note")
        for key_name, text in (("source", source), ("note", note)):
            if text is not None and not isinstance(text, str):
                raise InputError(
                    f"expected text, got {text!r}",
                    field=f"{spec.name}.{key_name}",
                    hint=f'quote it: {key_name}: "{text}"',
                )
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError("is empty", field=spec.name, hint=f'write e.g. "{spec.example}"')

    try:
        if isinstance(value, bool):
            raise InputError(f"expected a quantity, got {value!r}")
        if isinstance(value, dict):
            quantity = distribution_samples(value, key=key or spec.name)
            _refuse_percent(spec, value, quantity)
            if quantity.dimensionless and spec.bare_unit and "" not in spec.units:
                quantity = Quantity(quantity.to("").magnitude, spec.bare_unit)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if spec.bare_unit is not None:
                quantity = Quantity(value, spec.bare_unit)
            elif "" in spec.units:
                quantity = Quantity(value, "")
            else:
                raise UnitMismatchError(
                    f"{value!r} has no unit",
                    hint=f'write it with its unit, e.g. "{spec.example}"',
                )
        elif spec.date and isinstance(value, str) and _DATE_TEXT.match(value.strip()):
            quantity = Quantity(decimal_year(value), "year")
        else:
            quantity = q(value, key=key or spec.name)
            _refuse_percent(spec, value, quantity)
            if quantity.dimensionless and spec.bare_unit and "" not in spec.units:
                quantity = Quantity(quantity.to("").magnitude, spec.bare_unit)
    except InputError as exc:
        raise exc.located(field=spec.name) from None

    for unit in spec.units:
        try:
            converted = quantity.to(unit)
        except pint.DimensionalityError:
            continue
        _check_share(spec, value, converted)
        converted = _check_bounds(spec, converted, value)
        return Input(spec.name, converted, raw=value, source=source, note=note)
    got = f"{quantity.units:~P}" or "a plain number"
    raise UnitMismatchError(
        f"expected {spec.describe_units()}, got {written(value)} ({got})",
        field=spec.name,
        hint=f'write e.g. "{spec.example}"',
    )


def _refuse_percent(spec: FieldSpec, value: Any, quantity: pint.Quantity) -> None:
    """``count: 50%`` is not half a GPU: a share has nothing to be a share of in a field whose
    bare numbers take a unit (a count of GPUs)."""
    if (
        spec.bare_unit
        and "" not in spec.units
        and quantity.dimensionless
        and f"{quantity.units:~P}" != ""
    ):
        raise UnitMismatchError(
            f"expected {spec.describe_units()}, got {written(value)} (a percentage)",
            field=spec.name,
            hint=f'write e.g. "{spec.example}"',
        )


def _check_bounds(spec: FieldSpec, value: pint.Quantity, raw: Any) -> pint.Quantity:
    """Check ``value`` against the field's bounds; return it with sampled tails clipped.

    A point must lie within the bounds. An uncertain value is judged by its 90% interval
    (what the user wrote, for a range): "3 to 6 years" is a fine useful life even though a
    lognormal's far tail reaches below 3; those tail samples are clipped to the bound.
    """
    m = np.asarray(value.magnitude, dtype=float)
    # One pass for each end over a sample array (a million samples: ~1 ms each); the
    # element-wise comparisons below run only when a bound is crossed.
    lowest, highest = float(m.min()), float(m.max())
    if not (np.isfinite(lowest) and np.isfinite(highest)):
        raise InputError(f"{written(raw)} is not a finite number", field=spec.name)
    if max(abs(lowest), abs(highest)) > MAX_MAGNITUDE:
        # products of such inputs would overflow to infinity: a figure nobody can act on
        raise InputError(
            f"{written(raw)} is beyond {MAX_MAGNITUDE:g}, the largest value read",
            field=spec.name,
            hint=f'write e.g. "{spec.example}" (see docs/limits.md)',
        )
    canonical = value.units == value._REGISTRY.Unit(spec.units[0])
    # Non-negativity holds in any unit; other bounds are on the canonical unit's scale.
    low = spec.low if canonical or spec.low == 0 else None
    high = spec.high if canonical else None
    if low is None and high is None:
        return value
    inside_low = low is None or lowest > low or (lowest == low and spec.low_inclusive)
    if inside_low and (high is None or highest <= high):
        return value  # the common case: no sample near a bound, nothing to sort
    lo, hi = _stated_interval(m)
    unit = f" {value.units:~P}" if not value.dimensionless else ""
    # a share's bounds read as percentages: "at most 100%", not "at most 1"
    percent = value.dimensionless and (spec.share or "%" in str(raw) or spec.high == 1)

    def bound(x: float) -> str:
        return f"{x * 100:g}%" if percent else f"{x:g}{unit}"

    if low is not None and (lo < low or (lo == low and not spec.low_inclusive)):
        op = "at least" if spec.low_inclusive else "above"
        raise InputError(
            f"must be {op} {bound(low)}, got {written(raw)}",
            field=spec.name,
            hint=f'write e.g. "{spec.example}"',
        )
    if high is not None and hi > high:
        raise InputError(
            f"must be at most {bound(high)}, got {written(raw)}",
            field=spec.name,
            hint=f'write e.g. "{spec.example}"',
        )
    if m.size > 1:
        return value._REGISTRY.Quantity(np.clip(m, low, high), value.units)
    return value


def _stated_interval(m: Any) -> tuple[float, float]:
    """The 90% interval of a sample array, less sampling noise in its estimate (2% of its
    width); a point's own value at both ends."""
    if m.size == 1:
        return float(m[0]), float(m[0])
    lo, hi = percentiles(m, (5, 95))
    slack = 0.02 * (hi - lo)
    return float(lo + slack), float(hi - slack)


def _check_share(spec: FieldSpec, value: Any, quantity: pint.Quantity) -> None:
    """A bare number above 1 in a share field is almost always a percentage without its %."""
    if not spec.share or not quantity.dimensionless:
        return
    written = str(value)
    if "%" in written or "percent" in written:
        return

    m = np.asarray(quantity.to("").magnitude, dtype=float)
    top = float(np.max(m))
    if top > 1 and m.size > 1:
        # Judged on the stated 90% interval: "0.6 to 0.9" is a share even though a
        # lognormal's far tail reaches above 1. A range's high end is what was written;
        # other distributions' is estimated from the samples, as for the bounds.
        high = _written_high(value)
        top = _stated_interval(m)[1] if high is None else high
    if top > 1:
        raise InputError(
            f"{value!r} would be {top:.0%}",
            field=spec.name,
            hint=f'write a percentage, e.g. "{top:g}%" (or {top / 100:g})',
        )


def _written_high(value: Any) -> float | None:
    """The high end of a range written as text ("0.6 to 0.9"), as a plain number."""
    if not isinstance(value, str):
        return None
    ends = parse_range(value)
    if ends is None or not ends[1].dimensionless:
        return None
    return float(ends[1].to("").magnitude[0])


def written(raw: Any) -> str:
    """A value as the user wrote it, for messages: ``'30k USD/GPU'``, ``0.15``, and a mapping
    in the file's own style, ``{normal: {mean: 30k USD/GPU, sd: 20k USD/GPU}}``."""
    if isinstance(raw, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in raw.items()) + "}"
    return repr(raw)


def _flow(raw: Any) -> str:
    if isinstance(raw, dict):
        return written(raw)
    if isinstance(raw, list | tuple):
        return "[" + ", ".join(_flow(v) for v in raw) + "]"
    return str(raw)
