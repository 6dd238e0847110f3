"""Items in order, each reading the one before: a payer's years.

A kind whose :attr:`~flopbook.formula.declaration.Kind.carried` names inputs such as
``nav_prev`` (last year's ``nav``) is evaluated item by item: each item's carried inputs are
the previous item's formulas, and the first item has none (its formulas take the case for a
missing input, as a fund's first year starts from its opening assets). The workbook follows
the same declaration: a carried input is the previous column's cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from flopbook.formula.declaration import Form
from flopbook.formula.result import ItemOutputs

if TYPE_CHECKING:
    import pint

    from flopbook.formula.declaration import Kind

__all__ = ["form_of", "in_order"]


def form_of(values: Mapping[str, pint.Quantity], choices: Mapping[str, str] | None = None) -> Form:
    """The form of an item given ``values``: what was given, and which values are plain
    numbers (shares)."""
    return Form(
        frozenset(values),
        frozenset(n for n, v in values.items() if v.dimensionless),
        tuple(sorted((choices or {}).items())),
    )


def in_order(kind: Kind, items: Sequence[Mapping[str, pint.Quantity]]) -> list[ItemOutputs]:
    """Each item's outputs, the carried inputs of each read from the item before it."""
    out: list[ItemOutputs] = []
    for given in items:
        values = dict(given)
        if out:
            for name, formula in kind.carried.items():
                before = out[-1].value(formula)
                if before is not None:
                    values[name] = before
        out.append(ItemOutputs(kind, values, form_of(values)))
    return out
