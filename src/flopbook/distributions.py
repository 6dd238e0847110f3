"""Uncertain inputs as samples: ranges and named distributions, and the sampling settings.

A range ``"8k to 12k"`` is a 90% interval. When both ends are positive it becomes a lognormal
(quantities such as prices and counts are positive and skewed); otherwise a normal.

A named distribution is a mapping with one key, the distribution's name (docs/uncertainty.md)::

    {normal: {mean: 30k USD/GPU, sd: 3k USD/GPU}}       # or {low: …, high: …}, a 90% interval
    {lognormal: {low: 20k USD/GPU, high: 40k USD/GPU}}  # or {mean: …, sd: …}
    {uniform: {low: 1.1, high: 1.4}}
    {triangular: {low: 1.1, mode: 1.2, high: 1.5}}
    {pert: {low: 1.1, mode: 1.2, high: 1.5}}            # optional shape (default 4)
    {choice: {30k USD/GPU: 0.7, 40k USD/GPU: 0.3}}

Samples come from a :class:`Sampling` (``--samples``, ``--seed``, ``--sampler``). Each input has
a random stream of its own, keyed by its name, so the numbers do not depend on the order in
which inputs are read. ``--sampler lhs`` (Latin hypercube) and ``--sampler sobol`` (scrambled
Sobol points) spread the samples more evenly than independent random draws, so means and
percentiles settle with fewer samples (benchmarks/samplers.py measures by how much).
"""

from __future__ import annotations

import contextvars
import difflib
import math
import os
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from flopbook.errors import InputError

if TYPE_CHECKING:
    import pint

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
        from scipy.stats import qmc

        block, column = divmod(self._sobol_used, _SOBOL_BLOCK)
        self._sobol_used += 1
        while len(self._sobol) <= block:
            # Block b holds Sobol dimensions 8b to 8b + 7: its own direction numbers, since
            # the same dimension scrambled twice stays strongly correlated with itself.
            b = len(self._sobol)
            engine = qmc.Sobol(_SOBOL_BLOCK * (b + 1), scramble=True,
                               seed=self.rng(f"sobol-block-{b}"))
            # Sobol points are balanced in runs of a power of two; take the first n of them.
            points = engine.random_base2(max(0, math.ceil(math.log2(n))))[:n]
            self._sobol.append(np.ascontiguousarray(points[:, _SOBOL_BLOCK * b:]))
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
    new = Sampling(samples or base.samples, base.seed if seed is None else seed,
                   sampler or base.sampler)
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
        raise InputError(f"{what} of {len(str(samples))} digits is more samples than any "
                         "memory holds",
                         hint=f"use at most about {_round_down(most):,} samples")
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
        z = out[i * DRAW_BLOCK:(i + 1) * DRAW_BLOCK]
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


# ---- named distributions -----------------------------------------------------------------

# name -> the parameter sets it accepts (any one of them), in the order they are documented
_FORMS: dict[str, list[tuple[str, ...]]] = {
    "normal": [("mean", "sd"), ("low", "high")],
    "lognormal": [("low", "high"), ("mean", "sd")],
    "uniform": [("low", "high")],
    "triangular": [("low", "mode", "high")],
    "pert": [("low", "mode", "high"), ("low", "mode", "high", "shape")],
    "choice": [],
}
DISTRIBUTIONS = tuple(_FORMS)
_EXAMPLES = {
    "normal": "{normal: {mean: 30k USD/GPU, sd: 3k USD/GPU}}",
    "lognormal": "{lognormal: {low: 20k USD/GPU, high: 40k USD/GPU}}",
    "uniform": "{uniform: {low: 1.1, high: 1.4}}",
    "triangular": "{triangular: {low: 1.1, mode: 1.2, high: 1.5}}",
    "pert": "{pert: {low: 1.1, mode: 1.2, high: 1.5}}",
    "choice": "{choice: {30k USD/GPU: 0.7, 40k USD/GPU: 0.3}}",
}


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
                p = {"mu": (math.log(low) + math.log(high)) / 2,
                     "sigma": (math.log(high) - math.log(low)) / (2 * Z90)}
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
        return {"normal": lambda: p["mean"], "lognormal": lambda: math.exp(p["mu"]),
                "choice": lambda: p["values"][0]}.get(self.kind, lambda: p["low"])()

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


