"""Unit expressions: ``"5 s * 700 W"`` -> 3,500 J, checked, with catalog names.

    >>> from flopbook.calc import evaluate
    >>> evaluate("5 s * H100.tdp").to("Wh")          # 0.97 Wh
    >>> evaluate("10,715 kWh / 365.25 day").to("kW")  # 1.22 kW

The grammar is arithmetic (``+ - * / **``, parentheses) over numbers, units and names:

- a number may carry a multiplier suffix (``30k``, ``1.6B``, ``14.8T``), thousands separators
  (``10,715``), a leading ``$`` (``$2`` is 2 USD) or a trailing ``%``;
- writing two things side by side multiplies them and binds tighter than ``*`` and ``/``, so
  ``700 W / 8 GPU`` is 700 W per 8 GPUs (pint alone would read it as 87.5 W·GPU);
- a name is a unit (``W``, ``kWh``, ``GPU``, ``token``, ``USD``…), a catalog figure
  (``H100.bf16_dense``, ``H800.tdp``, ``H100.rental``) or a name defined by the caller.

The text is tokenised here (so that every error points at a character), rewritten with
explicit ``*`` and grouping parentheses, parsed by Python's :mod:`ast` and evaluated by walking
the tree over a small set of node types. Nothing is ever passed to ``eval``.
"""

from __future__ import annotations

import ast
import difflib
import math
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pint
from pint.util import UnitsContainer

from flopbook.catalog import Chip, catalog, chip, name_key
from flopbook.catalog.schema import SPEC_UNITS
from flopbook.errors import InputError, InputWarning, UnitMismatchError, UnknownNameError
from flopbook.quantity import Quantity, is_point, magnitudes, registry
from flopbook.safe_text import shorten

# pint's arithmetic is untyped: its results are named as what they are
Q = pint.Quantity[Any]

__all__ = ["CalcError", "Expression", "describe", "evaluate", "parse", "simplified", "to_unit"]

PRICE_NAMES = ("purchase", "server_per_gpu", "rental")
# Functions the language knows, with their number of arguments. Each is defined once, for
# samples here and as an Excel formula in flopbook.formula.excel; a name followed by "(" is a
# call only for these (``W (5)`` stays a product). Separate arguments with ", ".
FUNCTIONS = {
    "annuity_factor": 2,
    "decline_factor": 2,
    # years, for cash flows over a period: a discount, the overlap of two spans of time, and
    # whether a date falls in a year (from its start, or up to its end)
    "discount_factor": 2,
    "overlap": 4,
    "starts_in": 2,
    "ends_in": 2,
    # the larger / smaller of two values in one unit (a plain 0 is zero in any unit)
    "maximum": 2,
    "minimum": 2,
    # if_positive(test, then, otherwise): ``then`` where ``test`` is above zero, else
    # ``otherwise`` (both in one unit); what a formula does where a divisor may be zero
    "if_positive": 3,
    # floor(x): the whole number at or below a plain number (sequences that fit)
    "floor": 1,
    # mean(x): the mean over the samples (a figure that is a ratio of means, not a mean of
    # ratios); one value where x is one value
    "mean": 1,
    # a declared kind's totals over its items (a payer's years): the sum, the lowest, the
    # highest, the product and the number of items that have the formula; only a total
    # reads them
    **dict.fromkeys(("sum_of", "lowest_of", "highest_of", "product_of", "count_of"), 1),
}
# The functions that total a formula over a kind's items (see flopbook.formula.totals)
AGGREGATES = ("sum_of", "lowest_of", "highest_of", "product_of", "count_of")
# Catalog figures read per GPU in expressions (TFLOP/s/GPU), like the prices (USD/GPU/hour).
PER_GPU = ("fp8_dense", "bf16_dense", "tf32_dense", "fp32")

