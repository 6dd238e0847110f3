"""Units of cells, read from their labels, and carried through formulas.

A cell's unit is what its row label says (``Server CapEx $m``), or else its column header.
Through a formula, units multiply and divide; added terms must agree. Counts of things
(GPUs, tokens, nodes) are treated as plain numbers, so ``GPUs × $k per GPU`` is dollars
whether or not a label spells out "per GPU". Money, time, power and energy are kept.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from openpyxl.formula.tokenizer import Token

from flopbook.audit.formula import a1
from flopbook.audit.layout import is_count
from flopbook.labels import unit_from_label

if TYPE_CHECKING:
    from flopbook.audit.formula import Parsed, Ref
    from flopbook.audit.workbook import Pos, Sheet, Workbook

# Dimensions of things counted, not measured: dropped, so counts need no unit in a label.
THINGS = {"[accelerator]", "[node]", "[token]", "[query]", "[request]"}
MAX_RANGE = 500


@dataclass(frozen=True)
class Unit:
    scale: float  # one label unit in base units: $m -> 1e6; $/hr -> 1/3600 (USD per second)
    dims: tuple[tuple[str, float], ...]  # e.g. (("[currency]", 1), ("[time]", -1))
    text: str = ""  # as written in the label, for messages
    literal: bool = False  # a number typed in the formula

    @property
    def has_time(self) -> bool:
        return any(d == "[time]" for d, _ in self.dims)

    def same_dims(self, other: Unit) -> bool:
        return self.dims == other.dims

    def describe(self) -> str:
        return self.text or _plain(self)


def _plain(u: Unit) -> str:
    """A unit in words, for a unit no label spelled out (GPUs × $k per GPU)."""
    if not u.dims:
        return "a plain number"
    names = {"[currency]": "money", "[time]": "time", "[length]": "length", "[mass]": "mass"}
    up = [names.get(d, d.strip("[]")) for d, p in u.dims if p > 0]
    down = [names.get(d, d.strip("[]")) for d, p in u.dims if p < 0]
    text = " and ".join(up) if up else "a number"
    if down:
        text += " per " + " per ".join(down)
    return text


def _dims(d: dict[str, float]) -> tuple[tuple[str, float], ...]:
    return tuple(sorted((k, float(v)) for k, v in d.items() if k not in THINGS and v))


@lru_cache(maxsize=8192)
def label_unit(label: str | None) -> Unit | None:
    """The unit a label states; counts are plain numbers; None when the label names none."""
    if not label:
        return None

    lu = unit_from_label(label)
    if lu is None:
        return Unit(1.0, (), "count") if is_count(label) else None
    base = _base(lu.unit)
    if base is None:
        return None
    factor, dims = base
    return Unit(lu.scale * factor, _dims(dims), _unit_text(label))


# The words flopbook.labels writes in a label's unit, in SI base units: (factor, dimensions),
# the same as flopbook.quantity's pint registry (tests/audit/test_units.py holds every entry
# to it). Reading labels through this table needs neither pint nor NumPy, which take longer
# to load than the audit of a small workbook; a unit written any other way goes to pint.
_ENERGY_DIMS: dict[str, float] = {"[length]": 2, "[mass]": 1, "[time]": -2}
_POWER_DIMS: dict[str, float] = {"[length]": 2, "[mass]": 1, "[time]": -3}
_YEAR = 365.25 * 86400.0
BASE_UNITS: dict[str, tuple[float, dict[str, float]]] = {
    "USD": (1.0, {"[currency]": 1}),
    "W": (1.0, _POWER_DIMS),
    "kW": (1e3, _POWER_DIMS),
    "kWh": (3.6e6, _ENERGY_DIMS),
    "MWh": (3.6e9, _ENERGY_DIMS),
    "second": (1.0, {"[time]": 1}),
    "hour": (3600.0, {"[time]": 1}),
    "day": (86400.0, {"[time]": 1}),
    "month": (_YEAR / 12, {"[time]": 1}),
    "year": (_YEAR, {"[time]": 1}),
    "GPU": (1.0, {"[accelerator]": 1}),
    "token": (1.0, {"[token]": 1}),
    "query": (1.0, {"[query]": 1}),
    "1": (1.0, {}),
}
_UNIT_WORD = re.compile(r"([*/]?)([A-Za-z0-9]+)")


def _base(unit: str) -> tuple[float, dict[str, float]] | None:
    """``unit`` (a product and quotient of unit words, read left to right as pint reads
    it) in base units, or None where pint does not know it."""
    factor, dims = 1.0, {}
    words = _UNIT_WORD.findall(unit)
    if "".join(op + w for op, w in words) != unit.replace(" ", "") or any(
        w not in BASE_UNITS for _, w in words
    ):
        return _pint_base(unit)
    for op, word in words:
        f, d = BASE_UNITS[word]
        sign = -1 if op == "/" else 1
        factor = factor / f if sign < 0 else factor * f
        for k, p in d.items():
            dims[k] = dims.get(k, 0) + sign * p
    return factor, dims


def _pint_base(unit: str) -> tuple[float, dict[str, float]] | None:
    # a unit outside BASE_UNITS: pint's registry (and NumPy under it) load only here
    from flopbook.quantity import registry

    try:
        q = registry().Quantity(1.0, unit).to_base_units()
    except Exception:
        return None
    return float(q.magnitude), dict(q.dimensionality)


def _unit_text(label: str) -> str:
    m = re.search(
        r"(?:\$|USD)\s*(?:bn|b|m|mm|k)?(?:\s*/\s*[A-Za-z\-]+)?|%|\b[kMGT]?W(?:h)?\b", label
    )
    if not m:
        return label
    text = m.group(0)
    per = re.search(r"\bper\s+(year|annum|month|quarter|week|day|hour)\b", label, re.IGNORECASE)
    if per and "/" not in text and text.startswith(("$", "USD")):
        text += "/" + per.group(1).lower()  # "Opex per year $m": $m/year
    return text


def _cell_unit_source(sheet: Sheet, pos: Pos) -> tuple[Unit | None, Pos | None]:
    cache = sheet.cache.setdefault("unit", {})
    found = cache.get(pos)
    if found is None:
        found = cache[pos] = _find_unit_source(sheet, pos)
    return found


_RATIO = re.compile(
    r"\bratio\b|÷|\bvs\.?\b|\bmultiple\b|^\s*[A-Za-z][\w ]*?\s+/\s+"
    r"(?!(?:gpus?|units?|hr|hours?|years?|yr|months?|days?|tokens?|queries|"
    r"query|nodes?|kw|kwh|mw|mwh|w|chips?|servers?)\b)[A-Za-z][\w ]*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=8192)
def _is_ratio(header: str) -> bool:
    # asked once per formula cell, of the few headers a sheet has
    return _RATIO.search(header) is not None


def _find_unit_source(sheet: Sheet, pos: Pos) -> tuple[Unit | None, Pos | None]:
    header = sheet.column_header(pos)
    if header and _is_ratio(header):
        # "Model / published", "Ratio": a column of ratios, whatever unit its rows are in
        return Unit(1.0, (), "ratio"), sheet.header_cell(pos)
    # every text left of the cell: "Maintenance (share of capex per year)" and a unit column
    label = sheet.row_text(pos)
    u = label_unit(label)
    if u is not None:
        return u, sheet.label_cell(pos)
    u = label_unit(sheet.column_header(pos))
    return (u, sheet.header_cell(pos)) if u is not None else (None, None)


def cell_unit(sheet: Sheet, pos: Pos) -> Unit | None:
    return _cell_unit_source(sheet, pos)[0]


def declared(sheet: Sheet, pos: Pos) -> tuple[Unit | None, Pos | None]:
    """The unit a cell's labels give it, and the cell holding that label."""
    return _cell_unit_source(sheet, pos)


