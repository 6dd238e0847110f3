"""Formulas, parsed: the references they make, the functions they call, the numbers typed into
them, and their shape in relative R1C1 form (the same for every copy of a formula filled down
or across).

Parsing is openpyxl's formula tokenizer (the grammar of ECMA-376 formulas); this module only
reads its tokens. A formula the tokenizer cannot read comes back with ``error`` set and no
references, so that one odd cell never stops an audit.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError
from openpyxl.utils.cell import column_index_from_string, get_column_letter

MAX_ROW = 1_048_576
MAX_COL = 16_384


class Ref(NamedTuple):
    """A cell or a rectangle of cells: rows r1..r2 and columns c1..c2, 1-based, inclusive.

    (A named tuple: a workbook makes one per reference in every formula.)
    """

    sheet: str | None  # None: the formula's own sheet
    r1: int
    c1: int
    r2: int
    c2: int
    text: str  # as written in the formula
    external: bool = False  # a reference into another workbook ([1]Sheet!A1)

    @property
    def size(self) -> int:
        return (self.r2 - self.r1 + 1) * (self.c2 - self.c1 + 1)

    @property
    def is_cell(self) -> bool:
        return self.r1 == self.r2 and self.c1 == self.c2

    @property
    def is_row(self) -> bool:
        return self.r1 == self.r2 and self.c2 > self.c1

    @property
    def is_column(self) -> bool:
        return self.c1 == self.c2 and self.r2 > self.r1

    def cells(self) -> list[tuple[int, int]]:
        return [(r, c) for r in range(self.r1, self.r2 + 1) for c in range(self.c1, self.c2 + 1)]


class Parsed:
    """One formula, read.

    A formula that copies another (filled down or across) is not parsed again: it keeps the
    parsed original (``base``) and the offset, and works out its own tokens and references
    only when a rule asks for them.
    """

    __slots__ = ("text", "_tokens", "_refs", "names", "error", "base", "dr", "dc", "_pieces")

    def __init__(
        self,
        text: str,
        tokens: list[Token] | None = None,
        refs: list[Ref | None] | None = None,
        names: list[str] | None = None,
        error: str | None = None,
    ) -> None:
        self.text = text
        self._tokens = tokens if tokens is not None else []
        self._refs = refs if refs is not None else []
        self.names = names if names is not None else []
        self.error = error
        self.base: Parsed | None = None
        self.dr = self.dc = 0
        self._pieces: list[str] | None = None

    @classmethod
    def copy_of(cls, base: Parsed, dr: int, dc: int, text: str, pieces: list[str]) -> Parsed:
        p = cls(text, names=base.names)
        p._tokens = p._refs = None  # type: ignore[assignment]
        p.base, p.dr, p.dc, p._pieces = base, dr, dc, pieces
        return p

    def _materialize(self) -> None:
        base = self.base
        assert base is not None and self._pieces is not None
        tokens: list[Token] = []
        refs: list[Ref | None] = []
        for i, (t, ref) in enumerate(zip(base.tokens, base.refs, strict=True)):
            if ref is None:
                tokens.append(t)
                refs.append(None)
            else:
                tokens.append(Token(self._pieces[i], t.type, t.subtype))
                refs.append(self.ref(i))
        self._tokens, self._refs = tokens, refs

    @property
    def tokens(self) -> list[Token]:
        if self._tokens is None:
            self._materialize()
        return self._tokens

    @property
    def refs(self) -> list[Ref | None]:
        if self._refs is None:
            self._materialize()
        return self._refs

    def ref(self, i: int) -> Ref | None:
        """The reference made by token i (None if it is not one), without reading the rest."""
        if self._refs is not None:
            return self._refs[i]
        assert self.base is not None and self._pieces is not None
        b = self.base.refs[i]
        if b is None:
            return None
        return _moved_ref(b, self.base.tokens[i].value, self._pieces[i], self.dr, self.dc)

    @property
    def functions(self) -> list[str]:
        if self.base is not None:
            return self.base.functions
        return [
            t.value[:-1].upper()
            for t in self.tokens
            if t.type == Token.FUNC and t.subtype == Token.OPEN
        ]

    @property
    def references(self) -> list[Ref]:
        return [r for r in self.refs if r is not None]

    @property
    def numbers(self) -> list[float]:
        return [
            float(t.value)
            for t in self.tokens
            if t.type == Token.OPERAND and t.subtype == Token.NUMBER
        ]

    def render(self, replace: dict[int, str] | None = None) -> str:
        """The formula text, with the tokens at the given indices replaced."""
        replace = replace or {}
        return "=" + "".join(replace.get(i, t.value) for i, t in enumerate(self.tokens))


def _moved_ref(base: Ref, base_text: str, text: str, dr: int, dc: int) -> Ref:
    """A reference moved by (dr, dc): its absolute parts stay, whole rows/columns stay."""
    _, sides = _parts(base_text)
    a_col_abs, a_col, a_row_abs, a_row = sides[0]
    b_col_abs, _, b_row_abs, _ = sides[-1]
    r1, c1, r2, c2 = base.r1, base.c1, base.r2, base.c2
    if a_row is not None:  # a whole column (B:B) keeps its rows
        r1 += 0 if a_row_abs else dr
        r2 += 0 if b_row_abs else dr
    if a_col is not None:  # a whole row (3:3) keeps its columns
        c1 += 0 if a_col_abs else dc
        c2 += 0 if b_col_abs else dc
    return Ref(base.sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2), text, base.external)


def _split_sheet(text: str) -> tuple[str | None, str, bool]:
    if "!" not in text:
        return None, text, False
    sheet, _, addr = text.rpartition("!")
    external = sheet.startswith("[") or sheet.startswith("'[")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    if external and "]" in sheet:
        sheet = sheet[sheet.index("]") + 1 :]
    return sheet, addr, external


def _cell_part(part: str) -> tuple[int | None, int | None]:
    """(row, column) of one side of a reference: "$B$3" -> (3, 2); "B" -> (None, 2)."""
    s = part.replace("$", "")
    i = 0
    while i < len(s) and s[i].isalpha():
        i += 1
    letters, digits = s[:i], s[i:]
    if letters and not (len(letters) <= 3 and letters.isascii()):
        raise ValueError(part)
    if digits and not digits.isdigit():
        raise ValueError(part)
    if not letters and not digits:
        raise ValueError(part)
    col = column_index_from_string(letters.upper()) if letters else None
    row = int(digits) if digits else None
    if (col is not None and col > MAX_COL) or (row is not None and not 1 <= row <= MAX_ROW):
        raise ValueError(part)
    return row, col


def parse_ref(text: str) -> Ref | None:
    """A reference operand, or None when it names something else (a defined name)."""
    sheet, addr, external = _split_sheet(text)
    first, sep, last = addr.partition(":")
    try:
        r1, c1 = _cell_part(first)
        r2, c2 = _cell_part(last) if sep else (r1, c1)
    except ValueError:
        return None
    if sep and ((r1 is None) != (r2 is None) or (c1 is None) != (c2 is None)):
        return None
    if not sep and (r1 is None or c1 is None):
        return None
    # Whole columns (A:C) and whole rows (3:5) span the sheet.
    r1, r2 = (1, MAX_ROW) if r1 is None else (r1, r2)
    c1, c2 = (1, MAX_COL) if c1 is None else (c1, c2)
    assert r2 is not None and c2 is not None
    return Ref(sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2), text, external)


MAX_FORMULA_CHARS = 16_384
"""Longest formula read (Excel's own limit is 8,192 characters)."""
MAX_FORMULA_DEPTH = 100
"""Deepest nesting of parentheses and functions read (Excel's own limit is 64); deeper
formulas are reported as unreadable rather than walked, so no reader recurses past it."""


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[list[Token], str | None]:
    if len(text) > MAX_FORMULA_CHARS:
        return [], (
            f"cannot read this formula ({len(text):,} characters, more than the "
            f"{MAX_FORMULA_CHARS:,} read)"
        )
    try:
        tokens = Tokenizer(text).items
    except TokenizerError as exc:
        return [], f"cannot read this formula ({exc})"
    except Exception as exc:  # the tokenizer's other failures are bugs in odd input
        return [], f"cannot read this formula ({type(exc).__name__})"
    depth = deepest = 0
    for t in tokens:
        if (t.type == Token.FUNC or t.type == Token.PAREN) and t.subtype == Token.OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif (t.type == Token.FUNC or t.type == Token.PAREN) and t.subtype == Token.CLOSE:
            depth -= 1
    if deepest > MAX_FORMULA_DEPTH:
        return [], (
            f"cannot read this formula (nested {deepest:,} levels deep, more than "
            f"the {MAX_FORMULA_DEPTH} read)"
        )
    if depth != 0:
        return [], "cannot read this formula (unbalanced parentheses)"
    return tokens, None


def parse(text: str) -> Parsed:
    """Read one formula (with its leading ``=``)."""
    tokens, error = _tokens(text)
    if error:
        return Parsed(text, error=error)
    refs: list[Ref | None] = []
    names: list[str] = []
    for t in tokens:
        if t.type == Token.OPERAND and t.subtype == Token.RANGE:
            ref = parse_ref(t.value)
            refs.append(ref)
            if ref is None:
                names.append(t.value)
        else:
            refs.append(None)
    return Parsed(text, list(tokens), refs, names)


def _split_part(part: str) -> tuple[bool, str, bool, str]:
    """``"$B$4"`` -> (column absolute, "B", row absolute, "4"); either side may be empty."""
    col_abs = part.startswith("$")
    s = part[1:] if col_abs else part
    i = 0
    while i < len(s) and s[i].isalpha():
        i += 1
    letters, rest = s[:i], s[i:]
    row_abs = rest.startswith("$")
    return col_abs, letters, row_abs, rest[1:] if row_abs else rest


def _shift_part(part: str, dr: int, dc: int) -> tuple[str, int | None, int | None] | None:
    """One side of a reference moved by (dr, dc), as a copy would move it: the new text, its
    row and its column (None for a whole column or row). None if it leaves the sheet."""
    col_abs, letters, row_abs, digits = _split_part(part)
    if (letters and not letters.isascii()) or (digits and not digits.isdigit()):
        return None
    row = int(digits) if digits else None
    col = column_index_from_string(letters.upper()) if letters else None
    if row is not None and not row_abs:
        row += dr
    if col is not None and not col_abs:
        col += dc
    if (row is not None and not 1 <= row <= MAX_ROW) or (
        col is not None and not 1 <= col <= MAX_COL
    ):
        return None
    text = ""
    if col is not None:
        text += ("$" if col_abs else "") + get_column_letter(col)
    if row is not None:
        text += ("$" if row_abs else "") + str(row)
    return text, row, col


@lru_cache(maxsize=65536)
def _parts(text: str) -> tuple[str, tuple[tuple[bool, int | None, bool, int | None], ...]]:
    """A reference token split once: its sheet prefix, and per side (column absolute,
    column, row absolute, row)."""
    _, addr, _ = _split_sheet(text)
    prefix = text[: len(text) - len(addr)]
    sides = []
    for part in addr.split(":"):
        col_abs, letters, row_abs, digits = _split_part(part)
        col = column_index_from_string(letters.upper()) if letters and letters.isascii() else None
        row = int(digits) if digits.isdigit() else None
        sides.append((col_abs, col, row_abs, row))
    return prefix, tuple(sides)


def _shift_text(text: str, dr: int, dc: int) -> str | None:
    prefix, sides = _parts(text)
    out = []
    for col_abs, col, row_abs, row in sides:
        piece = ""
        if col is not None:
            c = col if col_abs else col + dc
            if not 1 <= c <= MAX_COL:
                return None
            piece = ("$" if col_abs else "") + get_column_letter(c)
        if row is not None:
            r = row if row_abs else row + dr
            if not 1 <= r <= MAX_ROW:
                return None
            piece += ("$" if row_abs else "") + str(r)
        out.append(piece)
    return prefix + ":".join(out)


def moved(parsed: Parsed, dr: int, dc: int, expected: str | None = None) -> Parsed | None:
    """The formula as it reads when copied (dr, dc) cells away, without parsing it again.
    With ``expected``, None unless the copy's text is exactly that (a cheap check first)."""
    if parsed.error:
        return None
    base = parsed.base or parsed
    dr, dc = dr + parsed.dr, dc + parsed.dc
    pieces: list[str] = []
    for t, ref in zip(base.tokens, base.refs, strict=True):
        if ref is None:
            pieces.append(t.value)
            continue
        piece = _shift_text(t.value, dr, dc)
        if piece is None:
            return None
        pieces.append(piece)
    text = "=" + "".join(pieces)
    if expected is not None and text != expected:
        return None
    return Parsed.copy_of(base, dr, dc, text, pieces)


def _rel(part: str, row: int, col: int) -> str:
    """One side of a reference in relative R1C1 form, from the cell at (row, col)."""
    s = part
    col_abs = s.startswith("$")
    s = s.lstrip("$")
    i = 0
    while i < len(s) and s[i].isalpha():
        i += 1
    letters, rest = s[:i], s[i:]
    row_abs = rest.startswith("$")
    digits = rest.lstrip("$")
    out = ""
    if digits:
        r = int(digits)
        out += f"R{r}" if row_abs else f"R[{r - row}]"
    if letters:
        c = column_index_from_string(letters.upper())
        out += f"C{c}" if col_abs else f"C[{c - col}]"
    return out


def r1c1(parsed: Parsed, row: int, col: int) -> str:
    """The formula's shape in relative R1C1 form: copies filled down or across are equal."""
    if parsed.error:
        return parsed.text
    return "".join(r1c1_tokens(parsed, row, col))


def r1c1_tokens(parsed: Parsed, row: int, col: int) -> list[str]:
    """The tokens of the formula, references in relative R1C1 form."""
    out: list[str] = []
    for t, ref in zip(parsed.tokens, parsed.refs, strict=True):
        if ref is None:
            out.append(t.value.upper() if t.type == Token.FUNC else t.value)
            continue
        sheet, addr, _ = _split_sheet(t.value)
        prefix = t.value[: len(t.value) - len(addr)]
        first, sep, last = addr.partition(":")
        out.append(prefix + _rel(first, row, col) + (":" + _rel(last, row, col) if sep else ""))
    return out


def a1(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def range_text(r1: int, c1: int, r2: int, c2: int) -> str:
    return a1(r1, c1) if (r1, c1) == (r2, c2) else f"{a1(r1, c1)}:{a1(r2, c2)}"
