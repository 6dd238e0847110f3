"""Tables that fit the terminal: the first layout whose every table fits the width it is
printed in, else one that splits its columns over several tables (the row labels in each).
A figure is never folded or cropped to make a table fit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.measure import Measurement
from rich.table import Table

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.text import Text


def fits(console: Console, width: int, renderable: RenderableType) -> bool:
    """True when ``renderable`` needs no more than ``width`` columns: a table's columns
    that never wrap (figures) at their widest cell, the others at their longest word."""
    wide = console.options.update_width(10_000)
    if not isinstance(renderable, Table):
        return Measurement.get(console, wide, renderable).minimum <= width
    t = renderable
    pad = t.padding[1] + t.padding[3]
    total = 0
    for column in t.columns:
        cells = [column.header, *column.cells]
        sizes = [Measurement.get(console, wide, c) for c in cells if c is not None]
        need = max((m.maximum if column.no_wrap else m.minimum for m in sizes), default=0)
        total += max(need, column.min_width or 0) + pad
    edges = len(t.columns) + 1 if t.box is not None and t.show_edge else len(t.columns) - 1
    return total + max(edges, 0) <= width


def split(
    console: Console, width: int, columns: Sequence[str], build: Callable[[list[str]], Table]
) -> list[Table]:
    """``build`` over runs of ``columns``, each run as long as fits ``width`` (one column at
    least), so that every column is shown whole in one of the tables."""
    groups: list[list[str]] = [[]]
    for c in columns:
        if groups[-1] and not fits(console, width, build([*groups[-1], c])):
            groups.append([])
        groups[-1].append(c)
    return [build(g) for g in groups]


class Columns:
    """A table of items and a Total that, where it does not fit, is split over several, each
    with the row labels: ``build(columns, first, last)`` makes the table of some columns
    (the title on the first, the caption under the last). No column is cropped."""

    def __init__(self, columns: Sequence[str], build: Callable[[list[str], bool, bool], Table]):
        self.columns, self.build = list(columns), build

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        whole = self.build(self.columns, True, True)
        if fits(console, width, whole):
            yield whole
            return
        groups: list[list[str]] = [[]]
        for c in self.columns:
            if groups[-1] and not fits(console, width, self.build([*groups[-1], c], True, True)):
                groups.append([])
            groups[-1].append(c)
        for i, g in enumerate(groups):
            yield self.build(g, i == 0, i == len(groups) - 1)


class Fitted:
    """``wide`` when it fits the console, else ``narrow`` (given the width); ``after`` is
    printed below either (a caption that both share)."""

    def __init__(
        self,
        wide: Table,
        narrow: Callable[[Console, int], list[Table]],
        after: RenderableType | None = None,
    ) -> None:
        self.wide, self.narrow, self.after = wide, narrow, after

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        if fits(console, width, self.wide):
            yield self.wide
        else:
            yield from self.narrow(console, width)
        if self.after is not None:
            yield self.after


def blocks(
    title: str,
    caption: str | Text | None,
    heads: Sequence[str],
    rows: Sequence[Sequence[RenderableType]],
) -> Table:
    """``rows`` turned round: a block a row, each of its fields on a line of its own beside
    its head (an empty field left out), for where a row a line would fold its words."""
    t = Table(title=title, caption_justify="left", caption=caption, show_header=False)
    t.add_column("", style="bold", no_wrap=True)
    t.add_column("", overflow="fold")
    for i, row in enumerate(rows):
        if i:
            t.add_section()
        for head, cell in zip(heads, row, strict=True):
            if (cell.plain if hasattr(cell, "plain") else str(cell)).strip():
                t.add_row(head, cell)
    return t
