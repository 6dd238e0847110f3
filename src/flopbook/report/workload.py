"""A workload result (a training run or an inference service) as a report block.

The formulas mirror :mod:`flopbook.models.workload` step by step, in the units of its output
rows, so that the workbook recomputes what the engine computes (the tests hold every cell to
the engine's value, 1e-9 relative, after recalculation by LibreOffice and by ``formulas``).
Inputs are referenced by their defined names; a default derived from other inputs (the decode
context, the total parameters) is a line of its own, so that changing an input moves it too.
The model's numbers (6 FLOPs per parameter per token, …) are named constants with a source.

The block has one column, ``Value``; the engine values are those of the same model run once at
the values the report uses (the median of each range).
"""

from __future__ import annotations

import re
from typing import Any

from flopbook.formula.conversions import CONVERSIONS
from flopbook.formula.declaration import Form
from flopbook.formula.excel import Ref, excel_formula
from flopbook.formula.result import ItemOutputs
from flopbook.inputs import Input
from flopbook.models.inference import ARCHITECTURE_INPUTS, INFERENCE
from flopbook.models.serving import ARCHITECTURE_UNITS
from flopbook.models.workload import (
    INFERENCE_FIELDS,
    TRAINING,
    TRAINING_FIELDS,
    Inference,
    Training,
    WorkloadResult,
)
from flopbook.quantity import Quantity, is_point, magnitudes, registry
from flopbook.report.document import Block, Line
from flopbook.report.hooks import Uncertainty, headline_samples
from flopbook.report.inputs import InputBook, at_value, summary_of
from flopbook.sensitivity import workload_inputs, workload_model

VALUE = "Value"

# Inputs whose default the engine derives from other inputs: a formula line, not an input.
_DERIVED = {"context", "total_params"}
# Inputs an architecture gives that the inference declaration derives itself.
_FROM_ARCHITECTURE = {"kv_bytes_per_token"}

# Each input in one unit, so that the formulas' conversions are fixed.
_UNITS = {
    "params": "",
    "total_params": "",
    "tokens": "token",
    "flops": "FLOP",
    "gpu_hours": "GPU*hour",
    "peak": "TFLOP/s",
    "mfu": "",
    "gpus": "GPU",
    "price": "USD/GPU/hour",
    "power": "W",
    "pue": "",
    "tokens_in": "token",
    "tokens_out": "token",
    "requests": "request/day",
    "bandwidth": "TB/s",
    "mbu": "",
    "batch": "",
    "bytes_per_param": "byte",
    "kv_bytes_per_token": "byte",
    "context": "token",
    "layers": "",
    "d_model": "",
    "price_input": "USD/Mtoken",
    "price_output": "USD/Mtoken",
    "seq_len": "token",
    "tp": "",
    "pp": "",
    "kv_bytes_per_element": "byte",
    "tpot": "ms",
    "ttft": "ms",
    "memory_utilization": "",
    "scaleup_bandwidth": "GB/s",
    "scaleout_bandwidth": "GB/s",
    "scaleup_domain": "GPU",
    "comm_latency": "us",
    "comm_overlap": "",
    "attention_peak": "TFLOP/s",
    "hbm_capacity": "GB",
    # collective sizes in GB, so that GB over GB/s is seconds without a conversion
    "allreduce_bytes_per_sequence": "GB",
    "alltoall_bytes_per_sequence": "GB",
    "prefill_allreduce_bytes_per_token": "GB",
}


def _fields(kind: str) -> dict[str, Any]:
    return TRAINING_FIELDS if kind == "training" else INFERENCE_FIELDS


