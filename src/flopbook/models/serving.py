"""The inference workload when the architecture is known: a model preset (``model:
deepseek-v3``) or the shape written out (``architecture:``). The formulas are the inference
declaration's (:data:`flopbook.models.inference.INFERENCE`); this module reads the workload's
fields for them, turns the architecture and placement into the numbers they read
(:func:`flopbook.models.transformer.architecture_inputs`), checks that the model fits and
picks the batch (the most memory allows, or the largest that meets a TPOT target).
Workloads that give only parameter counts never come here.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import ValidationError

from flopbook.errors import InputError
from flopbook.formula.declaration import Form
from flopbook.formula.samples import compiled
from flopbook.inputs import Input
from flopbook.models.architecture import Architecture, preset
from flopbook.models.inference import INFERENCE, SERVING_DEFAULTS, SERVING_FIELDS
from flopbook.models.transformer import Placement, architecture_inputs
from flopbook.quantity import Quantity, magnitudes

if TYPE_CHECKING:
    import pint

    from flopbook.catalog import Chip

__all__ = [
    "ARCHITECTURE_UNITS",
    "SERVING_DEFAULTS",
    "SERVING_FIELDS",
    "declared",
    "resolve_architecture",
    "serve",
]

# the unit of each architecture input, as architecture_inputs gives it
ARCHITECTURE_UNITS = {
    "attention_flops_per_attended": "FLOP/token**2",
    "prefill_attention_flops_per_attended": "FLOP/token**2",
    "sliding_window": "token",
    "allreduce_bytes_per_sequence": "byte",
    "alltoall_bytes_per_sequence": "byte",
    "prefill_allreduce_bytes_per_token": "byte",
    "prefill_gpus": "GPU",
}


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


def _m(x: pint.Quantity | None, unit: str) -> np.ndarray:
    assert x is not None, "every input read here has a default"
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


def declared_values(ins: Any, derived: dict[str, pint.Quantity]) -> dict[str, pint.Quantity]:
    """The values the declaration reads: the inputs, except those it derives itself (the
    KV bytes per token from the architecture), and the architecture's numbers."""
    values = {
        n: i.value
        for n, i in ins.values.items()
        if not (n == "kv_bytes_per_token" and ins.how.get(n) == "architecture")
    }
    return {**values, **derived}


def declared(
    values: dict[str, pint.Quantity], keys: list[str], batch: np.ndarray | None = None
) -> dict[str, np.ndarray | None]:
    """Formulas of the inference declaration at these values (``batch`` in place of the
    batch given, for a search over it), as arrays in each formula's unit."""
    if batch is not None:
        values = {**values, "batch": Quantity(batch, "")}
    form = Form(frozenset(values))
    units: dict[str, pint.Unit] = {n: v.units for n, v in values.items()}  # type: ignore[misc]
    run = compiled(INFERENCE, form, units)
    return run({n: v.magnitude for n, v in values.items()}, keys)


def _one(values: dict[str, pint.Quantity], key: str, batch: np.ndarray | None = None) -> np.ndarray:
    found = declared(values, [key], batch)[key]
    assert found is not None, f"{key} is known once the architecture is"
    return found


