"""Training FLOPs from the architecture, and MFU presets from published runs.

Model FLOPs per token = 3 × (forward FLOPs per token): 2 × the active matrix weights plus
attention over, on average, half the sequence (causal), and the backward pass twice the
forward (Kaplan et al. 2020, arXiv 2001.08361, 2.1). For a mixture of experts only the active
weights count. Recomputation adds hardware FLOPs that MFU does not count (the PaLM
convention, arXiv 2204.02311, appendix B): ``full`` runs the forward pass again (4 × forward
in all), ``selective`` reruns attention's score and value products only (Korthikanti et al.
2022, arXiv 2205.05198).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from flopbook import safe_yaml
from flopbook.errors import InputError, suggest

if TYPE_CHECKING:
    from flopbook.models.architecture import Architecture

__all__ = ["RECOMPUTE", "MfuPreset", "mfu_preset", "mfu_preset_names", "training_per_token"]

RECOMPUTE = ("none", "selective", "full")


def training_per_token(
    arch: Architecture, seq_len: np.ndarray, recompute: str = "none"
) -> tuple[np.ndarray, np.ndarray]:
    """(model FLOPs, hardware FLOPs) per training token at sequence length ``seq_len``."""
    if recompute not in RECOMPUTE:
        raise InputError(
            f"unknown recompute {recompute!r}",
            field="recompute",
            hint="write none, selective or full",
        )
    s = np.asarray(seq_len, dtype=float)
    matmul = 2.0 * arch.matmul_params()
    attention = np.asarray(arch.attention_flops_per_token(s / 2.0, decode=False), dtype=float)
    model = 3.0 * (matmul + attention)
    extra = {"none": 0.0 * attention, "selective": attention, "full": matmul + attention}
    return model, model + extra[recompute]


@dataclass(frozen=True)
class MfuPreset:
    name: str
    value: str
    run: str
    source: str
    url: str


@cache
def _presets() -> dict[str, MfuPreset]:

    text = (resources.files("flopbook.models") / "mfu_presets.yaml").read_text(encoding="utf-8")
    data = safe_yaml.load(text, "models/mfu_presets.yaml", shipped=True)
    return {
        k: MfuPreset(k, str(v["value"]), v["run"], v["source"], v["url"])
        for k, v in data["presets"].items()
    }


def mfu_preset_names() -> list[str]:
    return sorted(_presets())


def mfu_preset(name: str) -> MfuPreset:

    key = name.strip().lower()
    found = _presets()
    if key not in found:
        raise InputError(
            f"unknown MFU preset {name!r}", field="mfu_from", hint=suggest(key, list(found))
        )
    return found[key]
