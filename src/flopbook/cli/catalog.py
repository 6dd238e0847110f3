"""`flopbook catalog [CHIP]`."""

from __future__ import annotations

from typing import Annotated

import typer

from flopbook.cli import app
from flopbook.cli.common import Format, FormatOpt, console, emit


@app.command("catalog")
def catalog_command(
    chip: Annotated[str | None, typer.Argument(help="A chip id or name, e.g. H800.")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List the accelerators, or show one with its sources.

    One chip is shown with the source and date of every figure.

    Example: flopbook catalog "Ascend 910C"
    """
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.catalog import catalog
    from flopbook.render import data, table

    cat = catalog()
    if chip is None:
        if fmt is Format.table:
            console().print(table.catalog_table(cat))
        elif fmt is Format.json:
            emit(data.to_json([c.entry.model_dump() for c in cat]))
        else:
            emit(data.catalog_csv(cat))
        return
    found = cat.get(chip)
    if fmt is Format.table:
        console().print(table.chip_table(found))
    elif fmt is Format.json:
        emit(data.to_json(found.entry.model_dump()))
    else:
        emit(data.catalog_csv([found]))
