"""`flopbook check CLAIMS.yaml`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flopbook.cli import app
from flopbook.cli.common import Format, FormatOpt, Output, SamplesOpt, SeedOpt, console, write


@app.command("check")
def check_command(
    claims: Annotated[Path, typer.Argument(help="A claims file (YAML).")],
    fmt: FormatOpt = Format.table,
    samples: SamplesOpt = 10_000,
    seed: SeedOpt = None,
) -> None:
    """Judge claims: holds, off by N×, or not comparable.

    Each claim is an expression, a claimed value and a tolerance. Verdicts: holds, off by N×
    (too high or too low), not comparable (different kinds of quantity).

    Exit code 0 when every claim holds, 1 when any does not, 2 for a bad file.

    Example: flopbook check claims.yaml
    """
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.claims import read_claims
    from flopbook.quantity import sampling
    from flopbook.render.workload import claims_csv, claims_table

    with sampling(samples, seed):
        spec, verdicts = read_claims(claims)

    def show() -> None:
        out = console()
        out.print(claims_table(verdicts, spec.title))
        held = sum(v.holds for v in verdicts)
        out.print(f"{held} of {len(verdicts)} claims hold.")

    write(
        fmt,
        Output(
            show,
            data=lambda: {"title": spec.title, "claims": [v.as_dict() for v in verdicts]},
            csv=lambda: claims_csv(verdicts),
        ),
    )
    if not all(v.holds for v in verdicts):
        raise typer.Exit(1)
