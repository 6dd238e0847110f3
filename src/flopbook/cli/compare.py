"""`flopbook compare CHIP CHIP … [--price CHIP=PRICE]`."""

from __future__ import annotations

from typing import Annotated

import typer

from flopbook.cli import app
from flopbook.cli.common import Format, FormatOpt, Output, SamplesOpt, SeedOpt, console, write
from flopbook.errors import InputError

_OPTIONS = {
    "price_kind": "--price-kind",
    "precision": "--precision",
    "count": "--count",
    "price": "--price",
}


@app.command("compare")
def compare_command(
    chips: Annotated[
        list[str],
        typer.Argument(
            help='Two or more chips; the first is the reference (e.g. H100 H20 "Ascend 910C").'
        ),
    ],
    price: Annotated[
        list[str] | None,
        typer.Option(
            "--price",
            help="A price for one chip, CHIP=PRICE, repeatable, above zero: hourly, "
            'e.g. --price "H20=1.2 USD/GPU/hour", or capital, e.g. --price "H20=12k USD/GPU".',
        ),
    ] = None,
    price_kind: Annotated[
        str,
        typer.Option(
            help="Where prices not given come from: rental (catalog), owned (the fleet model's "
            "cost per GPU-hour from the catalog server price, default assumptions), "
            "server_per_gpu or purchase (catalog capital prices); e.g. --price-kind owned."
        ),
    ] = "rental",
    precision: Annotated[
        str, typer.Option(help="Which dense peak: bf16, fp8, tf32 or fp32, e.g. --precision fp8.")
    ] = "bf16",
    count: Annotated[
        str,
        typer.Option(
            help="How many of the reference chip to match, a whole number, e.g. --count 2048 "
            "or --count 1k."
        ),
    ] = "1000",
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Use the catalog prices nearest this date (default: the latest), "
            "e.g. --date 2023-06. A price more than 12 months from it is flagged.",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    samples: SamplesOpt = 10_000,
    seed: SeedOpt = None,
) -> None:
    """Cost and power per dense FLOP, chip against chip.

    Cost per dense FLOP and power per FLOP side by side, and how many of each chip match
    N of the first in FLOP/s, power and money.

    Example: flopbook compare H100 H20 "Ascend 910C" --price-kind owned
    """
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.cli.catalog import read_date
    from flopbook.cli.common import option_errors
    from flopbook.models.compare import compare
    from flopbook.quantity import q, sampling
    from flopbook.render.workload import comparison_csv, comparison_tables

    prices = {}
    for item in price or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InputError(
                f"cannot read --price {item!r}",
                hint='write CHIP=PRICE, e.g. --price H20="1.2 USD/GPU/hour"',
            )
        prices[name.strip()] = value.strip()

    for option, given in (("--precision", precision), ("--count", count)):
        if not str(given).strip():
            raise InputError("is empty", field=option, hint="see `flopbook compare --help`")

    for name, value in prices.items():  # a price that cannot be read, named by its option
        with option_errors(f"--price {name}"):
            q(value)
    with sampling(samples, seed):
        try:
            result = compare(
                chips,
                prices=prices,
                precision=precision,
                price_kind=price_kind,
                count=count.strip(),
                date=read_date(date),
            )
        except InputError as exc:
            # the library names its arguments; the user typed options
            named = _OPTIONS.get(exc.field or "")
            if named is None:
                raise
            raise InputError(exc.message, field=named, hint=exc.hint) from None

    def show() -> None:
        out = console()
        for t in comparison_tables(result):
            out.print(t)
        for note in result.notes:
            out.print(f"Note: {note}", style="dim")

    write(fmt, Output(show, data=result.to_dict, csv=lambda: comparison_csv(result)))
