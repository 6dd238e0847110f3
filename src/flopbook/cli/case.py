"""`flopbook case [NAME]`."""

from __future__ import annotations

from typing import Annotated

import typer

from flopbook.cli import app
from flopbook.cli.common import (
    Format,
    FormatOpt,
    Output,
    SamplesOpt,
    SeedOpt,
    console,
    emit,
    write,
)


@app.command("case")
def case_command(
    name: Annotated[str | None, typer.Argument(help="A reference case; none lists them.")] = None,
    fmt: FormatOpt = Format.table,
    samples: SamplesOpt = 10_000,
    seed: SeedOpt = None,
) -> None:
    """Run a reference case against its published figures.

    Shows the published figures, the model's answer and each discrepancy.

    Example: flopbook case deepseek-semianalysis
    """
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.cases import case, cases
    from flopbook.quantity import sampling
    from flopbook.render import cases as render_cases

    if name is None:
        listing = cases()

        def show() -> None:
            for c in listing:
                emit(f"{c.name:28} {c.title}")

        write(fmt, Output(show, data=lambda: [{"name": c.name, "title": c.title} for c in listing]))
        return
    with sampling(samples, seed):
        result = case(name)
    write(
        fmt,
        Output(
            show=lambda: render_cases.print_case(result, console()),
            data=result.to_dict,
            csv=lambda: render_cases.checks_csv(result),
        ),
    )
