"""`flopbook report SCENARIO.yaml --xlsx OUT.xlsx --html OUT.html` (or `--case NAME`)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from flopbook.cli import app
from flopbook.cli.common import Format, FormatOpt, Output, SamplesOpt, SeedOpt, emit, write
from flopbook.errors import InputError

# plain data, no imports: the options --xlsx and --html are made from its rows
from flopbook.render.report_files import REPORT_FILES, nothing_to_write_hint


def _with_report_files(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with an option for each kind of report file (``--xlsx``, ``--html``),
    made from its row of REPORT_FILES, after ``--case``; the command takes them as
    ``**files``."""
    sig = inspect.signature(command, eval_str=True)
    params = [p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD]
    at = [p.name for p in params].index("case") + 1
    options = [
        inspect.Parameter(
            f.option,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=None,
            annotation=Annotated[Path | None, typer.Option(f"--{f.option}", help=f.help)],
        )
        for f in REPORT_FILES
    ]
    command.__signature__ = sig.replace(  # type: ignore[attr-defined]
        parameters=[*params[:at], *options, *params[at:]]
    )
    return command


@app.command("report")
@_with_report_files
def report_command(
    scenario: Annotated[
        Path | None,
        typer.Argument(
            help="A scenario file (YAML): a fleet, a workload (kind: training or "
            "inference) or a payer (kind: fund or company); or use --case."
        ),
    ] = None,
    case: Annotated[
        str | None,
        typer.Option(
            "--case",
            help="A reference case instead of a scenario, e.g. "
            "deepseek-semianalysis (`flopbook case` lists them).",
        ),
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
        typer.Option(
            help="depreciation (default) or annuity, for a scenario. E.g. --capital-cost annuity"
        ),
    ] = None,
    capex: Annotated[
        str | None,
        typer.Option(
            help="For a payer file: capex to pay for, as in `flopbook fund`. "
            'E.g. --capex "1.6B USD"'
        ),
    ] = None,
    fleet: Annotated[
        Path | None,
        typer.Option(
            help="For a payer file: a fleet scenario whose capex and running costs "
            "are the spending to pay for. E.g. --fleet examples/fleet.yaml"
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            help="For a payer file: the year of the purchase (default: the payer's "
            "last year). E.g. --year 2023"
        ),
    ] = None,
    sensitivity: Annotated[
        str | None,
        typer.Option(
            metavar="OUTPUT",
            help="Add a tornado and Sobol indices of OUTPUT to the report; needs "
            "uncertain inputs (ranges). E.g. --sensitivity tco_per_year",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    samples: SamplesOpt = 10_000,
    seed: SeedOpt = None,
    **files: Any,
) -> None:
    """Write a scenario or a case as a workbook and/or HTML.

    The workbook has live formulas; the HTML page is one self-contained file.

    Example: flopbook report --case deepseek-semianalysis --xlsx deepseek.xlsx --html deepseek.html
    """
    if (scenario is None) == (case is None):
        raise InputError(
            "give a scenario file or --case NAME (one of the two)",
            hint="e.g. flopbook report --case deepseek-semianalysis --xlsx deepseek.xlsx",
        )
    given = {f.option: files[f.option] for f in REPORT_FILES if files.get(f.option) is not None}
    if not given:
        raise InputError("nothing to write", hint=nothing_to_write_hint())
    # the report draws its charts only for a file that shows them (the page)
    charts = any(f.charts for f in REPORT_FILES if f.option in given)
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.cli.common import option_errors, require_path

    for f in REPORT_FILES:
        require_path(files.get(f.option), f"--{f.option}")
    require_path(fleet, "--fleet")
    if sensitivity is not None and not sensitivity.strip():
        raise InputError(
            "is empty",
            field="--sensitivity",
            hint="name an output, e.g. --sensitivity tco_per_year",
        )
    if capital_cost is not None:
        # imported on use, so that `flopbook --help` stays fast
        from flopbook.models.fleet import _capital_cost_method

        with option_errors("--capital-cost"):
            _capital_cost_method(capital_cost)
    if case is not None and (only or capital_cost):
        raise InputError(
            "--only and --capital-cost apply to a scenario, not to a case",
            hint="a case fixes its own fleets",
        )

    # imported on use, so that `flopbook --help` stays fast
    from flopbook.quantity import sampling
    from flopbook.render.reports import check_report_target, write_reports
    from flopbook.report import build_report

    protect = tuple(p for p in (scenario, fleet) if p is not None)
    # Refuse a bad output path before the (slower) model run, and again just before writing.
    for option, path in given.items():
        check_report_target(path, option, force=force, protect=protect)
    with sampling(samples, seed):
        if case is not None:
            # imported on use, so that `flopbook --help` stays fast
            from flopbook.cases import case as run_case

            if capex is not None or year is not None or fleet is not None:
                raise InputError(
                    "--capex, --fleet and --year apply to a payer file, not to a case",
                    hint="a case fixes its own spending",
                )
            report = build_report(run_case(case), origin=f"flopbook case {case}", charts=charts)
        else:
            assert scenario is not None
            report = _scenario_report(
                scenario,
                only=only,
                capital_cost=capital_cost,
                capex=capex,
                year=year,
                fleet=fleet,
                charts=charts,
            )
        if sensitivity is not None:
            # imported on use, so that `flopbook --help` stays fast
            from flopbook.report.uncertainty import add_sensitivity

            add_sensitivity(report, sensitivity, samples=samples, seed=seed, charts=charts)
    written = write_reports(report, force=force, protect=protect, **given)

    def show() -> None:
        for p in written:
            emit(str(p))

    write(fmt, Output(show, data=lambda: {"written": [str(p) for p in written]}))


_WORKLOADS = ("training", "inference")
_PAYERS = ("fund", "company")


def _scenario_report(
    scenario: Path,
    *,
    only: str | None,
    capital_cost: str | None,
    capex: str | None,
    year: int | None,
    fleet: Path | None,
    charts: bool = True,
):  # noqa: ANN202
    """The report of a scenario file of any kind (its ``kind:`` says which)."""
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.model_file import kind_of, model_from_document
    from flopbook.report import build_report
    from flopbook.scenario import Document

    doc = Document.read(scenario)
    kind = kind_of(doc)  # one reader, keyed on kind: (a file without one is a fleet)
    description = str(doc.data.get("description") or "")
    if kind not in _PAYERS and (capex is not None or year is not None or fleet is not None):
        raise InputError(
            "--capex, --fleet and --year apply to a payer file (kind: fund or company)",
            file=str(scenario),
            hint="drop them for this scenario",
        )
    if (kind in _WORKLOADS or kind in _PAYERS) and (only or capital_cost):
        raise InputError(
            "--only and --capital-cost apply to a fleet scenario",
            file=str(scenario),
            hint="drop them for this scenario",
        )
    if kind in _WORKLOADS:
        # imported on use, so that `flopbook --help` stays fast
        from flopbook.owned import run_document  # a run may be priced from a fleet file

        return build_report(
            run_document(doc), origin=scenario.name, summary=description, charts=charts
        )
    if kind in _PAYERS:
        return _payer_report(
            doc, scenario, capex=capex, year=year, fleet=fleet, summary=description, charts=charts
        )
    _, model = model_from_document(doc)
    # --only and --capital-cost are a fleet's (refused above for the others)
    result = model.run(only=only, capital_cost=capital_cost) if kind == "fleet" else model.run()
    return build_report(result, origin=scenario.name, summary=description, charts=charts)


def _payer_report(
    doc,
    scenario: Path,
    *,
    capex: str | None,
    year: int | None,  # noqa: ANN001, ANN202
    fleet: Path | None,
    summary: str,
    charts: bool,
):
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.models.funding_verdict import Spending, judge
    from flopbook.payer_file import payer_from_document
    from flopbook.report import build_report

    payer = payer_from_document(doc).run()
    when = payer.years[-1] if year is None else year
    if when not in payer.years:
        raise InputError(
            f"--year {when} is outside the payer's years {payer.years[0]}–{payer.years[-1]}",
            hint="choose a year the payer file covers",
        )
    spending = []
    fleets = []
    if fleet is not None:
        # imported on use, so that `flopbook --help` stays fast
        from flopbook.cli.common import option_errors
        from flopbook.fleet_file import load_scenario

        with option_errors("--fleet"):
            fleet_file = load_scenario(fleet)
        fleet_result = fleet_file.run()
        fleets.append(fleet_result)
        spending.append(Spending.from_fleet(fleet_result, when, source=str(fleet)))
    if capex is not None:
        try:
            spending.append(
                Spending.from_capex(capex, when, fx_rate=payer.fx_rate, label="--capex")
            )
        except InputError as exc:
            raise InputError(exc.message, field="--capex", hint=exc.hint) from None
    result = judge(payer, spending) if spending else payer
    return build_report(result, origin=scenario.name, summary=summary, charts=charts)
