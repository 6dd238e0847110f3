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
from flopbook.catalog.schema import PRICE_UNITS, SPEC_UNITS, ChipEntry, Price, Sourced
from flopbook.errors import InputError, UnknownNameError
from flopbook.quantity import q

if TYPE_CHECKING:
    import pint

__all__ = ["Catalog", "Chip", "catalog", "chip"]


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
        f = self.field(name)
        if f.value is None:
            return None
        return q(f.value, SPEC_UNITS[name], key=f"{self.id}.{name}")

    def prices(self, kind: str | None = None) -> list[Price]:
        return [p for p in self.entry.prices if kind is None or p.kind == kind]

    def price(self, kind: str) -> pint.Quantity[Any] | None:
        """The newest price estimate of a kind (purchase, server_per_gpu, rental)."""
        found = sorted(self.prices(kind), key=lambda p: p.as_of)
        if not found or found[-1].value is None:
            return None
        return q(found[-1].value, PRICE_UNITS[kind], key=f"{self.id}.price.{kind}")


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
