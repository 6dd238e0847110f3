"""Training FLOPs from the architecture, recomputation and MFU presets."""

from __future__ import annotations

import numpy as np
import pytest

from flopbook.errors import InputError
from flopbook.models.architecture import preset
from flopbook.models.training_flops import mfu_preset, mfu_preset_names, training_per_token
from flopbook.models.workload import Training


def test_llama_405b_reproduces_the_published_compute() -> None:
    """The Llama 3 paper: 3.8e25 FLOPs for 405B parameters on 15.6T tokens (section 3.2.1),
    at 38-43% MFU (table 4) from 30.84M H100 GPU-hours (model card)."""
    r = Training(
        model="llama-3.1-405b",
        tokens="15.6T token",
        seq_len="8192 token",
        chip="H100",
        gpu_hours="30.84M GPU*hour",
    ).run()
    assert float(r.summary("flops").mean) == pytest.approx(3.8e25, rel=0.05)
    assert 0.33 < float(r.summary("mfu").mean) < 0.43


def test_attention_grows_with_sequence_and_six_n_d_is_the_limit() -> None:
    a = preset("llama-3.1-70b").architecture
    short, _ = training_per_token(a, np.asarray(1.0))
    long, _ = training_per_token(a, np.asarray(131072.0))
    assert float(short) == pytest.approx(6 * a.matmul_params(), rel=1e-4)
    assert float(long) > 1.5 * float(short)


def test_moe_counts_active_weights_only() -> None:
    a = preset("deepseek-v3").architecture
    per, _ = training_per_token(a, np.asarray(1.0))
    assert float(per) == pytest.approx(6 * a.matmul_params(), rel=1e-3)
    assert a.matmul_params() < a.total_params() / 15


def test_recomputation_adds_hardware_flops_not_model_flops() -> None:
    a = preset("llama-3.1-8b").architecture
    none = training_per_token(a, np.asarray(8192.0), "none")
    sel = training_per_token(a, np.asarray(8192.0), "selective")
    full = training_per_token(a, np.asarray(8192.0), "full")
    assert float(none[0]) == float(sel[0]) == float(full[0]) == float(none[1])
    assert float(none[1]) < float(sel[1]) < float(full[1])
    assert float(full[1]) / float(full[0]) == pytest.approx(4 / 3)


def test_mfu_presets_are_sourced() -> None:
    assert "llama-3-405b" in mfu_preset_names()
    for name in mfu_preset_names():
        p = mfu_preset(name)
        assert p.url.startswith("https://arxiv.org/") and p.source
    r = Training(
        model="llama-3.1-405b",
        tokens="15.6T token",
        chip="H100",
        mfu_from="llama-3-405b",
        gpus=16384,
    ).run()
    s = r.summary("mfu")
    assert s.p5 == pytest.approx(0.38, abs=0.005) and s.p95 == pytest.approx(0.43, abs=0.005)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"model": "llama-3.1-8b", "params": "8B"}, "params"),
        ({"params": "8B", "seq_len": "4096 token"}, "seq_len"),
        ({"params": "8B", "recompute": "selective"}, "recompute"),
        ({"params": "8B", "mfu_from": "gpt-5"}, "mfu_from"),
    ],
)
def test_bad_training_input(kw: dict, field: str) -> None:
    with pytest.raises(InputError) as e:
        Training(tokens="1T token", chip="H100", gpu_hours="1M GPU*hour", **kw).run()
    assert e.value.field == field
