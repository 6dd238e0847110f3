"""Inputs looked up in shipped, sourced tables: the US electricity price of a year
(``data/electricity_prices.yaml``) and an operator's published PUE (``data/pue.yaml``).

A scenario asks for one instead of giving a number::

    electricity_price: {year: 2023}                  # US industrial average, 8.06 cents
    electricity_price: {year: 2010, sector: commercial}
    pue: {operator: google}                          # Google's latest published figure
    pue: {operator: industry-average, year: 2022}    # the Uptime Institute survey's

and gets the published figure with its source and note, as if it had written
``{value: …, source: …, note: …}``. A year or operator not in the table is an error that says
which are, never an interpolation or a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from flopbook import safe_yaml
from flopbook.errors import InputError, UnknownNameError, suggest

LOOKUP_KEYS: dict[str, tuple[str, ...]] = {
    "electricity_price": ("year", "sector"),
    "pue": ("operator", "year"),
}
"""The assumptions that may be looked up, and the keys each lookup takes."""


@cache
def _table(name: str) -> dict[str, Any]:
    text = (resources.files("flopbook") / "data" / name).read_text(encoding="utf-8")
    return safe_yaml.load(text, f"data/{name}", shipped=True)


def electricity_prices() -> dict[str, Any]:
    """The shipped electricity price table: sources, sectors, and cents per kWh by year."""
    return _table("electricity_prices.yaml")


def pue_table() -> dict[str, Any]:
    """The shipped PUE table: sources, and each operator's figures by year."""
    return _table("pue.yaml")


def is_lookup(name: str, raw: Any) -> bool:
    """True when ``raw`` asks for ``name`` from a table (``{year: 2023}``), not a value."""
    keys = LOOKUP_KEYS.get(name)
    return keys is not None and isinstance(raw, Mapping) and "value" not in raw and keys[0] in raw


def resolve(name: str, raw: Any) -> Any:
    """``raw`` itself, unless it is a lookup: then the published figure as
    ``{value, source, note}``."""
    if not is_lookup(name, raw):
        return raw
    unknown = sorted(str(k) for k in raw if k not in LOOKUP_KEYS[name])
    if unknown:
        raise InputError(
            f"unknown key {unknown[0]!r}",
            field=f"{name}.{unknown[0]}",
            hint="a lookup takes " + " and ".join(LOOKUP_KEYS[name]),
        )
    if name == "electricity_price":
        return _electricity_price(raw)
    return _pue(raw)


def _year(raw: Any, field: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).strip().isdigit():
        raise InputError(
            f"expected a whole year, got {raw!r}",
            field=field,
            hint="write e.g. year: 2023 (the tables hold yearly averages)",
        )
    return int(str(raw).strip())


def _cite(source: Mapping[str, Any]) -> str:
    parts = [str(source["title"]), str(source["url"])]
    if source.get("retrieved"):
        parts.append(f"retrieved {source['retrieved']}")
    return ", ".join(parts)


def _missing_year(year: int, known: list[int], field: str, what: str, where: str) -> InputError:
    return InputError(
        f"no {what} for {year} in the shipped table",
        field=field,
        hint=f"years with a sourced figure: {_years_text(known)} ({where}); or give the value",
    )


def _years_text(years: list[int]) -> str:
    """``2002–2011, 2020, 2022, 2023``: runs of consecutive years joined."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def _electricity_price(raw: Mapping[str, Any]) -> dict[str, Any]:
    table = electricity_prices()
    sector = str(raw.get("sector", table["default_sector"]))
    sectors = table["sectors"]
    if sector not in sectors:
        raise UnknownNameError(
            f"unknown sector {sector!r}",
            field="electricity_price.sector",
            hint=suggest(sector, tuple(sectors)),
        )
    year = _year(raw["year"], "electricity_price.year")
    by_year = {int(y): v for y, v in sectors[sector].items()}
    if year not in by_year:
        raise _missing_year(
            year,
            list(by_year),
            "electricity_price.year",
            f"US {sector} electricity price",
            "data/electricity_prices.yaml",
        )
    row = by_year[year]
    cents = float(row["value"])
    usd = cents * float(table["scale"])
    source = table["sources"][row["source"]]
    return {
        "value": f"{usd:.6g} {table['unit']}",
        "source": _cite(source),
        "note": f"US average {sector} retail price, {year}: {cents:g} cents/kWh"
        + (f" ({row['note']})" if row.get("note") else ""),
    }


def _operator(name: str) -> tuple[str, Mapping[str, Any]]:
    operators = pue_table()["operators"]
    key = name.strip().lower()
    for op, entry in operators.items():
        if key == op or key in entry.get("aliases", []):
            return op, entry
    raise UnknownNameError(
        f"no published PUE for operator {name!r}",
        field="pue.operator",
        hint=suggest(key, tuple(operators)) + " (data/pue.yaml)",
    )


def _pue(raw: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(raw["operator"], str):
        raise InputError(
            f"expected an operator's name, got {raw['operator']!r}",
            field="pue.operator",
            hint="write e.g. operator: google",
        )
    op, entry = _operator(raw["operator"])
    by_year = {int(y): v for y, v in entry["years"].items()}
    if "year" in raw:
        year = _year(raw["year"], "pue.year")
        if year not in by_year:
            raise _missing_year(
                year, list(by_year), "pue.year", f"PUE of {entry['label']}", "data/pue.yaml"
            )
    else:
        year = max(by_year)  # the latest published figure
    row = by_year[year]
    source = pue_table()["sources"][row["source"]]
    return {
        "value": float(row["value"]),
        "source": _cite(source),
        "note": f"{entry['label']}, {year}" + (f" ({row['note']})" if row.get("note") else ""),
    }