# ---- carrying units through a formula -------------------------------------------------------


@dataclass
class Clash:
    """Two terms of a sum whose units differ."""

    kind: str  # "dims" or "scale"
    left: Unit
    right: Unit
    left_text: str
    right_text: str


@dataclass
class Carried:
    unit: Unit | None
    clashes: list[Clash] = field(default_factory=list)
    literal_factor: bool = False  # a typed number multiplies or divides


class _Reader:
    def __init__(self, book: Workbook, sheet: Sheet, parsed: Parsed) -> None:
        self.book, self.sheet, self.p = book, sheet, parsed
        self.toks = [
            (t, parsed.refs[i]) for i, t in enumerate(parsed.tokens) if t.type != Token.WSPACE
        ]
        self.i = 0
        self.clashes: list[Clash] = []
        self.literal_factor = False

    def peek(self) -> Token | None:
        return self.toks[self.i][0] if self.i < len(self.toks) else None

    def next(self) -> tuple[Token, Ref | None]:
        item = self.toks[self.i]
        self.i += 1
        return item

    # expr := term (("+"|"-") term)* ; comparisons and "&" give no unit
    def expr(self) -> tuple[Unit | None, str]:
        left, ltext = self.term()
        while (t := self.peek()) is not None and t.type == Token.OP_IN:
            if t.value in ("+", "-"):
                self.next()
                right, rtext = self.term()
                left = self._add(left, right, ltext, rtext)
                ltext = f"{ltext} {t.value} {rtext}"
            elif t.value in ("=", "<", ">", "<=", ">=", "<>", "&"):
                self.next()
                self.term()
                left, ltext = None, ltext
            else:
                break
        return left, ltext

    def term(self) -> tuple[Unit | None, str]:
        left, ltext = self.power()
        while (t := self.peek()) is not None and t.type == Token.OP_IN and t.value in "*/":
            self.next()
            right, rtext = self.power()
            if (left is not None and left.literal) or (right is not None and right.literal):
                self.literal_factor = True
                lit = left if left is not None and left.literal else right
                other = right if lit is left else left
                if other is not None and not other.literal and not _power_of_ten(lit.scale):
                    # a number typed into a product may be a period (×4 years), hours in a
                    # year (8760), a price or an efficiency: what it does to the unit is
                    # unknown, not nothing
                    left = None
                    ltext = f"{ltext} {t.value} {rtext}"
                    continue
            left = _mul(left, right, -1 if t.value == "/" else 1)
            ltext = f"{ltext} {t.value} {rtext}"
        return left, ltext

    def power(self) -> tuple[Unit | None, str]:
        base, text = self.unary()
        while (t := self.peek()) is not None and t.type == Token.OP_IN and t.value == "^":
            self.next()
            exp, _ = self.unary()
            if base is None or exp is None or not exp.literal:
                base = None
            else:
                p = exp.scale
                base = Unit(
                    base.scale**p, tuple((d, k * p) for d, k in base.dims), literal=base.literal
                )
        return base, text

    def unary(self) -> tuple[Unit | None, str]:
        t = self.peek()
        if t is not None and t.type == Token.OP_PRE:
            self.next()
            return self.unary()
        u, text = self.primary()
        while (t := self.peek()) is not None and t.type == Token.OP_POST:  # a % sign
            self.next()
            if u is not None:
                u = Unit(u.scale * 0.01, u.dims, literal=u.literal)
        return u, text

    def primary(self) -> tuple[Unit | None, str]:
        if self.peek() is None:
            return None, ""
        t, ref = self.next()
        if t.type == Token.OPERAND:
            if t.subtype == Token.NUMBER:
                return Unit(float(t.value), (), literal=True), t.value
            if ref is not None:
                return self._ref_unit(ref), t.value
            return None, t.value
        if t.type == Token.PAREN and t.subtype == Token.OPEN:
            u, text = self.expr()
            if self.peek() is not None and self.peek().type == Token.PAREN:
                self.next()
            return u, f"({text})"
        if t.type == Token.FUNC and t.subtype == Token.OPEN:
            name = t.value[:-1].upper()
            args: list[tuple[Unit | None, str]] = []
            while (n := self.peek()) is not None and not (
                n.type == Token.FUNC and n.subtype == Token.CLOSE
            ):
                if n.type == Token.SEP:
                    self.next()
                    continue
                before = self.i
                args.append(self.expr())
                if self.i == before:  # something this reader does not follow: skip it
                    self.next()
            if self.peek() is not None:
                self.next()
            return self._function(name, args), f"{name}(…)"
        return None, t.value

    def _function(self, name: str, args: list[tuple[Unit | None, str]]) -> Unit | None:
        if not args:
            return None
        if name in ("SUM", "AVERAGE", "MIN", "MAX", "MEDIAN"):
            unit = args[0][0]
            text = args[0][1]
            for u, t in args[1:]:
                unit = self._add(unit, u, text, t)
            return unit
        if name in (
            "ROUND",
            "ROUNDUP",
            "ROUNDDOWN",
            "ABS",
            "IFERROR",
            "IFNA",
            "CEILING",
            "FLOOR",
            "MROUND",
            "INT",
        ):
            return args[0][0]
        if name == "SUMPRODUCT":
            unit = args[0][0]
            for u, _ in args[1:]:
                unit = _mul(unit, u, 1)
            return unit
        if name == "IF" and len(args) == 3:
            a, b = args[1][0], args[2][0]
            if a is not None and b is not None and a.same_dims(b):
                return a
        return None

    def _ref_unit(self, ref: Ref) -> Unit | None:
        if ref.external:
            return None
        target = self.book.sheet(ref.sheet, self.sheet)
        if target is None:
            return None
        if ref.is_cell:
            return cell_unit(target, (ref.r1, ref.c1))
        if ref.size > MAX_RANGE:
            return None
        seen: dict[tuple[float, tuple], tuple[Unit, str]] = {}
        for c in ref.cells():
            if not target.is_empty(c) and not target.is_text(c):
                u = cell_unit(target, c)
                if u is None:
                    return None
                seen.setdefault((u.scale, u.dims), (u, a1(*c)))
        if not seen:
            return None
        (u1, c1), *rest = seen.values()
        unit: Unit | None = u1
        for u2, c2 in rest:  # a range that adds cells in different units
            unit = self._add(unit, u2, f"{c1} ({u1.describe()})", f"{c2} ({u2.describe()})")
        return unit

    def _add(self, a: Unit | None, b: Unit | None, at: str, bt: str) -> Unit | None:
        if a is None or b is None:
            return None
        if a.literal or b.literal:
            other = b if a.literal else a
            if other.dims == (("[time]", -1.0),):
                return Unit(1.0, ())  # 1 + a yearly rate: the growth factor of one period
            return other
        if not a.same_dims(b):
            self.clashes.append(Clash("dims", a, b, at, bt))
            return None
        if not math.isclose(a.scale, b.scale, rel_tol=1e-6) and not a.has_time:
            self.clashes.append(Clash("scale", a, b, at, bt))
            return None
        return a