def is_distribution(raw: Any) -> bool:
    """True for a one-key mapping that is not an input's ``{value, source, note}``."""
    return isinstance(raw, Mapping) and len(raw) == 1 and next(iter(raw)) not in (
        "value", "source", "note")


def distribution_samples(raw: Mapping[str, Any], *, key: str | None = None) -> pint.Quantity:
    """Samples (with their unit) of a distribution written as ``{name: {parameters}}``."""
    from flopbook.quantity import Quantity

    dist = parse_distribution(raw)
    return Quantity(dist.sample(key=key), dist.unit)


def parse_distribution(raw: Mapping[str, Any]) -> Distribution:
    """Read ``{normal: {mean: …, sd: …}}`` and its kin; a mistake is one InputError."""
    (name, params), = raw.items()
    name = str(name)
    if name not in _FORMS:
        near = difflib.get_close_matches(name, [*DISTRIBUTIONS, "value"], n=1)
        if near == ["value"]:
            raise InputError(f"unknown key {name!r}",
                             hint="an input mapping takes value, source and note")
        hint = f"did you mean {near[0]}? " if near else ""
        raise InputError(f"unknown distribution {name!r}",
                         hint=hint + "known: " + ", ".join(DISTRIBUTIONS))
    if name == "choice":
        return _parse_choice(params)
    if not isinstance(params, Mapping):
        raise InputError(f"{name} needs its parameters as a mapping, got {params!r}",
                         hint=f"write e.g. {_EXAMPLES[name]}")
    given = tuple(str(k) for k in params)
    form = next((f for f in _FORMS[name] if set(f) == set(given)), None)
    if form is None:
        forms = " or ".join("{" + ", ".join(f) + "}" for f in _FORMS[name]
                            if "shape" not in f)
        raise InputError(f"{name} takes {forms}, got {{{', '.join(given)}}}",
                         hint=f"write e.g. {_EXAMPLES[name]}")
    shape = params.get("shape")
    values, unit = _common_unit({k: params[k] for k in form if k != "shape"}, name)
    if shape is not None:
        values["shape"] = _plain_number(shape, f"{name} shape")
    _check_params(name, values)
    return Distribution(name, values, unit)


def _check_params(name: str, p: dict[str, float]) -> None:
    example = f"write e.g. {_EXAMPLES[name]}"
    for k, v in p.items():  # .nan or .inf in YAML, or 1e999: no distribution has such a bound
        if not math.isfinite(v):
            raise InputError(f"{name}: {k} is {v!r}, not a finite number", hint=example)
    if "low" in p and "high" in p and p["low"] > p["high"]:
        raise InputError(f"{name}: low {p['low']:g} is above high {p['high']:g}",
                         hint="write the lower value first")
    if "mode" in p and not p["low"] <= p["mode"] <= p["high"]:
        raise InputError(f"{name}: mode {p['mode']:g} is outside low {p['low']:g} to "
                         f"high {p['high']:g}", hint=example)
    if "sd" in p and p["sd"] < 0:
        raise InputError(f"{name}: sd {p['sd']:g} is negative", hint=example)
    if name == "lognormal" and "low" in p and p["low"] <= 0:
        raise InputError(f"lognormal: low {p['low']:g} must be above 0",
                         hint="a lognormal is positive; use normal for values that may be "
                              "zero or negative")
    if name == "lognormal" and "mean" in p and p["mean"] <= 0:
        raise InputError(f"lognormal: mean {p['mean']:g} must be above 0", hint=example)
    if "shape" in p and p["shape"] <= 0:
        raise InputError(f"pert: shape {p['shape']:g} must be above 0",
                         hint="the usual shape is 4")


