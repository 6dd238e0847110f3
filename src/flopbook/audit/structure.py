"""The structure of a sheet that every rule reads: formula runs, identifier columns, and the
value a run's formula would have at any cell (totals and blocks are read in blocks.py, labels
in layout.py, units in units.py).

A *run* is the set of cells of one row or one column holding the same formula in relative
R1C1 form (=C5*C4 and =D5*D4 are one run along row 5), gaps allowed: a run is how a
spreadsheet's author says "this line is computed this way", and a cell of the line that
holds something else — another formula, or a typed number — is where errors sit (the
published detectors that lead on real workbooks, CUSTODES and Tasi, start from the same
groups).

An *identifier column* holds student numbers, codes, years or dates: whole numbers that
name rows rather than measure them; a total never adds one.

Everything is computed once per sheet, on first use, and kept in ``sheet.cache``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from openpyxl.formula.tokenizer import Token

from flopbook.audit.formula import moved
from flopbook.audit.workbook import CellError, is_number

if TYPE_CHECKING:
    from flopbook.audit.formula import Parsed
    from flopbook.audit.workbook import Pos, Sheet

MAX_RANGE = 10_000  # cells of one range the evaluator reads
MIN_RUN = 2  # formulas of one shape on a line before it is a run

_ID_HEADER = re.compile(
    r"\b(?:id|ids|no\.?|nr\.?|num(?:ber)?|code|codes|zip|postcode|post code|phone|tel|"
    r"account|acct|ssn|student|item\s*#|#|year|yr|fy|date|month|period|ref|reference|"
    r"rank|seq|sequence|line|row|index|key|isbn|sku|part)\b|^#$|#\s*$",
    re.IGNORECASE,
)
_NOT_ID = re.compile(
    r"\b(?:number of|no\. of|amount|total|sum|count|qty|quantity|value|"
    r"cost|price|\$|hours|units)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Run:
    """Cells of one line (a row when ``along_row``) holding the same relative formula."""

    shape: str
    along_row: bool
    line: int  # the row (along a row) or the column (down a column)
    cells: tuple[Pos, ...]  # in order along the line

    @property
    def first(self) -> Pos:
        return self.cells[0]

    @property
    def last(self) -> Pos:
        return self.cells[-1]

    def nearest(self, pos: Pos) -> Pos:
        k = 1 if self.along_row else 0
        i = bisect.bisect_left(self.cells, pos[k], key=lambda c: c[k])
        near = self.cells[max(0, i - 1) : i + 1]
        return min(near, key=lambda c: abs(c[k] - pos[k]))

    def spans(self, pos: Pos) -> bool:
        """pos lies between the run's first and last cell."""
        k = 1 if self.along_row else 0
        return self.first[k] < pos[k] < self.last[k]


def runs(sheet: Sheet, along_row: bool, lone: bool = False) -> dict[int, list[Run]]:
    """Every run of the sheet in one direction: line -> runs, longest first. With ``lone``,
    the formulas alone of their shape on their line instead, as runs of one cell."""
    key = ("lone-" if lone else "") + ("runs-row" if along_row else "runs-col")
    found = sheet.cache.get(key)
    if found is None:
        _index_runs(sheet)
        found = sheet.cache[key]
    return found  # type: ignore[return-value]


def in_a_run(sheet: Sheet, pos: Pos, along_row: bool) -> bool:
    """pos belongs to a run along its row (or down its column)."""
    key = "in-runs-row" if along_row else "in-runs-col"
    if key not in sheet.cache:
        _index_runs(sheet)
    return pos in sheet.cache[key]


