"""Serving a transformer from its architecture: FLOPs, bytes, placement and time per step.

Everything here takes NumPy arrays of samples (a batch or a context may be a range) and
returns arrays; :mod:`flopbook.models.workload` turns them into quantities with units.
Units inside this module are SI base units: bytes, FLOPs, seconds, bytes/s, FLOP/s.

One **replica** (one copy of the model) spans ``gpus`` GPUs arranged as ``pp`` pipeline
stages of ``gpus / pp`` GPUs each. Within a stage attention and the dense parts are split
``tp`` ways (tensor parallel) and copied ``dp = gpus / (tp × pp)`` times (data-parallel
attention, each copy serving its own sequences); the routed experts of a stage are spread
over all its GPUs (expert parallel, ``ep = gpus / pp``). So, per GPU:

- held: non-expert weights / (tp × pp) + routed experts / gpus + its sequences' KV cache
  ((batch / dp) × context × KV bytes per token / (pp × KV shards), where GQA splits KV heads
  over at most ``kv_heads`` TP ranks and an MLA latent is not split at all);
- read per decode step (every sequence of the replica makes one token): the non-expert
  shard once per micro-batch, that is non-expert bytes / tp in all (pipelining does not cut
  what a step reads); the distinct experts the step's tokens route to, E·(1 − (1 − k/E)^n)
  per layer for n = batch / pp tokens in a micro-batch, spread over the stage's GPUs; and the
  KV cache of its sequences (windowed layers read at most their window);
- FLOPs per step: batch × (2 × active matmul weights + attention at the context), spread
  evenly over the replica's GPUs;
- communication: two TP all-reduces per layer (ring: 2(tp − 1)/tp of the activations) and,
  for MoE layers when attention is data-parallel (dp > 1), an all-to-all in place of the
  second all-reduce that sends each token to its k experts (FP8, 1 byte per
  element) and brings the results back (BF16, 2 bytes), the share (ep − 1)/ep leaving the
  GPU; inside the scale-up domain (NVLink) at half the catalog's bidirectional scale-up
  bandwidth, beyond it at the scale-out bandwidth per GPU; plus a fixed latency per
  collective.

Decode step time = max(bytes / (bandwidth × MBU), FLOPs / (peak × MFU), overlap ×
communication) + (1 − overlap) × communication: hidden communication still takes its time.
Prefill is compute-bound: FLOPs / (peak × MFU), plus its all-reduces and all-to-alls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from flopbook.errors import InputError
from flopbook.models.architecture import expected_experts

if TYPE_CHECKING:
    from flopbook.models.architecture import Architecture

__all__ = [
    "Hardware",
    "Placement",
    "Step",
    "batch_for_latency",
    "decode_step",
    "max_batch",
    "memory_per_gpu",
    "prefill_flops_per_token",
    "prefill_seconds_per_token",
    "prefill_time",
    "decode_flops_per_token",
    "weights_read",
]

ACT_BYTES = 2.0  # activations in BF16 for all-reduces and the expert combine
DISPATCH_BYTES = 1.0  # DeepSeek dispatches tokens to experts in FP8 (V3 report, 3.3.2)


@dataclass(frozen=True)
class Placement:
    """How one replica is laid out on GPUs."""

    gpus: int
    tp: int = 1
    pp: int = 1

    @property
    def dp(self) -> float:
        return self.gpus / (self.tp * self.pp)

    @property
    def ep(self) -> float:
        return self.gpus / self.pp

    def check(self, arch: Architecture) -> None:
        if self.tp * self.pp > self.gpus or self.gpus % (self.tp * self.pp):
            raise InputError(
                f"tp × pp ({self.tp} × {self.pp}) must divide the replica's {self.gpus} GPUs",
                field="tp",
                hint="choose tp and pp whose product divides gpus (data-parallel "
                "attention fills the rest)",
            )
        if self.pp > arch.layers:
            raise InputError(
                f"pp ({self.pp}) is more than the model's {arch.layers} layers",
                field="pp",
                hint=f"use pp: {arch.layers} or fewer",
            )


@dataclass(frozen=True)
class Hardware:
    """One GPU's rates (arrays of samples) and the efficiencies reached on it."""

    peak: np.ndarray  # FLOP/s at the serving precision
    bandwidth: np.ndarray  # HBM bytes/s
    mfu: np.ndarray  # achieved / peak FLOP/s
    mbu: np.ndarray  # achieved / peak bandwidth
    scaleup: np.ndarray  # bytes/s, bidirectional total per GPU (the catalog's convention)
    scaleout: np.ndarray  # bytes/s per GPU, one direction
    scaleup_domain: float  # GPUs that share the scale-up fabric
    latency: np.ndarray  # seconds per collective
    overlap: np.ndarray  # share of communication hidden under compute or memory traffic
    attention_peak: np.ndarray | None = None  # FLOP/s for attention (BF16), default peak


