"""Workload economics: what a training run or a stream of inference requests costs.

    >>> from flopbook.models.workload import Training, Inference
    >>> Training(params="37B", tokens="14.8T token", chip="H800", precision="fp8",
    ...          gpu_hours="2.788M GPU*hour", price="2 USD/GPU/hour").run().get("mfu")
    >>> Inference(params="8B", tokens_in="1000 token", tokens_out="500 token", chip="H100",
    ...           batch=32, kv_bytes_per_token="128 kB").run().get("cost_per_million_output")

Every output is a quantity with a unit and states the formula that made it. Both kinds are
declared once (:mod:`flopbook.formula`): a training run here (:data:`TRAINING`: 6·N·D, and
FLOPs = GPU-hours × peak × MFU solved for the one not given), an inference service in
:mod:`flopbook.models.inference` (:data:`~flopbook.models.inference.INFERENCE`: prefill
compute-bound, decode a roofline over the bytes, FLOPs and communication of a step). The
classes here read a workload's fields, fill the defaults, the catalog's figures and, with an
architecture, its numbers (:mod:`flopbook.models.serving`), and evaluate the declaration.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from flopbook.catalog import chip
from flopbook.errors import InputError, UnknownNameError, suggest
from flopbook.formula.declaration import Constant, Form, Kind, extensive
from flopbook.formula.result import ItemOutputs, Result
from flopbook.frames import records_frame
from flopbook.inputs import FieldSpec, Input, read_input
from flopbook.models.architecture import preset
from flopbook.models.fleet import default_assumptions
from flopbook.models.gpu_hour import GPU_HOUR_FIELDS
from flopbook.models.inference import (
    ARCHITECTURE_ROWS,
    ECONOMICS_ROWS,
    INFERENCE,
    INFERENCE_DEFAULTS,
    INFERENCE_FIELDS,
    SERVING_FIELDS,
    SIMPLE_ROWS,
)
from flopbook.models.serving import declared, declared_values, resolve_architecture, serve
from flopbook.models.training_flops import mfu_preset, training_per_token
from flopbook.quantity import Quantity, magnitudes, registry, summarize

if TYPE_CHECKING:
    import pint

    from flopbook.catalog import Chip
    from flopbook.quantity import Summary

__all__ = [
    "INFERENCE_FIELDS",
    "TRAINING_FIELDS",
    "Inference",
    "Training",
    "WorkloadResult",
    "margin",
    "solve_training",
    "training_flops",
]

# precision names users write -> catalog spec
PRECISIONS = {"bf16": "bf16_dense", "fp8": "fp8_dense", "tf32": "tf32_dense", "fp32": "fp32"}
# names the catalog has no peak for, and what to write instead
_NOT_IN_CATALOG = {
    "fp16": "the catalog lists BF16 peaks, not FP16 (dense FP16 equals BF16 on most chips): "
    "write bf16",
    "int8": "INT8 peaks count integer operations, not FLOPs: write fp8",
    "fp4": "the catalog lists no FP4 peaks: write fp8, or give peak in a workload file",
}
BYTES_PER_PARAM = {"fp8_dense": 1.0, "bf16_dense": 2.0, "tf32_dense": 4.0, "fp32": 4.0}

SOLVABLE = ("flops", "gpu_hours", "peak", "mfu")


def _spec(
    name: str, label: str, units: tuple[str, ...], example: str, doc: str, **kw: Any
) -> FieldSpec:
    return FieldSpec(name, label, units, example, doc, **kw)


_POSITIVE = {"low": 0, "low_inclusive": False}

TRAINING_FIELDS: dict[str, FieldSpec] = {
    **{
        f.name: f
        for f in [
            _spec(
                "params",
                "Active parameters",
                ("",),
                "37B",
                "parameters used per token (the active ones for a mixture of experts)",
                **_POSITIVE,
            ),
            _spec(
                "tokens",
                "Training tokens",
                ("token",),
                "14.8T token",
                "tokens trained on",
                bare_unit="token",
                **_POSITIVE,
            ),
            _spec(
                "flops",
                "Training FLOPs",
                ("FLOP",),
                "3.3e24 FLOP",
                "total training compute, instead of params and tokens",
                bare_unit="FLOP",
                **_POSITIVE,
            ),
            _spec(
                "gpu_hours",
                "GPU-hours",
                ("GPU*hour",),
                "2.788M GPU*hour",
                "accelerator time used (solved when not given)",
                bare_unit="GPU*hour",
                **_POSITIVE,
            ),
            _spec(
                "peak",
                "Peak rate per GPU",
                ("TFLOP/s",),
                "989 TFLOP/s",
                "dense peak at the training precision; overrides the catalog",
                **_POSITIVE,
            ),
            _spec(
                "mfu",
                "MFU",
                ("",),
                "35%",
                "model FLOPs utilisation: achieved / peak FLOP/s, in (0, 1]",
                low=0,
                low_inclusive=False,
                high=1,
            ),
            _spec(
                "gpus",
                "GPUs",
                ("GPU",),
                "2048 GPU",
                "GPUs running at once (for wall-clock time)",
                bare_unit="GPU",
                **_POSITIVE,
            ),
        ]
    },
    **GPU_HOUR_FIELDS,
    **{
        f.name: f
        for f in [
            _spec(
                "seq_len",
                "Sequence length",
                ("token",),
                "8192 token",
                "tokens per training sequence, for the attention FLOPs (with model)",
                bare_unit="token",
                **_POSITIVE,
            ),
        ]
    },
}

# A training run's formulas, written once (flopbook.formula): FLOPs = GPU-hours x peak x
# MFU, solved for whichever of the four is not given; the engine and the workbook read this.
TRAINING = Kind(
    name="training",
    label="Training run",
    doc="FLOPs, GPU-hours, MFU, time, cost and energy of a training run.",
    item_inputs=TRAINING_FIELDS,
    shared_inputs={},
    constants=(
        Constant(
            "training_FLOP_per_param_token",
            6.0,
            "FLOP/token",
            "Training FLOPs per parameter per token (forward 2 + backward 4)",
            "Kaplan et al. 2020, arXiv 2001.08361, section 2.1",
        ),
    ),
    headlines=("cost", "mfu", "gpu_hours", "energy"),
    outputs=(
        extensive(
            "flops",
            "Training FLOPs",
            "FLOP",
            {
                "flops given": "flops",
                "params given": "training_FLOP_per_param_token * params * tokens",
                "otherwise": "gpu_hours / GPU * peak * mfu",
            },
        ),
        # the GPU-hour's GPU cancels the peak's "per GPU"
        extensive(
            "gpu_hours",
            "GPU-hours",
            "GPU*hour",
            {"gpu_hours given": "gpu_hours", "otherwise": "flops / (peak * mfu) * GPU"},
        ),
        extensive(
            "peak",
            "Peak rate per GPU",
            "TFLOP/s",
            {"peak given": "peak", "otherwise": "flops / (gpu_hours / GPU * mfu)"},
        ),
        extensive(
            "mfu", "MFU", "", {"mfu given": "mfu", "otherwise": "flops / (gpu_hours / GPU * peak)"}
        ),
        extensive("wall_clock", "Wall-clock time", "day", {"gpus given": "gpu_hours / gpus"}),
        extensive("cost", "Cost", "USD", {"price given": "gpu_hours * price"}),
        extensive("energy", "Energy", "MWh", {"power given": "gpu_hours / GPU * power * pue"}),
    ),
    command="workload",
)

KINDS = (TRAINING,)  # registered: models.registry.KINDS gathers every module's

# ---- formulas --------------------------------------------------------------------------


def _ureg() -> Any:
    return registry()


def training_flops(params: pint.Quantity, tokens: pint.Quantity) -> pint.Quantity:
    """6 × N × D: forward (2·N per token) plus backward (4·N per token)."""
    u = _ureg()
    return (6 * params * tokens * u.FLOP / u.token).to("FLOP")


def solve_training(
    *,
    flops: pint.Quantity | None = None,
    gpu_hours: pint.Quantity | None = None,
    peak: pint.Quantity | None = None,
    mfu: pint.Quantity | None = None,
) -> dict[str, pint.Quantity]:
    """Given three of FLOPs, GPU-hours, peak rate per GPU and MFU, the fourth.

    FLOPs = GPU-hours × peak × MFU (the GPU-hour's GPU cancels the peak's "per GPU").
    """
    u = _ureg()
    known = {"flops": flops, "gpu_hours": gpu_hours, "peak": peak, "mfu": mfu}
    missing = [k for k, v in known.items() if v is None]
    if len(missing) != 1:
        given = [k for k in SOLVABLE if k not in missing]
        raise InputError(
            f"give exactly three of flops, gpu_hours, peak and mfu (given: "
            f"{', '.join(given) or 'none'})",
            hint="leave out the one to solve for, e.g. drop mfu to get the MFU the others imply",
        )
    gpu_time = None if gpu_hours is None else (gpu_hours / u.GPU).to("hour")
    if flops is None:
        known["flops"] = (gpu_time * peak * mfu).to("FLOP")
    elif gpu_hours is None:
        known["gpu_hours"] = (flops / (peak * mfu) * u.GPU).to("GPU*hour")
    elif peak is None:
        known["peak"] = (flops / (gpu_time * mfu)).to("TFLOP/s")
    else:
        known["mfu"] = (flops / (gpu_time * peak)).to("")
    return known  # type: ignore[return-value]


def margin(revenue: pint.Quantity, cost: pint.Quantity) -> pint.Quantity:
    """(revenue − cost) / cost: the "cost-profit margin" DeepSeek reports (545% = 6.45×)."""
    return ((revenue - cost) / cost).to("")


# ---- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: pint.Quantity
    unit: str
    formula: str
    solved: bool = False  # the solver's answer rather than a forward computation


@dataclass
class WorkloadResult:
    """The outputs of a workload model, each with its formula, and the inputs used."""

    name: str
    kind: str
    rows: list[Row] = field(default_factory=list)
    inputs: list[tuple[str, Input | None, str]] = field(default_factory=list)  # name, input, how
    notes: list[str] = field(default_factory=list)
    # the architecture's numbers an inference's formulas read (not inputs a user gives)
    architecture_inputs: dict[str, pint.Quantity] = field(default_factory=dict)
    # the Training or Inference that made it, to run again with other inputs (sensitivity)
    workload: Any = field(default=None, repr=False, compare=False)
    # the declaration's outputs for this one item (the shared Result): what reports,
    # sensitivity and the web read of any kind alike
    result: Result | None = field(default=None, repr=False, compare=False)

    def add(
        self,
        key: str,
        label: str,
        value: pint.Quantity | None,
        unit: str,
        formula: str,
        *,
        solved: bool = False,
    ) -> None:
        if value is not None:
            self.rows.append(Row(key, label, value.to(unit), unit, formula, solved))

    def get(self, key: str) -> pint.Quantity:
        for r in self.rows:
            if r.key == key:
                return r.value
        raise UnknownNameError(
            f"no output {key!r} in this result",
            hint="outputs: " + ", ".join(r.key for r in self.rows),
        )

    def has(self, key: str) -> bool:
        return any(r.key == key for r in self.rows)

    def summary(self, key: str) -> Summary:
        row = next(r for r in self.rows if r.key == key)
        return summarize(row.value, row.unit)

    def to_dataframe(self) -> Any:
        """The outputs as a pandas DataFrame: one row each, mean and percentiles as floats,
        its unit and formula beside."""

        return records_frame(self.to_dict()["outputs"], index="key")

    def _repr_html_(self) -> str:
        return self.to_dataframe()._repr_html_()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "outputs": [
                {
                    "key": r.key,
                    "label": r.label,
                    **summarize(r.value, r.unit).as_dict(),
                    "formula": r.formula,
                    "solved": r.solved,
                }
                for r in self.rows
            ],
            "inputs": [
                {
                    "name": n,
                    "how": how,
                    **(summarize(i.value).as_dict() if i is not None else {}),
                    "source": i.source if i else None,
                    "note": i.note if i else None,
                }
                for n, i, how in self.inputs
            ],
            "notes": self.notes,
        }


# ---- shared input handling -------------------------------------------------------------


def _precision(raw: str | None) -> str:
    name = (raw or "bf16").strip().lower().replace("-", "_")
    spec = PRECISIONS.get(name) or (name if name in BYTES_PER_PARAM else None)
    if name in _NOT_IN_CATALOG:
        raise InputError(
            f"unknown precision {raw!r}", field="precision", hint=_NOT_IN_CATALOG[name]
        )
    if spec is None:
        near = suggest(name, list(PRECISIONS))
        raise InputError(
            f"unknown precision {raw!r}",
            field="precision",
            hint=near if near.startswith("did you") else "write bf16, fp8, tf32 or fp32",
        )
    return spec


class _Inputs:
    """Read the given fields of a model; remember which were given, defaulted or solved."""

    def __init__(self, fields: dict[str, FieldSpec], given: dict[str, Any], prefix: str) -> None:
        unknown = set(given) - set(fields)
        if unknown:
            name = sorted(unknown)[0]
            near = difflib.get_close_matches(name, list(fields), n=1)
            raise UnknownNameError(
                f"unknown field {name!r}",
                field=name,
                hint=f"did you mean {near[0]}?" if near else "known fields: " + ", ".join(fields),
            )
        self.fields = fields
        self.values: dict[str, Input] = {}
        self.how: dict[str, str] = {}
        for name, raw in given.items():
            if raw is not None:
                self.values[name] = read_input(fields[name], raw, key=f"{prefix}.{name}")
                self.how[name] = "given"

    def get(self, name: str) -> pint.Quantity | None:
        found = self.values.get(name)
        return None if found is None else found.value

    def default(self, name: str, raw: Any, how: str, source: str | None = None) -> None:
        if name not in self.values:
            spec = self.fields[name]
            self.values[name] = read_input(
                spec, {"value": raw, "source": source} if source else raw, key=f"default.{name}"
            )
            self.how[name] = how

    def mark_architecture(self, where: str) -> None:
        for name in ("params", "total_params", "layers", "d_model"):
            if name in self.values:
                self.how[name] = "architecture"

    def rows(self) -> list[tuple[str, Input | None, str]]:
        return [(n, self.values[n], self.how[n]) for n in self.fields if n in self.values]


def _chip(name: str | None) -> Chip | None:
    if name is None:
        return None

    try:
        return chip(name)
    except InputError as exc:
        raise exc.located(field="chip") from None


def _power_defaults(ins: _Inputs, chip: Chip | None) -> None:
    """IT power per GPU = TDP × (1 + server overhead); PUE: the fleet model's defaults."""
    d = default_assumptions()
    if "power" not in ins.values and chip is not None and chip.spec("tdp") is not None:
        overhead = read_input(_spec("o", "", ("",), "50%", ""), d["server_power_overhead"])
        power = chip.spec("tdp") * (1 + overhead.value)
        ins.values["power"] = Input(
            "power",
            power.to("W"),
            source=f"{chip.id} TDP (catalog) x (1 + "
            f"{d['server_power_overhead']['value']} server overhead: "
            f"{d['server_power_overhead']['source']})",
        )
        ins.how["power"] = "default"
    ins.default("pue", d["pue"]["value"], "default", d["pue"]["source"])


