"""A transformer's architecture and placement as the numbers the inference declaration reads.

The formulas themselves (bytes and FLOPs per decode step, the roofline, communication time,
memory per GPU) are declared once in :data:`flopbook.models.inference.INFERENCE`; this
module turns a shape and a layout into the plain numbers those formulas read
(:func:`architecture_inputs`).

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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from flopbook.errors import InputError

if TYPE_CHECKING:
    from flopbook.models.architecture import Architecture

__all__ = ["ACT_BYTES", "DISPATCH_BYTES", "Placement", "architecture_inputs"]

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


# ---- communication ----------------------------------------------------------------------


def _link_near(group: float, domain: float) -> float:
    """The share of what leaves a GPU inside a group of ``group`` GPUs that stays in the
    scale-up domain (the rest crosses the scale-out network)."""
    if group <= 1:
        return 0.0
    return (min(group, domain) - 1.0) / (group - 1.0)


def _expert_parallel(arch: Architecture, place: Placement) -> bool:
    """Experts on more GPUs than a TP group: tokens must travel to them (all-to-all). With
    attention split over the whole stage (dp = 1) the experts are split like any weight and
    the TP all-reduce already combines them."""
    return arch.moe is not None and place.dp > 1


def _allreduce(arch: Architecture, place: Placement) -> tuple[float, float]:
    """(bytes per token of the TP group, collectives per step) of the TP all-reduces over
    every layer of the replica: after attention and after the feed-forward block, except that
    an expert-parallel MoE layer gathers its experts' results with the all-to-all instead;
    ring all-reduce moves 2(tp − 1)/tp of the activations."""
    if place.tp == 1:
        return 0.0, 0.0
    per_layer = 2.0 * arch.layers
    if _expert_parallel(arch, place):
        per_layer -= arch.moe_layers
    reductions = per_layer / place.pp  # each GPU sees its stage's layers
    return reductions * arch.hidden * ACT_BYTES * 2 * (place.tp - 1) / place.tp, per_layer


def architecture_inputs(
    arch: Architecture, place: Placement, scaleup_domain: float
) -> dict[str, float]:
    """The numbers of this architecture and placement that the inference declaration
    (:data:`flopbook.models.inference.INFERENCE`) reads, in its inputs' units (plain
    numbers, bytes, GPUs)."""
    per_decode = float(np.asarray(arch.attention_flops_per_token(1.0, decode=True)))
    per_prefill = float(np.asarray(arch.attention_flops_per_token(1.0, decode=False)))
    routed = arch.parts()["routed_experts"]
    out: dict[str, float] = {
        "matmul_params": arch.matmul_params(),
        # at one token of context every layer, windowed or not, attends to it
        "attention_flops_per_attended": per_decode / arch.layers,
        "prefill_attention_flops_per_attended": per_prefill / arch.layers,
        "attention_layers": float(arch.layers - arch.sliding_layers),
        "params_read": _non_expert_params(arch, held=False) / place.tp,
        "params_held": _non_expert_params(arch, held=True) / (place.tp * place.pp)
        + routed / place.gpus,
        "kv_elements_per_token": arch.kv_elements_per_token(),
        "kv_split": place.dp * place.pp * _kv_shards(arch, place.tp),
        "prefill_gpus": float(place.tp * place.pp),
    }
    if arch.sliding_layers:
        out["windowed_layers"] = float(arch.sliding_layers)
        out["sliding_window"] = float(arch.sliding_window or 0)
    if arch.moe is not None:
        out["experts"] = float(arch.moe.experts)
        out["experts_per_token"] = float(arch.moe.experts_per_token)
        out["expert_params_read"] = arch.expert_params() * arch.moe_layers * place.pp / place.gpus
        out["expert_parallel"] = 1.0 if _expert_parallel(arch, place) else 0.0
        out["routed_matmul_params"] = (
            arch.moe.experts_per_token * arch.expert_params() * arch.moe_layers
        )
    near = _link_near(place.tp, scaleup_domain)
    per_token, count = _allreduce(arch, place)
    out |= {
        "allreduce_bytes_per_sequence": per_token / place.dp,  # a TP group's tokens: b / dp
        "allreduce_near": near,
        "allreduce_count": count,
    }
    # prefill runs one prompt on tp × pp GPUs: attention is not data-parallel there
    prefill_place = Placement(place.tp * place.pp, place.tp, place.pp)
    out["prefill_allreduce_bytes_per_token"], out["prefill_allreduce_count"] = _allreduce(
        arch, prefill_place
    )
    a2a_bytes, a2a_count, a2a_near = 0.0, 0.0, 0.0
    if _expert_parallel(arch, place):
        m = arch.moe
        assert m is not None
        off = (place.ep - 1) / place.ep
        # each token goes to its k experts (FP8) and comes back (BF16); b / GPUs per GPU
        a2a_bytes = (
            arch.moe_layers
            * m.experts_per_token
            * arch.hidden
            * (DISPATCH_BYTES + ACT_BYTES)
            * off
            / place.gpus
        )
        a2a_count = 2.0 * arch.moe_layers  # dispatch and combine per layer
        a2a_near = _link_near(place.ep, scaleup_domain)
    out |= {
        "alltoall_bytes_per_sequence": a2a_bytes,
        "alltoall_near": a2a_near,
        "alltoall_count": a2a_count,
    }
    return out
