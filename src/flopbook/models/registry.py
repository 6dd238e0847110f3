"""The declared model kinds, by name. Callers look a kind up here (``kind("fleet")``) or read
it from a result (``result.kind``) instead of branching on class names; adding a kind is
adding its declaration to :data:`KINDS`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flopbook.errors import UnknownNameError, suggest
from flopbook.formula.declaration import Kind
from flopbook.models.fleet import FLEET
from flopbook.models.funding import COMPANY, FUND, PAYER_ROWS
from flopbook.models.workload import TRAINING

if TYPE_CHECKING:
    from flopbook.formula.declaration import Output

__all__ = ["DOC_PAGES", "KINDS", "kind"]

KINDS: dict[str, Kind] = {k.name: k for k in (FLEET, TRAINING, FUND, COMPANY)}


def _payer_total(output: Output) -> str:
    return "sum of years" if PAYER_ROWS[output.key].kind == "flow" else "not added"


# kind -> (the docs page that holds its formula table, how its totals are made when not the
# sum of items); scripts/formula_docs.py writes the tables, tests/test_docs.py checks them
DOC_PAGES: dict[str, tuple[str, Callable[[Output], str] | None]] = {
    "fleet": ("scenario.md", None),
    "fund": ("funding.md", _payer_total),
    "company": ("funding.md", _payer_total),
}


def kind(name: str) -> Kind:
    """The kind called ``name``, or an error naming the nearest."""
    if name not in KINDS:
        raise UnknownNameError(f"unknown model kind {name!r}", hint=suggest(name, tuple(KINDS)))
    return KINDS[name]
