"""The inference kind, declared once (:mod:`flopbook.formula`): its inputs, its formulas and
its outputs. The NumPy evaluation, the workbook's live formulas and the formula text in
tables and docs are all derived from :data:`INFERENCE`.

The formulas are a roofline:

- prefill is compute-bound: tokens/s per GPU = MFU / (matmul FLOPs / peak + attention FLOPs
  / attention rate) per prompt token, a prompt token attending on average to half the prompt;
- a decode step reads each GPU's share of the weights and of the KV cache of its sequences,
  does its share of the FLOPs and, across GPUs, its all-reduces and all-to-alls; it lasts
  maximum(bytes / (bandwidth × MBU), FLOPs / (peak × MFU), overlap × communication) + (1 −
  overlap) × communication; tokens/s per GPU = batch / step time / GPUs;
- GPU time, energy, cost and revenue per request and per day follow from the two rates.

Given parameter counts only, the weights are spread evenly over the GPUs and attention FLOPs
are 2 × layers × context × d_model (Kaplan et al. 2020, table 1) when the shape is given.
Given the architecture (``model:`` or ``architecture:``), :mod:`flopbook.models.serving`
reads its shape and placement into the *architecture inputs* below (active matmul weights,
weights read and held per GPU, experts, KV-cache elements, collective sizes), each a plain
number of that architecture and placement; the formulas that use them are the same ones.
"""

from __future__ import annotations

from typing import Any

from flopbook.formula.declaration import Constant, Kind, extensive, step
from flopbook.inputs import FieldSpec
from flopbook.models.gpu_hour import GPU_HOUR_FIELDS

__all__ = [
    "ARCHITECTURE_INPUTS",
    "INFERENCE",
    "INFERENCE_DEFAULTS",
    "INFERENCE_FIELDS",
    "SERVING_DEFAULTS",
    "SERVING_FIELDS",
]


def _spec(
    name: str, label: str, units: tuple[str, ...], example: str, doc: str, **kw: Any
) -> FieldSpec:
    return FieldSpec(name, label, units, example, doc, **kw)


_POSITIVE: dict[str, Any] = {"low": 0, "low_inclusive": False}

INFERENCE_FIELDS: dict[str, FieldSpec] = {
    **{
        f.name: f
        for f in [
            _spec(
                "params",
                "Active parameters",
                ("",),
                "37B",
                "parameters used per token",
                **_POSITIVE,
            ),
            _spec(
                "total_params",
                "Total parameters",
                ("",),
                "671B",
                "all weights held in memory (default: the active ones)",
                **_POSITIVE,
            ),
            _spec(
                "tokens_in",
                "Input tokens per request",
                ("token",),
                "1000 token",
                "prompt tokens computed in prefill",
                bare_unit="token",
                low=0,
            ),
            _spec(
                "tokens_out",
                "Output tokens per request",
                ("token",),
                "500 token",
                "tokens generated in decode",
                bare_unit="token",
                low=0,
            ),
            _spec(
                "requests",
                "Requests per day",
                ("request/day",),
                "1M request/day",
                "optional: gives daily totals",
                bare_unit="request/day",
                low=0,
            ),
            _spec(
                "peak",
                "Peak rate per GPU",
                ("TFLOP/s",),
                "1979 TFLOP/s",
                "dense peak at the serving precision; overrides the catalog",
                **_POSITIVE,
            ),
            _spec(
                "bandwidth",
                "Memory bandwidth per GPU",
                ("TB/s",),
                "3.35 TB/s",
                "HBM bandwidth; overrides the catalog",
                **_POSITIVE,
            ),
            _spec(
                "mfu",
                "Prefill MFU",
                ("",),
                "40%",
                "achieved / peak FLOP/s in prefill, in (0, 1]",
                low=0,
                low_inclusive=False,
                high=1,
            ),
            _spec(
                "mbu",
                "Decode bandwidth utilisation",
                ("",),
                "70%",
                "achieved / peak memory bandwidth in decode, in (0, 1]",
                low=0,
                low_inclusive=False,
                high=1,
            ),
            _spec(
                "batch",
                "Concurrent sequences per replica",
                ("",),
                "64",
                "sequences decoded together (batch size / concurrency)",
                low=1,
            ),
            _spec(
                "gpus",
                "GPUs per replica",
                ("GPU",),
                "8 GPU",
                "GPUs holding one copy of the model",
                bare_unit="GPU",
                **_POSITIVE,
            ),
            _spec(
                "bytes_per_param",
                "Bytes per parameter",
                ("byte",),
                "1 byte",
                "weight storage (default: 1 for FP8, 2 for BF16)",
                **_POSITIVE,
            ),
            _spec(
                "kv_bytes_per_token",
                "KV-cache bytes per token",
                ("byte",),
                "70 kB",
                "KV cache one token of context occupies (all layers)",
                low=0,
            ),
            _spec(
                "context",
                "Average context in decode",
                ("token",),
                "1250 token",
                "KV entries read per generated token (default: input + half the output)",
                bare_unit="token",
                low=0,
            ),
            _spec(
                "layers",
                "Layers",
                ("",),
                "61",
                "for the attention FLOPs term (with d_model)",
                **_POSITIVE,
            ),
            _spec(
                "d_model",
                "Model width",
                ("",),
                "7168",
                "for the attention FLOPs term (with layers)",
                **_POSITIVE,
            ),
        ]
    },
    **GPU_HOUR_FIELDS,
    **{
        f.name: f
        for f in [
            _spec(
                "price_input",
                "Price per input token",
                ("USD/Mtoken",),
                "0.55 USD/Mtoken",
                "what a user pays per million input tokens",
                low=0,
            ),
            _spec(
                "price_output",
                "Price per output token",
                ("USD/Mtoken",),
                "2.19 USD/Mtoken",
                "what a user pays per million output tokens",
                low=0,
            ),
        ]
    },
}

