"""The accelerator catalog: chips as sourced data, looked up by name.

    >>> from flopbook.catalog import chip
    >>> h800 = chip("H800")
    >>> h800.spec("bf16_dense")           # 989 TFLOP/s, as a quantity
    >>> h800.field("tdp").source          # where the figure comes from

Names match case-insensitively on the id, the full name and the aliases; spaces, dashes and
underscores are ignored ("ascend 910c" finds Ascend910C). An unknown name is an error that
suggests the nearest names.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from flopbook import safe_yaml
from flopbook.catalog.schema import (
    PRICE_UNITS,
    RENTAL_TERMS,
    SPEC_UNITS,
    ChipEntry,
    Price,
    Sourced,
    date_mid,
    date_start,
    today,
)
from flopbook.distributions import Distribution
from flopbook.errors import InputError, UnknownNameError
from flopbook.quantity import Quantity, parse_range, q, summarize

if TYPE_CHECKING:
    import datetime as dt

    import pint

    from flopbook.quantity import Summary

__all__ = ["Catalog", "Chip", "PricePick", "catalog", "chip", "sourced_quantity"]

# A price used further than this from the date it was observed is flagged as stale.
STALE_DAYS = 365
# Observations this close to the chosen date are one snapshot of the market (a page of
# several clouds' prices archived over a few days).
SNAPSHOT_DAYS = 31


def sourced_quantity(f: Sourced, unit: str, key: str) -> pint.Quantity[Any]:
    """A sourced value as a quantity: a range is sampled as its ``range`` says (uniform
    between the ends, or a 90% interval)."""
    if f.range == "uniform":
        low, high = parse_range(f.value or "")  # type: ignore[misc]
        lo, hi = float(low.to(unit).magnitude[0]), float(high.to(unit).magnitude[0])
        return Quantity(Distribution("uniform", {"low": lo, "high": hi}).sample(key=key), unit)
    return q(f.value, unit, key=key)


def _ends(f: Sourced, unit: str) -> tuple[float, ...]:
    """A value's stated ends: both ends of a range, or the point itself."""
    ends = parse_range(f.value or "")
    if ends is None:
        return (float(q(f.value, unit).magnitude[0]),)
    return tuple(float(e.to(unit).magnitude[0]) for e in ends)


@dataclass(frozen=True)
class PricePick:
    """The price a model uses, with the observations it came from and why they were
    chosen: ``how`` is "nearest to 2021-06-01" or "latest"; ``age_days`` is the distance
    from the date the price is used at (today when none is given)."""

    kind: str
    term: str | None
    value: pint.Quantity[Any]
    observations: tuple[Price, ...]
    how: str
    used_at: dt.date
    age_days: int

    @property
    def stale(self) -> bool:
        return self.age_days > STALE_DAYS

    @property
    def unit(self) -> str:
        return PRICE_UNITS[self.kind]

    @property
    def summary(self) -> Summary:
        return summarize(self.value.to(self.unit))

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "term": self.term,
            "value": self.summary.as_dict(),
            "unit": self.unit,
            "as_of": self.as_of,
            "how": self.how,
            "used_at": self.used_at.isoformat(),
            "age_days": self.age_days,
            "stale": self.stale,
            "observations": len(self.observations),
            "source": self.source,
            "describe": self.describe(),
        }

    @property
    def as_of(self) -> str:
        dates = sorted({o.as_of for o in self.observations})
        return dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"

    @property
    def source(self) -> str:
        return "; ".join(dict.fromkeys(o.source for o in self.observations))

    def describe(self) -> str:
        """One line: what was picked, from when, and whether it is stale."""
        n = len(self.observations)
        what = (
            f"{n} observations of {self.as_of}, uniform between the lowest and highest"
            if n > 1
            else f"{self.as_of}"
        )
        vendor = self.observations[0].vendor if n == 1 else None
        kind = self.kind.replace("_", " ")
        line = f"{kind}{', ' + self.term.replace('_', '-') if self.term else ''}, {what}"
        if vendor:
            line += f" ({vendor})"
        line += f", {self.how}"
        if any(o.estimate for o in self.observations):
            line += "; an estimate (weak source)"
        if self.stale:
            line += (
                f"; STALE: used {self.age_days / 365.25:.1f} years from its date "
                f"({self.used_at.isoformat()})"
            )
        return line


