"""What a GPU-hour costs and draws: the fields every workload shares (a training run's and an
inference service's price per GPU-hour, IT power per GPU and PUE), written once."""

from __future__ import annotations

from flopbook.inputs import FieldSpec

__all__ = ["GPU_HOUR_FIELDS"]

GPU_HOUR_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in [
        FieldSpec(
            "price",
            "Price per GPU-hour",
            ("USD/GPU/hour",),
            "2 USD/GPU/hour",
            "a rental price or an owned cost per GPU-hour",
            low=0,
        ),
        FieldSpec(
            "power",
            "IT power per GPU",
            ("W",),
            "1050 W",
            "GPU plus its share of the server; default: catalog TDP x (1 + server overhead)",
            bare_unit="W",
            low=0,
        ),
        FieldSpec("pue", "PUE", ("",), "1.3", "facility power / IT power", low=1, high=3),
    ]
}
