"""Machine-readable output: JSON (every quantity as value + unit) and CSV."""

from __future__ import annotations

import io
from typing import Any

from flopbook.catalog.schema import SPEC_UNITS
from flopbook.errors import InputError
from flopbook.models.fleet import METRICS
from flopbook.numbers import unit_text
from flopbook.quantity import parse_range, q, unit_name
from flopbook.render.cells import with_text
from flopbook.render.jsontext import to_json as plain_json
from flopbook.safe_text import CsvWriter


def to_json(data: Any) -> str:
    """Every command's JSON: plain data, with each quantity's text beside its number."""
    return plain_json(with_text(data))


def fleet_csv(result: Any) -> str:
    """One row per metric and column: metric, label, column, unit, mean, p5, p50, p95."""
    buf = io.StringIO()
    w = CsvWriter(buf)
    w.writerow(["metric", "label", "kind", "column", "unit", "mean", "p5", "p50", "p95"])
    for m in METRICS:
        unit = unit_text(m.unit)  # the one spelling: USD/GPU-hour, GPU-hour/year
        for c in result.all_columns:
            s = result.summary(m.key, c)
            if s is None:
                w.writerow([m.key, m.label, m.kind, c, unit, "", "", "", ""])
            else:
                w.writerow(
                    [
                        m.key,
                        m.label,
                        m.kind,
                        c,
                        unit,
                        *(f"{x:.10g}" for x in (s.mean, s.p5, s.p50, s.p95)),
                    ]
                )
    return buf.getvalue()


def catalog_csv(chips: Any) -> str:
    """One row per chip and spec: id, field, value, as_of, source."""
    buf = io.StringIO()
    w = CsvWriter(buf)
    w.writerow(["id", "field", "value", "as_of", "source", "note"])
    for c in chips:
        for key in SPEC_UNITS:
            f = c.field(key)
            w.writerow([c.id, key, f.value or "", f.as_of, f.source, f.note or ""])
    return buf.getvalue()


def price_series_dict(chip: Any, at: str | None = None) -> dict[str, Any]:
    """A chip's price observations, each with its age from ``at``, and the prices used."""
    rows = []
    for p, age, stale in chip.price_series(at):
        row = p.model_dump()
        # a price is data: its number and unit, the figure as written beside them
        row["value"] = figure_dict(row.get("value"))
        for alternative in row.get("alternatives") or []:
            if isinstance(alternative, dict) and "value" in alternative:
                alternative["value"] = figure_dict(alternative["value"])
        rows.append({**row, "age_days": age, "stale": stale})
    used = []
    for pick in chip.price_picks(at):
        d = pick.as_dict()
        d["unit"] = unit_name(d["unit"])  # USD/GPU-hour, as everywhere
        used.append(d)
    return {"chip": chip.id, "used_at": at or "today", "observations": rows, "prices_used": used}


def price_series_csv(chip: Any, at: str | None = None) -> str:
    """One row per price observation."""
    buf = io.StringIO()
    w = CsvWriter(buf)
    w.writerow(
        [
            "id",
            "kind",
            "term",
            "value",
            "range",
            "as_of",
            "vendor",
            "default",
            "estimate",
            "age_days",
            "stale",
            "source",
            "note",
        ]
    )
    for p, age, stale in chip.price_series(at):
        w.writerow(
            [
                chip.id,
                p.kind,
                p.term or "",
                p.value or "",
                p.range or "",
                p.as_of,
                p.vendor or "",
                p.default,
                p.estimate,
                age,
                stale,
                p.source,
                p.note or "",
            ]
        )
    return buf.getvalue()


def figure_dict(text: str | None) -> dict[str, Any] | None:
    """A catalog figure as data: ``"989 TFLOP/s"`` -> ``{"value": 989.0, "unit": "TFLOP/s",
    "text": "989 TFLOP/s"}``; a range ``"30k to 40k USD/GPU"`` gives ``low`` and ``high``."""

    if text is None:
        return None
    try:
        ends = parse_range(text)
        if ends is not None:
            low, high = ends
            return {
                "low": float(low.magnitude[0]),
                "high": float(high.magnitude[0]),
                "unit": unit_name(high.units),
                "text": text,
            }
        x = q(text)
    except InputError:
        return {"text": text}  # not a quantity (a date, a name): text it stays
    return {"value": float(x.magnitude[0]), "unit": unit_name(x.units), "text": text}


def catalog_entry_dict(entry: Any) -> dict[str, Any]:
    """A catalog entry as data: every sourced figure's value a number with its unit, the
    figure as written beside it (``text``)."""

    def sourced(d: dict[str, Any]) -> dict[str, Any]:
        figure = figure_dict(d.get("value"))
        out = {k: v for k, v in d.items() if k != "value"}
        out["alternatives"] = [sourced(a) for a in d.get("alternatives", [])]
        return {**(figure or {"value": None}), **out}

    def walk(x: Any) -> Any:
        if isinstance(x, dict):
            if "source" in x and "as_of" in x and "value" in x:
                return sourced(x)
            return {k: walk(v) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v) for v in x]
        return x

    return walk(entry.model_dump())
