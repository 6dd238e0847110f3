"""`flopbook fleet SCENARIO.yaml`."""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from flopbook.cli import app
from flopbook.cli.common import (
    Format,
    FormatOpt,
    Output,
    SamplesOpt,
    SeedOpt,
    chart_names,
    console,
    write,
    write_charts,
)
from flopbook.errors import InputError


class Sampler(StrEnum):
    random = "random"
    sobol = "sobol"
    lhs = "lhs"


@app.command("fleet")
def fleet_command(
    scenario: Annotated[Path, typer.Argument(help="A fleet scenario file (YAML).")],
    only: Annotated[
        str | None,
        typer.Option(
            help="Keep some SKUs: chip ids, SKU names or an architecture, "
            "comma-separated. E.g. --only H800,H100 or --only Hopper"
        ),
    ] = None,
    capital_cost: Annotated[
        str | None,
        typer.Option(
            help="How capex becomes a yearly cost: depreciation (straight-line, "
            "default) or annuity (at the cost of capital). E.g. --capital-cost annuity"
        ),
    ] = None,
    all_rows: Annotated[
        bool,
        typer.Option(
            "--all", help="Show every row in the table (electricity, hosting, capacity…)."
        ),
    ] = False,
    fmt: FormatOpt = Format.table,
    samples: SamplesOpt = 10_000,
    seed: SeedOpt = None,
    sampler: Annotated[
        Sampler,
        typer.Option(
            help="How uncertain inputs are sampled: random, lhs (Latin hypercube) "
            "or sobol (quasi-random); lhs and sobol settle with fewer samples. "
            "E.g. --sampler lhs"
        ),
    ] = Sampler.random,
    sensitivity: Annotated[
        str | None,
        typer.Option(
            metavar="OUTPUT",
            help="Rank the uncertain inputs by their effect on OUTPUT (e.g. "
            "tco_per_year): a tornado and Sobol indices. E.g. --sensitivity "
            "cost_per_gpu_hour",
        ),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Write charts (PNG and SVG) to DIR: the distribution of the "
            "--sensitivity output (else TCO per year), and the tornado and Sobol "
            "indices with --sensitivity. E.g. --plot charts/",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace charts already in the --plot folder.")
    ] = False,
) -> None:
    """Capex, power, opex and TCO of a GPU fleet, per SKU and in total.

    Example: flopbook fleet examples/fleet.yaml --only Hopper --sensitivity tco_per_year
    """
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.cli.common import option_errors, require_path
    from flopbook.distributions import require_memory
    from flopbook.files import check_folder
    from flopbook.fleet_file import fleet_from_document
    from flopbook.models.fleet import _capital_cost_method, metric
    from flopbook.models.registry import refuse_other_kinds
    from flopbook.quantity import sampling
    from flopbook.scenario import Document

    require_path(plot, "--plot")
    if sensitivity is not None and not sensitivity.strip():
        raise InputError(
            "is empty",
            field="--sensitivity",
            hint="name an output, e.g. --sensitivity tco_per_year",
        )
    output = sensitivity or "tco_per_year"
    with option_errors("--sensitivity"):
        metric(output)  # an unknown output, or a folder that cannot be written, fails first
    if capital_cost is not None:
        with option_errors("--capital-cost"):
            _capital_cost_method(capital_cost)
    if plot is not None:
        plot = check_folder(
            plot, "--plot", names=chart_names(output, sensitivity is not None), force=force
        )
    doc = Document.read(scenario)
    refuse_other_kinds(doc, "fleet")
    require_memory(samples, _arrays_held(doc))
    with sampling(samples, seed, sampler.value) as s:
        fleet = fleet_from_document(doc)
        result = fleet.run(only=only, capital_cost=capital_cost)
        found = None
        if sensitivity:
            found = _sensitivity(fleet, sensitivity, only, capital_cost, samples, s.seed)
    if plot is not None:
        _plot(result, output, found, plot)
    _render(result, found, fmt, all_rows)


def _arrays_held(doc) -> int:  # noqa: ANN001 - a Document
    """About how many sample arrays a run of this fleet holds at once: every input, and every
    metric for each SKU and the total."""
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.models.fleet import ASSUMPTION_FIELDS, METRICS, SKU_FIELDS

    skus = doc.data.get("skus")
    n = len(skus) if isinstance(skus, list) else 1
    return len(ASSUMPTION_FIELDS) + n * len(SKU_FIELDS) + 2 * len(METRICS) * (n + 1)


