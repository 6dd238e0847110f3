"""FB107 — empty or text cell in arithmetic, or an error value.

Arithmetic on an empty cell counts it as 0; on text it fails or works by accident. Formulas
that showed an error when saved (#REF!, #DIV/0!, #VALUE!, #N/A, #NAME?) are reported where the
error starts, not in every cell it spreads to.

```
    A            B
2   GPUs         10000
3   Price $k     n/a
4   Capex $m     =B2*B3/1000     <- text in arithmetic: #VALUE!
5   Opex $m      =B4*B9          <- B9 is empty: 0
6   Margin       =B7/B8          <- #DIV/0!
7   Old          =#REF!*2        <- a deleted cell
fix: point the formula at the cell that holds the number, fill the input, or guard the
division (=IF(B8=0, 0, B7/B8)).
```

Blank cells, calmly: a blank added into a sum (`=B3+B4+B5`, `SUM`) is no finding — that is
how sparse tables are written. A blank *factor* (in a product or a quotient, or in brackets
a formula multiplies) is a **warning** where the other copies of the formula along its row or
column read numbers there, or where it is a fixed assumption (`$B$2`, with a label) every
copy reads — then one finding for the assumption, the other cells listed as related. A lone
blank factor is a **note** (a template's input still to fill). A `#REF!` is an error; an
error value where it starts is an error, and a template's block of `#DIV/0!` from empty
inputs is one **warning** for the block.

Not flagged: blanks and labels inside SUM ranges (SUM skips them), formulas guarded with IF,
IFERROR, ISBLANK, N.
"""

from __future__ import annotations

from collections.abc import Iterator

from openpyxl.formula.tokenizer import Token
from openpyxl.utils.cell import coordinate_to_tuple

from flopbook.audit.findings import Finding
from flopbook.audit.formula import Ref, a1
from flopbook.audit.rules import Context, Rule
from flopbook.audit.structure import Run, runs_at
from flopbook.audit.workbook import CellError, Pos, Sheet

ARITHMETIC = {"+", "-", "*", "/", "^"}
GUARDS = {
    "IF",
    "IFERROR",
    "IFNA",
    "ISBLANK",
    "ISNUMBER",
    "ISTEXT",
    "N",
    "VALUE",
    "IFS",
    "ISERROR",
    "COUNTBLANK",
    "LEN",
}
MAX_CHECKED = 10_000  # cells of a referenced range to look into for an error value


class FB107(Rule):
    code = "FB107"
    title = "Empty or text cell in arithmetic, or an error value"
    severity = "error"
    confidence = 0.9
    finds = "a `#REF!`; an error value where it starts; a blank factor the run's other copies fill"
    severities = "error / warning / note"

    def check(self, ctx: Context) -> Iterator[Finding]:
        book = ctx.book
        for sheet in book.sheets.values():
            # what matters in a formula is the same for all its copies: read it once per shape
            by_shape: dict[str, tuple[bool, bool, list[int]]] = {}
            errors: dict[tuple[str, str, int], Finding] = {}  # one per run and error value
            blanks: dict[tuple[str, str, Pos], Finding] = {}  # one per run and empty input
            for pos in sorted(sheet.formulas):
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
                    yield self.finding(
                        sheet,
                        pos,
                        "The formula refers to a deleted cell "
                        "(#REF!): a row, column or sheet it used was removed.",
                        before=value,
                    )
                    continue
                if isinstance(value, CellError):
                    if _inherits_error(book, sheet, p):
                        continue
                    empty = _reads_only_empty(book, sheet, p)
                    run = _run_of(sheet, pos)
                    if empty:  # a template's block of errors from inputs still to fill
                        near = next(
                            (
                                f
                                for (v, k, _), f in errors.items()
                                if v == str(value) and k == "template" and _near(f, pos)
                            ),
                            None,
                        )
                        if near is not None:
                            near.related.append(a1(*pos))
                            continue
                        key = (str(value), "template", pos[0] * 100_000 + pos[1])
                    else:
                        key = (str(value), shape, run.line if run else -pos[0] * 100_000 - pos[1])
                    if key in errors:  # the same formula showing the same error: one finding
                        errors[key].related.append(a1(*pos))
                        continue
                    f = self.finding(
                        sheet,
                        pos,
                        f"Shows {value} (as saved); the error starts "
                        f"here — {_explain(value)}"
                        + (
                            " Every cell it reads is empty: a template waiting "
                            'for its inputs; guard it (=IF(B8=0, "", B7/B8)).'
                            if empty
                            else ""
                        ),
                        before=value,
                    )
                    if empty:
                        f.severity, f.confidence = "warning", 0.6
                    errors[key] = f
                    yield f
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
                        f = self._blank(sheet, target, pos, i, ref, blanks)
                        if f is not None:
                            yield f
                            break
                        continue
                    if target.is_text(cell):
                        text = str(target.values.get(cell))[:40]
                        yield self.finding(
                            sheet,
                            pos,
                            f"Uses {where} in arithmetic, but "
                            f"{where} holds text ({text!r}); a label or a "
                            "number stored as text.",
                            before=value,
                            related=[a1(*cell)],
                        )
                        break

    def _blank(
        self,
        sheet: Sheet,
        target: Sheet,
        pos: Pos,
        i: int,
        ref: Ref,
        blanks: dict[tuple[str, str, Pos], Finding],
    ) -> Finding | None:
        """An empty input worth a word: an assumption left blank (a fixed reference every
        copy reads, with a label), or a blank where the run's other copies read numbers."""
        cell = (ref.r1, ref.c1)
        where = ref.text
        value = sheet.values.get(pos)
        fixed = where.count("$") >= 2
        if not _multiplies(sheet.parsed(pos), i):
            return None  # a blank added in: the usual way of a sparse table, not an error
        if not fixed:
            filled, empty = _copies_reading(sheet, pos, i)
            if filled >= 2 and empty * 3 <= filled:
                f = self.finding(
                    sheet,
                    pos,
                    f"Uses {where} in arithmetic, but {where} is "
                    f"empty, so it counts as 0; the {filled} other copies of this "
                    "formula read numbers there. Fill it, or point the formula at "
                    "the right cell.",
                    before=value,
                    related=[a1(*cell)],
                )
                f.severity, f.confidence = "warning", 0.6
                return f
        # one finding per blank input (and per formula, for a fixed one copied along)
        key = (target.name, sheet.shape(pos) if fixed else "", cell)
        if key in blanks:
            blanks[key].related.append(a1(*pos))
            return None
        label = target.row_label(cell)
        if not label:
            return None
        f = self.finding(
            sheet,
            pos,
            f"Uses {where} ({label!r}) in arithmetic, but {where} is "
            "empty, so it counts as 0"
            + (" here and in every copy of this formula" if fixed else "")
            + "; fill it, or point the formula at the right cell.",
            before=value,
            related=[a1(*cell)],
        )
        # a fixed assumption left blank zeroes a whole line: a warning; a lone blank factor
        # is as often a template's input still to fill: a note
        f.severity, f.confidence = ("warning", 0.6) if fixed else ("note", 0.3)
        blanks[key] = f
        return f


