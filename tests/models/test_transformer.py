"""Serving physics from the architecture: decode bytes, experts read, placement, bounds."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopbook.errors import InputError
from flopbook.models.architecture import preset
from flopbook.models.serving import ARCHITECTURE_UNITS, declared
from flopbook.models.transformer import Placement, architecture_inputs
from flopbook.models.workload import Inference
from flopbook.quantity import Quantity

KEYS = ["weights_read", "step_bytes", "t_memory", "t_compute", "comm_time", "decode_step"]


def _step(
    arch: object,
    place: Placement,
    *,
    batch: float,
    context: float,
    bytes_per_param: float,
    kv_bytes_per_token: float,
    bandwidth: float = 3.35e12,
    keys: list[str] = KEYS,
) -> dict[str, float]:
    """The inference declaration's decode step for one architecture and placement."""
    values = {
        n: Quantity(v, ARCHITECTURE_UNITS.get(n, ""))
        for n, v in architecture_inputs(arch, place, 8).items()  # type: ignore[arg-type]
    } | {
        "peak": Quantity(989e12, "FLOP/s"),
        "bandwidth": Quantity(bandwidth, "byte/s"),
        "mfu": Quantity(0.5, ""),
        "mbu": Quantity(0.7, ""),
        "scaleup_bandwidth": Quantity(900e9, "byte/s"),
        "scaleout_bandwidth": Quantity(50e9, "byte/s"),
        "comm_latency": Quantity(0.0, "s"),
        "comm_overlap": Quantity(0.0, ""),
        "routing_imbalance": Quantity(1.0, ""),  # uniform routing
        "batch": Quantity(batch, ""),
        "gpus": Quantity(float(place.gpus), "GPU"),
        "pp": Quantity(float(place.pp), ""),
        "context": Quantity(context, "token"),
        "bytes_per_param": Quantity(bytes_per_param, "byte"),
        "kv_bytes_per_token": Quantity(kv_bytes_per_token, "byte"),
    }
    found = declared(values, keys)
    return {k: float(np.asarray(v)[0]) for k, v in found.items() if v is not None}


DENSE = ("llama-3.1-8b", "llama-3.1-70b", "qwen2.5-72b", "llama-2-70b")


@given(st.sampled_from(DENSE), st.integers(0, 100_000), st.sampled_from([1.0, 2.0]))
@settings(max_examples=40, deadline=None)
def test_dense_decode_at_batch_one_reads_the_weights_plus_kv(
    name: str, context: int, bpp: float
) -> None:
    a = preset(name).architecture
    step = _step(
        a,
        Placement(1),
        batch=1.0,
        context=float(context),
        bytes_per_param=bpp,
        kv_bytes_per_token=a.kv_bytes_per_token(2.0),
    )
    # every weight but the input embedding table (a lookup of one row) is read once
    weights = (a.total_params() - a.vocab * a.hidden) * bpp
    assert step["weights_read"] == pytest.approx(weights)
    assert step["step_bytes"] * 1e9 == pytest.approx(weights + context * a.kv_bytes_per_token(2.0))


@given(
    st.sampled_from(DENSE + ("deepseek-v3", "mixtral-8x7b", "qwen3-235b-a22b")),
    st.integers(1, 64),
    st.integers(1, 8000),
)
@settings(max_examples=40, deadline=None)
def test_doubling_bandwidth_halves_a_bandwidth_bound_decode(
    name: str, batch: int, context: int
) -> None:
    a = preset(name).architecture
    kw = {
        "batch": float(batch),
        "context": float(context),
        "bytes_per_param": 1.0,
        "kv_bytes_per_token": a.kv_bytes_per_token(2.0),
    }
    slow = _step(a, Placement(8), bandwidth=3.35e12, **kw)
    fast = _step(a, Placement(8), bandwidth=6.7e12, **kw)
    if fast["t_memory"] >= fast["t_compute"]:  # still bandwidth-bound when doubled
        assert fast["t_memory"] == pytest.approx(slow["t_memory"] / 2)
        assert fast["decode_step"] - fast["comm_time"] == pytest.approx(
            (slow["decode_step"] - slow["comm_time"]) / 2
        )


def test_moe_decode_no_longer_reads_every_expert() -> None:
    """The issue's figures: DeepSeek-V3's bytes per step were overstated ~18x at batch 1,
    ~4x at batch 8 and ~1.5x at batch 32 by reading all 671B weights."""
    a = preset("deepseek-v3").architecture
    every = a.total_params()  # FP8, one byte each, read by the old model
    ratios = []
    for b in (1, 8, 32):
        s = _step(
            a,
            Placement(8, tp=8),
            batch=float(b),
            context=0.0,
            bytes_per_param=1.0,
            kv_bytes_per_token=0.0,
        )
        ratios.append(every / 8 / s["weights_read"])
    assert ratios[0] == pytest.approx(18, rel=0.1)
    assert ratios[1] == pytest.approx(4, rel=0.1)
    assert ratios[2] == pytest.approx(1.5, rel=0.1)


def _held(arch: object, place: Placement, kv: float, batch: float, context: float) -> float:
    """Bytes held per GPU (weights and KV cache) at one byte per parameter."""
    return (
        _step(
            arch,
            place,
            batch=batch,
            context=context,
            bytes_per_param=1.0,
            kv_bytes_per_token=kv,
            keys=["hbm_per_gpu"],
        )["hbm_per_gpu"]
        * 1e9
    )