_SUFFIX = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "bn": 1e9, "T": 1e12}
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][-+]?\d+)?(?:bn|[kKMBT])?(?![A-Za-z_\d])
             | \.\d+(?:[eE][-+]?\d+)?(?:bn|[kKMBT])?(?![A-Za-z_\d])
             | (?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?=[A-Za-z_]))
    | (?P<name>[A-Za-z_µΩ][A-Za-z0-9_µΩ]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    | (?P<op>\*\*|\^|[*/+\-×·])
    | (?P<lp>\()
    | (?P<rp>\))
    | (?P<comma>,)
    | (?P<dollar>\$)
    | (?P<percent>%)
    """,
    re.VERBOSE,
)


class CalcError(InputError):
    """An expression that cannot be read or computed; the message points at the character."""


def _pointed(text: str, pos: int, around: int = 24) -> str:
    # One line: the expression with a marker before the offending character, cut to a few
    # dozen characters either side so that a long expression is not echoed back whole.
    pos = max(0, min(pos, len(text)))
    before, after = text[:pos], text[pos:]
    if len(before) > around:
        before = "…" + before[-around:]
    if len(after) > around:
        after = after[:around] + "…"
    return f"{before}▸{after}".strip()


def _error(
    text: str,
    pos: int,
    message: str,
    hint: str | None = None,
    cls: type[InputError] | None = None,
) -> InputError:
    cls = cls or CalcError
    return cls(f"{message} at character {pos + 1} of {_pointed(text, pos)!r}", hint=hint)


@dataclass(frozen=True)
class _Tok:
    kind: str  # num, name, op, lp, rp, end
    text: str
    pos: int


MAX_CHARS = 2_000
"""Longest expression read (see docs/limits.md): pint's parser is slow on long names."""
MAX_DEPTH = 50
"""Deepest nesting of parentheses."""
MAX_DIGITS = 30
"""Most digits in one number (a float keeps 17; more are a typing slip, or an attack)."""
MAX_UNIT_EXPONENT = 100
"""Largest exponent a unit may be raised to (``W ** 1e10`` is refused)."""


def _tokens(text: str) -> list[_Tok]:
    if len(text) > MAX_CHARS:
        raise CalcError(
            f"the expression {shorten(text)!r} is {len(text):,} characters long, "
            f"more than the {MAX_CHARS:,} read",
            hint="see docs/limits.md",
        )
    out: list[_Tok] = []
    pos = 0
    depth = 0
    dollar_at: int | None = None
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _error(
                text,
                pos,
                f"unexpected character {text[pos]!r}",
                "write numbers, units, catalog names (H100.tdp), + - * / ** and ()",
            )
        kind = m.lastgroup or ""
        value = m.group()
        if kind == "dollar":
            dollar_at = pos
        elif kind == "percent":
            out.append(_Tok("name", "percent", pos))
        elif kind == "num":
            if value.startswith(".") and pos > 0 and text[pos - 1].isdigit():
                raise _error(
                    text,
                    pos,
                    "a number with two decimal points",
                    "write one number, e.g. 1.23, or put an operator between two",
                )
            if sum(c.isdigit() for c in value) > MAX_DIGITS:
                raise _error(
                    text,
                    pos,
                    f"a number of more than {MAX_DIGITS} digits",
                    "write large numbers with an exponent or a suffix: 1e30, 1.6B",
                )
            out.append(_Tok("num", _number(value), pos))
            if dollar_at is not None:
                out.append(_Tok("name", "USD", dollar_at))
                dollar_at = None
        elif kind == "op":
            out.append(_Tok("op", {"^": "**", "×": "*", "·": "*"}.get(value, value), pos))
        elif kind != "space":
            if kind == "lp":
                depth += 1
                if depth > MAX_DEPTH:
                    raise _error(
                        text,
                        pos,
                        f"parentheses nested more than {MAX_DEPTH} deep",
                        "see docs/limits.md",
                    )
            elif kind == "rp":
                depth -= 1
            out.append(_Tok(kind, value, pos))
        if dollar_at is not None and kind not in ("dollar", "space"):
            raise _error(text, dollar_at, "a '$' must be followed by a number", 'e.g. "$2"')
        pos = m.end()
    if dollar_at is not None:
        raise _error(text, dollar_at, "a '$' must be followed by a number", 'e.g. "$2"')
    out.append(_Tok("end", "", len(text)))
    return out


def _number(text: str) -> str:
    text = text.replace(",", "")
    for suffix in ("bn", "k", "K", "M", "B", "T"):
        if text.endswith(suffix):
            return repr(float(text[: -len(suffix)]) * _SUFFIX[suffix])
    return text


class _Rewriter:
    """Tokens -> Python source with explicit ``*`` and parentheses around each group of
    side-by-side factors (``700 W / 8 GPU`` -> ``(700*W)/(8*GPU)``), keeping for each
    character written the position it came from."""

    def __init__(self, text: str, toks: list[_Tok]) -> None:
        self.text, self.toks, self.i = text, toks, 0
        self.parts: list[tuple[str, int]] = []

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def emit(self, text: str, pos: int) -> None:
        self.parts.append((text, pos))

    def take(self) -> _Tok:
        t = self.tok
        self.emit(t.text, t.pos)
        self.i += 1
        return t

    def run(self) -> tuple[str, list[int]]:
        if self.tok.kind == "end":
            raise CalcError("the expression is empty", hint='write e.g. "5 s * 700 W"')
        self.expr()
        if self.tok.kind != "end":
            what = "')' without a matching '('" if self.tok.kind == "rp" else repr(self.tok.text)
            raise _error(
                self.text, self.tok.pos, f"unexpected {what}", "join the parts with an operator"
            )
        source, where = "", []
        for text, pos in self.parts:
            source += text
            where += [pos] * len(text)
        return source, where

    def expr(self) -> None:
        self.term()
        while self.tok.kind == "op" and self.tok.text in "+-*/":
            self.take()
            self.term()

    def term(self) -> None:
        while self.tok.kind == "op" and self.tok.text in "+-":
            self.take()
        start, first = len(self.parts), self.tok.pos
        self.power()
        grouped = False
        while self.tok.kind in ("num", "name", "lp"):
            self.emit("*", self.tok.pos)
            self.power()
            grouped = True
        if grouped:
            self.parts.insert(start, ("(", first))
            self.emit(")", self.toks[self.i - 1].pos)

    def power(self) -> None:
        self.atom()
        if self.tok.kind == "op" and self.tok.text == "**":
            self.take()
            while self.tok.kind == "op" and self.tok.text in "+-":
                self.take()
            self.power()

    def atom(self) -> None:
        t = self.tok
        if t.kind == "name" and t.text in FUNCTIONS and self.toks[self.i + 1].kind == "lp":
            self.call()
        elif t.kind in ("num", "name"):
            self.take()
        elif t.kind == "lp":
            self.take()
            self.expr()
            if self.tok.kind != "rp":
                raise _error(self.text, t.pos, "this '(' is never closed", "add a ')'")
            self.take()
        elif t.kind == "end":
            raise _error(
                self.text,
                t.pos,
                "the expression ends too early",
                "finish it with a number or a unit",
            )
        else:
            raise _error(
                self.text,
                t.pos,
                f"unexpected {t.text!r}",
                "expected a number, a unit, a catalog name or '('",
            )

    def call(self) -> None:
        name = self.take()
        opening = self.take()
        count = 1
        self.expr()
        while self.tok.kind == "comma":
            self.take()
            self.expr()
            count += 1
        if self.tok.kind != "rp":
            raise _error(self.text, opening.pos, "this '(' is never closed", "add a ')'")
        self.take()
        if count != FUNCTIONS[name.text]:
            raise _error(
                self.text,
                name.pos,
                f"{name.text} takes {FUNCTIONS[name.text]} arguments, not {count}",
                "separate the arguments with ', '",
            )


@dataclass(frozen=True)
class Expression:
    """A parsed expression: the tree, and where each character of its source came from."""

    text: str
    tree: ast.Expression
    where: list[int]  # position in ``text`` of each character of the rewritten source

    def pos(self, node: ast.AST) -> int:
        col = getattr(node, "col_offset", 0)
        return self.where[col] if col < len(self.where) else len(self.text)

    def names(self) -> list[str]:
        """The names the expression uses (units, catalog figures, defined names)."""
        called = {id(n.func) for n in ast.walk(self.tree) if isinstance(n, ast.Call)}
        return [
            _dotted(n)
            for n in ast.walk(self.tree)
            if isinstance(n, ast.Name | ast.Attribute) and _dotted(n) and id(n) not in called
        ]


def parse(text: str) -> Expression:
    """Parse ``text``; a mistake is a :class:`CalcError` naming the character."""
    if not isinstance(text, str):
        raise CalcError(f"expected an expression as text, got {text!r}")
    source, where = _Rewriter(text, _tokens(text)).run()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:  # the rewriter should have caught it; point anyway
        col = (exc.offset or 1) - 1
        pos = where[col] if col < len(where) else len(text)
        raise _error(text, pos, "cannot parse the expression") from None
    return Expression(text, tree, where)


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


# ---- evaluation ------------------------------------------------------------------------


def evaluate(
    text: str | Expression,
    names: Mapping[str, pint.Quantity[Any]] | None = None,
    *,
    simplify: bool = True,
    chips: Mapping[str, Chip] | None = None,
    at: str | None = None,
) -> pint.Quantity[Any]:
    """The value of an expression as a quantity (samples where a catalog figure is a range).

    ``names`` are extra names the expression may use (e.g. those a claims file defines);
    ``chips`` are custom chips (flopbook.catalog.custom) whose figures it may use, by name,
    as it uses the catalog's (``MyChip.tdp``). Catalog prices are those nearest the date
    ``at`` (the latest without one).
    With ``simplify`` (the default) the units of the answer are reduced: ``FLOP / TFLOP``
    cancels, a percentage acts as 1/100 (``1% * 7B USD`` is 70M USD), and a dimensionless
    answer is a plain number.
    """
    expr = text if isinstance(text, Expression) else parse(text)
    # overflow and 0/0 are reported as errors at their operator, not as numpy warnings
    with np.errstate(all="ignore"):
        value = _Evaluator(expr, names or {}, chips or {}, at).visit(expr.tree.body)
    return simplified(value) if simplify else value


def simplified(value: pint.Quantity[Any]) -> pint.Quantity[Any]:
    """``value`` with its units reduced: same-kind units cancel (``FLOP·s/GPU/h/TFLOP`` ->
    ``1/GPU``), dimensionless factors such as ``%`` are multiplied out, and a dimensionless
    quantity becomes a plain number."""
    if value.dimensionless:
        return Quantity(value.to("").magnitude, "")
    ureg = registry()
    reduced = value.to_reduced_units()
    units = reduced.units._units  # noqa: SLF001 - pint's public Unit has no items()
    kept = {n: e for n, e in units.items() if not ureg.Unit(n).dimensionless}
    if len(kept) != len(units):
        reduced = reduced.to(ureg.Unit(UnitsContainer(kept)))
    return Quantity(reduced.magnitude, reduced.units)


class _Evaluator:
    def __init__(
        self,
        expr: Expression,
        names: Mapping[str, pint.Quantity[Any]],
        chips: Mapping[str, Chip] | None = None,
        at: str | None = None,
    ) -> None:
        self.expr, self.names, self.at = expr, names, at
        self.chips = {name_key(k): c for k, c in (chips or {}).items()}

    def fail(
        self,
        node: ast.AST,
        message: str,
        hint: str | None = None,
        cls: type[InputError] = CalcError,
    ) -> InputError:
        return _error(self.expr.text, self.expr.pos(node), message, hint, cls)

    def visit(self, node: ast.AST) -> pint.Quantity[Any]:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            if not math.isfinite(float(node.value)):
                raise self.fail(
                    node,
                    "the number is too large (not a finite number)",
                    "numbers go up to about 1e308",
                )
            return Quantity(float(node.value), "")
        if isinstance(node, ast.Name | ast.Attribute):
            return self.name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value = self.visit(node.operand)
            return cast(Q, -value) if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return call(node.func.id, [self.visit(a) for a in node.args])
        raise self.fail(node, "unsupported construct")

    def binop(self, node: ast.BinOp) -> pint.Quantity[Any]:
        result = self._binop(node)
        if not np.all(np.isfinite(np.asarray(result.magnitude, dtype=float))):
            raise _error(
                self.expr.text,
                self._op_pos(node),
                "the result is not a finite number",
                "the numbers are too large; check the exponents and suffixes",
            )
        return result

    def _binop(self, node: ast.BinOp) -> pint.Quantity[Any]:
        left, right = self.visit(node.left), self.visit(node.right)
        op = node.op
        if isinstance(op, ast.Mult):
            return cast(Q, left * right)
        if isinstance(op, ast.Div):
            if np.any(np.asarray(right.magnitude, dtype=float) == 0):
                raise _error(
                    self.expr.text, self._op_pos(node), "division by zero", "the divisor is zero"
                )
            return cast(Q, left / right)
        if isinstance(op, ast.Pow):
            return self.power(node, left, right)
        if isinstance(op, ast.Add | ast.Sub):
            try:
                return cast(Q, left + right if isinstance(op, ast.Add) else left - right)
            except pint.DimensionalityError:
                verb = "add" if isinstance(op, ast.Add) else "subtract"
                pos = self._op_pos(node)
                raise _error(
                    self.expr.text,
                    pos,
                    f"cannot {verb} {describe(left)} and {describe(right)}",
                    _hyphen_hint(self.expr.text, pos) or "only quantities of the same kind add up",
                    UnitMismatchError,
                ) from None
        raise self.fail(node, "unsupported operator")

    def power(
        self, node: ast.BinOp, base: pint.Quantity[Any], exponent: pint.Quantity[Any]
    ) -> pint.Quantity[Any]:  # non-finite answers are caught in binop

        if not exponent.dimensionless:
            raise self.fail(node.right, "an exponent must be a plain number", cls=UnitMismatchError)
        if base.dimensionless:  # a plain number may be raised to a range
            return Quantity(base.to("").magnitude ** exponent.to("").magnitude, "")
        if not is_point(exponent):
            raise self.fail(
                node.right,
                "a quantity with a unit can only be raised to one number",
                cls=UnitMismatchError,
            )
        e = float(exponent.to("").magnitude[0])
        if not abs(e) <= MAX_UNIT_EXPONENT:
            raise self.fail(
                node.right,
                f"a unit raised to {e:g}: the exponent of a quantity "
                f"with a unit must be between -{MAX_UNIT_EXPONENT} and "
                f"{MAX_UNIT_EXPONENT}",
                cls=UnitMismatchError,
            )
        return cast(Q, base**e)

    def _op_pos(self, node: ast.BinOp) -> int:
        # ast keeps no position for the operator itself; find it between the operands.
        end = getattr(node.left, "end_col_offset", None)
        start = getattr(node.right, "col_offset", None)
        if end is not None and start is not None:
            for col in range(end, start):
                if col < len(self.expr.where):
                    pos = self.expr.where[col]
                    if pos < len(self.expr.text) and self.expr.text[pos] in "+-*/^×·":
                        return pos
        return self.expr.pos(node)

    def name(self, node: ast.AST) -> pint.Quantity[Any]:
        name = _dotted(node)
        if name in self.names:
            return Quantity(self.names[name].magnitude, self.names[name].units)
        if "." in name:
            return self.catalog(node, name)

        try:
            return Quantity(1.0, registry().Unit(name))
        except (pint.UndefinedUnitError, AttributeError, ValueError, TypeError):
            pass

        if name in catalog():
            raise self.fail(
                node,
                f"{name!r} is a chip; name one of its figures",
                f"e.g. {catalog().get(name).id}.bf16_dense or {catalog().get(name).id}.tdp",
                cls=UnknownNameError,
            )
        hint = "a unit (W, kWh, s, GPU, token, USD, FLOP…), a catalog figure (H100.tdp)"
        if self.names:
            hint += " or one of " + ", ".join(sorted(self.names))
        raise self.fail(node, f"unknown name {name!r}", hint, cls=UnknownNameError)

    def catalog(self, node: ast.AST, name: str) -> pint.Quantity[Any]:
        chip_name, _, figure = name.partition(".")
        try:
            found = self.chips.get(name_key(chip_name)) or chip(chip_name)
        except UnknownNameError as exc:
            raise self.fail(node, exc.message, exc.hint, cls=UnknownNameError) from None
        known = [*SPEC_UNITS, *PRICE_NAMES]
        if figure in SPEC_UNITS:
            value = found.spec(figure)
        elif figure in PRICE_NAMES:
            pick = found.pick_price(figure, self.at)
            value = None if pick is None else pick.value
            if pick is not None and pick.stale:
                # a price far from its date is used, but the user is told
                warnings.warn(
                    InputWarning(f"{found.id}.{figure}: catalog {pick.describe()}"), stacklevel=2
                )
        else:
            near = difflib.get_close_matches(figure, known, n=1)
            hint = f"did you mean {found.id}.{near[0]}?" if near else "known: " + ", ".join(known)
            raise self.fail(node, f"no catalog figure {figure!r}", hint, cls=UnknownNameError)
        if value is None:
            raise self.fail(
                node,
                f"the catalog has no {figure} for {found.id}",
                "give the value as a number and unit instead",
            )
        if figure in PER_GPU:
            # a peak is one GPU's: GPU-hours × peak is then FLOPs, and FLOPs over that an MFU

            value = value / registry().GPU
        return value


def call(name: str, args: list[pint.Quantity[Any]]) -> pint.Quantity[Any]:
    """The value of a function of the language (see :data:`FUNCTIONS`) on quantities."""
    if name == "annuity_factor":
        # the share of capex paid each year so that equal payments repay it with interest:
        # r / (1 - (1 + r)^-n), which tends to 1/n as r tends to 0 (per year)
        r, n = _rate_and_years(
            args,
            "annuity_factor needs a rate (a plain number) and a life (a time)",
            "e.g. annuity_factor(10%, 4 years)",
        )
        safe = np.where(r == 0, 1.0, r)
        factor = np.where(r == 0, 1 / n, safe / (1 - (1 + safe) ** -n))
        return Quantity(factor, "1/year")
    if name == "decline_factor":
        # what is left of a value that loses ``rate`` orders of magnitude a year: 10^(-rate n)
        r, n = _rate_and_years(
            args,
            "decline_factor needs a rate (orders of magnitude a year) and an age (a time)",
            "e.g. decline_factor(0.14, 4 years)",
        )
        return Quantity(10.0 ** (-r * n), "")
    if name == "discount_factor":
        # what a dollar ``n`` years from now is worth today at ``rate``: (1 + r)^-n
        r, n = _rate_and_years(
            args,
            "discount_factor needs a rate (a plain number) and a time",
            "e.g. discount_factor(10%, 3 years)",
        )
        return Quantity((1 + r) ** -n, "")
    if name in ("overlap", "starts_in", "ends_in"):
        t = _times(name, args)
        if name == "overlap":
            # the time [t0, t1) and [t2, t3) share: max(0, min(t1, t3) - max(t0, t2))
            return Quantity(overlap(*t), "year")
        date, year = t
        return Quantity(starts_in(date, year) if name == "starts_in" else ends_in(date, year), "")
    if name in ("maximum", "minimum"):
        a, b = _one_unit(name, args[0], args[1])
        pick = np.maximum if name == "maximum" else np.minimum
        return Quantity(pick(a.magnitude, b.magnitude), a.units)
    if name == "if_positive":
        then, otherwise = _one_unit(name, args[1], args[2])
        test = np.asarray(args[0].magnitude, dtype=float)
        return Quantity(np.where(test > 0, then.magnitude, otherwise.magnitude), then.units)
    if name == "mean":
        (x,) = args
        return Quantity(float(np.mean(np.asarray(x.magnitude, dtype=float))), x.units)
    if name in AGGREGATES:
        raise CalcError(
            f"{name} totals a model's items (a payer's years); here there is one value",
            hint="write the value itself",
        )
    if name == "floor":
        # whole things (sequences, GPUs) from a plain number
        (x,) = args
        try:
            plain = np.asarray(x.to("").magnitude, dtype=float)
        except Exception as exc:  # noqa: BLE001 - pint's DimensionalityError and kin
            raise UnitMismatchError(
                f"floor needs a plain number, not {describe(x)}", hint="e.g. floor(12.7)"
            ) from exc
        return Quantity(np.floor(plain), "")
    raise CalcError(f"unknown function {name!r}")  # the parser admits only FUNCTIONS


def overlap(a0: Any, a1: Any, b0: Any, b1: Any) -> Any:
    """The length of [a0, a1) ∩ [b0, b1), never negative (arrays or numbers alike)."""
    return np.maximum(0.0, np.minimum(a1, b1) - np.maximum(a0, b0))


def starts_in(date: Any, year: Any) -> Any:
    """1 where ``date`` falls in the year that starts at ``year`` (year <= date < year + 1)."""
    return np.where((date >= year) & (date < year + 1), 1.0, 0.0)


def ends_in(date: Any, year: Any) -> Any:
    """1 where ``date`` ends the year that starts at ``year`` or falls in it (year < date <=
    year + 1): a sale at the end of the last year in use counts in that year."""
    return np.where((date > year) & (date <= year + 1), 1.0, 0.0)


def _times(name: str, args: list[pint.Quantity[Any]]) -> list[np.ndarray]:
    """A function's time arguments in years, or a unit error."""
    try:
        return [np.asarray(a.to("year").magnitude, dtype=float) for a in args]
    except Exception as exc:  # noqa: BLE001 - pint's DimensionalityError and kin
        example = "overlap(2024 years, 2028 years, 2026 years, 2027 years)"
        if name != "overlap":
            example = f"{name}(2025.5 years, 2025 years)"
        raise UnitMismatchError(f"{name} takes times (years)", hint=f"e.g. {example}") from exc


def _one_unit(
    name: str, a: pint.Quantity[Any], b: pint.Quantity[Any]
) -> tuple[pint.Quantity[Any], pint.Quantity[Any]]:
    """``a`` and ``b`` in ``a``'s unit (a plain zero on either side takes the other's)."""
    if a.dimensionless and np.all(np.asarray(a.magnitude) == 0):
        a = Quantity(a.magnitude, b.units)
    if b.dimensionless and np.all(np.asarray(b.magnitude) == 0):
        return a, Quantity(b.magnitude, a.units)
    try:
        return a, b.to(a.units)
    except Exception as exc:  # noqa: BLE001 - pint's DimensionalityError and kin
        raise UnitMismatchError(
            f"{name} needs two values in one unit, not {describe(a)} and {describe(b)}",
            hint=f"e.g. {name}(5 MW, 3000 kW)",
        ) from exc


def _rate_and_years(
    args: list[pint.Quantity[Any]], message: str, hint: str
) -> tuple[np.ndarray, np.ndarray]:
    """A function's (plain rate, time in years) arguments as arrays, or a unit error."""
    rate, time = args
    try:
        return (
            np.asarray(rate.to("").magnitude, dtype=float),
            np.asarray(time.to("year").magnitude, dtype=float),
        )
    except Exception as exc:  # noqa: BLE001 - pint's DimensionalityError and kin
        raise UnitMismatchError(message, hint=hint) from exc


_WORD_BEFORE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)$")
_WORD_AFTER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _hyphen_hint(text: str, pos: int) -> str | None:
    """``GPU-hours`` is GPU minus hours; say how to write the product instead."""
    if not (0 < pos < len(text) - 1) or text[pos] != "-":
        return None
    before, after = _WORD_BEFORE.search(text[:pos]), _WORD_AFTER.match(text, pos + 1)
    if before is None or after is None:
        return None
    right = after.group()

    if right.endswith("s"):
        try:  # "hours" -> "hour": the singular reads better in a product
            registry().Unit(right[:-1])
            right = right[:-1]
        except (pint.UndefinedUnitError, AttributeError, ValueError, TypeError):
            pass
    return f"a hyphen is a minus sign: write {before.group(1)}*{right}"


