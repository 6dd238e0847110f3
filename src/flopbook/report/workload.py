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
from typing import TYPE_CHECKING, Any

from flopbook.errors import InputError
from flopbook.formula.conversions import CONVERSIONS
from flopbook.formula.declaration import Form
from flopbook.formula.excel import Ref, excel_formula
from flopbook.models.workload import (
    INFERENCE_FIELDS,
    TRAINING,
    TRAINING_FIELDS,
    Inference,
    Training,
    flops_per_token,
)
from flopbook.quantity import is_point, magnitudes, registry
from flopbook.report.document import Block, Line
from flopbook.report.inputs import InputBook, at_value, summary_of

if TYPE_CHECKING:
    from flopbook.models.workload import WorkloadResult

VALUE = "Value"

# Inputs whose default the engine derives from other inputs: a formula line, not an input.
_DERIVED = {"context", "total_params"}

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
    for n, inp, how in result.inputs:
        if inp is None or (how == "default" and n in _DERIVED):
            continue
        value = inp.value.to(_UNITS[n])
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
        label = fields[n].label
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
        used[n] = at_value(inp, row.value).value.to(_UNITS[n])
    return names, used


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


def _per_token(f: _Formulas, context: str) -> str:
    base = f"{f.c('forward_FLOP_per_param_token')}*{f['params']}"
    if f.has("layers") and f.has("d_model"):
        base += f"+{f.c('attention_FLOP_factor')}*{f['layers']}*{context}*{f['d_model']}"
    return base


def _inference_formulas(f: _Formulas, result: WorkloadResult) -> dict[str, str]:
    c = f.c
    out: dict[str, str] = {}
    if "total_params" not in f.names:
        out["total_params"] = f["params"]
    if "context" not in f.names:
        out["context"] = f"{f['tokens_in']}+{c('decode_output_share')}*{f['tokens_out']}"
    f.lines |= set(out)
    out["flops_per_token_prefill"] = _per_token(f, f"{c('prefill_context_share')}*{f['tokens_in']}")
    out["flops_per_token"] = _per_token(f, f["context"])
    f.lines |= {"flops_per_token_prefill", "flops_per_token"}
    T, S = c("FLOP_per_TFLOP"), c("seconds_per_hour")  # noqa: N806 - as in the formulas
    peak, mfu, gpus, batch = f["peak"], f["mfu"], f["gpus"], f["batch"]
    out["prefill_rate"] = f"{peak}*{T}*{mfu}/{{flops_per_token_prefill}}"
    memory = (
        f"({f['total_params']}*{f['bytes_per_param']}+{batch}*{f['context']}"
        f"*{f['kv_bytes_per_token']})/({gpus}*{f['bandwidth']}*{c('bytes_per_TB')}"
        f"*{f['mbu']})"
    )
    compute = f"{batch}*{{flops_per_token}}/({gpus}*{peak}*{T}*{mfu})"
    out["decode_rate"] = f"{batch}/MAX({memory},{compute})/{gpus}"
    out["gpu_seconds"] = f"{f['tokens_in']}/{{prefill_rate}}+{f['tokens_out']}/{{decode_rate}}"
    out["energy"] = f"{{gpu_seconds}}*{f['power']}*{f['pue']}/{S}"
    if f.has("price"):
        price, m = f["price"], c("tokens_per_Mtoken")
        out["cost"] = f"{{gpu_seconds}}*{price}/{S}"
        out["cost_per_million_input"] = f"{price}/{{prefill_rate}}/{S}*{m}"
        out["cost_per_million_output"] = f"{price}/{{decode_rate}}/{S}*{m}"
    terms = [
        f"{f[p]}*{f[t]}/{c('tokens_per_Mtoken')}"
        for p, t in (("price_input", "tokens_in"), ("price_output", "tokens_out"))
        if f.has(p)
    ]
    if terms:
        out["revenue"] = "+".join(terms)
        if f.has("price"):
            out["margin"] = "({revenue}-{cost})/{cost}"
    if f.has("requests"):
        r = f["requests"]
        out["gpu_hours_per_day"] = f"{{gpu_seconds}}*{r}/{S}"
        out["gpus_busy"] = f"{{gpu_seconds}}*{r}/{c('seconds_per_day')}"
        out["energy_per_day"] = f"{{energy}}*{r}/{c('Wh_per_MWh')}"
        if f.has("price"):
            out["cost_per_day"] = f"{{cost}}*{r}"
        if "revenue" in out:
            out["revenue_per_day"] = f"{{revenue}}*{r}"
    return out


_SHARES = {"mfu", "margin"}

# Lines that are not outputs of the model: (label, unit, how the engine gets them)
_EXTRA = {
    "total_params": (
        "Total parameters (default: the active ones)",
        "",
        "same as the active parameters",
    ),
    "context": ("Average context in decode (default)", "token", "input + half the output"),
    "flops_per_token_prefill": (
        "FLOPs per prefill token",
        "FLOP/token",
        "2 × N (+ attention over half the prompt)",
    ),
}


def _extra_value(key: str, used: dict[str, Any], point: WorkloadResult) -> float:
    if key == "total_params":
        value = used["params"]
    elif key == "context":
        value = used["tokens_in"] + used["tokens_out"] / 2
    else:  # the engine's own formula, at half the prompt (models/workload.py, Inference.run)
        value = flops_per_token(
            used["params"],
            layers=used.get("layers"),
            d_model=used.get("d_model"),
            context=used["tokens_in"] / 2,
        )
    return float(magnitudes(value, _EXTRA[key][1] or None)[0])


def workload_block(
    result: WorkloadResult, book: InputBook, title: str = "", prefix: str | None = None
) -> Block:
    """The report block of a training run or inference service; inputs go into ``book``."""
    if any(how == "architecture" for _, _, how in result.inputs):
        # the physics of a known architecture (experts read, placement, communication) has no
        # spreadsheet formulas yet, and a workbook of typed-in values would not recalculate
        raise InputError(
            "flopbook report has no workbook yet for a workload with model: or architecture:",
            field="model",
            hint="for its figures run flopbook workload FILE --format csv (or json)",
        )
    names, used = _register(result, book, prefix or result.kind)
    point = point_result(result, used)
    f = _Formulas(names, book)
    if result.kind == "training":
        unknown = next(r.key for r in result.rows if r.solved)
        formulas = _training_formulas(f, unknown)
    else:
        formulas = _inference_formulas(f, result)
    rows = {r.key: r for r in result.rows}
    lines: list[Line] = []
    for key, formula in formulas.items():
        if key in rows:
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
        else:
            label, unit, doc = _EXTRA[key]
            lines.append(
                Line(
                    key,
                    label,
                    unit,
                    "single",
                    doc,
                    {VALUE: formula},
                    {VALUE: _extra_value(key, used, point)},
                    {VALUE: None},
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