def _index_runs(sheet: Sheet) -> None:
    """Group every formula by its shape along its row and down its column, in one pass."""
    rows: dict[tuple[int, str], list[Pos]] = {}
    cols: dict[tuple[int, str], list[Pos]] = {}
    for pos in sheet.formulas:
        shape = sheet.shape(pos)
        if shape is None or ("R[" not in shape and "C[" not in shape):
            continue  # a formula of fixed cells only is a fill, not a pattern
        rows.setdefault((pos[0], shape), []).append(pos)
        cols.setdefault((pos[1], shape), []).append(pos)
    members = {}
    for along_row, groups in ((True, rows), (False, cols)):
        name = "runs-row" if along_row else "runs-col"
        found: dict[int, list[Run]] = {}
        inside: set[Pos] = set()
        for (line, shape), cells in groups.items():
            if len(cells) >= MIN_RUN:
                found.setdefault(line, []).append(Run(shape, along_row, line, tuple(sorted(cells))))
                inside.update(cells)
        for lst in found.values():
            lst.sort(key=lambda r: -len(r.cells))
        sheet.cache[name] = found  # type: ignore[assignment]
        sheet.cache["in-" + name] = inside  # type: ignore[assignment]
        members[along_row] = inside
    # a formula alone on its line, kept as a run of one cell. Along a row, one that belongs
    # to a run down its column is left out: in a table the columns are the quantities, and
    # a column's formula says nothing of the other columns beside it
    for along_row, groups in ((True, rows), (False, cols)):
        lone: dict[int, list[Run]] = {}
        for (line, shape), cells in groups.items():
            if len(cells) == 1 and not (along_row and cells[0] in members[False]):
                lone.setdefault(line, []).append(Run(shape, along_row, line, (cells[0],)))
        sheet.cache["lone-" + ("runs-row" if along_row else "runs-col")] = lone  # type: ignore[assignment]


def runs_at(sheet: Sheet, pos: Pos) -> list[Run]:
    """The runs of the row and of the column through pos (pos itself need not be in them)."""
    return [*runs(sheet, True).get(pos[0], ()), *runs(sheet, False).get(pos[1], ())]


# ---- identifier, code, year and date columns --------------------------------------------


def id_columns(sheet: Sheet) -> _IdColumns:
    """The identifier, code, year and date columns of the sheet, judged column by column
    when first asked (``c in id_columns(sheet)``)."""
    found = sheet.cache.get("id-columns")
    if found is None:
        found = sheet.cache["id-columns"] = _IdColumns(sheet)  # type: ignore[assignment]
    return found  # type: ignore[return-value]


class _IdColumns:
    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.judged: dict[int, bool] = {}
        self.by_col: dict[int, list[tuple[int, Any]]] | None = None

    def __contains__(self, col: object) -> bool:
        if not isinstance(col, int):
            return False
        found = self.judged.get(col)
        if found is None:
            if self.by_col is None:
                self.by_col = {}
                for (r, c), v in self.sheet.values.items():
                    self.by_col.setdefault(c, []).append((r, v))
            found = self.judged[col] = _is_id_column(self.sheet, col, self.by_col.get(col, []))
        return found


def _formula_columns(sheet: Sheet) -> set[int]:
    found = sheet.cache.get("formula-columns")
    if found is None:
        found = sheet.cache["formula-columns"] = {c for _, c in sheet.formulas}  # type: ignore[assignment]
    return found  # type: ignore[return-value]


def _is_id_column(sheet: Sheet, c: int, cells: list[tuple[int, Any]]) -> bool:
    vals = [v for r, v in cells if (r, c) not in sheet.formulas]
    nums = [v for v in vals if is_number(v)]
    dates = [v for v in vals if isinstance(v, (dt.date, dt.datetime, dt.time))]
    if len(dates) >= 2 and len(dates) >= len(nums):
        return True
    if len(nums) < 2 or any(not float(v).is_integer() for v in nums):
        return False
    top = min(r for r, v in cells if is_number(v) and (r, c) not in sheet.formulas)
    header = sheet.column_header((top, c))
    if header and _ID_HEADER.search(header) and not _NOT_ID.search(header):
        return True
    if all(1900 <= v <= 2100 for v in nums):
        return True  # years
    ordered = sorted(nums)
    if (
        len(set(nums)) == len(nums)
        and len(nums) >= 3
        and ordered[-1] - ordered[0] == len(nums) - 1
        and ordered[0] in (0, 1)
    ):
        return True  # 1, 2, 3 …: row numbers
    computed = c in _formula_columns(sheet)
    # large distinct whole numbers, never computed: codes
    return len(nums) >= 3 and min(nums) >= 10_000 and len(set(nums)) == len(nums) and not computed


