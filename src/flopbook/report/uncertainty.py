"""What a report shows of uncertainty: the distribution of its headline outputs when inputs
are ranges, and on request (``--sensitivity OUTPUT``) a tornado and Sobol indices.

The distributions are the model's own samples (read, never recomputed). Sensitivity reruns
the same model that made the report through :func:`flopbook.sensitivity.tornado` and
:func:`flopbook.sensitivity.sobol_indices`: a declared kind run from its inputs by rerunning
its declaration on arrays of them; a kind with logic of its own as the ``UNCERTAINTY`` its
report module registers says (:class:`~flopbook.report.hooks.Uncertainty`: a fleet through
:func:`flopbook.sensitivity.fleet_sensitivity`, a workload and a payer by running the model
on arrays of input values; every model here works on sample arrays).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from flopbook.distributions import empirical_ppf
from flopbook.errors import InputError, suggest
from flopbook.formula.result import Result
from flopbook.models.declared import run_declared
from flopbook.models.registry import declared, name_of
from flopbook.quantity import Quantity, is_point, magnitudes
from flopbook.registered import Gathered
from flopbook.report.document import Chart
from flopbook.report.hooks import Found, Uncertainty, headline_samples
from flopbook.sensitivity import (
    Sensitivity,
    fleet_sensitivity,
    sobol_indices,
    tornado,
    uncertain_inputs,
)

if TYPE_CHECKING:
    from flopbook.report.document import Report

MAX_DISTRIBUTIONS = 2  # per result: a report is read, not scrolled

# kind name (models.registry.name_of) -> its uncertainty, from the UNCERTAINTY of each module
# of flopbook.report (report/<kind>.py registers its kind's); a declared kind's distributions
# come from its declaration, whatever its name
UNCERTAINTY: Gathered[Uncertainty] = Gathered("UNCERTAINTY", "flopbook.report.*")


def _samples(subject: Any) -> Found:
    """(key, label, unit, samples) of a result's uncertain headline outputs."""
    if isinstance(subject, Result):  # any declared kind, on the one Result type
        found = headline_samples(subject)
    else:
        known = UNCERTAINTY.get(name_of(subject))
        found = known.samples(subject) if known else []
    return found[:MAX_DISTRIBUTIONS]


def distribution_charts(subject: Any, title: str = "") -> list[Chart]:
    """Histogram and CDF of each uncertain headline output of ``subject``."""
    charts = []
    for _key, label, unit, x in _samples(subject):
        charts.append(
            Chart(
                f"Distribution of {label.lower()}{' — ' + title if title else ''}",
                caption="The model's Monte Carlo samples: the inputs' ranges carried through every "
                "formula. The workbook shows the model at the inputs' medians.",
                drawing="samples",
                data={
                    "samples": x,
                    "label": label,
                    "unit": unit,
                    "title": f"{label}{' — ' + title if title else ''}",
                },
            )
        )
    return charts


# ---- sensitivity ---------------------------------------------------------------------------


Model = Callable[[Mapping[str, np.ndarray]], np.ndarray]


def _adapter(subject: Any, output: str) -> tuple[Any, ...] | None:
    known = UNCERTAINTY.get(name_of(subject))
    if known is None:
        return _rerun(subject, output)
    return known.adapter(subject, output)


def _outputs(subject: Any) -> list[str]:
    known = UNCERTAINTY.get(name_of(subject))
    if known is None:
        found = declared(subject)
        return [*found.kind.output, *found.kind.total] if found and found.inputs else []
    return known.outputs(subject)


