"""`flopbook report SCENARIO.yaml --xlsx OUT.xlsx --html OUT.html` (or `--case NAME`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flopbook.cli import app
from flopbook.cli.common import Format, FormatOpt, SamplesOpt, SeedOpt, emit


@app.command("report")
def report_command(
    scenario: Annotated[
        Path | None, typer.Argument(help="A fleet scenario file (YAML); or use --case.")
    ] = None,
    case: Annotated[
        str | None,
        typer.Option("--case", help="A reference case instead of a scenario, e.g. "
                     "deepseek-semianalysis (`flopbook case` lists them)."),
    ] = None,
    xlsx: Annotated[
        Path | None,
        typer.Option("--xlsx", help="Write a workbook with live formulas (Inputs, "
                     "Calculations, Results) to this .xlsx file. E.g. --xlsx out/fleet.xlsx"),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Write a self-contained HTML report (tables, charts, "
                     "sources) to this .html file. E.g. --html out/fleet.html"),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace output files that already exist.")
    ] = False,
    only: Annotated[
        str | None,
        typer.Option(help="Keep some SKUs of a scenario (e.g. H800,H100 or Hopper)."),
    ] = None,
    capital_cost: Annotated[
        str | None,
        typer.Option(help="depreciation (default) or annuity, for a scenario. "
                     "E.g. --capital-cost annuity"),
    ] = None,
    fmt: FormatOpt = Format.table,
    samples: SamplesOpt = 10_000,
    seed: SeedOpt = None,
) -> None:
    """Write a scenario or a case as a workbook and/or HTML.

    The workbook has live formulas; the HTML page is one self-contained file.

    Example: flopbook report --case deepseek-semianalysis --xlsx deepseek.xlsx --html deepseek.html
    """
    from flopbook.errors import InputError

    if (scenario is None) == (case is None):
        raise InputError("give a scenario file or --case NAME (one of the two)",
                         hint="e.g. flopbook report --case deepseek-semianalysis "
                         "--xlsx deepseek.xlsx")
    if xlsx is None and html is None:
        raise InputError("nothing to write",
                         hint="give --xlsx OUT.xlsx and/or --html OUT.html")
    if case is not None and (only or capital_cost):
        raise InputError("--only and --capital-cost apply to a scenario, not to a case",
                         hint="a case fixes its own fleets")

    from flopbook.quantity import sampling
    from flopbook.render.files import check_target
    from flopbook.report import build_report, write_reports

    protect = (scenario,) if scenario is not None else ()
    # Refuse a bad output path before the (slower) model run, and again just before writing.
    for path, kind in ((xlsx, "xlsx"), (html, "html")):
        if path is not None:
            check_target(path, kind, force=force, protect=protect)
    with sampling(samples, seed):
        if case is not None:
            from flopbook.cases import case as run_case

            result = run_case(case)
            origin = f"flopbook case {case}"
        else:
            from flopbook.scenario import load_scenario

            assert scenario is not None
            fleet = load_scenario(scenario)
            result = fleet.run(only=only, capital_cost=capital_cost)
            origin = scenario.name
        report = build_report(result, origin=origin,
                              summary="" if case is not None else fleet.description)
    written = write_reports(report, xlsx=xlsx, html=html, force=force, protect=protect)
    if fmt is Format.json:
        from flopbook.render.data import to_json

        emit(to_json({"written": [str(p) for p in written]}))
    else:
        for p in written:
            emit(str(p))
