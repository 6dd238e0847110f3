"""A baseline: the findings a project has accepted, so that CI reports only new ones.

``flopbook audit models/ --write-baseline audit-baseline.json`` records every finding;
``flopbook audit models/ --baseline audit-baseline.json`` then reports only findings that
are not in it. A finding is known when the baseline holds one for the same workbook, sheet,
rule and cell, with the same formula in relative R1C1 form (so a formula edited since is
reported again). A finding whose cell moved — rows or columns inserted above or to the
left, which leave a copied formula's R1C1 form as it was — still matches one recorded at
another cell of that sheet for the same rule and R1C1 formula, one for one.

Workbooks are recorded by their path relative to the baseline file's folder, so a baseline
kept in a repository works from any working directory.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flopbook.audit.batch import relative
from flopbook.audit.formula import parse, r1c1
from flopbook.errors import InputError
from flopbook.files import write_atomically

if TYPE_CHECKING:
    from flopbook.audit.findings import Finding

VERSION = 1
MAX_BASELINE_BYTES = 64 << 20


def shape(f: Finding) -> str:
    """The finding's formula in relative R1C1 form ("" for a cell without a formula)."""
    if not f.formula:
        return ""
    # openpyxl loads in about half a second; only reading a workbook needs it
    from openpyxl.utils.cell import coordinate_to_tuple

    row, col = coordinate_to_tuple(f.cell)
    return r1c1(parse(f.formula), row, col)


def _file_key(book: str, base: Path) -> str:
    return relative(book, base)


@dataclass
class Baseline:
    path: str
    exact: Counter[tuple[str, str, str, str, str]]
    moved: Counter[tuple[str, str, str, str]]

    def split(self, book: str, findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
        """(new, known) for one workbook's findings."""
        file = _file_key(book, Path(self.path).absolute().parent)
        exact, moved = self.exact.copy(), self.moved.copy()
        keys = [(file, f.sheet, f.cell, f.code, shape(f)) for f in findings]
        status = [False] * len(findings)
        for i, k in enumerate(keys):  # the same cell first, then cells that moved
            if exact[k] > 0:
                exact[k] -= 1
                moved[(k[0], k[1], k[3], k[4])] -= 1
                status[i] = True
        for i, k in enumerate(keys):
            m = (k[0], k[1], k[3], k[4])
            if not status[i] and k[4] and moved[m] > 0:
                moved[m] -= 1
                status[i] = True
        new = [f for f, s in zip(findings, status, strict=True) if not s]
        known = [f for f, s in zip(findings, status, strict=True) if s]
        return new, known


def load(path: str) -> Baseline:
    """Read a baseline written by :func:`write`; anything else is one InputError."""
    p = Path(path)

    def bad(what: str) -> InputError:
        return InputError(
            what, file=path, field="--baseline", hint="write one with --write-baseline FILE"
        )

    if not p.is_file():
        raise bad("no such file" if not p.exists() else "is not a file")
    if p.stat().st_size > MAX_BASELINE_BYTES:
        raise bad("is larger than 64 MiB, too large for a baseline")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad(f"is not a flopbook baseline (not JSON: {exc})") from None
    if (
        not isinstance(data, dict)
        or data.get("tool") != "flopbook"
        or not isinstance(data.get("findings"), list)
    ):
        raise bad('is not a flopbook baseline (expected {"tool": "flopbook", "findings": [...]})')
    if data.get("version") != VERSION:
        raise bad(f"has version {data.get('version')!r}; this flopbook reads version {VERSION}")
    exact: Counter[tuple[str, str, str, str, str]] = Counter()
    moved: Counter[tuple[str, str, str, str]] = Counter()
    for i, item in enumerate(data["findings"]):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) for k in ("file", "sheet", "cell", "code")
        ):
            raise bad(f"finding {i + 1} needs file, sheet, cell and code as text")
        s = item.get("formula_r1c1") or ""
        if not isinstance(s, str):
            raise bad(f"finding {i + 1}: formula_r1c1 must be text")
        exact[(item["file"], item["sheet"], item["cell"], item["code"], s)] += 1
        moved[(item["file"], item["sheet"], item["code"], s)] += 1
    return Baseline(path, exact, moved)


def entries(path: str, books: Iterable[tuple[str, list[Finding]]]) -> list[dict[str, Any]]:
    base = Path(path).absolute().parent
    out = []
    for book, findings in books:
        file = _file_key(book, base)
        for f in findings:
            out.append(
                {
                    "file": file,
                    "sheet": f.sheet,
                    "cell": f.cell,
                    "code": f.code,
                    "formula_r1c1": shape(f),
                    "message": f.message,
                }
            )
    return out


def check_target(path: str, protect: Iterable[str] = ()) -> None:
    """Refuse a baseline path that is a workbook being audited or cannot be written."""
    p = Path(path)
    for other in protect:
        if p.exists() and os.path.exists(other) and p.resolve() == Path(other).resolve():
            raise InputError(
                "is a workbook being audited; flopbook never overwrites its input",
                file=path,
                field="--write-baseline",
                hint="give a .json path",
            )
    if p.is_dir():
        raise InputError(
            "is a folder",
            file=path,
            field="--write-baseline",
            hint="give a file name, e.g. audit-baseline.json",
        )
    if not p.absolute().parent.is_dir():
        raise InputError(
            f"the folder {str(p.absolute().parent)!r} does not exist",
            file=path,
            field="--write-baseline",
            hint="create it first",
        )


def write(path: str, books: Iterable[tuple[str, list[Finding]]]) -> int:
    """Write the baseline atomically; the number of findings recorded."""
    items = entries(path, books)
    doc = {"tool": "flopbook", "version": VERSION, "findings": items}
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    write_atomically(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return len(items)
