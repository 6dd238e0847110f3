"""`flopbook workload SCENARIO.yaml`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flopbook.cli import app
from flopbook.cli.common import Format, FormatOpt, SamplesOpt, SeedOpt, console, emit


@app.command("workload")
def workload_command(
    scenario: Annotated[Path, typer.Argument(help="A workload file (YAML): kind: training "
                                             "or kind: inference.")],
    fmt: FormatOpt = Format.table,
    samples: SamplesOpt = 10_000,
    seed: SeedOpt = None,
) -> None:
    """A training run or an inference service, costed.

    FLOPs, GPU-hours, time, cost and energy of a training run, or throughput, cost and
    energy per request of an inference service — each output with its formula.

    Example: flopbook workload examples/training.yaml
    """
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.quantity import sampling
    from flopbook.render import data
    from flopbook.render.workload import inputs_table, workload_csv, workload_table
    from flopbook.workload_file import run_workload

    with sampling(samples, seed):
        result = run_workload(scenario)
    if fmt is Format.json:
        emit(data.to_json(result.to_dict()))
    elif fmt is Format.csv:
        emit(workload_csv(result))
    else:
        out = console()
        out.print(workload_table(result))
        out.print(inputs_table(result))
        for note in result.notes:
            out.print(f"Note: {note}", style="bold yellow")
