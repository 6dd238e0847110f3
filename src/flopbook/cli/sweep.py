"""`flopbook sweep SCENARIO --vary PATH=VALUES ...`: a scenario over a design of assumptions."""

from __future__ import annotations

import sys
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
    WorkerWaitOpt,
    console,
    write,
)
from flopbook.errors import InputError


class Design(StrEnum):
    grid = "grid"
    sobol = "sobol"


HELP = """Run a scenario over a grid or a Sobol design of assumptions.

Each point is a Monte Carlo run of the model.

Each --vary names a field as the file writes it and the values it takes: PATH=LOW:HIGH:N
(N values from LOW to HIGH, a unit may follow), PATH=A,B,C (values as written in the file),
or, with --design sobol, PATH=LOW:HIGH. A grid runs every combination; a Sobol design
--points points spread over the ranges. Each point has its own seed, from --seed and the
point's number, so the numbers are the same however many workers run them.

The table (one row per point and output: the varied inputs, then the output's mean, P5, P50
and P95) is printed, or written with --out; --plot draws the first output along the first
varied input.

Example: flopbook sweep examples/fleet.yaml --vary assumptions.pue=1.1:1.4:4
--vary skus[0].count=1k,5k,10k --out sweep.parquet --plot sweep.png
"""


@app.command("sweep", help=HELP)
def sweep_command(
    scenario: Annotated[
        Path,
        typer.Argument(
            help="A scenario file (YAML): a fleet, a training run, a fund or a company."
        ),
    ],
    varies: Annotated[
        list[str],
        typer.Option(
            "--vary",
            help="An input and its values, PATH=LOW:HIGH:N [UNIT] or PATH=A,B,C; repeat "
            "for more inputs. E.g. --vary assumptions.pue=1.1:1.4:4",
            show_default=False,
        ),
    ],
    design: Annotated[
        Design,
        typer.Option(
            "--design",
            help="grid (every combination) or sobol (--points quasi-random points). "
            "E.g. --design sobol --points 256",
        ),
    ] = Design.grid,
    points: Annotated[
        int | None,
        typer.Option(
            "--points",
            min=1,
            max=100_000,
            help="With --design sobol: how many points (default 64). E.g. --points 256",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            help="Outputs to summarise, comma-separated; default: the kind's headline "
            "outputs (a fleet's tco_per_year and capex). E.g. --output cost_per_gpu_hour",
            show_default=False,
        ),
    ] = None,
    samples: SamplesOpt = 10_000,
    seed: SeedOpt = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Run the points on Dask: local (worker processes on this machine) or a "
            "running scheduler's address; default: here, one after the other. "
            "E.g. --scheduler local",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=256,
            help="With --scheduler local: worker processes; default: the number of cores. "
            "E.g. --workers 2",
            show_default=False,
        ),
    ] = None,
    worker_wait: WorkerWaitOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write the table to this .parquet or .csv file instead of printing it. "
            "E.g. --out sweep.parquet",
            show_default=False,
        ),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            help="Draw the first output along the first varied input to this .png or "
            ".svg file. E.g. --plot sweep.png",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace --out and --plot files that exist.")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.cli.common import require_path
    from flopbook.cli.progress import progress_bar
    from flopbook.files import Outputs, check_target

    for option, given in (("--out", out), ("--plot", plot)):
        require_path(given, option)
    if scheduler is None and workers is not None:
        raise InputError(
            "only applies with --scheduler local", field="--workers", hint="add --scheduler local"
        )
    if scheduler is None and worker_wait is not None:
        raise InputError(
            "only applies with --scheduler", field="--worker-wait", hint="add --scheduler local"
        )
    targets = []
    if out is not None:
        targets.append(check_target(out, "out", force=force, protect=(scenario,)))
        if out.suffix.lower() == ".parquet":
            # imported on use, so that `flopbook --help` stays fast
            from flopbook.cluster import require

            require("--out", ("pyarrow",))
    if plot is not None:
        if plot.suffix.lower() not in (".png", ".svg"):
            raise InputError(
                "needs a file name ending in .png or .svg",
                field="--plot",
                hint="e.g. --plot sweep.png",
            )
        _check_plot(plot, force, scenario)
    if scheduler is not None:
        # imported on use, so that `flopbook --help` stays fast
        from flopbook.cluster import check_address, require

        require()
        check_address(scheduler)
    # imported on use, so that `flopbook --help` stays fast
    from flopbook import sweep as sw

    read = [sw.vary(v) for v in varies]
    outputs = [s.strip() for s in output.split(",") if s.strip()] if output is not None else None
    if output is not None and not outputs:
        raise InputError("names no output", field="--output", hint="e.g. --output tco_per_year")
    found = sw.Sweep.read(scenario, read, outputs)
    found.points(design.value, points, seed)  # a design that cannot be made fails before work
    run = {"design_kind": design.value, "points": points, "samples": samples, "seed": seed}
    with progress_bar("Sweeping") as update:
        if scheduler is None:
            frame = found.run(**run, progress=update)  # type: ignore[arg-type]
        else:
            # imported on use, so that `flopbook --help` stays fast
            from flopbook import cluster

            with cluster.connect(scheduler, workers=workers) as client:
                link = cluster.dashboard_link(client)
                print(
                    f"flopbook: sweeping on {cluster.worker_count(client)} Dask worker(s)"
                    + (f"; dashboard: {link}" if link else ""),
                    file=sys.stderr,
                )
                frame = found.run(**run, client=client, progress=update, wait=worker_wait)  # type: ignore[arg-type]
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.render import sweep as render

    labels = [v.label for v in found.varies]
    with Outputs() as staged:  # the table and the chart, both or neither
        if out is not None:
            staged.stage(targets[0], lambda tmp: render.write_table(frame, targets[0], tmp))
        if plot is not None:
            fig = render.figure(frame, labels, found.outputs[0])
            fmt_ = plot.suffix.lower()[1:]
            staged.stage(plot, lambda tmp: fig.savefig(tmp, format=fmt_))
    for path in (out, plot):
        if path is not None:
            print(f"flopbook: wrote {path}", file=sys.stderr)
    if out is not None:
        return
    write(
        fmt,
        Output(
            show=lambda: console().print(render.table(frame, labels)),
            data=lambda: render.json_records(frame),
            csv=lambda: render.csv_text(frame),
        ),
    )


def _check_plot(plot: Path, force: bool, scenario: Path) -> None:
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.files import check_target

    # check_target knows .png as no kind of its own: check it as a .csv beside it would be
    probe = plot.with_suffix(".csv")
    check_target(probe, "out", force=True, protect=(scenario,))
    if plot.is_dir():
        raise InputError("is a folder", file=str(plot), hint="give a file name inside it")
    if plot.exists() and not force:
        raise InputError(
            "already exists", file=str(plot), hint="add --force to replace it, or give another path"
        )
