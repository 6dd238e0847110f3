"""`flopbook catalog [CHIP] [--prices] [--date DATE]`."""

from __future__ import annotations

from typing import Annotated

import typer

from flopbook.cli import app
from flopbook.cli.common import Format, FormatOpt, Output, console, write
from flopbook.errors import InputError


def read_date(text: str | None, option: str = "--date") -> str | None:
    """A date as the catalog writes them (YYYY-MM-DD, YYYY-MM, YYYY-QN or YYYY), checked."""
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.catalog.schema import date_start

    if text is None:
        return None
    try:
        date_start(text)
    except ValueError:
        raise InputError(
            f"cannot read {text!r} as a date",
            field=option,
            hint="write e.g. 2021-06-01, 2021-06, 2021-Q2 or 2021",
        ) from None
    return text.strip()


@app.command("catalog")
def catalog_command(
    chip: Annotated[str | None, typer.Argument(help="A chip id or name, e.g. H800.")] = None,
    prices: Annotated[
        bool,
        typer.Option(
            "--prices",
            help="Show the chip's dated price series: every observation, its age and "
            "the price a model would use, e.g. flopbook catalog H100 --prices.",
        ),
    ] = False,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="The date prices are used at (default today): picks the observation "
            "nearest it and measures ages from it, e.g. --date 2021-06.",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List the accelerators, or show one with its sources.

    One chip is shown with the source and date of every figure, and the price of each kind
    a model would use today. --prices lists every dated price observation; one used more
    than 12 months from its date is flagged.

    Example: flopbook catalog "Ascend 910C"; flopbook catalog V100 --prices --date 2021-06
    """
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.catalog import catalog
    from flopbook.render import data, table

    at = read_date(date)
    cat = catalog()
    if chip is None:
        if prices or at:
            raise InputError(
                "--prices and --date show one chip's prices",
                field="--prices",
                hint="name the chip, e.g. flopbook catalog H100 --prices",
            )
        output = Output(
            show=lambda: console().print(table.catalog_table(cat)),
            data=lambda: [data.catalog_entry_dict(c.entry) for c in cat],
            csv=lambda: data.catalog_csv(cat),
        )
    elif prices:
        found = cat.get(chip)
        output = Output(
            show=lambda: console().print(table.price_table(found, at)),
            data=lambda: data.price_series_dict(found, at),
            csv=lambda: data.price_series_csv(found, at),
        )
    else:
        found = cat.get(chip)
        output = Output(
            show=lambda: console().print(table.chip_table(found, at)),
            data=lambda: {
                **data.catalog_entry_dict(found.entry),
                "prices_used": [p.as_dict() for p in found.price_picks(at)],
            },
            csv=lambda: data.catalog_csv([found]),
        )
    write(fmt, output)
