"""Model presets: the architecture arithmetic reproduces each published parameter count."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from flopbook.errors import InputError
from flopbook.models.architecture import Architecture, expected_experts, preset, preset_names

EXPECTED = {
    "deepseek-v3",
    "deepseek-r1",
    "llama-3.1-8b",
    "llama-3.1-70b",
    "llama-3.1-405b",
    "llama-3-70b",
    "llama-2-70b",
    "mixtral-8x7b",
    "mixtral-8x22b",
    "qwen2.5-72b",
    "qwen3-235b-a22b",
    "gpt-oss-120b",
    "llama-2-7b",
    "llama-3.3-70b",
}


def test_the_presets_people_cite_are_shipped() -> None:
    assert set(preset_names()) >= EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_counts_reproduce_the_published_ones(name: str) -> None:
    p = preset(name)
    a = p.architecture
    assert p.tolerance <= 0.04  # a stated tolerance: 1-2%, 4% for a figure rounded to 7B
    assert a.total_params() == pytest.approx(p.total_params, rel=p.tolerance)
    assert a.active_params() == pytest.approx(p.active_params, rel=p.tolerance)
    assert all(s[1].startswith("https://") for s in p.sources.values())


def test_deepseek_v3_shape() -> None:
    a = preset("deepseek-v3").architecture
    assert a.moe_layers == 58 and a.dense_layers == 3
    # MLA: 61 layers x (512 latent + 64 RoPE key) x 2 bytes (the inference-day case's figure)
    assert a.kv_bytes_per_token(2.0) == 70272
    parts = a.parts()
    assert parts["routed_experts"] / a.total_params() > 0.97


def test_gqa_kv_cache() -> None:
    # Llama 3.1 8B: 32 layers x 8 KV heads x 128 dims x (K and V) x 2 bytes = 128 KiB
    assert preset("llama-3.1-8b").architecture.kv_bytes_per_token(2.0) == 131072


def test_windowed_layers_read_at_most_the_window() -> None:
    a = preset("gpt-oss-120b").architecture
    assert float(a.kv_tokens_read(100)) == 100
    assert float(a.kv_tokens_read(10_000)) == pytest.approx((10_000 + 128) / 2)


def test_lookup_is_forgiving_and_errors_suggest() -> None:
    assert preset("DeepSeek_V3").id == "deepseek-v3"
    with pytest.raises(InputError, match="unknown model 'deepseek-v4'") as e:
        preset("deepseek-v4")
    assert "deepseek-v3" in (e.value.hint or "")


def test_experts_per_token_above_experts_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot use more experts"):
        Architecture(
            layers=2,
            hidden=8,
            vocab=10,
            heads=2,
            kv_heads=2,
            intermediate=8,
            moe={"experts": 4, "experts_per_token": 5, "expert_intermediate": 8},
        )


@given(st.integers(1, 512), st.integers(1, 16), st.integers(1, 10_000))
def test_expected_experts_rises_with_batch_towards_e(e: int, k: int, b: int) -> None:
    k = min(k, e)
    one, more = expected_experts(e, k, b), expected_experts(e, k, b + 1)
    assert float(expected_experts(e, k, 1)) == pytest.approx(k)
    assert k - 1e-9 <= float(one) <= float(more) + 1e-9 <= e + 1e-9
    assert float(expected_experts(e, k, np.array([1e7]))[0]) == pytest.approx(e)


def test_docs_list_every_preset() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "workload.md").read_text()
    missing = [n for n in preset_names() if f"`{n}`" not in doc]
    assert not missing, missing
