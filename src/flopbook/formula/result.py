"""One result for every declared kind: named outputs per item and in total.

A :class:`Result` holds, for each item (a fleet's SKUs), the item's extensive outputs as
computed from the kind's declaration (:class:`ItemOutputs`), and derives everything else
from the declaration: an extensive output's total is the sum over the items that have it; an
intensive one (a ratio) is the ratio of the totals over the items where it is defined, a
weighted average, never a sum. Rows are made when first read, so a run that asks for one
output pays for one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from flopbook.errors import UnknownNameError, suggest
from flopbook.formula.declaration import Form, Kind, Output, Ratio
from flopbook.formula.samples import compiled
from flopbook.formula.totals import Items, evaluate_total
from flopbook.quantity import Quantity, is_point, parsed_unit, summarize, unit_name

if TYPE_CHECKING:
    import pandas as pd
    import pint

    from flopbook.inputs import Input
    from flopbook.quantity import Summary

__all__ = ["TOTAL", "ItemOutputs", "Result"]

TOTAL = "Total"


class ItemOutputs(Mapping[str, "pint.Quantity | None"]):
    """The extensive outputs of one item, evaluated from the kind's declaration.

    The kind is compiled once per form of the item's inputs and their units
    (:func:`flopbook.formula.samples.compiled`); each output is computed when first read, and
    reading more outputs reuses what was computed."""

    def __init__(self, kind: Kind, values: Mapping[str, pint.Quantity], form: Form) -> None:

        self.kind = kind
        self.form = form
        self.keys_ = tuple(k for k, f in kind.formulas.items() if f.kind == "extensive")
        units = {n: cast("pint.Unit", v.units) for n, v in values.items()}
        self.compiled = compiled(kind, form, units)
        self._run = self.compiled.polys({n: v.magnitude for n, v in values.items()})
        self._done: dict[str, pint.Quantity | None] = {}

    def __getitem__(self, key: str) -> pint.Quantity | None:
        if key not in self.keys_:
            raise KeyError(key)
        return self.value(key)

    def value(self, key: str) -> pint.Quantity | None:
        """Any formula's value for this item, a step's too (None: unknown for its form)."""
        if key not in self._done:
            self._done[key] = self._value(key)
        return self._done[key]

    def _value(self, key: str) -> pint.Quantity | None:

        if not self.compiled.known(key):
            return None
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return Quantity(self._run.array(key), self.kind.formulas[key].unit)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys_)

    def __len__(self) -> int:
        return len(self.keys_)

    def is_none(self, key: str) -> bool:
        """Whether ``key`` is unknown for this item, without computing it."""
        return not self.compiled.known(key)

    def formula(self, key: str) -> str:
        """The formula of ``key`` for this item, as written in the declaration."""
        out = self.kind.output.get(key) or self.kind.formulas[key]
        return out.text(self.form)


class Result:
    """Every output of a kind for every item and for the total, as quantities (samples with
    units): ``get(key, column)``, ``summary``, ``formula``, ``to_dict``, ``to_dataframe``."""

    def __init__(
        self,
        kind: Kind,
        columns: list[str],
        items: Mapping[str, Mapping[str, pint.Quantity | None]],
        *,
        name: str = "",
    ) -> None:
        self.kind = kind
        self.name = name
        self.columns = columns
        # each item's inputs as given (with their sources), where the result was run from
        # them: what a report lays out and a sensitivity reruns (flopbook.models.declared)
        self.inputs: dict[str, dict[str, Input]] = {}
        self.choices: dict[str, dict[str, str]] = {}  # each item's choices (a cost basis)
        self._extensive = items
        self._partial: dict[str, list[str]] = {}
        self._summaries: dict[tuple[str, str], Summary | None] = {}
        self.values: Mapping[str, dict[str, pint.Quantity | None]] = _Rows(self._row, kind)

    # ---- outputs

    @property
    def outputs(self) -> tuple[Output, ...]:
        return self.kind.outputs

    def output(self, key: str) -> Output:
        """The output called ``key`` (``tco_per_year``), or an error naming the nearest."""
        if key not in self.kind.output:
            raise UnknownNameError(
                f"unknown output {key!r}", hint=suggest(key, tuple(self.kind.output))
            )
        return self.kind.output[key]

    @property
    def all_columns(self) -> list[str]:
        return [*self.columns, TOTAL]

    def get(self, key: str, column: str = TOTAL) -> pint.Quantity | None:
        m = self.output(key)
        if column not in self.values[m.key]:
            raise UnknownNameError(
                f"no column {column!r}", hint="columns: " + ", ".join(self.all_columns)
            )
        return self.values[m.key][column]

    def summary(self, key: str, column: str = TOTAL) -> Summary | None:

        # kept: a table, JSON and a DataFrame of one result each read every cell's summary
        if (key, column) not in self._summaries:
            value = self.get(key, column)
            self._summaries[key, column] = (
                None if value is None else summarize(value, self.unit(key, column) or None)
            )
        return self._summaries[key, column]

    def unit(self, key: str, column: str = TOTAL) -> str:
        """The unit of ``key``'s figure in ``column``: the output's, or for the Total its
        declared total's (a payer's cash per year adds up to dollars over the years)."""
        declared = self.kind.total_of(key) if column == TOTAL else None
        return declared.unit if declared is not None else self.output(key).unit

    def label(self, key: str, column: str = TOTAL) -> str:
        """The label of ``key``'s figure in ``column`` (a declared total's in the Total)."""
        declared = self.kind.total_of(key) if column == TOTAL else None
        return declared.label if declared is not None else self.output(key).label

    def total(self, key: str) -> pint.Quantity | None:
        """A declared total of the whole run by its key (a fund's compound net return; an
        output's declared Total by the total's key too)."""
        if key not in self.kind.total:
            raise UnknownNameError(
                f"unknown total {key!r}", hint=suggest(key, tuple(self.kind.total))
            )
        found = self.kind.total[key]
        if found.of is not None:
            return self.get(found.of)
        return evaluate_total(self.kind, found, self._in_order())

    def _in_order(self) -> list[Items]:
        return [_AsItem(self._extensive[c]) for c in self.columns]

    def formula(self, key: str, column: str = TOTAL) -> str:
        """The formula behind a figure, as declared: an item's own case of it, or for the
        total a sum of the items (extensive) or the ratio of the totals (intensive)."""
        m = self.output(key)
        if column == TOTAL:
            declared = self.kind.total_of(key)
            if declared is not None:
                return declared.expression
            if not self.kind.sums and not isinstance(m, Ratio):
                return "not added"
            if isinstance(m, Ratio):
                return f"total {m.numerator} / total {m.denominator}"
            return f"sum of {key} over " + ", ".join(self.columns)
        item = self._extensive[column]
        if isinstance(m, Ratio):
            return m.text()
        if isinstance(item, ItemOutputs):
            return item.formula(key)
        return self.kind.formulas[key].text()

    @property
    def sampled(self) -> bool:

        return any(
            v is not None and not is_point(v) for row in self.values.values() for v in row.values()
        )

    @property
    def partial(self) -> dict[str, list[str]]:
        """Outputs whose total covers only some items, with the items left out."""
        found = {}
        for m in self.outputs:
            missing = self._missing(m)
            if missing:
                found[m.key] = missing
        return found

    # ---- plain data

    def rows_dict(self) -> list[dict[str, Any]]:
        """Every output as plain data: key, label, kind, unit, each column's summary."""
        rows = []
        for m in self.outputs:
            cells = {}
            for c in self.all_columns:
                s = self.summary(m.key, c)
                cells[c] = None if s is None else s.as_dict()
            rows.append(
                {
                    "metric": m.key,
                    "label": m.label,
                    "kind": m.kind,
                    "unit": unit_name(m.unit),  # the spelling its values use: USD/GPU-hour
                    "values": cells,
                    "missing": self.partial.get(m.key, []),
                }
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: every quantity as value + unit (+ percentiles if sampled)."""
        return {
            "name": self.name,
            "kind": self.kind.name,
            "columns": self.all_columns,
            "metrics": self.rows_dict(),
        }

    def to_dataframe(self, stat: str = "mean") -> pd.DataFrame:
        """Outputs as rows, items and Total as columns (``stat``: mean, p5, p50 or p95)."""
        # pandas loads in about a second; only to_dataframe needs it
        import pandas as pd

        data = {}
        for m in self.outputs:
            row = {}
            for c in self.all_columns:
                s = self.summary(m.key, c)
                row[c] = None if s is None else getattr(s, stat)
            row["unit"] = m.unit
            data[m.label] = row
        frame = pd.DataFrame.from_dict(data, orient="index")
        frame.index.name = self.name or "metric"
        return frame

    def _repr_html_(self) -> str:
        return self.to_dataframe()._repr_html_()

    # ---- rows

    def _missing(self, m: Output) -> list[str]:
        """The items left out of ``m``'s total, without computing rows that nothing has read
        where that can be known from the inputs (a table shows half of the rows)."""
        columns, extensive = self.columns, self._extensive
        known = all(isinstance(extensive[c], ItemOutputs) for c in columns)
        if known and m.key not in self.values._done:  # type: ignore[attr-defined]
            items: dict[str, ItemOutputs] = extensive  # type: ignore[assignment]
            if not isinstance(m, Ratio):
                gone = [c for c in columns if items[c].is_none(m.key)]
            else:
                gone = [
                    c
                    for c in columns
                    if items[c].is_none(m.numerator)
                    or items[c].is_none(m.denominator)
                    or _all_zero(items[c][m.denominator])
                ]
            return gone if len(gone) < len(columns) else []
        self.values[m.key]
        return self._partial.get(m.key, [])

    def _row(self, key: str) -> dict[str, pint.Quantity | None]:
        m, columns, extensive = self.kind.output[key], self.columns, self._extensive
        declared = self.kind.total_of(key)
        if declared is not None or (not self.kind.sums and not isinstance(m, Ratio)):
            row = {c: extensive[c][m.key] for c in columns}
            found = None
            if declared is not None:
                found = evaluate_total(self.kind, declared, self._in_order())
            cells = {
                c: (None if v is None else _in_unit(v, m.unit, inplace=False))
                for c, v in row.items()
            }
            return {**cells, TOTAL: found}
        if not isinstance(m, Ratio):
            row = {c: extensive[c][m.key] for c in columns}
            row[TOTAL] = self._total(m.key, row)
            # an item's own value (or a total of one item) is converted to a new array; a
            # sum is new already and is converted in place
            made = {TOTAL} if sum(v is not None for v in row.values()) > 2 else set()
        else:
            row = {
                c: _ratio_of(extensive[c][m.numerator], extensive[c][m.denominator])
                for c in columns
            }
            # The total is a ratio of totals over the items where the ratio is defined:
            # a weighted average, never a sum of the per-item figures.
            defined = [c for c in columns if row[c] is not None]
            num = _sum([extensive[c][m.numerator] for c in defined])
            den = _sum([extensive[c][m.denominator] for c in defined])
            row[TOTAL] = _ratio_of(num, den)
            if defined and len(defined) < len(columns):
                self._partial[m.key] = [c for c in columns if c not in defined]
            made = set(row)  # ratios are new arrays
        return {
            c: (None if v is None else _in_unit(v, m.unit, inplace=c in made))
            for c, v in row.items()
        }

    def _total(self, key: str, row: dict[str, pint.Quantity | None]) -> pint.Quantity | None:
        present = [v for v in row.values() if v is not None]
        missing = [c for c, v in row.items() if v is None]
        if missing and present:
            self._partial[key] = missing
        return _sum(present)


class _AsItem:
    """An item's values read by key, as a declared total reads them."""

    def __init__(self, values: Mapping[str, pint.Quantity | None]) -> None:
        self.values = values

    def value(self, key: str) -> pint.Quantity | None:
        if isinstance(self.values, ItemOutputs):
            return self.values.value(key)
        return self.values.get(key)


class _Rows(Mapping[str, dict[str, "pint.Quantity | None"]]):
    """Output rows, each made on first read."""

    def __init__(self, make: Callable[[str], dict[str, pint.Quantity | None]], kind: Kind) -> None:
        self._make = make
        self._keys = tuple(kind.output)
        self._done: dict[str, dict[str, pint.Quantity | None]] = {}

    def __getitem__(self, key: str) -> dict[str, pint.Quantity | None]:
        if key not in self._done:
            if key not in self._keys:
                raise KeyError(key)
            self._done[key] = self._make(key)
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def _sum(values: Sequence[pint.Quantity | None]) -> pint.Quantity | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    total = present[0]
    for i, v in enumerate(present[1:]):
        # the first sum is a new array; the others add into it (no array per item)
        inplace = i > 0 and np.size(total.magnitude) >= np.size(v.magnitude)
        total = _add_into(total, v) if inplace else total + v
    return total


def _add_into(total: pint.Quantity, v: pint.Quantity) -> pint.Quantity:
    # pint converts v to total's unit (or refuses) and adds in place (typed as a new one)
    total += v  # type: ignore[misc]
    return total


def _in_unit(value: pint.Quantity, unit: str, *, inplace: bool) -> pint.Quantity:
    """``value`` in ``unit``; converted in place when it is an array of the row's own."""
    if inplace and value.units != parsed_unit(unit):
        value.ito(unit)
        return value
    return value.to(unit)


def _all_zero(value: pint.Quantity | None) -> bool:
    return value is None or bool(np.all(np.asarray(value.magnitude) == 0))


def _ratio_of(num: pint.Quantity | None, den: pint.Quantity | None) -> pint.Quantity | None:
    if num is None or den is None:
        return None
    d = np.asarray(den.magnitude, dtype=float)
    if np.all(d == 0):
        return None  # an item with no GPUs has no per-GPU figure
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / den
