"""Prices of one year restated in the dollars of another, by the US CPI-U (``cpi.yaml``).

A price paid in 2017 and one paid in 2024 are not the same money: 2017's dollar bought about
28% more. Each is multiplied by CPI(base year) / CPI(price year) before they are added.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from flopbook import safe_yaml
from flopbook.errors import InputError


@cache
def cpi() -> dict[str, Any]:
    """The shipped index: series id, title, source and the annual averages by year."""
    text = (resources.files("flopbook.models") / "cpi.yaml").read_text(encoding="utf-8")
    return safe_yaml.load(text, "models/cpi.yaml", shipped=True)


def years() -> list[int]:
    return sorted(int(y) for y in cpi()["annual"])


def index(year: float, *, field: str) -> float:
    """The CPI-U annual average of ``year``; a year outside the table is a clear error."""
    table = {int(y): float(v) for y, v in cpi()["annual"].items()}
    if year != int(year):
        raise InputError(
            f"the US CPI-U is an annual average: {year:.6g} is not a whole year",
            field=field,
            hint="give the year of the prices' dollars, e.g. 2024 (not a month)",
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


def restate_factor(
    prices_of: float, dollars_of: float, *, field: str, base_field: str = "dollars_of"
) -> float:
    """What one dollar of ``prices_of`` is worth in dollars of ``dollars_of``."""
    return index(dollars_of, field=base_field) / index(prices_of, field=field)