def test_expert_parallel_replicates_attention_and_splits_experts() -> None:
    a = preset("deepseek-v3").architecture
    p = a.parts()
    place = Placement(144, tp=1)
    w = _held(a, place, 70272.0, 0.0, 1000.0)
    non_expert = (
        p["attention"] + p["dense_ffn"] + p["shared_experts"] + p["router"] + p["embedding"]
    )
    assert w == pytest.approx(non_expert + p["routed_experts"] / 144)
    # MLA's latent is not split over TP ranks; each data-parallel rank holds its sequences
    kv = _held(a, place, 70272.0, 1440.0, 1000.0) - w
    assert kv == pytest.approx(1440 / 144 * 1000 * 70272)


def _llama(**kw: object) -> Inference:
    return Inference(
        model="llama-3.1-70b", tokens_in="1000 token", tokens_out="500 token", chip="H100", **kw
    )


def test_workload_with_a_preset_and_a_latency_target() -> None:
    r = _llama(gpus=4, tpot="30 ms").run()
    b = float(r.summary("batch").mean)
    assert 1 <= b <= float(r.summary("max_batch").mean)
    assert float(r.summary("decode_step").mean) <= 30.0 + 1e-6
    tighter = _llama(gpus=4, tpot="20 ms").run()
    assert float(tighter.summary("batch").mean) < b


def test_ranges_flow_through() -> None:
    r = _llama(gpus=4, batch=16, mbu="50% to 80%").run()
    s = r.summary("decode_rate")
    assert s.p5 < s.mean < s.p95


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        ({"gpus": 1}, "gpus", "does not fit"),
        ({"gpus": 4, "batch": 100_000}, "batch", "memory allows at most"),
        ({"gpus": 4, "tpot": "1 ms"}, "tpot", "no batch meets tpot"),
        ({"gpus": 4, "ttft": "1 ms"}, "ttft", "no batch meets ttft"),
        ({"gpus": 4, "params": "70B"}, "params", "comes from the architecture"),
        ({"gpus": 8, "tp": 3}, "tp", "must divide"),
    ],
)
def test_bad_input_is_one_clear_error(kw: dict, field: str, words: str) -> None:
    with pytest.raises(InputError, match=words) as e:
        _llama(**kw).run()
    assert e.value.field == field


def test_placement_fields_need_an_architecture() -> None:
    with pytest.raises(InputError, match="needs the architecture"):
        Inference(params="8B", tokens_in="1 token", tokens_out="1 token", chip="H100", tp=2).run()


def test_a_given_batch_that_misses_tpot_is_refused() -> None:
    with pytest.raises(InputError, match="misses tpot") as e:
        _llama(gpus=4, batch=256, tpot="10 ms").run()
    assert e.value.field == "batch"


def test_batch_max_fills_memory() -> None:
    r = _llama(gpus=4, batch="max").run()
    assert float(r.summary("batch").mean) == float(r.summary("max_batch").mean) > 1
    with pytest.raises(InputError, match="needs the architecture"):
        Inference(
            params="8B", tokens_in="1 token", tokens_out="1 token", chip="H100", batch="max"
        ).run()


def test_mla_latent_is_not_split_but_gqa_heads_are() -> None:
    v3 = preset("deepseek-v3").architecture
    l70 = preset("llama-3.1-70b").architecture
    for arch in (v3, l70):
        kv = arch.kv_bytes_per_token()

        def cache(place: Placement, arch: object = arch, kv: float = kv) -> float:
            return _held(arch, place, kv, 100.0, 1000.0) - _held(arch, place, kv, 0.0, 1000.0)

        ratio = cache(Placement(1, 1)) / cache(Placement(8, 8))
        assert ratio == pytest.approx(1 if arch is v3 else 8)


def _qwen(**kw: object) -> Inference:
    return Inference(
        model="qwen3-235b-a22b",
        chip="H100",
        precision="fp8",
        tokens_in="1000 token",
        tokens_out="1000 token",
        **{"batch": 256, **kw},
    )


def test_routing_imbalance_slows_expert_parallel_decode_only() -> None:
    """The busiest GPU's experts get `routing_imbalance` times the mean of the tokens: under
    expert parallelism (tp 1 on 8 GPUs) it reads more distinct experts and does more expert
    FLOPs; with the experts split tensor-parallel (tp 8) every GPU has a slice of each."""

    def rate(**kw: object) -> float:
        return float(_qwen(**kw).run().summary("decode_rate").mean)

    uniform, skewed = rate(gpus=8, tp=1), rate(gpus=8, tp=1, routing_imbalance=1.9)
    assert skewed < uniform
    assert rate(gpus=8, tp=8, routing_imbalance=1.9) == pytest.approx(rate(gpus=8, tp=8))
    few = _qwen(gpus=8, tp=1, batch=4)
    read = [
        float(
            Inference(**{**few.__dict__, "routing_imbalance": r}).run().summary("experts_read").mean
        )
        for r in (1, 3)
    ]
    assert read[1] > read[0]


def test_a_prompt_passes_pipeline_stages_one_after_another_unless_chunked() -> None:
    def ttft(**kw: object) -> float:
        r = _llama(gpus=4, tp=2, pp=2, batch=8, comm_latency="0 us", **kw).run()
        return float(r.summary("ttft").mean)

    whole, chunked = ttft(), ttft(prefill_chunks=1000)
    assert whole == pytest.approx(2 * chunked, rel=0.02)


def test_a_ttft_target_chooses_the_batch() -> None:
    loose = _llama(gpus=4, ttft="4000 ms").run()
    tight = _llama(gpus=4, ttft="1000 ms").run()
    b_loose, b_tight = (float(r.summary("batch").mean) for r in (loose, tight))
    assert 1 <= b_tight < b_loose
    assert any(n == "batch" and how == "solved" for n, _, how in tight.inputs)
    both = _llama(gpus=4, ttft="4000 ms", tpot="20 ms").run()
    assert float(both.summary("batch").mean) <= b_loose
    assert float(both.summary("decode_step").mean) <= 20.0 + 1e-6