# fields read only when the architecture is known (model: or architecture:)
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
        FieldSpec(
            "routing_imbalance",
            "Routing imbalance (busiest GPU / mean)",
            ("",),
            "1.9",
            "tokens the busiest GPU's experts receive over the mean, under expert parallelism; "
            "1 = uniform routing",
            low=1,
            high=100,
        ),
        FieldSpec(
            "prefill_chunks",
            "Prefill chunks per prompt",
            ("",),
            "4",
            "pieces a prompt is split into so that pipeline stages prefill it together "
            "(chunked prefill); 1: the prompt passes the stages one after another",
            low=1,
            high=1e6,
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
    "routing_imbalance": (
        1,
        "flopbook default: uniform routing. Measured routing is not uniform: on "
        "gpt-oss-120b, balancing expert-parallel load made serving about 1.9x faster "
        "(Nguyen et al. 2026, Least-Loaded Expert Parallelism, arXiv 2601.17111)",
    ),
    "prefill_chunks": (
        1,
        "flopbook default: a prompt is prefilled whole, one pipeline stage after another",
    ),
}


INFERENCE_FIELDS.update(SERVING_FIELDS)

# Inference defaults that are flopbook's own, stated in every result that uses them.
INFERENCE_DEFAULTS = {
    "mfu": ("40%", "flopbook default: a tuned prefill reaches roughly 30-60% of dense peak"),
    "mbu": ("70%", "flopbook default: a tuned decode reaches roughly 60-80% of HBM bandwidth"),
    "batch": (1, "flopbook default: one sequence at a time (the worst case for cost)"),
    "gpus": ("1 GPU", "flopbook default: the model fits on one GPU"),
    "kv_bytes_per_token": ("0 byte", "not given: KV-cache reads are left out of decode"),
}