def _register(
    result: WorkloadResult, book: InputBook, prefix: str
) -> tuple[dict[str, str], dict[str, Any]]:
    """Defined names of the result's inputs (not the derived defaults), and the inputs at the
    values the report uses (for the engine's point run)."""
    fields = _fields(result.kind)
    names: dict[str, str] = {}
    used: dict[str, Any] = {}
    derived = [
        (
            n,
            Input(n, v, source="architecture and placement (models/transformer.py)"),
            "architecture",
        )
        for n, v in result.architecture_inputs.items()
    ]
    for n, inp, how in [*result.inputs, *derived]:
        if inp is None or (how == "default" and n in _DERIVED):
            continue
        if how == "architecture" and n in _FROM_ARCHITECTURE:
            continue  # the declaration derives it from the architecture's numbers
        value = inp.value.to(_unit(n))
        place = f"{prefix}.{n}"
        base = n
        if how == "catalog":  # e.g. "catalog: H800.fp8_dense": one row per chip and precision
            spec = (inp.source or "").removeprefix("catalog: ")
            chip, _, field = spec.partition(".")
            place = f"catalog.{spec}"
            base = f"{n}_{chip}" + (f"_{field.removesuffix('_dense')}" if n == "peak" else "")
        if book.has(place):
            row = book.row(place)
            same = (
                row.source == inp.source
                and row.note == inp.note
                and row.unit == (f"{value.units:~P}")
                and (row.value == book_value(value, inp.raw))
            )
            if not same:
                place = f"{place}[{result.name or result.kind}]"
        label = fields[n].label if n in fields else ARCHITECTURE_INPUTS[n].label
        row = book.add(
            place,
            base,
            label,
            value=value,
            raw=inp.raw,
            source=inp.source,
            note=inp.note,
            default=how == "default",
        )
        names[n] = row.name
        # the row holds the value in the cell's unit (value's), not always in the input's
        used[n] = Quantity(at_value(inp, row.value).value.magnitude, value.units)
    return names, used


def _declared_point(result: WorkloadResult, used: dict[str, Any]) -> WorkloadResult:
    """The inference declaration evaluated once at the values the report uses: what the
    workbook's formulas give when recalculated."""
    outputs = ItemOutputs(INFERENCE, used, Form(frozenset(used)))
    point = WorkloadResult(result.name, result.kind)
    for r in result.rows:
        point.add(r.key, r.label, outputs[r.key], r.unit, r.formula)
    return point


def book_value(value: Any, raw: Any) -> float:
    return summary_of(value, raw)[0]


def point_result(result: WorkloadResult, used: dict[str, Any]) -> WorkloadResult:
    """The same model run once at the values the report uses; every input is given (catalog
    values and defaults as the values they took), except the defaults the model derives."""
    cls = Training if result.kind == "training" else Inference
    return cls(**used, name=result.name).run()


class _Formulas:
    """References to inputs (defined names) and to lines of the block (``{key}``)."""

    def __init__(self, names: dict[str, str], book: InputBook) -> None:
        self.names, self.book = names, book
        self.lines: set[str] = set()

    def __getitem__(self, key: str) -> str:
        if key in self.lines:
            return f"{{{key}}}"
        return self.names[key]

    def has(self, key: str) -> bool:
        return key in self.lines or key in self.names

    def c(self, name: str) -> str:
        return self.book.constant(name)


def _training_formulas(f: _Formulas, unknown: str) -> dict[str, str]:
    """The training run's lines, written from its declaration (models/workload.py TRAINING):
    each input is its defined name, each output its line."""
    ureg = registry()
    refs = {n: Ref(name, ureg.Unit(_UNITS[n])) for n, name in f.names.items()}
    cells = {o.key: Ref(f"{{{o.key}}}", ureg.Unit(o.unit)) for o in TRAINING.outputs}
    form = Form(frozenset(f.names))
    out: dict[str, str] = {}
    for o in TRAINING.outputs:
        text = excel_formula(
            TRAINING,
            o.key,
            form,
            refs,
            cells,
            constant=lambda n: f.book.kind_constant(TRAINING.constant[n]),
        )
        if text is not None:
            out[o.key] = text
            for name in CONVERSIONS:  # each conversion a formula uses has its named row
                if re.search(rf"\b{name}\b", text):
                    f.c(name)
    f.lines |= set(out)
    return out


