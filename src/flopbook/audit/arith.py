"""The value of a simple suggested formula, without loading the ``formulas`` package.

Most of the audit's suggestions are sums, weighted averages and plain arithmetic of cells
(``=SUM(B5:E5)``, ``=SUMPRODUCT(B4:E4,B3:E3)/SUM(B3:E3)``, ``=(B5+B7)/4``). Loading the
``formulas`` package and NumPy to compute them costs most of a second at start-up, many times
the audit of a small workbook. This module computes exactly that subset — numbers, cell and
range references, ``+ - * / ^ %``, parentheses, SUM, SUMPRODUCT and AVERAGE — from the saved
values, and answers :data:`UNKNOWN` for anything else (text, logical values or errors where
it reads, another function, a division by zero, a name), which sends the formula to the
``formulas`` package as before. Where it answers, it gives what the ``formulas`` package gives
(tests/audit/test_audit_arith.py holds it to that on generated formulas).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openpyxl.formula.tokenizer import Token

from flopbook.audit.formula import parse
from flopbook.audit.workbook import is_number

if TYPE_CHECKING:
    from flopbook.audit.formula import Ref
    from flopbook.audit.workbook import Sheet, Workbook

UNKNOWN: Any = object()  # "not computed here": the caller asks the formulas package
MAX_CELLS = 100_000  # as recompute.MAX_RANGE: a larger range goes the slow way, or nowhere

_FUNCS = {"SUM", "SUMPRODUCT", "AVERAGE"}
_BINARY = {"+": (1, 2), "-": (1, 2), "*": (3, 4), "/": (3, 4), "^": (5, 6)}
_PREFIX_POWER = 7  # Excel negates before it raises to a power: -2^2 is 4


class _Unknown(Exception):
    pass


class _Missing(Exception):
    """A formula cell the expression reads was saved without its value: the answer is None."""


def value(book: Workbook, sheet: Sheet, formula: str) -> Any:
    """The value of ``formula`` placed on ``sheet``; None where a cell it reads has no saved
    value; :data:`UNKNOWN` where this module does not compute it."""
    parsed = parse(formula)
    if parsed.error or parsed.names:
        return UNKNOWN
    if any(t.type == Token.WSPACE for t in parsed.tokens):
        return UNKNOWN  # a space between references is Excel's intersection operator
    items = list(zip(parsed.tokens, parsed.refs, strict=True))
    if not any(t.type in (Token.OP_IN, Token.FUNC) for t, _ in items):
        return UNKNOWN  # a lone (or negated) number or cell keeps its type there: an int
    try:
        p = _Parser(book, sheet, items)
        out = p.expression(0)
        if p.i != len(items):
            return UNKNOWN
        if isinstance(out, list):
            return UNKNOWN  # a bare range: an array, or Excel's implicit intersection
        return float(out)
    except _Missing:
        return None
    except (_Unknown, ZeroDivisionError, OverflowError, ValueError, TypeError):
        return UNKNOWN


class _Parser:
    def __init__(self, book: Workbook, sheet: Sheet, items: list[tuple[Token, Ref | None]]):
        self.book, self.sheet, self.items, self.i = book, sheet, items, 0

    def peek(self) -> Token | None:
        return self.items[self.i][0] if self.i < len(self.items) else None

    def expression(self, min_power: int) -> Any:
        left = self.operand()
        while True:
            t = self.peek()
            if t is None:
                return left
            if t.type == Token.OP_POST and t.value == "%":
                self.i += 1
                left = _num(left) / 100
                continue
            if t.type != Token.OP_IN or t.value not in _BINARY:
                if t.type == Token.OP_IN:
                    raise _Unknown  # comparisons, &, the range and union operators
                return left
            lp, rp = _BINARY[t.value]
            if lp < min_power:
                return left
            self.i += 1
            right = self.expression(rp)
            left = _apply(t.value, _num(left), _num(right))

    def operand(self) -> Any:
        t = self.peek()
        if t is None:
            raise _Unknown
        ref = self.items[self.i][1]
        self.i += 1
        if t.type == Token.OP_PRE:
            inner = self.expression(_PREFIX_POWER)
            return -_num(inner) if t.value == "-" else _num(inner)
        if t.type == Token.OPERAND and t.subtype == Token.NUMBER:
            return float(t.value)
        if t.type == Token.OPERAND and t.subtype == Token.RANGE and ref is not None:
            return self.read(ref)
        if t.type == Token.PAREN and t.subtype == Token.OPEN:
            inner = self.expression(0)
            close = self.peek()
            if close is None or close.type != Token.PAREN or close.subtype != Token.CLOSE:
                raise _Unknown
            self.i += 1
            return inner
        if t.type == Token.FUNC and t.subtype == Token.OPEN:
            name = t.value[:-1].upper()
            if name not in _FUNCS:
                raise _Unknown
            args = self.arguments()
            return _call(name, args)
        raise _Unknown

    def arguments(self) -> list[Any]:
        args: list[Any] = []
        t = self.peek()
        if t is not None and t.type == Token.FUNC and t.subtype == Token.CLOSE:
            self.i += 1
            return args
        while True:
            args.append(self.expression(0))
            t = self.peek()
            if t is None:
                raise _Unknown
            self.i += 1
            if t.type == Token.SEP and t.subtype == Token.ARG:
                continue
            if t.type == Token.FUNC and t.subtype == Token.CLOSE:
                return args
            raise _Unknown

    def read(self, ref: Ref) -> Any:
        """A cell's value (a number, or None for an empty cell), or a range's values as a
        list of rows."""
        if ref.external or ref.size > MAX_CELLS:
            raise _Unknown
        target = self.book.sheet(ref.sheet, self.sheet)
        if target is None:
            raise _Unknown
        rows = []
        for r in range(ref.r1, ref.r2 + 1):
            row = []
            for c in range(ref.c1, ref.c2 + 1):
                v = target.values.get((r, c))
                if v is None and (r, c) in target.formulas:
                    raise _Missing
                if v is not None and not is_number(v):
                    raise _Unknown  # text, a logical value, an error, a date: the slow way
                row.append(v)
            rows.append(row)
        if ref.is_cell:
            return _Cell(rows[0][0])
        return rows


class _Cell:
    """A single cell read: a number, or None when empty (0 in arithmetic, skipped by SUM)."""

    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        self.v = v


def _num(x: Any) -> float:
    if isinstance(x, _Cell):
        return 0.0 if x.v is None else float(x.v)
    if isinstance(x, list):
        raise _Unknown
    return float(x)


def _apply(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            raise _Unknown  # #DIV/0!: the formulas package says it in its own words
        return a / b
    if a == 0 and b <= 0 or a < 0 and b != int(b):
        raise _Unknown  # #DIV/0! or #NUM!
    return float(a**b)


def _flat(x: Any) -> list[float]:
    """The numbers an argument holds, as SUM and AVERAGE read them (blanks left out)."""
    if isinstance(x, list):
        return [float(v) for row in x for v in row if v is not None]
    if isinstance(x, _Cell):
        return [] if x.v is None else [float(x.v)]
    return [float(x)]


def _call(name: str, args: list[Any]) -> float:
    if not args:
        raise _Unknown
    if name == "SUM":
        total = 0.0
        for a in args:
            for v in _flat(a):
                total += v
        return total
    if name == "AVERAGE":
        if any(isinstance(a, _Cell) and a.v is None for a in args):
            # Excel leaves an empty cell out; the formulas package (and so --fix) counts it
            # as 0. Let that package answer, so that both say the same.
            raise _Unknown
        values = [v for a in args for v in _flat(a)]
        if not values:
            raise _Unknown  # #DIV/0!
        return sum(values) / len(values)
    # SUMPRODUCT: ranges of one shape, multiplied cell by cell (blanks count as 0)
    grids = []
    for a in args:
        if isinstance(a, _Cell):
            a = [[a.v]]
        if not isinstance(a, list):
            raise _Unknown
        grids.append(a)
    shape = (len(grids[0]), len(grids[0][0]))
    if any((len(g), len(g[0])) != shape for g in grids):
        raise _Unknown  # #VALUE!
    total = 0.0
    for r in range(shape[0]):
        for c in range(shape[1]):
            product = 1.0
            for g in grids:
                v = g[r][c]
                product *= 0.0 if v is None else float(v)
            total += product
    return total
