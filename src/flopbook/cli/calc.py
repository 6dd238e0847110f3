"""`flopbook calc EXPRESSION [--to UNIT]`."""

from __future__ import annotations

import io
import warnings
from typing import Annotated

import typer

from flopbook.cli import app
from flopbook.cli.common import Format, FormatOpt, Output, SamplesOpt, SeedOpt, emit, write
from flopbook.errors import InputError, InputWarning


@app.command("calc")
def calc_command(
    expression: Annotated[
        str,
        typer.Argument(
            help='A unit expression, e.g. "5 s * 700 W" or "2 * 37B FLOP/token * 168B token". '
            "Catalog figures: H100.bf16_dense, H100.tdp, H800.rental."
        ),
    ],
    to: Annotated[
        str | None,
        typer.Option("--to", help="Unit of the answer, e.g. --to Wh (or --to % for a share)."),
    ] = None,
    chip: Annotated[
        list[str] | None,
        typer.Option(
            "--chip",
            help="A chip the catalog lacks, as a mapping, repeatable, e.g. --chip "
            "'{name: MyChip, bf16_dense: 800 TFLOP/s, tdp: 600 W, server_cost_per_gpu: 30k "
            "USD/GPU}'; then use MyChip.tdp. Rates are dense.",
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Catalog prices (H100.rental) nearest this date instead of the latest, "
            "e.g. --date 2023-06.",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    samples: SamplesOpt = 10_000,
    seed: SeedOpt = None,
) -> None:
    """Evaluate a unit expression, with its units checked.

    Units are checked, so 5 s + 700 W is an error; a percentage is 1/100; catalog peaks are
    per GPU (TFLOP/s/GPU), so GPU-hours times a peak is FLOPs.

    Example: flopbook calc "5 s * H100.tdp" --to Wh
    """
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.calc import evaluate, to_unit
    from flopbook.numbers import readable, summary_text
    from flopbook.quantity import sampling, summarize

    with sampling(samples, seed):
        chips = custom_chips(chip or [])
        # imported on use, so that `flopbook --help` stays fast
        from flopbook.cli.catalog import read_date

        value = evaluate(expression, chips=chips, at=read_date(date))
        if to is not None:
            # imported on use, so that `flopbook --help` stays fast
            from flopbook.cli.common import option_errors

            with option_errors("--to"):
                value = to_unit(value, to)
        else:
            value = readable(value)  # 3,500 s·W reads as 0.9722 Wh, MW·h·USD/kWh as USD
    s = summarize(value)

    def csv() -> str:
        # imported on use, so that `flopbook --help` stays fast
        from flopbook.safe_text import CsvWriter

        buf = io.StringIO()
        w = CsvWriter(buf)
        w.writerow(["expression", "mean", "p5", "p50", "p95", "unit"])
        w.writerow([expression, *(f"{x:.10g}" for x in (s.mean, s.p5, s.p50, s.p95)), s.unit])
        return buf.getvalue()

    write(
        fmt,
        Output(
            show=lambda: emit(f"{expression} = {summary_text(s, own=to is not None)}"),
            data=lambda: {"expression": expression, **s.as_dict()},
            csv=csv,
        ),
    )


def custom_chips(texts: list[str]) -> dict:
    """``--chip`` mappings as custom chips by name; a mistake names --chip and the field."""
    # imported on use, so that `flopbook --help` stays fast
    from flopbook import safe_yaml
    from flopbook.catalog.custom import custom_chip

    found = {}
    for text in texts:
        raw = safe_yaml.load(text, "--chip")
        if not isinstance(raw, dict):
            raise InputError(
                "expected a mapping of the chip's figures",
                field="--chip",
                hint="write e.g. --chip '{name: MyChip, bf16_dense: 800 TFLOP/s, tdp: 600 W}'",
            )
        try:
            made, notes = custom_chip(raw, where="--chip")
        except InputError as exc:
            raise InputError(
                exc.message, field=f"--chip {exc.field}".strip(), hint=exc.hint
            ) from None
        if not made.id.replace("_", "a").isalnum() or not made.id[0].isalpha():
            raise InputError(
                f"the name {made.id!r} cannot be used in an expression",
                field="--chip name",
                hint="use letters, digits and _ only, starting with a letter",
            )
        for name, message in notes:
            warnings.warn(InputWarning(f"--chip {name}: {message}"), stacklevel=2)
        found[made.id] = made
    return found