def is_identifier(sheet: Sheet, pos: Pos) -> bool:
    return pos[1] in id_columns(sheet) and pos not in sheet.formulas


# ---- the value a run's formula would have at another cell -------------------------------


def copied(sheet: Sheet, source: Pos, at: Pos) -> str | None:
    """The formula at ``source`` as it reads copied to ``at`` (None if it would leave the
    sheet)."""
    p = sheet.parsed(source)
    if p is None or p.error:
        return None
    q = moved(p, at[0] - source[0], at[1] - source[1])
    return None if q is None else q.text


def value_as(sheet: Sheet, source: Pos, at: Pos, from_nothing: bool = False) -> float | None:
    """The value the formula at ``source``, copied to ``at``, computes from the saved values
    it reads; None where it cannot be worked out here (a function this evaluator does not
    know, text, an error, another sheet, a reference to ``at`` itself) or where every cell
    it reads is empty or 0 (a value from nothing says nothing; ``from_nothing`` keeps it)."""
    p = sheet.parsed(source)
    if p is None or p.error:
        return None
    q = moved(p, at[0] - source[0], at[1] - source[1])
    if q is None:
        return None
    try:
        ev = _Eval(sheet, q, at)
        out = ev.run()
        return out if ev.filled or from_nothing else None
    except (_Unknown, ZeroDivisionError, OverflowError, ValueError, IndexError):
        return None


class _Unknown(Exception):
    pass


_FUNCS = {"SUM", "AVERAGE", "MIN", "MAX", "ROUND", "ABS", "PRODUCT", "COUNT"}


