"""What a kind with logic of its own registers with reports, beside its block.

A module of :mod:`flopbook.report` that lays out a kind (``report/<kind>.py``) names its
block in a module-level ``BLOCKS`` (kind name -> function(result, book, title) -> a
:class:`~flopbook.report.document.Block` or a list of them), its charts in ``CHARTS``, and
how its results show their uncertainty in ``UNCERTAINTY`` (kind name -> :class:`Uncertainty`);
:mod:`flopbook.report.kinds` and :mod:`flopbook.report.uncertainty` gather those tables from
every module of the package. A kind run from its declaration alone registers nothing: its
block is laid out from its declaration and its sensitivity reruns the declaration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from flopbook.errors import InputError
from flopbook.formula.result import Result
from flopbook.models.declared import run_declared
from flopbook.models.registry import declared
from flopbook.quantity import Quantity, is_point, magnitudes

__all__ = ["Found", "Uncertainty", "headline_samples", "rerun_declaration"]

Found = list[tuple[str, str, str, np.ndarray]]  # (key, label, unit, samples)


def headline_samples(subject: Result) -> Found:
    """The samples of a declared result's uncertain headline outputs (its kind's
    ``headlines``), as (key, label, unit, samples)."""
    found: Found = []
    for key in subject.kind.headlines:
        value = subject.get(key)
        if value is not None and not is_point(value):
            unit = subject.unit(key)
            found.append((key, subject.label(key), unit, magnitudes(value, unit or None)))
    return found


@dataclass(frozen=True)
class Uncertainty:
    """How a kind's results show their uncertainty: the headline distributions
    (``samples``), the outputs a sensitivity can rank (``outputs``), and how it reruns the
    model for one of them (``adapter``: ``("fleet", fleet, capital_cost)`` for a fleet's
    own sensitivity, ``("model", model, uncertain, label, unit, labels, units, column)``
    for a model run on arrays of input values, or None when the result lacks the output)."""

    samples: Callable[[Any], Found]
    outputs: Callable[[Any], list[str]]
    adapter: Callable[[Any, str], tuple[Any, ...] | None]


def rerun_declaration(subject: Any, output: str) -> tuple[Any, ...] | None:
    """Any declared kind run from its inputs (``subject`` or the Result it carries): its
    declaration rerun on arrays of them, as an :attr:`Uncertainty.adapter` returns it; the
    sensitivity of a kind that registers none."""
    found = declared(subject)
    if found is None or not found.inputs:
        return None
    kind = found.kind
    if output not in kind.output and output not in kind.total:
        return None
    single = len(found.inputs) == 1
    columns = list(found.inputs)
    # sensitivity name -> the (item, input) places it is drawn into: an input shared by every
    # item (the same Input in each) is one input, drawn into all of them
    where: dict[str, list[tuple[str, str]]] = {}
    for column, item in found.inputs.items():
        for name, inp in item.items():
            if is_point(inp.value):
                continue
            shared = all(found.inputs[c].get(name) is inp for c in columns)
            key = name if single or shared else f"{column}.{name}"
            if key not in where:
                where[key] = [(c, name) for c in columns] if shared else [(column, name)]

    def given(key: str) -> Any:
        column, name = where[key][0]
        return found.inputs[column][name]

    uncertain = {k: magnitudes(given(k).value) for k in where}
    units = {k: f"{given(k).value.units:~P}" for k in where}
    labels = {
        k: kind.inputs[places[0][1]].label
        if single or len(places) > 1
        else f"{places[0][0]}: {kind.inputs[places[0][1]].label}"
        for k, places in where.items()
    }
    if output in kind.total and kind.total[output].of is None:
        label, unit = kind.total[output].label, kind.total[output].unit
    else:
        label, unit = found.label(output), found.unit(output)

    def model(values: Mapping[str, np.ndarray]) -> np.ndarray:
        drawn: dict[str, dict[str, Any]] = {}
        for k, v in values.items():
            drawn_value = Quantity(np.asarray(v, dtype=float), given(k).value.units)
            for column, name in where[k]:
                drawn.setdefault(column, {})[name] = drawn_value
        run = run_declared(kind, found.inputs, drawn, choices=found.choices)
        value = run.total(output) if output in kind.total else run.get(output)
        if value is None:
            raise InputError(f"{label} is unknown for these inputs")
        return magnitudes(value, unit or None)

    return ("model", model, uncertain, label, unit, labels, units, "Total")