@dataclass(frozen=True)
class Step:
    """One decode step of a replica, per GPU."""

    experts_read: np.ndarray  # distinct routed experts per MoE layer
    weight_bytes: np.ndarray
    kv_bytes: np.ndarray
    flops: np.ndarray
    comm_bytes: np.ndarray
    t_memory: np.ndarray
    t_compute: np.ndarray
    t_comm: np.ndarray
    time: np.ndarray

    @property
    def bytes(self) -> np.ndarray:
        return self.weight_bytes + self.kv_bytes

    @property
    def bound(self) -> str:
        """Which roofline bound holds for most samples."""
        longest = np.argmax(
            np.stack(np.broadcast_arrays(self.t_memory, self.t_compute, self.t_comm)), axis=0
        )
        return ("memory", "compute", "communication")[
            int(np.bincount(np.ravel(longest), minlength=3).argmax())
        ]


# ---- FLOPs ----------------------------------------------------------------------------


def decode_flops_per_token(arch: Architecture, context: np.ndarray) -> np.ndarray:
    """2 FLOPs per active matmul weight plus attention over ``context`` tokens."""
    return 2.0 * arch.matmul_params() + np.asarray(
        arch.attention_flops_per_token(context, decode=True), dtype=float
    )


def prefill_flops_per_token(arch: Architecture, prompt: np.ndarray) -> np.ndarray:
    """A prompt token attends on average to half the prompt (causal)."""
    return 2.0 * arch.matmul_params() + np.asarray(
        arch.attention_flops_per_token(np.asarray(prompt) / 2.0, decode=False), dtype=float
    )


# ---- memory ---------------------------------------------------------------------------


def _non_expert_params(arch: Architecture, *, held: bool) -> float:
    p = arch.parts()
    emb = p["embedding"]
    if not held and not arch.tied_embeddings:
        emb /= 2  # the input embedding is a lookup of a few rows, not a read of the table
    return p["attention"] + p["dense_ffn"] + p["shared_experts"] + p["router"] + emb


def _kv_shards(arch: Architecture, tp: int) -> int:
    if arch.attention == "mla":
        return 1  # one latent per token, which every TP rank needs whole
    return max(1, min(tp, arch.kv_heads or 1))


