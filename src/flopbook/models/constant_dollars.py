"""Prices of one year or month restated in the dollars of another, by a shipped price index.

A price paid in 2017 and one paid in 2024 are not the same money: 2017's dollar bought about
28% more. Each is multiplied by index(base) / index(price's date) before they are added.

Two indexes ship, each with its series id and source:

- ``cpi-u`` (the default): the US CPI-U's annual averages (``cpi.yaml``); whole years only.
- ``ppi-hosting``: the US producer price index for data processing, hosting and related
  services, by month (``ppi_hosting.yaml``); the index Epoch AI restate their training-cost
  estimates by. A date names the month it falls in (``2023-02``, ``2023-02-24``); a bare year
  is its January.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Any

from flopbook import safe_yaml
from flopbook.errors import InputError

DEFAULT_INDEX = "cpi-u"

# name -> (file, label in notes and errors, monthly?)
_INDEXES: dict[str, tuple[str, str, bool]] = {
    "cpi-u": ("cpi.yaml", "the US CPI-U", False),
    "ppi-hosting": ("ppi_hosting.yaml", "the US PPI for data processing and hosting", True),
}


def index_names() -> list[str]:
    return list(_INDEXES)


@cache
def _table(name: str) -> dict[str, Any]:
    file = _INDEXES[name][0]
    text = (resources.files("flopbook.models") / file).read_text(encoding="utf-8")
    return safe_yaml.load(text, f"models/{file}", shipped=True)


def cpi() -> dict[str, Any]:
    """The shipped CPI-U: series id, title, source and the annual averages by year."""
    return _table("cpi-u")


def ppi_hosting() -> dict[str, Any]:
    """The shipped PPI for data processing and hosting: series id, title, source and the
    monthly values by ``YYYY-MM``."""
    return _table("ppi-hosting")


def years() -> list[int]:
    return sorted(int(y) for y in cpi()["annual"])


def months() -> list[str]:
    return sorted(str(m) for m in ppi_hosting()["monthly"])


def check_index(name: Any, *, field: str = "price_index") -> str:
    """``name`` if it is a shipped index, else a one-line error naming those that are."""
    if name is None:
        return DEFAULT_INDEX
    if not isinstance(name, str) or name not in _INDEXES:
        raise InputError(
            f"no price index {name!r}",
            field=field,
            hint="use one of: "
            + ", ".join(_INDEXES)
            + " (models/cpi.yaml, models/ppi_hosting.yaml)",
        )
    return name


def index_label(name: str = DEFAULT_INDEX) -> str:
    return _INDEXES[check_index(name)][1]


def is_monthly(name: str = DEFAULT_INDEX) -> bool:
    return _INDEXES[check_index(name)][2]


def month_of(year: float) -> str:
    """The ``YYYY-MM`` a decimal year falls in (the inverse of reading ``2023-02`` as the
    decimal year of its first day, 2023 + 31/365)."""
    whole = int(year // 1)
    first = dt.date(whole, 1, 1)
    days = (dt.date(whole + 1, 1, 1) - first).days
    # a month's first day read back lands on it; the rounding absorbs float error only
    day = first + dt.timedelta(days=int(round((year - whole) * days, 6) // 1))
    return f"{day.year:04d}-{day.month:02d}"


def date_label(year: float, name: str = DEFAULT_INDEX) -> str:
    """How a date shows in a restated price's note: ``2017`` or ``2023-02``."""
    return month_of(year) if is_monthly(name) else f"{year:g}"


def index(year: float, *, field: str, name: str = DEFAULT_INDEX) -> float:
    """The value of index ``name`` at ``year`` (its annual average, or its month); a date
    outside the table is a clear error."""
    if is_monthly(name):
        return _monthly(year, field=field, name=name)
    table = {int(y): float(v) for y, v in cpi()["annual"].items()}
    if year != int(year):
        raise InputError(
            f"the US CPI-U is an annual average: {year:.6g} is not a whole year",
            field=field,
            hint="give the year of the prices' dollars, e.g. 2024 (not a month), or use "
            "price_index: ppi-hosting for a monthly index",
        )
    if int(year) not in table:
        known = years()
        raise InputError(
            f"no US CPI-U annual average for {year:g}",
            field=field,
            hint=f"give a whole year from {known[0]} to {known[-1]} "
            f"(series {cpi()['series']}, models/cpi.yaml)",
        )
    return table[int(year)]


def _monthly(year: float, *, field: str, name: str) -> float:
    table = {str(m): float(v) for m, v in ppi_hosting()["monthly"].items()}
    month = month_of(year)
    if month not in table:
        known = months()
        raise InputError(
            f"no value of {index_label(name)} for {month}",
            field=field,
            hint=f"give a month from {known[0]} to {known[-1]} "
            f"(series {ppi_hosting()['series']}, models/ppi_hosting.yaml)",
        )
    return table[month]


def restate_factor(
    prices_of: float,
    dollars_of: float,
    *,
    field: str,
    base_field: str = "dollars_of",
    index_name: str = DEFAULT_INDEX,
) -> float:
    """What one dollar of ``prices_of`` is worth in dollars of ``dollars_of``."""
    return index(dollars_of, field=base_field, name=index_name) / index(
        prices_of, field=field, name=index_name
    )