def name_key(name: str) -> str:
    """A name as it is matched: case, spaces, dashes and underscores ignored."""
    return re.sub(r"[\s_\-]+", "", name).lower()


@dataclass(frozen=True)
class Chip:
    """A catalog entry with its values as quantities."""

    entry: ChipEntry
    file: str

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def architecture(self) -> str:
        return self.entry.architecture

    def field(self, name: str) -> Sourced:
        """A spec with its source, e.g. ``field("tdp")``."""
        if name not in SPEC_UNITS:
            raise UnknownNameError(
                f"no spec {name!r}", hint="known specs: " + ", ".join(SPEC_UNITS)
            )
        found: Sourced = getattr(self.entry.specs, name)
        return found

    def spec(self, name: str) -> pint.Quantity[Any] | None:
        """The spec as a quantity in its catalog unit, or None where the chip lacks it
        (an A100 has no FP8)."""
        point = _POINT_SPECS.get((self.id, name))
        if point is not None:  # a copy: a caller may change its array in place
            return point._REGISTRY.Quantity(point.magnitude.copy(), point.units)
        f = self.field(name)
        if f.value is None:
            return None
        if f.range is not None:  # drawn again each time, under the sampling settings in force
            return sourced_quantity(f, SPEC_UNITS[name], key=f"{self.id}.{name}")
        value = q(f.value, SPEC_UNITS[name], key=f"{self.id}.{name}")
        if not (isinstance(f.value, str) and parse_range(f.value) is not None):
            # a fixed figure is read once: a fleet of 3,000 SKUs asks for it 300,000 times
            _POINT_SPECS[(self.id, name)] = value
        return value

    def prices(self, kind: str | None = None, term: str | None = None) -> list[Price]:
        """The price observations of a kind (and rental term), oldest first."""
        found = [
            p
            for p in self.entry.prices
            if (kind is None or p.kind == kind)
            and (term is None or p.term == term)
            and p.value is not None
        ]
        return sorted(found, key=lambda p: date_mid(p.as_of))

    def pick_price(
        self, kind: str, at: dt.date | str | None = None, term: str = "on_demand"
    ) -> PricePick | None:
        """The price of a kind a model uses at date ``at``: the default observations nearest
        to ``at`` (the latest when no date is given), with those observed within a month of
        it. One observation is its own value; several are read as uniform between the
        lowest and the highest (a snapshot of a market, not a fitted interval). Rentals are
        of one ``term`` (on-demand by default)."""
        series = self.prices(kind, term if kind == "rental" else None)
        found = [p for p in series if p.default]
        fallback = not found and bool(series)
        if fallback:
            # only list prices or stated assumptions exist: use them, and say so
            found = series
        if not found:
            return None
        when = date_start(at) if isinstance(at, str) else at
        if when is None:
            anchor = date_mid(found[-1].as_of)
            how = "the latest observation (no date given)"
        else:
            anchor = min(
                (date_mid(p.as_of) for p in found),
                key=lambda d: (abs((d - when).days), -d.toordinal()),
            )
            how = f"the observation nearest to {when.isoformat()}"
        if fallback:
            how += "; only observations kept out of the defaults exist (list prices)"
        snap = tuple(p for p in found if abs((date_mid(p.as_of) - anchor).days) <= SNAPSHOT_DAYS)
        unit = PRICE_UNITS[kind]
        key = f"{self.id}.price.{kind}"
        if len(snap) == 1:
            value = sourced_quantity(snap[0], unit, key)
        else:
            ends = [e for p in snap for e in _ends(p, unit)]
            lo, hi = min(ends), max(ends)
            value = Quantity(Distribution("uniform", {"low": lo, "high": hi}).sample(key=key), unit)
        used = when or today()
        age = max(abs((date_mid(p.as_of) - used).days) for p in snap)
        return PricePick(kind, term if kind == "rental" else None, value, snap, how, used, age)

    def price_series(self, at: dt.date | str | None = None) -> list[tuple[Price, int, bool]]:
        """Every price observation with its distance in days from ``at`` (today when not
        given) and whether that makes it stale (over :data:`STALE_DAYS`)."""
        used = date_start(at) if isinstance(at, str) else (at or today())
        order = {"purchase": 0, "server_per_gpu": 1, "rental": 2}
        rows = []
        for p in sorted(
            self.entry.prices, key=lambda p: (order[p.kind], p.term or "", date_mid(p.as_of))
        ):
            age = abs((date_mid(p.as_of) - used).days)
            rows.append((p, age, age > STALE_DAYS))
        return rows

    def price_picks(self, at: dt.date | str | None = None) -> list[PricePick]:
        """The price of each kind (and rental term) a model would use at ``at``."""
        picks = [self.pick_price(k, at) for k in ("purchase", "server_per_gpu")]
        picks += [self.pick_price("rental", at, term) for term in RENTAL_TERMS]
        return [p for p in picks if p is not None]

    def price(
        self, kind: str, at: dt.date | str | None = None, term: str = "on_demand"
    ) -> pint.Quantity[Any] | None:
        """The price of a kind (purchase, server_per_gpu, rental) at date ``at``, or the
        latest; see :meth:`pick_price`."""
        pick = self.pick_price(kind, at, term)
        return None if pick is None else pick.value


