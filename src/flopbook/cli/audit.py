"""`flopbook audit BOOK.xlsx`."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from flopbook.cli import app
from flopbook.cli.common import emit


class AuditFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"


@app.command("audit")
def audit_command(
    book: Annotated[Path, typer.Argument(help="The workbook to audit (.xlsx or .xlsm).")],
    fmt: Annotated[AuditFormat, typer.Option(
        "--format", "-f", help="text for people; json (a list of findings) or sarif "
        "(SARIF 2.1.0, for code-scanning tools). E.g. --format sarif")] = AuditFormat.text,
    select: Annotated[str | None, typer.Option(
        "--select", help="Only these rules, comma-separated. E.g. --select FB101,FB103")] = None,
    fix: Annotated[Path | None, typer.Option(
        "--fix", help="Write a corrected copy here (never over BOOK), each changed cell "
        "commented with its finding, and show published vs corrected values. "
        "E.g. --fix model-fixed.xlsx")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="With --fix, replace OUT.xlsx if it exists (never BOOK). "
        "E.g. --fix model-fixed.xlsx --force")] = False,
) -> None:
    """Find formula errors in a spreadsheet and recompute it right.

    Points at each cell, says why in plain words, suggests the fix, and shows the value
    before and after.

    Exit codes: 0 no findings, 1 findings, 2 the workbook could not be read.

    Example: flopbook audit model.xlsx --select FB101,FB102 --fix model-fixed.xlsx
    """
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.audit import audit
    from flopbook.render import audit as render
    from flopbook.render import data

    codes = select.split(",") if select else None
    if fix is not None:
        # imported on use, so that `flopbook --help` stays fast
        from flopbook.audit.recompute import check_output

        check_output(str(book), str(fix), force)
    result = audit(str(book), codes)
    fixed = None
    if fix is not None:
        # imported on use, so that `flopbook --help` stays fast
        from flopbook.audit.recompute import write_fixed

        fixed = write_fixed(str(book), result, str(fix), force)
    if fmt is AuditFormat.json:
        emit(data.to_json(render.json_list(result)))
    elif fmt is AuditFormat.sarif:
        # imported on use, so that `flopbook --help` stays fast
        from flopbook.render import sarif

        emit(data.to_json(sarif.sarif(result)))
    else:
        emit(render.text(result, fixed))
    if fmt is not AuditFormat.text:
        for note in result.notes + (fixed.notes if fixed else []):
            print(f"flopbook: note: {note}", file=sys.stderr)
    raise typer.Exit(0 if result.clean else 1)
