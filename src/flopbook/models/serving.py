"""The inference workload when the architecture is known: a model preset (``model:
deepseek-v3``) or the shape written out (``architecture:``). The physics is in
:mod:`flopbook.models.transformer`; this module reads the workload's fields for it, checks
that the model fits, picks the batch and returns the rates and rows the inference result
shows. Workloads that give only parameter counts never come here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import ValidationError

from flopbook.errors import InputError
from flopbook.inputs import FieldSpec, Input
from flopbook.models.architecture import Architecture, preset
from flopbook.models.transformer import (
    Hardware,
    Placement,
    Step,
    batch_for_latency,
    decode_step,
    max_batch,
    memory_per_gpu,
    prefill_flops_per_token,
    prefill_seconds_per_token,
    prefill_time,
)
from flopbook.quantity import Quantity, magnitudes

if TYPE_CHECKING:
    import pint

    from flopbook.catalog import Chip

__all__ = ["SERVING_DEFAULTS", "SERVING_FIELDS", "Served", "resolve_architecture", "serve"]

_POSITIVE = {"low": 0, "low_inclusive": False}

SERVING_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in [
        FieldSpec(
            "tp",
            "Tensor-parallel degree",
            ("",),
            "8",
            "GPUs that split attention and dense weights (with model or architecture; "
            "default: all GPUs of a stage)",
            low=1,
        ),
        FieldSpec(
            "pp",
            "Pipeline stages",
            ("",),
            "1",
            "stages the layers are split into (with model or architecture)",
            low=1,
        ),
        FieldSpec(
            "kv_bytes_per_element",
            "KV-cache bytes per element",
            ("byte",),
            "2 byte",
            "storage of one cached number (with model or architecture; 1 for an FP8 cache)",
            **_POSITIVE,
        ),
        FieldSpec(
            "tpot",
            "Time per output token target",
            ("ms",),
            "50 ms",
            "choose the largest batch whose decode step meets it (with model or architecture)",
            bare_unit="ms",
            **_POSITIVE,
        ),
        FieldSpec(
            "ttft",
            "Time to first token target",
            ("ms",),
            "2000 ms",
            "refuse a placement whose prefill of one prompt is slower (with model or architecture)",
            bare_unit="ms",
            **_POSITIVE,
        ),
        FieldSpec(
            "memory_utilization",
            "Usable share of HBM",
            ("",),
            "90%",
            "HBM weights and KV cache may take (with model or architecture)",
            low=0,
            low_inclusive=False,
            high=1,
        ),
        FieldSpec(
            "scaleup_bandwidth",
            "Scale-up bandwidth per GPU",
            ("GB/s",),
            "900 GB/s",
            "NVLink-class bandwidth, bidirectional total; overrides the catalog",
            **_POSITIVE,
        ),
        FieldSpec(
            "scaleout_bandwidth",
            "Scale-out bandwidth per GPU",
            ("GB/s",),
            "50 GB/s",
            "network bandwidth per GPU beyond the scale-up domain, one direction",
            **_POSITIVE,
        ),
        FieldSpec(
            "scaleup_domain",
            "GPUs per scale-up domain",
            ("GPU",),
            "8 GPU",
            "GPUs joined by the scale-up fabric (8 in an HGX node, 72 in an NVL72 rack)",
            bare_unit="GPU",
            low=1,
        ),
        FieldSpec(
            "comm_latency",
            "Latency per collective",
            ("us",),
            "10 us",
            "fixed cost of one all-reduce or all-to-all",
            bare_unit="us",
            low=0,
        ),
        FieldSpec(
            "comm_overlap",
            "Communication overlapped",
            ("",),
            "0%",
            "share of communication hidden under computation or memory traffic",
            low=0,
            high=1,
        ),
    ]
}

SERVING_DEFAULTS: dict[str, tuple[Any, str]] = {
    "pp": (1, "flopbook default: no pipeline parallelism"),
    "kv_bytes_per_element": ("2 byte", "flopbook default: a BF16 KV cache"),
    "memory_utilization": (
        "90%",
        "vLLM's default gpu_memory_utilization (0.9): the rest "
        "holds activations and the CUDA context",
    ),
    "scaleout_bandwidth": (
        "50 GB/s",
        "DeepSeek-V3 report (arXiv 2412.19437, 3.2.2): InfiniBand at 50 GB/s per GPU",
    ),
    "scaleup_domain": ("8 GPU", "flopbook default: an 8-GPU HGX/DGX node"),
    "comm_latency": ("10 us", "flopbook default: roughly one small NCCL collective inside a node"),
    "comm_overlap": (
        "0%",
        "flopbook default: communication not hidden (DeepSeek overlaps "
        "it with two micro-batches: write comm_overlap)",
    ),
}

_FROM_ARCHITECTURE = ("params", "total_params", "layers", "d_model")


def resolve_architecture(model: str | None, architecture: Any) -> tuple[Architecture, str] | None:
    """The architecture a workload names, with words saying where it came from."""
    if model is not None and architecture is not None:
        raise InputError(
            "give model or architecture, not both",
            field="architecture",
            hint="drop architecture to use the preset, or model to use your own",
        )
    if model is not None:
        p = preset(model)
        return p.architecture, f"preset {p.id} ({p.file})"
    if architecture is None:
        return None
    if isinstance(architecture, Architecture):
        return architecture, "given"
    if not isinstance(architecture, dict):
        raise InputError(
            "architecture must be a mapping of layers, hidden, heads, ...",
            field="architecture",
            hint="see docs/workload.md, 'Model presets and the architecture'",
        )

    try:
        return Architecture.model_validate(architecture), "given"
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in ("architecture", *err["loc"]))
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise InputError(
            msg, field=where, hint="see docs/workload.md, 'Model presets and the architecture'"
        ) from None


@dataclass
class Served:
    """What the architecture path hands back to the inference result."""

    per_token_decode: pint.Quantity
    per_token_prefill: pint.Quantity
    prefill_rate: pint.Quantity
    decode_rate: pint.Quantity
    bound: str
    step: Step
    rows: list[tuple[str, str, pint.Quantity, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _m(x: pint.Quantity | None, unit: str) -> np.ndarray:

    return magnitudes(x, unit)


def _first(x: np.ndarray) -> float:
    return float(np.mean(x))


def _int_input(ins: Any, name: str, default: float) -> int:
    v = ins.get(name)
    if v is None:
        return int(default)
    m = _m(v, "")
    if not np.all(m == m[0]) or m[0] != int(m[0]):
        raise InputError(
            f"{name} must be one whole number, got {m[0]:g}",
            field=name,
            hint=f"write e.g. {name}: {int(max(1, round(m[0])))}",
        )
    return int(m[0])


def serve(
    ins: Any,
    arch: Architecture,
    chip: Chip | None,
    *,
    peak: pint.Quantity,
    bandwidth: pint.Quantity,
    batch_raw: Any,
    batch_max: bool = False,
) -> Served:
    """Rates and rows for an inference workload whose architecture is known. ``ins`` is the
    workload's inputs (already defaulted for the common fields)."""

    for name, (raw, note) in SERVING_DEFAULTS.items():
        ins.default(name, raw, "default", note)
    scaleup = ins.get("scaleup_bandwidth")
    if scaleup is None and chip is not None and chip.spec("scaleup_bandwidth") is not None:
        scaleup = chip.spec("scaleup_bandwidth")
        ins.values["scaleup_bandwidth"] = Input(
            "scaleup_bandwidth", scaleup, source=f"catalog: {chip.id}.scaleup_bandwidth"
        )
        ins.how["scaleup_bandwidth"] = "catalog"
    if scaleup is None:
        ins.default(
            "scaleup_bandwidth",
            "900 GB/s",
            "default",
            "flopbook default: NVLink 4 (the chip's catalog entry has none)",
        )
        scaleup = ins.get("scaleup_bandwidth")

    gpus = _int_input(ins, "gpus", 1)
    pp = _int_input(ins, "pp", 1)
    tp = _int_input(ins, "tp", max(1, gpus // pp))
    ins.default("tp", tp, "default", "flopbook default: every GPU of a stage")
    place = Placement(gpus, tp, pp)
    place.check(arch)
    hw = Hardware(
        peak=_m(peak, "FLOP/s"),
        bandwidth=_m(bandwidth, "byte/s"),
        mfu=_m(ins.get("mfu"), ""),
        mbu=_m(ins.get("mbu"), ""),
        scaleup=_m(scaleup, "byte/s"),
        scaleout=_m(ins.get("scaleout_bandwidth"), "byte/s"),
        scaleup_domain=_first(_m(ins.get("scaleup_domain"), "GPU")),
        latency=_m(ins.get("comm_latency"), "s"),
        overlap=_m(ins.get("comm_overlap"), ""),
        attention_peak=_attention_peak(ins, chip, peak),
    )
    bpp = _m(ins.get("bytes_per_param"), "byte")
    kv_tok = (
        _m(ins.get("kv_bytes_per_token"), "byte")
        if ins.how.get("kv_bytes_per_token") == "given"
        else arch.kv_elements_per_token() * _m(ins.get("kv_bytes_per_element"), "byte")
    )
    if ins.how.get("kv_bytes_per_token") != "given":
        ins.values["kv_bytes_per_token"] = Input(
            "kv_bytes_per_token",
            Quantity(kv_tok, "byte"),
            source="architecture: cached elements per token × kv_bytes_per_element",
        )
        ins.how["kv_bytes_per_token"] = "architecture"
    context = _m(ins.get("context"), "token")
    prompt = _m(ins.get("tokens_in"), "token")

    hbm_q = None if chip is None else chip.spec("hbm_capacity")
    usable = None if hbm_q is None else _m(hbm_q, "byte") * _m(ins.get("memory_utilization"), "")
    cap = (
        np.full(1, np.inf)
        if usable is None
        else max_batch(arch, place, bpp, kv_tok, context, usable)
    )
    weights_gpu, _ = memory_per_gpu(arch, place, bpp, kv_tok, np.asarray(0.0), context)
    if usable is not None and _first(weights_gpu) > _first(usable):
        need = _gpus_needed(arch, bpp, usable, pp)
        raise InputError(
            f"the model does not fit: {_size(_first(weights_gpu))} of weights per GPU (tp "
            f"{tp}, pp {pp}, {gpus} GPU) is more than {_size(_first(usable))} usable of "
            f"{chip.id if chip else 'the'} HBM",
            field="gpus",
            hint=f"it needs about gpus: {need} GPU (or more), or fewer bytes per parameter",
        )

    target = ins.get("tpot")
    how_batch = "given"
    if batch_raw is not None:
        batch = _m(ins.get("batch"), "")
        if usable is not None and _first(batch) > _first(cap):
            raise InputError(
                f"batch {_first(batch):,.0f} does not fit: its KV cache with the weights is "
                f"more than {_size(_first(usable))} of HBM per GPU",
                field="batch",
                hint=f"memory allows at most batch: {max(0, math.floor(_first(cap))):,} "
                "(or more GPUs, or kv_bytes_per_element: 1 byte)",
            )
    elif batch_max and target is None:
        if usable is None:
            raise InputError(
                "batch: max needs the chip's HBM capacity",
                field="batch",
                hint="give a chip from the catalog, or a number",
            )
        batch = np.maximum(np.floor(cap), 1.0)
        how_batch = "memory"
        ins.values["batch"] = Input(
            "batch", Quantity(batch, ""), source="the most sequences memory allows"
        )
        ins.how["batch"] = "solved"
    elif target is not None:
        batch = batch_for_latency(
            arch,
            place,
            hw,
            target=_m(target, "s"),
            context=context,
            bytes_per_param=bpp,
            kv_bytes_per_token=kv_tok,
            cap=cap,
        )
        if np.mean(batch < 1) > 0.5:
            one = decode_step(
                arch,
                place,
                hw,
                batch=np.asarray(1.0),
                context=context,
                bytes_per_param=bpp,
                kv_bytes_per_token=kv_tok,
            ).time
            raise InputError(
                f"no batch meets tpot {_first(_m(target, 'ms')):g} ms: one sequence alone "
                f"takes {_first(one) * 1e3:.3g} ms per token here",
                field="tpot",
                hint="raise tpot, or spread the model over more GPUs (gpus, tp)",
            )
        batch = np.maximum(batch, 1.0)
        how_batch = "tpot"
        ins.values["batch"] = Input(
            "batch", Quantity(batch, ""), source="the largest batch that meets tpot (and fits)"
        )
        ins.how["batch"] = "solved"
    else:
        batch = _m(ins.get("batch"), "")
        if usable is not None and _first(batch) > _first(cap):
            raise InputError(
                "one sequence's KV cache does not fit beside the weights",
                field="context",
                hint="shorten the context or add GPUs",
            )

    step = decode_step(
        arch,
        place,
        hw,
        batch=batch,
        context=context,
        bytes_per_param=bpp,
        kv_bytes_per_token=kv_tok,
    )
    if how_batch == "given" and target is not None and np.mean(step.time > _m(target, "s")) > 0.5:
        raise InputError(
            f"batch {_first(batch):,.0f} misses tpot {_first(_m(target, 'ms')):g} ms: its "
            f"decode step takes {_first(step.time) * 1e3:.3g} ms",
            field="batch",
            hint="drop batch to get the largest batch that meets tpot, or raise tpot",
        )
    ttft = prefill_time(arch, Placement(tp * pp, tp, pp), hw, prompt=prompt)
    if (limit := ins.get("ttft")) is not None and np.mean(ttft > _m(limit, "s")) > 0.5:
        raise InputError(
            f"no batch meets ttft {_first(_m(limit, 'ms')):g} ms: prefilling one "
            f"{_first(prompt):,.0f}-token prompt takes {_first(ttft) * 1e3:,.3g} ms on "
            f"{tp * pp} GPU",
            field="ttft",
            hint="raise ttft, raise tp, or shorten the prompt",
        )

    per_dec = Quantity(
        2.0 * arch.matmul_params()
        + np.asarray(arch.attention_flops_per_token(context, decode=True)),
        "FLOP/token",
    )
    per_pre = Quantity(prefill_flops_per_token(arch, prompt), "FLOP/token")
    prefill_rate = Quantity(1.0 / prefill_seconds_per_token(arch, hw, prompt), "token/s/GPU")
    decode_rate = Quantity(batch / step.time / gpus, "token/s/GPU")

    weights_gpu, kv_gpu = memory_per_gpu(arch, place, bpp, kv_tok, batch, context)
    rows: list[tuple[str, str, Any, str, str]] = [
        (
            "kv_bytes_per_token",
            "KV-cache bytes per token",
            Quantity(kv_tok, "byte"),
            "kB",
            (
                "2 × layers × kv_heads × head_dim × bytes per element (GQA)"
                if arch.attention == "gqa"
                else "layers × (kv_lora_rank + qk_rope_head_dim) × bytes per element (MLA)"
            ),
        ),
        (
            "batch",
            "Concurrent sequences per replica",
            Quantity(batch, ""),
            "",
            {"given": "given", "memory": "the most sequences memory allows"}.get(
                how_batch, "largest batch whose step time ≤ tpot"
            ),
        ),
        (
            "max_batch",
            "Most sequences memory allows",
            Quantity(np.floor(cap), ""),
            "",
            "(usable HBM − weights per GPU) / KV per sequence per GPU",
        ),
        (
            "hbm_per_gpu",
            "HBM used per GPU",
            Quantity(weights_gpu + kv_gpu, "byte"),
            "GB",
            f"weights / (tp × pp) for attention and dense parts + routed experts / GPUs + KV of "
            f"the GPU's sequences (tp {tp}, pp {pp}, data-parallel attention × "
            f"{place.dp:g})",
        ),
        (
            "step_bytes",
            "Bytes read per decode step per GPU",
            Quantity(step.bytes, "byte"),
            "GB",
            "non-expert weights / tp + distinct experts × expert bytes / (GPUs / pp) + KV read",
        ),
        (
            "decode_step",
            "Time per output token (decode step)",
            Quantity(step.time, "s"),
            "ms",
            f"max(bytes / (bandwidth × MBU), FLOPs / (peak × MFU), overlap × communication) "
            f"+ (1 − overlap) × communication ({step.bound}-bound)",
        ),
        (
            "comm_time",
            "Communication per decode step",
            Quantity(step.t_comm, "s"),
            "ms",
            "TP all-reduces + EP all-to-all at the scale-up / scale-out bandwidth + latency",
        ),
        (
            "ttft",
            "Time to first token (prefill, one prompt)",
            Quantity(ttft, "s"),
            "ms",
            "prompt × prefill FLOPs per token / (tp × pp × peak × MFU) + communication",
        ),
        (
            "replica_throughput",
            "Output tokens/s per replica",
            Quantity(batch / step.time, "token/s"),
            "token/s",
            "batch / decode step time",
        ),
    ]
    if arch.moe is not None:
        rows.insert(
            4,
            (
                "experts_read",
                "Distinct experts read per MoE layer per step",
                Quantity(step.experts_read, ""),
                "",
                f"E × (1 − (1 − k/E)^(batch / pp)), E = {arch.moe.experts}, k = "
                f"{arch.moe.experts_per_token}",
            ),
        )
    return Served(per_dec, per_pre, prefill_rate, decode_rate, step.bound, step, rows)


def _attention_peak(ins: Any, chip: Chip | None, peak: pint.Quantity) -> np.ndarray | None:
    """Attention's products run in the KV cache's number format: with a 2-byte cache at
    the BF16 rate (FlashAttention and FlashMLA multiply BF16), never above the peak used
    for the weights."""
    if chip is None or ins.how.get("peak") == "given":
        return None
    kv = _first(_m(ins.get("kv_bytes_per_element"), "byte"))
    rate = chip.spec("bf16_dense") if kv >= 2 else chip.spec("fp8_dense")
    if rate is None:
        return None
    return np.minimum(_m(rate, "FLOP/s"), _m(peak, "FLOP/s"))


def _gpus_needed(arch: Architecture, bpp: np.ndarray, usable: np.ndarray, pp: int) -> int:
    total = arch.total_params() * _first(bpp)
    return max(1, math.ceil(total / _first(usable)))


def _size(x: float) -> str:
    return f"{x / 1e12:,.3g} TB" if x >= 1e12 else f"{x / 1e9:,.3g} GB"