def _inference_formulas(f: _Formulas, result: WorkloadResult) -> dict[str, str]:
    """The inference service's lines, written from its declaration (models/inference.py
    INFERENCE): each input and architecture number is its defined name, each output shown
    its line, each step between them written out inside the lines that read it."""
    ureg = registry()
    refs = {n: Ref(name, ureg.Unit(_unit(n))) for n, name in f.names.items()}
    keys = [r.key for r in result.rows]
    cells = {k: Ref(f"{{{k}}}", ureg.Unit(INFERENCE.output[k].unit)) for k in keys}
    form = Form(frozenset(f.names))
    out: dict[str, str] = {}
    for key in keys:
        text = excel_formula(
            INFERENCE,
            key,
            form,
            refs,
            cells,
            constant=lambda n: f.book.kind_constant(INFERENCE.constant[n]),
        )
        assert text is not None, f"{key} has a formula for this workload"
        out[key] = text
        for name in CONVERSIONS:  # each conversion a formula uses has its named row
            if re.search(rf"\b{name}\b", text):
                f.c(name)
    f.lines |= set(out)
    return out


def _unit(name: str) -> str:
    """The unit an input's cell holds."""
    if name in _UNITS:
        return _UNITS[name]
    return ARCHITECTURE_UNITS.get(name, "")


_SHARES = {"mfu", "margin"}


def workload_block(
    result: WorkloadResult, book: InputBook, title: str = "", prefix: str | None = None
) -> Block:
    """The report block of a training run or inference service; inputs go into ``book``."""
    names, used = _register(result, book, prefix or result.kind)
    f = _Formulas(names, book)
    if result.kind == "training":
        point = point_result(result, used)
        unknown = next(r.key for r in result.rows if r.solved)
        formulas = _training_formulas(f, unknown)
    else:
        point = _declared_point(result, used)
        formulas = _inference_formulas(f, result)
    rows = {r.key: r for r in result.rows}
    lines: list[Line] = []
    for key, formula in formulas.items():
        r = rows[key]
        value = float(magnitudes(point.get(key), r.unit or None)[0])
        doc = r.formula + (" (solved)" if r.solved else "")
        summary = None if is_point(r.value) else result.summary(key)
        lines.append(
            Line(
                key,
                r.label,
                r.unit,
                "single",
                doc,
                {VALUE: formula},
                {VALUE: value},
                {VALUE: summary},
                percent=key in _SHARES,
            )
        )
    missing = set(rows) - set(formulas)
    assert not missing, f"workload outputs without a formula: {missing}"
    highlights = [r.key for r in result.rows]
    sampled = any(inp is not None and not is_point(inp.value) for _, inp, _ in result.inputs)
    notes = list(result.notes)
    return Block(
        title or result.name or result.kind.capitalize(),
        [VALUE],
        lines,
        highlights,
        notes,
        sampled=sampled,
        engine=point,
    )


def _rerun(subject: WorkloadResult, output: str) -> tuple[Any, ...] | None:
    rows = {r.key: r for r in subject.rows}
    if output not in rows or subject.workload is None:
        return None
    # the workload run again with the uncertain inputs replaced, as `flopbook workload
    # --sensitivity` does: a batch chosen by tpot is chosen again for every sample
    uncertain = {n: v for n, (v, _) in workload_inputs(subject).items()}
    units = {n: u for n, (_, u) in workload_inputs(subject).items()}
    model = workload_model(subject.workload, output, units)
    labels = {n: _fields(subject.kind)[n].label for n in uncertain}
    row = rows[output]
    return ("model", model, uncertain, row.label, row.unit, labels, units, "Value")


# the distributions drawn are the declaration's headlines (TRAINING's, INFERENCE's)
_UNCERTAINTY = Uncertainty(
    lambda s: headline_samples(s.result), lambda s: [r.key for r in s.rows], _rerun
)

# registered: report.kinds.BLOCKS and report.uncertainty.UNCERTAINTY gather these
BLOCKS = {"training": workload_block, "inference": workload_block}
UNCERTAINTY = {"training": _UNCERTAINTY, "inference": _UNCERTAINTY}