def _multiplies(p, i: int) -> bool:  # noqa: ANN001
    """Token i is a factor of a product or a quotient, or sits in brackets of a formula
    that multiplies or divides (=B3*(1+$B$2)): a blank there changes the result, where a
    blank added to a sum does not."""
    kept = [k for k, t in enumerate(p.tokens) if t.type != Token.WSPACE]
    at = kept.index(i)
    for j in (at - 1, at + 1):
        if 0 <= j < len(kept):
            t = p.tokens[kept[j]]
            if t.type == Token.OP_IN and t.value in "*/^":
                return True
    depth = 0
    for k in kept[:at]:
        t = p.tokens[k]
        if t.type == Token.PAREN or t.type == Token.FUNC:
            depth += 1 if t.subtype == Token.OPEN else -1
    products = any(t.type == Token.OP_IN and t.value in "*/^" for t in p.tokens)
    return depth > 0 and products


def _near(f: Finding, pos: Pos, reach: int = 2) -> bool:
    """pos is within ``reach`` rows and columns of the finding's cell or its related ones."""
    # openpyxl loads in about half a second; only reading a workbook needs it
    for cell in (f.cell, *f.related):
        r, c = coordinate_to_tuple(cell)
        if abs(r - pos[0]) <= reach and abs(c - pos[1]) <= reach:
            return True
    return False


def _run_of(sheet: Sheet, pos: Pos) -> Run | None:
    for run in runs_at(sheet, pos):
        if pos in run.cells:
            return run
    return None


def _copies_reading(sheet: Sheet, pos: Pos, i: int) -> tuple[int, int]:
    """Of the other copies of pos's formula along its row and column, how many read a number
    at token i, and how many read an empty cell."""
    filled = empty = 0
    for run in runs_at(sheet, pos):
        if pos not in run.cells:
            continue
        for q in run.cells:
            if q == pos:
                continue
            p = sheet.parsed(q)
            ref = p.ref(i) if p is not None and not p.error else None
            if ref is None or ref.sheet is not None:
                continue
            if sheet.is_empty((ref.r1, ref.c1)):
                empty += 1
            else:
                filled += 1
    return filled, empty


def _reads_only_empty(book, sheet, p) -> bool:  # noqa: ANN001
    refs = [r for r in p.references if not r.external and r.size <= MAX_CHECKED]
    if not refs:
        return False
    for ref in refs:
        target = book.sheet(ref.sheet, sheet)
        if target is None:
            return False
        for c in ref.cells():
            v = target.values.get(c)
            if v not in (None, "", 0):
                return False
    return True


def _facts(p) -> tuple[bool, bool, list[int]]:  # noqa: ANN001
    """(refers to #REF!, guarded by IF/IFERROR…, token indices of single cells used in
    arithmetic)."""
    ref_error = any(
        t.type == Token.OPERAND and t.subtype == Token.ERROR and t.value == "#REF!"
        for t in p.tokens
    )
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
    return (tok.type == Token.OP_IN and tok.value in ARITHMETIC) or (
        tok.type == Token.OP_PRE and tok.value == "-"
    )


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
        elif any(
            isinstance(v, CellError) and ref.r1 <= r <= ref.r2 and ref.c1 <= c <= ref.c2
            for (r, c), v in target.values.items()
        ):
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