def _sensitivity(fleet, output, only, capital_cost, samples, seed):  # noqa: ANN001, ANN202

    # imported on use, so that `flopbook --help` stays fast
    from flopbook.cli.progress import progress_bar
    from flopbook.sensitivity import fleet_sensitivity, uncertain_inputs

    k = len(uncertain_inputs(fleet.subset(only)))
    # about --samples model rows in all: N x (k + 2), N a power of two, at least 256
    base = max(256, 1 << max(0, math.ceil(math.log2(max(1, samples // (k + 2))))))
    with progress_bar(f"Sensitivity of {output}") as update:
        return fleet_sensitivity(
            fleet,
            output,
            only=only,
            capital_cost=capital_cost,
            base_samples=base,
            seed=seed,
            progress=update,
        )


def _plot(result, output, found, directory: Path) -> None:  # noqa: ANN001
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.render import charts

    varies = result.sampled and result.get(output) is not None
    write_charts(
        directory,
        output,
        (lambda: charts.distribution_figure(result, output)) if varies else None,
        found,
    )


def _render(result, found, fmt: Format, all_rows: bool) -> None:  # noqa: ANN001
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.render import data, table
    from flopbook.render import sensitivity as render_sensitivity

    def show() -> None:
        c = console()
        c.print(table.FittedFleetTable(result, all_rows=all_rows))
        if result.cash_flows is not None:
            c.print(table.cash_flow_table(result.cash_flows, "Cash flows by year"))
        if found is not None:
            c.print(render_sensitivity.tornado_table(found))
            c.print(render_sensitivity.sobol_table(found))

    if found is None:
        output = Output(show, data=result.to_dict, csv=lambda: data.fleet_csv(result))
    else:
        output = Output(
            show,
            data=lambda: {**result.to_dict(), "sensitivity": found.to_dict()},
            csv=lambda: render_sensitivity.sensitivity_csv(found),
        )
    write(fmt, output)


@app.command("breakeven")
def breakeven_command(
    scenario: Annotated[Path, typer.Argument(help="A fleet scenario file (YAML).")],
    only: Annotated[
        str | None,
        typer.Option(
            help="Keep some SKUs: chip ids, SKU names or an architecture. E.g. --only H100"
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    samples: SamplesOpt = 10_000,
    seed: SeedOpt = None,
    sensitivity: Annotated[
        bool,
        typer.Option(
            "--sensitivity",
            help="Rank the uncertain inputs by their effect on the break-even utilisation "
            "against renting: a tornado and Sobol indices.",
        ),
    ] = False,
) -> None:
    """Owned vs rented vs API for the same work; break-even utilisation.

    SKUs need rental_price, and api_price with throughput for the API.

    Example: flopbook breakeven examples/breakeven.yaml --sensitivity
    """
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.distributions import require_memory
    from flopbook.fleet_file import fleet_from_document
    from flopbook.models.registry import refuse_other_kinds
    from flopbook.quantity import sampling
    from flopbook.render import data, table
    from flopbook.render import sensitivity as render_sensitivity
    from flopbook.scenario import Document

    doc = Document.read(scenario)
    refuse_other_kinds(doc, "fleet")
    require_memory(samples, _arrays_held(doc))
    output = "breakeven_utilisation"
    with sampling(samples, seed) as s:
        fleet = fleet_from_document(doc)
        result = fleet.run(only=only)
        if result.get(output) is None and result.get("breakeven_utilisation_api") is None:
            raise InputError(
                "no SKU gives a rental_price or an api_price to compare with",
                field="skus",
                hint='add e.g. rental_price: "2 USD/GPU/hour", or api_price: '
                '"0.9 USD/Mtoken" with throughput: "1500 token/s/GPU"',
            )
        if result.get(output) is None:
            output = "breakeven_utilisation_api"
        found = _sensitivity(fleet, output, only, None, samples, s.seed) if sensitivity else None

    def payload() -> dict:
        rows = [r for r in result.rows_dict() if r["metric"] in table.BREAKEVEN_ROWS]
        out = {"name": result.name, "columns": result.all_columns, "metrics": rows}
        out["verdict"] = table.breakeven_verdict(result)
        if found is not None:
            out["sensitivity"] = found.to_dict()
        return out

    def show() -> None:
        c = console()
        c.print(table.breakeven_table(result))
        for line in table.breakeven_verdict(result):
            c.print(line)
        if found is not None:
            c.print(render_sensitivity.tornado_table(found))
            c.print(render_sensitivity.sobol_table(found))

    write(fmt, Output(show, data=payload, csv=lambda: data.fleet_csv(result)))