def _peak(ins: _Inputs, chip: Chip | None, precision: str) -> pint.Quantity | None:
    if (peak := ins.get("peak")) is not None:
        return peak
    if chip is None:
        return None
    value = chip.spec(precision)
    if value is None:
        raise InputError(
            f"the catalog has no {precision} peak for {chip.id}",
            field="precision",
            hint="choose another precision or give peak, e.g. peak: 752 TFLOP/s",
        )
    ins.values["peak"] = Input("peak", value, source=f"catalog: {chip.id}.{precision}")
    ins.how["peak"] = "catalog"
    return value


# ---- training --------------------------------------------------------------------------


@dataclass
class Training:
    """A training run. Give the model and data (params, tokens) or the FLOPs, a chip or peak
    rate, and any two of GPU-hours, MFU and GPU count / price / power as you know them."""

    params: Any = None
    tokens: Any = None
    flops: Any = None
    gpu_hours: Any = None
    chip: str | None = None
    precision: str | None = "bf16"
    peak: Any = None
    mfu: Any = None
    gpus: Any = None
    price: Any = None
    power: Any = None
    pue: Any = None
    seq_len: Any = None
    model: str | None = None
    recompute: str | None = None
    mfu_from: str | None = None
    name: str = ""

    def run(self) -> WorkloadResult:
        u = _ureg()
        given = {n: getattr(self, n) for n in TRAINING_FIELDS}
        arch = self._architecture(given)
        ins = _Inputs(TRAINING_FIELDS, given, "training")
        if arch is not None:
            ins.mark_architecture("")
            ins.default(
                "seq_len", "4096 token", "default", "flopbook default: 4,096-token sequences"
            )
        chip = _chip(self.chip)
        precision = _precision(self.precision)
        out = WorkloadResult(self.name, "training")
        hardware_per_model = None

        flops = ins.get("flops")
        params, tokens = ins.get("params"), ins.get("tokens")
        if flops is not None and (params is not None or tokens is not None):
            raise InputError(
                "give flops, or params and tokens, not both",
                field="flops",
                hint="drop flops to compute 6 x params x tokens",
            )
        if (params is None) != (tokens is None):
            missing = "tokens" if tokens is None else "params"
            raise InputError(
                f"missing {missing}",
                field=missing,
                hint=f"params and tokens go together, e.g. "
                f'{missing}: "{TRAINING_FIELDS[missing].example}"',
            )
        flops_formula = "given"
        if arch is not None and tokens is not None:
            model_tok, hw_tok = training_per_token(
                arch, magnitudes(ins.get("seq_len"), "token"), self.recompute or "none"
            )
            flops = (tokens / u.token * Quantity(model_tok, "FLOP")).to("FLOP")
            hardware_per_model = hw_tok / model_tok
            flops_formula = (
                "tokens × 3 × (2 × active matmul weights + attention over "
                "seq_len / 2): forward + backward, from the architecture"
            )
        elif params is not None:
            flops_formula = "6 × N × D (2·N forward + 4·N backward per token; no attention term)"
        if self.recompute is not None and arch is None:
            if self.recompute == "full":
                hardware_per_model = 4 / 3
            elif self.recompute != "none":
                raise InputError(
                    f"recompute: {self.recompute} needs the architecture",
                    field="recompute",
                    hint="add model: NAME, or write full",
                )
        peak = _peak(ins, chip, precision)
        known = {
            "flops": flops is not None or params is not None,
            "gpu_hours": ins.get("gpu_hours") is not None,
            "peak": peak is not None,
            "mfu": ins.get("mfu") is not None,
        }
        missing = [k for k in SOLVABLE if not known[k]]
        if len(missing) != 1:
            if not missing:
                raise InputError(
                    "flops (or params and tokens), gpu_hours, peak and mfu are all "
                    "given: one of them must be left to solve for",
                    field="mfu",
                    hint="drop mfu to get the MFU the others imply",
                )
            raise InputError(
                "too little to go on: give three of flops (or params and tokens), "
                "gpu_hours, peak (or chip) and mfu",
                field=missing[0],
                hint=f"missing: {', '.join(missing)}",
            )
        unknown = missing[0]
        _power_defaults(ins, chip)
        values = {n: i.value for n, i in ins.values.items()}
        if flops is not None:  # given, or from the architecture: the declaration takes it
            values["flops"] = flops
        solved = ItemOutputs(TRAINING, values, Form(frozenset(values)))
        out.add(
            "flops",
            "Training FLOPs",
            solved["flops"],
            "FLOP",
            flops_formula if unknown != "flops" else "GPU-hours × peak × MFU",
            solved=unknown == "flops",
        )
        out.add(
            "gpu_hours",
            "GPU-hours",
            solved["gpu_hours"],
            "GPU*hour",
            "given" if unknown != "gpu_hours" else "FLOPs / (peak × MFU)",
            solved=unknown == "gpu_hours",
        )
        out.add(
            "peak",
            f"Peak rate per GPU ({precision})",
            solved["peak"],
            "TFLOP/s",
            ins.values["peak"].source or "given"
            if unknown != "peak"
            else "FLOPs / (GPU-hours × MFU)",
            solved=unknown == "peak",
        )
        out.add(
            "mfu",
            "MFU",
            solved["mfu"],
            "",
            "given" if unknown != "mfu" else "FLOPs / (GPU-hours × peak)",
            solved=unknown == "mfu",
        )
        if unknown == "mfu":
            m = np.asarray(solved["mfu"].magnitude)
            if np.any(m > 1):
                out.notes.append(
                    "The implied MFU is above 100%: the figures cannot all be "
                    "right (more FLOPs than the GPUs can do at peak)."
                )
        if hardware_per_model is not None:
            out.add(
                "hardware_flops",
                "Hardware FLOPs (with recomputation)",
                solved["flops"] * hardware_per_model,
                "FLOP",
                f"model FLOPs × {float(np.mean(hardware_per_model)):.3g} "
                f"(recompute: {self.recompute or 'none'})",
            )
            out.add(
                "hfu",
                "Hardware FLOPs utilisation",
                solved["mfu"] * hardware_per_model,
                "",
                "MFU × hardware FLOPs / model FLOPs",
            )
        out.add("wall_clock", "Wall-clock time", solved["wall_clock"], "day", "GPU-hours / GPUs")
        out.add("cost", "Cost", solved["cost"], "USD", "GPU-hours × price per GPU-hour")
        out.add("energy", "Energy", solved["energy"], "MWh", "GPU-hours × IT power per GPU × PUE")
        column = self.name or "training"
        out.result = Result(TRAINING, [column], {column: solved}, name=self.name)
        out.inputs = ins.rows()
        out.workload = self
        return out

    def _architecture(self, given: dict[str, Any]) -> Any:
        """The preset's active parameters stand in for params; an MFU preset for mfu."""
        if self.mfu_from is not None:
            if given.get("mfu") is not None:
                raise InputError(
                    "give mfu or mfu_from, not both", field="mfu_from", hint="drop one of them"
                )
            p = mfu_preset(self.mfu_from)
            given["mfu"] = {"value": p.value, "source": f"{p.run}: {p.source}"}
        if self.model is None:
            if given.get("seq_len") is not None:
                raise InputError(
                    "seq_len needs the architecture",
                    field="seq_len",
                    hint="add e.g. model: llama-3.1-405b, or drop seq_len",
                )
            return None

        p = preset(self.model)
        if given.get("params") is not None:
            raise InputError(
                f"params comes from the architecture (preset {p.id})",
                field="params",
                hint="drop params, or drop model",
            )
        given["params"] = {
            "value": f"{p.architecture.active_params() / 1e9:.5g}B",
            "source": f"architecture (preset {p.id}): active parameters",
        }
        return p.architecture


