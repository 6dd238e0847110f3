"""Inputs looked up in shipped, sourced tables: the US electricity price of a year
(``data/electricity_prices.yaml``), an operator's published PUE (``data/pue.yaml``) and a
chip's reference server (``data/servers.yaml``).

A scenario asks for one instead of giving a number::

    electricity_price: {year: 2023}                  # US industrial average, 8.06 cents
    electricity_price: {year: 2010, sector: commercial}
    pue: {operator: google}                          # Google's latest published figure
    pue: {operator: industry-average, year: 2022}    # the Uptime Institute survey's
    server_power_overhead: {chip: H100}              # DGX H100 at its maximum: 82.1%
    server_overhead_capex: {chip: H100}              # DGX H100 against its GPUs: 38.5%

and gets the published figure with its source and note, as if it had written
``{value: …, source: …, note: …}``. A year, operator or chip not in the table is an error
that says which are, never an interpolation or a guess.

A fleet that says when it is used (a SKU's ``as_of``) or by whom (``operator:``) and leaves
the electricity price or PUE unset gets them from here as defaults
(:func:`electricity_price_of`, :func:`pue_of`): a year the table lacks takes the nearest
earlier one, with a note saying so.
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
    "server_power_overhead": ("chip",),
    "server_overhead_capex": ("chip",),
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


def servers_table() -> dict[str, Any]:
    """The shipped whole-server table: each chip's reference system, its maximum power and,
    where published, its price against its GPUs' price."""
    return _table("servers.yaml")


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
    if name == "pue":
        return _pue(raw)
    return _server(name, raw)


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
    sector = _sector(str(raw.get("sector", table["default_sector"])))
    year = _year(raw["year"], "electricity_price.year")
    by_year = _sector_years(sector)
    if year not in by_year:
        raise _missing_year(
            year,
            list(by_year),
            "electricity_price.year",
            f"US {sector} electricity price",
            "data/electricity_prices.yaml",
        )
    return _price_row(sector, year)


def _sector(sector: str) -> str:
    sectors = electricity_prices()["sectors"]
    if sector not in sectors:
        raise UnknownNameError(
            f"unknown sector {sector!r}",
            field="electricity_price.sector",
            hint=suggest(sector, tuple(sectors)),
        )
    return sector


def _sector_years(sector: str) -> dict[int, Any]:
    return {int(y): v for y, v in electricity_prices()["sectors"][sector].items()}


def _price_row(sector: str, year: int) -> dict[str, Any]:
    table = electricity_prices()
    row = _sector_years(sector)[year]
    cents = float(row["value"])
    usd = cents * float(table["scale"])
    source = table["sources"][row["source"]]
    worked = (
        f"; EIA revenue {row['revenue_musd']:,} million USD / sales {row['sales_gwh']:,} GWh"
        if "revenue_musd" in row
        else ""
    )
    return {
        "value": f"{usd:.6g} {table['unit']}",
        "source": _cite(source),
        "note": f"US average {sector} retail price, {year}: {cents:g} cents/kWh"
        + (f" ({row['note']})" if row.get("note") else "")
        + worked,
    }


