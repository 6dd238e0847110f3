"""Which uncertain input matters most: a tornado and variance-based (Sobol) indices.

Both work on any model written as a function from input arrays to an output array, so the
model is rerun, never restated. For a fleet, :func:`fleet_sensitivity` reruns
:class:`~flopbook.models.fleet.Fleet` through :meth:`~flopbook.models.fleet.Fleet.with_inputs`.

- **Tornado**: each uncertain input in turn at its 5th and then its 95th percentile, every
  other input at its median; the swing of the output between the two. One-at-a-time: it ignores
  interactions and correlations, and reads at a glance.
- **Sobol indices** (SALib, Saltelli's scheme): the first-order index S1 is the share of the
  output's variance due to an input alone; the total index ST adds its interactions with the
  others. Inputs are treated as independent (correlations are not carried into the design).

    >>> from flopbook.sensitivity import fleet_sensitivity
    >>> s = fleet_sensitivity(fleet, "tco_per_year")
    >>> s.tornado.bars[0].input, s.sobol.indices[0].total
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from flopbook.distributions import QuantileFunction, empirical_ppf, require_memory
from flopbook.errors import InputError, suggest
from flopbook.frames import records_frame
from flopbook.inputs import Input
from flopbook.models.cash_flow import FINANCING_FIELDS
from flopbook.models.fleet import ASSUMPTION_FIELDS, SKU_FIELDS, TOTAL, metric
from flopbook.quantity import Quantity, current_sampling, is_point, magnitudes, unit_name

if TYPE_CHECKING:
    from flopbook.models.fleet import Fleet

Model = Callable[[Mapping[str, np.ndarray]], np.ndarray]
# progress(what, done, total): called as the work advances, for a progress bar
Progress = Callable[[str, int, int], None]

# Model rows evaluated at once in a Sobol design: bounds the memory of one run.
CHUNK = 1 << 16


@dataclass(frozen=True)
class TornadoBar:
    """One input's swing: the output with the input at its P5 and at its P95."""

    input: str
    label: str
    unit: str  # the input's unit
    low: float  # the input's P5
    high: float  # the input's P95
    output_low: float  # the output with the input at P5, others at their medians
    output_high: float

    @property
    def swing(self) -> float:
        return abs(self.output_high - self.output_low)


@dataclass(frozen=True)
class Tornado:
    output: str
    label: str
    unit: str  # the output's unit
    baseline: float  # the output with every input at its median
    bars: list[TornadoBar]  # widest swing first


@dataclass(frozen=True)
class SobolIndex:
    input: str
    label: str
    first: float  # S1: share of variance from this input alone
    first_conf: float  # half-width of its 95% confidence interval
    total: float  # ST: with all its interactions
    total_conf: float


@dataclass(frozen=True)
class SobolResult:
    output: str
    label: str
    unit: str
    base_samples: int  # N of the Saltelli design
    evaluations: int  # model rows run: N x (inputs + 2)
    indices: list[SobolIndex]  # largest total index first


@dataclass(frozen=True)
class Sensitivity:
    """A tornado and Sobol indices for one output."""

    output: str
    label: str
    unit: str
    column: str
    tornado: Tornado
    sobol: SobolResult

    def to_dataframe(self) -> Any:
        """The tornado bars as a pandas DataFrame, one row per input."""

        return records_frame(self.to_dict()["tornado"]["bars"], index="input")

    def _repr_html_(self) -> str:
        return self.to_dataframe()._repr_html_()

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "label": self.label,
            "unit": unit_name(self.unit),
            "column": self.column,
            "tornado": {
                "baseline": self.tornado.baseline,
                "bars": [
                    {
                        "input": b.input,
                        "unit": b.unit,
                        "p5": b.low,
                        "p95": b.high,
                        "output_at_p5": b.output_low,
                        "output_at_p95": b.output_high,
                        "swing": b.swing,
                    }
                    for b in self.tornado.bars
                ],
            },
            "sobol": {
                "base_samples": self.sobol.base_samples,
                "evaluations": self.sobol.evaluations,
                "indices": [
                    {
                        "input": i.input,
                        "first_order": i.first,
                        "first_order_conf": i.first_conf,
                        "total": i.total,
                        "total_conf": i.total_conf,
                    }
                    for i in self.sobol.indices
                ],
            },
        }


# ---- generic ----------------------------------------------------------------------------


def tornado(
    model: Model,
    inputs: Mapping[str, np.ndarray],
    *,
    output: str = "output",
    label: str = "",
    unit: str = "",
    labels: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
) -> Tornado:
    """Swing of ``model`` between each input's P5 and P95, the others at their medians.

    All 2k + 1 cases go through the model in one run (one row each)."""
    names = list(inputs)
    k = len(names)
    stats = {n: np.percentile(np.asarray(inputs[n], dtype=float), [5, 50, 95]) for n in names}
    rows = {n: np.full(2 * k + 1, stats[n][1]) for n in names}
    for i, n in enumerate(names):
        rows[n][2 * i] = stats[n][0]
        rows[n][2 * i + 1] = stats[n][2]
    y = np.broadcast_to(np.asarray(model(rows), dtype=float), (2 * k + 1,))
    bars = [
        TornadoBar(
            n,
            (labels or {}).get(n, n),
            (units or {}).get(n, ""),
            float(stats[n][0]),
            float(stats[n][2]),
            float(y[2 * i]),
            float(y[2 * i + 1]),
        )
        for i, n in enumerate(names)
    ]
    bars.sort(key=lambda b: b.swing, reverse=True)
    return Tornado(output, label or output, unit, float(y[-1]), bars)


