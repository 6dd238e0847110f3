"""`flopbook run SCENARIO.yaml`: a file of any kind, run and shown from its declaration."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flopbook.cli import app
from flopbook.cli.common import Format, FormatOpt, Output, SamplesOpt, SeedOpt, console, write
from flopbook.errors import InputError


@app.command("run")
def run_command(
    scenario: Annotated[
        Path,
        typer.Argument(
            help="A scenario file (YAML) of any kind (its kind: says which; a file "
            "without one is a fleet). E.g. examples/fleet.yaml"
        ),
    ],
    fmt: FormatOpt = Format.table,
    samples: SamplesOpt = 10_000,
    seed: SeedOpt = None,
) -> None:
    """Run a scenario file of any kind and show its outputs.

    One row per output of the kind's declaration, one column per item and the Total, then
    the kind's declared totals. A kind with a command of its own (fleet, workload, fund)
    shows more there; this shows any kind the same way, a kind declared in Python too.

    Example: flopbook run examples/high-flyer.yaml --format json
    """
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.model_file import model_from_document
    from flopbook.models.registry import declared
    from flopbook.quantity import sampling
    from flopbook.render.result import result_csv, result_dict, result_tables
    from flopbook.scenario import Document

    with sampling(samples, seed):
        doc = Document.read(scenario)
        kind, model = model_from_document(doc)  # one reader, keyed on kind:
        result = declared(model.run())
    if result is None:
        raise InputError(
            f"a {kind} has no declared outputs to show",
            file=str(scenario),
            hint=f"run: flopbook report {scenario} --html page.html",
        )

    def show() -> None:
        out = console()
        for table in result_tables(result):
            out.print(table)

    write(
        fmt,
        Output(show, data=lambda: result_dict(result), csv=lambda: result_csv(result)),
    )
