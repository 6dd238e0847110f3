"""`flopbook fleet SCENARIO.yaml`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flopbook.cli import app
from flopbook.cli.common import Format, FormatOpt, SamplesOpt, SeedOpt, console, emit


@app.command("fleet")
def fleet_command(
    scenario: Annotated[Path, typer.Argument(help="A fleet scenario file (YAML).")],
    only: Annotated[
        str | None,
        typer.Option(help="Keep some SKUs: chip ids, SKU names or an architecture, "
                     "comma-separated (e.g. H800,H100 or Hopper)."),
    ] = None,
    capital_cost: Annotated[
        str | None,
        typer.Option(help="How capex becomes a yearly cost: depreciation (straight-line, "
                     "default) or annuity (at the cost of capital)."),
    ] = None,
    all_rows: Annotated[bool, typer.Option("--all", help="Show every row in the table.")] = False,
    fmt: FormatOpt = Format.table,
    samples: SamplesOpt = 10_000,
    seed: SeedOpt = None,
) -> None:
    """Capex, power, opex and TCO of a GPU fleet, per SKU and in total.

    Example: flopbook fleet examples/fleet.yaml --only Hopper
    """
    from flopbook.quantity import sampling
    from flopbook.scenario import load_scenario

    with sampling(samples, seed):
        fleet = load_scenario(scenario)
        result = fleet.run(only=only, capital_cost=capital_cost)
    render_fleet(result, fmt, all_rows=all_rows)


def render_fleet(result, fmt: Format, *, all_rows: bool = False, title: str | None = None) -> None:  # noqa: ANN001
    from flopbook.render import data, table

    if fmt is Format.table:
        console().print(table.fleet_table(result, all_rows=all_rows, title=title))
    elif fmt is Format.json:
        emit(data.to_json(result.to_dict()))
    else:
        emit(data.fleet_csv(result))
