"""A chip the catalog lacks, described where it is used (a scenario's ``chip:``, ``calc --chip``).

    chip: {name: MyChip, bf16_dense: 800 TFLOP/s, tdp: 600 W, hbm_capacity: 96 GB,
           server_cost_per_gpu: {value: 30k USD/GPU, as_of: 2025-06, source: "vendor quote"}}

It is checked like a catalog entry: every figure in its catalog unit and above zero, the
required ones (``name``, ``bf16_dense``, ``tdp``) present, a price not dated in the future.
A rate more than twice the densest catalog chip of its architecture (or of the whole catalog
when no known ``architecture`` is given) is a warning, not an error: it is most likely a 2:4
sparse headline, and flopbook works in dense rates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictFloat, StrictInt, StrictStr, ValidationError

from flopbook.catalog import Chip, catalog, name_key
from flopbook.catalog.schema import PRICE_UNITS, SPEC_UNITS, ChipEntry, date_start, is_range, today
from flopbook.errors import InputError, suggest
from flopbook.quantity import example_for, magnitudes, q

__all__ = ["CustomChipFile", "SPARSE_FACTOR", "custom_chip"]

# A dense rate this multiple of the densest catalog chip of the same architecture is likely a
# sparse headline: NVIDIA and AMD quote 2:4 sparsity at exactly 2x, so a rate within 1% of
# twice the dense peak (1,979 against the H100's 989.4) counts, rounding allowed for.
SPARSE_FACTOR = 2.0
_ROUNDING = 0.99

REQUIRED = ("name", "bf16_dense", "tdp")
PRICES = ("server_cost_per_gpu", "gpu_price")
_PRICE_KIND = {"server_cost_per_gpu": "server_per_gpu", "gpu_price": "purchase"}
_EXAMPLES = {
    "name": "name: MyChip",
    "bf16_dense": 'bf16_dense: "800 TFLOP/s"',
    "tdp": 'tdp: "600 W"',
}


class FigureMapping(BaseModel):
    """``{value: …, source: …, as_of: …, note: …}``: one figure with its provenance."""

    model_config = ConfigDict(extra="forbid")
    value: StrictStr | StrictFloat | StrictInt
    source: StrictStr | None = None
    as_of: StrictStr | None = None
    note: StrictStr | None = None


Figure = StrictStr | StrictFloat | StrictInt | FigureMapping


class CustomChipFile(BaseModel):
    """The fields a custom chip may give (SPEC_UNITS' names, two prices and its labels)."""

    model_config = ConfigDict(extra="forbid")
    name: StrictStr
    vendor: StrictStr | None = None
    architecture: StrictStr | None = None
    source: StrictStr | None = None
    as_of: StrictStr | None = None
    fp8_dense: Figure | None = None
    bf16_dense: Figure
    tf32_dense: Figure | None = None
    fp32: Figure | None = None
    hbm_capacity: Figure | None = None
    hbm_bandwidth: Figure | None = None
    scaleup_bandwidth: Figure | None = None
    tdp: Figure
    server_cost_per_gpu: Figure | None = None
    gpu_price: Figure | None = None


def _parts(raw: Figure, default_source: str, default_as_of: str) -> dict[str, Any]:
    if isinstance(raw, FigureMapping):
        return {
            "value": str(raw.value),
            "source": raw.source or default_source,
            "as_of": raw.as_of or default_as_of,
            "note": raw.note,
        }
    return {"value": str(raw), "source": default_source, "as_of": default_as_of}


def _checked(name: str, parts: dict[str, Any], unit: str) -> None:
    """The value in its unit and above zero; an ``as_of`` that is a date, not in the future."""
    try:
        value = q(parts["value"], unit, key=f"chip.{name}")
    except InputError as exc:
        raise InputError(exc.message, field=name, hint=exc.hint) from None
    if float(magnitudes(value).min()) <= 0:
        raise InputError(
            f"must be above zero, got {parts['value']!r}",
            field=name,
            hint=f'write e.g. {name}: "{_example(name, unit)}"',
        )
    try:
        when = date_start(parts["as_of"])
    except ValueError as exc:
        raise InputError(str(exc), field=f"{name}.as_of") from None
    if when > today():
        raise InputError(
            f"as_of {parts['as_of']} is in the future",
            field=f"{name}.as_of",
            hint="date a figure when it was published or quoted",
        )


def _example(name: str, unit: str) -> str:
    return example_for(unit)


def _densest(key: str, architecture: str | None) -> tuple[Chip | None, str]:
    """The catalog chip with the highest dense ``key`` rate of the architecture, or of the
    whole catalog when the architecture is not given or not in the catalog."""
    chips = list(catalog())
    same = [c for c in chips if architecture and name_key(c.architecture) == name_key(architecture)]
    pool, scope = (same, f"{same[0].architecture} chip") if same else (chips, "chip")
    best, best_rate = None, 0.0
    for c in pool:
        rate = c.spec(key)
        if rate is not None and float(rate.to("TFLOP/s").magnitude.mean()) > best_rate:
            best, best_rate = c, float(rate.to("TFLOP/s").magnitude.mean())
    return best, scope


def custom_chip(
    raw: Mapping[str, Any], *, where: str = "chip"
) -> tuple[Chip, list[tuple[str, str]]]:
    """A :class:`Chip` from a mapping, and the warnings about it as (field, message) pairs
    (a likely sparse rate).

    Mistakes are InputErrors whose ``field`` is the figure's name (the caller adds the file,
    line and the path to the mapping)."""
    try:
        spec = CustomChipFile.model_validate(dict(raw))
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else ""
        if err["type"] == "missing":
            raise InputError(
                f"a custom chip needs {name!r}",
                field=name,
                hint="add e.g. " + _EXAMPLES.get(name, f"{name}: …"),
            ) from None
        if err["type"] == "extra_forbidden":
            known = list(CustomChipFile.model_fields)
            raise InputError(
                f"unknown field {name!r} in a custom chip", field=name, hint=suggest(name, known)
            ) from None
        raise InputError(
            f"expected text or a number, got {err.get('input')!r}", field=name
        ) from None
    source = spec.source or f"given in {where} (custom chip)"
    as_of = spec.as_of or today().isoformat()
    if spec.as_of:
        _checked("as_of", {"value": "1", "as_of": spec.as_of}, "")
    specs: dict[str, Any] = {}
    for key, unit in SPEC_UNITS.items():
        raw_value = getattr(spec, key)
        if raw_value is None:
            specs[key] = {
                "value": None,
                "source": source,
                "as_of": as_of,
                "note": "not given for this custom chip",
            }
            continue
        parts = _parts(raw_value, source, as_of)
        _checked(key, parts, unit)
        specs[key] = parts
    prices = []
    for key in PRICES:
        raw_value = getattr(spec, key)
        if raw_value is None:
            continue
        parts = _parts(raw_value, source, as_of)
        _checked(key, parts, PRICE_UNITS[_PRICE_KIND[key]])
        prices.append(
            {
                "kind": _PRICE_KIND[key],
                **parts,
                **({"range": "p90"} if _is_range(parts["value"]) else {}),
            }
        )
    unknown = {"value": None, "source": source, "as_of": as_of, "note": "not given"}
    entry = ChipEntry.model_validate(
        {
            "id": spec.name,
            "name": spec.name,
            "vendor": spec.vendor or "custom",
            "architecture": spec.architecture or "custom",
            "specs": specs,
            "dates": {"announced": unknown, "available": unknown},
            "export_control": unknown,
            "prices": prices,
        }
    )
    chip = Chip(entry, where)
    return chip, _sparse_warnings(chip, spec.architecture)


def _is_range(text: str) -> bool:
    return is_range(text)


def _sparse_warnings(chip: Chip, architecture: str | None) -> list[tuple[str, str]]:
    out = []
    for key in ("bf16_dense", "fp8_dense", "tf32_dense"):
        rate = chip.spec(key)
        if rate is None:
            continue
        best, scope = _densest(key, architecture)
        if best is None:
            continue
        peak = float(best.spec(key).to("TFLOP/s").magnitude.mean())  # type: ignore[union-attr]
        given = float(rate.to("TFLOP/s").magnitude.mean())
        if given >= SPARSE_FACTOR * peak * _ROUNDING:
            out.append(
                (
                    key,
                    f"{given:,.4g} TFLOP/s is {given / peak:.1f}x the densest {scope} in "
                    f"the catalog ({best.id}, {peak:,.4g} TFLOP/s dense) — is it a 2:4 sparse "
                    "headline? flopbook uses dense rates; halve a sparse figure",
                )
            )
    return out
