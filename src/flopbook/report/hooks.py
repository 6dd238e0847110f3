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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from flopbook.formula.result import Result
from flopbook.quantity import is_point, magnitudes

__all__ = ["Found", "Uncertainty", "headline_samples"]

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
