"""Units written in labels, the way spreadsheets write them: ``$m``, ``$bn/yr``, ``$/hr``,
``$k per GPU``, ``MW``, ``%``.

    >>> unit_from_label("TCO (4y Ownership) $m/hr")
    LabelUnit(scale=1000000.0, unit='USD/hour')

The result is a scale (the ``m`` of ``$m``) and a pint unit string, or None where the label
names no unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LabelUnit:
    scale: float
    unit: str


_MONEY = re.compile(
    r"(?:\$|USD|US\$)\s*(?P<scale>bn|b|mm|mn|m|k|thousand|million|billion)?(?![A-Za-z])"
    r"(?:\s*(?:/|per)\s*(?P<per>[A-Za-z\-]+(?:\s*[-/]\s*[A-Za-z]+)?))?",
    re.IGNORECASE,
)
_SCALES = {
    None: 1.0, "k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "million": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9,
}
_PERIODS = {
    "hr": "hour", "h": "hour", "hour": "hour", "hours": "hour",
    "yr": "year", "y": "year", "year": "year", "years": "year", "annum": "year", "pa": "year",
    "month": "month", "mo": "month", "mth": "month", "day": "day", "d": "day",
}
_PER_THINGS = {"gpu": "GPU", "gpus": "GPU", "chip": "GPU", "accelerator": "GPU",
               "token": "token", "tokens": "token", "query": "query", "kwh": "kWh",
               "kw": "kW", "mwh": "MWh"}
_POWER = re.compile(r"\b(k|M|G)?W\b")


def _per(text: str) -> str | None:
    parts = [p for p in re.split(r"\s*[-/]\s*|\s+", text.strip()) if p]
    units = []
    for p in parts:
        low = p.lower()
        if low in _PERIODS:
            units.append(_PERIODS[low])
        elif low in _PER_THINGS:
            units.append(_PER_THINGS[low])
        else:
            return None
    return "/".join(units) if units else None


def unit_from_label(label: str) -> LabelUnit | None:
    """The unit a label states, or None. Money first, then power, then a percentage."""
    text = label.strip()
    m = _MONEY.search(text)
    if m:
        scale = _SCALES[(m.group("scale") or "").lower() or None]
        unit = "USD"
        if m.group("per"):
            per = _per(m.group("per"))
            if per:
                unit += "/" + per
        return LabelUnit(scale, unit)
    if re.search(r"\bper\s+(year|annum)\b|\byearly\b|\bannual\b|\bp\.?a\.?\b", text, re.I):
        return LabelUnit(1.0, "1/year")
    p = _POWER.search(text)
    if p:
        return LabelUnit({None: 1.0, "k": 1e3, "M": 1e6, "G": 1e9}[p.group(1)], "W")
    if "%" in text or re.search(r"\bpercent|\bshare\b|\butili[sz]ation\b", text, re.I):
        return LabelUnit(0.01 if "%" in text else 1.0, "")
    return None