# ---- units and words -------------------------------------------------------------------

_KINDS = {
    "[length] ** 2 * [mass] / [time] ** 2": "an energy",
    "[length] ** 2 * [mass] / [time] ** 3": "a power",
    "[time]": "a time",
    "[currency]": "an amount of money",
    "[currency_cny]": "an amount of money in CNY",
    "[flop]": "an amount of computation (FLOP)",
    "[flop] / [time]": "a compute rate (FLOP/s)",
    "[flop] / [accelerator] / [time]": "a compute rate per GPU (FLOP/s/GPU)",
    "[information]": "an amount of data",
    "[information] / [time]": "a bandwidth",
    "[accelerator]": "a number of GPUs",
    "[token]": "a number of tokens",
    "[query]": "a number of queries",
    "[request]": "a number of requests",
    "[node]": "a number of nodes",
    "[accelerator] * [time]": "GPU time (GPU-hours)",
    "[currency] / [time]": "money per unit of time",
    "[currency] / [token]": "a price per token",
    "[currency] / [accelerator] / [time]": "a price per GPU-hour",
    "[currency] / [accelerator]": "a price per GPU",
    "[length] ** 2 * [mass] / [time] ** 3 / [accelerator]": "a power per GPU",
    "[flop] / [token]": "computation per token",
    "[length] ** 2 * [mass] / [query] / [time] ** 2": "an energy per query",
    "[currency] / [flop]": "a cost per FLOP",
}


