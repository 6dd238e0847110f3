"""Arithmetic on plain sample arrays, for a model's hot path.

A quantity's samples are a float array of shape ``(1,)`` for a point or ``(n,)`` when sampled.
Over a million samples each pass over an array costs about a millisecond, and a fresh array
a few more the first time its memory is touched. So these helpers combine the point values
into one number before they touch a sample array, and build each result in place in one
array of their own: an input's samples are never written to.

Units stay with pint: callers take each input's magnitude in a stated unit (pint converts it
or refuses it) and attach the result's unit at the end.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def product(*factors: Any) -> np.ndarray:
    """The product of ``factors`` as a new array: point values multiplied together first,
    then one pass per sampled factor."""
    points, arrays = _split(factors)
    scalar = math.prod(points)
    if not arrays:
        return np.array([scalar])
    out = np.multiply(arrays[0], scalar)
    for a in arrays[1:]:
        out = times(out, a)
    return out


def total(*terms: Any) -> np.ndarray:
    """The sum of ``terms`` as a new array: point values added together first."""
    points, arrays = _split(terms)
    scalar = math.fsum(points)
    if not arrays:
        return np.array([scalar])
    out = np.add(arrays[0], scalar)
    for a in arrays[1:]:
        out = plus(out, a)
    return out


def plus(own: np.ndarray, other: Any) -> np.ndarray:
    """``own + other``, in place when ``own`` (an array of the caller's own) is big enough."""
    other = np.asarray(other, dtype=float)
    if own.size >= other.size:
        return np.add(own, other, out=own)
    return own + other


def times(own: np.ndarray, other: Any) -> np.ndarray:
    """``own * other``, in place when ``own`` (an array of the caller's own) is big enough."""
    other = np.asarray(other, dtype=float)
    if own.size >= other.size:
        return np.multiply(own, other, out=own)
    return own * other


def _split(values: tuple[Any, ...]) -> tuple[list[float], list[np.ndarray]]:
    points: list[float] = []
    arrays: list[np.ndarray] = []
    for v in values:
        a = np.asarray(v, dtype=float)
        if a.size == 1:
            points.append(float(a.reshape(-1)[0]))
        else:
            arrays.append(a)
    return points, arrays
