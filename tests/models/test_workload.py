"""Training and inference economics: the formulas, the solver, and the invariants."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopbook.errors import InputError, UnknownNameError
from flopbook.models.workload import Inference, Training, solve_training
from flopbook.quantity import Quantity, magnitudes, q


def mean(x, unit):
    return float(magnitudes(x, unit).mean())


V3 = dict(params="37B", tokens="14.8T token", chip="H800", gpus="2048 GPU", price="2 USD/GPU/hour")


def test_deepseek_v3_cost_and_implied_mfu():
    # DeepSeek-V3 report (arXiv 2412.19437): 2.788M H800 GPU-hours at $2 = $5.576M
    r = Training(**V3, gpu_hours="2.788M GPU-hours", precision="fp8").run()
    assert mean(r.get("cost"), "USD") == pytest.approx(5.576e6)
    assert mean(r.get("flops"), "FLOP") == pytest.approx(6 * 37e9 * 14.8e12)
    # 3.29e24 FLOP / (2.788M h × 3600 s × 1979 TFLOP/s)
    assert mean(r.get("mfu"), "") == pytest.approx(3.2856e24 / (2.788e6 * 3600 * 1979e12))
    assert mean(r.get("wall_clock"), "day") == pytest.approx(2.788e6 / 2048 / 24)
    assert next(row for row in r.rows if row.key == "mfu").solved


def test_energy_uses_catalog_tdp_with_the_fleet_defaults():
    r = Training(flops="1e21 FLOP", chip="H100", mfu=0.5, power="1000 W", pue=1.2).run()
    hours = 1e21 / (989e12 * 0.5) / 3600
    assert mean(r.get("gpu_hours"), "GPU*hour") == pytest.approx(hours)
    assert mean(r.get("energy"), "kWh") == pytest.approx(hours * 1.0 * 1.2)


@settings(max_examples=30, deadline=None)
@given(flops=st.floats(1e18, 1e26), peak=st.floats(10, 5000), mfu=st.floats(0.01, 1.0))
def test_implied_mfu_solver_inverts_the_forward_model(flops, peak, mfu):
    f, p, m = q(flops, "FLOP"), q(peak, "TFLOP/s"), Quantity(mfu, "")
    hours = solve_training(flops=f, peak=p, mfu=m)["gpu_hours"]
    back = solve_training(flops=f, gpu_hours=hours, peak=p)["mfu"]
    assert mean(back, "") == pytest.approx(mfu, rel=1e-9)
    assert mean(solve_training(gpu_hours=hours, peak=p, mfu=m)["flops"], "FLOP") == (
        pytest.approx(flops, rel=1e-9)
    )
    assert mean(solve_training(flops=f, gpu_hours=hours, mfu=m)["peak"], "TFLOP/s") == (
        pytest.approx(peak, rel=1e-9)
    )


@settings(max_examples=25, deadline=None)
@given(tokens=st.floats(1e9, 1e14), mfu=st.floats(0.05, 1.0))
def test_doubling_tokens_doubles_flops_and_cost(tokens, mfu):
    one = Training(
        params="7B", tokens=f"{tokens!r} token", chip="H100", mfu=mfu, price="2 USD/GPU/hour"
    ).run()
    two = Training(
        params="7B", tokens=f"{2 * tokens!r} token", chip="H100", mfu=mfu, price="2 USD/GPU/hour"
    ).run()
    assert mean(two.get("flops"), "FLOP") == pytest.approx(2 * mean(one.get("flops"), "FLOP"))
    assert mean(two.get("cost"), "USD") == pytest.approx(2 * mean(one.get("cost"), "USD"))


def serve(**kw):
    base = dict(
        params="8B",
        tokens_in="1000 token",
        tokens_out="500 token",
        chip="H100",
        batch=16,
        kv_bytes_per_token="128 kB",
        price="2 USD/GPU/hour",
    )
    return Inference(**{**base, **kw}).run()


@settings(max_examples=25, deadline=None)
@given(low=st.floats(0.05, 0.9), step=st.floats(0.01, 0.1))
def test_cost_per_token_falls_as_utilisation_rises(low, step):
    high = min(1.0, low + step)
    for key in ("mfu", "mbu"):
        a, b = serve(**{key: low}), serve(**{key: high})
        assert mean(b.get("cost"), "USD/request") < mean(a.get("cost"), "USD/request")
    assert mean(serve(mfu=high).get("cost_per_million_input"), "USD/Mtoken") < mean(
        serve(mfu=low).get("cost_per_million_input"), "USD/Mtoken"
    )


def test_inference_flops_per_token_is_two_n_and_attention_is_stated():
    # Corry Wang (2025-07-06): a 500M-parameter model needs ~1 GFLOP per token (2·N)
    r = serve(params="500M")
    assert mean(r.get("flops_per_token"), "FLOP/token") == pytest.approx(1e9)
    assert any("attention term is left out" in n for n in r.notes)
    with_attention = serve(params="500M", layers=24, d_model=1024, context="1000 token")
    assert mean(with_attention.get("flops_per_token"), "FLOP/token") == pytest.approx(
        1e9 + 2 * 24 * 1000 * 1024
    )


def test_decode_roofline_by_hand():
    # one GPU, batch 1, no KV: each token reads the 16 GB of BF16 weights at 3.35 TB/s
    r = serve(batch=1, kv_bytes_per_token="0 byte", mbu=1.0)
    assert mean(r.get("decode_rate"), "token/s/GPU") == pytest.approx(3.35e12 / 16e9)
    assert "Decode is memory-bound (for most samples)." in r.notes
    # prefill is compute-bound: 989 TFLOP/s × 40% / 16 GFLOP per token
    assert mean(r.get("prefill_rate"), "token/s/GPU") == pytest.approx(989e12 * 0.4 / 16e9)


def test_revenue_and_margin():
    r = serve(price_input="1 USD/Mtoken", price_output="2 USD/Mtoken")
    revenue = 1000 * 1e-6 + 500 * 2e-6
    assert mean(r.get("revenue"), "USD/request") == pytest.approx(revenue)
    cost = mean(r.get("cost"), "USD/request")
    assert mean(r.get("margin"), "") == pytest.approx((revenue - cost) / cost)


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        (dict(mfu=0), "mfu: must be above 0"),
        (dict(mfu=1.5), "mfu: must be at most 1"),
        (dict(tokens="-5 token"), "tokens: must be above 0"),
        (dict(chip="H1000"), "unknown chip 'H1000'"),
        (dict(precision="fp4"), "unknown precision"),
    ],
)
def test_training_bad_input(kw, words):
    with pytest.raises(InputError, match=words):
        Training(**{**V3, "mfu": 0.3, **kw}).run()


def test_training_needs_exactly_one_unknown():
    with pytest.raises(InputError, match="one of them must be left to solve for"):
        Training(**V3, gpu_hours="2.788M GPU*hour", mfu=0.3).run()
    with pytest.raises(InputError, match="too little"):
        Training(params="37B", tokens="14.8T token").run()
    with pytest.raises(UnknownNameError, match="no output 'cost'"):
        Training(**{**V3, "price": None}, mfu=0.3).run().get("cost")


def test_default_power_is_tdp_plus_the_fleet_server_overhead():
    # fleet defaults: server overhead 50% of TDP (DGX H100 user guide), PUE 1.3 (Uptime 2024)
    r = Training(**V3, mfu=0.3).run()
    power = next(i for n, i, how in r.inputs if n == "power")
    assert mean(power.value, "W") == pytest.approx(700 * 1.5)
    assert "DGX H100" in power.source
