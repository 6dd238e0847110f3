"""A kind's declared totals over its items, evaluated over the samples.

A :class:`~flopbook.formula.declaration.Total` is an expression over aggregates of the kind's
formulas across its items: ``lowest_of(ratio)`` is, sample by sample, the lowest value of
``ratio`` over the items that have it (a payer's years); ``sum_of``, ``highest_of``,
``product_of`` and ``count_of`` likewise. An item where the formula is unknown is left out,
and so is a sample where its value is not a number (0/0: no ratio that year). The workbook
writes the same expression with ``SUM``, ``MIN``, ``MAX``, ``PRODUCT`` and ``COUNT`` over
the formula's cells (:func:`flopbook.formula.excel.total_formula`).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

import numpy as np

from flopbook.calc import AGGREGATES, call
from flopbook.quantity import Quantity, registry

if TYPE_CHECKING:
    import pint

    from flopbook.formula.declaration import Kind, Total

__all__ = ["Items", "evaluate_total", "totals"]


class Items(Protocol):
    """An item's formulas by key (None: unknown for the item's form)."""

    def value(self, key: str) -> pint.Quantity | None: ...


def totals(kind: Kind, items: Sequence[Items]) -> dict[str, pint.Quantity | None]:
    """Every declared total of ``kind`` over ``items`` (None: no item has what it reads)."""
    return {t.key: evaluate_total(kind, t, items) for t in kind.totals}


def evaluate_total(kind: Kind, t: Total, items: Sequence[Items]) -> pint.Quantity | None:
    """``t`` over ``items``, in its declared unit (None where no item has a formula it
    aggregates)."""
    kind.check()
    try:
        value = _Totaller(kind, items).visit(t.parsed.tree.body)
    except _Unknown:
        return None
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return value.to(t.unit or "")


class _Unknown(Exception):
    """An aggregate over no item: the total is unknown."""


class _Totaller:
    def __init__(self, kind: Kind, items: Sequence[Items]) -> None:
        self.kind, self.items = kind, items

    def visit(self, node: ast.AST) -> pint.Quantity:
        if isinstance(node, ast.Constant):
            return Quantity(float(cast(float, node.value)), "")
        if isinstance(node, ast.Name):
            c = self.kind.constant.get(node.id)
            if c is not None:
                return Quantity(c.value, c.unit)
            return Quantity(1.0, node.id)
        if isinstance(node, ast.UnaryOp):
            inner = self.visit(node.operand)
            return cast("pint.Quantity", -inner) if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.Call):
            name = cast(ast.Name, node.func).id
            if name in AGGREGATES:
                return self.aggregate(name, cast(ast.Name, node.args[0]).id)
            return call(name, [self.visit(a) for a in node.args])
        assert isinstance(node, ast.BinOp), "the declaration was checked"
        a, b = self.visit(node.left), self.visit(node.right)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if isinstance(node.op, ast.Add):
                return cast("pint.Quantity", a + b)
            if isinstance(node.op, ast.Sub):
                return cast("pint.Quantity", a - b)
            if isinstance(node.op, ast.Mult):
                return cast("pint.Quantity", a * b)
            if isinstance(node.op, ast.Div):
                return cast("pint.Quantity", a / b)
            assert isinstance(node.op, ast.Pow), "the parser admits no other operator"
            if isinstance(node.right, ast.Constant):
                return cast("pint.Quantity", a ** float(cast(float, node.right.value)))
            # a plain number raised to an expression (a compound return: growth^(1/years))
            return Quantity(_plain(a) ** _plain(b), "")

    def aggregate(self, name: str, key: str) -> pint.Quantity:
        unit = self.kind.formulas[key].unit
        known = [v for v in (item.value(key) for item in self.items) if v is not None]
        if name == "count_of":
            return Quantity(float(len(known)), "")
        if not known:
            raise _Unknown
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            arrays = np.broadcast_arrays(
                *(np.asarray(v.to(unit or "").magnitude, dtype=float) for v in known)
            )
        stacked = np.stack(arrays)
        if name == "sum_of":
            total = stacked[0].copy()
            for row in stacked[1:]:  # year after year, as a running total adds them
                total += row
            return Quantity(total, unit or "")
        if name == "product_of":
            if not registry().Quantity(1.0, unit or "").dimensionless:
                raise ValueError(f"{self.kind.name}: product_of({key}) needs a plain number")
            return Quantity(np.prod(stacked, axis=0), "")
        # a sample where an item's value is not a number (no ratio that year) leaves that
        # item out; where every item's is not, so is the total's
        pick = np.fmin if name == "lowest_of" else np.fmax
        return Quantity(pick.reduce(stacked, axis=0), unit or "")


def _plain(value: pint.Quantity) -> Any:
    return np.asarray(value.to("").magnitude, dtype=float)