# Numbers of one architecture and placement that the formulas read: made by
# flopbook.models.serving from the preset or the architecture written out, never typed in.
ARCHITECTURE_INPUTS: dict[str, FieldSpec] = {
    f.name: f
    for f in [
        _spec(
            "matmul_params",
            "Active matmul weights",
            ("",),
            "36.5B",
            "weights a token multiplies by (the input embedding is a lookup)",
        ),
        _spec(
            "attention_flops_per_attended",
            "Decode attention FLOPs per context token",
            ("FLOP/token**2",),
            "1.2M FLOP/token**2",
            "score and value products per layer "
            "for one token and one earlier token (MLA absorbed in decode)",
        ),
        _spec(
            "prefill_attention_flops_per_attended",
            "Prefill attention FLOPs per context token",
            ("FLOP/token**2",),
            "1.2M FLOP/token**2",
            "as in decode, for a prompt token (MLA unabsorbed)",
        ),
        _spec(
            "attention_layers",
            "Layers with full attention",
            ("",),
            "61",
            "layers that attend to the whole context",
        ),
        _spec(
            "windowed_layers",
            "Layers with windowed attention",
            ("",),
            "0",
            "layers that attend only to the window",
        ),
        _spec(
            "sliding_window",
            "Attention window",
            ("token",),
            "4096 token",
            "context the windowed layers see",
        ),
        _spec(
            "params_read",
            "Non-expert weights read per GPU per step",
            ("",),
            "17B",
            "attention, dense, shared-expert, router and output weights / tp",
        ),
        _spec(
            "params_held",
            "Weights held per GPU",
            ("",),
            "17B",
            "non-expert weights / (tp × pp) + routed experts / GPUs",
        ),
        _spec("experts", "Routed experts per MoE layer", ("",), "256", "E"),
        _spec("experts_per_token", "Experts per token", ("",), "8", "k"),
        _spec(
            "expert_parallel",
            "Expert parallel",
            ("",),
            "1",
            "1 when the routed experts sit "
            "on more GPUs than a TP group (tokens travel to them), else 0",
        ),
        _spec(
            "routed_matmul_params",
            "Routed expert weights per token",
            ("",),
            "15B",
            "k × one expert's weights × MoE layers",
        ),
        _spec(
            "expert_params_read",
            "Weights per distinct expert read per GPU",
            ("",),
            "2.6B",
            "one expert's weights × MoE layers × pp / GPUs",
        ),
        _spec(
            "kv_elements_per_token",
            "KV-cache elements per token",
            ("",),
            "35136",
            "2 × layers × kv_heads × head_dim (GQA) or layers × (kv_lora_rank + rope) (MLA)",
        ),
        _spec(
            "kv_split",
            "GPUs a sequence's KV cache is split over",
            ("",),
            "1",
            "data-parallel copies × pp × KV shards",
        ),
        _spec(
            "allreduce_bytes_per_sequence",
            "TP all-reduce bytes per sequence per step",
            ("byte",),
            "1 MB",
            "2 all-reduces per layer of the stage × width × 2 bytes × "
            "2(tp − 1)/tp, per data-parallel copy",
        ),
        _spec(
            "allreduce_near",
            "Share of the all-reduce inside the scale-up domain",
            ("",),
            "1",
            "(minimum(tp, domain) − 1) / (tp − 1)",
        ),
        _spec(
            "allreduce_count",
            "All-reduces per step",
            ("",),
            "122",
            "collectives that pay the latency",
        ),
        _spec(
            "alltoall_bytes_per_sequence",
            "EP all-to-all bytes per sequence per step",
            ("byte",),
            "1 MB",
            "MoE layers × k × width × (1 + 2) bytes × (ep − 1)/ep / GPUs",
        ),
        _spec(
            "alltoall_near",
            "Share of the all-to-all inside the scale-up domain",
            ("",),
            "0.05",
            "(minimum(ep, domain) − 1) / (ep − 1)",
        ),
        _spec(
            "alltoall_count",
            "All-to-alls per step",
            ("",),
            "116",
            "dispatch and combine per MoE layer",
        ),
        _spec(
            "prefill_allreduce_bytes_per_token",
            "TP all-reduce bytes per prompt token",
            ("byte",),
            "1 MB",
            "as in decode, over tp × pp GPUs",
        ),
        _spec(
            "prefill_allreduce_count",
            "All-reduces per prefill",
            ("",),
            "122",
            "collectives that pay the latency",
        ),
        _spec("prefill_gpus", "GPUs prefilling one prompt", ("GPU",), "8 GPU", "tp × pp"),
        _spec(
            "attention_peak",
            "Attention rate per GPU",
            ("TFLOP/s",),
            "989 TFLOP/s",
            "the KV cache's number format: BF16 peak for a 2-byte cache",
        ),
        _spec("hbm_capacity", "HBM per GPU", ("GB",), "80 GB", "catalog"),
    ]
}

