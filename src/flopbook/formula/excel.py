"""A kind's formulas as live Excel formulas over named cells.

Each formula of the declaration becomes the text of one cell's formula (without ``=``):
inputs are the defined names (or cell references) the caller gives, other formulas are the
cells that hold them (``{capex}``) or, for a step without a cell of its own, its formula in
parentheses; units leave the text, and every unit conversion the units call for is a named
conversion (:mod:`flopbook.formula.conversions`), never a bare number. Evaluated by Excel,
LibreOffice or the ``formulas`` package, the cells equal the NumPy evaluation of the same
declaration (the tests hold them to 1e-9).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from flopbook.calc import AGGREGATES, parse
from flopbook.formula.conversions import factor_formula
from flopbook.formula.declaration import Form
from flopbook.quantity import parsed_unit, registry

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pint

    from flopbook.formula.declaration import Kind, Total

__all__ = ["Ref", "excel_formula", "expression_formula", "total_formula"]

# how tightly a piece of formula text binds: an atom, a power, a product, a sum
_ATOM, _POWER, _PRODUCT, _SUM = 0, 1, 2, 3


@dataclass(frozen=True)
class Ref:
    """What a name is in the workbook: its text (a defined name or ``{line}``), the unit of
    the number in that cell."""

    text: str
    unit: pint.Unit


@dataclass(frozen=True)
class _Text:
    text: str
    unit: pint.Unit
    binds: int
    unit_only: bool = False  # a bare unit (``year``): it has no text in a workbook


def excel_formula(
    kind: Kind,
    key: str,
    form: Form,
    inputs: Mapping[str, Ref],
    cells: Mapping[str, Ref] | None = None,
    *,
    constant: Callable[[str], str] = str,
) -> str | None:
    """The formula of ``key`` for an item of this ``form``, in ``key``'s declared unit;
    None where the formula is unknown for the form. ``inputs`` names each input's cell,
    ``cells`` each formula that has a cell of its own (the others are written out in
    parentheses); ``constant`` registers a kind's named constant and answers the name to
    write."""

    writer = _Writer(kind, form, inputs, cells or {}, constant, registry())
    found = writer.formula(key, top=True)
    if found is None:
        return None
    target = registry().Unit(kind.formulas[key].unit)
    return writer.convert(found, target).text


def expression_formula(text: str, refs: Mapping[str, Ref], unit: str) -> str:
    """One expression of the language (not a kind's formula) as an Excel formula in ``unit``:
    each name it reads is one of ``refs`` (a cell or a defined name, with its unit) or a
    unit."""

    writer = _Writer(None, None, refs, {}, str, registry())
    found = writer.node("", parse(text).tree.body)
    assert found is not None, "every name is a ref or a unit"
    return writer.convert(found, registry().Unit(unit)).text


_AGGREGATE_FUNCTIONS = {
    "sum_of": "SUM",
    "lowest_of": "MIN",
    "highest_of": "MAX",
    "product_of": "PRODUCT",
    "count_of": "COUNT",
}


def total_formula(
    kind: Kind,
    t: Total,
    cells: Mapping[str, Sequence[str]],
    *,
    constant: Callable[[str], str] = str,
) -> str | None:
    """A declared total (:class:`~flopbook.formula.declaration.Total`) as an Excel formula
    in its unit: each aggregate over the cells of its formula, first to last (``cells``:
    formula key -> the cells of the items where the workbook has it; blanks between are
    skipped by Excel as by the engine). None where an aggregate has no cell."""
    writer = _TotalWriter(kind, Form(), {}, {}, constant, registry())
    writer.ranges = cells
    try:
        found = writer.node(t.key, t.parsed.tree.body)
    except _NoCells:
        return None
    assert found is not None, "a total reads no input"
    return writer.convert(found, registry().Unit(t.unit)).text


class _NoCells(Exception):
    """An aggregate over no cell."""


class _Writer:
    def __init__(
        self,
        kind: Kind | None,
        form: Form | None,
        refs: Mapping[str, Ref],
        cells: Mapping[str, Ref],
        constant: Callable[[str], str],
        ureg: pint.UnitRegistry,
    ) -> None:
        self.kind, self.form, self.refs, self.cells = kind, form, refs, cells
        self.constant, self.ureg = constant, ureg

    def formula(self, key: str, *, top: bool = False) -> _Text | None:
        assert self.kind is not None and self.form is not None
        if not top and key in self.cells:
            ref = self.cells[key]
            return _Text(ref.text, ref.unit, _ATOM)
        case = self.kind.formulas[key].case(self.form)
        if case is None:
            return None
        return self.node(key, case.parsed.tree.body)

    def convert(self, t: _Text, target: pint.Unit) -> _Text:
        factor = float(self.ureg.Quantity(1.0, t.unit).to(target).magnitude)
        suffix = factor_formula(factor, (str(t.unit), str(target)))
        if not suffix:
            return _Text(t.text, target, t.binds, t.unit_only)
        if t.unit_only:  # a unit alone is its conversion: "year" in hours is hours_per_year
            return _Text(
                suffix.lstrip("*") if suffix.startswith("*") else f"1{suffix}", target, _PRODUCT
            )
        return _Text(f"{_wrap(t, _PRODUCT)}{suffix}", target, _PRODUCT)

    def node(self, key: str, node: ast.AST) -> _Text | None:
        if isinstance(node, ast.Constant):
            number = float(cast(float, node.value))  # the parser admits numbers only
            return _Text(f"{number:.15g}", parsed_unit(""), _ATOM)
        if isinstance(node, ast.Name):
            return self.name(key, node.id)
        if isinstance(node, ast.UnaryOp):
            inner = self.node(key, node.operand)
            if inner is None:
                return None
            if isinstance(node.op, ast.UAdd):
                return inner
            return _Text(
                f"-({inner.text})" if inner.binds else f"-{inner.text}", inner.unit, _PRODUCT
            )
        if isinstance(node, ast.Call):
            return self.call(key, node)
        assert isinstance(node, ast.BinOp), "the declaration was checked when compiled"
        left, right = self.node(key, node.left), self.node(key, node.right)
        if left is None or right is None:
            return None
        op = node.op
        if isinstance(op, ast.Mult | ast.Div):
            unit = left.unit * right.unit if isinstance(op, ast.Mult) else left.unit / right.unit
            if right.unit_only:
                return _Text(left.text, unit, left.binds, left.unit_only)
            if left.unit_only and isinstance(op, ast.Mult):
                return _Text(right.text, unit, right.binds)
            sign = "*" if isinstance(op, ast.Mult) else "/"
            lhs = "1" if left.unit_only else _wrap(left, _PRODUCT)
            rhs = _wrap(right, _PRODUCT if sign == "*" else _POWER)
            return _Text(f"{lhs}{sign}{rhs}", unit, _PRODUCT)
        if isinstance(op, ast.Add | ast.Sub):
            right = self.convert(right, left.unit)
            sign = "+" if isinstance(op, ast.Add) else "-"
            rhs = right.text if sign == "+" else _wrap(right, _PRODUCT)
            return _Text(f"{left.text}{sign}{rhs}", left.unit, _SUM)
        if isinstance(op, ast.Pow):
            if isinstance(node.right, ast.Constant | ast.UnaryOp):
                exponent = float(ast.literal_eval(node.right))
                unit = cast("pint.Unit", left.unit**exponent)
            else:  # a plain number raised to an expression
                left = self.convert(left, self.ureg.Unit(""))
                right = self.convert(right, self.ureg.Unit(""))
                unit = self.ureg.Unit("")
            return _Text(f"{_wrap(left, _ATOM)}^{_wrap(right, _ATOM)}", unit, _POWER)
        raise ValueError(f"{key}: unsupported operator")

    def name(self, key: str, name: str) -> _Text | None:
        kind = self.kind
        if kind is None:  # a lone expression: its names are refs or units
            if name in self.refs:
                return _Text(self.refs[name].text, self.refs[name].unit, _ATOM)
            return _Text("", self.ureg.Unit(name), _ATOM, unit_only=True)
        if kind.formula_reads(key, name):
            return self.formula(name)
        if name in kind.inputs:
            if name not in self.refs:
                return None
            ref = self.refs[name]
            return _Text(ref.text, ref.unit, _ATOM)
        if name in kind.constant:
            c = kind.constant[name]
            return _Text(self.constant(name), parsed_unit(c.unit), _ATOM)
        return _Text("", self.ureg.Unit(name), _ATOM, unit_only=True)

    def call(self, key: str, node: ast.Call) -> _Text | None:
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        args = [self.node(key, a) for a in node.args]
        if any(a is None for a in args):
            return None
        if name == "annuity_factor":
            rate = self.convert(args[0], self.ureg.Unit(""))  # type: ignore[arg-type]
            life = self.convert(args[1], self.ureg.Unit("year"))  # type: ignore[arg-type]
            r, n = _wrap(rate, _ATOM), _wrap(life, _ATOM)
            # r / (1 - (1 + r)^-n), which is 1/n at r = 0 (as the NumPy evaluation takes it)
            return _Text(f"IF({r}=0,1/{n},{r}/(1-(1+{r})^(-{n})))", self.ureg.Unit("1/year"), _ATOM)
        if name == "decline_factor":
            rate = self.convert(args[0], self.ureg.Unit(""))  # type: ignore[arg-type]
            age = self.convert(args[1], self.ureg.Unit("year"))  # type: ignore[arg-type]
            r, n = _wrap(rate, _ATOM), _wrap(age, _ATOM)
            return _Text(f"(10^(-{r}*{n}))", self.ureg.Unit(""), _ATOM)
        if name == "discount_factor":
            rate = self.convert(args[0], self.ureg.Unit(""))  # type: ignore[arg-type]
            time = self.convert(args[1], self.ureg.Unit("year"))  # type: ignore[arg-type]
            r, n = _wrap(rate, _ATOM), _wrap(time, _ATOM)
            return _Text(f"((1+{r})^(-{n}))", self.ureg.Unit(""), _ATOM)
        if name in ("overlap", "starts_in", "ends_in"):
            t = [
                _wrap(self.convert(arg, self.ureg.Unit("year")), _SUM)
                for arg in args
                if arg is not None  # none is missing: checked above
            ]
            if name == "overlap":
                a0, a1, b0, b1 = t
                return _Text(f"MAX(0,MIN({a1},{b1})-MAX({a0},{b0}))", self.ureg.Unit("year"), _ATOM)
            date, year = t
            within = (
                f"AND({date}>={year},{date}<{year}+1)"
                if name == "starts_in"
                else f"AND({date}>{year},{date}<={year}+1)"
            )
            return _Text(f"IF({within},1,0)", self.ureg.Unit(""), _ATOM)
        if name in ("maximum", "minimum", "if_positive"):
            first = 1 if name == "if_positive" else 0
            a, b = args[first], args[first + 1]
            assert a is not None and b is not None
            a_zero, b_zero = (_is_zero(n) for n in node.args[first : first + 2])
            unit = b.unit if a_zero else a.unit
            a = a if a_zero else self.convert(a, unit)
            b = b if b_zero else self.convert(b, unit)
            if name == "if_positive":
                test = args[0]
                assert test is not None
                return _Text(f"IF({test.text}>0,{a.text},{b.text})", unit, _ATOM)
            return _Text(f"{name[:3].upper()}({a.text},{b.text})", unit, _ATOM)
        if name == "mean":
            # a workbook cell holds one value: its mean is itself
            (x,) = args
            assert x is not None
            return x
        if name == "floor":
            x = self.convert(args[0], self.ureg.Unit(""))  # type: ignore[arg-type]
            return _Text(f"INT({x.text})", self.ureg.Unit(""), _ATOM)
        raise ValueError(f"{key}: unknown function {name!r}")


def _is_zero(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value == 0


def _wrap(t: _Text, binds: int) -> str:
    """``t``'s text, in parentheses if it binds less tightly than ``binds`` allows."""
    return f"({t.text})" if t.binds > binds else t.text


class _TotalWriter(_Writer):
    """Writes a total: an aggregate is a function over its formula's cells."""

    ranges: Mapping[str, Sequence[str]] = {}

    def call(self, key: str, node: ast.Call) -> _Text | None:
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        if name not in AGGREGATES:
            return super().call(key, node)
        assert self.kind is not None and isinstance(node.args[0], ast.Name)
        formula = node.args[0].id
        found = self.ranges.get(formula, ())
        if not found:
            if name == "count_of":
                return _Text("0", self.ureg.Unit(""), _ATOM)
            raise _NoCells
        span = found[0] if len(found) == 1 else f"{found[0]}:{found[-1]}"
        unit = "" if name in ("count_of", "product_of") else self.kind.formulas[formula].unit
        return _Text(f"{_AGGREGATE_FUNCTIONS[name]}({span})", self.ureg.Unit(unit), _ATOM)
