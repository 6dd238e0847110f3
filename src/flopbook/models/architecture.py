"""Transformer architectures as data: the shapes of published models, and what follows from
them alone — parameter counts (total, active, per part), KV-cache bytes per token and the
FLOPs of a token at a given context.

    >>> from flopbook.models.architecture import preset
    >>> v3 = preset("deepseek-v3")
    >>> round(v3.total_params() / 1e9), round(v3.active_params() / 1e9)
    (671, 38)
    >>> v3.kv_bytes_per_token(2.0)      # MLA: a 512 latent + a 64 RoPE key per layer, BF16
    70272.0

The presets (``models/presets/*.yaml``) hold each model's numbers as its paper or
``config.json`` publishes them, with the total and active parameter counts it states; the
tests hold the arithmetic here to those counts within each preset's stated tolerance.

Counting conventions (the ones the published counts use):

- a SwiGLU feed-forward block of width ``f`` holds 3 × hidden × f weights (gate, up, down);
- grouped-query attention (GQA) holds hidden × head_dim × (2 × heads + 2 × kv_heads);
- multi-head latent attention (MLA, DeepSeek-V2/V3) holds the query down/up projections
  (hidden × q_lora_rank + q_lora_rank × heads × (nope + rope)), the joint KV down-projection
  (hidden × (kv_lora_rank + rope)), its up-projection (kv_lora_rank × heads × (nope + v)) and
  the output (heads × v × hidden);
- a mixture-of-experts layer holds its routed experts, its shared experts and a router
  (hidden × experts); the first ``dense_layers`` layers have a dense block instead;
- the input embedding and, unless tied, the output head, vocab × hidden each; norms and
  biases (well under 0.1%) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from flopbook.errors import InputError, suggest
from flopbook.quantity import q
from flopbook.scenario import Document

__all__ = ["Architecture", "Moe", "Preset", "expected_experts", "preset", "preset_names"]

_PRESETS_DIR = "presets"
# the largest size any field takes: far past published models (vocab 262k, width 16k), and it
# keeps a hostile architecture's arithmetic bounded
_MAX = 10_000_000


class Moe(BaseModel):
    """The mixture-of-experts part of an architecture."""

    model_config = ConfigDict(extra="forbid", strict=True)
    experts: int = Field(gt=0, le=_MAX, description="routed experts per MoE layer")
    experts_per_token: int = Field(gt=0, le=_MAX, description="routed experts each token uses")
    shared_experts: int = Field(0, ge=0, le=_MAX, description="experts every token uses")
    dense_layers: int = Field(0, ge=0, le=_MAX, description="leading layers with a dense block")
    expert_intermediate: int = Field(gt=0, le=_MAX, description="feed-forward width of one expert")

    @model_validator(mode="after")
    def _k_within_e(self) -> Moe:
        if self.experts_per_token > self.experts:
            raise ValueError(
                f"experts_per_token ({self.experts_per_token}) is more than "
                f"experts ({self.experts}): a token cannot use more experts "
                "than the layer has"
            )
        return self


class Architecture(BaseModel):
    """A decoder-only transformer's shape, as a paper or ``config.json`` gives it."""

    model_config = ConfigDict(extra="forbid", strict=True)
    layers: int = Field(gt=0, le=_MAX)
    hidden: int = Field(gt=0, le=_MAX, description="model width (d_model)")
    vocab: int = Field(gt=0, le=_MAX)
    tied_embeddings: bool = False
    attention: Literal["gqa", "mla"] = "gqa"
    heads: int = Field(gt=0, le=_MAX, description="query heads")
    kv_heads: int | None = Field(None, gt=0, le=_MAX, description="GQA: key/value heads")
    head_dim: int | None = Field(None, gt=0, le=_MAX, description="GQA: dimension of one head")
    q_lora_rank: int | None = Field(None, ge=0, le=_MAX, description="MLA: query compression rank")
    kv_lora_rank: int | None = Field(None, gt=0, le=_MAX, description="MLA: KV latent rank")
    qk_nope_head_dim: int | None = Field(None, gt=0, le=_MAX)
    qk_rope_head_dim: int | None = Field(None, gt=0, le=_MAX)
    v_head_dim: int | None = Field(None, gt=0, le=_MAX)
    intermediate: int = Field(gt=0, le=_MAX, description="dense feed-forward width")
    sliding_window: int | None = Field(
        None, gt=0, le=_MAX, description="window of the windowed layers"
    )
    sliding_layers: int = Field(
        0, ge=0, le=_MAX, description="layers that attend only to the window"
    )
    active_counts_input_embedding: bool = True
    moe: Moe | None = None

    @model_validator(mode="after")
    def _complete(self) -> Architecture:
        if self.attention == "gqa":
            missing = [n for n in ("kv_heads",) if getattr(self, n) is None]
            if missing:
                raise ValueError(
                    "GQA attention needs kv_heads (write kv_heads = heads for "
                    "plain multi-head attention)"
                )
            if self.kv_heads > self.heads:  # type: ignore[operator]
                raise ValueError(f"kv_heads ({self.kv_heads}) is more than heads ({self.heads})")
        else:
            need = ("kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim")
            missing = [n for n in need if getattr(self, n) is None]
            if missing:
                raise ValueError("MLA attention needs " + ", ".join(missing))
        if self.moe is not None and self.moe.dense_layers > self.layers:
            raise ValueError(
                f"moe.dense_layers ({self.moe.dense_layers}) is more than layers ({self.layers})"
            )
        if self.sliding_layers > self.layers:
            raise ValueError(
                f"sliding_layers ({self.sliding_layers}) is more than layers ({self.layers})"
            )
        if self.sliding_layers and self.sliding_window is None:
            raise ValueError("sliding_layers needs sliding_window")
        return self

    # ---- shape ------------------------------------------------------------------------

    @property
    def dim(self) -> int:
        """GQA head dimension (hidden / heads unless given)."""
        return self.head_dim or self.hidden // self.heads

    @property
    def moe_layers(self) -> int:
        return 0 if self.moe is None else self.layers - self.moe.dense_layers

    @property
    def dense_layers(self) -> int:
        return self.layers - self.moe_layers

    # ---- parameters -------------------------------------------------------------------

    def attention_params(self) -> float:
        """Attention weights of one layer."""
        h, n = self.hidden, self.heads
        if self.attention == "gqa":
            return float(h * self.dim * (2 * n + 2 * self.kv_heads))  # type: ignore[operator]
        nope, rope, v = self.qk_nope_head_dim, self.qk_rope_head_dim, self.v_head_dim
        c, q = self.kv_lora_rank, self.q_lora_rank or 0
        q_proj = (h * q + q * n * (nope + rope)) if q else h * n * (nope + rope)  # type: ignore
        return float(q_proj + h * (c + rope) + c * n * (nope + v) + n * v * h)  # type: ignore

    def ffn_params(self, width: int) -> float:
        """A SwiGLU feed-forward block: gate, up and down projections."""
        return 3.0 * self.hidden * width

    def expert_params(self) -> float:
        """One routed (or shared) expert."""
        return 0.0 if self.moe is None else self.ffn_params(self.moe.expert_intermediate)

    def embedding_params(self) -> float:
        """Input embedding plus output head (once when tied)."""
        return float(self.vocab * self.hidden * (1 if self.tied_embeddings else 2))

    def parts(self) -> dict[str, float]:
        """Parameters by part: the placement model shards or replicates each differently."""
        m = self.moe
        return {
            "attention": self.layers * self.attention_params(),
            "dense_ffn": self.dense_layers * self.ffn_params(self.intermediate),
            "shared_experts": self.moe_layers
            * (m.shared_experts if m else 0)
            * self.expert_params(),
            "router": float(self.moe_layers * self.hidden * (m.experts if m else 0)),
            "routed_experts": self.moe_layers * (m.experts if m else 0) * self.expert_params(),
            "embedding": self.embedding_params(),
        }

    def total_params(self) -> float:
        return sum(self.parts().values())

    def active_params(self) -> float:
        """Parameters one token uses: all but the routed experts it is not sent to."""
        p = self.parts()
        active = p["attention"] + p["dense_ffn"] + p["shared_experts"] + p["router"]
        if self.moe is not None:
            active += self.moe_layers * self.moe.experts_per_token * self.expert_params()
        emb = p["embedding"]
        if not self.active_counts_input_embedding and not self.tied_embeddings:
            emb /= 2
        return active + emb

    def matmul_params(self) -> float:
        """Active weights a token multiplies by (2 FLOPs each): the input embedding is a
        lookup, not a product."""
        emb_in = 0.0 if self.tied_embeddings else self.vocab * self.hidden
        counted = self.active_params()
        if self.active_counts_input_embedding and not self.tied_embeddings:
            counted -= emb_in
        return counted

    # ---- KV cache and attention ---------------------------------------------------------

    def kv_elements_per_token(self) -> float:
        """Cached numbers per token of context, all layers: GQA keeps a key and a value per
        KV head; MLA keeps one compressed latent plus the shared RoPE key."""
        if self.attention == "gqa":
            return float(2 * self.layers * self.kv_heads * self.dim)  # type: ignore[operator]
        return float(self.layers * (self.kv_lora_rank + self.qk_rope_head_dim))  # type: ignore

    def kv_bytes_per_token(self, bytes_per_element: float = 2.0) -> float:
        return self.kv_elements_per_token() * bytes_per_element

    def attention_flops_per_token(self, context: object, *, decode: bool = True) -> object:
        """FLOPs of the score and value products for one token that attends to ``context``
        earlier tokens (NumPy arrays welcome). Windowed layers see at most the window.

        GQA: 2 × heads × head_dim for Q·Kᵀ and as much for the weighted sum of V, per token
        attended. MLA in decode runs absorbed (DeepSeek's FlashMLA): the query is projected
        into the latent, so scores cost 2 × heads × (kv_lora_rank + rope) and values 2 ×
        heads × kv_lora_rank; prefill runs unabsorbed, 2 × heads × (nope + rope + v).
        """

        ctx = np.asarray(context, dtype=float)
        n = self.heads
        if self.attention == "gqa":
            per = 4.0 * n * self.dim
        elif decode:
            per = 2.0 * n * (2 * self.kv_lora_rank + self.qk_rope_head_dim)  # type: ignore
        else:
            per = 2.0 * n * (_set(self.qk_nope_head_dim) + _set(self.qk_rope_head_dim))
            per += 2.0 * n * _set(self.v_head_dim)
        full = self.layers - self.sliding_layers
        windowed = (
            0.0
            if not self.sliding_layers
            else self.sliding_layers * np.minimum(ctx, _set(self.sliding_window))
        )
        return per * (full * ctx + windowed)

    def kv_tokens_read(self, context: object) -> object:
        """Context tokens whose KV a step reads, averaged over layers (windowed layers read
        at most the window)."""

        ctx = np.asarray(context, dtype=float)
        if not self.sliding_layers:
            return ctx
        full = self.layers - self.sliding_layers
        return (
            full * ctx + self.sliding_layers * np.minimum(ctx, _set(self.sliding_window))
        ) / self.layers