class Catalog:
    """All chips in ``flopbook/catalog/data``."""

    def __init__(self, chips: list[Chip]) -> None:
        self.chips = sorted(chips, key=lambda c: (c.entry.vendor, c.entry.name))
        self._index: dict[str, Chip] = {}
        for c in self.chips:
            for n in (c.id, c.name, *c.entry.aliases):
                self._index.setdefault(name_key(n), c)

    def __iter__(self) -> Iterator[Chip]:
        return iter(self.chips)

    def __len__(self) -> int:
        return len(self.chips)

    def names(self) -> list[str]:
        return [c.id for c in self.chips]

    def get(self, name: str) -> Chip:
        found = self._index.get(name_key(name))
        if found is not None:
            return found
        near = difflib.get_close_matches(name_key(name), list(self._index), n=3, cutoff=0.5)
        ids = list(dict.fromkeys(self._index[k].id for k in near))
        hint = (
            f"did you mean {' or '.join(ids)}?"
            if ids
            else "run `flopbook catalog` to list the chips"
        )
        raise UnknownNameError(f"unknown chip {name!r}", hint=hint)

    def __contains__(self, name: str) -> bool:
        return name_key(name) in self._index


_POINT_SPECS: dict[tuple[str, str], pint.Quantity[Any]] = {}


def _load_file(text: str, file: str) -> ChipEntry:
    try:
        data = safe_yaml.load(text, file, shipped=True)
        return ChipEntry.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise InputError(err["msg"], file=file, field=where) from None


@cache
def catalog() -> Catalog:
    """The catalog shipped with flopbook (read once)."""
    root = resources.files("flopbook.catalog") / "data"
    chips = []
    for item in sorted(root.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".yaml"):
            entry = _load_file(item.read_text(encoding="utf-8"), f"catalog/data/{item.name}")
            chips.append(Chip(entry, item.name))
    return Catalog(chips)


def chip(name: str) -> Chip:
    """The catalog chip called ``name`` (id, full name or alias)."""
    return catalog().get(name)
