"""Formulas, parsed: the references they make, the functions they call, the numbers typed into
them, and their shape in relative R1C1 form (the same for every copy of a formula filled down
or across).

Parsing is openpyxl's formula tokenizer (the grammar of ECMA-376 formulas); this module only
reads its tokens. A formula the tokenizer cannot read comes back with ``error`` set and no
references, so that one odd cell never stops an audit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError
from openpyxl.utils.cell import column_index_from_string, get_column_letter

MAX_ROW = 1_048_576
MAX_COL = 16_384


@dataclass(frozen=True, slots=True)
class Ref:
    """A cell or a rectangle of cells: rows r1..r2 and columns c1..c2, 1-based, inclusive."""

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


@dataclass(slots=True)
class Parsed:
    """One formula, read."""

    text: str
    tokens: list[Token] = field(default_factory=list)
    refs: list[Ref | None] = field(default_factory=list)  # one per token; None if not a ref
    names: list[str] = field(default_factory=list)  # defined names used (not cell refs)
    error: str | None = None

    @property
    def functions(self) -> list[str]:
        return [t.value[:-1].upper() for t in self.tokens
                if t.type == Token.FUNC and t.subtype == Token.OPEN]

    @property
    def references(self) -> list[Ref]:
        return [r for r in self.refs if r is not None]

    @property
    def numbers(self) -> list[float]:
        return [float(t.value) for t in self.tokens
                if t.type == Token.OPERAND and t.subtype == Token.NUMBER]

    def single_aggregate(self) -> tuple[str, Ref] | None:
        """``("SUM", ref)`` when the whole formula is FUNC(one range), else None."""
        toks = [t for t in self.tokens if t.type != Token.WSPACE]
        if (len(toks) == 3 and toks[0].type == Token.FUNC and toks[0].subtype == Token.OPEN
                and toks[2].type == Token.FUNC and self.refs[self.tokens.index(toks[1])]
                is not None):
            return toks[0].value[:-1].upper(), self.refs[self.tokens.index(toks[1])]  # type: ignore[return-value]
        return None

    def render(self, replace: dict[int, str] | None = None) -> str:
        """The formula text, with the tokens at the given indices replaced."""
        replace = replace or {}
        return "=" + "".join(replace.get(i, t.value) for i, t in enumerate(self.tokens))


def _split_sheet(text: str) -> tuple[str | None, str, bool]:
    if "!" not in text:
        return None, text, False
    sheet, _, addr = text.rpartition("!")
    external = sheet.startswith("[") or sheet.startswith("'[")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    if external and "]" in sheet:
        sheet = sheet[sheet.index("]") + 1:]
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


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[list[Token], str | None]:
    try:
        tokens = Tokenizer(text).items
    except TokenizerError as exc:
        return [], f"cannot read this formula ({exc})"
    except Exception as exc:  # the tokenizer's other failures are bugs in odd input
        return [], f"cannot read this formula ({type(exc).__name__})"
    depth = 0
    for t in tokens:
        if (t.type == Token.FUNC or t.type == Token.PAREN) and t.subtype == Token.OPEN:
            depth += 1
        elif (t.type == Token.FUNC or t.type == Token.PAREN) and t.subtype == Token.CLOSE:
            depth -= 1
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


def _shift_part(part: str, dr: int, dc: int) -> tuple[str, int | None, int | None] | None:
    """One side of a reference moved by (dr, dc), as a copy would move it: the new text, its
    row and its column (None for a whole column or row). None if it leaves the sheet."""
    col_abs = part.startswith("$")
    s = part[1:] if col_abs else part
    i = 0
    while i < len(s) and s[i].isalpha():
        i += 1
    letters, rest = s[:i], s[i:]
    row_abs = rest.startswith("$")
    digits = rest[1:] if row_abs else rest
    if (letters and not letters.isascii()) or (digits and not digits.isdigit()):
        return None
    row = int(digits) if digits else None
    col = column_index_from_string(letters.upper()) if letters else None
    if row is not None and not row_abs:
        row += dr
    if col is not None and not col_abs:
        col += dc
    if (row is not None and not 1 <= row <= MAX_ROW) or (col is not None
                                                         and not 1 <= col <= MAX_COL):
        return None
    text = ""
    if col is not None:
        text += ("$" if col_abs else "") + get_column_letter(col)
    if row is not None:
        text += ("$" if row_abs else "") + str(row)
    return text, row, col


def moved(parsed: Parsed, dr: int, dc: int) -> Parsed | None:
    """The formula as it reads when copied (dr, dc) cells away, without parsing it again:
    copies filled down or across are checked against this and share its tokens."""
    if parsed.error:
        return None
    tokens: list[Token] = []
    refs: list[Ref | None] = []
    for t, ref in zip(parsed.tokens, parsed.refs, strict=True):
        if ref is None:
            tokens.append(t)
            refs.append(None)
            continue
        sheet, addr, external = _split_sheet(t.value)
        prefix = t.value[: len(t.value) - len(addr)]
        first, sep, last = addr.partition(":")
        a = _shift_part(first, dr, dc)
        b = _shift_part(last, dr, dc) if sep else a
        if a is None or b is None:
            return None
        text = prefix + a[0] + (":" + b[0] if sep else "")
        r1, c1 = a[1], a[2]
        r2, c2 = b[1], b[2]
        r1, r2 = (1, MAX_ROW) if r1 is None or r2 is None else (r1, r2)
        c1, c2 = (1, MAX_COL) if c1 is None or c2 is None else (c1, c2)
        token = Token(text, t.type, t.subtype)
        tokens.append(token)
        refs.append(Ref(sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2), text,
                        external))
    text = "=" + "".join(t.value for t in tokens)
    return Parsed(text, tokens, refs, list(parsed.names))


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