def _bound(values: dict[str, pint.Quantity]) -> str:
    """Which of the decode step's times is longest for most samples."""
    times = declared(values, ["t_memory", "t_compute", "comm_time"])
    stacked = np.stack(
        np.broadcast_arrays(
            times["t_memory"],
            times["t_compute"],
            Quantity(times["comm_time"], "ms").to("s").magnitude,
        )
    )
    longest = np.bincount(np.ravel(np.argmax(stacked, axis=0)), minlength=3).argmax()
    return ("memory", "compute", "communication")[int(longest)]


def _one_missing(*values: Any) -> bool:
    return sum(v is None for v in values) == 1


# ---- inference -------------------------------------------------------------------------


def _size(x: float) -> str:
    return f"{x / 1e12:,.3g} TB" if x >= 1e12 else f"{x / 1e9:,.3g} GB"


def _check_memory(
    ins: _Inputs, chip: Chip | None, weight_bytes: pint.Quantity, context: pint.Quantity
) -> None:
    """The weights and the KV cache of every sequence in the batch must fit in the HBM of
    the GPUs that hold one copy of the model; otherwise the roofline describes a server
    that cannot exist."""
    hbm = None if chip is None else chip.spec("hbm_capacity")
    if hbm is None:
        return
    u = _ureg()
    kv = ins.get("batch") * (context / u.token) * ins.get("kv_bytes_per_token")
    need_weights = float(weight_bytes.to("byte").magnitude.mean())
    need_kv = float(kv.to("byte").magnitude.mean())
    per_gpu = float(hbm.to("byte").magnitude.mean())
    gpus = float((ins.get("gpus") / u.GPU).to("").magnitude.mean())
    if need_weights + need_kv <= gpus * per_gpu:
        return
    bytes_per = float(ins.get("bytes_per_param").to("byte").magnitude.mean())
    kv_text = f" + {_size(need_kv)} of KV cache" if need_kv else ""
    fit = math.ceil((need_weights + need_kv) / per_gpu)
    where = (
        "gpus"
        if ins.how.get("gpus") == "given"
        else ("total_params" if ins.how.get("total_params") == "given" else "params")
    )
    raise InputError(
        f"the model does not fit: {_size(need_weights)} of weights (at {bytes_per:g} bytes per "
        f"parameter){kv_text} is more than {gpus:g} GPU × {_size(per_gpu)} of {chip.id} HBM",
        field=where,
        hint=f"shard it across GPUs with gpus: {fit} GPU (or more), or store fewer bytes per "
        "parameter (bytes_per_param)",
    )


