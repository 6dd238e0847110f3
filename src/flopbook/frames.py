"""Results as pandas DataFrames: numbers as floats, units in the column names.

Every result kind's ``to_dataframe()`` is made from its JSON data (``to_dict()``) here, so
that a notebook, the JSON and the tables hold the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["records_frame"]

_STATS = ("p5", "p50", "p95")


def _is_quantity(v: object) -> bool:
    return isinstance(v, Mapping) and "value" in v and "unit" in v


def _name(key: str, unit: str, stat: str = "") -> str:
    head = f"{key} {stat.upper()}" if stat else key
    return f"{head} [{unit}]" if unit else head


def _flat(record: Mapping[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    if _is_quantity(record):
        # rows each in their own unit (a workload's outputs): the unit is a column of its own
        row["mean"] = record["value"]
        for p in _STATS:
            if p in record:
                row[p] = record[p]
        row["unit"] = record["unit"]
    for k, v in record.items():
        if _is_quantity(record) and k in ("value", "unit", "samples", "text", *_STATS):
            continue
        if _is_quantity(v):
            row[_name(k, v["unit"])] = v["value"]
            for p in _STATS:
                if p in v:
                    row[_name(k, v["unit"], p)] = v[p]
        elif not isinstance(v, Mapping | list):
            row[k] = v
    return row


def records_frame(records: Iterable[Mapping[str, Any]], index: str | None = None) -> Any:
    """A DataFrame with one row per record: each quantity ``{"value", "unit", ...}`` becomes
    a float column named with its unit (``tdp [W]``), its percentiles beside it."""
    # pandas loads in about a second; only a frame needs it
    import pandas as pd

    frame = pd.DataFrame([_flat(r) for r in records])
    if index is not None and index in frame.columns:
        frame = frame.set_index(index)
    return frame


def by_year_frame(rows: Iterable[Mapping[str, Any]], stat: str = "value") -> Any:
    """Rows of ``{"label", "unit", "by_year": {year: quantity}}`` as a frame: one row per
    line, labelled with its unit (``Cash available [USD/year]``), one float column per year
    (``stat``: value — the mean —, p5, p50 or p95)."""
    # pandas loads in about a second; only a frame asked for needs it
    import pandas as pd

    data = {}
    for r in rows:
        label = _name(r["label"], r.get("unit", ""))
        data[label] = {
            int(y): (q.get(stat, q["value"]) if q else None) for y, q in r["by_year"].items()
        }
    return pd.DataFrame.from_dict(data, orient="index")
