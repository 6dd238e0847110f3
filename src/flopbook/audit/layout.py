"""What labels say about the numbers beside them: a count, a per-unit figure, a total.

Words, not formulas, are matched here; a spreadsheet's labels are the only place its author
wrote down what a number means.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A per-thing figure (price, average, share) must be weighted, never added. "Per year" and
# other periods are flows: yearly costs of two GPU types do add.
_PERIODS = (
    r"(?:year|yr|annum|month|mo|mth|quarter|qtr|week|wk|day|hour|hr|h|minute|min"
    r"|second|sec|s)"
)
_INTENSIVE = re.compile(
    r"\bper\s+(?!" + _PERIODS + r"\b)[a-z]"
    r"|/\s*(?!" + _PERIODS + r"\b)(?:gpu|chip|unit|node|server|token|user|query|request|head"
    r"|employee|share|mw|kw|kwh|mwh|w|tflop|pflop|flop)s?\b"
    r"|\bavg\b|\baverage\b|\bmean\b|\bmedian\b|\bweighted\b"
    r"|\bprice\b|\basp\b|\bunit cost\b|\bcost each\b|\beach\b"
    r"|%|\bpercent|\bpct\b|\bmargin\b|\butili[sz]ation\b|\bratio\b|\byield\b"
    r"|\befficiency\b|\b(?:interest|tax|discount|growth|hit|error|churn|win|exchange|fx)\s+rate\b"
    r"|\brate\s*\(%|\bmultiple\b|\bpue\b|\bcagr\b",
    re.IGNORECASE,
)
_COUNT = re.compile(
    r"^\s*(?:number|no\.|num|count|#|quantity|qty|units?|volume|headcount)\b"
    r"|\bcount\b|\(#\)|\bnumber of\b|^#|\bunits\b\s*$|\b(?:gpus|chips|servers|nodes|users)"
    r"\s*(?:\(#\))?\s*$",
    re.IGNORECASE,
)
_TOTAL = re.compile(r"\btotal\b|\bsum\b|\ball\b|\boverall\b|\bgrand\b", re.IGNORECASE)
_SUBTOTAL = re.compile(r"\bsub-?\s*total\b|\bsubtotal\b", re.IGNORECASE)
_PARTIAL = re.compile(
    r"\bsub-?\s*total\b|\bytd\b|\bexcl|\bexcluding\b|\bex[-\s]|\bonly\b|\bfirst\b|\bpartial\b"
    r"|\bh[12]\b|\bq[1-4]\b|\bhalf\b|\bsubset\b",
    re.IGNORECASE,
)


# Shares of a whole add up to the whole (a check that they make 100%); run-rates are flows.
_ADDS_UP = re.compile(
    r"\brun[-\s]rate\b|\bshare\b|\bmix\b|\bsplit\b|\ballocation\b"
    r"|\bof total\b|\bweight(?:ing)?s?\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=8192)
def is_intensive(label: str | None) -> bool:
    """A per-unit figure, price, average, rate or percentage: adding it across items is wrong."""
    if not label or _ADDS_UP.search(label):
        return False
    return bool(_INTENSIVE.search(label))


@lru_cache(maxsize=8192)
def is_count(label: str | None) -> bool:
    """A count of things: the weight of a per-thing average."""
    return bool(label) and not is_intensive(label) and bool(_COUNT.search(label or ""))


def is_total(label: str | None) -> bool:
    return bool(label) and bool(_TOTAL.search(label or ""))


def is_subtotal(label: str | None) -> bool:
    return bool(label) and bool(_SUBTOTAL.search(label or ""))


def is_partial(label: str | None) -> bool:
    """A label that says the sum is meant to cover part of the row (a subtotal, YTD, H1)."""
    return bool(label) and bool(_PARTIAL.search(label or ""))
