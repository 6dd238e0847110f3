"""Tables that fit the terminal: the first layout whose every table fits the width it is
printed in, else one that splits its columns over several tables (the row labels in each).
A figure is never folded or cropped to make a table fit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.measure import Measurement

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.table import Table


def fits(console: Console, width: int, renderable: RenderableType) -> bool:
    """True when ``renderable`` needs no more than ``width`` columns."""
    wide = console.options.update_width(10_000)
    return Measurement.get(console, wide, renderable).minimum <= width


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
