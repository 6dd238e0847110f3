"""Hostile workbooks: bombs, references to other files, deep formulas, odd files. The audit
reads them within its caps, opens no file but the one named, and never writes a traceback."""

from __future__ import annotations

import importlib
import os
import zipfile
from pathlib import Path

import pytest
import xlsxwriter


def _book(
    path: Path,
    extra: dict[str, str] | None = None,
    names: dict[str, str] | None = None,
    label: str | None = None,
) -> Path:
    """A small book with one fixable finding (a total that stops a row short), so that
    ``--fix`` recomputes it; ``extra`` adds formulas by cell."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    ws = wb.add_worksheet("Data")
    for i, (name, value) in enumerate([("Rent", 10), ("Power", 20), ("Staff", 30)]):
        ws.write_string(i, 0, name)
        ws.write_number(i, 1, value)
    ws.write_string(3, 0, label or "Total")
    ws.write_formula(3, 1, "=SUM(B1:B2)", None, 30)
    for row, (cell_label, formula) in enumerate((extra or {}).items(), start=5):
        ws.write_string(row, 0, cell_label)
        ws.write_formula(row, 1, formula, None, 42)
    for name, ref in (names or {}).items():
        wb.define_name(name, ref)
    wb.close()
    return path


def _tripwire(folder: Path) -> Path:
    path = folder / "tripwire.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Sheet1").write_number(0, 0, 1234)
    wb.close()
    return path


def _rewrite(src: Path, dst: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename not in parts:
                zout.writestr(info, zin.read(info.filename))
        for name, data in parts.items():
            zout.writestr(name, data)
    return dst


EXTERNAL = {
    "a book beside it": "='[tripwire.xlsx]Sheet1'!A1",
    "a book one folder up": "='[../in/tripwire.xlsx]Sheet1'!A1",
    "an absolute path": "='[{abs}]Sheet1'!A1",
    "a FIFO": "='[tripwire-fifo.xlsx]Sheet1'!A1",
    "INDIRECT to another book": "=INDIRECT(\"'[tripwire.xlsx]Sheet1'!A1\")",
    "a sum over another book": "=SUM('[tripwire.xlsx]Sheet1'!A1:A9)",
}


@pytest.mark.parametrize("fix", [False, True], ids=["audit", "audit --fix"])
@pytest.mark.parametrize("name", [*EXTERNAL, "a defined name"])
def test_references_to_other_files_are_never_opened(flopbook, name: str, fix: bool) -> None:
    trip = _tripwire(flopbook.inputs)
    os.mkfifo(flopbook.inputs / "tripwire-fifo.xlsx")
    if name == "a defined name":
        book = _book(
            flopbook.inputs / "book.xlsx",
            {"Named": "=Linked*2"},
            names={"Linked": "='[tripwire.xlsx]Sheet1'!$A$1"},
        )
    else:
        formula = EXTERNAL[name].replace("{abs}", str(trip))
        book = _book(flopbook.inputs / "book.xlsx", {"Linked": formula})
    args = ["audit", book] + (["--fix", flopbook.outputs / "fixed.xlsx"] if fix else [])
    ran = flopbook.run(*args, expect=1)
    assert "1234" not in ran.out  # no value read from the other file
    if fix:
        assert (flopbook.outputs / "fixed.xlsx").exists()


def _bomb(path: Path, parts: int, size: int) -> Path:
    base = _book(path.with_name("base.xlsx"))
    zeros = b"<x/>" + b" " * size
    return _rewrite(base, path, {f"xl/media/part{i}.xml": zeros for i in range(parts)})


BOMBS = {
    "many parts, each under the caps": lambda p: _bomb(p, 24, 1 << 20),
    "one part over the ratio": lambda p: _bomb(p, 1, 20 << 20),
    "too many parts": lambda p: _bomb(p, 10_001, 0),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_zip_bombs_are_refused(flopbook, name: str) -> None:
    path = BOMBS[name](flopbook.inputs / "bomb.xlsx")
    ran = flopbook.run("audit", path, expect=2)
    assert "zip bomb" in ran.err


def _deep(depth: int, kind: str) -> str:
    if kind == "parentheses":
        return "=" + "(" * depth + "B1" + ")" * depth
    return "=" + "IF(B1>0," * depth + "1" + ",0)" * depth


@pytest.mark.parametrize("fix", [False, True], ids=["audit", "audit --fix"])
@pytest.mark.parametrize("depth,kind", [(1000, "parentheses"), (3000, "IF")])
def test_deep_formulas_are_read_within_bounds(flopbook, depth: int, kind: str, fix: bool) -> None:
    book = _book(flopbook.inputs / "deep.xlsx", {"Deep": _deep(depth, kind)})
    args = ["audit", book] + (["--fix", flopbook.outputs / "fixed.xlsx"] if fix else [])
    flopbook.run(*args, expect=1)


def test_a_formula_longer_than_excel_allows(flopbook) -> None:
    book = _book(flopbook.inputs / "long.xlsx", {"Long": "=" + "+".join(["B1"] * 9000)})
    flopbook.run("audit", book, expect=1)


def test_cells_past_the_cap_are_refused(flopbook, monkeypatch) -> None:
    # by module name: the attribute flopbook.audit is the audit function, not the package
    workbook = importlib.import_module("flopbook.audit.workbook")
    monkeypatch.setattr(workbook, "MAX_CELLS", 5)
    ran = flopbook.run("audit", _book(flopbook.inputs / "book.xlsx"), expect=2)
    assert "cells" in ran.err


ODD = {
    "a FIFO": None,
    "/dev/zero": None,
    "a folder": None,
    "no such file": None,
    "an empty file": b"",
    "not a zip": b"hello, world\n" * 10,
    "a truncated zip": b"PK\x03\x04" + b"\x14" * 30,
    "an OLE2 .xls header": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
}


def _odd(flopbook, name: str):  # noqa: ANN001, ANN202
    if name == "a FIFO":
        path = flopbook.inputs / "pipe.xlsx"
        os.mkfifo(path)
        return path
    if name == "/dev/zero":
        return "/dev/zero"
    if name == "a folder":
        path = flopbook.inputs / "folder.xlsx"
        path.mkdir()
        return path
    if name == "no such file":
        return flopbook.inputs / "missing.xlsx"
    return flopbook.write("odd.xlsx", ODD[name])


@pytest.mark.parametrize("name", list(ODD))
def test_odd_files_are_refused(flopbook, name: str) -> None:
    flopbook.run("audit", _odd(flopbook, name), expect=2)


XML_ATTACKS = {
    "an entity bomb": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><worksheet>&b;</worksheet>',
    "an external entity": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
    b'"file:///etc/passwd">]><worksheet>&e;</worksheet>',
    "broken XML": b"<worksheet><sheetData><row>",
}


@pytest.mark.parametrize("name", list(XML_ATTACKS))
def test_xml_attacks_in_a_sheet(flopbook, name: str) -> None:
    base = _book(flopbook.inputs / "base.xlsx")
    book = _rewrite(
        base, flopbook.inputs / "attack.xlsx", {"xl/worksheets/sheet1.xml": XML_ATTACKS[name]}
    )
    flopbook.run("audit", book, expect=2)