def _power_of_ten(x: float) -> bool:
    if x <= 0:
        return False
    k = math.log10(x)
    return abs(k - round(k)) < 1e-9


def _mul(a: Unit | None, b: Unit | None, sign: int) -> Unit | None:
    if a is None or b is None:
        return None
    dims: dict[str, float] = dict(a.dims)
    for d, p in b.dims:
        dims[d] = dims.get(d, 0) + sign * p
    scale = a.scale * (b.scale if sign > 0 else 1 / b.scale) if b.scale else a.scale
    # the units as the labels wrote them ("$k × GPU"), for messages; counts and typed
    # numbers add no word
    words = [x.text for x in (a, b) if x.text and x.text != "count" and not x.literal]
    text = (" × " if sign > 0 else " / ").join(words) if len(words) == 2 else ""
    if len(words) == 1 and (a.literal or b.literal or "count" in (a.text, b.text)):
        text = words[0] if sign > 0 or words[0] == a.text else ""
    return Unit(scale, _dims(dims), text, literal=a.literal and b.literal)


def carry(book: Workbook, sheet: Sheet, parsed: Parsed) -> Carried:
    """The unit a formula computes from the units of the cells it reads."""
    reader = _Reader(book, sheet, parsed)
    try:
        unit, _ = reader.expr()
    except (IndexError, ValueError, ZeroDivisionError, OverflowError, RecursionError):
        return Carried(None)  # RecursionError: a guard; formula.parse caps the depth first
    if reader.i < len(reader.toks):  # did not read the whole formula
        unit = None
    if unit is not None and unit.literal:
        unit = None  # typed numbers only: no label says what they are
    return Carried(unit, reader.clashes, reader.literal_factor)
