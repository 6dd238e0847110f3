"""Model inputs: a quantity with the unit its field expects, where it came from, and a note.

Every model field is described by a :class:`FieldSpec` (label, accepted units, bounds, an
example). :func:`read_input` turns what a user wrote — ``"35k USD/GPU"``, ``"8k to 12k"``,
``0.15``, a distribution such as ``{pert: {low: 1.1, mode: 1.2, high: 1.5}}`` (see
:mod:`flopbook.distributions`), or a mapping ``{value: …, source: …, note: …}`` whose value is
any of these — into an :class:`Input`, or raises an :class:`~flopbook.errors.InputError` that
says what to write instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flopbook.errors import InputError, UnitMismatchError

if TYPE_CHECKING:
    import pint


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

    def describe_units(self) -> str:
        from flopbook.quantity import describe_unit

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


def read_input(spec: FieldSpec, raw: Any, *, key: str | None = None) -> Input:
    """Coerce what a user wrote for ``spec`` into an :class:`Input` (see module doc)."""
    import pint

    from flopbook.distributions import distribution_samples, is_distribution
    from flopbook.quantity import Quantity, q

    if isinstance(raw, Input):
        return read_input(spec, raw.value, key=key) if raw.name != spec.name else raw
    source = note = None
    value = raw
    if isinstance(raw, dict) and not is_distribution(raw):
        unknown = set(raw) - {"value", "source", "note"}
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
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError("is empty", field=spec.name, hint=f'write e.g. "{spec.example}"')

    try:
        if isinstance(value, bool):
            raise InputError(f"expected a quantity, got {value!r}")
        if isinstance(value, dict):
            quantity = distribution_samples(value, key=key or spec.name)
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
        else:
            quantity = q(value, key=key or spec.name)
            if quantity.dimensionless and spec.bare_unit and "" not in spec.units:
                quantity = Quantity(quantity.to("").magnitude, spec.bare_unit)
    except InputError as exc:
        raise exc.located(field=spec.name) from None

    for unit in spec.units:
        try:
            converted = quantity.to(unit)
        except pint.DimensionalityError:
            continue
        _check_bounds(spec, converted, value)
        return Input(spec.name, converted, raw=value, source=source, note=note)
    got = f"{quantity.units:~P}" or "a plain number"
    raise UnitMismatchError(
        f"expected {spec.describe_units()}, got {value!r} ({got})",
        field=spec.name,
        hint=f'write e.g. "{spec.example}"',
    )


def _check_bounds(spec: FieldSpec, value: pint.Quantity, raw: Any) -> None:
    import numpy as np

    m = np.asarray(value.magnitude, dtype=float)
    # One pass for each end over a sample array (a million samples: ~1 ms each); the
    # element-wise comparisons below run only when a bound is crossed.
    lowest, highest = float(m.min()), float(m.max())
    if not (np.isfinite(lowest) and np.isfinite(highest)):
        raise InputError(f"{raw!r} is not a finite number", field=spec.name)
    # Bounds apply to the first (canonical) unit's scale only when it is the unit matched;
    # a share field's bounds are on the share.
    if value.units != value._REGISTRY.Unit(spec.units[0]):
        return
    unit = f" {value.units:~P}" if not value.dimensionless else ""
    if spec.low is not None and (lowest < spec.low or (lowest == spec.low
                                                        and not spec.low_inclusive)):
        bad = m < spec.low if spec.low_inclusive else m <= spec.low
        if np.any(bad):
            op = "at least" if spec.low_inclusive else "above"
            raise InputError(
                f"must be {op} {spec.low:g}{unit}, got {raw!r}" + _share(bad),
                field=spec.name,
                hint=_bounded_hint(spec, bad),
            )
    if spec.high is not None and highest > spec.high:
        bad = m > spec.high
        raise InputError(
            f"must be at most {spec.high:g}{unit}, got {raw!r}" + _share(bad),
            field=spec.name,
            hint=_bounded_hint(spec, bad),
        )


def _share(bad: Any) -> str:
    """For sampled values: how many samples fall outside (a range's tail may)."""
    if bad.size == 1:
        return ""
    return f" ({int(bad.sum()):,} of {bad.size:,} samples fall outside)"


def _bounded_hint(spec: FieldSpec, bad: Any) -> str:
    if bad.size == 1:
        return f'write e.g. "{spec.example}"'
    return ("a range's tails are unbounded; use a bounded distribution, e.g. "
            "{pert: {low: …, mode: …, high: …}} or {uniform: {low: …, high: …}}")
