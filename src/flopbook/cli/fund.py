"""`flopbook fund PAYER.yaml [--fleet FLEET.yaml | --capex AMOUNT]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flopbook.cli import app
from flopbook.cli.common import Format, FormatOpt, Output, SamplesOpt, SeedOpt, console, write
from flopbook.errors import InputError


@app.command("fund")
def fund_command(
    payer: Annotated[
        Path,
        typer.Argument(
            help="A payer file (YAML): a fund or a company. E.g. examples/high-flyer.yaml"
        ),
    ],
    fleet: Annotated[
        Path | None,
        typer.Option(
            help="A fleet scenario file: its capex, and its running costs in every "
            "year after the purchase, are the spending to pay for. "
            "E.g. --fleet examples/fleet.yaml"
        ),
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(
            help="With --fleet: keep some SKUs (chip ids, SKU names or an "
            "architecture, comma-separated). E.g. --only H800,H20"
        ),
    ] = None,
    capex: Annotated[
        str | None,
        typer.Option(
            help="Capex to pay for instead of (or beside) a fleet, with its unit or "
            "a scale (1.6B is dollars; a plain 1.6 is refused). "
            'E.g. --capex 1.6B, --capex "1.6B USD", --capex ¥1B with --fx'
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            help="The year the fleet or capex is paid for. Default: the payer's "
            "last year (the most cash it could have saved up). E.g. --year 2023"
        ),
    ] = None,
    fx: Annotated[
        str | None,
        typer.Option(
            help="Exchange rate for a --capex in CNY, either way round; default: "
            "the payer file's fx_rate. "
            'E.g. --fx "6.45 CNY/USD" (the same as "0.155 USD/CNY")'
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    samples: SamplesOpt = 10_000,
    seed: SeedOpt = None,
) -> None:
    """Could the payer have paid for the fleet?

    Cash it could put in, year by year, against the fleet's capex and running costs, with a
    verdict: within means, a stretch, or implausible without outside funding.

    Example: flopbook fund high-flyer.yaml --capex 1.6B --year 2023
    """
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.fleet_file import load_scenario
    from flopbook.models.funding import read_fx_rate
    from flopbook.models.funding_verdict import Spending, judge
    from flopbook.payer_file import load_payer
    from flopbook.quantity import sampling
    from flopbook.render import funding as render

    with sampling(samples, seed):
        model = load_payer(payer)
        result = model.run()
        when = result.years[-1] if year is None else year
        if when not in result.years:
            raise InputError(
                f"--year {when} is outside the payer's years {result.years[0]}–{result.years[-1]}",
                hint="choose a year the payer file covers",
            )
        spending = []
        if fleet is not None:
            # imported on use, so that `flopbook --help` stays fast
            from flopbook.cli.common import option_errors

            with option_errors("--fleet"):
                fleet_file = load_scenario(fleet)
            fleet_result = fleet_file.run(only=only)
            spending.append(Spending.from_fleet(fleet_result, when, source=str(fleet)))
        elif only is not None:
            raise InputError("--only needs --fleet", hint="give a fleet file with --fleet")
        if capex is not None:
            rate = result.fx_rate if fx is None else read_fx_rate(fx, "--fx")
            try:
                spending.append(Spending.from_capex(capex, when, fx_rate=rate, label="--capex"))
            except InputError as exc:
                raise InputError(
                    exc.message.replace("no fx_rate is given", "no exchange rate is given"),
                    field="--capex",
                    hint='add --fx "7.1 CNY/USD" (or fx_rate in the payer file)'
                    if "no fx_rate" in exc.message
                    else exc.hint,
                ) from None
        verdict = judge(result, spending) if spending else None
    write(
        fmt,
        Output(
            show=lambda: render.print_funding(result, verdict, console()),
            data=lambda: render.funding_dict(result, verdict),
            csv=lambda: render.funding_csv(result, verdict),
        ),
    )
