"""What flopbook will open, and what it refuses before any XML is parsed.

Supported: Office Open XML workbooks — .xlsx, .xlsm (macros are never run: the VBA project is
not even loaded), .xltx, .xltm. Refused with one line each: .xls and other OLE2 files,
password-protected (encrypted) workbooks, .xlsb, OpenDocument, anything that is not a zip,
a corrupt zip, and a zip whose parts would inflate past the caps below (a zip bomb). XML
entity declarations (the "billion laughs" bomb) are refused by defusedxml, which openpyxl
uses for every part it parses.
"""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass, field

from flopbook.errors import WorkbookError

# A 1,000,000-cell sheet is about 60 MB of XML; the caps leave room for a few of them, and
# the audit reads at most MAX_CELLS cells (flopbook.audit.workbook). Documented in
# docs/limits.md.
MAX_TOTAL_UNCOMPRESSED = 256 << 20  # 256 MiB across all parts
MAX_PART_UNCOMPRESSED = 192 << 20  # 192 MiB in one part
MAX_RATIO = 100  # deflate rarely beats 50:1 on real sheets; bombs reach 1000:1 and more
RATIO_CHECKED_FROM = 16 << 20  # the ratio is checked on parts, and the whole, past 16 MiB
MAX_PARTS = 10_000

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SUPPORTED = ".xlsx, .xlsm, .xltx, .xltm"


@dataclass
class Package:
    """What the zip holds, as far as the audit cares."""

    macros: bool = False
    external_links: int = 0
    notes: list[str] = field(default_factory=list)


def _refuse(path: str, what: str, hint: str) -> WorkbookError:
    return WorkbookError(what, file=path, hint=hint)


def check_package(path: str) -> Package:
    """Refuse what cannot be read safely; say what was found that the audit will not touch."""
    if not os.path.exists(path):
        raise _refuse(path, "no such file", "check the path")
    if os.path.isdir(path):
        raise _refuse(path, "is a folder, not a workbook", "give the path of an .xlsx file")
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise _refuse(path, f"cannot be read ({exc.strerror})", "check its permissions") from None
    if not stat.S_ISREG(mode):  # a FIFO would block, a device never end
        raise _refuse(
            path,
            "is not a regular file (a pipe or a device)",
            "save the workbook to a file and audit that file",
        )
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise _refuse(path, f"cannot be read ({exc.strerror})", "check its permissions") from None
    if head.startswith(_OLE2):
        if _is_encrypted_ooxml(path):
            raise _refuse(
                path,
                "is password-protected (encrypted)",
                "open it in Excel, remove the password (File > Info > Protect "
                "Workbook), save, and audit the copy",
            )
        raise _refuse(
            path,
            "is an .xls (Excel 97-2003) or other OLE2 file, which flopbook does not read",
            f"save it as .xlsx; supported: {SUPPORTED}",
        )
    if not head.startswith(b"PK"):
        raise _refuse(path, "is not an Excel workbook (not a zip file)", f"supported: {SUPPORTED}")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(path, f"is a corrupt zip ({exc})", "re-save it from Excel") from None
    with zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        if len(infos) > MAX_PARTS:
            raise _refuse(
                path,
                f"holds {len(infos):,} parts, more than any workbook needs",
                "refused as a possible zip bomb",
            )
        if "xl/workbook.bin" in names:
            raise _refuse(
                path,
                "is a binary workbook (.xlsb), which flopbook does not read",
                f"save it as .xlsx; supported: {SUPPORTED}",
            )
        if "content.xml" in names and "mimetype" in names:
            raise _refuse(
                path,
                "is an OpenDocument spreadsheet (.ods)",
                f"save it as .xlsx; supported: {SUPPORTED}",
            )
        if "xl/workbook.xml" not in names and "[Content_Types].xml" not in names:
            raise _refuse(
                path, "is a zip file but not an Excel workbook", f"supported: {SUPPORTED}"
            )
        total = compressed = 0
        for info in infos:
            total += info.file_size
            compressed += info.compress_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > MAX_PART_UNCOMPRESSED or (
                info.file_size > RATIO_CHECKED_FROM and ratio > MAX_RATIO
            ):
                raise _refuse(
                    path,
                    f"part {info.filename[:60]} would inflate to "
                    f"{info.file_size / 2**20:,.0f} MiB (compressed {ratio:,.0f}:1)",
                    f"refused as a possible zip bomb; the caps are "
                    f"{MAX_PART_UNCOMPRESSED >> 20} MiB a part and {MAX_RATIO}:1 "
                    "(see docs/limits.md)",
                )
        # many parts each under the caps can still add up to a bomb: the whole is checked too
        whole_ratio = total / max(compressed, 1)
        if total > MAX_TOTAL_UNCOMPRESSED or (
            total > RATIO_CHECKED_FROM and whole_ratio > MAX_RATIO
        ):
            raise _refuse(
                path,
                f"would inflate to {total / 2**20:,.0f} MiB across "
                f"{len(infos):,} parts (compressed {whole_ratio:,.0f}:1)",
                "refused as a possible zip bomb; the caps are "
                f"{MAX_TOTAL_UNCOMPRESSED >> 20} MiB in all and {MAX_RATIO}:1 "
                "(see docs/limits.md)",
            )
        pkg = Package()
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            pkg.macros = True
            pkg.notes.append("the workbook holds macros (VBA); they were not loaded or run")
        links = [n for n in names if n.startswith("xl/externalLinks/") and n.endswith(".xml")]
        if links:
            pkg.external_links = len(links)
            pkg.notes.append(
                f"the workbook links to {len(links)} other workbook(s); links "
                "were not followed, and cells that use them are left as saved"
            )
        return pkg


def _is_encrypted_ooxml(path: str) -> bool:
    """Encrypted .xlsx files are OLE2 containers with an ``EncryptedPackage`` stream."""
    with open(path, "rb") as fh:
        blob = fh.read(1 << 20)
    return (
        "EncryptedPackage".encode("utf-16-le") in blob
        or b"EncryptionInfo" in blob
        or "EncryptionInfo".encode("utf-16-le") in blob
    )