# The formulas, written once. Names are inputs (INFERENCE_FIELDS, ARCHITECTURE_INPUTS), other
# formulas, the constants below or units; in its own expression a formula's name is the input.
INFERENCE = Kind(
    name="inference",
    label="Inference service",
    doc="Prefill and decode rates from a roofline; GPU time, energy, cost and revenue per "
    "request and per day.",
    item_inputs={**INFERENCE_FIELDS, **ARCHITECTURE_INPUTS},
    shared_inputs={},
    constants=(
        Constant(
            "forward_FLOP_per_param_token",
            2.0,
            "FLOP/token",
            "Forward FLOPs per parameter per token (a multiply and an add)",
            "Kaplan et al. 2020, arXiv 2001.08361, section 2.1",
        ),
        Constant(
            "attention_FLOP_factor",
            2.0,
            "FLOP/token**2",
            "Attention FLOPs per layer per context token per model width",
            "Kaplan et al. 2020, arXiv 2001.08361, table 1",
        ),
        Constant(
            "prefill_context_share",
            0.5,
            "",
            "Share of the prompt a prefill token attends to, on average",
            "causal attention: token i of a prompt attends to i earlier tokens",
        ),
        Constant(
            "decode_output_share",
            0.5,
            "",
            "Share of the output counted in the average decode context",
            "flopbook's inference default: context = input + half the output",
        ),
        Constant(
            "scaleup_directions",
            2.0,
            "",
            "Directions the catalog's scale-up bandwidth counts (one each way)",
            "NVIDIA quotes NVLink bandwidth as the bidirectional total per GPU",
        ),
    ),
    headlines=("cost_per_million_output", "decode_rate", "energy"),
    steps=(
        step("total_params", "", {"total_params given": "total_params", "otherwise": "params"}),
        step(
            "context",
            "token",
            {
                "context given": "context",
                "otherwise": "tokens_in + decode_output_share * tokens_out",
            },
        ),
        step(
            "matmul_flops",
            "FLOP/token",
            {
                "matmul_params given": "forward_FLOP_per_param_token * matmul_params",
                "otherwise": "forward_FLOP_per_param_token * params",
            },
        ),
        step(
            "attended",
            "token",
            {
                "windowed_layers given": "attention_layers * context + windowed_layers * "
                "minimum(context, sliding_window)",
                "attention_layers given": "attention_layers * context",
            },
            "context tokens attended, summed over layers",
        ),
        step(
            "prefill_attended",
            "token",
            {
                "windowed_layers given": "attention_layers * prefill_context_share * "
                "tokens_in + windowed_layers * minimum(prefill_context_share * tokens_in, "
                "sliding_window)",
                "attention_layers given": "attention_layers * prefill_context_share * tokens_in",
            },
        ),
        step(
            "attention_flops",
            "FLOP/token",
            {
                "attention_flops_per_attended given": "attention_flops_per_attended * attended",
                "layers given": "attention_FLOP_factor * layers * context * d_model",
                "otherwise": "0 FLOP/token",
            },
        ),
        step(
            "prefill_attention_flops",
            "FLOP/token",
            {
                "prefill_attention_flops_per_attended given": (
                    "prefill_attention_flops_per_attended * prefill_attended"
                ),
                "layers given": (
                    "attention_FLOP_factor * layers * prefill_context_share * tokens_in * d_model"
                ),
                "otherwise": "0 FLOP/token",
            },
        ),
        step(
            "attention_rate",
            "TFLOP/s",
            {"attention_peak given": "attention_peak", "otherwise": "peak"},
        ),
        step(
            "routing_share",
            "",
            {
                "expert_parallel given": "1 + (routing_imbalance - 1) * expert_parallel",
                "otherwise": "1",
            },
            "tokens the busiest GPU's experts receive, over the mean",
        ),
        step(
            "imbalance_flops",
            "FLOP/token",
            {
                "routed_matmul_params given": (
                    "(routing_share - 1) * forward_FLOP_per_param_token * routed_matmul_params"
                ),
                "otherwise": "0 FLOP/token",
            },
            "the busiest GPU's extra expert FLOPs, per token of the replica",
        ),
        step(
            "pipeline_fill",
            "",
            {
                "prefill_chunks given": "(prefill_chunks + pp - 1) / prefill_chunks",
                "otherwise": "1",
            },
            "a prompt's prefill time over its time with every stage busy",
        ),
        step(
            "expert_bytes",
            "byte",
            {
                "experts given": "bytes_per_param * experts_read * expert_params_read",
                "otherwise": "0 byte",
            },
        ),
        step(
            "weights_read",
            "byte",
            {
                "params_read given": "bytes_per_param * params_read + expert_bytes",
                "otherwise": "total_params * bytes_per_param / (gpus / GPU)",
            },
            "weight bytes each GPU reads per decode step",
        ),
        step(
            "kv_tokens_read",
            "token",
            {
                "windowed_layers given": "attended / (attention_layers + windowed_layers)",
                "otherwise": "context",
            },
        ),
        step(
            "kv_read",
            "byte",
            {
                "kv_split given": "batch * kv_tokens_read / token * kv_bytes_per_token / kv_split",
                "otherwise": "batch * context / token * kv_bytes_per_token / (gpus / GPU)",
            },
            "KV-cache bytes each GPU reads per decode step",
        ),
        step("weights_held", "byte", "bytes_per_param * params_held"),
        step("t_memory", "s", "step_bytes / (bandwidth * mbu)"),
        step(
            "t_compute",
            "s",
            "batch * token * ((matmul_flops + imbalance_flops) / peak + attention_flops / "
            "attention_rate) / (gpus / GPU) / mfu",
        ),
        step(
            "allreduce_time",
            "s",
            "maximum(batch * allreduce_bytes_per_sequence * allreduce_near / (scaleup_bandwidth / "
            "scaleup_directions), batch * allreduce_bytes_per_sequence * (1 - allreduce_near) "
            "/ scaleout_bandwidth) + allreduce_count * comm_latency",
        ),
        step(
            "alltoall_time",
            "s",
            "routing_share * maximum(batch * alltoall_bytes_per_sequence * alltoall_near / "
            "(scaleup_bandwidth / scaleup_directions), batch * alltoall_bytes_per_sequence * "
            "(1 - alltoall_near) / scaleout_bandwidth) + alltoall_count * comm_latency",
        ),
        step(
            "prefill_comm",
            "s",
            "maximum(tokens_in / token * prefill_allreduce_bytes_per_token * allreduce_near / "
            "(scaleup_bandwidth / scaleup_directions), tokens_in / token * "
            "prefill_allreduce_bytes_per_token * (1 - allreduce_near) / scaleout_bandwidth) "
            "+ prefill_allreduce_count * comm_latency",
        ),
        step(
            "revenue_input",
            "USD",
            {"price_input given": "price_input * tokens_in", "otherwise": "0 USD"},
        ),
        step(
            "revenue_output",
            "USD",
            {"price_output given": "price_output * tokens_out", "otherwise": "0 USD"},
        ),
    ),
    outputs=(
        extensive(
            "flops_per_token",
            "FLOPs per output token",
            "FLOP/token",
            "matmul_flops + attention_flops",
        ),
        extensive(
            "kv_bytes_per_token",
            "KV-cache bytes per token",
            "kB",
            {
                "kv_bytes_per_token given": "kv_bytes_per_token",
                "otherwise": "kv_elements_per_token * kv_bytes_per_element",
            },
        ),
        extensive("batch", "Concurrent sequences per replica", "", "batch"),
        extensive(
            "max_batch",
            "Most sequences memory allows",
            "",
            "floor((hbm_capacity * memory_utilization - weights_held) / (context / token * "
            "kv_bytes_per_token / kv_split))",
        ),
        extensive(
            "hbm_per_gpu",
            "HBM used per GPU",
            "GB",
            "weights_held + batch * context / token * kv_bytes_per_token / kv_split",
        ),
        extensive(
            "experts_read",
            "Distinct experts read per MoE layer per step",
            "",
            {
                "experts given": "experts * (1 - (1 - minimum(1, routing_share * "
                "experts_per_token / experts)) ** (batch / pp))"
            },
        ),
        extensive(
            "step_bytes",
            "Bytes read per decode step per GPU",
            "GB",
            "weights_read + kv_read",
        ),
        extensive(
            "decode_step",
            "Time per output token (decode step)",
            "ms",
            {
                "comm_overlap given": "maximum(maximum(t_memory, t_compute), comm_overlap * "
                "comm_time) + (1 - comm_overlap) * comm_time",
                "otherwise": "maximum(t_memory, t_compute)",
            },
        ),
        extensive(
            "comm_time",
            "Communication per decode step",
            "ms",
            {
                "allreduce_bytes_per_sequence given": "allreduce_time + alltoall_time",
                "otherwise": "0 s",
            },
        ),
        extensive(
            "ttft",
            "Time to first token (prefill, one prompt)",
            "ms",
            {
                "prefill_gpus given": "maximum(pipeline_fill * tokens_in / (prefill_rate * "
                "prefill_gpus), comm_overlap * prefill_comm) + (1 - comm_overlap) * prefill_comm"
            },
        ),
        extensive(
            "batch_prefill",
            "Time to prefill the whole batch",
            "ms",
            {"prefill_gpus given": "batch * tokens_in / (prefill_rate * gpus)"},
            "a static batch's last prompt waits for the whole batch's prefill on every GPU "
            "of the replica (its communication left out)",
        ),
        extensive(
            "replica_throughput",
            "Output tokens/s per replica",
            "token/s",
            "batch * token / decode_step",
        ),
        extensive(
            "prefill_rate",
            "Prefill tokens/s per GPU",
            "token/s/GPU",
            "mfu / (matmul_flops / peak + prefill_attention_flops / attention_rate) / GPU",
        ),
        extensive(
            "decode_rate",
            "Decode tokens/s per GPU",
            "token/s/GPU",
            "batch * token / decode_step / gpus",
        ),
        extensive(
            "gpu_seconds",
            "GPU-seconds per request",
            "GPU*s/request",
            "(tokens_in / prefill_rate + tokens_out / decode_rate) / request",
        ),
        extensive("energy", "Energy per request", "Wh/request", "gpu_seconds / GPU * power * pue"),
        extensive("cost", "Cost per request", "USD/request", "gpu_seconds * price"),
        extensive(
            "cost_per_million_input",
            "Cost per million input tokens",
            "USD/Mtoken",
            "price / prefill_rate",
        ),
        extensive(
            "cost_per_million_output",
            "Cost per million output tokens",
            "USD/Mtoken",
            "price / decode_rate",
        ),
        extensive(
            "revenue",
            "Revenue per request",
            "USD/request",
            {
                "price_input given": "(revenue_input + revenue_output) / request",
                "price_output given": "(revenue_input + revenue_output) / request",
            },
        ),
        extensive("margin", "Margin on cost", "", "(revenue - cost) / cost"),
        extensive(
            "gpu_hours_per_day", "GPU-hours per day", "GPU*hour/day", "gpu_seconds * requests"
        ),
        extensive("gpus_busy", "GPUs busy (average)", "GPU", "gpu_seconds * requests"),
        extensive("energy_per_day", "Energy per day", "MWh/day", "energy * requests"),
        extensive("cost_per_day", "Cost per day", "USD/day", "cost * requests"),
        extensive("revenue_per_day", "Revenue per day", "USD/day", "revenue * requests"),
    ),
    command="workload",
)

KINDS = (INFERENCE,)  # registered: models.registry.KINDS gathers every module's
DOC_PAGES = {"inference": ("workload.md", lambda output: "one service")}

# Rows a result shows, in order: with parameter counts only, and with the architecture.
SIMPLE_ROWS = ("flops_per_token", "prefill_rate", "decode_rate")
ARCHITECTURE_ROWS = (
    "flops_per_token",
    "kv_bytes_per_token",
    "batch",
    "max_batch",
    "hbm_per_gpu",
    "experts_read",
    "step_bytes",
    "decode_step",
    "comm_time",
    "ttft",
    "replica_throughput",
    "prefill_rate",
    "decode_rate",
)
ECONOMICS_ROWS = (
    "gpu_seconds",
    "energy",
    "cost",
    "cost_per_million_input",
    "cost_per_million_output",
    "revenue",
    "margin",
    "gpu_hours_per_day",
    "gpus_busy",
    "energy_per_day",
    "cost_per_day",
    "revenue_per_day",
)
