"""A run on owned hardware: a workload priced at a fleet's own cost per GPU-hour, and a run
given as wall-clock time × chips.

In a workload file::

    kind: training
    chip: H800
    gpus: 2048
    wall_clock: 57 days                 # GPU-hours = wall-clock x GPUs
    price: {fleet: cluster.yaml}        # the fleet's owned cost per used GPU-hour
    # price: {fleet: cluster.yaml, sku: H800}   one SKU's, if the fleet has several

The fleet file is read like any fleet (relative to the workload file), run under the same
samples, and its ``cost_per_gpu_hour`` — TCO per year over the GPU-hours used at its
utilisation — becomes the run's price, with the fleet named as its source. In Python,
``Training(price=owned_price("cluster.yaml"), gpu_hours=wall_clock_hours("57 days", 2048))``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flopbook.errors import InputError
from flopbook.fleet_file import load_scenario
from flopbook.inputs import FieldSpec, Input, read_input
from flopbook.models.fleet import TOTAL, Fleet, FleetResult
from flopbook.models.workload import TRAINING_FIELDS
from flopbook.quantity import summarize
from flopbook.workload_file import run_document as run_plain
from flopbook.workload_file import run_located
from flopbook.workload_file import workload_from_document as plain_workload

if TYPE_CHECKING:
    from flopbook.models.workload import Inference, Training, WorkloadResult
    from flopbook.scenario import Document

__all__ = ["owned_price", "run_document", "wall_clock_hours", "workload_from_document"]

WALL_CLOCK = FieldSpec(
    "wall_clock",
    "Wall-clock time",
    ("day",),
    "57 days",
    "how long the run took on its gpus: GPU-hours = wall-clock x GPUs",
    bare_unit="day",
    low=0,
    low_inclusive=False,
)


def owned_price(fleet: Fleet | FleetResult | str | Path, sku: str | None = None) -> Input:
    """The fleet's owned cost per used GPU-hour (its total, or the SKU ``sku``'s), as a
    workload's ``price``, with the fleet and its utilisation in the source."""
    where = ""
    if isinstance(fleet, str | Path):
        where = str(fleet)
        fleet = load_scenario(fleet)
    result = fleet if isinstance(fleet, FleetResult) else fleet.run()
    column = TOTAL
    if sku is not None:
        matches = [c for c in result.columns if c == sku]
        if not matches:
            raise InputError(
                f"the fleet has no SKU {sku!r}",
                field="price.sku",
                hint="SKUs there: " + ", ".join(result.columns),
            )
        column = matches[0]
    value = result.get("cost_per_gpu_hour", column)
    if value is None:
        raise InputError(
            "the fleet has no cost per GPU-hour (no GPUs)",
            field="price.fleet",
            hint="give the fleet some GPUs",
        )
    used, hours = (result.get(k, column) for k in ("used_gpu_hours", "gpu_hours"))
    assert used is not None and hours is not None, "a fleet with GPUs has its hours"
    available = summarize(hours, "GPU*hour/year").mean
    share = summarize(used, "GPU*hour/year").mean / available if available else 0.0
    name = result.name or where or "the fleet"
    source = f"owned cost per used GPU-hour of {name}" + (f" ({where})" if where else "")
    note = f"TCO per year / GPU-hours used, at {share:.0%} utilisation" + (
        f", SKU {sku}" if sku else ""
    )
    return Input("price", value.to("USD/GPU/hour"), source=source, note=note)


def wall_clock_hours(wall_clock: Any, gpus: Any) -> Input:
    """GPU-hours of a run that took ``wall_clock`` on ``gpus`` GPUs."""
    time = read_input(WALL_CLOCK, wall_clock, key="wall_clock")
    count = read_input(TRAINING_FIELDS["gpus"], gpus, key="gpus")
    hours = (time.value * count.value).to("GPU*hour")
    days = summarize(time.value, "day").mean
    chips = summarize(count.value, "GPU").mean
    return Input(
        "gpu_hours",
        hours,
        source=time.source,
        note=f"wall-clock x GPUs: {days:,.4g} days x {chips:,.0f} GPUs",
    )


def _owned_fields(doc: Document) -> tuple[Any, Any]:
    """The document's ``price: {fleet: …}`` and ``wall_clock:``, if it has them."""
    price = doc.data.get("price")
    fleet = price if isinstance(price, dict) and "fleet" in price else None
    return fleet, doc.data.get("wall_clock")


def workload_from_document(doc: Document) -> Training | Inference:
    """The workload the document describes, with a fleet's owned price and a wall-clock
    time resolved; a document that uses neither is read as it is."""
    fleet, wall_clock = _owned_fields(doc)
    if fleet is None and wall_clock is None:
        return plain_workload(doc)
    plain = copy.copy(doc)
    plain.data = {k: v for k, v in doc.data.items() if k != "wall_clock"}
    if fleet is not None:
        del plain.data["price"]
    model = plain_workload(plain)
    if fleet is not None:
        model.price = _price_of(doc, fleet)
    if wall_clock is not None:
        model.gpu_hours = _hours_of(doc, model, wall_clock)  # type: ignore[union-attr]
    return model


# registered: model_file.READERS gathers this; a workload file of any command is read here,
# so that `flopbook run`, `report` and `sweep` take a price from a fleet and a wall-clock too
READERS = {"training": workload_from_document, "inference": workload_from_document}


def _price_of(doc: Document, spec: dict[str, Any]) -> Input:
    unknown = set(spec) - {"fleet", "sku"}
    if unknown or not isinstance(spec.get("fleet"), str) or not spec["fleet"].strip():
        raise doc.error(
            InputError(
                "a price from a fleet is {fleet: FILE} or {fleet: FILE, sku: NAME}",
                hint="e.g. price: {fleet: cluster.yaml}",
            ),
            ("price",),
        )
    path = Path(spec["fleet"])
    if not path.is_absolute():
        path = Path(doc.file).parent / path
    try:
        return owned_price(path, spec.get("sku"))
    except InputError as exc:
        if exc.file is not None:  # a mistake in the fleet file names its own line
            raise
        raise doc.error(InputError(exc.message, hint=exc.hint), ("price",)) from None


def _hours_of(doc: Document, model: Any, wall_clock: Any) -> Input:
    if not hasattr(model, "gpu_hours"):
        raise doc.error(
            InputError(
                "wall_clock is for a training run", hint="an inference service has no wall-clock"
            ),
            ("wall_clock",),
        )
    if model.gpu_hours is not None:
        raise doc.error(
            InputError(
                "gives both wall_clock and gpu_hours",
                hint="keep one: GPU-hours, or wall-clock time with gpus",
            ),
            ("wall_clock",),
        )
    if model.gpus is None:
        raise doc.error(
            InputError("wall_clock needs gpus", hint="add e.g. gpus: 2048"), ("wall_clock",)
        )
    try:
        return wall_clock_hours(wall_clock, model.gpus)
    except InputError as exc:
        raise doc.error(InputError(exc.message, hint=exc.hint), ("wall_clock",)) from None


def run_document(doc: Document) -> WorkloadResult:
    """Run the workload a document describes (see :func:`workload_from_document`)."""
    fleet, wall_clock = _owned_fields(doc)
    if fleet is None and wall_clock is None:
        return run_plain(doc)
    return run_located(doc, workload_from_document(doc))
