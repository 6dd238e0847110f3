"""Values of formulas, computed with the ``formulas`` package: one suggested formula from
the saved values it reads (a finding's "after"), or a whole corrected workbook (``--fix``).
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flopbook.audit import arith
from flopbook.audit.formula import a1, parse_ref
from flopbook.audit.workbook import CellError, is_number, read
from flopbook.errors import InputError
from flopbook.files import check_target, write_atomically
from flopbook.safe_text import set_text_cell, shorten

if TYPE_CHECKING:
    from flopbook.audit.findings import AuditResult, Finding
    from flopbook.audit.workbook import Sheet, Workbook

MAX_RANGE = 100_000


@lru_cache(maxsize=1024)
def _compile(formula: str) -> Any:
    # formulas (and its NumPy/Excel engine) load slowly; only recalculation needs it
    import formulas

    return formulas.Parser().ast(formula)[1].compile()


def _plain(v: Any) -> Any:
    # NumPy comes with the formulas package; the audit of a book whose suggestions are plain
    # sums and arithmetic (arith.value) never loads either
    import numpy as np

    if isinstance(v, np.ndarray):
        v = v.ravel()[0] if v.size == 1 else None
    if isinstance(v, np.generic):
        v = v.item()
    if v is not None and type(v).__name__ == "XlError":  # a str subclass: ask first
        return CellError(str(v))
    if is_number(v) or isinstance(v, (str, bool)):
        return v
    return None


MAX_EVALUATIONS = 500  # per workbook: each costs milliseconds in the formulas package


def evaluate(book: Workbook, sheet: Sheet, formula: str) -> Any:
    """The value of ``formula`` placed on ``sheet``, or None when it cannot be computed."""
    book.evaluations += 1
    if book.evaluations > MAX_EVALUATIONS:
        return None

    quick = arith.value(book, sheet, formula)  # sums and arithmetic, without NumPy
    if quick is not arith.UNKNOWN:
        return quick

    try:
        func = _compile(formula)
    except Exception:
        return None
    import numpy as np  # loaded by the formulas package (above) already

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
    same = os.path.realpath(book) == os.path.realpath(out)
    if not same and os.path.exists(out) and os.path.exists(book):
        same = os.path.samefile(book, out)
    if same:
        raise InputError(
            "refusing to write the corrected copy over the workbook being audited",
            file=out,
            field="--fix",
            hint="give another file name",
        )
    try:
        check_target(out, "xlsx", force=force)
    except InputError as exc:  # the same checks as every output file, named for --fix
        raise InputError(
            exc.message.replace("--xlsx", "--fix"),
            file=out,
            field="--fix",
            hint=exc.hint.replace("--xlsx", "--fix") if exc.hint else None,
        ) from None


def write_fixed(book: str, result: AuditResult, out: str, force: bool = False) -> Recomputed:
    """Write a corrected copy of ``book`` to ``out`` (via a temporary file and a rename),
    each changed cell commented with its finding, and recompute it."""
    # openpyxl loads in about half a second; only reading a workbook needs it
    import openpyxl
    from openpyxl.comments import Comment

    check_output(book, out, force)
    fixes = [f for f in result.findings if f.fix is not None]
    if not fixes:
        return Recomputed(out, written=False, notes=["nothing to correct; no copy written"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            wb = openpyxl.load_workbook(book, keep_vba=False, keep_links=False)
        except Exception as exc:
            raise InputError(
                f"could not be re-read to write the corrected copy ({exc})", file=book
            ) from None
    done: dict[tuple[str, str], list[Finding]] = {}
    for f in fixes:
        assert f.fix is not None
        key = (f.fix.sheet, f.fix.cell)
        if key in done:  # one change per cell: the first rule to explain it wins
            done[key].append(f)
            continue
        done[key] = [f]
        ws = wb[f.fix.sheet]
        if f.fix.kind == "label":  # a label stays text, whatever it starts with
            set_text_cell(ws[f.fix.cell], f.fix.text)
        else:
            ws[f.fix.cell].value = f.fix.text
    for (sheet, cell), found in done.items():
        text = "\n".join(f"flopbook {f.code}: {f.message}" for f in found)
        was = found[0].formula or found[0].before
        if was is not None:
            text += f"\nWas: {was}"
        wb[sheet][cell].comment = Comment(text[:30000], "flopbook audit")

    # written beside OUT and renamed into place: a failure leaves no half-written file
    write_atomically(Path(out), wb.save)
    recomputed = _recompute(out, result, done)
    recomputed.path = out
    if result.notes and any("macros" in n for n in result.notes):
        recomputed.notes.append("the corrected copy has no macros")
    return recomputed


def _recompute(
    path: str, result: AuditResult, done: dict[tuple[str, str], list[Finding]]
) -> Recomputed:
    book = read(path)  # the copy we just wrote: its formulas, and no saved values
    original = read(result.path)
    out = Recomputed(path)
    n = sum(len(s.formulas) for s in book.sheets.values())
    if n > MAX_RECOMPUTE_FORMULAS:
        out.notes.append(
            f"{n:,} formulas: too many to recompute here; Excel recomputes the "
            "corrected copy when it opens it"
        )
        return out
    unreadable = [
        f"{s.name}!{pos}"
        for s, pos, _ in book.formula_cells()
        if (p := s.parsed(pos)) is not None and p.error and "more than the" in p.error
    ]
    if unreadable:  # too long or too deep to read: not handed to another parser either
        out.notes.append(
            f"could not recompute the corrected copy: {len(unreadable):,} "
            "formula(s) are too long or too deeply nested to read; Excel "
            "recomputes it when it opens it"
        )
        return out
    missing = _unknown_functions(book)
    if missing:
        out.notes.append(
            "could not recompute the corrected copy: it uses "
            f"{', '.join(missing[:5])}, which flopbook cannot compute; Excel "
            "recomputes it when it opens it"
        )
        return out
    blocked: list[str] = []
    try:
        values = _calculate(path, blocked)
    except Exception:  # a cycle, an array formula the formulas package cannot do …
        out.notes.append(
            "could not recompute the corrected copy (a formula the formulas "
            "package cannot compute); Excel recomputes it when it opens it"
        )
        return out
    if blocked:
        out.notes.append(_blocked_note(blocked))

    for sheet in book.sheets.values():
        before = original.sheets.get(sheet.name)
        for pos in sorted(sheet.formulas):
            key = (sheet.name.upper(), pos)
            if key not in values:
                continue
            new = values[key]
            old = before.values.get(pos) if before else None
            changed = (sheet.name, a1(*pos)) in done
            if blocked and isinstance(new, CellError) and not isinstance(old, CellError):
                continue  # depends on a book that was not opened: not a change we computed
            if changed or _differs(old, new):
                label = sheet.row_label(pos)
                header = sheet.column_header(pos)
                out.changes.append(
                    Change(
                        sheet.name,
                        a1(*pos),
                        " / ".join(x for x in (label, header) if x) or None,
                        old,
                        new,
                        changed,
                    )
                )
    return out


def _blocked_note(blocked: list[str]) -> str:
    names = ", ".join(shorten(b, 40) for b in blocked[:3])
    more = f" and {len(blocked) - 3} more" if len(blocked) > 3 else ""
    return (
        f"formulas refer to other workbooks ({names}{more}); flopbook opens no file but "
        "the one named, so cells that depend on them were not recomputed"
    )


def _unknown_functions(book: Workbook) -> list[str]:
    # formulas (and its NumPy/Excel engine) load slowly; only recalculation needs it
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


def _one_book_model(path: str) -> Any:
    """A ``formulas`` model that may read the workbook at ``path`` and no other file.

    The ``formulas`` package loads every workbook that a formula or a defined name refers to
    (``'[other.xlsx]Sheet1'!A1``, ``..`` paths, absolute paths, a FIFO that blocks forever) and
    computes with its values, so a workbook from a stranger could read the analyst's disk.
    Here a reference to any other book is refused before a path is opened: the package turns
    the refusal into ``#REF!`` for the cells that depend on it, and ``blocked`` lists them.
    """
    # formulas (and its NumPy/Excel engine) load slowly; only recalculation needs it
    import formulas

    main = os.path.normcase(os.path.abspath(path))

    class OneBookModel(formulas.ExcelModel):  # type: ignore[misc]
        blocked: list[str]

        def add_book(self, book: Any = None, context: Any = None, data_only: bool = False) -> Any:
            if self.basedir is not None:  # the first call loads ``path`` itself
                ctx = dict(context or {})
                if isinstance(book, str):
                    parts = book.replace("\\", "/").split("/")
                    ctx["directory"], ctx["filename"] = "/".join(parts[:-1]), parts[-1]
                target = os.path.normcase(
                    os.path.abspath(
                        os.path.join(
                            self.basedir, ctx.get("directory") or "", str(ctx.get("filename") or "")
                        )
                    )
                )
                if target != main:
                    self.blocked.append(str(ctx.get("filename") or book))
                    raise PermissionError("flopbook opens no workbook but the one named")
            return super().add_book(book, context, data_only)

    model = OneBookModel()
    model.blocked = []
    return model


def _calculate(
    path: str, blocked: list[str] | None = None
) -> dict[tuple[str, tuple[int, int]], Any]:
    """The value of every formula cell of the workbook at ``path``; the names of the other
    books its formulas refer to, never opened, are added to ``blocked``."""
    # openpyxl loads in about half a second; only reading a workbook needs it
    from openpyxl.utils.cell import coordinate_to_tuple

    # the formulas package draws a progress bar on stderr; the report is ours to print
    with contextlib.redirect_stderr(io.StringIO()):
        model = _one_book_model(path)
        try:
            model.loads(path).finish()
            solution = model.calculate()
        finally:
            if blocked is not None:
                blocked.extend(dict.fromkeys(model.blocked))
    out: dict[tuple[str, tuple[int, int]], Any] = {}
    for key, rng in solution.items():
        name = str(key)
        if "!" not in name or ":" in name.rpartition("!")[2]:
            continue
        sheet_part, _, addr = name.rpartition("!")
        sheet_name = sheet_part.strip("'")
        sheet_name = sheet_name[sheet_name.index("]") + 1 :] if "]" in sheet_name else sheet_name
        try:
            pos = coordinate_to_tuple(addr.replace("$", ""))
        except ValueError:
            continue
        out[(sheet_name.upper(), pos)] = _plain(getattr(rng, "value", rng))
    return out