def _set(value: int | None) -> int:
    """A field the validator requires for this attention type (checked in ``_complete``)."""
    assert value is not None, "checked when the architecture was read"
    return value


def expected_experts(experts: int, per_token: int, tokens: object) -> object:
    """Expected distinct experts a layer uses for ``tokens`` tokens that each pick
    ``per_token`` of ``experts`` uniformly: E × (1 − (1 − k/E)^B). One token uses k; many
    approach E. Real routers are not uniform, so this is a mean that load imbalance raises
    for the busiest GPU and expert affinity lowers."""

    b = np.asarray(tokens, dtype=float)
    return experts * (1.0 - np.power(1.0 - per_token / experts, b))


# ---- presets --------------------------------------------------------------------------


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    url: str


class _Count(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str
    source: str


class _Published(BaseModel):
    model_config = ConfigDict(extra="forbid")
    total_params: _Count
    active_params: _Count
    tolerance: str = "2%"
    note: str | None = None


class _PresetFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    sources: dict[str, _Source]
    architecture: Architecture
    published: _Published


@dataclass(frozen=True)
class Preset:
    """A published model: its architecture, its published counts and their sources."""

    id: str
    name: str
    architecture: Architecture
    total_params: float
    active_params: float
    tolerance: float
    sources: dict[str, tuple[str, str]]
    count_sources: tuple[str, str]
    note: str | None
    file: str


def _number(text: str, where: str) -> float:

    try:
        return float(q(text, "").magnitude.mean())
    except InputError as exc:
        raise exc.located(file=where) from None


@cache
def _presets() -> dict[str, Preset]:

    found: dict[str, Preset] = {}
    folder = resources.files("flopbook.models") / _PRESETS_DIR
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        where = f"models/{_PRESETS_DIR}/{entry.name}"
        doc = Document(entry.read_text(encoding="utf-8"), where)
        spec = doc.validate(_PresetFile)
        p = spec.published
        found[spec.id] = Preset(
            spec.id,
            spec.name,
            spec.architecture,
            _number(p.total_params.value, where),
            _number(p.active_params.value, where),
            _number(p.tolerance, where),
            {k: (s.title, s.url) for k, s in spec.sources.items()},
            (p.total_params.source, p.active_params.source),
            p.note,
            where,
        )
    return found


def preset_names() -> list[str]:
    """The ids of the shipped model presets."""
    return sorted(_presets())


def preset(name: str) -> Preset:
    """A shipped model preset by id (``deepseek-v3``); spelling is forgiving about case,
    spaces and underscores."""

    key = name.strip().lower().replace(" ", "-").replace("_", "-")
    found = _presets()
    if key in found:
        return found[key]
    raise InputError(
        f"unknown model {name!r}",
        field="model",
        hint=suggest(key, list(found)) + " (or write the architecture out under architecture:)",
    )
