"""Which report blocks and charts each model kind has, by the declared kind's name (or,
for kinds not yet declared, the result's class name).

A model kind joins reports by one function that turns its result into a
:class:`~flopbook.report.document.Block`, named in :data:`BLOCKS`; its charts are optional
(:data:`CHARTS`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flopbook.errors import InputError
from flopbook.formula.result import Result
from flopbook.report.charts import fleet_charts
from flopbook.report.document import Block, Chart
from flopbook.report.fleet import fleet_blocks
from flopbook.report.funding import funding_blocks, payer_block
from flopbook.report.inputs import InputBook
from flopbook.report.uncertainty import distribution_charts
from flopbook.report.workload import workload_block

__all__ = ["BLOCKS", "CHARTS", "block_for", "blocks_for", "charts_for"]

# declared kind or result class name -> function(result, book: InputBook, title: str) -> Block
# (or a list of blocks, for a result that holds another, as a verdict holds its payer)
BLOCKS: dict[str, Callable[..., Block | list[Block]]] = {
    "fleet": fleet_blocks,
    "WorkloadResult": workload_block,
    "PayerResult": payer_block,
    "FundingVerdict": funding_blocks,
}

# declared kind or result class name -> function(result, title: str) -> list[Chart]
CHARTS: dict[str, Callable[..., list[Chart]]] = {
    "fleet": fleet_charts,
}


def _function(table: dict[str, Callable[..., Any]], result: Any) -> Callable[..., Any] | None:
    return table.get(_key(result))


def _key(result: Any) -> str:
    """What the tables above are keyed on: a declared kind's name, else the class name."""
    return result.kind.name if isinstance(result, Result) else type(result).__name__


def blocks_for(result: Any, book: InputBook, title: str = "") -> list[Block]:
    """The report blocks of any result kind named in :data:`BLOCKS`."""
    make = _function(BLOCKS, result)
    if make is None:
        raise InputError(
            f"no report for a {_key(result)} yet", hint="reports cover: " + ", ".join(BLOCKS)
        )
    made = make(result, book, title)
    return made if isinstance(made, list) else [made]


def block_for(result: Any, book: InputBook, title: str = "") -> Block:
    """The (first) report block of any result kind named in :data:`BLOCKS`."""
    return blocks_for(result, book, title)[0]


def charts_for(result: Any, title: str = "") -> list[Chart]:
    """The result kind's own charts (:data:`CHARTS`), then the distributions of its headline
    outputs when its inputs are uncertain."""
    make = _function(CHARTS, result)
    return ([] if make is None else make(result, title)) + distribution_charts(result, title)