def _parse_choice(params: Any) -> Distribution:
    if not isinstance(params, Mapping) or not params:
        raise InputError(f"choice needs values and their probabilities, got {params!r}",
                         hint=f"write e.g. {_EXAMPLES['choice']}")
    probs = [_plain_number(p, f"probability of {v!r}") for v, p in params.items()]
    for (v, _), p in zip(params.items(), probs, strict=True):
        if not 0 <= p <= 1:
            raise InputError(f"choice: probability {p:g} of {v!r} is outside 0 to 1",
                             hint="give each value a probability between 0 and 1")
    total = math.fsum(probs)
    if abs(total - 1) > 1e-6:
        raise InputError(f"choice: probabilities sum to {total:g}, not 1",
                         hint="make them add up to 1, e.g. 0.7 and 0.3")
    values, unit = _common_unit({f"#{i}": v for i, v in enumerate(params)}, "choice")
    return Distribution("choice", {"values": tuple(values.values()),
                                   "probabilities": tuple(p / total for p in probs)}, unit)


def _plain_number(raw: Any, what: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise InputError(f"{what} must be a plain number, got {raw!r}")
    if not math.isfinite(float(raw)):
        raise InputError(f"{what} must be a finite number, got {raw!r}")
    return float(raw)


def _common_unit(params: Mapping[str, Any], name: str) -> tuple[dict[str, float], str]:
    """Parameters as floats in one unit: the first one written with a unit sets it, and a bare
    number takes it (``{low: 1.1, high: 1.4}`` is dimensionless; ``{low: 20k, high: 40k USD}``
    is in USD)."""
    import pint

    from flopbook.quantity import _parse_point, parse_range, registry

    parsed: dict[str, Any] = {}
    for k, v in params.items():
        if isinstance(v, bool) or v is None:
            raise InputError(f"{name}: {k.lstrip('#') or 'value'} must be a quantity, got {v!r}")
        if isinstance(v, int | float):
            parsed[k] = float(v)
            continue
        text = str(v)
        if parse_range(text) is not None:
            raise InputError(f"{name}: {text!r} is a range; a parameter is one value",
                             hint=f"write e.g. {_EXAMPLES[name]}")
        point = _parse_point(text)
        # "4k" or "60%" is a plain number, like a bare one: it takes the others' unit
        parsed[k] = float(point.to("").magnitude[0]) if point.dimensionless else point
    with_unit = [v for v in parsed.values() if not isinstance(v, float)]
    unit = with_unit[0].units if with_unit else registry().Unit("")
    out: dict[str, float] = {}
    for k, v in parsed.items():
        if isinstance(v, float):
            out[k] = v
            continue
        try:
            out[k] = float(v.to(unit).magnitude[0])
        except pint.DimensionalityError:
            raise InputError(f"{name}: parameters have different units ({v.units:~P} and "
                             f"{unit:~P})", hint=f"write e.g. {_EXAMPLES[name]}") from None
    return out, f"{unit:~P}" if unit != registry().Unit("") else ""


# ---- correlation -------------------------------------------------------------------------


def rank_correlate(
    columns: Sequence[np.ndarray], target: np.ndarray, rng: np.random.Generator
) -> list[np.ndarray]:
    """Reorder each column so that their rank correlations approach ``target`` (Iman and
    Conover, 1982), keeping every column's values — so each input's distribution is
    unchanged; only which samples go together is.

    ``target`` is a symmetric matrix of Spearman rank correlations with ones on the diagonal.
    """
    from scipy import special

    k = len(columns)
    n = columns[0].size
    # Spearman rho of a bivariate normal with Pearson r is (6/pi) asin(r/2): invert it, so the
    # rank correlation asked for is the one obtained.
    pearson = 2 * np.sin(np.pi * np.asarray(target, dtype=float) / 6)
    np.fill_diagonal(pearson, 1.0)
    try:
        p = np.linalg.cholesky(pearson)
    except np.linalg.LinAlgError:
        raise InputError("these correlations cannot hold together (the matrix is not "
                         "positive definite)",
                         hint="weaken them, or drop one of each pair of pairs that conflict "
                              "(e.g. a~b 0.9, b~c 0.9 but a~c -0.9)") from None
    scores = special.ndtri(np.arange(1, n + 1) / (n + 1))
    m = np.column_stack([rng.permutation(scores) for _ in range(k)])
    # Remove the correlation the random permutations have by chance, then impose the target.
    q = np.linalg.cholesky(np.corrcoef(m, rowvar=False))
    t = m @ np.linalg.inv(q).T @ p.T
    out = []
    for j, col in enumerate(columns):
        ranks = np.argsort(np.argsort(t[:, j], kind="stable"), kind="stable")
        out.append(np.sort(col)[ranks])
    return out


def correlation_matrix(
    names: Sequence[str], pairs: Sequence[tuple[str, str, float]]
) -> np.ndarray:
    """The rank-correlation matrix over ``names`` from ``(a, b, rho)`` pairs (others 0)."""
    index = {n: i for i, n in enumerate(names)}
    c = np.eye(len(names))
    for a, b, rho in pairs:
        c[index[a], index[b]] = c[index[b], index[a]] = rho
    return c


def check_correlation(rho: Any, *, where: str | None = None) -> float:
    if isinstance(rho, bool) or not isinstance(rho, int | float) or not -1 <= rho <= 1:
        raise InputError(f"correlation {rho!r} is outside -1 to 1", field=where,
                         hint="a rank correlation is between -1 and 1, e.g. 0.8")
    return float(rho)


def correlate(
    samples: Mapping[str, np.ndarray],
    pairs: Sequence[tuple[str, str, float]],
    *,
    key: str = "correlations",
) -> dict[str, np.ndarray]:
    """``samples`` with the inputs named in ``pairs`` reordered to those rank correlations."""
    names: list[str] = []
    for a, b, rho in pairs:
        check_correlation(rho)
        if a == b:
            raise InputError(f"{a} is correlated with itself",
                             hint="name two different inputs")
        for name in (a, b):
            if name not in samples:
                raise InputError(f"no input {name!r} to correlate",
                                 hint="uncertain inputs here: " + (", ".join(samples) or "none"))
            if np.asarray(samples[name]).size == 1:
                raise InputError(f"{name} has one value; only uncertain inputs can be "
                                 "correlated", hint='give it a range, e.g. "8k to 12k GPU"')
            if name not in names:
                names.append(name)
    if not names:
        return dict(samples)
    sizes = {np.asarray(samples[n]).size for n in names}
    if len(sizes) > 1:
        raise InputError("correlated inputs have different sample counts",
                         hint="draw them under the same --samples")
    columns = [np.asarray(samples[n], dtype=float) for n in names]
    rng = current_sampling().rng(key)
    reordered = rank_correlate(columns, correlation_matrix(names, pairs), rng)
    return {**samples, **dict(zip(names, reordered, strict=True))}


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Rank correlation of two sample arrays."""
    ra = np.argsort(np.argsort(a)).astype(float)
    rb = np.argsort(np.argsort(b)).astype(float)
    return float(np.corrcoef(ra, rb)[0, 1])


QuantileFunction = Callable[[np.ndarray], np.ndarray]


def empirical_ppf(samples: np.ndarray) -> QuantileFunction:
    """The quantile function of a sample array (for re-drawing an input in a new design)."""
    ordered = np.sort(np.asarray(samples, dtype=float))
    n = ordered.size

    def ppf(u: np.ndarray) -> np.ndarray:
        return ordered[np.minimum((np.asarray(u) * n).astype(np.int64), n - 1)]

    return ppf
