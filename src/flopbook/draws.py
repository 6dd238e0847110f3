"""How samples are drawn: the sampling settings, each input's own random stream, ranges as
90% intervals and the named distributions over plain numbers.

Numbers only: a distribution written with units (``{pert: {low: 1.1, …}}``, ``30k USD/GPU``)
is read by :mod:`flopbook.distributions`, above the quantities, which draw from here.
"""

from __future__ import annotations

import contextvars
import math
import os
import zlib
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from flopbook.errors import InputError

DEFAULT_SAMPLES = 10_000
DEFAULT_SEED = 20250131  # any fixed number: the default run is reproducible
SAMPLERS = ("random", "sobol", "lhs")

# 1.6448536... is the standard normal's 95th percentile: a "low to high" range is a 90%
# interval, so each end lies this many standard deviations from the centre.
Z90 = 1.6448536269514722

# Sobol points are drawn in blocks of this many dimensions (one per uncertain input, in the
# order the inputs are read). Blocks, not one design for all inputs, because the number of
# inputs is not known when the first one is read.
_SOBOL_BLOCK = 8

# A model holds about this many sample arrays at once (inputs, intermediate results, outputs);
# used to refuse sample counts that cannot fit in memory before any is drawn.
DEFAULT_ARRAYS = 32


@dataclass
class Sampling:
    """How many samples an uncertain input draws, from which seed, and how."""

    samples: int = DEFAULT_SAMPLES
    seed: int = DEFAULT_SEED
    sampler: str = "random"
    _draws: int = field(default=0, repr=False)
    _sobol: list[np.ndarray] = field(default_factory=list, repr=False)
    _sobol_used: int = field(default=0, repr=False)

    def rng(self, key: str | None = None) -> np.random.Generator:
        """A generator of its own for each input: named inputs keep their stream whatever
        the order in which they are read; unnamed ones are numbered in order of use."""
        if key is None:
            self._draws += 1
            key = f"#{self._draws}"
        return np.random.default_rng([self.seed, zlib.crc32(key.encode())])

    def uniforms(self, key: str | None = None, n: int | None = None) -> np.ndarray:
        """``n`` points in (0, 1) for one input, spread as the sampler says."""
        n = n or self.samples
        rng = self.rng(key)
        if self.sampler == "lhs":
            # one point in each of n equal strata, the strata in random order
            return (rng.permutation(n) + rng.random(n)) / n
        if self.sampler == "sobol":
            return self._sobol_column(n)
        return rng.random(n)

    def _sobol_column(self, n: int) -> np.ndarray:
        # SciPy loads in about a second; only some distributions and samplers need it
        from scipy.stats import qmc

        block, column = divmod(self._sobol_used, _SOBOL_BLOCK)
        self._sobol_used += 1
        while len(self._sobol) <= block:
            # Block b holds Sobol dimensions 8b to 8b + 7: its own direction numbers, since
            # the same dimension scrambled twice stays strongly correlated with itself.
            b = len(self._sobol)
            engine = qmc.Sobol(
                _SOBOL_BLOCK * (b + 1), scramble=True, seed=self.rng(f"sobol-block-{b}")
            )
            # Sobol points are balanced in runs of a power of two; take the first n of them.
            points = engine.random_base2(max(0, math.ceil(math.log2(n))))[:n]
            self._sobol.append(np.ascontiguousarray(points[:, _SOBOL_BLOCK * b :]))
        return np.clip(self._sobol[block][:, column], 1e-12, 1 - 1e-12)


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
def sampling(
    samples: int | None = None, seed: int | None = None, sampler: str | None = None
) -> Iterator[Sampling]:
    """Set the number of samples, the seed and the sampler for the quantities made inside
    the block."""
    if samples is not None and samples < 1:
        raise InputError(f"samples must be at least 1, got {samples}")
    if seed is not None and seed < 0:
        raise InputError(f"the seed must be 0 or more, got {seed}")
    if sampler is not None and sampler not in SAMPLERS:
        raise InputError(f"unknown sampler {sampler!r}", hint="write random, sobol or lhs")
    base = current_sampling()
    new = Sampling(
        samples or base.samples, base.seed if seed is None else seed, sampler or base.sampler
    )
    require_memory(new.samples)
    token = _SAMPLING.set(new)
    try:
        yield new
    finally:
        _SAMPLING.reset(token)


