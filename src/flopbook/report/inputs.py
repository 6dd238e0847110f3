"""Inputs as a workbook shows them: one defined name each, the value used, the range.

A report's calculations use one value per input. For a point value that is the value; for a
range it is the median (the geometric mean of the ends for a positive "low to high" range,
which flopbook samples as a lognormal; the middle for one that crosses zero, sampled as a
normal; the sample median otherwise). The workbook shows the ends beside it.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

# Unit conversions the formulas need, by name, live beside the formula engine that writes
# them: a number in a formula would be a hard-coded constant with no label.
from flopbook.formula.conversions import CONVERSIONS, conversion, factor_formula
from flopbook.models.registry import KINDS
from flopbook.quantity import Quantity, is_point, magnitudes, parse_range
from flopbook.report.document import InputRow

__all__ = [
    "CONVERSIONS",
    "MODEL_CONSTANTS",
    "InputBook",
    "at_value",
    "conversion",
    "factor_formula",
    "summary_of",
]

if TYPE_CHECKING:
    import pint

    from flopbook.formula.declaration import Constant
    from flopbook.inputs import Input

# Numbers of a model that are not unit conversions, each with its reason, so that no formula
# holds a bare number: name -> (value, label, source); "one_year" has the unit year.
MODEL_CONSTANTS: dict[str, tuple[float, str, str]] = {
    "one_year": (
        1.0,
        "One year: a yearly amount times one year is the amount of that year",
        "definition: cumulative and all-year totals add each year's amount",
    ),
    "forward_FLOP_per_param_token": (
        2.0,
        "Forward FLOPs per parameter per token (a multiply and an add)",
        "Kaplan et al. 2020, arXiv 2001.08361, section 2.1",
    ),
    "attention_FLOP_factor": (
        2.0,
        "Attention FLOPs per layer per context token per model width",
        "Kaplan et al. 2020, arXiv 2001.08361, table 1",
    ),
    "prefill_context_share": (
        0.5,
        "Share of the prompt a prefill token attends to, on average",
        "flopbook's inference model: prefill attends on average to half the prompt",
    ),
    "decode_output_share": (
        0.5,
        "Share of the output counted in the average decode context",
        "flopbook's inference default: context = input + half the output",
    ),
}


def summary_of(value: pint.Quantity, raw: Any) -> tuple[float, float | None, float | None, str]:
    """(value used, low, high, distribution) of an input."""
    m = magnitudes(value)
    if is_point(value):
        return float(m[0]), None, None, "point"
    if isinstance(raw, str):
        try:
            ends = parse_range(raw)
        except Exception:  # noqa: BLE001 - the value was read before; any doubt: use samples
            ends = None
        if ends is not None:
            lo, hi = (_in_unit(end, value.units) for end in ends)
            if lo > 0:
                return math.sqrt(lo * hi), lo, hi, "90% range, lognormal"
            return (lo + hi) / 2, lo, hi, "90% range, normal"
    p5, p50, p95 = np.percentile(m, [5, 50, 95])
    return float(p50), float(p5), float(p95), "samples (5th to 95th percentile)"


def _in_unit(end: pint.Quantity, units: Any) -> float:
    """One end of a range in the input's unit; a bare number ("1000 to 3000" GPUs) is
    already in it, as the input reader took it."""
    if end.dimensionless and not (1 * units).dimensionless:
        return float(magnitudes(end)[0])
    return float(magnitudes(end.to(units))[0])


def at_value(inp: Input, used: float) -> Input:
    """The input with its samples replaced by the one value the report uses."""
    return replace(inp, value=Quantity(used, inp.value.units))


_NOT_NAME = re.compile(r"[^A-Za-z0-9_]")


def _kind_constants() -> list[str]:
    return [c.name for k in KINDS.values() for c in k.constants]


class InputBook:
    """The inputs of a report: one row and one defined name per input, shared by blocks."""

    def __init__(self) -> None:
        self.rows: list[InputRow] = []
        self._by_place: dict[str, InputRow] = {}
        # the conversions' names are reserved first, so that no input can take one
        self._taken: set[str] = {
            n.lower() for n in [*CONVERSIONS, *MODEL_CONSTANTS, *_kind_constants()]
        }
        self.constants: dict[str, InputRow] = {}

    def name_for(self, base: str) -> str:
        """A defined name Excel and LibreOffice accept: letters, digits and underscores,
        starting with a letter, never a cell address, unique regardless of case."""
        name = _NOT_NAME.sub("_", base).strip("_") or "input"
        if not name[0].isalpha():
            name = "x_" + name
        if re.fullmatch(r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*", name):
            name += "_"
        name = name[:200]
        candidate, n = name, 2
        while candidate.lower() in self._taken:
            candidate, n = f"{name}_{n}", n + 1
        self._taken.add(candidate.lower())
        return candidate

    def has(self, place: str) -> bool:
        return place in self._by_place

    def row(self, place: str) -> InputRow:
        return self._by_place[place]

    def named(self, name: str) -> InputRow:
        for row in [*self.rows, *self.constants.values()]:
            if row.name == name:
                return row
        raise KeyError(name)

    def add(
        self,
        place: str,
        base_name: str,
        label: str,
        inp: Input | None = None,
        *,
        value: pint.Quantity | None = None,
        raw: Any = None,
        source: str | None = None,
        note: str | None = None,
        default: bool = False,
    ) -> InputRow:
        """Register an input once (by place); later calls return the same row."""
        if place in self._by_place:
            return self._by_place[place]
        if inp is not None:
            value, raw = inp.value, inp.raw
            source, note = inp.source, inp.note
        assert value is not None
        used, low, high, dist = summary_of(value, raw)
        unit = f"{value.units:~P}"
        percent = unit == "" and isinstance(raw, str) and raw.strip().endswith("%")
        row = InputRow(
            self.name_for(base_name),
            place,
            label,
            used,
            unit,
            low,
            high,
            dist,
            source,
            note,
            default,
            percent,
        )
        self.rows.append(row)
        self._by_place[place] = row
        return row

    def kind_constant(self, c: Constant) -> str:
        """A named constant of a declared kind (value, unit, label and source from its
        declaration), registered once."""
        if c.name not in self.constants:
            self.constants[c.name] = InputRow(
                c.name, "model constant", c.label, c.value, c.unit, source=c.source
            )
        return c.name

    def constant(self, name: str) -> str:
        if name in MODEL_CONSTANTS:
            if name not in self.constants:
                value, label, source = MODEL_CONSTANTS[name]
                self.constants[name] = InputRow(
                    name,
                    "model constant",
                    label,
                    value,
                    "year" if name == "one_year" else "",
                    source=source,
                )
            return name
        if name not in self.constants:
            src, dst, label = CONVERSIONS[name]
            self.constants[name] = InputRow(
                name,
                "unit conversion",
                label,
                conversion(name),
                f"{dst}/{src}",
                source="definition of the units (flopbook's unit registry)",
            )
        return name