def _from_architecture(given: dict[str, Any], arch: Any, where: str) -> dict[str, Any]:
    """Parameter counts and the shape come from the architecture: refuse them written
    out as well, since two sources for one number disagree sooner or later."""
    for name in ("params", "total_params", "layers", "d_model"):
        if given.get(name) is not None:
            raise InputError(
                f"{name} comes from the architecture ({where})",
                field=name,
                hint=f"drop {name}, or drop model/architecture to give counts",
            )
    out = dict(given)
    out["params"] = {
        "value": f"{arch.active_params() / 1e9:.5g}B",
        "source": f"architecture ({where}): active parameters",
    }
    out["total_params"] = {
        "value": f"{arch.total_params() / 1e9:.5g}B",
        "source": f"architecture ({where}): total parameters",
    }
    out["layers"] = {"value": arch.layers, "source": f"architecture ({where})"}
    out["d_model"] = {"value": arch.hidden, "source": f"architecture ({where})"}
    return out


@dataclass
class Inference:
    """Serving a model: per-request GPU time, energy and cost from a roofline."""

    params: Any = None
    tokens_in: Any = None
    tokens_out: Any = None
    chip: str | None = None
    precision: str | None = "bf16"
    total_params: Any = None
    requests: Any = None
    peak: Any = None
    bandwidth: Any = None
    mfu: Any = None
    mbu: Any = None
    batch: Any = None
    gpus: Any = None
    bytes_per_param: Any = None
    kv_bytes_per_token: Any = None
    context: Any = None
    layers: Any = None
    d_model: Any = None
    price: Any = None
    power: Any = None
    pue: Any = None
    price_input: Any = None
    price_output: Any = None
    tp: Any = None
    pp: Any = None
    kv_bytes_per_element: Any = None
    tpot: Any = None
    ttft: Any = None
    memory_utilization: Any = None
    scaleup_bandwidth: Any = None
    scaleout_bandwidth: Any = None
    scaleup_domain: Any = None
    comm_latency: Any = None
    comm_overlap: Any = None
    routing_imbalance: Any = None
    prefill_chunks: Any = None
    model: str | None = None
    architecture: Any = None
    name: str = ""

    def run(self) -> WorkloadResult:

        found = resolve_architecture(self.model, self.architecture)
        arch = None if found is None else found[0]
        given = {n: getattr(self, n) for n in INFERENCE_FIELDS}
        batch_max = isinstance(self.batch, str) and self.batch.strip().lower() == "max"
        if batch_max:
            if arch is None:
                raise InputError(
                    "batch: max needs the architecture",
                    field="batch",
                    hint="add model: NAME (or architecture:), or give a number",
                )
            given["batch"] = None
        if arch is not None:
            given = _from_architecture(given, arch, found[1])
        else:
            extra = next((n for n in SERVING_FIELDS if given.get(n) is not None), None)
            if extra is not None:
                raise InputError(
                    f"{extra} needs the architecture",
                    field=extra,
                    hint=f"add e.g. model: llama-3.1-70b (or architecture:), or drop {extra}",
                )
        ins = _Inputs(INFERENCE_FIELDS, given, "inference")
        if arch is not None:
            ins.mark_architecture(found[1])
        for req in ("params", "tokens_in", "tokens_out"):
            if ins.get(req) is None:
                spec = INFERENCE_FIELDS[req]
                raise InputError(
                    f"missing {req}", field=req, hint=f'write e.g. {req}: "{spec.example}"'
                )
        if (ins.get("layers") is None) != (ins.get("d_model") is None):
            raise InputError(
                "layers and d_model go together (attention FLOPs term)",
                field="layers" if ins.get("layers") is None else "d_model",
            )
        chip = _chip(self.chip)
        precision = _precision(self.precision)
        out = WorkloadResult(self.name, "inference")
        for name, (raw, note) in INFERENCE_DEFAULTS.items():
            ins.default(name, raw, "default", note)
        ins.default("total_params", self.params, "default", "same as the active parameters")
        ins.default(
            "bytes_per_param",
            f"{BYTES_PER_PARAM[precision]:g} byte",
            "default",
            f"{precision} weights",
        )
        tin, tout = ins.get("tokens_in"), ins.get("tokens_out")
        ins.default("context", (tin + tout / 2), "default", "input + half the output")
        peak = _peak(ins, chip, precision)
        bandwidth = ins.get("bandwidth")
        if bandwidth is None and chip is not None:
            bandwidth = chip.spec("hbm_bandwidth")
            if bandwidth is not None:
                ins.values["bandwidth"] = Input(
                    "bandwidth", bandwidth, source=f"catalog: {chip.id}.hbm_bandwidth"
                )
                ins.how["bandwidth"] = "catalog"
        if peak is None or bandwidth is None:
            raise InputError(
                "needs a chip (or peak and bandwidth)",
                field="chip",
                hint="write e.g. chip: H100 (see `flopbook catalog`)",
            )

        derived: dict[str, pint.Quantity] = {}
        if arch is not None:
            derived = serve(
                ins,
                arch,
                chip,
                peak=peak,
                batch_raw=None if batch_max else self.batch,
                batch_max=batch_max,
            )
        else:
            weight_bytes = ins.get("total_params") * ins.get("bytes_per_param")
            _check_memory(ins, chip, weight_bytes, ins.get("context"))
            if ins.get("layers") is None:
                out.notes.append(
                    "FLOPs per token are 2 × N: the attention term is left out (give layers "
                    "and d_model, or model:, to count it)."
                )
        _power_defaults(ins, chip)
        values = declared_values(ins, derived)
        outputs = ItemOutputs(INFERENCE, values, Form(frozenset(values)))
        for key in (ARCHITECTURE_ROWS if arch is not None else SIMPLE_ROWS) + ECONOMICS_ROWS:
            value = outputs[key]
            if value is not None:
                o = INFERENCE.output[key]
                out.add(key, o.label, value, o.unit, outputs.formula(key))
        out.notes.append(f"Decode is {_bound(values)}-bound (for most samples).")
        column = self.name or "inference"
        out.result = Result(INFERENCE, [column], {column: outputs}, name=self.name)
        out.architecture_inputs = dict(derived)
        out.inputs = ins.rows()
        out.workload = self
        return out