# ---- memory ------------------------------------------------------------------------------


def available_memory() -> int:
    """Bytes of memory available to this process (MemAvailable on Linux)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def require_memory(samples: int, arrays: int = DEFAULT_ARRAYS, *, what: str = "--samples") -> None:
    """Refuse a sample count whose arrays (8 bytes a sample) would not fit in memory."""
    need = samples * 8 * arrays
    have = available_memory()
    if samples > 10**15:  # past any memory, and past what a float can count in bytes
        most = max(1, have // (8 * arrays))
        raise InputError(
            f"{what} of {len(str(samples))} digits is more samples than any memory holds",
            hint=f"use at most about {_round_down(most):,} samples",
        )
    if need > have:
        most = max(1, have // (8 * arrays))
        raise InputError(
            f"{what} {samples:,} needs about {_bytes(need)} of memory "
            f"({arrays} arrays of {samples:,} samples); {_bytes(have)} is available",
            hint=f"use at most about {_round_down(most):,} samples",
        )


def _bytes(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:,.1f} PB"


def _round_down(n: int) -> int:
    digits = 10 ** (len(str(n)) - 1)
    return n // digits * digits


# ---- ranges ------------------------------------------------------------------------------


def range_samples(
    low: float, high: float, *, key: str | None = None, n: int | None = None
) -> np.ndarray:
    """Samples of a 90% interval: lognormal when both ends are positive, else normal."""
    if low > high:
        raise InputError(
            f"the range's low end {low:g} is above its high end {high:g}",
            hint="write the lower value first",
        )
    if low == high:
        return np.full(1, float(low))
    kind = "lognormal" if low > 0 else "normal"
    return Distribution(kind, {"low": low, "high": high}).sample(key=key, n=n)


# ---- fast normal draws --------------------------------------------------------------------

# A large draw is filled in blocks of this many samples, each block from a stream of its own,
# on as many threads as there are cores (NumPy's generators and ufuncs release the GIL while
# they fill an array). The first block comes from the input's own stream, so a draw of up to
# this many samples is the same as one made in a single piece; every block's stream follows
# from the input's, so the samples depend on the seed only, never on the number of cores.
DRAW_BLOCK = 1 << 17


def normal_draws(
    rng: np.random.Generator, n: int, loc: float, scale: float, *, log: bool = False
) -> np.ndarray:
    """``loc + scale x`` a standard normal (its exp when ``log``): the draws of
    ``rng.normal`` / ``rng.lognormal``, computed in place (no temporary arrays)."""
    out = np.empty(n)
    blocks = -(-n // DRAW_BLOCK)
    streams = [rng, *rng.spawn(blocks - 1)] if blocks > 1 else [rng]

    def fill(i: int) -> None:
        z = out[i * DRAW_BLOCK : (i + 1) * DRAW_BLOCK]
        streams[i].standard_normal(out=z)
        z *= scale
        z += loc
        if log:
            np.exp(z, out=z)

    pool = _draw_pool() if blocks > 1 else None
    if pool is None:
        for i in range(blocks):
            fill(i)
    else:
        for _ in pool.map(fill, range(blocks)):
            pass
    return out


@cache
def _draw_pool() -> ThreadPoolExecutor | None:
    """Threads for filling large draws (None on one core: the blocks are filled in turn)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return ThreadPoolExecutor(min(cores, 8), "flopbook-draws") if cores > 1 else None


