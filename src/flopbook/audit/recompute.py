"""Values of formulas, computed with the ``formulas`` package: one suggested formula from
the saved values it reads (a finding's "after"), or a whole corrected workbook (``--fix``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from flopbook.audit.formula import parse_ref
from flopbook.audit.workbook import CellError, is_number

if TYPE_CHECKING:
    from flopbook.audit.findings import AuditResult, Finding
    from flopbook.audit.workbook import Sheet, Workbook

MAX_RANGE = 100_000


@lru_cache(maxsize=1024)
def _compile(formula: str) -> Any:
    import formulas

    return formulas.Parser().ast(formula)[1].compile()


def _plain(v: Any) -> Any:
    import numpy as np

    if isinstance(v, np.ndarray):
        v = v.ravel()[0] if v.size == 1 else None
    if isinstance(v, np.generic):
        v = v.item()
    if is_number(v) or isinstance(v, (str, bool)):
        return v
    if v is not None and type(v).__name__ == "XlError":
        return CellError(str(v))
    return None


MAX_EVALUATIONS = 500  # per workbook: each costs milliseconds in the formulas package


def evaluate(book: Workbook, sheet: Sheet, formula: str) -> Any:
    """The value of ``formula`` placed on ``sheet``, or None when it cannot be computed."""
    book.evaluations += 1
    if book.evaluations > MAX_EVALUATIONS:
        return None
    from flopbook.audit import arith

    quick = arith.value(book, sheet, formula)  # sums and arithmetic, without NumPy
    if quick is not arith.UNKNOWN:
        return quick
    import numpy as np

    try:
        func = _compile(formula)
    except Exception:
        return None
    args = []
    for name in func.inputs:
        ref = parse_ref(name)
        if ref is None or ref.external or ref.size > MAX_RANGE:
            return None
        target = book.sheet(ref.sheet, sheet)
        if target is None:
            return None
        if ref.is_cell:
            v = target.values.get((ref.r1, ref.c1))
            if v is None and (ref.r1, ref.c1) in target.formulas:
                return None  # a formula saved without its value: unknown, not 0
            args.append(0 if v is None else v)
        else:
            grid = np.empty((ref.r2 - ref.r1 + 1, ref.c2 - ref.c1 + 1), dtype=object)
            for r in range(ref.r1, ref.r2 + 1):
                for c in range(ref.c1, ref.c2 + 1):
                    v = target.values.get((r, c))
                    if v is None and (r, c) in target.formulas:
                        return None
                    grid[r - ref.r1, c - ref.c1] = v
            args.append(grid)
    try:
        return _plain(func(*args))
    except Exception:
        return None


# ---- the corrected copy (--fix) -----------------------------------------------------------

MAX_RECOMPUTE_FORMULAS = 50_000  # the formulas package builds a graph node per cell


@dataclass
class Change:
    sheet: str
    cell: str
    label: str | None
    published: Any
    corrected: Any
    changed_formula: bool  # False: a cell that changed because it depends on a fixed one


@dataclass
class Recomputed:
    path: str
    written: bool = True
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_output(book: str, out: str, force: bool = False) -> None:
    """Refuse an output path that would overwrite the input, an existing file (without
    ``force``) or a place that cannot be written."""
    from flopbook.errors import InputError
    from flopbook.render.files import check_target

    same = os.path.realpath(book) == os.path.realpath(out)
    if not same and os.path.exists(out) and os.path.exists(book):
        same = os.path.samefile(book, out)
    if same:
        raise InputError("refusing to write the corrected copy over the workbook being "
                         "audited", file=out, field="--fix", hint="give another file name")
    try:
        check_target(out, "xlsx", force=force)
    except InputError as exc:  # the same checks as every output file, named for --fix
        raise InputError(exc.message.replace("--xlsx", "--fix"), file=out, field="--fix",
                         hint=exc.hint.replace("--xlsx", "--fix") if exc.hint else None
                         ) from None


def write_fixed(book: str, result: AuditResult, out: str, force: bool = False) -> Recomputed:
    """Write a corrected copy of ``book`` to ``out`` (via a temporary file and a rename),
    each changed cell commented with its finding, and recompute it."""
    import warnings

    import openpyxl
    from openpyxl.comments import Comment

    from flopbook.errors import InputError

    check_output(book, out, force)
    fixes = [f for f in result.findings if f.fix is not None]
    if not fixes:
        return Recomputed(out, written=False, notes=["nothing to correct; no copy written"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            wb = openpyxl.load_workbook(book, keep_vba=False, keep_links=False)
        except Exception as exc:
            raise InputError(f"could not be re-read to write the corrected copy ({exc})",
                             file=book) from None
    done: dict[tuple[str, str], list[Finding]] = {}
    for f in fixes:
        assert f.fix is not None
        key = (f.fix.sheet, f.fix.cell)
        if key in done:  # one change per cell: the first rule to explain it wins
            done[key].append(f)
            continue
        done[key] = [f]
        ws = wb[f.fix.sheet]
        ws[f.fix.cell].value = f.fix.text
    for (sheet, cell), found in done.items():
        text = "\n".join(f"flopbook {f.code}: {f.message}" for f in found)
        was = found[0].formula or found[0].before
        if was is not None:
            text += f"\nWas: {was}"
        wb[sheet][cell].comment = Comment(text[:30000], "flopbook audit")
    from pathlib import Path

    from flopbook.render.files import write_atomically

    # written beside OUT and renamed into place: a failure leaves no half-written file
    write_atomically(Path(out), wb.save)
    recomputed = _recompute(out, result, done)
    recomputed.path = out
    if result.notes and any("macros" in n for n in result.notes):
        recomputed.notes.append("the corrected copy has no macros")
    return recomputed


def _recompute(path: str, result: AuditResult,
               done: dict[tuple[str, str], list[Finding]]) -> Recomputed:
    from flopbook.audit.workbook import read

    book = read(path)  # the copy we just wrote: its formulas, and no saved values
    original = read(result.path)
    out = Recomputed(path)
    n = sum(len(s.formulas) for s in book.sheets.values())
    if n > MAX_RECOMPUTE_FORMULAS:
        out.notes.append(f"{n:,} formulas: too many to recompute here; Excel recomputes the "
                         "corrected copy when it opens it")
        return out
    missing = _unknown_functions(book)
    if missing:
        out.notes.append("could not recompute the corrected copy: it uses "
                         f"{', '.join(missing[:5])}, which flopbook cannot compute; Excel "
                         "recomputes it when it opens it")
        return out
    try:
        values = _calculate(path)
    except Exception as exc:  # a cycle, an array formula the formulas package cannot do …
        out.notes.append(f"could not recompute the corrected copy ({type(exc).__name__}); "
                         "Excel recomputes it when it opens it")
        return out
    from flopbook.audit.formula import a1

    for sheet in book.sheets.values():
        before = original.sheets.get(sheet.name)
        for pos in sorted(sheet.formulas):
            key = (sheet.name.upper(), pos)
            if key not in values:
                continue
            new = values[key]
            old = before.values.get(pos) if before else None
            changed = (sheet.name, a1(*pos)) in done
            if changed or _differs(old, new):
                label = sheet.row_label(pos)
                header = sheet.column_header(pos)
                out.changes.append(Change(sheet.name, a1(*pos),
                                          " / ".join(x for x in (label, header) if x) or None,
                                          old, new, changed))
    return out


def _unknown_functions(book: Workbook) -> list[str]:
    import formulas

    known = {k.upper() for k in formulas.get_functions()}
    used: set[str] = set()
    for sheet, pos, _ in book.formula_cells():
        p = sheet.parsed(pos)
        if p is not None and not p.error:
            used.update(f.removeprefix("_XLFN.").removeprefix("_XLWS.") for f in p.functions)
    return sorted(f for f in used if f and f not in known)


def _differs(a: Any, b: Any) -> bool:
    if is_number(a) and is_number(b):
        return abs(a - b) > 1e-9 * max(1.0, abs(a), abs(b))
    return a != b


def _calculate(path: str) -> dict[tuple[str, tuple[int, int]], Any]:
    import contextlib
    import io

    import formulas
    from openpyxl.utils.cell import coordinate_to_tuple

    # the formulas package draws a progress bar on stderr; the report is ours to print
    with contextlib.redirect_stderr(io.StringIO()):
        model = formulas.ExcelModel().loads(path).finish()
        solution = model.calculate()
    out: dict[tuple[str, tuple[int, int]], Any] = {}
    for key, rng in solution.items():
        name = str(key)
        if "!" not in name or ":" in name.rpartition("!")[2]:
            continue
        sheet_part, _, addr = name.rpartition("!")
        sheet_name = sheet_part.strip("'")
        sheet_name = sheet_name[sheet_name.index("]") + 1:] if "]" in sheet_name else sheet_name
        try:
            pos = coordinate_to_tuple(addr.replace("$", ""))
        except ValueError:
            continue
        out[(sheet_name.upper(), pos)] = _plain(getattr(rng, "value", rng))
    return out
