"""Bad and hostile workbooks: one clear line and exit 2, or a note — never a traceback,
never a hang, never the input modified."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import xlsxwriter


def _book(path: Path, formula: str = "=SUM(B1:B2)") -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    ws.write(0, 0, "Rent")
    ws.write(0, 1, 10)
    ws.write(1, 0, "Power")
    ws.write(1, 1, 20)
    ws.write(2, 0, "Total")
    ws.write_formula(2, 1, formula, None, 30)
    wb.close()
    return path


def _rewrite(src: Path, dst: Path, parts: dict[str, bytes]) -> Path:
    """A copy of the workbook with some parts replaced or added."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename not in parts:
                zout.writestr(info, zin.read(info.filename))
        for name, data in parts.items():
            zout.writestr(name, data)
    return dst


def _refused(run_cli, path: Path, *words: str) -> str:
    before = path.read_bytes() if path.is_file() else None
    code, out, err = run_cli("audit", path)
    assert code == 2, (out, err)
    line = err.strip()
    assert line.startswith("flopbook: error:") and len(line.splitlines()) == 1, err
    assert "Traceback" not in err
    for w in words:
        assert w.lower() in line.lower(), line
    if before is not None:
        assert path.read_bytes() == before
    return line


def test_missing_file(run_cli, tmp_path) -> None:
    _refused(run_cli, tmp_path / "nope.xlsx", "no such file")


def test_a_folder(run_cli, tmp_path) -> None:
    _refused(run_cli, tmp_path, "folder")


def test_not_a_workbook(run_cli, tmp_path) -> None:
    p = tmp_path / "notes.xlsx"
    p.write_text("quarter,revenue\nQ1,10\n")
    _refused(run_cli, p, "not an Excel workbook", ".xlsx")


