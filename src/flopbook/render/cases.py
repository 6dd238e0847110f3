"""Terminal rendering of a reference case: the published table with its errors marked, the
named discrepancies, the corrected table and model, and the checks against published
figures."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from flopbook.models.funding import PayerResult
from flopbook.models.funding_verdict import FundingVerdict
from flopbook.numbers import check_figures, tolerance, unit_text
from flopbook.render import funding
from flopbook.render.fit import Fitted, blocks
from flopbook.render.table import FittedFleetTable
from flopbook.safe_text import CsvWriter

if TYPE_CHECKING:
    from rich.console import Console

    from flopbook.cases.result import CaseResult, Check, Claim, Grid, Source


def grid_table(grid: Grid) -> Fitted:
    """A case's table (as published, or corrected): one row a line where it fits the width;
    else turned round, a block a line with a row for each column, so that no figure is
    cropped."""
    return Fitted(_grid_wide(grid), lambda console, width: [_grid_blocks(grid)])


def _grid_cell(grid: Grid, i: int, j: int, cell: str) -> Text:
    flagged = (i, j) in grid.flagged
    return Text(cell + (" ✗" if flagged else ""), style="bold red" if flagged else "")


def _grid_label(grid: Grid, i: int, label: str) -> Text:
    flagged = (i, -1) in grid.flagged
    return Text(label + (" ✗" if flagged else ""), style="bold red" if flagged else "bold")


def _grid_wide(grid: Grid) -> Table:
    # the labels wrap between words; a figure never does (its interval goes under it), so
    # that the table either fits whole or is turned round
    table = Table(title=grid.title, caption=grid.caption or None, caption_justify="left")
    table.add_column("", style="bold")
    for c in grid.columns:
        table.add_column(c, justify="right", style="bold" if c == "Total" else None, no_wrap=True)
    for i, (label, _unit, cells) in enumerate(grid.rows):
        table.add_row(
            _grid_label(grid, i, label),
            *(_grid_cell(grid, i, j, c.replace(" (", "\n(")) for j, c in enumerate(cells)),
        )
    return table


def _grid_blocks(grid: Grid) -> Table:
    table = Table(
        title=grid.title, caption=grid.caption or None, caption_justify="left", show_header=False
    )
    table.add_column("")
    table.add_column("")
    table.add_column("", justify="right")
    for i, (label, _unit, cells) in enumerate(grid.rows):
        for j, (column, cell) in enumerate(zip(grid.columns, cells, strict=True)):
            table.add_row(
                _grid_label(grid, i, label) if j == 0 else "",
                Text(column, style="bold" if column == "Total" else ""),
                _grid_cell(grid, i, j, cell.replace(" (", "\n(")),
                end_section=j == len(cells) - 1,
            )
    return table


def _verdict(c: Check) -> Text:
    if c.ok is None:
        return Text(f"{c.ratio:.2f}×", style="cyan")
    return Text("ok" if c.ok else "OFF", style="green" if c.ok else "bold red")


def footnotes(result: CaseResult) -> list[Source]:
    """The sources a case cites, in the order they are numbered: the case's own list, then
    any source a check or claim cites that is not in it."""
    cited = list(result.sources)
    items: list[Check | Claim] = [*result.checks, *result.claims]
    for item in items:
        if item.source not in cited:
            cited.append(item.source)
    return cited


def _cite(source: Source, numbered: list[Source], note: str | None) -> Text:
    # a long source is cited once, as a numbered footnote; the row carries its number
    mark = f"[{numbered.index(source) + 1}]"
    return Text(f"{mark} {note}" if note else mark)


_CHECKS_CAPTION = (
    "kind: reproduction = against an independent published figure; "
    "restatement = published arithmetic redone; consistency = the "
    "model's own round trip or inputs chosen to meet the figure. "
    "Tolerance is relative, with why it is that wide; a ratio "
    "without a verdict is a comparison, not a test; [n] is a source "
    "listed under Sources"
)
_CHECK_HEADS = ("figure", "kind", "published", "model", "model / published", "tolerance")
_FIGURES = ("published", "model", "model / published", "probability")


def _records(title: str, caption: str, heads: tuple[str, ...], rows: list[list[Any]]) -> Fitted:
    """A row a record where its words fit whole beside its figures; else a block each."""
    wide = Table(title=title, caption_justify="left", caption=Text(caption))
    for col in heads:
        figure = col in _FIGURES
        wide.add_column(col, justify="right" if figure else "left", no_wrap=figure, overflow="fold")
    for row in rows:
        wide.add_row(*row)
    named = tuple(h or "verdict" for h in heads)
    return Fitted(wide, lambda console, width: [blocks(title, Text(caption), named, rows)])


def checks_table(result: CaseResult) -> Fitted:
    numbered = footnotes(result)
    rows = []
    for c in result.checks:
        published, model = check_figures(c.published, c.model, c.unit)
        rows.append(
            [
                Text(c.label + (" (derived)" if c.derived else "")),
                Text(c.category or ""),
                Text(published),
                Text(model),
                Text(f"{c.ratio:.3f}"),
                Text(
                    tolerance(c.tolerance)
                    + (f" ({c.tolerance_reason})" if c.tolerance_reason else "")
                ),
                _verdict(c),
                _cite(c.source, numbered, c.note),
            ]
        )
    heads = (*_CHECK_HEADS, "", "source")
    return _records("Published figures against the model", _CHECKS_CAPTION, heads, rows)


def claims_table(result: CaseResult) -> Fitted:
    numbered = footnotes(result)
    rows = [
        [
            Text(c.label),
            Text(c.published),
            Text(c.model),
            Text("—" if c.probability is None else f"{c.probability:.0%}"),
            Text("ok" if c.ok else "OFF", style="green" if c.ok else "bold red"),
            _cite(c.source, numbered, c.note),
        ]
        for c in result.claims
    ]
    caption = (
        "a claim in words holds when the model gives the same words; the probability is "
        "the model's for its own answer; [n] is a source listed under Sources"
    )
    heads = ("claim", "published", "model", "probability", "", "source")
    return _records("Published claims against the model", caption, heads, rows)


def sources_text(result: CaseResult) -> str:
    """``Sources: [1] …; [2] …`` — the numbers the tables cite."""
    return "Sources: " + "; ".join(f"[{i}] {s.cite()}" for i, s in enumerate(footnotes(result), 1))


def _print_section(title: str, section: object, console: Console) -> None:
    # each result type draws itself with its own renderer

    if isinstance(section, PayerResult):
        console.print(funding.payer_table(section, title=title))
        console.print(funding.inputs_table(section))
    elif isinstance(section, FundingVerdict):
        console.print(Text(title, style="bold underline"))
        console.print(funding.spending_table(section))
        console.print(funding.yearly_table(section))
        console.print(funding.verdict_panel(section))
    else:
        console.print(Text(f"{title}: {section}"))


def print_case(result: CaseResult, console: Console) -> None:
    console.print(Panel(Text(result.summary), title=result.title, title_align="left"))
    if result.grids:
        console.print(grid_table(result.grids[0]))
    if result.discrepancies:
        console.print(Text("What is wrong in it", style="bold underline"))
        for d in result.discrepancies:
            line = Text("  ")
            line.append(d.code, style="bold red")
            line.append(f"  {d.title}  ", style="bold")
            line.append(f"[{d.where}]  ", style="dim")
            line.append(d.published, style="red")
            line.append(" → ")
            line.append(d.corrected, style="bold green")
            console.print(line)
            console.print(Text("        " + d.explanation), style="dim")
        console.print()
    for grid in result.grids[1:]:
        console.print(grid_table(grid))
    for title, fleet in result.fleets:
        console.print(FittedFleetTable(fleet, title=title))
    for title, section in result.sections:
        _print_section(title, section, console)
    if result.checks:
        console.print(checks_table(result))
    if result.claims:
        console.print(claims_table(result))
    for note in result.notes:
        console.print(Text("Note: " + note, style="dim"))
    console.print(Text(sources_text(result), style="dim"))
    ok = result.ok
    console.print(Text(f"Checks: {result.tally_text()}", style="green" if ok else "bold red"))
    # the last line says what the case finds, not only whether its checks passed
    console.print(
        Text(
            result.conclusion or ("All checks within tolerance." if ok else "Some checks are OFF."),
            style="bold",
        )
    )


def checks_csv(result: CaseResult) -> str:
    buf = io.StringIO()
    w = CsvWriter(buf)
    w.writerow(
        [
            "label",
            "category",
            "published",
            "model",
            "unit",
            "ratio",
            "tolerance",
            "tolerance_reason",
            "ok",
            "derived",
            "source",
        ]
    )
    for c in result.checks:
        w.writerow(
            [
                c.label,
                c.category,
                f"{c.published:.10g}",
                f"{c.model:.10g}",
                unit_text(c.unit),
                f"{c.ratio:.6f}",
                "" if c.tolerance is None else c.tolerance,
                c.tolerance_reason or "",
                "" if c.ok is None else c.ok,
                c.derived,
                c.source.cite(),
            ]
        )
    for cl in result.claims:
        w.writerow(
            [
                cl.label,
                "claim",
                cl.published,
                cl.model,
                "",
                "",
                "",
                "",
                cl.ok,
                False,
                cl.source.cite(),
            ]
        )
    return buf.getvalue()