def _operator(name: str, field: str = "pue.operator") -> tuple[str, Mapping[str, Any]]:
    operators = pue_table()["operators"]
    key = name.strip().lower()
    for op, entry in operators.items():
        if key == op or key in entry.get("aliases", []):
            return op, entry
    raise UnknownNameError(
        f"no published PUE for operator {name!r}",
        field=field,
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
    return _pue_row(entry, year)


def _pue_row(entry: Mapping[str, Any], year: int) -> dict[str, Any]:
    row = {int(y): v for y, v in entry["years"].items()}[year]
    source = pue_table()["sources"][row["source"]]
    return {
        "value": float(row["value"]),
        "source": _cite(source),
        "note": f"{entry['label']}, {year}: PUE {float(row['value']):g}"
        + (f" ({row['note']})" if row.get("note") else ""),
    }


# ---- defaults picked from a scenario's date and operator -------------------------------


def operator_name(name: Any, field: str = "operator") -> str:
    """The table's name for an operator a scenario names (``Facebook`` is ``meta``), or a
    one-line error listing those it holds."""
    if not isinstance(name, str) or not name.strip():
        raise InputError(
            f"expected an operator's name, got {name!r}",
            field=field,
            hint="write e.g. operator: google (data/pue.yaml lists them)",
        )
    return _operator(name, field)[0]


def _earlier(year: int, known: list[int]) -> int | None:
    """``year`` if the table has it, else the nearest earlier year it has (None if none)."""
    before = [y for y in known if y <= year]
    return max(before) if before else None


def _picked(figure: dict[str, Any], why: str, year: int, used: int) -> dict[str, Any]:
    gap = (
        ""
        if used == year
        else f"; the table has no figure for {year}, so {used}'s, the nearest earlier, is used"
    )
    return {**figure, "note": f"{figure['note']}; {why}{gap}"}


def electricity_price_of(year: int, *, field: str) -> dict[str, Any]:
    """The US industrial average price of ``year`` as a default ``{value, source, note}``:
    that year's figure, or the nearest earlier year's with a note saying so. An analyst
    costing a 2024 fleet would rather see 2023's published price, marked, than an error or
    a made-up 2024 one; a year before the table starts is an error naming ``field``."""
    sector = str(electricity_prices()["default_sector"])
    known = list(_sector_years(sector))
    used = _earlier(year, known)
    if used is None:
        raise InputError(
            f"no US {sector} electricity price for {year} or before in the shipped table "
            f"(it starts in {min(known)})",
            field=field,
            hint='give the price, e.g. assumptions: {electricity_price: "0.05 USD/kWh"}',
        )
    return _picked(_price_row(sector, used), f"picked by the use year (as_of {year})", year, used)


def pue_of(operator: str, year: int | None, *, field: str) -> dict[str, Any]:
    """``operator``'s published PUE as a default: of ``year`` (or the nearest earlier year
    the table has, noted), or its latest without a year. A year before the operator's first
    published figure is an error naming ``field``."""
    op, entry = _operator(operator, field)
    known = [int(y) for y in entry["years"]]
    if year is None:
        return _picked(
            _pue_row(entry, max(known)), f"picked by operator: {op}", max(known), max(known)
        )
    used = _earlier(year, known)
    if used is None:
        raise InputError(
            f"no published PUE of {entry['label']} for {year} or before "
            f"(the first is {min(known)}'s)",
            field=field,
            hint="give the PUE, e.g. assumptions: {pue: 1.2}",
        )
    return _picked(
        _pue_row(entry, used), f"picked by operator: {op} and the use year ({year})", year, used
    )


# ---- whole servers: power and parts beside the GPU, by chip ----------------------------


def _server_chip(raw: Any, field: str) -> tuple[str, Mapping[str, Any]]:
    chips = servers_table()["chips"]
    key = str(raw).strip().lower().replace(" ", "").replace("-", "")
    for chip_id, entry in chips.items():
        if key in (chip_id.lower(), str(entry["system"]).lower().replace(" ", "")):
            return chip_id, entry
    raise UnknownNameError(
        f"no published server figures for chip {raw!r}",
        field=field,
        hint=suggest(str(raw), tuple(chips)) + " (data/servers.yaml); or give the share",
    )


def _server(name: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    field = f"{name}.chip"
    chip_id, entry = _server_chip(raw["chip"], field)
    sources = servers_table()["sources"]
    if name == "server_power_overhead":
        per_gpu = float(entry["max_power_kw"]) * 1000 / int(entry["gpus"])
        tdp = float(entry["gpu_tdp_w"])
        share = per_gpu / tdp - 1
        return {
            "value": f"{100 * share:.6g}%",
            "source": _cite(sources[entry["power_source"]]),
            "note": f"{entry['system']}: {entry['max_power_kw']:g} kW at most for "
            f"{entry['gpus']} GPUs = {per_gpu:,.1f} W per GPU, {100 * share:.1f}% above "
            f"the {chip_id}'s {tdp:g} W TDP (a maximum: a typical draw is lower)",
        }
    if "server_price_usd" not in entry:
        raise InputError(
            f"no published server and GPU prices for {chip_id}",
            field=field,
            hint="chips with both: "
            + ", ".join(c for c, e in servers_table()["chips"].items() if "server_price_usd" in e)
            + "; or give the share, or the whole server's server_cost_per_gpu",
        )
    server, gpus = float(entry["server_price_usd"]), float(entry["gpus_price_usd"])
    share = server / gpus - 1
    return {
        "value": f"{100 * share:.6g}%",
        "source": _cite(sources[entry["cost_source"]]),
        "note": f"{entry['system']}: ${server:,.0f} for the server against ${gpus:,.0f} for "
        f"its {entry['gpus']} GPUs and baseboard, i.e. {100 * share:.1f}% on top of the GPUs",
    }