def memory_per_gpu(
    arch: Architecture,
    place: Placement,
    bytes_per_param: np.ndarray,
    kv_bytes_per_token: np.ndarray,
    batch: np.ndarray,
    context: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(weight bytes, KV-cache bytes) held on each GPU."""
    routed = arch.parts()["routed_experts"]
    weights = bytes_per_param * (
        _non_expert_params(arch, held=True) / (place.tp * place.pp) + routed / place.gpus
    )
    kv = (
        np.asarray(batch)
        / place.dp
        * np.asarray(context)
        * kv_bytes_per_token
        / (place.pp * _kv_shards(arch, place.tp))
    )
    return weights, kv


def max_batch(
    arch: Architecture,
    place: Placement,
    bytes_per_param: np.ndarray,
    kv_bytes_per_token: np.ndarray,
    context: np.ndarray,
    hbm: np.ndarray,
) -> np.ndarray:
    """The most sequences whose KV cache fits beside the weights (may be below 1: the
    weights alone do not fit)."""
    weights, kv_one = memory_per_gpu(
        arch, place, bytes_per_param, kv_bytes_per_token, np.asarray(1.0), context
    )
    with np.errstate(divide="ignore"):
        return np.where(
            kv_one > 0,
            (hbm - weights) / np.where(kv_one > 0, kv_one, 1.0),
            np.where(hbm >= weights, np.inf, 0.0),
        )


# ---- decode ---------------------------------------------------------------------------


def weights_read(
    arch: Architecture, place: Placement, bytes_per_param: np.ndarray, batch: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(weight bytes each GPU reads per decode step, distinct experts per MoE layer)."""
    b = np.asarray(batch, dtype=float)
    non_expert = _non_expert_params(arch, held=False) / place.tp
    if arch.moe is None:
        return bytes_per_param * non_expert + 0 * b, 0 * b
    m = arch.moe
    distinct = np.asarray(expected_experts(m.experts, m.experts_per_token, b / place.pp))
    experts = distinct * arch.expert_params() * arch.moe_layers * place.pp / place.gpus
    return bytes_per_param * (non_expert + experts), distinct


def _link_time(share_bytes: np.ndarray, group: float, hw: Hardware) -> np.ndarray:
    """Time to move bytes that leave a GPU inside a group of ``group`` GPUs: what stays in
    the scale-up domain goes at half the bidirectional scale-up rate, the rest at the
    scale-out rate, both at once."""
    inside = min(group, hw.scaleup_domain)
    off = max(group - 1.0, 0.0)
    if off == 0:
        return 0 * share_bytes
    near = (inside - 1.0) / off
    far = 1.0 - near
    t_near = share_bytes * near / (hw.scaleup / 2.0)
    t_far = share_bytes * far / hw.scaleout
    return np.maximum(t_near, t_far)


def _tp_allreduce(
    arch: Architecture, place: Placement, tokens: np.ndarray, hw: Hardware
) -> tuple[np.ndarray, np.ndarray]:
    """(bytes, seconds) of the TP all-reduces for ``tokens`` tokens of a TP group in all,
    over every layer of the replica: after attention and after the feed-forward block, except
    that an expert-parallel MoE layer (attention data-parallel) gathers its experts' results
    with the all-to-all instead."""
    if place.tp == 1:
        z = 0 * np.asarray(tokens, dtype=float)
        return z, z
    per_layer = 2.0 * arch.layers
    if _expert_parallel(arch, place):
        per_layer -= arch.moe_layers
    reductions = per_layer / place.pp  # each GPU sees its stage's layers
    per = reductions * np.asarray(tokens) * arch.hidden * ACT_BYTES * 2 * (place.tp - 1) / place.tp
    count = per_layer  # collectives per GPU per step, over all micro-batches
    return per, _link_time(per, place.tp, hw) + count * hw.latency


def _expert_parallel(arch: Architecture, place: Placement) -> bool:
    """Experts on more GPUs than a TP group: tokens must travel to them (all-to-all). With
    attention split over the whole stage (dp = 1) the experts are split like any weight and
    the TP all-reduce already combines them."""
    return arch.moe is not None and place.dp > 1


def _ep_alltoall(
    arch: Architecture, place: Placement, tokens_per_gpu: np.ndarray, hw: Hardware
) -> tuple[np.ndarray, np.ndarray]:
    if not _expert_parallel(arch, place):
        z = 0 * np.asarray(tokens_per_gpu, dtype=float)
        return z, z
    m = arch.moe
    off = (place.ep - 1) / place.ep
    per = (
        np.asarray(tokens_per_gpu)
        * arch.moe_layers
        * m.experts_per_token
        * arch.hidden
        * (DISPATCH_BYTES + ACT_BYTES)
        * off
    )
    count = 2 * arch.moe_layers  # dispatch and combine per layer (micro-batches overlap)
    return per, _link_time(per, place.ep, hw) + count * hw.latency


def decode_step(
    arch: Architecture,
    place: Placement,
    hw: Hardware,
    *,
    batch: np.ndarray,
    context: np.ndarray,
    bytes_per_param: np.ndarray,
    kv_bytes_per_token: np.ndarray,
) -> Step:
    """One decode step of a replica serving ``batch`` sequences at ``context`` tokens."""
    b = np.asarray(batch, dtype=float)
    weight_bytes, distinct = weights_read(arch, place, bytes_per_param, b)
    kv_read = (
        b
        / place.dp
        * np.asarray(arch.kv_tokens_read(context))
        * kv_bytes_per_token
        / (place.pp * _kv_shards(arch, place.tp))
    )
    t_memory = (weight_bytes + kv_read) / (hw.bandwidth * hw.mbu)
    ctx = np.asarray(context, dtype=float)
    att = np.asarray(arch.attention_flops_per_token(ctx, decode=True), dtype=float)
    mat = 2.0 * arch.matmul_params()
    att_peak = hw.peak if hw.attention_peak is None else hw.attention_peak
    flops = b * (mat + att) / place.gpus
    t_compute = b * (mat / hw.peak + att / att_peak) / place.gpus / hw.mfu
    ar_bytes, t_ar = _tp_allreduce(arch, place, b / place.dp, hw)
    a2a_bytes, t_a2a = _ep_alltoall(arch, place, b / place.gpus, hw)
    t_comm = t_ar + t_a2a
    time = _combine(t_memory, t_compute, t_comm, hw.overlap)
    return Step(
        distinct,
        weight_bytes,
        kv_read,
        flops,
        ar_bytes + a2a_bytes,
        t_memory,
        t_compute,
        t_comm,
        time,
    )


def _combine(
    t_memory: np.ndarray, t_compute: np.ndarray, t_comm: np.ndarray, overlap: np.ndarray
) -> np.ndarray:
    """Hidden communication still takes its time: it runs beside the memory traffic and
    the arithmetic, so a step lasts at least as long as the hidden part."""
    return np.maximum(np.maximum(t_memory, t_compute), overlap * t_comm) + (1.0 - overlap) * t_comm


def batch_for_latency(
    arch: Architecture,
    place: Placement,
    hw: Hardware,
    *,
    target: np.ndarray,
    context: np.ndarray,
    bytes_per_param: np.ndarray,
    kv_bytes_per_token: np.ndarray,
    cap: np.ndarray,
) -> np.ndarray:
    """The largest batch (at most ``cap``) whose decode step takes no longer than
    ``target``, per sample; 0 where even one sequence is too slow. Step time rises with
    batch, so a bisection on each sample finds it."""
    target = np.asarray(target, dtype=float)
    cap = np.floor(np.asarray(cap, dtype=float))
    shape = np.broadcast(
        target,
        cap,
        np.asarray(context),
        np.asarray(hw.bandwidth),
        np.asarray(hw.mbu),
        np.asarray(hw.mfu),
        np.asarray(hw.peak),
    ).shape
    lo = np.zeros(shape)
    hi = np.broadcast_to(np.minimum(cap, 1e7), shape).astype(float).copy()

    def ok(b: np.ndarray) -> np.ndarray:
        t = decode_step(
            arch,
            place,
            hw,
            batch=np.maximum(b, 1.0),
            context=context,
            bytes_per_param=bytes_per_param,
            kv_bytes_per_token=kv_bytes_per_token,
        ).time
        return (t <= target) & (b >= 1)

    good = ok(hi)
    result = np.where(good, hi, 0.0)
    lo = np.where(good, hi, lo)
    # bisection on whole numbers where the cap itself is too slow
    for _ in range(64):
        todo = (~good) & (hi - lo > 1)
        if not np.any(todo):
            break
        mid = np.floor((lo + hi) / 2)
        fine = ok(mid)
        lo = np.where(todo & fine, mid, lo)
        hi = np.where(todo & ~fine, mid, hi)
    return np.where(good, result, lo)


# ---- prefill --------------------------------------------------------------------------


def prefill_seconds_per_token(arch: Architecture, hw: Hardware, prompt: np.ndarray) -> np.ndarray:
    """GPU-seconds per prompt token: the weights' products at the peak, attention's at the
    attention rate, both at MFU."""
    p = np.asarray(prompt, dtype=float)
    mat = 2.0 * arch.matmul_params()
    att = np.asarray(arch.attention_flops_per_token(p / 2.0, decode=False), dtype=float)
    att_peak = hw.peak if hw.attention_peak is None else hw.attention_peak
    return (mat / hw.peak + att / att_peak) / hw.mfu


def prefill_time(
    arch: Architecture, place: Placement, hw: Hardware, *, prompt: np.ndarray
) -> np.ndarray:
    """Seconds for one replica to prefill one prompt of ``prompt`` tokens: compute-bound
    over all its GPUs, plus the prompt's all-reduces and all-to-alls."""
    p = np.asarray(prompt, dtype=float)
    t = p * prefill_seconds_per_token(arch, hw, p) / place.gpus
    _, t_ar = _tp_allreduce(arch, place, p / place.dp, hw)
    _, t_a2a = _ep_alltoall(arch, place, p / place.gpus, hw)
    return _combine(0 * t, t, t_ar + t_a2a, hw.overlap)
