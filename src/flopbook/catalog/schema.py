"""The shape of a catalog entry: every value is a :class:`Sourced` field.

The files themselves are in ``data/`` (one YAML file per chip); ``data/README.md`` documents
the conventions (dense peak rates, the scale-up bandwidth convention, price kinds).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SPEC_UNITS: dict[str, str] = {
    "fp8_dense": "TFLOP/s",
    "bf16_dense": "TFLOP/s",
    "tf32_dense": "TFLOP/s",
    "fp32": "TFLOP/s",
    "hbm_capacity": "GB",
    "hbm_bandwidth": "TB/s",
    "scaleup_bandwidth": "GB/s",
    "tdp": "W",
}

SPEC_LABELS: dict[str, str] = {
    "fp8_dense": "FP8 dense peak",
    "bf16_dense": "BF16 dense peak",
    "tf32_dense": "TF32 dense peak",
    "fp32": "FP32 peak",
    "hbm_capacity": "HBM capacity",
    "hbm_bandwidth": "HBM bandwidth",
    "scaleup_bandwidth": "Scale-up bandwidth",
    "tdp": "TDP",
}

PRICE_KINDS = ("purchase", "server_per_gpu", "rental")
PRICE_UNITS = {"purchase": "USD/GPU", "server_per_gpu": "USD/GPU", "rental": "USD/GPU/hour"}


def _as_text(value: object) -> str | None:
    # YAML reads 2023-03-21 as a date and 2023 as an int; both are fine as text.
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class Sourced(BaseModel):
    """One value with where it came from and when."""

    model_config = ConfigDict(extra="forbid")

    value: str | None
    source: str
    as_of: str
    note: str | None = None
    alternatives: list[Sourced] = Field(default_factory=list)

    @field_validator("value", "as_of", mode="before")
    @classmethod
    def _text(cls, v: object) -> str | None:
        return _as_text(v)


class Price(Sourced):
    kind: Literal["purchase", "server_per_gpu", "rental"]


class Specs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fp8_dense: Sourced
    bf16_dense: Sourced
    tf32_dense: Sourced
    fp32: Sourced
    hbm_capacity: Sourced
    hbm_bandwidth: Sourced
    scaleup_bandwidth: Sourced
    tdp: Sourced


class Dates(BaseModel):
    model_config = ConfigDict(extra="forbid")

    announced: Sourced
    available: Sourced


class ChipEntry(BaseModel):
    """One accelerator as the catalog file describes it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    vendor: str
    architecture: str
    aliases: list[str] = Field(default_factory=list)
    form_factor: str | None = None
    specs: Specs
    dates: Dates
    export_control: Sourced
    prices: list[Price] = Field(default_factory=list)
    price_note: str | None = None