def test_corrupt_zip(run_cli, tmp_path) -> None:
    good = _book(tmp_path / "good.xlsx").read_bytes()
    p = tmp_path / "cut.xlsx"
    p.write_bytes(good[: len(good) // 2])
    _refused(run_cli, p, "corrupt")


def test_damaged_part(run_cli, tmp_path) -> None:
    p = _rewrite(
        _book(tmp_path / "a.xlsx"),
        tmp_path / "b.xlsx",
        {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row"},
    )
    _refused(run_cli, p, "could not be read")


def test_password_protected(run_cli, tmp_path) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = _book(tmp_path / "plain.xlsx")
    p = tmp_path / "locked.xlsx"
    with open(plain, "rb") as src, open(p, "wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    assert msoffcrypto  # a real encrypted OOXML file, as Excel writes them
    _refused(run_cli, p, "password-protected")


def test_xls(run_cli, tmp_path) -> None:
    # The OLE2 signature that every .xls (BIFF8) file starts with, and no encryption streams.
    p = tmp_path / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    _refused(run_cli, p, ".xls", "save it as .xlsx")


def test_xlsb(run_cli, tmp_path) -> None:
    p = tmp_path / "binary.xlsb"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    _refused(run_cli, p, ".xlsb")


def test_ods(run_cli, tmp_path) -> None:
    p = tmp_path / "sheet.ods"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    _refused(run_cli, p, "OpenDocument")


def test_zip_bomb(run_cli, tmp_path) -> None:
    # 64 MiB of zeros deflate to about 64 KiB: a 1000:1 part, refused before inflating
    src = _book(tmp_path / "a.xlsx")
    p = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename))
        with zout.open("xl/media/padding.bin", "w") as fh:
            chunk = bytes(1 << 20)
            for _ in range(64):
                fh.write(chunk)
    _refused(run_cli, p, "zip bomb")


def test_zip_bomb_total_cap(run_cli, tmp_path, monkeypatch) -> None:
    from flopbook.audit import safety

    monkeypatch.setattr(safety, "MAX_TOTAL_UNCOMPRESSED", 1000)
    _refused(run_cli, _book(tmp_path / "a.xlsx"), "zip bomb")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1"
 uniqueCount="1"><si><t>&lol9;</t></si></sst>"""


@pytest.mark.parametrize(
    "part", ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml", "xl/workbook.xml"]
)
def test_xml_entity_bomb(run_cli, tmp_path, part) -> None:
    p = _rewrite(_book(tmp_path / "a.xlsx"), tmp_path / "lol.xlsx", {part: BILLION_LAUGHS})
    _refused(run_cli, p, "entity")


def test_openpyxl_parses_with_defusedxml() -> None:
    import openpyxl

    assert openpyxl.DEFUSEDXML is True


def test_macros_are_not_run_and_noted(run_cli, tmp_path) -> None:
    vba = tmp_path / "vbaProject.bin"
    vba.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b'Sub AutoOpen(): Kill "*"' * 10)
    p = tmp_path / "macro.xlsm"
    wb = xlsxwriter.Workbook(str(p))
    wb.add_vba_project(str(vba))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["Cost $m", 1, 2])
    wb.close()
    before = p.read_bytes()
    code, out, err = run_cli("audit", p)
    assert code == 0
    assert "macros" in out and "not loaded or run" in out
    assert p.read_bytes() == before


def test_external_links_are_not_followed(run_cli, tmp_path) -> None:
    src = _book(tmp_path / "a.xlsx", formula="='[other.xlsx]Sheet1'!A1+B1")
    p = _rewrite(
        src,
        tmp_path / "linked.xlsx",
        {
            "xl/externalLinks/externalLink1.xml": b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
        },
    )
    code, out, err = run_cli("audit", p)
    assert code in (0, 1) and "Traceback" not in err
    assert "not followed" in out


@pytest.mark.parametrize("formula", ["=SUM(B1:B2", "=FOOBAR(B1:B2)", "=B1+", "=LAMBDA(x,x+1)(B1)"])
def test_formulas_the_parser_does_not_know(run_cli, tmp_path, formula) -> None:
    p = _book(tmp_path / "odd.xlsx", formula=formula)
    code, out, err = run_cli("audit", p, "--fix", tmp_path / "fixed.xlsx")
    assert code in (0, 1), err
    assert "Traceback" not in err


def test_unknown_function_in_recompute_is_a_note(run_cli, tmp_path) -> None:
    p = tmp_path / "odd.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["", "A", "B", "C", "Total"])
    ws.write_row(1, 0, ["Cost $m", 1, 2, 3])
    ws.write_formula(1, 4, "=SUM(B2:C2)", None, 3)
    ws.write_formula(3, 1, "=FOOBAR(B2)", None, 0)
    wb.close()
    code, out, err = run_cli("audit", p, "--fix", tmp_path / "fixed.xlsx")
    assert code == 1 and "FOOBAR" in out and "cannot compute" in out
    assert (tmp_path / "fixed.xlsx").exists()


def test_unreadable_formula_is_reported(tmp_path) -> None:
    from flopbook.audit import audit

    result = audit(str(_book(tmp_path / "odd.xlsx", formula="=SUM(B1:B2")))
    assert any("could not be read" in n and "Data!B3" in n for n in result.notes)


def test_fix_output_into_missing_folder(run_cli, tmp_path) -> None:
    p = _book(tmp_path / "a.xlsx", formula="=SUM(B1:B1)")
    code, _, err = run_cli("audit", p, "--fix", tmp_path / "no" / "such" / "out.xlsx")
    assert code == 2 and "folder" in err


def test_fix_does_not_replace_an_existing_file_without_force(run_cli, tmp_path) -> None:
    p = _book(tmp_path / "a.xlsx", formula="=SUM(B1:B1)")
    wb = xlsxwriter.Workbook(str(tmp_path / "b.xlsx"))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["", "A", "B", "C", "Total"])
    ws.write_row(1, 0, ["Cost $m", 1, 2, 3])
    ws.write_formula(1, 4, "=SUM(B2:C2)", None, 3)
    wb.close()
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"keep me")
    code, _, err = run_cli("audit", tmp_path / "b.xlsx", "--fix", out)
    assert code == 2 and "already exists" in err and "--force" in err
    assert out.read_bytes() == b"keep me"
    code, _, _ = run_cli("audit", tmp_path / "b.xlsx", "--fix", out, "--force")
    assert code == 1 and out.read_bytes() != b"keep me"
    assert p.exists()


def test_fix_output_must_be_xlsx(run_cli, tmp_path) -> None:
    p = _book(tmp_path / "a.xlsx", formula="=SUM(B1:B1)")
    code, _, err = run_cli("audit", p, "--fix", tmp_path / "out.csv")
    assert code == 2 and ".xlsx" in err
    assert not (tmp_path / "out.csv").exists()


def test_sarif(run_cli, deepseek_xlsx) -> None:
    import json

    code, out, _ = run_cli("audit", deepseek_xlsx, "--format", "sarif")
    assert code == 1
    doc = json.loads(out)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {"FB101", "FB107"} <= ids
    res = run["results"]
    assert {r["ruleId"] for r in res} == {"FB101", "FB102", "FB105"}
    loc = res[0]["locations"][0]
    assert loc["logicalLocations"][0]["fullyQualifiedName"].startswith("Fleet!")
    assert all(
        r["ruleIndex"] == [x["id"] for x in run["tool"]["driver"]["rules"]].index(r["ruleId"])
        for r in res
    )