class _Eval:
    """Arithmetic, references on the same sheet and a few aggregates, nothing else."""

    def __init__(self, sheet: Sheet, p: Parsed, at: Pos) -> None:
        self.sheet, self.at = sheet, at
        self.toks = [(t, p.refs[i]) for i, t in enumerate(p.tokens) if t.type != Token.WSPACE]
        self.i = 0
        self.filled = 0  # referenced cells that hold a number other than 0

    def run(self) -> float:
        v = self.expr()
        if self.i != len(self.toks):
            raise _Unknown
        out = self._num(v)
        if not math.isfinite(out):
            raise _Unknown
        return out

    def peek(self) -> Token | None:
        return self.toks[self.i][0] if self.i < len(self.toks) else None

    def expr(self) -> Any:
        left = self.term()
        while (t := self.peek()) is not None and t.type == Token.OP_IN and t.value in "+-":
            self.i += 1
            right = self.term()
            left = (
                self._num(left) + self._num(right)
                if t.value == "+"
                else self._num(left) - self._num(right)
            )
        return left

    def term(self) -> Any:
        left = self.power()
        while (t := self.peek()) is not None and t.type == Token.OP_IN and t.value in "*/":
            self.i += 1
            right = self.power()
            left = (
                self._num(left) * self._num(right)
                if t.value == "*"
                else self._num(left) / self._num(right)
            )
        return left

    def power(self) -> Any:
        base = self.unary()
        while (t := self.peek()) is not None and t.type == Token.OP_IN and t.value == "^":
            self.i += 1
            base = self._num(base) ** self._num(self.unary())
        return base

    def unary(self) -> Any:
        t = self.peek()
        if t is not None and t.type == Token.OP_PRE:
            self.i += 1
            v = self._num(self.unary())
            return -v if t.value == "-" else v
        v = self.primary()
        while (t := self.peek()) is not None and t.type == Token.OP_POST and t.value == "%":
            self.i += 1
            v = self._num(v) / 100
        return v

    def primary(self) -> Any:
        if self.i >= len(self.toks):
            raise _Unknown
        t, ref = self.toks[self.i]
        self.i += 1
        if t.type == Token.OPERAND:
            if t.subtype == Token.NUMBER:
                return float(t.value)
            if (
                ref is None
                or ref.external
                or (ref.sheet is not None and ref.sheet.lower() != self.sheet.name.lower())
            ):
                raise _Unknown
            if ref.size > MAX_RANGE or (
                ref.r1 <= self.at[0] <= ref.r2 and ref.c1 <= self.at[1] <= ref.c2
            ):
                raise _Unknown  # reads itself: no value to compare with
            if ref.is_cell:
                return self._cell((ref.r1, ref.c1))
            vals = [self.sheet.values.get(c) for c in ref.cells()]
            self.filled += sum(1 for v in vals if is_number(v) and v != 0)
            return vals
        if t.type == Token.PAREN and t.subtype == Token.OPEN:
            v = self.expr()
            self._close(Token.PAREN)
            return v
        if t.type == Token.FUNC and t.subtype == Token.OPEN:
            name = t.value[:-1].upper()
            if name not in _FUNCS:
                raise _Unknown
            args = []
            while (n := self.peek()) is not None and not (
                n.type == Token.FUNC and n.subtype == Token.CLOSE
            ):
                if n.type == Token.SEP:
                    self.i += 1
                    continue
                args.append(self.expr())
            self._close(Token.FUNC)
            return _apply(name, args)
        raise _Unknown

    def _close(self, kind: str) -> None:
        t = self.peek()
        if t is None or t.type != kind or t.subtype != Token.CLOSE:
            raise _Unknown
        self.i += 1

    def _cell(self, pos: Pos) -> Any:
        v = self.sheet.values.get(pos)
        if v is None:
            if pos in self.sheet.formulas:
                raise _Unknown  # saved without a value
            return 0.0
        if is_number(v) and v != 0:
            self.filled += 1
        return v

    @staticmethod
    def _num(v: Any) -> float:
        if isinstance(v, list):
            raise _Unknown
        if is_number(v):
            return float(v)
        if v is None or v == "":
            return 0.0
        raise _Unknown  # text, an error value, a date


def _apply(name: str, args: list[Any]) -> float:
    flat: list[float] = []
    for a in args:
        if isinstance(a, list):
            for v in a:
                if isinstance(v, CellError):
                    raise _Unknown
                if is_number(v):
                    flat.append(float(v))
        elif isinstance(a, CellError):
            raise _Unknown
        elif is_number(a):
            flat.append(float(a))
        elif a not in (None, ""):
            raise _Unknown
    if name == "SUM":
        return math.fsum(flat)
    if name == "COUNT":
        return float(len(flat))
    if name == "PRODUCT":
        return math.prod(flat) if flat else 0.0
    if not flat:
        raise _Unknown
    if name == "AVERAGE":
        return math.fsum(flat) / len(flat)
    if name == "MIN":
        return min(flat)
    if name == "MAX":
        return max(flat)
    if name == "ABS" and len(args) == 1:
        return abs(flat[0])
    if name == "ROUND" and len(flat) == 2:
        return round(flat[0], int(flat[1]))
    raise _Unknown


def matches(typed: float, computed: float) -> bool:
    """A typed number equals a computed one, to the decimals it was typed with."""
    if computed == typed:
        return True
    if typed == 0 or computed == 0:
        return abs(computed - typed) < 1e-12
    decimals = _decimals(typed)
    if decimals is None:
        return math.isclose(typed, computed, rel_tol=1e-9)
    if decimals == 0 and abs(typed) < 10:
        return math.isclose(typed, computed, rel_tol=1e-9)  # a small whole number: exact
    return abs(typed - computed) <= 0.5 * 10**-decimals + 1e-9 * abs(typed)


def _decimals(v: float) -> int | None:
    text = repr(float(v))
    if "e" in text or "E" in text:
        return None
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    if len(frac) > 6:
        return None  # a number typed with that many decimals is a paste of a computed one
    return len(frac)
