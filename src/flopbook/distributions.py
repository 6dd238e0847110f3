"""Uncertain inputs as samples: ranges and named distributions, and the sampling settings.

A range ``"8k to 12k"`` is a 90% interval. When both ends are positive it becomes a lognormal
(quantities such as prices and counts are positive and skewed); otherwise a normal.
"""

from __future__ import annotations

import contextvars
import math
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from flopbook.errors import InputError

DEFAULT_SAMPLES = 10_000
DEFAULT_SEED = 20250131  # any fixed number: the default run is reproducible

# 1.6448536... is the standard normal's 95th percentile: a "low to high" range is a 90%
# interval, so each end lies this many standard deviations from the centre.
Z90 = 1.6448536269514722


@dataclass
class Sampling:
    """How many samples an uncertain input draws, and from which seed."""

    samples: int = DEFAULT_SAMPLES
    seed: int = DEFAULT_SEED
    _draws: int = field(default=0, repr=False)

    def rng(self, key: str | None = None) -> np.random.Generator:
        """A generator of its own for each input: named inputs keep their stream whatever
        the order in which they are read; unnamed ones are numbered in order of use."""
        if key is None:
            self._draws += 1
            key = f"#{self._draws}"
        return np.random.default_rng([self.seed, zlib.crc32(key.encode())])


_SAMPLING: contextvars.ContextVar[Sampling | None] = contextvars.ContextVar(
    "flopbook_sampling", default=None
)


def current_sampling() -> Sampling:
    """The sampling settings in force (the defaults outside any ``sampling`` block)."""
    found = _SAMPLING.get()
    if found is None:
        found = Sampling()
        _SAMPLING.set(found)
    return found


@contextmanager
def sampling(samples: int | None = None, seed: int | None = None) -> Iterator[Sampling]:
    """Set the number of samples and the seed for the quantities made inside the block."""
    if samples is not None and samples < 1:
        raise InputError(f"samples must be at least 1, got {samples}")
    if seed is not None and seed < 0:
        raise InputError(f"the seed must be 0 or more, got {seed}")
    base = current_sampling()
    new = Sampling(samples or base.samples, base.seed if seed is None else seed)
    token = _SAMPLING.set(new)
    try:
        yield new
    finally:
        _SAMPLING.reset(token)


def range_samples(
    low: float, high: float, *, key: str | None = None, n: int | None = None
) -> np.ndarray:
    """Samples of a 90% interval: lognormal when both ends are positive, else normal."""
    if low > high:
        raise InputError(
            f"the range's low end {low:g} is above its high end {high:g}",
            hint="write the lower value first",
        )
    s = current_sampling()
    n = n or s.samples
    if low == high:
        return np.full(1, float(low))
    if n == 1:
        # One sample is a point estimate: the median, not a random draw.
        return np.full(1, math.sqrt(low * high) if low > 0 else (low + high) / 2)
    rng = s.rng(key)
    if low > 0:
        mu = (math.log(low) + math.log(high)) / 2
        sigma = (math.log(high) - math.log(low)) / (2 * Z90)
        return rng.lognormal(mu, sigma, n)
    return rng.normal((low + high) / 2, (high - low) / (2 * Z90), n)


