"""Sensitivity results as terminal tables and CSV."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from flopbook import numbers
from flopbook.render.fit import Fitted
from flopbook.safe_text import CsvWriter

if TYPE_CHECKING:
    from flopbook.sensitivity import Sensitivity

_BAR = 24  # characters of the widest tornado bar


def tornado_table(s: Sensitivity) -> Fitted:
    """Each input from its P5 to its P95, the output at each end and the swing, with a bar;
    where that does not fit the terminal, the bar and the output's name in the heads go
    (the title names it), so that no figure is cropped."""
    return Fitted(_tornado(s, bars=True), lambda console, width: [_tornado(s, bars=False)])


def _tornado(s: Sensitivity, *, bars: bool) -> Table:
    t = s.tornado
    unit = t.unit
    table = Table(
        title=f"What moves {t.label} — tornado (each input from P5 to P95, others "
        "at their medians)",
        caption=f"Baseline, every input at its median: {numbers.value(t.baseline, unit)}.",
        caption_justify="left",
    )
    table.add_column("input", style="bold", min_width=16, max_width=36, overflow="fold")
    table.add_column("input P5 – P95", justify="right", no_wrap=True)
    table.add_column(f"{t.label} at P5" if bars else "at P5", justify="right", no_wrap=True)
    table.add_column("at P95", justify="right", no_wrap=True)
    table.add_column("swing", justify="right", no_wrap=True)
    if bars:
        table.add_column("", no_wrap=True, overflow="crop", max_width=_BAR)
    widest = max((b.swing for b in t.bars), default=0) or 1
    for b in t.bars:
        cells: list[str | Text] = [
            _named(b.label, b.input),
            numbers.interval(b.low, b.high, b.unit),
            numbers.value(b.output_low, unit),
            numbers.value(b.output_high, unit),
            numbers.value(b.swing, unit),
        ]
        bar = ["█" * max(1, round(_BAR * b.swing / widest))] if bars else []
        table.add_row(*cells, *bar)
    return table


def sobol_table(s: Sensitivity) -> Fitted:
    """The Sobol indices of each input, with a bar; the bar goes where it does not fit."""
    return Fitted(_sobol(s, bars=True), lambda console, width: [_sobol(s, bars=False)])


def _sobol(s: Sensitivity, *, bars: bool) -> Table:
    r = s.sobol
    table = Table(
        title=f"Share of the variance of {r.label} — Sobol indices",
        caption=f"First order: the input alone; total: with its interactions. ± is the 95% "
        f"confidence half-width. Saltelli design, N = {r.base_samples:,}, "
        f"{r.evaluations:,} model runs; inputs taken as independent.",
        caption_justify="left",
    )
    table.add_column("input", style="bold", min_width=16, max_width=36, overflow="fold")
    table.add_column("first order", justify="right", no_wrap=True)
    table.add_column("total", justify="right", no_wrap=True)
    if bars:
        table.add_column("", no_wrap=True)
    for i in r.indices:
        bar = ["█" * max(0, round(_BAR * min(1.0, max(0.0, i.total))))] if bars else []
        table.add_row(
            _named(i.label, i.input),
            f"{i.first:.3f} ± {i.first_conf:.3f}",
            f"{i.total:.3f} ± {i.total_conf:.3f}",
            *bar,
        )
    return table


def plain(x: float) -> str:
    """An input's value without its unit's display: ``28,850``, ``0.6163``."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def sensitivity_csv(s: Sensitivity) -> str:
    """One row per input: tornado P5/P95 outputs and swing, Sobol first-order and total."""
    sobol = {i.input: i for i in s.sobol.indices}
    buf = io.StringIO()
    w = CsvWriter(buf)
    w.writerow(
        [
            "output",
            "unit",
            "input",
            "input_unit",
            "input_p5",
            "input_p95",
            "output_at_p5",
            "output_at_p95",
            "swing",
            "sobol_first",
            "sobol_first_conf",
            "sobol_total",
            "sobol_total_conf",
        ]
    )
    for b in s.tornado.bars:
        i = sobol[b.input]
        w.writerow(
            [
                s.output,
                s.unit,
                b.input,
                b.unit,
                *(
                    f"{x:.10g}"
                    for x in (
                        b.low,
                        b.high,
                        b.output_low,
                        b.output_high,
                        b.swing,
                        i.first,
                        i.first_conf,
                        i.total,
                        i.total_conf,
                    )
                ),
            ]
        )
    return buf.getvalue()


def _named(label: str, place: str) -> Text:
    """An input by its label, with the place to change it beneath (skus.H100.count); as
    Text, so that a name with brackets is never read as markup."""
    # imported on use, so that `flopbook --help` stays fast
    from rich.text import Text

    return Text(label) if label == place else Text.assemble(label, "\n", (place, "dim"))
