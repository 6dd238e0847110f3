"""`flopbook workload SCENARIO.yaml`."""

from __future__ import annotations

import math
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
    require_path,
    write,
    write_charts,
)
from flopbook.errors import InputError, suggest


@app.command("workload")
def workload_command(
    scenario: Annotated[
        Path, typer.Argument(help="A workload file (YAML): kind: training or kind: inference.")
    ],
    fmt: FormatOpt = Format.table,
    samples: SamplesOpt = 10_000,
    seed: SeedOpt = None,
    sensitivity: Annotated[
        str | None,
        typer.Option(
            metavar="OUTPUT",
            help="Rank the uncertain inputs by their effect on OUTPUT: a tornado "
            "and Sobol indices. E.g. --sensitivity cost_per_million_output",
        ),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Write charts (PNG and SVG) to DIR: the distribution of the "
            "--sensitivity output (else the last output), and the tornado and Sobol "
            "indices with --sensitivity. E.g. --plot charts/",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace charts already in the --plot folder. E.g. --force --plot charts/",
        ),
    ] = False,
) -> None:
    """A training run or an inference service, costed.

    FLOPs, GPU-hours, time, cost and energy of a training run, or throughput, cost and
    energy per request of an inference service — each output with its formula.

    Example: flopbook workload examples/training.yaml
    """
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.files import check_folder

    # a run may be priced from a fleet file and timed as wall-clock x GPUs (flopbook.owned)
    from flopbook.owned import run_document, workload_from_document
    from flopbook.quantity import sampling
    from flopbook.render import sensitivity as render_sensitivity
    from flopbook.render.workload import workload_csv
    from flopbook.scenario import Document

    require_path(plot, "--plot")
    if sensitivity is not None and not sensitivity.strip():
        raise InputError(
            "is empty",
            field="--sensitivity",
            hint="name an output, e.g. --sensitivity cost_per_million_output",
        )
    doc = Document.read(scenario)
    found = None
    with sampling(samples, seed) as s:
        result = run_document(doc)
        output = sensitivity or (result.rows[-1].key if result.rows else "")
        if sensitivity is not None and not result.has(sensitivity):
            raise InputError(
                f"no output {sensitivity!r} in this workload",
                field="--sensitivity",
                hint=suggest(sensitivity, [r.key for r in result.rows]),
            )
        if plot is not None:
            plot = check_folder(
                plot, "--plot", names=chart_names(output, sensitivity is not None), force=force
            )
        if sensitivity:
            found = _sensitivity(workload_from_document(doc), sensitivity, samples, s.seed)
    if plot is not None:
        _plot(result, output, found, plot)

    def payload() -> dict:
        out = result.to_dict()
        if found is not None:
            out["sensitivity"] = found.to_dict()
        return out

    def csv() -> str:
        if found is not None:
            return str(render_sensitivity.sensitivity_csv(found))
        return str(workload_csv(result))

    write(fmt, Output(lambda: _show(result, found), data=payload, csv=csv))


def _show(result, found) -> None:  # noqa: ANN001 - a workload result and its sensitivity
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.render import sensitivity as render_sensitivity
    from flopbook.render.workload import inputs_table, workload_table

    out = console()
    out.print(workload_table(result))
    out.print(inputs_table(result))
    for note in result.notes:
        out.print(f"Note: {note}", style="bold yellow")
    if found is not None:
        out.print(render_sensitivity.tornado_table(found))
        out.print(render_sensitivity.sobol_table(found))


def _sensitivity(workload, output: str, samples: int, seed: int):  # noqa: ANN001, ANN202
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.cli.common import option_errors
    from flopbook.cli.progress import progress_bar
    from flopbook.sensitivity import workload_inputs, workload_sensitivity

    k = max(1, len(workload_inputs(workload.run())))
    base = max(256, 1 << max(0, math.ceil(math.log2(max(1, samples // (k + 2))))))
    with option_errors("--sensitivity"), progress_bar(f"Sensitivity of {output}") as update:
        return workload_sensitivity(workload, output, base_samples=base, seed=seed, progress=update)


def _plot(result, output: str, found, directory: Path) -> None:  # noqa: ANN001
    # imported on use, so that `flopbook --help` stays fast
    import numpy as np

    # likewise
    from flopbook.quantity import magnitudes
    from flopbook.render import charts

    row = next(r for r in result.rows if r.key == output)
    values = magnitudes(row.value, row.unit)
    title = row.label + (f" — {result.name}" if result.name else "")
    varies = values.size > 1 and np.ptp(values) > 0
    write_charts(
        directory,
        output,
        (lambda: charts.samples_figure(values, row.label, row.unit, title)) if varies else None,
        found,
    )