def _dims_key(dims: object) -> str:
    items = sorted(dict(dims).items())  # type: ignore[call-overload]
    num = " * ".join(f"{k}" + (f" ** {v:g}" if v != 1 else "") for k, v in items if v > 0)
    den = "".join(f" / {k}" + (f" ** {-v:g}" if v != -1 else "") for k, v in items if v < 0)
    return (num or "1") + den if (num or den) else ""


def kind_of(value: pint.Quantity[Any] | pint.Unit) -> str:
    """Plain words for a quantity's dimension: ``700 W`` -> ``a power``."""
    dims = value.dimensionality
    if not dims:
        return "a plain number"
    key = _dims_key(dims)
    # in the units written, never pint's "[mass] * [length] ** 2 / [time] ** 3"
    units = value.units if hasattr(value, "units") else value
    return _KINDS.get(key, f"a quantity in {units:~P}")


def describe(value: pint.Quantity[Any]) -> str:
    """``700 W`` -> ``700 W (a power)``, for messages."""
    m = magnitudes(value)
    shown = f"{m[0]:g}" if is_point(value) else f"{m.mean():g} (mean)"
    unit = f"{value.units:~P}"
    return f"{shown} {unit} ({kind_of(value)})".replace("  ", " ")


def to_unit(
    value: pint.Quantity[Any], unit: str, *, what: str = "the result"
) -> pint.Quantity[Any]:
    """``value`` in ``unit`` (itself a unit expression such as ``Wh`` or ``USD/GPU/hour``), or
    a :class:`UnitMismatchError` that says what each side is."""
    # the target keeps its own unit ("%" stays a percentage, not 0.01)
    target = evaluate(unit, simplify=False) if unit.strip() else None
    if target is None:
        raise CalcError("the target unit is empty", hint="e.g. --to Wh")
    try:
        return value.to(target.units)
    except pint.DimensionalityError:
        hint = f"give --to a unit of the same kind, e.g. {suggest_unit(value)}"
        gpus = (value / target).to_reduced_units().dimensionality
        if dict(gpus) in ({"[accelerator]": 1}, {"[accelerator]": -1}):
            hint = (
                "the two differ by a number of GPUs: catalog peaks and prices are per GPU, "
                "so multiply by a count such as 2048 GPU"
            )
        raise UnitMismatchError(
            f"cannot express {what}, {describe(value)}, in {unit} ({kind_of(target)})",
            hint=hint,
        ) from None


_SUGGEST = {
    "an energy": "Wh",
    "a power": "W",
    "a time": "hour",
    "an amount of money": "USD",
    "an amount of computation (FLOP)": "FLOP",
    "a compute rate (FLOP/s)": "TFLOP/s",
    "an amount of data": "GB",
    "a bandwidth": "TB/s",
    "a compute rate per GPU (FLOP/s/GPU)": "TFLOP/s/GPU",
    "a plain number": "%",
}


def suggest_unit(value: pint.Quantity[Any]) -> str:
    return _SUGGEST.get(kind_of(value), f"{value.units:~P}" or "a plain number (no --to)")


def difference(a: pint.Quantity[Any], b: pint.Quantity[Any]) -> str:
    """Why ``a`` and ``b`` cannot be compared: ``a is an energy, b a power; they differ by a
    time``."""
    ratio = Quantity(1.0, a.units) / Quantity(1.0, b.units)
    # name the factor between them whichever way round it has a name ("a time", not "1/time")
    by = kind_of(ratio)
    if by.startswith("a quantity in"):
        by = kind_of(1 / ratio)
    return f"{kind_of(a)} is not {kind_of(b)}; they differ by {by}"