def sobol_indices(
    model: Model,
    inputs: Mapping[str, QuantileFunction],
    *,
    base_samples: int = 1024,
    seed: int = 0,
    output: str = "output",
    label: str = "",
    unit: str = "",
    labels: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> SobolResult:
    """First-order and total Sobol indices of ``model`` over independent ``inputs``, each
    given by its quantile function (SALib's Saltelli design and estimator)."""
    # SALib loads in about a second; only --sensitivity needs it
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    names = list(inputs)
    if not names:
        raise InputError(
            "nothing is uncertain, so nothing to rank",
            hint='give some inputs a range, e.g. count: "8k to 12k GPU"',
        )
    # SALib's design is balanced when N is a power of two
    n = 1 << max(1, math.ceil(math.log2(max(2, base_samples))))
    rows = n * (len(names) + 2)
    require_memory(min(rows, CHUNK), arrays=64 + len(names), what="a Sobol run of")
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    u = sample.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    u = np.clip(u, 1e-12, 1 - 1e-12)
    y = np.empty(rows)
    for start in range(0, rows, CHUNK):
        stop = min(rows, start + CHUNK)
        values = {name: inputs[name](u[start:stop, j]) for j, name in enumerate(names)}
        y[start:stop] = np.broadcast_to(np.asarray(model(values), dtype=float), (stop - start,))
        if progress:
            progress("model runs", stop, rows)
    if not np.all(np.isfinite(y)):
        raise InputError(
            f"{label or output} is not finite for some inputs",
            hint="check for a zero count or a division by zero",
        )
    if np.ptp(y) == 0:
        s1 = st = np.zeros(len(names))
        s1c = stc = np.zeros(len(names))
    else:
        si = analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        s1, s1c, st, stc = si["S1"], si["S1_conf"], si["ST"], si["ST_conf"]
    if progress:
        progress("analysis", rows, rows)
    indices = [
        SobolIndex(
            name,
            (labels or {}).get(name, name),
            float(s1[j]),
            float(s1c[j]),
            float(st[j]),
            float(stc[j]),
        )
        for j, name in enumerate(names)
    ]
    indices.sort(key=lambda i: i.total, reverse=True)
    return SobolResult(output, label or output, unit, n, rows, indices)


# ---- fleets -----------------------------------------------------------------------------


def uncertain_inputs(fleet: Fleet) -> dict[str, np.ndarray]:
    """The fleet's inputs that have a spread, by place (``skus.H800.count``), as samples."""
    return {path: magnitudes(i.value) for path, i in fleet.inputs() if not is_point(i.value)}


def _lower_first(label: str) -> str:
    # "Server cost per GPU" -> "server cost per GPU"; an acronym (PUE, IT) stays as it is
    first = label.split(" ", 1)[0]
    return label if first.isupper() else label[:1].lower() + label[1:]


def input_label(path: str) -> str:
    """A fleet input's place as a person reads it: ``skus.H100.server_cost_per_gpu`` ->
    ``H100 server cost per GPU``, ``assumptions.pue`` -> ``PUE``."""
    parts = path.split(".")
    if parts[0] == "skus" and len(parts) == 3 and parts[2] in SKU_FIELDS:
        return f"{parts[1]} {_lower_first(SKU_FIELDS[parts[2]].label)}"
    if parts[0] == "assumptions" and len(parts) == 2 and parts[1] in ASSUMPTION_FIELDS:
        return ASSUMPTION_FIELDS[parts[1]].label
    if parts[-2:-1] == ["financing"] and parts[-1] in FINANCING_FIELDS:
        label = FINANCING_FIELDS[parts[-1]].label
        if parts[0] == "skus" and len(parts) == 4:  # a cohort's own loan or lease
            return f"{parts[1]} {_lower_first(label)}"
        return label if len(parts) == 2 else path
    return path


def fleet_model(fleet: Fleet, output: str, column: str | None = None, **run: Any) -> Model:
    """The fleet as a function: input arrays (in their own units) -> ``output`` samples."""
    m = metric(output)
    column = column or TOTAL

    def evaluate(values: Mapping[str, np.ndarray]) -> np.ndarray:
        result = fleet.with_inputs(values).run(**run)
        value = result.get(output, column)
        if value is None:
            raise InputError(
                f"this fleet has no {m.label.lower()}",
                hint="pick another output, e.g. tco_per_year",
            )
        return magnitudes(value, m.unit)

    return evaluate


def fleet_sensitivity(
    fleet: Fleet,
    output: str = "tco_per_year",
    *,
    column: str | None = None,
    only: str | None = None,
    capital_cost: str | None = None,
    base_samples: int = 1024,
    seed: int = 0,
    progress: Progress | None = None,
) -> Sensitivity:
    """Tornado and Sobol indices of one fleet output (``tco_per_year`` by default)."""
    m = metric(output)
    fleet = fleet.subset(only)
    samples = uncertain_inputs(fleet)
    if not samples:
        raise _nothing_uncertain("fleet", 'count: "8k to 12k GPU"')
    _refuse_uncertain_overrides(fleet)
    units = {p: i.unit for p, i in fleet.inputs() if p in samples}
    model = fleet_model(fleet, output, column, capital_cost=capital_cost)
    labels = {p: input_label(p) for p in samples}
    t = tornado(
        model, samples, output=output, label=m.label, unit=m.unit, units=units, labels=labels
    )
    if all(b.swing == 0 for b in t.bars):
        raise InputError(
            f"no uncertain input moves {output}: it has one value",
            hint="rank the inputs of an output that varies, e.g. tco_per_year",
        )
    s = sobol_indices(
        model,
        {p: empirical_ppf(v) for p, v in samples.items()},
        base_samples=base_samples,
        seed=seed,
        output=output,
        label=m.label,
        unit=m.unit,
        progress=progress,
        labels=labels,
    )
    return Sensitivity(output, m.label, m.unit, column or TOTAL, t, s)


def _refuse_uncertain_overrides(fleet: Fleet) -> None:
    # A SKU's own assumptions are read afresh at each run, so they cannot be held at a chosen
    # value from outside; say so rather than mix their samples with the design's rows.

    for s in fleet.skus:
        if not s.assumptions:
            continue
        merged = fleet.assumptions.merged(s.assumptions)
        for name in s.assumptions:
            if name in merged.inputs and not is_point(merged[name]):
                raise InputError(
                    "sensitivity cannot vary a SKU's own assumption yet",
                    field=f"skus.{s.name}.assumptions.{name}",
                    hint="give it one value here, or set the range under assumptions: for "
                    "the whole fleet",
                )


# ---- workloads --------------------------------------------------------------------------


def workload_inputs(result: Any) -> dict[str, tuple[np.ndarray, str]]:
    """A workload result's inputs that have a spread (given, defaulted or from the catalog;
    not those solved or taken from the architecture), as samples with their unit."""
    found = {}
    for name, inp, how in result.inputs:
        if inp is None or how in ("solved", "architecture") or is_point(inp.value):
            continue
        unit = f"{inp.value.units}"
        found[name] = (magnitudes(inp.value), unit)
    return found


def workload_model(workload: Any, output: str, units: Mapping[str, str]) -> Model:
    """A workload (Training or Inference) as a function: input arrays -> ``output``."""

    def evaluate(values: Mapping[str, np.ndarray]) -> np.ndarray:
        held = {
            n: Input(n, Quantity(np.asarray(v, dtype=float), units[n])) for n, v in values.items()
        }
        result = dataclasses.replace(workload, **held).run()
        row = next(r for r in result.rows if r.key == output)
        return magnitudes(row.value, row.unit)

    return evaluate


def _nothing_uncertain(kind: str, example: str) -> InputError:
    """Why there is nothing to rank: one sample drawn, or no input given as a range."""
    if current_sampling().samples == 1:
        return InputError(
            "with --samples 1 every range is taken at its median, so nothing varies to rank",
            hint="use --samples 1000 or more",
        )
    return InputError(
        f"nothing in this {kind} is uncertain, so nothing to rank",
        hint=f"give some inputs a range, e.g. {example}",
    )


def workload_sensitivity(
    workload: Any,
    output: str,
    *,
    base_samples: int = 1024,
    seed: int = 0,
    progress: Progress | None = None,
) -> Sensitivity:
    """Tornado and Sobol indices of one workload output (``cost_per_million_output``,
    ``mfu``, ...) over the workload's uncertain inputs."""
    result = workload.run()
    keys = [r.key for r in result.rows]
    if output not in keys:
        raise InputError(
            f"no output {output!r} in this workload",
            field="--sensitivity",
            hint=suggest(output, keys),
        )
    row = next(r for r in result.rows if r.key == output)
    found = workload_inputs(result)
    if not found:
        raise _nothing_uncertain("workload", 'mbu: "50% to 80%"')
    samples = {n: v for n, (v, _u) in found.items()}
    units = {n: u for n, (_v, u) in found.items()}
    model = workload_model(workload, output, units)
    t = tornado(model, samples, output=output, label=row.label, unit=row.unit, units=units)
    if all(b.swing == 0 for b in t.bars):
        raise InputError(
            f"no uncertain input moves {output}: it has one value",
            field="--sensitivity",
            hint="rank the inputs of an output that varies",
        )
    s = sobol_indices(
        model,
        {n: empirical_ppf(v) for n, v in samples.items()},
        base_samples=base_samples,
        seed=seed,
        output=output,
        label=row.label,
        unit=row.unit,
        progress=progress,
    )
    return Sensitivity(output, row.label, row.unit, "", t, s)
