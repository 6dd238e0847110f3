"""Findings a workbook's author has accepted, marked in a cell comment.

A comment (Excel's Review > New Note; the legacy comments Excel also writes beside threaded
ones) that contains ``flopbook: ignore`` silences every finding at that cell;
``flopbook: ignore FB104`` or ``flopbook: ignore FB104, FB105`` only those rules. Text after
the codes is the author's reason and is kept out of the way::

    flopbook: ignore FB104 -- the tax rate is typed on purpose, see Inputs!B2

Like ruff's ``# noqa: E501``, a marker names the cell the finding points at.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flopbook.audit.formula import a1

if TYPE_CHECKING:
    from flopbook.audit.findings import Finding
    from flopbook.audit.workbook import Pos, Workbook

_MARKER = re.compile(r"flopbook\s*:\s*ignore\b[ \t]*:?((?:[ \t,]*FB\d{3}\b)*)", re.IGNORECASE)
_CODE = re.compile(r"FB\d{3}", re.IGNORECASE)
MAX_COMMENT_PARTS = 1000  # one per sheet; a workbook with more is refused by safety caps


def marker(text: str) -> frozenset[str] | None:
    """The rules a comment silences: an empty set for all of them, None when it has no
    marker."""
    found: set[str] = set()
    any_marker = False
    for m in _MARKER.finditer(text):
        codes = {c.upper() for c in _CODE.findall(m.group(1))}
        if not codes:
            return frozenset()  # a bare "flopbook: ignore" covers every rule
        found |= codes
        any_marker = True
    return frozenset(found) if any_marker else None


def read_comments(wb: Any, ws: Any) -> dict[Pos, str]:
    """The comments of a read-only openpyxl sheet, by cell (openpyxl's read-only mode leaves
    them out). Only the sheet's own comments part is read, through openpyxl's parser."""
    # openpyxl loads in about half a second; only reading a workbook needs it
    from openpyxl.packaging.relationship import get_dependents, get_rels_path

    archive = getattr(wb, "_archive", None)
    path = getattr(ws, "_worksheet_path", None)
    if archive is None or path is None:
        return {}
    rels_path = get_rels_path(path)
    if rels_path not in archive.namelist():
        return {}
    # openpyxl loads in about half a second; only reading a workbook needs it
    from openpyxl.comments.comment_sheet import CommentSheet
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.xml.constants import COMMENTS_NS
    from openpyxl.xml.functions import fromstring

    out: dict[Pos, str] = {}
    for rel in list(get_dependents(archive, rels_path).find(COMMENTS_NS))[:MAX_COMMENT_PARTS]:
        if rel.target not in archive.namelist():
            continue
        sheet = CommentSheet.from_tree(fromstring(archive.read(rel.target)))
        for ref, comment in sheet.comments:
            try:
                out[coordinate_to_tuple(ref)] = comment.text or ""
            except ValueError:
                continue
    return out


def markers(book: Workbook) -> dict[tuple[str, str], frozenset[str]]:
    """(sheet, A1 cell) -> the rules silenced there (empty: all)."""
    out: dict[tuple[str, str], frozenset[str]] = {}
    for sheet in book.sheets.values():
        comments: Mapping[Pos, str] = getattr(sheet, "comments", {}) or {}
        for pos, text in comments.items():
            codes = marker(text)
            if codes is not None:
                out[(sheet.name, a1(*pos))] = codes
    return out


def split(
    findings: list[Finding], marked: Mapping[tuple[str, str], frozenset[str]]
) -> tuple[list[Finding], list[Finding]]:
    """(kept, silenced by a comment marker)."""
    if not marked:
        return findings, []
    kept, silenced = [], []
    for f in findings:
        codes = marked.get((f.sheet, f.cell))
        if codes is not None and (not codes or f.code in codes):
            silenced.append(f)
        else:
            kept.append(f)
    return kept, silenced


def unknown_codes(marked: Mapping[tuple[str, str], frozenset[str]], known: list[str]) -> list[str]:
    """Notes for markers that name a rule that does not exist (a typo silences nothing)."""
    notes = []
    for (sheet, cell), codes in sorted(marked.items()):
        wrong = sorted(c for c in codes if c not in known)
        if wrong:
            notes.append(
                f"the comment at {sheet}!{cell} names {', '.join(wrong)}, which is "
                "not a rule; it silences nothing for that code"
            )
    return notes