def serve(
    ins: Any,
    arch: Architecture,
    chip: Chip | None,
    *,
    peak: pint.Quantity,
    batch_raw: Any,
    batch_max: bool = False,
) -> dict[str, pint.Quantity]:
    """Read the fields a known architecture adds, check the placement and the memory, choose
    the batch (set in ``ins``) and return the architecture's numbers for the declaration.
    ``ins`` is the workload's inputs, already defaulted for the common fields."""

    for name, (raw, note) in SERVING_DEFAULTS.items():
        ins.default(name, raw, "default", note)
    if ins.get("scaleup_bandwidth") is None:
        scaleup = None if chip is None else chip.spec("scaleup_bandwidth")
        if chip is not None and scaleup is not None:
            ins.values["scaleup_bandwidth"] = Input(
                "scaleup_bandwidth", scaleup, source=f"catalog: {chip.id}.scaleup_bandwidth"
            )
            ins.how["scaleup_bandwidth"] = "catalog"
        else:
            ins.default(
                "scaleup_bandwidth",
                "900 GB/s",
                "default",
                "flopbook default: NVLink 4 (the chip's catalog entry has none)",
            )

    gpus = _int_input(ins, "gpus", 1)
    pp = _int_input(ins, "pp", 1)
    tp = _int_input(ins, "tp", max(1, gpus // pp))
    ins.default("tp", tp, "default", "flopbook default: every GPU of a stage")
    place = Placement(gpus, tp, pp)
    place.check(arch)
    domain = _first(_m(ins.get("scaleup_domain"), "GPU"))
    derived = {
        n: Quantity(v, ARCHITECTURE_UNITS.get(n, ""))
        for n, v in architecture_inputs(arch, place, domain).items()
    }
    if (rate := _attention_peak(ins, chip, peak)) is not None:
        derived["attention_peak"] = rate
    hbm = None if chip is None else chip.spec("hbm_capacity")
    if hbm is not None:
        derived["hbm_capacity"] = hbm
    if ins.how.get("kv_bytes_per_token") != "given":
        ins.values.pop("kv_bytes_per_token", None)  # the declaration derives it
    values = declared_values(ins, derived)
    if ins.how.get("kv_bytes_per_token") != "given":
        ins.values["kv_bytes_per_token"] = Input(
            "kv_bytes_per_token",
            Quantity(_one(values, "kv_bytes_per_token"), "kB").to("byte"),
            source="architecture: cached elements per token × kv_bytes_per_element",
        )
        ins.how["kv_bytes_per_token"] = "architecture"

    usable = None if hbm is None else _m(hbm, "byte") * _m(ins.get("memory_utilization"), "")
    weights_gpu = _one(values, "weights_held")
    if usable is not None and _first(weights_gpu) > _first(usable):
        need = _gpus_needed(arch, _m(ins.get("bytes_per_param"), "byte"), usable)
        raise InputError(
            f"the model does not fit: {_size(_first(weights_gpu))} of weights per GPU (tp "
            f"{tp}, pp {pp}, {gpus} GPU) is more than {_size(_first(usable))} usable of "
            f"{chip.id if chip else 'the'} HBM",
            field="gpus",
            hint=f"it needs about gpus: {need} GPU (or more), or fewer bytes per parameter",
        )
    cap = np.full(1, np.inf) if usable is None else _one(values, "max_batch")

    target = ins.get("tpot")
    # a TTFT target chooses the batch too when no batch is given (static batching)
    first = ins.get("ttft") if batch_raw is None and not batch_max else None
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
        if target is not None:
            step = _one(values, "decode_step")
            if np.mean(step > _m(target, "ms")) > 0.5:
                raise InputError(
                    f"batch {_first(batch):,.0f} misses tpot {_first(_m(target, 'ms')):g} ms: "
                    f"its decode step takes {_first(step):.3g} ms",
                    field="batch",
                    hint="drop batch to get the largest batch that meets tpot, or raise tpot",
                )
    elif batch_max and target is None:
        if usable is None:
            raise InputError(
                "batch: max needs the chip's HBM capacity",
                field="batch",
                hint="give a chip from the catalog, or a number",
            )
        batch = np.maximum(cap, 1.0)
        ins.values["batch"] = Input(
            "batch", Quantity(batch, ""), source="the most sequences memory allows"
        )
        ins.how["batch"] = "solved"
    elif target is not None or first is not None:
        batch = _largest_batch(_meets(values, target, first), cap)
        if np.mean(batch < 1) > 0.5:
            if target is not None:
                one = _one(values, "decode_step", np.asarray(1.0))
                if np.mean(one > _m(target, "ms")) > 0.5:
                    raise InputError(
                        f"no batch meets tpot {_first(_m(target, 'ms')):g} ms: one sequence "
                        f"alone takes {_first(one):.3g} ms per token here",
                        field="tpot",
                        hint="raise tpot, or spread the model over more GPUs (gpus, tp)",
                    )
            _refuse_ttft(values, ins, tp * pp)
        batch = np.maximum(batch, 1.0)
        goal = " and ".join(n for n, v in (("tpot", target), ("ttft", first)) if v is not None)
        ins.values["batch"] = Input(
            "batch",
            Quantity(batch, ""),
            source=f"the largest batch that meets {goal} (and fits)"
            + (": a static batch's prompts prefilled together" if first is not None else ""),
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

    values = declared_values(ins, derived)
    if ins.get("ttft") is not None:
        _refuse_ttft(values, ins, tp * pp)
    return derived


def _meets(values: dict[str, pint.Quantity], tpot: Any, ttft: Any) -> Any:
    """Whether a batch meets the latency targets given: its decode step within ``tpot``,
    its whole prefill within ``ttft``."""

    def ok(b: np.ndarray) -> np.ndarray:
        found = np.ones(np.shape(b), dtype=bool)
        if tpot is not None:
            found = found & (_one(values, "decode_step", b) <= _m(tpot, "ms"))
        if ttft is not None:
            found = found & (_one(values, "batch_prefill", b) <= _m(ttft, "ms"))
        return found

    return ok


def _refuse_ttft(values: dict[str, pint.Quantity], ins: Any, gpus: int) -> None:
    """A TTFT target that one prompt alone misses is an error."""
    limit = ins.get("ttft")
    ttft = _one(values, "ttft", np.asarray(1.0))
    if np.mean(ttft > _m(limit, "ms")) > 0.5:
        raise InputError(
            f"no batch meets ttft {_first(_m(limit, 'ms')):g} ms: prefilling one "
            f"{_first(_m(ins.get('tokens_in'), 'token')):,.0f}-token prompt takes "
            f"{_first(ttft):,.3g} ms on {gpus} GPU",
            field="ttft",
            hint="raise ttft, raise tp, prefill in chunks (prefill_chunks), or shorten the prompt",
        )


def _largest_batch(ok: Any, cap: np.ndarray) -> np.ndarray:
    """The largest whole batch (at most ``cap``) for which ``ok`` holds, per sample; 0
    where even one sequence fails. Step time rises with batch, so a bisection finds it."""
    cap = np.floor(np.asarray(cap, dtype=float))
    hi = np.minimum(cap, 1e7)
    good = ok(np.maximum(hi, 1.0)) & (hi >= 1)
    shape = np.broadcast(hi, good).shape
    hi = np.broadcast_to(hi, shape).astype(float).copy()
    lo = np.where(good, hi, 0.0)
    for _ in range(64):
        todo = (~good) & (hi - lo > 1)
        if not np.any(todo):
            break
        mid = np.floor((lo + hi) / 2)
        fine = ok(np.maximum(mid, 1.0)) & (mid >= 1)
        lo = np.where(todo & fine, mid, lo)
        hi = np.where(todo & ~fine, mid, hi)
    return lo


def _attention_peak(ins: Any, chip: Chip | None, peak: pint.Quantity) -> pint.Quantity | None:
    """Attention's products run in the KV cache's number format: with a 2-byte cache at
    the BF16 rate (FlashAttention and FlashMLA multiply BF16), never above the peak used
    for the weights."""
    if chip is None or ins.how.get("peak") == "given":
        return None
    kv = _first(_m(ins.get("kv_bytes_per_element"), "byte"))
    rate = chip.spec("bf16_dense") if kv >= 2 else chip.spec("fp8_dense")
    if rate is None:
        return None
    return Quantity(np.minimum(_m(rate, "TFLOP/s"), _m(peak, "TFLOP/s")), "TFLOP/s")


def _gpus_needed(arch: Architecture, bpp: np.ndarray, usable: np.ndarray) -> int:
    total = arch.total_params() * _first(bpp)
    return max(1, math.ceil(total / _first(usable)))


def _size(x: float) -> str:
    return f"{x / 1e12:,.3g} TB" if x >= 1e12 else f"{x / 1e9:,.3g} GB"
