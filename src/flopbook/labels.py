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
    None: 1.0,
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
}
_PERIODS = {
    "hr": "hour",
    "h": "hour",
    "hour": "hour",
    "hours": "hour",
    "yr": "year",
    "y": "year",
    "year": "year",
    "years": "year",
    "annum": "year",
    "pa": "year",
    "month": "month",
    "mo": "month",
    "mth": "month",
    "day": "day",
    "d": "day",
}
_PER_THINGS = {
    "gpu": "GPU",
    "gpus": "GPU",
    "chip": "GPU",
    "accelerator": "GPU",
    "token": "token",
    "tokens": "token",
    "query": "query",
    "kwh": "kWh",
    "kw": "kW",
    "mwh": "MWh",
}
_POWER = re.compile(r"\b(k|M|G)?W\b")
_ENERGY = re.compile(r"\b(k|M|G|T)?Wh\b")
_PREFIX = {None: 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
# A period or a thing stated apart from the money sign: "Opex per year $m", "Annual cost $k".
_PER_ELSEWHERE = re.compile(r"\bper\s+(?P<per>[A-Za-z\-]+)", re.IGNORECASE)
_YEARLY = re.compile(r"\b(?:annual|annually|yearly|p\.a\.|pa)\b", re.IGNORECASE)
_MONTHLY = re.compile(r"\bmonthly\b", re.IGNORECASE)
_HOURLY = re.compile(r"\bhourly\b", re.IGNORECASE)
# A duration as the quantity itself: "Useful life (years)", "Hours per year".
_DURATION = re.compile(
    r"^\s*(?:[A-Za-z0-9]+-)?(?P<unit>hours|years|months|days)\b"
    r"|\((?P<paren>hours|hrs|years|yrs"
    r"|months|days)\)",
    re.IGNORECASE,
)


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


def _per_elsewhere(text: str) -> str | None:
    """The period of a label written apart from its unit ("Opex per year $m", "Annual cost
    $k"). Only periods: "ASP per GPU ($k)" stays dollars, as a count of things is no unit."""
    for m in _PER_ELSEWHERE.finditer(text):
        word = m.group("per").lower()
        if word in _PERIODS:
            return _PERIODS[word]
    if _YEARLY.search(text):
        return "year"
    if _MONTHLY.search(text):
        return "month"
    if _HOURLY.search(text):
        return "hour"
    return None


def unit_from_label(label: str) -> LabelUnit | None:
    """The unit a label states, or None. Money first, then power, then a percentage."""
    text = label.strip()
    m = _MONEY.search(text)
    if m:
        scale = _SCALES[(m.group("scale") or "").lower() or None]
        unit = "USD"
        per = _per(m.group("per")) if m.group("per") else None
        if per is None:
            per = _per_elsewhere(text)
        if per:
            unit += "/" + per
        return LabelUnit(scale, unit)
    d = _DURATION.search(text)
    if d:
        word = (d.group("unit") or d.group("paren")).lower()
        unit = _PERIODS.get(word.rstrip("s"), _PERIODS.get(word, word))
        per = _per_elsewhere(text)
        return LabelUnit(1.0, f"{unit}/{per}" if per else unit)
    e = _ENERGY.search(text)
    if e:
        per = _per_elsewhere(text)
        return LabelUnit(_PREFIX[e.group(1)], "W*hour" + (f"/{per}" if per else ""))
    if re.search(r"\bper\s+(year|annum)\b|\byearly\b|\bannual\b|\bp\.?a\.?\b", text, re.I):
        return LabelUnit(1.0, "1/year")
    p = _POWER.search(text)
    if p:
        return LabelUnit(_PREFIX[p.group(1)], "W")
    if "%" in text or re.search(r"\bpercent|\bshare\b|\butili[sz]ation\b", text, re.I):
        return LabelUnit(0.01 if "%" in text else 1.0, "")
    return None
