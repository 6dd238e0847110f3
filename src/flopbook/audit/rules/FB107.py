"""FB107 — arithmetic on an empty or text cell, and error values.

Arithmetic on an empty cell quietly counts it as 0; on text it fails (#VALUE!) or, for
numbers stored as text, works by accident. A formula that shows an error (#REF!, #DIV/0!,
#VALUE!, #N/A) when saved is flagged where the error starts, not in every cell it spreads to.

Bad::

        A              B
    2   GPUs           10000
    3   Price $k       n/a
    4   Capex $m       =B2*B3/1000        <- text in arithmetic: #VALUE!
    5   Opex $m        =B4*B9             <- B9 is empty: 0
    6   Margin         =B7/B8             <- #DIV/0!
    7   Old            =#REF!*2           <- a deleted cell

Fix: point the formula at the cell that holds the number, fill the input, or guard the
division (=IF(B8=0, 0, B7/B8)).
"""

from __future__ import annotations

from collections.abc import Iterator

from openpyxl.formula.tokenizer import Token

from flopbook.audit.findings import Finding
from flopbook.audit.formula import a1
from flopbook.audit.rules import Context, Rule
from flopbook.audit.workbook import CellError

ARITHMETIC = {"+", "-", "*", "/", "^"}
GUARDS = {"IF", "IFERROR", "IFNA", "ISBLANK", "ISNUMBER", "ISTEXT", "N", "VALUE", "IFS",
          "ISERROR", "COUNTBLANK", "LEN"}
MAX_CHECKED = 10_000  # cells of a referenced range to look into for an error value


class FB107(Rule):
    code = "FB107"
    title = "Empty or text cell in arithmetic, or an error value"
    severity = "error"

    def check(self, ctx: Context) -> Iterator[Finding]:
        book = ctx.book
        for sheet in book.sheets.values():
            # what matters in a formula is the same for all its copies: read it once per shape
            by_shape: dict[str, tuple[bool, bool, list[int]]] = {}
            for pos in list(sheet.formulas):
                p = sheet.parsed(pos)
                if p is None or p.error:
                    continue
                shape = sheet.shape(pos) or ""
                facts = by_shape.get(shape)
                if facts is None:
                    facts = by_shape[shape] = _facts(p)
                ref_error, guarded, arithmetic = facts
                value = sheet.values.get(pos)
                if ref_error:
                    yield self.finding(sheet, pos, "The formula refers to a deleted cell "
                                       "(#REF!): a row, column or sheet it used was removed.",
                                       before=value)
                    continue
                if isinstance(value, CellError):
                    if not _inherits_error(book, sheet, p):
                        yield self.finding(sheet, pos, f"Shows {value} (as saved); the error "
                                           "starts here — "
                                           f"{_explain(value)}", before=value)
                    continue
                if guarded:
                    continue
                for i in arithmetic:
                    ref = p.ref(i)
                    assert ref is not None
                    target = book.sheet(ref.sheet, sheet)
                    if target is None:
                        continue
                    cell = (ref.r1, ref.c1)
                    where = ref.text
                    if target.is_empty(cell):
                        yield self.finding(sheet, pos, f"Uses {where} in arithmetic, but "
                                           f"{where} is empty, so it counts as 0; fill it "
                                           "or point the formula at the right cell.",
                                           before=value, related=[a1(*cell)])
                        break
                    if target.is_text(cell):
                        text = str(target.values.get(cell))[:40]
                        yield self.finding(sheet, pos, f"Uses {where} in arithmetic, but "
                                           f"{where} holds text ({text!r}); a label or a "
                                           "number stored as text.", before=value,
                                           related=[a1(*cell)])
                        break


def _facts(p) -> tuple[bool, bool, list[int]]:  # noqa: ANN001
    """(refers to #REF!, guarded by IF/IFERROR…, token indices of single cells used in
    arithmetic)."""
    ref_error = any(t.type == Token.OPERAND and t.subtype == Token.ERROR
                    and t.value == "#REF!" for t in p.tokens)
    guarded = bool(set(p.functions) & GUARDS)
    kept = [i for i, t in enumerate(p.tokens) if t.type != Token.WSPACE]
    arithmetic = []
    for k, i in enumerate(kept):
        ref = p.refs[i]
        if ref is None or not ref.is_cell or ref.external:
            continue
        prev = p.tokens[kept[k - 1]] if k > 0 else None
        nxt = p.tokens[kept[k + 1]] if k + 1 < len(kept) else None
        if _arith(prev) or _arith(nxt):
            arithmetic.append(i)
    return ref_error, guarded, arithmetic


def _arith(tok: Token | None) -> bool:
    if tok is None:
        return False
    return (tok.type == Token.OP_IN and tok.value in ARITHMETIC) or \
        (tok.type == Token.OP_PRE and tok.value == "-")


def _inherits_error(book, sheet, p) -> bool:  # noqa: ANN001
    """Whether a cell the formula reads already shows an error (the error came from there)."""
    for ref in p.references:
        if ref.external:
            continue
        target = book.sheet(ref.sheet, sheet)
        if target is None:
            continue
        if ref.size <= MAX_CHECKED:
            if any(isinstance(target.values.get(c), CellError) for c in ref.cells()):
                return True
        elif any(isinstance(v, CellError) and ref.r1 <= r <= ref.r2 and ref.c1 <= c <= ref.c2
                 for (r, c), v in target.values.items()):
            return True
    return False


def _explain(error: str) -> str:
    return {
        "#DIV/0!": "a division by zero or by an empty cell.",
        "#VALUE!": "arithmetic on text, or an argument of the wrong kind.",
        "#REF!": "a reference to a deleted cell.",
        "#NAME?": "an unknown function or name (a typo, or an add-in that is missing).",
        "#N/A": "a lookup that found nothing.",
        "#NUM!": "a number out of range (e.g. a root of a negative).",
        "#NULL!": "two ranges that do not meet.",
    }.get(str(error), "an error value.")