@dataclass(frozen=True)
class Distribution:
    """A named distribution over plain numbers (the unit is kept beside it).

    ``params`` are floats in one unit: normal (mean, sd), lognormal (mu, sigma of the log),
    uniform (low, high), triangular and pert (low, mode, high[, shape]), choice (values,
    probabilities as tuples).
    """

    kind: str
    params: Mapping[str, Any]
    unit: str = ""

    def __post_init__(self) -> None:
        p = dict(self.params)
        if self.kind in ("normal", "lognormal") and "low" in p:
            low, high = p.pop("low"), p.pop("high")
            if self.kind == "lognormal":
                p = {
                    "mu": (math.log(low) + math.log(high)) / 2,
                    "sigma": (math.log(high) - math.log(low)) / (2 * Z90),
                }
            else:
                p = {"mean": (low + high) / 2, "sd": (high - low) / (2 * Z90)}
        elif self.kind == "lognormal" and "mean" in p:
            mean, sd = p.pop("mean"), p.pop("sd")
            sigma2 = math.log1p((sd / mean) ** 2)
            p = {"mu": math.log(mean) - sigma2 / 2, "sigma": math.sqrt(sigma2)}
        elif self.kind == "pert":
            p.setdefault("shape", 4.0)
        object.__setattr__(self, "params", p)

    @property
    def is_point(self) -> bool:
        p = self.params
        if self.kind == "normal":
            return p["sd"] == 0
        if self.kind == "lognormal":
            return p["sigma"] == 0
        if self.kind == "choice":
            return len(set(p["values"])) == 1
        return p["low"] == p["high"]

    def point(self) -> float:
        """The value of a distribution of zero spread."""
        p = self.params
        return {
            "normal": lambda: p["mean"],
            "lognormal": lambda: math.exp(p["mu"]),
            "choice": lambda: p["values"][0],
        }.get(self.kind, lambda: p["low"])()

    def sample(self, *, key: str | None = None, n: int | None = None) -> np.ndarray:
        """Samples under the sampling settings in force (one value when there is no spread)."""
        if self.is_point:
            return np.full(1, float(self.point()))
        s = current_sampling()
        n = n or s.samples
        if n == 1:
            # One sample is a point estimate: the median, not a random draw.
            return np.atleast_1d(self.ppf(np.array([0.5]))).astype(float)
        if s.sampler == "random":
            return self.draw(s.rng(key), n)
        return self.ppf(s.uniforms(key, n))

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Independent random draws (NumPy's own samplers: faster than inverting the CDF)."""
        p = self.params
        if self.kind in ("normal", "lognormal"):
            loc, scale = (p["mean"], p["sd"]) if self.kind == "normal" else (p["mu"], p["sigma"])
            return normal_draws(rng, n, loc, scale, log=self.kind == "lognormal")
        if self.kind == "uniform":
            return rng.uniform(p["low"], p["high"], n)
        if self.kind == "triangular":
            return rng.triangular(p["low"], p["mode"], p["high"], n)
        if self.kind == "pert":
            a, b = _pert_shape(p)
            return p["low"] + (p["high"] - p["low"]) * rng.beta(a, b, n)
        values = np.asarray(p["values"], dtype=float)
        return values[rng.choice(len(values), size=n, p=np.asarray(p["probabilities"]))]

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The quantile function: the value below which a share ``u`` of samples fall."""
        # SciPy loads in about a second; only some distributions and samplers need it
        from scipy import special

        p = self.params
        u = np.asarray(u, dtype=float)
        if self.kind == "normal":
            return p["mean"] + p["sd"] * special.ndtri(u)
        if self.kind == "lognormal":
            return np.exp(p["mu"] + p["sigma"] * special.ndtri(u))
        if self.kind == "uniform":
            return p["low"] + (p["high"] - p["low"]) * u
        if self.kind == "triangular":
            lo, mode, hi = p["low"], p["mode"], p["high"]
            cut = (mode - lo) / (hi - lo)
            left = lo + np.sqrt(u * (hi - lo) * (mode - lo))
            right = hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode))
            return np.where(u < cut, left, right)
        if self.kind == "pert":
            a, b = _pert_shape(p)
            return p["low"] + (p["high"] - p["low"]) * special.betaincinv(a, b, u)
        values = np.asarray(p["values"], dtype=float)
        edges = np.cumsum(p["probabilities"])[:-1]
        return values[np.searchsorted(edges, u, side="right")]


def _pert_shape(p: Mapping[str, float]) -> tuple[float, float]:
    width = p["high"] - p["low"]
    a = 1 + p["shape"] * (p["mode"] - p["low"]) / width
    b = 1 + p["shape"] * (p["high"] - p["mode"]) / width
    return a, b
