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

import difflib
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pint

from flopbook.draws import (  # noqa: F401 - the sampling names, read from here too
    DEFAULT_ARRAYS,
    DEFAULT_SAMPLES,
    DEFAULT_SEED,
    DRAW_BLOCK,
    SAMPLERS,
    Z90,
    Distribution,
    Sampling,
    available_memory,
    current_sampling,
    normal_draws,
    range_samples,
    require_memory,
    sampling,
)
from flopbook.errors import InputError
from flopbook.quantity import Quantity, _parse_point, parse_range, registry

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


def is_distribution(raw: Any) -> bool:
    """True for a one-key mapping that is not an input's ``{value, source, note}``."""
    return (
        isinstance(raw, Mapping)
        and len(raw) == 1
        and next(iter(raw)) not in ("value", "source", "note")
    )


def distribution_samples(raw: Mapping[str, Any], *, key: str | None = None) -> pint.Quantity:
    """Samples (with their unit) of a distribution written as ``{name: {parameters}}``."""
    dist = parse_distribution(raw)
    return Quantity(dist.sample(key=key), dist.unit)


def parse_distribution(raw: Mapping[str, Any]) -> Distribution:
    """Read ``{normal: {mean: …, sd: …}}`` and its kin; a mistake is one InputError."""
    ((name, params),) = raw.items()
    name = str(name)
    if name not in _FORMS:
        near = difflib.get_close_matches(name, [*DISTRIBUTIONS, "value"], n=1)
        if near == ["value"]:
            raise InputError(
                f"unknown key {name!r}", hint="an input mapping takes value, source and note"
            )
        hint = f"did you mean {near[0]}? " if near else ""
        raise InputError(
            f"unknown distribution {name!r}", hint=hint + "known: " + ", ".join(DISTRIBUTIONS)
        )
    if name == "choice":
        return _parse_choice(params)
    if not isinstance(params, Mapping):
        raise InputError(
            f"{name} needs its parameters as a mapping, got {params!r}",
            hint=f"write e.g. {_EXAMPLES[name]}",
        )
    given = tuple(str(k) for k in params)
    form = next((f for f in _FORMS[name] if set(f) == set(given)), None)
    if form is None:
        forms = " or ".join("{" + ", ".join(f) + "}" for f in _FORMS[name] if "shape" not in f)
        raise InputError(
            f"{name} takes {forms}, got {{{', '.join(given)}}}",
            hint=f"write e.g. {_EXAMPLES[name]}",
        )
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
        raise InputError(
            f"{name}: low {p['low']:g} is above high {p['high']:g}",
            hint="write the lower value first",
        )
    if "mode" in p and not p["low"] <= p["mode"] <= p["high"]:
        raise InputError(
            f"{name}: mode {p['mode']:g} is outside low {p['low']:g} to high {p['high']:g}",
            hint=example,
        )
    if "sd" in p and p["sd"] < 0:
        raise InputError(f"{name}: sd {p['sd']:g} is negative", hint=example)
    if name == "lognormal" and "low" in p and p["low"] <= 0:
        raise InputError(
            f"lognormal: low {p['low']:g} must be above 0",
            hint="a lognormal is positive; use normal for values that may be zero or negative",
        )
    if name == "lognormal" and "mean" in p and p["mean"] <= 0:
        raise InputError(f"lognormal: mean {p['mean']:g} must be above 0", hint=example)
    if "shape" in p and p["shape"] <= 0:
        raise InputError(f"pert: shape {p['shape']:g} must be above 0", hint="the usual shape is 4")


def _parse_choice(params: Any) -> Distribution:
    if not isinstance(params, Mapping) or not params:
        raise InputError(
            f"choice needs values and their probabilities, got {params!r}",
            hint=f"write e.g. {_EXAMPLES['choice']}",
        )
    probs = [_plain_number(p, f"probability of {v!r}") for v, p in params.items()]
    for (v, _), p in zip(params.items(), probs, strict=True):
        if not 0 <= p <= 1:
            raise InputError(
                f"choice: probability {p:g} of {v!r} is outside 0 to 1",
                hint="give each value a probability between 0 and 1",
            )
    total = math.fsum(probs)
    if abs(total - 1) > 1e-6:
        raise InputError(
            f"choice: probabilities sum to {total:g}, not 1",
            hint="make them add up to 1, e.g. 0.7 and 0.3",
        )
    values, unit = _common_unit({f"#{i}": v for i, v in enumerate(params)}, "choice")
    return Distribution(
        "choice",
        {"values": tuple(values.values()), "probabilities": tuple(p / total for p in probs)},
        unit,
    )


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
    parsed: dict[str, Any] = {}
    for k, v in params.items():
        if isinstance(v, bool) or v is None:
            raise InputError(f"{name}: {k.lstrip('#') or 'value'} must be a quantity, got {v!r}")
        if isinstance(v, int | float):
            parsed[k] = float(v)
            continue
        text = str(v)
        if parse_range(text) is not None:
            raise InputError(
                f"{name}: {text!r} is a range; a parameter is one value",
                hint=f"write e.g. {_EXAMPLES[name]}",
            )
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
            raise InputError(
                f"{name}: parameters have different units ({v.units:~P} and {unit:~P})",
                hint=f"write e.g. {_EXAMPLES[name]}",
            ) from None
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
    # SciPy loads in about a second; only some distributions and samplers need it
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
        raise InputError(
            "these correlations cannot hold together (the matrix is not positive definite)",
            hint="weaken them, or drop one of each pair of pairs that conflict "
            "(e.g. a~b 0.9, b~c 0.9 but a~c -0.9)",
        ) from None
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


def correlation_matrix(names: Sequence[str], pairs: Sequence[tuple[str, str, float]]) -> np.ndarray:
    """The rank-correlation matrix over ``names`` from ``(a, b, rho)`` pairs (others 0)."""
    index = {n: i for i, n in enumerate(names)}
    c = np.eye(len(names))
    for a, b, rho in pairs:
        c[index[a], index[b]] = c[index[b], index[a]] = rho
    return c


def check_correlation(rho: Any, *, where: str | None = None) -> float:
    if isinstance(rho, bool) or not isinstance(rho, int | float) or not -1 <= rho <= 1:
        raise InputError(
            f"correlation {rho!r} is outside -1 to 1",
            field=where,
            hint="a rank correlation is between -1 and 1, e.g. 0.8",
        )
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
            raise InputError(f"{a} is correlated with itself", hint="name two different inputs")
        for name in (a, b):
            if name not in samples:
                raise InputError(
                    f"no input {name!r} to correlate",
                    hint="uncertain inputs here: " + (", ".join(samples) or "none"),
                )
            if np.asarray(samples[name]).size == 1:
                raise InputError(
                    f"{name} has one value; only uncertain inputs can be correlated",
                    hint='give it a range, e.g. "8k to 12k GPU"',
                )
            if name not in names:
                names.append(name)
    if not names:
        return dict(samples)
    sizes = {np.asarray(samples[n]).size for n in names}
    if len(sizes) > 1:
        raise InputError(
            "correlated inputs have different sample counts",
            hint="draw them under the same --samples",
        )
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