def _rerun(subject: Any, output: str) -> tuple[Any, ...] | None:
    """Any declared kind run from its inputs: its declaration rerun on arrays of them."""
    found = declared(subject)
    if found is None or not found.inputs:
        return None
    kind = found.kind
    if output not in kind.output and output not in kind.total:
        return None
    single = len(found.inputs) == 1
    where: dict[str, tuple[str, str]] = {}  # sensitivity name -> (item, input)
    for column, item in found.inputs.items():
        for name, inp in item.items():
            if not is_point(inp.value):
                where[name if single else f"{column}.{name}"] = (column, name)

    def given(key: str) -> Any:
        column, name = where[key]
        return found.inputs[column][name]

    uncertain = {k: magnitudes(given(k).value) for k in where}
    units = {k: f"{given(k).value.units:~P}" for k in where}
    labels = {
        k: kind.inputs[n].label if single else f"{c}: {kind.inputs[n].label}"
        for k, (c, n) in where.items()
    }
    if output in kind.total and kind.total[output].of is None:
        label, unit = kind.total[output].label, kind.total[output].unit
    else:
        label, unit = found.label(output), found.unit(output)

    def model(values: Mapping[str, np.ndarray]) -> np.ndarray:
        drawn: dict[str, dict[str, Any]] = {}
        for k, v in values.items():
            column, name = where[k]
            drawn.setdefault(column, {})[name] = Quantity(
                np.asarray(v, dtype=float), given(k).value.units
            )
        run = run_declared(kind, found.inputs, drawn, choices=found.choices)
        value = run.total(output) if output in kind.total else run.get(output)
        if value is None:
            raise InputError(f"{label} is unknown for these inputs")
        return magnitudes(value, unit or None)

    return ("model", model, uncertain, label, unit, labels, units, "Total")


def sensitivity_of(
    subjects: list[Any], output: str, *, samples: int = 10_000, seed: int | None = None
) -> Sensitivity:
    """Tornado and Sobol indices of ``output`` of the first result that has it."""
    for subject in subjects:
        found = _adapter(subject, output)
        if found is None:
            continue
        if found[0] == "fleet":
            _, fleet, capital_cost = found

            k = len(uncertain_inputs(fleet))
            return fleet_sensitivity(
                fleet,
                output,
                capital_cost=capital_cost,
                base_samples=_base(samples, k),
                seed=seed or 0,
            )
        _, model, uncertain, label, unit, labels, units, column = found
        if not uncertain:
            raise InputError(
                "nothing in this report is uncertain, so nothing to rank",
                hint='give some inputs a range, e.g. mfu: "30% to 45%"',
            )
        t = tornado(
            model, uncertain, output=output, label=label, unit=unit, labels=labels, units=units
        )
        s = sobol_indices(
            model,
            {n: empirical_ppf(v) for n, v in uncertain.items()},
            base_samples=_base(samples, len(uncertain)),
            seed=seed or 0,
            output=output,
            label=label,
            unit=unit,
            labels=labels,
        )
        return Sensitivity(output, label, unit, column, t, s)

    known = list(dict.fromkeys(o for s in subjects for o in _outputs(s)))
    raise InputError(
        f"--sensitivity {output}: no result in this report has that output",
        hint=suggest(output, known) if known else None,
    )


def _base(samples: int, k: int) -> int:
    # about `samples` model rows in all: N x (k + 2), N a power of two, at least 256
    return max(256, 1 << max(0, math.ceil(math.log2(max(1, samples // (k + 2))))))


def add_sensitivity(
    report: Report,
    output: str,
    *,
    samples: int = 10_000,
    seed: int | None = None,
    charts: bool = True,
) -> None:
    """Rank the report's uncertain inputs by their effect on ``output``: its tornado and
    Sobol indices join the report (tables, and charts unless ``charts=False``)."""
    found = sensitivity_of(report.subjects, output, samples=samples, seed=seed)
    report.sensitivity.append(found)
    if not charts:
        return
    report.charts.append(
        Chart(
            f"What moves {found.label.lower()}: tornado",
            caption="Each input from its 5th to its 95th percentile, the others at their medians.",
            drawing="tornado",
            data={"t": found.tornado},
        )
    )
    report.charts.append(
        Chart(
            f"Share of the variance of {found.label.lower()}: Sobol indices",
            caption="First order: the input alone; total: with its interactions.",
            drawing="sobol",
            data={"s": found.sobol},
        )
    )
