"""Runner for a training run costed on owned hardware: the cluster as a fleet, the run priced
at the fleet's own cost per GPU-hour (:func:`flopbook.owned.owned_price`), checked against a
published cost."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from flopbook.cases.result import Grid
from flopbook.cases.workload_cases import (
    CheckSpec,
    WorkloadCaseFile,
    _cell,
    _checks,
    _load,
    _result,
)
from flopbook.errors import InputError
from flopbook.fleet_file import fleet_from_document
from flopbook.models.workload import Training
from flopbook.owned import owned_price

if TYPE_CHECKING:
    from flopbook.cases.result import CaseResult
    from flopbook.scenario import Document


class OwnedRunCaseFile(WorkloadCaseFile):
    fleet: dict[str, Any]
    checks: list[CheckSpec] = Field(default_factory=list)


def run_owned_training_case(doc: Document) -> CaseResult:
    """The cluster's owned cost per GPU-hour, times the run's GPU-hours."""
    spec, sources = _load(doc, OwnedRunCaseFile)
    fleet = fleet_from_document(doc, ("fleet",))
    result = fleet.run()
    price = owned_price(result)
    try:
        run = Training(**spec.inputs, price=price).run()
    except InputError as exc:
        field = (exc.field or "").split(".")[0]
        raise doc.error(InputError(exc.message, hint=exc.hint), ("inputs", field)) from None
    outputs: dict[str, Any] = {
        "cost": run.get("cost"),
        "gpu_hours": run.get("gpu_hours"),
        "cost_per_gpu_hour": price.value,
        "value_at_use": result.get("value_at_use"),
        "capex": result.get("capex"),
    }
    grid = Grid(
        "The run at the cluster's own cost per GPU-hour",
        ["value", "formula"],
        [
            ("GPU-hours", "", [_cell(outputs["gpu_hours"]), "given"]),
            (
                "Owned cost per GPU-hour",
                "",
                [_cell(price.value), "the fleet's TCO per year / GPU-hours used (below)"],
            ),
            ("Cost of the run", "", [_cell(outputs["cost"]), "GPU-hours × owned cost"]),
        ],
    )
    out = _result(spec, sources)
    out.outputs = outputs
    out.grids = [grid]
    out.fleets = [(result.name or "The cluster", result)]
    out.checks = _checks(spec, sources, outputs, doc)
    return out
